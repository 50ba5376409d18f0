"""The command line and the profile lock: `--version`, `sync --watch` refused while a window
works the profile, `sync --once` beside it, two receivers never on one webhook port, a
damaged installation and an archive from a newer igdesk (real subprocesses)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from igdesk.store.schema import SCHEMA_VERSION
from tests.integration.conftest import Sandbox
from tests.integration.test_cli import assert_one_clear_line, igdesk
from tests.unit.test_single_instance import held_by_another_process

pytestmark = pytest.mark.slow


def test_version_says_where_the_logs_are(tmp_path: Path) -> None:
    result = igdesk("--profile", str(tmp_path / "p"), "--version")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("igdesk 0.") or first == "igdesk unknown"
    assert second == f"Logs: {tmp_path / 'p' / 'logs' / 'igdesk.log'}"


def test_watch_is_refused_while_a_window_holds_the_profile_but_once_runs(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    base = ("--profile", str(profile), "--graph-url", tiny_sandbox.url)
    with held_by_another_process(profile, "window") as window:
        watch = igdesk(*base, "sync", "--watch", token=tiny_sandbox.token)
        line = assert_one_clear_line(watch)
        assert line == (
            f"The igdesk window (process {window.pid}) is open on this profile and already "
            "keeps it in sync. Close it first, or use another --profile."
        )
        once = igdesk(*base, "sync", "--once", token=tiny_sandbox.token)
        assert once.returncode == 0, once.stderr  # shares the archive through SQLite's lock


def test_two_receivers_never_share_one_webhook_port(tiny_sandbox: Sandbox, tmp_path: Path) -> None:
    env_args = ("--graph-url", tiny_sandbox.url, "sync", "--watch", "--webhook-port", "0")
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "igdesk",
            "--lang",
            "en",
            "--profile",
            str(tmp_path / "a"),
            *env_args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_webhook_env(tiny_sandbox.token),
    )
    try:
        assert first.stdout is not None
        url = ""
        for line in first.stdout:
            if "Receiving webhooks at" in line:
                url = line.split()[-1]
                break
        port = url.split(":")[-1].split("/")[0]
        assert port.isdigit(), url
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "igdesk",
                "--lang",
                "en",
                "--profile",
                str(tmp_path / "b"),
                "--graph-url",
                tiny_sandbox.url,
                "sync",
                "--watch",
                "--webhook-port",
                port,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=_webhook_env(tiny_sandbox.token),
        )
        line = assert_one_clear_line(second)
        assert "port" in line.lower() and "Traceback" not in second.stderr
    finally:
        first.terminate()
        first.wait(30)
        for stream in (first.stdout, first.stderr):
            if stream is not None:
                stream.close()


def _webhook_env(token: str) -> dict[str, str]:
    from tests.integration.test_cli import _env

    env = _env(token)
    env["IGDESK_APP_SECRET"] = "a-test-app-secret"
    env["IGDESK_VERIFY_TOKEN"] = "a-test-verify-token"
    return env


def test_an_archive_from_a_newer_igdesk_is_refused_and_left_alone(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    base = ("--profile", str(profile), "--graph-url", tiny_sandbox.url)
    assert igdesk(*base, "sync", "--once", token=tiny_sandbox.token).returncode == 0
    archive = profile / "archive.sqlite3"
    conn = sqlite3.connect(archive)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()  # the last connection: the WAL is written back and removed
    before = archive.read_bytes()
    for command in (("sync", "--once"), ("export",), ()):  # () is the window
        result = igdesk(*base, *command, token=tiny_sandbox.token)
        line = assert_one_clear_line(result)
        assert "newer version of igdesk" in line and "nothing in it has been changed" in line
    assert archive.read_bytes() == before
    assert not (profile / "archive.sqlite3-wal").exists()


def test_a_damaged_installation_says_which_files_are_missing(tmp_path: Path) -> None:
    """A copy of the package whose resources/ lacks the translations: one sentence, exit 1."""
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(
        root / "igdesk", tmp_path / "igdesk", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(root / "resources", tmp_path / "resources")
    shutil.rmtree(tmp_path / "resources" / "locale")
    result = subprocess.run(
        [sys.executable, "-m", "igdesk", "--profile", str(tmp_path / "p"), "export"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    line = assert_one_clear_line(result)
    assert line.startswith("igdesk is missing some of its files (locale) in ")
    assert str(tmp_path / "resources") in line
