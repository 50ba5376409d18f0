"""A small webhook receiver for tests: answers Meta's verification GET, records every request
and answers POSTs with the statuses a test scripts (200 by default).

    recorder = WebhookRecorder(verify_token="vt")
    url = await recorder.start()                 # http://127.0.0.1:PORT/webhook
    recorder.script(500, 500)                     # the next two POSTs fail, then 200 again
    posts = await recorder.wait_posts(3)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Recorded:
    """One request as it arrived: the exact body bytes and the headers."""

    method: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    monotonic: float

    def json(self) -> Any:
        return json.loads(self.body)

    def items(self) -> list[dict[str, Any]]:
        """Every ``messaging[]`` or ``standby[]`` item of every entry, in order."""
        body = self.json() if self.method == "POST" else {}
        entries = body.get("entry", []) if isinstance(body, dict) else []
        return [i for e in entries for i in e.get("messaging", e.get("standby", []))]


class WebhookRecorder:
    """Serves ``/webhook`` on 127.0.0.1; `challenge_suffix` spoils the verification echo."""

    def __init__(self, verify_token: str = "verify-me", *, path: str = "/webhook") -> None:
        self.verify_token = verify_token
        self.path = path
        self.requests: list[Recorded] = []
        self.default_status = 200
        self.challenge_suffix = ""
        self.delay = 0.0
        self._script: deque[int] = deque()
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def script(self, *statuses: int) -> None:
        """Answer the next POSTs with these statuses, in order; then `default_status`."""
        self._script.extend(statuses)

    @property
    def posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.method == "GET":
            query = request.query
            ok = query.get("hub.mode") == "subscribe" and (
                query.get("hub.verify_token") == self.verify_token
            )
            status = 200 if ok else 403
            text = query.get("hub.challenge", "") + self.challenge_suffix if ok else "Forbidden"
        else:
            status = self._script.popleft() if self._script else self.default_status
            text = "EVENT_RECEIVED" if status == 200 else "nope"
            if self.delay:
                await asyncio.sleep(self.delay)
        recorded = Recorded(
            method=request.method,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
            status=status,
            monotonic=time.monotonic(),
        )
        async with self._arrived:
            self.requests.append(recorded)
            self._arrived.notify_all()
        return web.Response(status=status, text=text)

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=4 * 1024**2)
        app.router.add_route("*", self.path, self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}{self.path}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
            self._runner = None

    async def wait_posts(self, count: int, timeout: float = 5.0) -> list[Recorded]:
        """The first `count` POSTs, waiting for them (TimeoutError if they do not come)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.posts) >= count), timeout
            )
        return self.posts[:count]

    async def wait_items(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The first `count` messaging items, however the sandbox batched them into POSTs."""

        def items() -> list[dict[str, Any]]:
            return [item for post in self.posts for item in post.items()]

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(items()) >= count), timeout)
        return items()[:count]

    async def quiet(self, seconds: float = 0.2) -> list[Recorded]:
        """Wait `seconds` and answer every POST so far (to check that nothing more came)."""
        await asyncio.sleep(seconds)
        return self.posts
