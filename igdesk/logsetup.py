"""Logging to the profile's log file, with tokens and Authorization headers redacted."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from igdesk.graph.redact import guard_library_loggers, redact


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line, traceback included, passes through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_file: Path | None, *, verbose: bool = False) -> None:
    """Log to a rotating file in the profile (and nothing to the terminal unless verbose)."""
    root = logging.getLogger("igdesk")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    if verbose:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        root.addHandler(stream)
    root.propagate = False
    guard_library_loggers()
