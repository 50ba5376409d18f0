"""The sentences of signing in (one place, so the window, `igdesk login` and `doctor` agree)."""

from __future__ import annotations

from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError, OAuthExchangeError, SignInDeniedError, TransientError
from igdesk.i18n import Text


class SignInError(IgdeskError):
    """Signing in failed; `text` says why and what to do next (English and Bahasa Indonesia)."""


STATE_MISMATCH = Text(
    "This sign-in answer does not belong to the sign-in igdesk started, so it was refused "
    "(it may not come from Instagram). Start the sign-in again."
)
CANCELLED = Text("The sign-in was cancelled. To connect your account, sign in again and tap Allow.")


def refused(reason: str) -> Text:
    return Text(
        "Instagram refused the sign-in ({reason}). Check your app in Meta's App Dashboard, then "
        "sign in again.",
        reason=reason,
    )


NO_CODE = Text(
    "The address you pasted has no sign-in code. Paste the whole address of the page Instagram "
    "opened after you tapped Allow."
)
WRONG_APP_ID = Text(
    "Instagram does not know this app ID. Copy the Instagram app ID again from Meta's App "
    "Dashboard (Instagram › API setup with Instagram login) and sign in again."
)
WRONG_SECRET = Text(
    "Instagram refused the app secret. Copy the Instagram app secret again from Meta's App "
    "Dashboard (Instagram › API setup with Instagram login) and sign in again."
)


def redirect_mismatch(uri: str) -> Text:
    return Text(
        "The redirect address {uri} is not the one registered for your app. Register it under "
        "Business login settings in Meta's App Dashboard (exactly, with the same ending), or enter "
        "the one registered there, then sign in again.",
        uri=uri,
    )


WRONG_META_APP_ID = Text(
    "Facebook does not know this app ID. Copy the App ID again from Meta's App Dashboard "
    "(App settings › Basic) and sign in again."
)
WRONG_META_SECRET = Text(
    "Facebook refused the app secret. Copy the App secret again from Meta's App Dashboard "
    "(App settings › Basic) and sign in again."
)
CODE_USED = Text(
    "This sign-in code was already used or has expired (a code works once, within an hour). "
    "Sign in again."
)
OFFLINE = Text(
    "Instagram could not be reached, so the sign-in did not finish. Check your internet "
    "connection and sign in again."
)
TOKEN_INVALID = Text(
    "Instagram does not accept this access token (it may be incomplete or expired). Generate a "
    "new one in Meta's App Dashboard (Instagram › API setup › Generate token) and paste it."
)
NO_MESSAGING_SCOPE = Text(
    "This sign-in does not allow igdesk to read and send messages. Sign in again and allow "
    "every permission igdesk asks for (a generated token needs "
    "instagram_business_manage_messages)."
)


def not_professional(username: str) -> Text:
    return Text(
        "@{username} is not a professional account, and only professional accounts can use "
        "messaging apps. In the Instagram app, go to Settings › Account type and tools › Switch to "
        "professional account, then sign in again.",
        username=username,
    )


def other_account(username: str, expected: str) -> Text:
    return Text(
        "You signed in as @{username}, but this profile keeps the messages of @{expected}. Sign in "
        "as @{expected}, or use another profile for @{username} (igdesk --profile FOLDER).",
        username=username,
        expected=expected,
    )


BUSY = Text(
    "Another igdesk window is signing in to this account right now. Finish the sign-in there, "
    "or close that window, then try again."
)
USED_UP = Text("This sign-in was already finished. Start the sign-in again.")
NO_PAGE = Text(
    "None of your Facebook Pages is linked to an Instagram professional account. Link your "
    "Instagram account in the Page's settings (Linked accounts), then sign in again."
)
NO_SECRET = Text(
    "igdesk needs your app secret to finish signing in. Copy it from Meta's App Dashboard "
    "(Instagram › API setup with Instagram login) and enter it."
)
NO_KEYRING = Text(
    "Your system has no usable keyring (or it is locked), so igdesk cannot remember your "
    "sign-in: it is kept for this run only, and you will sign in again next time. To be "
    "remembered, install and unlock a keyring (GNOME Keyring or KWallet), or install the "
    "Python package keyrings.alt to keep it in a file."
)


EXPIRED = Text("Your Instagram sign-in has ended. Sign in again to keep receiving messages.")


def exchange_failure(error: GraphError, redirect_uri: str, kind: str = "instagram") -> SignInError:
    """The sentence for a refused code or token exchange (Meta's message tells them apart)."""
    technical = error.technical
    lowered = technical.lower()
    facebook = kind == "facebook"
    if isinstance(error, SignInDeniedError):
        text = CANCELLED
    elif "secret" in lowered:
        text = WRONG_META_SECRET if facebook else WRONG_SECRET
    elif "client_id" in lowered or "platform app" in lowered or "application id" in lowered:
        text = WRONG_META_APP_ID if facebook else WRONG_APP_ID
    elif "redirect" in lowered:
        text = redirect_mismatch(redirect_uri)
    elif "code" in lowered and any(w in lowered for w in ("used", "expired", "found")):
        text = CODE_USED
    elif isinstance(error, TransientError):
        text = OFFLINE
    elif isinstance(error, OAuthExchangeError):
        text = refused(f"code {error.code}" if error.code else "?")
    else:
        text = error.text
    return SignInError(text, technical=f"{type(error).__name__}: {technical}")
