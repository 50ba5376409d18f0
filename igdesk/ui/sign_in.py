"""Where signing in starts in the window: the setup assistant at first, Business Login after.

`connect` runs the setup assistant (first run, or reopened from the menu). `sign_in_again`
(the banner's button) goes straight to Business Login when the profile's app is set up (asking
for its secret when the keyring could not keep it), and to the assistant otherwise. Pasting a
token is a fallback of both. Each returns who signed in, or None when the owner gave up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from igdesk.i18n import Words
from igdesk.signin import BusinessLogin, LoginSettings, SignedIn
from igdesk.signin.flow import saved_app_secret
from igdesk.signin.texts import NO_SECRET
from igdesk.ui.aio import run_dialog
from igdesk.ui.buttons import ok_cancel

if TYPE_CHECKING:
    from igdesk.app import App


async def connect(app: App, words: Words, parent: QWidget | None = None) -> SignedIn | None:
    """The setup assistant, from its first page."""
    from igdesk.ui.setup_assistant import run_setup_assistant

    return await run_setup_assistant(app, words, parent)


async def sign_in_again(app: App, words: Words, parent: QWidget | None = None) -> SignedIn | None:
    """Business Login with the profile's app, or the assistant when it is not set up."""
    settings = LoginSettings.of(app.settings)
    if settings is None:
        return await connect(app, words, parent)
    secret = saved_app_secret(app) or await ask_app_secret(words, parent)
    if not secret:
        return None
    from igdesk.ui.sign_in_view import run_sign_in

    return await run_sign_in(app, words, lambda: BusinessLogin(app, settings, secret), parent)


class AppSecretDialog(QDialog):
    """The app secret, when the keyring could not keep it (masked, never logged)."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Your app secret"))
        explain = QLabel(words.text(NO_SECRET))
        explain.setWordWrap(True)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(words("App secret"))
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.secret)
        layout.addWidget(buttons)


async def ask_app_secret(words: Words, parent: QWidget | None = None) -> str:
    """Ask for the app secret ("" when the owner cancels)."""
    dialog = AppSecretDialog(words, parent)
    try:
        return dialog.secret.text().strip() if await run_dialog(dialog) else ""
    finally:
        dialog.deleteLater()
