"""Business Login, Qt-free: the address to open, where to stop, and finishing from the address
the owner landed on (or from a pasted token). The window and `igdesk login` both use it.

Instagram Login: code (form POST) → short-lived token → 60-day token → `/me` → stored.
Facebook Login: code → user token → 60-day user token → the Pages with a linked Instagram
professional account → the chosen Page's token → stored. Every failure is a `SignInError`
carrying a sentence with the next step; no token or secret ever reaches a log or an exception.
"""

from __future__ import annotations

import logging
import secrets as random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs, urlsplit

from igdesk import secrets
from igdesk.config import Settings
from igdesk.domain import Account, utc_now
from igdesk.graph import GraphClient
from igdesk.graph.errors import (
    GraphError,
    MessagingUnavailableError,
    OAuthExchangeError,
    PermissionDeniedError,
    SignInDeniedError,
    TokenError,
    TransientError,
)
from igdesk.graph.flavour import FACEBOOK_PAGE, INSTAGRAM_LOGIN, flavour_by_name
from igdesk.graph.oauth import InstagramOAuth, authorize_url, code_from_redirect
from igdesk.signin import texts
from igdesk.signin.facebook import FacebookOAuth, PageChoice, dialog_url
from igdesk.signin.lock import signin_lock
from igdesk.signin.record import TokenRecord
from igdesk.signin.store import SignedIn, keep
from igdesk.signin.texts import SignInError

if TYPE_CHECKING:
    from igdesk.app import App

__all__ = [
    "MESSAGING_SCOPES",
    "SUGGESTED_REDIRECT_URI",
    "BusinessLogin",
    "LoginSettings",
    "PageChoice",
    "SignInError",
    "SignedIn",
    "sign_in_with_token",
]

log = logging.getLogger("igdesk.signin")

Kind = Literal["instagram", "facebook"]
#: What the setup assistant proposes to register: never loaded, the view stops before it.
SUGGESTED_REDIRECT_URI = "https://localhost/igdesk/signed-in"
#: A sign-in without one of these cannot read or send messages.
MESSAGING_SCOPES = ("instagram_business_manage_messages", "instagram_manage_messages")
#: Account types that can use the messaging API (`/me` account_type, Instagram Login).
PROFESSIONAL_TYPES = ("BUSINESS", "MEDIA_CREATOR", "CREATOR")

PagePicker = Callable[[Sequence[PageChoice]], Awaitable[PageChoice | None]]


@dataclass(frozen=True)
class LoginSettings:
    """The non-secret half of a Meta app's sign-in set-up (the secret lives in the keyring)."""

    app_id: str
    redirect_uri: str = SUGGESTED_REDIRECT_URI
    kind: Kind = "instagram"

    @classmethod
    def of(cls, settings: Settings) -> LoginSettings | None:
        """The ones saved in a profile's settings; None before the first set-up."""
        if not settings.login_app_id:
            return None
        kind: Kind = "facebook" if flavour_by_name(settings.flavour).via_page else "instagram"
        return cls(
            settings.login_app_id, settings.login_redirect_uri or SUGGESTED_REDIRECT_URI, kind
        )

    def save_to(self, app: App) -> None:
        """Remember them in the profile's settings (the flavour follows the kind)."""
        app.settings.login_app_id = self.app_id
        app.settings.login_redirect_uri = self.redirect_uri
        app.settings.flavour = self.kind
        app.settings.save(app.profile.settings_path)


def saved_app_secret(app: App) -> str | None:
    """The app secret from IGDESK_APP_SECRET or the keyring (None: ask the owner)."""
    return secrets.get(app.profile.key, secrets.Secret.APP_SECRET)


@dataclass
class _Progress:
    used: bool = False
    user_token: str = field(default="", repr=False)


