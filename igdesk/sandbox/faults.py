"""Fault injection: what can go wrong between igdesk and Meta, on request.

A fault is ``{"kind": ..., "path": <substring of the path without version>, "count": N,
"method": "GET"|"POST"|None, ...params}``; ``count`` defaults to 1 and -1 means "every time".
Kinds and parameters:

- ``rate_limit``: ``code`` 4|17|32|613|80002 (613), ``minutes`` to regain access (5). HTTP 400.
- ``server_error``: ``code`` 1|2 (1) → HTTP 500 Graph error; or ``status`` 502|503 → bare HTML.
- ``slow``: ``seconds`` (3) of delay, then the normal answer.
- ``drop``: the TCP connection is closed without any response (after the request was read).
- ``expired_token``: 190/463; ``permanent`` true also expires the token itself.
- ``malformed_json``: 200 with the real body cut in half.
- ``huge_body``: 200 with a valid ~``size_mb`` (30) MB JSON body, streamed.
- ``never_ending``: headers, then a trickle of bytes for ``seconds`` (300), never complete.
- ``empty_page_with_next``: a conversations page ``{"data": [], "paging": {"next": ...}}``.
- ``foreign_next``: ``paging.next`` points at ``host`` (https://evil.example.com).
- ``duplicate_conversations``: the next page repeats ``overlap`` (2) threads of the previous one.
- ``null_fields``: ``participants``/``from`` null, ``to`` and one ``updated_time`` missing,
  unknown extra fields added.
- ``bad_thread``: a conversations call whose page holds ``thread_id`` (or ``username``'s
  thread) fails with code 1 "An unknown error has occurred." (HTTP 500).

``after_apply`` (``drop`` and ``server_error`` only; default false): false fails the call
before the handler runs, so nothing changes (a send is NOT made); true runs the handler
first, so a send IS made (message in the thread, echo visible to polling, ``world.sends``
entry ok) and then the answer is lost: the connection is dropped or a 500/502/503 comes back.
That is the realistic "the request went out, no answer came" case a client must reconcile
without sending twice. An ``after_apply`` fault fires whatever the handler decided (a refused
send stays refused, only its answer is lost). Example::

    {"kind": "drop", "path": "/messages", "method": "POST", "after_apply": true}
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from igdesk.sandbox.errors import GraphError, rate_limited

PRE_KINDS = (
    "rate_limit",
    "server_error",
    "slow",
    "drop",
    "expired_token",
    "huge_body",
    "never_ending",
)
AFTER_APPLY_KINDS = ("drop", "server_error")
POST_KINDS = ("malformed_json", "null_fields")
LIST_KINDS = ("empty_page_with_next", "foreign_next", "duplicate_conversations", "bad_thread")
KINDS = frozenset(PRE_KINDS + POST_KINDS + LIST_KINDS)


@dataclass
class Fault:
    """One armed fault."""

    kind: str
    path: str | None = None
    method: str | None = None
    count: int = 1
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in path

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "method": self.method,
            "count": self.count,
            **self.params,
        }


def parse_fault(spec: dict[str, Any]) -> Fault:
    """Validate a fault request; ValueError with a readable reason when it is wrong."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    count = spec.get("count", 1)
    if not isinstance(count, int) or count == 0 or count < -1:
        raise ValueError("count must be a positive integer, or -1 for every time")
    params = {k: v for k, v in spec.items() if k not in ("kind", "path", "method", "count")}
    if kind == "rate_limit" and params.get("code", 613) not in (4, 17, 32, 613, 80002):
        raise ValueError("rate_limit code must be one of 4, 17, 32, 613, 80002")
    if kind == "server_error" and "status" in params and params["status"] not in (500, 502, 503):
        raise ValueError("server_error status must be 500, 502 or 503")
    if kind == "server_error" and params.get("code", 1) not in (1, 2):
        raise ValueError("server_error code must be 1 or 2")
    if "after_apply" in params:
        if kind not in AFTER_APPLY_KINDS:
            raise ValueError("after_apply is for drop and server_error only")
        if not isinstance(params["after_apply"], bool):
            raise ValueError("after_apply must be true or false")
    if kind == "bad_thread" and not (params.get("thread_id") or params.get("username")):
        raise ValueError("bad_thread needs thread_id or username")
    return Fault(
        kind=kind, path=spec.get("path"), method=spec.get("method"), count=count, params=params
    )


def after_apply(fault: Fault) -> bool:
    """Whether the fault spoils the answer after the handler ran (see the module doc)."""
    return bool(fault.params.get("after_apply", False))


class FaultBook:
    """The armed faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.fired: list[dict[str, Any]] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def armed(self) -> list[dict[str, Any]]:
        return [f.describe() for f in self._faults]

    def take(
        self,
        kinds: tuple[str, ...],
        method: str,
        path: str,
        when: Callable[[Fault], bool] = lambda _fault: True,
    ) -> Fault | None:
        """The first armed fault of these kinds that matches; one use is spent."""
        for fault in self._faults:
            if fault.kind in kinds and fault.matches(method, path) and when(fault):
                if fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                self.fired.append({"kind": fault.kind, "path": path})
                return fault
        return None


# -- pre-handler faults: they replace (or delay) the normal answer ---------------------------


def error_for(fault: Fault) -> GraphError | None:
    """The Graph error a fault answers with, if it is an error fault."""
    if fault.kind == "rate_limit":
        return rate_limited(int(fault.params.get("code", 613)))
    if fault.kind == "server_error" and fault.params.get("status", 500) == 500:
        if int(fault.params.get("code", 1)) == 2:
            return GraphError(
                "An unexpected error has occurred. Please retry your request later.",
                code=2,
                status=500,
                transient=True,
            )
        return GraphError("An unknown error has occurred.", code=1, status=500)
    return None


def gateway_page(status: int) -> web.Response:
    title = "502 Bad Gateway" if status == 502 else "503 Service Unavailable"
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return web.Response(status=status, text=html, content_type="text/html")


async def drop_connection(request: web.Request) -> web.Response:
    """Close the socket under the request: the client sees no response at all."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError


async def huge_body(request: web.Request, size_mb: float) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    await response.prepare(request)
    item = json.dumps({"id": "x" * 40, "updated_time": "2024-01-01T00:00:00+0000"}).encode()
    chunk = b",".join([item] * 8000) + b","
    await response.write(b'{"data":[')
    written = 0
    target = int(size_mb * 1024 * 1024)
    while written < target:
        await response.write(chunk)
        written += len(chunk)
    await response.write(item + b"]}")
    await response.write_eof()
    return response


async def never_ending(
    request: web.Request, seconds: float, stopping: asyncio.Event
) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b'{"data":[')
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end and not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), timeout=0.5)
        except TimeoutError:
            await response.write(b" ")
    if request.transport is not None:
        request.transport.abort()  # never a complete body
    return response


# -- post-handler faults: they spoil a normal answer ------------------------------------------


def truncate(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


def null_out(value: Any) -> Any:
    """Nulls, gaps and unknown fields where a client expects clean data."""
    if isinstance(value, list):
        return [null_out(item) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("participants", "from"):
            out[key] = None
        elif key == "to":
            continue
        else:
            out[key] = null_out(item)
    if "id" in out:
        out["x_sandbox_unknown"] = {"nested": [1, None, "two"], "flag": None}
    data = out.get("data")
    if isinstance(data, list) and data and isinstance(data[-1], dict):
        data[-1].pop("updated_time", None)
    return out
