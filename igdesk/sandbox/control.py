"""Control endpoints under /_sandbox/ (no token, loopback only): the tests' hands and eyes.

- ``GET /_sandbox/world``: ground truth (account, threads, messages, sends, sender actions).
- ``PATCH /_sandbox/world``: any of ``{"human_agent": bool, "require_app_secret": bool,
  "missing_fields": {"Message": ["reply_to"], ...}, "max_nested_messages": N}``;
  ``missing_fields`` replaces the whole map (``{}`` gives every field back). Answers the
  settings as they now are.
- ``POST /_sandbox/unsend``: ``{"message_id": mid, "deleted_as"?: true | "true"}``: the sender
  takes the message back (it leaves the read API; the thread's ``updated_time`` moves to now;
  the webhook's ``is_deleted`` is `deleted_as`, else alternately true and "true").
- ``GET|DELETE /_sandbox/requests``: the log of Graph requests (tokens removed).
- ``GET|POST|DELETE /_sandbox/faults``: arm faults (one object, a list, or ``{"faults":[...]}``).
- ``POST /_sandbox/customer_message``: ``{customer_id | username, text | attachments | share |
  sticker | story, reply_to?, name?, follows_business?}`` makes a customer write now (a new
  username makes a new thread; content rules in world_acts.py).
- ``GET|POST /_sandbox/clock``: ``{"advance_seconds": N}`` or ``{"set": "<iso time>"}``.

More hands: act_routes.py (other people's acts) and webhook_control.py (``/_sandbox/webhook``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from igdesk.domain import format_graph_time
from igdesk.sandbox import world_acts
from igdesk.sandbox.faults import parse_fault
from igdesk.sandbox.media import bytes_of, spec_of
from igdesk.sandbox.model import Message, Thread, World
from igdesk.sandbox.nodes import describe_missing, parse_missing
from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.world_acts import customer_writes

__all__ = ["customer_writes", "routes", "snapshot"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_types(message: Message) -> list[str]:
    types: list[str] = [a.kind for a in message.attachments]
    types += [s.kind for s in message.shares]
    if message.story:
        types.append("story_reply" if message.story.kind == "reply_to" else "story_mention")
    if message.sticker:
        types.append("sticker")
    if message.template:
        types.append("generic_template")
    return types


def snapshot(world: World, state: SandboxState) -> dict[str, Any]:
    """Everything a test may want to compare the client's view with."""
    now = state.clock.now()
    shop = world.shop
    threads = [
        _thread_snapshot(world, thread, now)
        for thread in sorted(world.threads.values(), key=lambda t: t.updated_time, reverse=True)
    ]
    in_threads = {t.customer.id for t in world.threads.values()}
    return {
        "now": format_graph_time(now),
        "account": {
            "ig_id": shop.ig_id,
            "app_scoped_id": shop.app_scoped_id,
            "username": shop.username,
            "name": shop.name,
            "page_id": shop.page_id,
            "page_name": shop.page_name,
            "app_id": shop.app_id,
        },
        **settings(state),
        "threads": threads,
        "customers_without_thread": [
            {"id": c.id, "username": c.username}
            for c in world.customers.values()
            if c.id not in in_threads
        ],
        "posts": [
            {"id": p.id, "caption": p.caption, "media_type": p.media_type} for p in world.posts
        ],
        "sends": world.sends,
        "sender_actions": world.sender_actions,
        "subscribed_fields": world.subscribed_fields,
    }


def _thread_snapshot(world: World, thread: Thread, now: datetime) -> dict[str, Any]:
    readable = thread.readable_ids()
    last = thread.last_customer_time()
    customer = thread.customer
    return {
        "id": thread.id,
        "customer": {
            "id": customer.id,
            "username": customer.username,
            "name": customer.name,
            "follows_business": customer.follows_business,
            "verified": customer.verified,
            "has_avatar": customer.avatar is not None,
            "available": customer.available,
        },
        "listed": thread.listed(now),
        "is_request": thread.is_request(),
        "updated_time": format_graph_time(thread.updated_time),
        "last_customer_message_time": format_graph_time(last) if last else None,
        "seen_marks": [format_graph_time(t) for t in thread.seen_marks],
        "messages": [_message_snapshot(world, m, m.id in readable) for m in thread.newest_first()],
    }


def _message_snapshot(world: World, m: Message, readable: bool) -> dict[str, Any]:
    return {
        "id": m.id,
        "from_id": m.sender_id,
        "from_shop": m.sender_id == world.shop.ig_id,
        "created_time": format_graph_time(m.created_time),
        "text": m.text,
        "attachment_types": content_types(m),
        "attachments": [
            {
                "id": a.id,
                "type": a.kind,
                "mime_type": spec_of(world.uploads, a.media).content_type,
                "size": len(bytes_of(world.uploads, a.media)),
            }
            for a in m.attachments
        ],
        "sticker": m.sticker is not None,
        "reactions": [{"emoji": r.emoji, "user_ids": r.user_ids} for r in m.reactions],
        "reply_to": m.reply_to,
        "deleted": bool(m.deleted),
        "template": m.template.title if m.template else None,
        "unsupported": m.unsupported,
        "readable": readable,
    }