class BusinessLogin:
    """One sign-in attempt: its `state`, the address to open, and `finish`."""

    def __init__(
        self,
        app: App,
        settings: LoginSettings,
        app_secret: str,
        *,
        state: str | None = None,
        lock_wait: float = 30.0,
    ) -> None:
        self._app = app
        self.settings = settings
        self._secret = app_secret.strip()
        self.state = state or random.token_urlsafe(24)
        self._lock_wait = lock_wait
        self._progress = _Progress()

    @property
    def authorize_url(self) -> str:
        """The page to open: Instagram's Business Login, or Facebook Login's dialog."""
        s = self.settings
        if s.kind == "facebook":
            return dialog_url(
                s.app_id,
                s.redirect_uri,
                state=self.state,
                api_version=self._app.settings.api_version,
                base_url=self._app.graph_url,
            )
        return authorize_url(
            s.app_id,
            s.redirect_uri,
            state=self.state,
            scopes=INSTAGRAM_LOGIN.scopes,
            base_url=self._app.graph_url,
        )

    def is_redirect(self, url: str) -> bool:
        """True when `url` is at the registered redirect URI: a web view stops there."""
        return same_place(url, self.settings.redirect_uri)

    async def finish(self, landed_url: str, *, choose: PagePicker | None = None) -> SignedIn:
        """Finish from the address the owner landed on; stores the token and returns who.

        Facebook: `choose` picks among several linked Pages (one is taken without asking).
        """
        if self._progress.used:
            raise SignInError(texts.USED_UP, technical="finish called twice")
        code = self._code(landed_url)
        self._progress.used = True
        if not self._secret:
            raise SignInError(texts.NO_SECRET, technical="no app secret")
        async with signin_lock(self._app.profile, wait=self._lock_wait):
            if self.settings.kind == "facebook":
                found = await self._facebook_pages(code)
                page = await _pick(found, choose)
                return await self._keep_page(page)
            return await self._finish_instagram(code)

    async def pages(self, landed_url: str) -> list[PageChoice]:
        """Facebook: the Pages with a linked Instagram account, for a picker (then `use_page`)."""
        if self._progress.used:
            raise SignInError(texts.USED_UP, technical="pages called twice")
        code = self._code(landed_url)
        self._progress.used = True
        found = await self._facebook_pages(code)
        if not found:
            raise SignInError(texts.NO_PAGE, technical="no linked page")
        return found

    async def use_page(self, page: PageChoice) -> SignedIn:
        """Facebook: store the chosen Page's token (after `pages`)."""
        async with signin_lock(self._app.profile, wait=self._lock_wait):
            return await self._keep_page(page)

    # --- steps --------------------------------------------------------------------------------

    def _code(self, landed_url: str) -> str:
        text = landed_url.strip()
        if not text:
            raise SignInError(texts.NO_CODE, technical="nothing pasted")
        if "://" in text and not self.is_redirect(text):
            raise SignInError(texts.NO_CODE, technical="not the redirect address")
        parts = urlsplit(text)
        answered = parse_qs(parts.query) | parse_qs(parts.fragment)
        if ("://" in text or "=" in text) and not ({"code", "error"} & answered.keys()):
            raise SignInError(texts.NO_CODE, technical="no code in the address")
        try:
            return code_from_redirect(text, state=self.state)
        except SignInDeniedError:
            raise SignInError(texts.CANCELLED, technical="sign-in cancelled") from None
        except OAuthExchangeError as error:
            if "state" in error.technical:
                raise SignInError(texts.STATE_MISMATCH, technical="state mismatch") from None
            if "no code" in error.technical or "empty" in error.technical:
                raise SignInError(texts.NO_CODE, technical="no code") from None
            reason = error.technical.removeprefix("sign-in failed: ")[:80]
            raise SignInError(texts.refused(reason), technical=error.technical) from None

    async def _finish_instagram(self, code: str) -> SignedIn:
        s = self.settings
        oauth = InstagramOAuth(s.app_id, self._secret, s.redirect_uri, base_url=self._app.graph_url)
        try:
            short = await oauth.exchange_code(code)
            if short.permissions and not set(short.permissions) & set(MESSAGING_SCOPES):
                raise SignInError(texts.NO_MESSAGING_SCOPE, technical="messaging not granted")
            long = await oauth.exchange_long_lived(short.access_token)
        except GraphError as error:
            raise texts.exchange_failure(error, s.redirect_uri) from None
        finally:
            await oauth.aclose()
        issued = utc_now()
        account = await _check_account(self._app, long.access_token, "instagram")
        record = TokenRecord(
            kind="instagram",
            account_id=account.id,
            username=account.username,
            obtained_at=issued,
            expires_at=long.expires_at(issued),
            permissions=",".join(long.permissions or short.permissions),
        )
        self.settings_to_profile()
        return await keep(self._app, long.access_token, record, self._secret)

    async def _facebook_pages(self, code: str) -> list[PageChoice]:
        s = self.settings
        oauth = FacebookOAuth(
            s.app_id,
            self._secret,
            s.redirect_uri,
            api_version=self._app.settings.api_version,
            base_url=self._app.graph_url,
        )
        try:
            short = await oauth.exchange_code(code)
            long = await oauth.exchange_long_lived(short.access_token)
            self._progress.user_token = long.access_token
            return await oauth.pages(long.access_token)
        except GraphError as error:
            raise texts.exchange_failure(error, s.redirect_uri, "facebook") from None
        finally:
            await oauth.aclose()

    async def _keep_page(self, page: PageChoice) -> SignedIn:
        account = await _check_account(self._app, page.page_token, "facebook", self._secret)
        record = TokenRecord(
            kind="facebook",
            account_id=account.id,
            username=account.username,
            obtained_at=utc_now(),
            page_id=page.page_id,
        )
        self.settings_to_profile()
        return await keep(self._app, page.page_token, record, self._secret)

    def settings_to_profile(self) -> None:
        self.settings.save_to(self._app)


