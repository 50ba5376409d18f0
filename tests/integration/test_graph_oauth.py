"""Business Login token endpoints over real HTTP (aiohttp on 127.0.0.1), and redirect parsing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from igdesk.graph import (
    InstagramOAuth,
    OAuthExchangeError,
    SignInDeniedError,
    TokenError,
    authorize_url,
    code_from_redirect,
)

SECRET = "appsecret0123456789"
SHORT = "IGAAshorttoken0123456789abcdef"
LONG = "IGAAlongtoken0123456789abcdefgh"


class TokenServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.code_answer: tuple[Any, int] = (
            {
                "data": [
                    {
                        "access_token": SHORT,
                        "user_id": 1020,
                        "permissions": (
                            "instagram_business_basic,instagram_business_manage_messages"
                        ),
                    }
                ]
            },
            200,
        )
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def code(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append((request.method, request.path, dict(request.query), form))
        body, status = self.code_answer
        return web.json_response(body, status=status)

    async def exchange(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path, dict(request.query), {}))
        if request.query.get("access_token") == "expired":
            return web.json_response(
                {"error": {"message": "expired", "code": 190, "type": "OAuthException"}}, status=400
            )
        return web.json_response(
            {"access_token": LONG, "token_type": "bearer", "expires_in": "5183944"}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/oauth/access_token", self.code)
        app.router.add_get("/access_token", self.exchange)
        app.router.add_get("/refresh_access_token", self.exchange)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[TokenServer]:
    s = TokenServer()
    await s.start()
    yield s
    await s.stop()


@pytest_asyncio.fixture
async def oauth(server: TokenServer) -> AsyncIterator[InstagramOAuth]:
    o = InstagramOAuth("12345", SECRET, "https://example.com/cb/", base_url=server.url)
    yield o
    await o.aclose()


@pytest.mark.asyncio
async def test_full_sign_in_flow(
    server: TokenServer, oauth: InstagramOAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    grant = await oauth.exchange_code("AQBcode#_")
    assert grant.user_id == "1020" and grant.permissions == (
        "instagram_business_basic",
        "instagram_business_manage_messages",
    )
    assert SHORT not in repr(grant)
    method, path, _, form = server.requests[0]
    assert (method, path) == ("POST", "/oauth/access_token")
    assert form == {
        "client_id": "12345",
        "client_secret": SECRET,
        "grant_type": "authorization_code",
        "redirect_uri": "https://example.com/cb/",
        "code": "AQBcode",
    }
    long = await oauth.exchange_long_lived(grant.access_token)
    assert long.access_token == LONG and long.expires_in == 5183944
    issued = datetime(2026, 1, 1, tzinfo=UTC)
    assert long.expires_at(issued) == issued + timedelta(seconds=5183944)
    assert server.requests[1][2] == {
        "grant_type": "ig_exchange_token",
        "client_secret": SECRET,
        "access_token": SHORT,
    }
    refreshed = await oauth.refresh(LONG)
    assert refreshed.access_token == LONG
    assert server.requests[2][2]["grant_type"] == "ig_refresh_token"
    for secret in (SHORT, LONG, SECRET):
        assert secret not in caplog.text


@pytest.mark.asyncio
async def test_flat_code_answer(server: TokenServer, oauth: InstagramOAuth) -> None:
    server.code_answer = ({"access_token": SHORT, "user_id": "7", "permissions": []}, 200)
    grant = await oauth.exchange_code("c")
    assert grant.user_id == "7" and grant.permissions == ()


@pytest.mark.asyncio
async def test_oauth_error_shape(server: TokenServer, oauth: InstagramOAuth) -> None:
    server.code_answer = (
        {
            "error_type": "OAuthException",
            "code": 400,
            "error_message": "Matching code was not found or was already used",
        },
        400,
    )
    with pytest.raises(OAuthExchangeError, match="already used"):
        await oauth.exchange_code("c")
    assert oauth.request_count == 1


@pytest.mark.asyncio
async def test_refresh_of_expired_token(server: TokenServer, oauth: InstagramOAuth) -> None:
    with pytest.raises(TokenError):
        await oauth.refresh("expired")
    assert oauth.request_count == 1


def test_authorize_url() -> None:
    url = authorize_url("12345", "https://example.com/cb/", state="xyz")
    assert url.startswith("https://www.instagram.com/oauth/authorize?")
    for part in (
        "client_id=12345",
        "redirect_uri=https%3A%2F%2Fexample.com%2Fcb%2F",
        "response_type=code",
        "state=xyz",
        "enable_fb_login=0",
        "force_authentication=1",
        "scope=instagram_business_basic%2Cinstagram_business_manage_messages",
    ):
        assert part in url
    assert authorize_url("1", "r", state="s", base_url="http://127.0.0.1:9/").startswith(
        "http://127.0.0.1:9/oauth/authorize?"
    )


def test_code_from_redirect() -> None:
    assert code_from_redirect("https://example.com/cb/?code=AQB123#_") == "AQB123"
    assert (
        code_from_redirect("https://example.com/cb/?code=AQB123&state=s#_", state="s") == "AQB123"
    )
    assert code_from_redirect("  AQB123#_ ") == "AQB123"
    with pytest.raises(SignInDeniedError):
        code_from_redirect(
            "https://example.com/cb/?error=access_denied&error_reason=user_denied"
            "&error_description=The+user+denied+your+request"
        )
    with pytest.raises(OAuthExchangeError):
        code_from_redirect("https://example.com/cb/?code=AQB&state=other", state="s")
    with pytest.raises(OAuthExchangeError):
        code_from_redirect("https://example.com/cb/?foo=bar")
    with pytest.raises(OAuthExchangeError):
        code_from_redirect("https://example.com/cb/?error=server_error")
