"""Logs: where they go, tokens redacted, and an unwritable log folder (a sentence, igdesk runs)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from igdesk.config import Profile
from igdesk.i18n import Words
from igdesk.logsetup import log_path, setup_logging
from tests.integration.test_cli import igdesk


@pytest.fixture(autouse=True)
def igdesk_logger() -> Iterator[logging.Logger]:
    """Put the "igdesk" logger back as it was (other tests read it through caplog)."""
    logger = logging.getLogger("igdesk")
    saved = logger.handlers[:], logger.level, logger.propagate
    try:
        yield logger
    finally:
        for handler in logger.handlers[:]:
            if handler not in saved[0]:
                logger.removeHandler(handler)
                handler.close()
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]


def test_the_default_profile_logs_in_the_platform_log_folder(tmp_path: Path) -> None:
    expected = platformdirs.user_log_path("igdesk", appauthor=False) / "igdesk.log"
    assert log_path(Profile.default()) == expected
    assert log_path(Profile(tmp_path / "shop")) == tmp_path / "shop" / "logs" / "igdesk.log"


def test_tokens_are_redacted_in_the_file(tmp_path: Path) -> None:
    target = tmp_path / "logs" / "igdesk.log"
    assert setup_logging(target) is None
    log = logging.getLogger("igdesk.test")
    log.info("GET /me?access_token=IGQVJsecretsecret123&fields=id")
    log.info("header Authorization: Bearer EAAGsecretsecret456")
    for handler in logging.getLogger("igdesk").handlers:
        handler.flush()
    text = target.read_text(encoding="utf-8")
    assert "fields=id" in text
    assert "IGQVJsecretsecret123" not in text and "EAAGsecretsecret456" not in text


def test_an_unwritable_log_folder_gives_a_sentence_and_logging_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    problem = setup_logging(blocker / "igdesk.log")
    assert problem is not None
    sentence = Words("en").text(problem)
    assert sentence.startswith(f"igdesk cannot write its log in {blocker} (")
    assert sentence.endswith("so it runs without a log file. Check that folder's permissions.")
    logging.getLogger("igdesk.test").warning("still fine")  # no exception
    assert blocker.is_file() and not (blocker / "igdesk.log").exists()
    assert not [h for h in logging.getLogger("igdesk").handlers if hasattr(h, "baseFilename")]


@pytest.mark.slow
def test_the_command_line_says_so_and_still_works(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "logs").write_text("not a folder")
    result = igdesk("--profile", str(profile), "export")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"igdesk cannot write its log in {profile / 'logs'} (")
