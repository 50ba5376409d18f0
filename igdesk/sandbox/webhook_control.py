"""Control endpoints of the app's webhook (loopback only, no token), as the dashboard and tests
would handle it. Errors are 400 ``{"error": reason}``.

- ``GET /_sandbox/webhook``: subscription, settings, armed knobs, queue sizes, ``disabled_at``
  and the newest ``suppressed`` events (with why they did not go).
- ``POST /_sandbox/webhook``: ``{"callback_url", "verify_token", "fields": [...]}``; first the
  verification GET against the callback, refused (nothing changes) unless it echoes the
  challenge with 200. Re-posting replaces the subscription; it re-enables a disabled webhook.
- ``DELETE /_sandbox/webhook``: the app has no callback any more.
- ``PATCH /_sandbox/webhook``: any of ``speed`` (> 0: Meta seconds per real second),
  ``batch_window`` (real seconds ≥ 0), ``batch_max`` (1..1000), ``timeout`` (real seconds),
  ``signing_secret`` ("instagram" | "meta"), ``disable_after`` (Meta seconds or null),
  ``legacy_sha1`` (bool), ``retry_delays`` (list of Meta seconds).
- ``GET /_sandbox/webhook/deliveries?since=N``: every POST attempt from index N on:
  ``{delivery, attempt, kind: delivery|duplicate|test, time, meta_seconds, callback_url,
  status, error, events, body, signature, signed_with, outcome}``; ``DELETE`` clears the log.
- ``POST /_sandbox/webhook/knobs``: ``{"duplicate"?: N, "reorder"?: N, "standby"?: N,
  "batch"?: N, "same_entry"?: bool}`` (counts of upcoming deliveries; see webhooks.py).
- ``POST /_sandbox/webhook/test``: ``{"field": "messages"}``: the dashboard's Test button; answers
  the attempt's record (``status`` is what the callback said).
- ``POST /_sandbox/webhook/flush``: release a held-back delivery and waiting events now.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from igdesk.sandbox.control import bad_request, read_json
from igdesk.sandbox.state import SandboxState
from igdesk.sandbox.webhook_wire import sample_fields
from igdesk.sandbox.webhooks import KNOBS, WebhookRefused


def _number(value: Any, name: str, *, strict: bool = False) -> float:
    """A non-negative number (positive when `strict`)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < 0 or (strict and value == 0):
        relation = ">" if strict else "≥"
        raise ValueError(f"{name} must be a number {relation} 0")
    return float(value)


def parse_settings(body: Any) -> dict[str, Any]:
    """Validated ``PATCH /_sandbox/webhook`` changes; ValueError when anything is wrong."""
    allowed = {
        "speed",
        "batch_window",
        "batch_max",
        "timeout",
        "signing_secret",
        "disable_after",
        "legacy_sha1",
        "retry_delays",
    }
    if not isinstance(body, dict) or not body or set(body) - allowed:
        raise ValueError(f"send an object with any of {', '.join(sorted(allowed))}")
    out: dict[str, Any] = {}
    for key in ("speed", "timeout"):
        if key in body:
            out[key] = _number(body[key], key, strict=True)
    if "batch_window" in body:
        out["batch_window"] = _number(body["batch_window"], "batch_window")
    if "batch_max" in body:
        size = body["batch_max"]
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
            raise ValueError("batch_max must be an integer from 1 to 1000")
        out["batch_max"] = size
    if "signing_secret" in body:
        if body["signing_secret"] not in ("instagram", "meta"):
            raise ValueError('signing_secret must be "instagram" or "meta"')
        out["signing_secret"] = body["signing_secret"]
    if "disable_after" in body:
        limit = body["disable_after"]
        out["disable_after"] = None if limit is None else _number(limit, "disable_after")
    if "legacy_sha1" in body:
        if not isinstance(body["legacy_sha1"], bool):
            raise ValueError("legacy_sha1 must be true or false")
        out["legacy_sha1"] = body["legacy_sha1"]
    if "retry_delays" in body:
        delays = body["retry_delays"]
        if not isinstance(delays, list):
            raise ValueError("retry_delays must be a list of seconds")
        out["retry_delays"] = tuple(_number(d, "retry_delays[]") for d in delays)
    return out


