"""The window's account actions: the "Sign in again" banner, signing in (again), the setup
assistant, "Check setup" and "Sign out".

A collaborator of the main window (like its replying and searching): it is handed the window
and takes the banner, the App and the task owner from it. Signing in again switches the App to
the new token at once (`signin.store.keep`): polling and the outbox resume, no restart.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from igdesk.errors import IgdeskError
from igdesk.i18n import Text, Words
from igdesk.signin import NO_KEYRING, SignedIn
from igdesk.ui import aio

if TYPE_CHECKING:
    from igdesk.app import App
    from igdesk.ui.main_window import MainWindow

log = logging.getLogger("igdesk.ui.sign_in")

SignInWay = Callable[["App", Words, QWidget | None], Awaitable[SignedIn | None]]


class SignInActions(QObject):
    """Owns the banner's behaviour and the account menu entries of one window.

    `quit_requested`: the owner signed out and deleted the local data; igdesk closes."""

    quit_requested = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.banner = window.banner
        self.banner.sign_in_requested.connect(self.sign_in_again)
        self.banner.first_shown.connect(self._notify)
        self._signing_in = False
        self._checking = False

    @property
    def signing_in(self) -> bool:
        return self._signing_in

    # --- the banner ------------------------------------------------------------------------

    def sign_in_needed(self, text: Text) -> None:
        """The token was refused (or could not be renewed): the banner, until signed in."""
        self.banner.show_problem(self.window.words.text(text))

    def _notify(self, sentence: str) -> None:
        """One desktop notification per signed-out spell (the banner says it while it lasts)."""
        if self.window.tray is not None:
            self.window.tray.tell(self.window.words("igdesk: sign in again"), sentence)

    # --- signing in ------------------------------------------------------------------------

    def sign_in_again(self) -> None:
        from igdesk.ui.sign_in import sign_in_again

        self._start(sign_in_again, "sign-in")

    def open_assistant(self) -> None:
        from igdesk.ui.sign_in import connect

        self._start(connect, "setup-assistant")

    def _start(self, way: SignInWay, name: str) -> None:
        if self._signing_in:
            return  # one sign-in window at a time
        self._signing_in = True
        self.banner.set_busy(True)
        self.window.tasks.start(self._sign_in(way), name=name)

    async def _sign_in(self, way: SignInWay) -> None:
        try:
            signed_in = await way(self.window.app, self.window.words, self.window)
        finally:
            self._signing_in = False
            self.banner.set_busy(False)
        if signed_in is not None:
            self.signed_in(signed_in)

    def signed_in(self, signed_in: SignedIn) -> None:
        """Signed in (again): the banner goes, syncing resumes, the window reads again."""
        words = self.window.words
        self.banner.clear()
        if signed_in.remembered:
            aio.info(words("Signed in as @{username}.", username=signed_in.username))
        else:
            aio.warning(words.text(NO_KEYRING))
        app = self.window.app
        app.start_polling()  # no-op when it runs; the App restarts a poller a 190 stopped
        app.replies.start_sending()
        app.refresh()
        self.window.tasks.start(self.window.reload_all(), name="reload-after-sign-in")
        log.info("signed in again; syncing resumes")

    # --- checking ------------------------------------------------------------------------

    def check_setup(self) -> None:
        """Doctor's checklist in a window (the same checks as `igdesk doctor`), one at a time:
        asked again, the open one comes forward."""
        from igdesk.ui.check_setup import CheckSetupDialog

        window = self.window
        if self._checking:
            for open_one in window.findChildren(CheckSetupDialog):
                if open_one.isVisible():
                    open_one.raise_()
                    open_one.activateWindow()
            return
        self._checking = True
        window.tasks.start(self._check_setup(), name="check-setup")

    async def _check_setup(self) -> None:
        from igdesk.ui.check_setup import show_check_setup

        try:
            window = self.window
            await show_check_setup(window.app, window.words, window, sign_in=self.sign_in_again)
        finally:
            self._checking = False

    # --- signing out -----------------------------------------------------------------------

    async def _erase_failed(self, error: IgdeskError | OSError) -> None:
        """Say why the local data is still there, and where, before igdesk closes."""
        from PySide6.QtWidgets import QMessageBox

        from igdesk.ui.aio import run_dialog

        words = self.window.words
        if isinstance(error, IgdeskError):
            sentence = words.text(error.text)
        else:
            sentence = words(
                "igdesk signed you out but could not delete its copy of your messages ({detail})."
                " Delete the folder {folder} by hand, or try again after restarting igdesk.",
                detail=error.strerror or type(error).__name__,
                folder=str(self.window.app.profile.directory),
            )
        box = QMessageBox(QMessageBox.Icon.Warning, words("Sign out"), sentence)
        box.addButton(words("OK"), QMessageBox.ButtonRole.AcceptRole)
        await run_dialog(box)
        box.deleteLater()

    def sign_out(self) -> None:
        if not self._signing_in:
            self.window.tasks.start(self._sign_out(), name="sign-out")

    async def _sign_out(self) -> None:
        from igdesk.signin.sign_out import sign_out, why_not
        from igdesk.ui.sign_out import ask_sign_out

        window, words = self.window, self.window.words
        refusal = why_not(window.app)
        if refusal is not None:
            aio.error(words.text(refusal))
            return
        account = await window.app.inbox.account()
        unsent = await window.app.replies.unsent_count()
        choice = await ask_sign_out(words, account.username if account else "", window, unsent)
        if choice is None:
            return
        if choice:  # delete the local data too: nothing of the window may read it any more
            await window.tasks.cancel_all()
            try:
                await sign_out(window.app, erase=True)
            except (IgdeskError, OSError) as error:
                await self._erase_failed(error)
            finally:
                self.quit_requested.emit()  # the App is closed: the window cannot go on
            return
        try:
            await sign_out(window.app, erase=False)
        except IgdeskError as error:
            aio.error(words.text(error.text))
            return
        self.banner.show_problem(
            words("You signed out. Sign in to receive and answer messages again."),
            notify=False,
        )
