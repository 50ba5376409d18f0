"""Business Login for Instagram (flavour A): authorize URL, redirect parsing, token exchanges.

The code → short-lived token exchange is a form POST to api.instagram.com (answer flat or in
`data[0]`; errors in its own `{error_type, code, error_message}` shape → `OAuthExchangeError`),
then `ig_exchange_token` gives a 60-day token and `ig_refresh_token` renews it. These two
endpoints take the token and secret as query parameters, as Meta documents; every log line that
could show them (ours and httpx's) is redacted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from igdesk.graph.errors import BadResponseError, OAuthExchangeError, SignInDeniedError
from igdesk.graph.flavour import INSTAGRAM_LOGIN
from igdesk.graph.http import GraphHttp
from igdesk.graph.ratelimit import RateBudget
from igdesk.graph.values import as_dict, as_int, as_list, as_str


@dataclass(frozen=True)
class TokenGrant:
    """An access token as a token endpoint returned it (the token never shows in `repr`)."""

    access_token: str = field(repr=False)
    user_id: str = ""
    permissions: tuple[str, ...] = ()
    token_type: str = ""
    expires_in: int | None = None  # seconds; None when the endpoint did not say

    def expires_at(self, issued: datetime) -> datetime | None:
        return issued + timedelta(seconds=self.expires_in) if self.expires_in else None


def authorize_url(
    client_id: str,
    redirect_uri: str,
    *,
    state: str,
    scopes: tuple[str, ...] = INSTAGRAM_LOGIN.scopes,
    base_url: str | None = None,
) -> str:
    """The Business Login window's address (Instagram credentials only, always asked)."""
    root = f"{base_url.rstrip('/')}/oauth/authorize" if base_url else INSTAGRAM_LOGIN.authorize_url
    query = urlencode(
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": ",".join(scopes),
            "state": state,
            "enable_fb_login": "0",
            "force_authentication": "1",
        }
    )
    return f"{root}?{query}"


def code_from_redirect(url: str, *, state: str | None = None) -> str:
    """The `code` of the address Business Login redirected to (or of a pasted bare code).

    Raises `SignInDeniedError` when the owner pressed Cancel, `OAuthExchangeError` for any
    other error, a missing code or a `state` that does not match.
    """
    text = url.strip()
    if "://" not in text and "?" not in text and "=" not in text:
        code = text.removesuffix("#_").strip()
        if not code:
            raise OAuthExchangeError("empty sign-in code")
        return code
    parts = urlsplit(text)
    params = parse_qs(parts.query)
    params.update({k: v for k, v in parse_qs(parts.fragment).items() if k not in params})
    error = (params.get("error") or [""])[0]
    if error:
        reason = (params.get("error_reason") or [""])[0]
        if error == "access_denied":
            raise SignInDeniedError(f"sign-in cancelled ({reason or error})")
        raise OAuthExchangeError(f"sign-in failed: {error} {reason}".strip())
    if state is not None and (params.get("state") or [""])[0] != state:
        raise OAuthExchangeError("sign-in answer has the wrong state (possible forgery)")
    code = (params.get("code") or [""])[0].removesuffix("#_").strip()
    if not code:
        raise OAuthExchangeError("no code in the sign-in redirect")
    return code


def parse_grant(raw: Any) -> TokenGrant:
    """A token answer, flat or wrapped in `{"data": [...]}`."""
    obj = as_dict(raw) or {}
    if "access_token" not in obj:
        items = as_list(obj.get("data"))
        obj = (as_dict(items[0]) if items else None) or {}
    token = as_str(obj.get("access_token"))
    if not token:
        raise BadResponseError("token answer without access_token")
    perms = obj.get("permissions")
    if isinstance(perms, str):
        permissions = tuple(p.strip() for p in perms.split(",") if p.strip())
    else:
        permissions = tuple(as_str(p) for p in as_list(perms) if as_str(p))
    return TokenGrant(
        access_token=token,
        user_id=as_str(obj.get("user_id")),
        permissions=permissions,
        token_type=as_str(obj.get("token_type")),
        expires_in=as_int(obj.get("expires_in")),
    )


class InstagramOAuth:
    """Token endpoints of Business Login. `base_url` replaces every Meta host (sandbox)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_body_bytes: int = 1024 * 1024,
        max_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client_id = client_id
        self._secret = client_secret
        self._redirect_uri = redirect_uri
        root = base_url.rstrip("/") if base_url else None
        self._token_host = root or INSTAGRAM_LOGIN.token_host
        self._graph_host = root or INSTAGRAM_LOGIN.graph_host
        self._http = GraphHttp(
            None,
            budget=RateBudget(
                conversations_per_second=None,
                send_per_second=None,
                send_media_per_second=None,
                sleep=sleep,
            ),
            timeout=timeout,
            max_body_bytes=max_body_bytes,
            max_retries=max_retries,
            transport=transport,
            sleep=sleep,
        )

    @property
    def request_count(self) -> int:
        return self._http.request_count

    async def aclose(self) -> None:
        await self._http.aclose()

    async def exchange_code(self, code: str) -> TokenGrant:
        """Code → short-lived token (one hour). Codes are single-use: never retried."""
        raw = await self._http.post(
            f"{self._token_host}/oauth/access_token",
            form={
                "client_id": self._client_id,
                "client_secret": self._secret,
                "grant_type": "authorization_code",
                "redirect_uri": self._redirect_uri,
                "code": code.removesuffix("#_").strip(),
            },
            auth=False,
        )
        return parse_grant(raw)

    async def exchange_long_lived(self, short_token: str) -> TokenGrant:
        """Short-lived → 60-day token (`ig_exchange_token`)."""
        raw = await self._http.get(
            f"{self._graph_host}/access_token",
            {
                "grant_type": "ig_exchange_token",
                "client_secret": self._secret,
                "access_token": short_token,
            },
            auth=False,
        )
        return parse_grant(raw)

    async def refresh(self, long_token: str) -> TokenGrant:
        """Renew a 60-day token that is at least 24 hours old (`ig_refresh_token`)."""
        raw = await self._http.get(
            f"{self._graph_host}/refresh_access_token",
            {"grant_type": "ig_refresh_token", "access_token": long_token},
            auth=False,
        )
        return parse_grant(raw)