def settings(state: SandboxState) -> dict[str, Any]:
    """The switches tests change at run time (``PATCH /_sandbox/world``)."""
    world = state.world
    return {
        "human_agent": world.human_agent,
        "require_app_secret": world.require_app_secret,
        "missing_fields": describe_missing(world.missing_fields),
        "max_nested_messages": state.options.max_nested_messages,
    }


def change_settings(state: SandboxState, body: Any) -> dict[str, Any]:
    """Apply a ``PATCH /_sandbox/world`` body; ValueError (nothing changed) when it is wrong."""
    allowed = set(settings(state))
    if not isinstance(body, dict) or not body or set(body) - allowed:
        raise ValueError(f"send an object with any of {', '.join(sorted(allowed))}")
    for key in ("human_agent", "require_app_secret"):
        if key in body and not isinstance(body[key], bool):
            raise ValueError(f"{key} must be true or false")
    cap = body.get("max_nested_messages", 1)
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise ValueError("max_nested_messages must be a positive integer")
    missing = parse_missing(body["missing_fields"]) if "missing_fields" in body else None
    world = state.world
    world.human_agent = body.get("human_agent", world.human_agent)
    world.require_app_secret = body.get("require_app_secret", world.require_app_secret)
    if missing is not None:
        world.missing_fields = missing
    if "max_nested_messages" in body:
        state.options.max_nested_messages = cap
    return settings(state)


def bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return await request.json()
    except ValueError:
        return None


class _Handlers:
    """The control endpoints' handlers, bound to one sandbox's state."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    async def world_get(self, _request: web.Request) -> web.Response:
        return web.json_response(snapshot(self._state.world, self._state))

    async def world_patch(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(change_settings(self._state, await read_json(request)))
        except ValueError as error:
            return bad_request(str(error))

    async def unsend(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        mid = body.get("message_id") if isinstance(body, dict) else None
        flag = body.get("deleted_as") if isinstance(body, dict) else None
        try:
            thread = world_acts.unsend(self._state, str(mid), flag)
        except ValueError as error:
            return bad_request(str(error))
        updated = format_graph_time(thread.updated_time)
        return web.json_response({"thread_id": thread.id, "updated_time": updated})

    async def requests_get(self, _request: web.Request) -> web.Response:
        return web.json_response(self._state.requests_log)

    async def requests_delete(self, _request: web.Request) -> web.Response:
        self._state.requests_log.clear()
        return web.json_response({"cleared": True})

    async def faults_get(self, _request: web.Request) -> web.Response:
        faults = self._state.faults
        return web.json_response({"armed": faults.armed(), "fired": faults.fired})

    async def faults_post(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        items = body.get("faults") if isinstance(body, dict) and "faults" in body else body
        items = [items] if isinstance(items, dict) else items
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return bad_request('send a fault object, a list of them, or {"faults": [...]}')
        try:
            parsed = [parse_fault(item) for item in items]
        except ValueError as error:
            return bad_request(str(error))
        for fault in parsed:
            self._state.faults.add(fault)
        return web.json_response({"armed": self._state.faults.armed()})

    async def faults_delete(self, _request: web.Request) -> web.Response:
        self._state.faults.clear()
        return web.json_response({"armed": []})

    async def customer_message(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            return bad_request("send a JSON object")
        try:
            return web.json_response(customer_writes(self._state, body))
        except ValueError as error:
            return bad_request(str(error))

    async def clock_get(self, _request: web.Request) -> web.Response:
        return web.json_response({"now": self._state.now_text()})

    async def clock_post(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        try:
            if isinstance(body, dict) and "advance_seconds" in body:
                self._state.clock.advance(float(body["advance_seconds"]))
            elif isinstance(body, dict) and "set" in body:
                self._state.clock.set(str(body["set"]))
            else:
                return bad_request('send {"advance_seconds": N} or {"set": "<iso time>"}')
        except (TypeError, ValueError) as error:
            return bad_request(f"bad clock value: {error}")
        self._state.webhooks.kick()  # retries due in sandbox time may be due now
        return web.json_response({"now": self._state.now_text()})


def routes(state: SandboxState) -> list[web.RouteDef]:
    """The control routes, bound to one sandbox's state."""
    handlers = _Handlers(state)
    return [
        web.get("/_sandbox/world", handlers.world_get),
        web.patch("/_sandbox/world", handlers.world_patch),
        web.post("/_sandbox/unsend", handlers.unsend),
        web.get("/_sandbox/requests", handlers.requests_get),
        web.delete("/_sandbox/requests", handlers.requests_delete),
        web.get("/_sandbox/faults", handlers.faults_get),
        web.post("/_sandbox/faults", handlers.faults_post),
        web.delete("/_sandbox/faults", handlers.faults_delete),
        web.post("/_sandbox/customer_message", handlers.customer_message),
        web.get("/_sandbox/clock", handlers.clock_get),
        web.post("/_sandbox/clock", handlers.clock_post),
    ]


@web.middleware
async def loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Control endpoints answer only to this machine."""
    if request.path.startswith("/_sandbox/"):
        remote = request.remote or ""
        try:
            local = ipaddress.ip_address(remote).is_loopback
        except ValueError:
            local = False
        if not local:
            return web.json_response({"error": "control endpoints are loopback only"}, status=403)
    return await handler(request)