async def _pick(found: list[PageChoice], choose: PagePicker | None) -> PageChoice:
    if not found:
        raise SignInError(texts.NO_PAGE, technical="no linked page")
    if len(found) == 1 or choose is None:
        return found[0]
    page = await choose(found)
    if page is None:
        raise SignInError(texts.CANCELLED, technical="no page chosen")
    return page


async def sign_in_with_token(
    app: App, token: str, *, kind: Kind | None = None, lock_wait: float = 30.0
) -> SignedIn:
    """The "paste a token" path: checks the token reads the account and its messages, then
    stores it. `kind` None: a Page token (`EAA…`) is Facebook, anything else Instagram."""
    token = "".join(token.split())
    if not token:
        raise SignInError(texts.TOKEN_INVALID, technical="empty token")
    chosen: Kind = kind or ("facebook" if token.startswith("EAA") else "instagram")
    secret = saved_app_secret(app) if chosen == "facebook" else None
    async with signin_lock(app.profile, wait=lock_wait):
        account = await _check_account(app, token, chosen, secret)
        record = TokenRecord(
            kind=chosen,
            account_id=account.id,
            username=account.username,
            obtained_at=utc_now(),
        )
        return await keep(app, token, record)


async def _check_account(
    app: App, token: str, kind: Kind, app_secret: str | None = None
) -> Account:
    """`/me`, professional, and one conversations read: what messaging needs, or a sentence."""
    flavour = FACEBOOK_PAGE if kind == "facebook" else INSTAGRAM_LOGIN
    client = GraphClient(
        token,
        flavour=flavour,
        base_url=app.graph_url,
        api_version=app.settings.api_version,
        max_retries=1,
        app_secret=app_secret,
    )
    try:
        account = await client.me()
        kind_of = account.account_type.upper()
        if kind == "instagram" and kind_of and kind_of not in PROFESSIONAL_TYPES:
            raise SignInError(texts.not_professional(account.username), technical=kind_of)
        await anext(aiter(client.conversations(account, page_size=1)), None)
        return account
    except TokenError:
        raise SignInError(texts.TOKEN_INVALID, technical="token refused") from None
    except PermissionDeniedError:
        raise SignInError(texts.NO_MESSAGING_SCOPE, technical="no messaging permission") from None
    except MessagingUnavailableError as error:
        raise SignInError(error.text, technical="36103") from None
    except TransientError:
        raise SignInError(texts.OFFLINE, technical="network") from None
    except GraphError as error:
        raise SignInError(error.text, technical=type(error).__name__) from None
    finally:
        await client.aclose()


def same_place(url: str, registered: str) -> bool:
    """Scheme, host, port and path equal (a trailing slash aside; Meta may add one)."""
    try:
        a, b = urlsplit(url.strip()), urlsplit(registered.strip())
        same_port = a.port == b.port
    except ValueError:
        return False
    return (
        a.scheme.lower() == b.scheme.lower()
        and (a.hostname or "").lower() == (b.hostname or "").lower()
        and same_port
        and a.path.rstrip("/") == b.path.rstrip("/")
    )
