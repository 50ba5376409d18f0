"""Control endpoints of signing in (loopback only, no token): the dashboard's sign-in settings
and tokens made to order, for tests and the demo.

- ``GET|PATCH /_sandbox/oauth``: ``{"redirect_uris": [...], "grant_scopes": [...] | null,
  "page_linked": bool, "messaging_access": bool (off: messaging calls answer 36103),
  "flat_code_answer": bool (the code exchange answers flat, not in ``data[0]``),
  "account_type": "BUSINESS" | "MEDIA_CREATOR" | "PERSONAL"}``; answers
  the settings (with ``app_id`` and ``meta_app_id``).
- ``POST /_sandbox/oauth/token``: ``{"kind": "instagram" | "page" | "user", "scopes"?: [...],
  "lifetime_seconds"?: N | null}`` → ``{"access_token": …}`` (what a dashboard's "Generate token"
  gives; long-lived unless the lifetime is an hour or less).
- ``POST /_sandbox/oauth/expire``: ``{"token": …}``: the token expires now.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from aiohttp import web

from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.tokens import LONG_LIVED, Flavour

_KINDS = ("instagram", "page", "user")


def _settings(state: SandboxState) -> dict[str, Any]:
    config = state.oauth
    return {
        "app_id": state.world.shop.app_id,
        "meta_app_id": config.meta_app_id,
        "redirect_uris": list(config.redirect_uris),
        "grant_scopes": None if config.grant_scopes is None else list(config.grant_scopes),
        "page_linked": config.page_linked,
        "messaging_access": config.messaging_access,
        "flat_code_answer": config.flat_code_answer,
        "account_type": state.world.shop.account_type,
    }


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def routes(state: SandboxState) -> list[web.RouteDef]:
    async def get(request: web.Request) -> web.Response:
        return web.json_response(_settings(state))

    async def patch(request: web.Request) -> web.Response:
        body = await request.json()
        if not isinstance(body, dict):
            return _bad("expected an object")
        config = state.oauth
        if "redirect_uris" in body:
            uris = body["redirect_uris"]
            if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
                return _bad("redirect_uris must be a list of strings")
            config.redirect_uris = list(uris)
        if "grant_scopes" in body:
            scopes = body["grant_scopes"]
            if scopes is not None and not isinstance(scopes, list):
                return _bad("grant_scopes must be a list or null")
            config.grant_scopes = None if scopes is None else [str(s) for s in scopes]
        if "page_linked" in body:
            config.page_linked = bool(body["page_linked"])
        if "flat_code_answer" in body:
            config.flat_code_answer = bool(body["flat_code_answer"])
        if "messaging_access" in body:
            config.messaging_access = bool(body["messaging_access"])
        if "account_type" in body:
            state.world.shop.account_type = str(body["account_type"])
        return web.json_response(_settings(state))

    async def token(request: web.Request) -> web.Response:
        body = await request.json()
        kind = body.get("kind", "instagram") if isinstance(body, dict) else None
        if kind not in _KINDS:
            return _bad(f"kind must be one of {', '.join(_KINDS)}")
        scopes = body.get("scopes")
        lifetime: timedelta | None = LONG_LIVED
        if "lifetime_seconds" in body:
            seconds = body["lifetime_seconds"]
            lifetime = None if seconds is None else timedelta(seconds=float(seconds))
        issued = state.tokens.issue(
            cast(Flavour, kind),
            lifetime=lifetime,
            scopes=None if scopes is None else frozenset(str(s) for s in scopes),
        )
        return web.json_response({"access_token": issued})

    async def expire(request: web.Request) -> web.Response:
        body = await request.json()
        value = body.get("token") if isinstance(body, dict) else None
        if not isinstance(value, str):
            return _bad("token is required")
        state.tokens.expire(value)
        return web.json_response({"expired": True})

    return [
        web.get("/_sandbox/oauth", get),
        web.patch("/_sandbox/oauth", patch),
        web.post("/_sandbox/oauth/token", token),
        web.post("/_sandbox/oauth/expire", expire),
    ]
