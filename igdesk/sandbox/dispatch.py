"""Entry point of every Graph path: parse, log, faults, token, rate limit, route, headers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

from aiohttp import web

from igdesk.sandbox import facebook_login, graph_media, graph_read, graph_send, oauth
from igdesk.sandbox import faults as fx
from igdesk.sandbox.call import GraphCall, loggable, parse_call, split_version
from igdesk.sandbox.errors import (
    GraphError,
    appsecret_invalid,
    appsecret_missing,
    expired_token,
    invalid_token,
    rate_limited,
    unknown_object,
    unknown_path,
)
from igdesk.sandbox.model import Message, Thread
from igdesk.sandbox.oauth_config import MESSAGING_SCOPES
from igdesk.sandbox.state import SandboxState

TOKEN_PATHS = ("access_token", "refresh_access_token")
_HOST_FLAVOUR = {"graph.instagram.com": "instagram", "graph.facebook.com": "page"}


def _check_host(call: GraphCall) -> None:
    """A token sent to the other flavour's host cannot be parsed there."""
    host = (call.request.host or "").split(":")[0].lower()
    wanted = _HOST_FLAVOUR.get(host)
    flavour = (
        "page" if call.info and call.info.flavour == "user" else call.info and call.info.flavour
    )
    if wanted and call.info and flavour != wanted:
        raise invalid_token()


def _check_scope(state: SandboxState, call: GraphCall, kind: str, segments: list[str]) -> None:
    """Messages need the messaging permission (a token granted without it reads `/me` only),
    and the account's "Allow access to messages" (36103 without it)."""
    messaging = kind in ("thread", "message") or (
        len(segments) > 1 and segments[1] in ("conversations", "messages", "message_attachments")
    )
    if not messaging:
        return
    if call.info is not None and not call.info.allows(*MESSAGING_SCOPES):
        raise GraphError("(#10) Application does not have permission for this action", code=10)
    if not state.oauth.messaging_access:
        raise GraphError(
            "(#36103) Messaging is not enabled for this Instagram account: the account owner "
            "must allow access to messages in the Instagram app's settings.",
            code=36103,
        )


