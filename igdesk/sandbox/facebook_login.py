"""Facebook Login (flavour B) as Meta plays it: the dialog, the user-token exchanges, and the
user's Pages with their linked Instagram accounts.

- ``GET /<ver>/dialog/oauth``: the consent page (Continue / Cancel), or Meta's error page for an
  unknown app id, a redirect URI not registered, or an unknown scope. Continue redirects to
  ``redirect_uri?code=…&state=…#_=_`` (the ``#_=_`` Facebook appends); Cancel to
  ``error=access_denied&error_reason=user_denied…``.
- ``GET /<ver>/oauth/access_token``: ``client_id, redirect_uri, client_secret, code`` → a
  short-lived user token; ``grant_type=fb_exchange_token&fb_exchange_token=…`` → a 60-day one.
  Errors in the Graph shape with Meta's codes (101 app id, 1 secret, 100/36008 redirect URI,
  100/36009 code used, 100/36007 code expired).
- With a user token: ``GET /me`` (the person) and ``GET /me/accounts`` (their Pages; the shop's
  Page carries ``instagram_business_account`` while ``OAuthConfig.page_linked``; a second Page
  never does). Page tokens taken there do not expire.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.errors import GraphError, invalid_token, param_error, unknown_object
from igdesk.sandbox.oauth import _fail_page, consent_page, consent_redirect, take_code
from igdesk.sandbox.oauth_config import FACEBOOK_SCOPES
from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.tokens import LONG_LIVED, SHORT_LIVED

USER_ID = "10229000000000001"
USER_NAME = "Sari Wulandari"
OTHER_PAGE = {"id": "104000000000099", "name": "Sari's Cooking Notes"}


def _problem(state: SandboxState, query: dict[str, str]) -> str | None:
    if query.get("client_id") != state.oauth.meta_app_id:
        return "Invalid App ID: The provided app ID does not look like a valid app ID."
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri or not state.oauth.registered(redirect_uri):
        return (
            "URL Blocked: This redirect failed because the redirect URI is not whitelisted in "
            "the app's Client OAuth Settings."
        )
    scopes = [s for s in query.get("scope", "").replace(" ", ",").split(",") if s]
    unknown = [s for s in scopes if s not in FACEBOOK_SCOPES]
    if unknown:
        return f"Invalid Scopes: {', '.join(unknown)}"
    return None


def routes(state: SandboxState) -> list[web.RouteDef]:
    async def dialog(request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        problem = _problem(state, query)
        if problem:
            return _fail_page(problem)
        return consent_page(query, username=USER_NAME, action=request.path)

    async def decide(request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        problem = _problem(state, form)
        if problem:
            return _fail_page(problem)
        raise web.HTTPFound(consent_redirect(state, form, suffix="#_=_"))

    return [
        web.get("/{version:v[0-9.]+}/dialog/oauth", dialog),
        web.post("/{version:v[0-9.]+}/dialog/oauth", decide),
    ]


def exchange(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """``GET /oauth/access_token`` on graph.facebook.com: a code, or a short user token."""
    query = call.query
    if query.get("client_id") != state.oauth.meta_app_id:
        raise GraphError("Error validating application. Invalid application ID.", code=101)
    if query.get("client_secret") != state.meta_app_secret:
        raise GraphError("Error validating client secret.", code=1)
    if query.get("grant_type") == "fb_exchange_token":
        info = state.tokens.info(query.get("fb_exchange_token"))
        if info.flavour != "user":
            raise invalid_token()
        token = state.tokens.issue("user", lifetime=LONG_LIVED, scopes=info.scopes)
        return {"access_token": token, "token_type": "bearer", "expires_in": 5183944}
    if query.get("grant_type") not in (None, "authorization_code"):
        raise param_error("Unsupported grant_type")
    code = query.get("code", "")
    grant = take_code(state, code)
    if grant is None or grant.get("client_id") != state.oauth.meta_app_id:
        raise GraphError(
            "This authorization code has been used.", code=100, subcode=36009, type="OAuthException"
        )
    if query.get("redirect_uri") != grant["redirect_uri"]:
        raise GraphError(
            "Error validating verification code. Please make sure your redirect_uri is "
            "identical to the one you used in the OAuth dialog request",
            code=100,
            subcode=36008,
        )
    scopes = frozenset(s for s in str(grant["scope"]).split(",") if s)
    token = state.tokens.issue("user", lifetime=SHORT_LIVED, scopes=scopes)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(SHORT_LIVED.total_seconds()),
    }


def user_route(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """What a Facebook user token may read here: ``/me`` and ``/me/accounts``."""
    segments = call.segments
    if segments[0] not in ("me", USER_ID) or len(segments) > 2 or call.method != "GET":
        raise unknown_object(segments[0], call.method.lower())
    if len(segments) == 1:
        return {"id": USER_ID, "name": USER_NAME}
    if segments[1] != "accounts":
        raise unknown_object(segments[1], "get")
    info = call.info
    if info is not None and not info.allows("pages_show_list"):
        raise GraphError("(#10) Application does not have permission for this action", code=10)
    shop = state.world.shop
    page: dict[str, Any] = {
        "id": shop.page_id,
        "name": shop.page_name,
        "access_token": state.tokens.issue(
            "page", lifetime=None, scopes=info.scopes if info else None
        ),
    }
    if state.oauth.page_linked:
        page["instagram_business_account"] = {"id": shop.ig_id, "username": shop.username}
    other = {**OTHER_PAGE, "access_token": state.tokens.issue("page", lifetime=None)}
    return {"data": [page, other], "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}}
