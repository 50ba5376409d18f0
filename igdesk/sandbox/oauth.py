"""Business Login (Instagram Login) and token endpoints, plus webhook subscriptions.

- ``GET /oauth/authorize``: an HTML consent page with Allow / Cancel (an error page, as Meta's,
  for an unknown app id, a redirect URI not registered in ``state.oauth`` or an unknown scope);
  Allow redirects to
  ``redirect_uri?code=...&state=...#_`` (the ``#_`` as Meta sends it), Cancel to
  ``error=access_denied&error_reason=user_denied&error_description=...``.
- ``POST /oauth/access_token``: code (single-use, one hour, same redirect URI) → short-lived
  token with the granted scopes, in the api.instagram.com shape (or flat, ``OAuthConfig``)
  ``{"data":[{"access_token","user_id","permissions"}]}``, errors as
  ``{"error_type","code","error_message"}``. ``user_id`` is the app-scoped id, not the IG_ID.
- ``GET /access_token`` (ig_exchange_token) and ``GET /refresh_access_token``
  (ig_refresh_token, token ≥ 24 h old) → ``{"access_token","token_type":"bearer","expires_in"}``.
- ``GET|POST|DELETE /<me>/subscribed_apps``.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.errors import GraphError, invalid_token, oauth_error_body, param_error
from igdesk.sandbox.oauth_config import INSTAGRAM_SCOPES
from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.tokens import LONG_LIVED, REFRESH_MIN_AGE, SHORT_LIVED
from igdesk.sandbox.webhook_wire import WEBHOOK_FIELDS

CODE_LIFETIME = timedelta(hours=1)
SCOPES = "instagram_business_basic,instagram_business_manage_messages"

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Instagram</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:3em auto">
<h1>Allow access?</h1>
<p><b>{app}</b> would like to access <b>@{username}</b>: {scopes}.</p>
<form method="post" action="{action}">
{hidden}
<button name="decision" value="allow" id="allow">Allow</button>
<button name="decision" value="deny" id="cancel">Cancel</button>
</form></body></html>
"""


def _fail_page(message: str) -> web.Response:
    body = f"<!doctype html><html><body><h1>Error</h1><p>{html.escape(message)}</p></body></html>"
    return web.Response(status=400, text=body, content_type="text/html")


def _consent_problem(state: SandboxState, query: Mapping[str, str]) -> str | None:
    """Why Meta's authorize window would show an error page instead of the consent."""
    if query.get("client_id") != state.world.shop.app_id:
        return "Invalid platform app"
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri or query.get("response_type") != "code":
        return "Invalid request: redirect_uri and response_type=code are required"
    if not state.oauth.registered(redirect_uri):
        return "Invalid Request: Request parameters are invalid: Invalid redirect_uri"
    scopes = [s for s in query.get("scope", "").replace(" ", ",").split(",") if s]
    unknown = [s for s in scopes if s not in INSTAGRAM_SCOPES]
    if not scopes or unknown:
        return f"Invalid Scopes: {', '.join(unknown) or '(none)'}"
    return None


async def authorize_page(state: SandboxState, request: web.Request) -> web.Response:
    query = request.query
    problem = _consent_problem(state, query)
    if problem:
        return _fail_page(problem)
    return consent_page(query, username=state.world.shop.username, action="/oauth/authorize")


def consent_page(query: Mapping[str, str], *, username: str, action: str) -> web.Response:
    """The Allow / Cancel page, carrying the request's parameters to the decision."""
    keep = {k: query[k] for k in ("client_id", "redirect_uri", "state", "scope") if k in query}
    hidden = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in keep.items()
    )
    text = _PAGE.format(
        app="igdesk",
        username=html.escape(username),
        scopes=html.escape(query.get("scope", "")),
        hidden=hidden,
        action=action,
    )
    return web.Response(text=text, content_type="text/html")


async def authorize_decision(state: SandboxState, request: web.Request) -> web.Response:
    form = {k: str(v) for k, v in (await request.post()).items()}
    problem = _consent_problem(state, {**form, "response_type": "code"})
    if problem:
        return _fail_page(problem)
    raise web.HTTPFound(consent_redirect(state, form, suffix="#_"))


