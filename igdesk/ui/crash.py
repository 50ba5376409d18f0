"""An unexpected exception: logged, a friendly window with the details to copy, and igdesk runs on.

`install()` sets `sys.excepthook` (Qt slots and callbacks end there) and the event loop's
exception handler (callbacks and tasks nobody owns), and returns a function that puts the old
ones back. The details are redacted: no token ever reaches the screen or the clipboard.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from igdesk.graph.redact import redact
from igdesk.i18n import Words

log = logging.getLogger("igdesk.ui.crash")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


class CrashDialog(QDialog):
    """ "Something unexpected went wrong", the details to copy, and Close; opened, never exec'd."""

    def __init__(self, words: Words, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(words("igdesk hit a problem"))
        self.message = QLabel(
            words(
                "Something unexpected went wrong. igdesk keeps running and nothing you wrote "
                "was lost. If it happens again, copy the details and send them to support."
            )
        )
        self.message.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(words("Details"))
        copy_button = QPushButton(words("Copy details"))
        copy_button.clicked.connect(self.copy_details)
        close_button = QPushButton(words("Close"))
        close_button.setDefault(True)
        close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy_button)
        buttons.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.resize(560, 360)

    def add_details(self, more: str) -> None:
        self.details.appendPlainText("\n" + more)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class CrashReporter:
    """Shows one `CrashDialog` at a time for unexpected exceptions; every one is logged."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        self._words = words
        self._parent = parent
        self.dialog: CrashDialog | None = None

    def handle(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        log.error("unexpected exception", exc_info=(kind, error, tb))
        details = redact("".join(traceback.format_exception(kind, error, tb)))
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_details(details)
            return
        self.dialog = CrashDialog(self._words, details, self._parent)
        self.dialog.open()

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.handle(type(error), error, error.__traceback__)
        else:
            log.error("event loop: %s", redact(context.get("message", "")))


def install(reporter: CrashReporter, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Route unexpected exceptions to `reporter`; returns a function restoring the old hooks."""
    previous_hook: ExceptHook = sys.excepthook
    previous_handler = loop.get_exception_handler()

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, error, tb)
            return
        reporter.handle(kind, error, tb)

    sys.excepthook = hook
    loop.set_exception_handler(reporter.loop_exception)

    def restore() -> None:
        sys.excepthook = previous_hook
        loop.set_exception_handler(previous_handler)

    return restore
