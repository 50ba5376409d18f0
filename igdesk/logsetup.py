"""Logging to a rotating file, with tokens and Authorization headers redacted.

Where the log goes: the default profile logs in the platform's log folder (platformdirs:
~/.local/state/igdesk/log on Linux, %LOCALAPPDATA%\\igdesk\\Logs on Windows,
~/Library/Logs/igdesk on macOS); a profile given with `--profile DIR` (tests, a second shop, the
sandbox) keeps its log in DIR/logs, so that a throwaway profile leaves nothing behind.
A folder igdesk cannot write to gives a sentence, and igdesk runs on without a log file.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from igdesk.config import APP_NAME, Profile
from igdesk.graph.redact import guard_library_loggers, redact
from igdesk.i18n import Text

LOG_NAME = "igdesk.log"
MAX_BYTES = 2_000_000
BACKUPS = 3


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line, traceback included, passes through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_path(profile: Profile) -> Path:
    """The log file of `profile` (see the module docstring)."""
    if profile.directory.resolve() == Profile.default().directory.resolve():
        return platformdirs.user_log_path(APP_NAME, appauthor=False) / LOG_NAME
    return profile.log_path


def setup_logging(log_file: Path | None, *, verbose: bool = False) -> Text | None:
    """Log to a rotating file (and nothing to the terminal unless verbose).

    Returns None, or the sentence to show when the log file cannot be written (igdesk then logs
    warnings to stderr only and keeps running).
    """
    root = logging.getLogger("igdesk")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    problem = None
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
            )
        except OSError as error:
            problem = unwritable_text(log_file.parent, error)
        else:
            file_handler.setFormatter(formatter)
            root.addHandler(file_handler)
    if verbose or problem is not None:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        if not verbose:
            stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    root.propagate = False
    guard_library_loggers()
    return problem


def unwritable_text(folder: Path, error: OSError) -> Text:
    return Text(
        "igdesk cannot write its log in {folder} ({detail}), so it runs without a log file. "
        "Check that folder's permissions.",
        folder=str(folder),
        detail=error.strerror or type(error).__name__,
    )