def consent_redirect(state: SandboxState, form: Mapping[str, str], *, suffix: str) -> str:
    """Where Allow or Cancel sends the browser: a one-hour single-use code, or the error."""
    redirect_uri = form["redirect_uri"]
    params: dict[str, str] = {}
    if form.get("decision") == "allow":
        code = "AQ" + secrets.token_urlsafe(40)
        state.oauth_codes[code] = {
            "redirect_uri": redirect_uri,
            "issued": state.clock.now(),
            "scope": state.oauth.granted(form.get("scope", SCOPES)),
            "client_id": form.get("client_id", ""),
        }
        params["code"] = code
    else:
        params.update(
            error="access_denied",
            error_reason="user_denied",
            error_description="The user denied your request",
        )
    if form.get("state"):
        params["state"] = form["state"]
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(params)}{suffix if 'code' in params else ''}"


def take_code(state: SandboxState, code: str) -> dict[str, Any] | None:
    """A code's grant, used up; None when it is unknown, used, or over an hour old."""
    grant = state.oauth_codes.pop(code.removesuffix("#_").strip(), None)
    if grant is None or state.clock.now() - grant["issued"] > CODE_LIFETIME:
        return None
    return grant


def _scopes(text: str) -> frozenset[str]:
    return frozenset(s for s in text.split(",") if s)


async def exchange_code(state: SandboxState, request: web.Request) -> web.Response:
    """POST /oauth/access_token (api.instagram.com): code → short-lived token."""
    form = await request.post()

    def fail(message: str) -> web.Response:
        return web.json_response(oauth_error_body(message), status=400)

    if form.get("client_id") != state.world.shop.app_id:
        return fail("Invalid platform app")
    if form.get("client_secret") != state.app_secret:
        return fail("Error validating client secret")
    if form.get("grant_type") != "authorization_code":
        return fail("Invalid grant_type")
    grant = take_code(state, str(form.get("code", "")))
    if grant is None or grant.get("client_id") != state.world.shop.app_id:
        return fail("Matching code was not found or was already used")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        return fail("Invalid redirect_uri")
    token = state.tokens.issue("instagram", lifetime=SHORT_LIVED, scopes=_scopes(grant["scope"]))
    granted = {
        "access_token": token,
        "user_id": state.world.shop.app_scoped_id,
        "permissions": grant["scope"],
    }
    return web.json_response(granted if state.oauth.flat_code_answer else {"data": [granted]})


def exchange_token(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """GET /access_token?grant_type=ig_exchange_token: short-lived → long-lived."""
    if call.query.get("grant_type") != "ig_exchange_token":
        raise param_error("Unsupported grant type; use ig_exchange_token")
    if call.query.get("client_secret") != state.app_secret:
        raise GraphError("Error validating client secret.", code=1)
    info = state.tokens.info(call.token)
    if info.flavour != "instagram":
        raise invalid_token()
    token = state.tokens.issue("instagram", lifetime=LONG_LIVED, scopes=info.scopes)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(LONG_LIVED.total_seconds()),
    }


def refresh_token(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """GET /refresh_access_token?grant_type=ig_refresh_token: a long-lived token, ≥ 24 h old."""
    if call.query.get("grant_type") != "ig_refresh_token":
        raise param_error("Unsupported grant type; use ig_refresh_token")
    info = state.tokens.info(call.token)
    if info.flavour != "instagram" or not info.long_lived:
        raise invalid_token()
    if state.clock.now() - info.issued_at < REFRESH_MIN_AGE:
        raise param_error("The access token is less than 24 hours old and cannot be refreshed yet")
    if not info.allows("instagram_business_basic"):
        raise GraphError("(#10) Application does not have permission for this action", code=10)
    token = state.tokens.issue("instagram", lifetime=LONG_LIVED, scopes=info.scopes)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(LONG_LIVED.total_seconds()),
    }


def subscribed_apps(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    world = state.world
    if call.method == "GET":
        if not world.subscribed_fields:
            return {"data": []}
        return {
            "data": [{"id": world.shop.app_id, "subscribed_fields": list(world.subscribed_fields)}]
        }
    if call.method == "DELETE":
        world.subscribed_fields = []
        return {"success": True}
    raw = call.param("subscribed_fields")
    if not raw:
        raise param_error("The parameter subscribed_fields is required.")
    wanted = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in WEBHOOK_FIELDS]
    if unknown:
        known = ", ".join(sorted(WEBHOOK_FIELDS))
        raise param_error(
            f'Param subscribed_fields must be one of {{{known}}} - got "{unknown[0]}"'
        )
    world.subscribed_fields = wanted
    return {"success": True}