def parse_knobs(body: Any, state: SandboxState) -> dict[str, Any]:
    if not isinstance(body, dict) or not body or set(body) - {*KNOBS, "same_entry"}:
        raise ValueError(f"send an object with any of {', '.join([*KNOBS, 'same_entry'])}")
    for key in KNOBS:
        count = body.get(key, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{key} must be a count ≥ 0")
    if not isinstance(body.get("same_entry", False), bool):
        raise ValueError("same_entry must be true or false")
    if body.get("batch", 0) > 1000:
        raise ValueError("batch holds at most 1000 events (Meta's cap)")
    subscription = state.webhooks.subscription
    if body.get("standby") and (subscription is None or "standby" not in subscription.fields):
        raise ValueError("standby deliveries need the app subscribed to the standby field")
    armed = dict(body)
    if "batch" in armed:
        armed.setdefault("same_entry", False)
    return armed


class _Handlers:
    """The webhook control endpoints' handlers, bound to one sandbox's state."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._hub = state.webhooks

    async def status(self, _request: web.Request) -> web.Response:
        return web.json_response(self._hub.status())

    async def configure(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            return bad_request("send a JSON object")
        url, token, fields = body.get("callback_url"), body.get("verify_token"), body.get("fields")
        if not isinstance(url, str) or not isinstance(token, str) or not token:
            return bad_request("callback_url and verify_token are required")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            return bad_request("fields must be a list of field names")
        try:
            await self._hub.configure(url, token, fields)
        except WebhookRefused as error:
            return bad_request(str(error))
        return web.json_response(self._hub.status())

    async def remove(self, _request: web.Request) -> web.Response:
        self._hub.remove()
        return web.json_response(self._hub.status())

    async def settings(self, request: web.Request) -> web.Response:
        try:
            changes = parse_settings(await read_json(request))
        except ValueError as error:
            return bad_request(str(error))
        self._hub.update(**changes)
        return web.json_response(self._hub.status())

    async def deliveries(self, request: web.Request) -> web.Response:
        try:
            since = max(0, int(request.query.get("since", "0")))
        except ValueError:
            return bad_request("since must be an integer")
        return web.json_response(self._hub.log[since:])

    async def clear(self, _request: web.Request) -> web.Response:
        self._hub.log.clear()
        return web.json_response([])

    async def knobs(self, request: web.Request) -> web.Response:
        try:
            armed = parse_knobs(await read_json(request), self._state)
        except ValueError as error:
            return bad_request(str(error))
        self._hub.arm(**armed)
        return web.json_response(self._hub.status())

    async def test(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        field = body.get("field") if isinstance(body, dict) else None
        if field not in sample_fields():
            return bad_request(f"field must be one of {', '.join(sample_fields())}")
        try:
            return web.json_response(await self._hub.send_test(str(field)))
        except WebhookRefused as error:
            return bad_request(str(error))

    async def flush(self, _request: web.Request) -> web.Response:
        self._hub.flush()
        return web.json_response(self._hub.status())


def routes(state: SandboxState) -> list[web.RouteDef]:
    """The webhook control routes, bound to one sandbox's state."""
    handlers = _Handlers(state)
    return [
        web.get("/_sandbox/webhook", handlers.status),
        web.post("/_sandbox/webhook", handlers.configure),
        web.delete("/_sandbox/webhook", handlers.remove),
        web.patch("/_sandbox/webhook", handlers.settings),
        web.get("/_sandbox/webhook/deliveries", handlers.deliveries),
        web.delete("/_sandbox/webhook/deliveries", handlers.clear),
        web.post("/_sandbox/webhook/knobs", handlers.knobs),
        web.post("/_sandbox/webhook/test", handlers.test),
        web.post("/_sandbox/webhook/flush", handlers.flush),
    ]
