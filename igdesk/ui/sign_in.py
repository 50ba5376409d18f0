"""Where signing in starts in the window: the setup assistant at first, Business Login after.

`connect` runs the setup assistant (first run, or reopened from the menu). `sign_in_again`
(the banner's button) goes straight to Business Login when the profile's app is set up and its
secret is in the keyring, and to the assistant otherwise. Pasting a token is a fallback of
both. Each returns who signed in, or None when the owner gave up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from igdesk.i18n import Words
from igdesk.signin import BusinessLogin, LoginSettings, SignedIn
from igdesk.signin.flow import saved_app_secret

if TYPE_CHECKING:
    from igdesk.app import App


async def connect(app: App, words: Words, parent: QWidget | None = None) -> SignedIn | None:
    """The setup assistant, from its first page."""
    from igdesk.ui.setup_assistant import run_setup_assistant

    return await run_setup_assistant(app, words, parent)


async def sign_in_again(app: App, words: Words, parent: QWidget | None = None) -> SignedIn | None:
    """Business Login with the profile's app, or the assistant when it is not set up."""
    settings = LoginSettings.of(app.settings)
    secret = saved_app_secret(app)
    if settings is None or not secret:
        return await connect(app, words, parent)
    from igdesk.ui.sign_in_view import run_sign_in

    return await run_sign_in(app, words, lambda: BusinessLogin(app, settings, secret), parent)
