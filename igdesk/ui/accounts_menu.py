"""The Accounts menu: every Instagram account this computer knows, with its unread count, the
current one checked, and "Add another account". Choosing one asks the launcher to switch the
window to that account's profile (`switch_requested`); adding one makes a fresh profile folder
and switches to it, where the setup assistant signs it in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from igdesk.accounts import AccountBook, KnownAccount, unread_threads
from igdesk.i18n import Words
from igdesk.ui import aio


class AccountsMenu(QMenu):
    """See the module docstring. Signal: `switch_requested(Path)`, a profile folder."""

    switch_requested = Signal(object)

    def __init__(
        self, book: AccountBook, current: Path, words: Words, parent: QWidget | None = None
    ) -> None:
        super().__init__(words("A&ccounts"), parent)
        self._book = book
        self._current = current.resolve()
        self._words = words
        self.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """List the accounts again, with fresh unread counts (read from each archive file)."""
        self.clear()
        accounts = self._book.accounts()
        if not any(account.profile == self._current for account in accounts):
            accounts.insert(0, KnownAccount(self._current))
        for account in accounts:
            action = self.addAction(self._label(account))
            action.setCheckable(True)
            here = account.profile == self._current
            action.setChecked(here)
            if not here:
                action.triggered.connect(
                    lambda _checked=False, folder=account.profile: self.switch_requested.emit(
                        folder
                    )
                )
        self.addSeparator()
        self.add_action = self.addAction(self._words("&Add another Instagram account…"))
        self.add_action.triggered.connect(self.add_account)

    def add_account(self) -> None:
        try:
            folder = self._book.new_profile()
        except OSError as error:
            aio.error(
                self._words(
                    "igdesk could not make a folder for another account ({detail}). Check that "
                    "your user folder has free space and can be written to.",
                    detail=error.strerror or type(error).__name__,
                )
            )
            return
        self.switch_requested.emit(folder)

    def _label(self, account: KnownAccount) -> str:
        unread = unread_threads(account.profile)
        if not unread:
            return account.label
        unread_text = self._words.plural("{n} unread", "{n} unread", unread)
        return f"{account.label} — {unread_text}"


def attach(window: QMainWindow, book: AccountBook, current: Path, words: Words) -> AccountsMenu:
    """Add the Accounts menu to the window's menu bar."""
    menu = AccountsMenu(book, current, words, window)
    window.menuBar().addMenu(menu)
    return menu
