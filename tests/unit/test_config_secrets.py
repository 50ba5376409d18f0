"""Settings files, profile paths, language choice and where secrets come from."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from igdesk import secrets
from igdesk.config import Profile, Settings
from igdesk.i18n import system_language
from igdesk.logsetup import RedactingFormatter
from tests.memory_keyring import MemoryKeyring


def test_settings_round_trip_and_damaged_files(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert Settings.load(path) == Settings()
    chosen = Settings(language="id", poll_interval_seconds=30.0, notify_folders=["primary"])
    chosen.save(path)
    assert Settings.load(path) == chosen
    path.write_text("{not json", encoding="utf-8")
    assert Settings.load(path) == Settings()
    path.write_text(json.dumps({"poll_interval_seconds": 45, "language": 3, "x": 1}))
    loaded = Settings.load(path)
    assert loaded.poll_interval_seconds == 45.0 and loaded.language == ""
    path.write_text("[1, 2]")
    assert Settings.load(path) == Settings()


def test_profile_paths(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "shop")
    assert profile.archive_path.parent == profile.directory
    assert profile.settings().api_version == "v25.0"
    profile.ensure()
    assert profile.directory.is_dir()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [("IGDESK_LANG", "id", "id"), ("LANG", "id_ID.UTF-8", "id"), ("LANG", "en_US.UTF-8", "en")],
)
def test_system_language(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    for name in ("IGDESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    assert system_language() == expected


def test_token_from_keyring_and_environment_wins(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "/profiles/shop"
    assert secrets.get(key, secrets.Secret.ACCESS_TOKEN) is None
    secrets.put(key, secrets.Secret.ACCESS_TOKEN, "IGAAstored")
    assert secrets.get(key, secrets.Secret.ACCESS_TOKEN) == "IGAAstored"
    assert secrets.source(key, secrets.Secret.ACCESS_TOKEN) == "keyring"
    assert secrets.get("/profiles/other", secrets.Secret.ACCESS_TOKEN) is None
    monkeypatch.setenv("IGDESK_ACCESS_TOKEN", "IGAAfromenv")
    assert secrets.get(key, secrets.Secret.ACCESS_TOKEN) == "IGAAfromenv"
    assert secrets.source(key, secrets.Secret.ACCESS_TOKEN) == "environment"
    assert ("igdesk", f"{key}:access_token") in memory_keyring.items  # env never stored
    assert "IGAAfromenv" not in memory_keyring.items.values()
    secrets.delete(key, secrets.Secret.ACCESS_TOKEN)
    monkeypatch.delenv("IGDESK_ACCESS_TOKEN")
    assert secrets.get(key, secrets.Secret.ACCESS_TOKEN) is None


def test_no_keyring_means_no_secret_and_a_clear_error_on_save() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert secrets.get("/p", secrets.Secret.APP_SECRET) is None
        with pytest.raises(secrets.KeyringUnavailableError):
            secrets.put("/p", secrets.Secret.APP_SECRET, "s3cret")
    finally:
        keyring.set_keyring(previous)


def test_log_lines_never_carry_tokens() -> None:
    import logging

    record = logging.LogRecord(
        "igdesk.graph",
        logging.INFO,
        __file__,
        1,
        "GET %s with %s",
        ("https://x/me?access_token=IGAAsecretvalue123456789", "Authorization: Bearer abc.def"),
        None,
    )
    line = RedactingFormatter("%(message)s").format(record)
    assert "IGAAsecretvalue" not in line and "abc.def" not in line
