"""Signing in and staying signed in, Qt-free: Business Login (Instagram or Facebook), a pasted
token, the keyring, the token's renewal, and the checks of `igdesk doctor`."""

from igdesk.signin.facebook import PageChoice
from igdesk.signin.flow import (
    SUGGESTED_REDIRECT_URI,
    BusinessLogin,
    LoginSettings,
    sign_in_with_token,
)
from igdesk.signin.needed import SignInHub
from igdesk.signin.refresh import TokenKeeper
from igdesk.signin.store import SignedIn
from igdesk.signin.texts import NO_KEYRING, SignInError

__all__ = [
    "NO_KEYRING",
    "SUGGESTED_REDIRECT_URI",
    "BusinessLogin",
    "LoginSettings",
    "PageChoice",
    "SignInError",
    "SignInHub",
    "SignedIn",
    "TokenKeeper",
    "sign_in_with_token",
]