def appsecret_proof(app_secret: str, token: str) -> str:
    """Lowercase hex HMAC-SHA256 of the access token, keyed with the app secret."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _check_proof(state: SandboxState, call: GraphCall) -> None:
    """The app's "Require App Secret": every Page-token call carries the token's proof,
    keyed with the Meta app's secret (App settings > Basic: the Facebook Login app's).

    Instagram Login tokens are never checked (the flavour does not use the proof).
    """
    if not state.world.require_app_secret or call.info is None or call.info.flavour != "page":
        return
    if not call.appsecret_proof:
        raise appsecret_missing()
    wanted = appsecret_proof(state.meta_app_secret, call.token or "")
    if not hmac.compare_digest(call.appsecret_proof.encode(), wanted.encode()):
        raise appsecret_invalid()


def _conversations_gate(state: SandboxState, call: GraphCall) -> None:
    if not state.conversations_limit.hit(state.world.shop.ig_id):
        raise GraphError(
            rate_limited(613).message,
            code=613,
            headers=state.usage.headers(state.world.shop.ig_id, throttled=True),
        )


async def route(state: SandboxState, call: GraphCall) -> Any:
    """The JSON answer for a Graph call, or a GraphError."""
    segments = call.segments
    if not segments:
        raise unknown_path("")
    if len(segments) == 1 and segments[0] in TOKEN_PATHS and call.method == "GET":
        if segments[0] == "access_token":
            return oauth.exchange_token(state, call)
        return oauth.refresh_token(state, call)
    if segments == ["oauth", "access_token"] and call.method == "GET":
        return facebook_login.exchange(state, call)
    call.info = state.tokens.info(call.token)
    _check_host(call)
    if call.info.flavour == "user":
        return facebook_login.user_route(state, call)
    _check_proof(state, call)
    kind, node = graph_read.resolve(state, call, segments[0])
    _check_scope(state, call, kind, segments)
    if len(segments) == 1:
        if call.method != "GET":
            raise unknown_object(segments[0], call.method.lower())
        if isinstance(node, Thread):
            _conversations_gate(state, call)
            return graph_read.conversation_node(state, call, node)
        if isinstance(node, Message):
            _conversations_gate(state, call)
            return graph_read.message_node(state, call, node)
        if kind == "customer" and not isinstance(node, str):
            return graph_read.profile_node(state, call, node)
        if kind == "page":
            return graph_read.page_node(state, call)
        return graph_read.account_node(state, call, via_me=segments[0] != state.world.shop.ig_id)
    if len(segments) > 2:
        raise unknown_path("/".join(segments[2:]))
    edge = segments[1]
    flavour = call.info.flavour
    owns_messaging = (kind == "account" and flavour == "instagram") or kind == "page"
    if edge == "messages" and call.method == "POST" and owns_messaging:
        return await graph_send.send(state, call)
    if edge == "message_attachments" and call.method == "POST" and kind == "page":
        return await graph_send.upload_attachment(state, call)
    if edge == "subscribed_apps" and owns_messaging and call.method in ("GET", "POST", "DELETE"):
        return oauth.subscribed_apps(state, call)
    if call.method != "GET":
        raise unknown_object(segments[0], call.method.lower())
    if edge in ("conversations", "messages"):
        _conversations_gate(state, call)
    if edge == "media" and kind == "account":
        return graph_media.list_media(state, call)
    return graph_read.read_edge(state, call, kind, node, edge)


async def _pre_fault(
    state: SandboxState, call: GraphCall, method: str, path: str
) -> web.StreamResponse | None:
    fault = state.faults.take(fx.PRE_KINDS, method, path, when=lambda f: not fx.after_apply(f))
    if fault is None:
        return None
    return await _fire(state, call, fault)


async def _post_fault(
    state: SandboxState, call: GraphCall, method: str, path: str
) -> web.StreamResponse | None:
    """`after_apply` faults: the handler has run (the send is applied); the answer is lost."""
    fault = state.faults.take(fx.AFTER_APPLY_KINDS, method, path, when=fx.after_apply)
    return None if fault is None else await _fire(state, call, fault)


async def _fire(state: SandboxState, call: GraphCall, fault: fx.Fault) -> web.StreamResponse | None:
    """Answer as the fault says: a stream, None (go on: `slow`), or a raised GraphError."""
    params = fault.params
    if fault.kind == "slow":
        await asyncio.sleep(float(params.get("seconds", 3)))
        return None
    if fault.kind == "drop":
        return await fx.drop_connection(call.request)
    if fault.kind == "huge_body":
        return await fx.huge_body(call.request, float(params.get("size_mb", 30)))
    if fault.kind == "never_ending":
        return await fx.never_ending(
            call.request, float(params.get("seconds", 300)), state.stopping
        )
    if fault.kind == "server_error" and params.get("status", 500) != 500:
        return fx.gateway_page(int(params["status"]))
    if fault.kind == "expired_token":
        if params.get("permanent") and call.token:
            state.tokens.expire(call.token)
        raise expired_token("Tuesday, 12-Aug-25 10:00:00 PDT", state.now_text())
    error = fx.error_for(fault)
    assert error is not None
    if fault.kind == "rate_limit":
        error.headers = state.usage.headers(
            state.world.shop.ig_id, throttled=True, regain_minutes=int(params.get("minutes", 5))
        )
    raise error


async def graph_entry(state: SandboxState, request: web.Request) -> web.StreamResponse:
    """aiohttp handler for every Graph path."""
    account = state.world.shop.ig_id
    _, bare = split_version(request.path)
    path = "/" + bare
    entry: dict[str, Any] = {
        "method": request.method,
        "path": path,
        "query": loggable(dict(request.query)),
        "body": None,
        "time": state.now_text(),
        "monotonic": time.monotonic(),  # real seconds, for measuring request rates
        "status": None,
        "flavour": None,
    }
    state.requests_log.append(entry)
    state.usage.record_app_call(state.world.shop.ig_id)
    try:
        call = await parse_call(request)
        entry["body"] = loggable(call.body) or None
        stream = await _pre_fault(state, call, request.method, path)
        if stream is not None:
            entry["status"] = stream.status
            return stream
        try:
            body = await route(state, call)
        except GraphError:
            stream = await _post_fault(state, call, request.method, path)
            if stream is not None:
                entry["status"] = stream.status
                return stream
            raise
        finally:
            entry["flavour"] = call.info.flavour if call.info else None
        stream = await _post_fault(state, call, request.method, path)
        if stream is not None:
            entry["status"] = stream.status
            return stream
        if request.method == "GET" and state.faults.take(("null_fields",), request.method, path):
            body = fx.null_out(body)
        raw = json.dumps(body, ensure_ascii=True).encode()
        if state.faults.take(("malformed_json",), request.method, path):
            raw = fx.truncate(raw)
        response = web.Response(
            body=raw,
            status=200,
            content_type="application/json",
            headers=state.usage.headers(account),
        )
    except GraphError as error:
        response = error.response()
        if "X-App-Usage" not in response.headers:
            response.headers.update(state.usage.headers(account))
    entry["status"] = response.status
    return response
