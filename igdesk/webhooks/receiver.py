"""The webhook receiver: an HTTP server on loopback that Meta's deliveries reach through a tunnel.

`GET /webhook` answers Meta's verification handshake; `POST /webhook` checks a delivery and
stores its raw body in the archive's durable queue (`archive.webhook_queue`) *before* answering
200, so a crash after the answer loses nothing. Processing happens afterwards, off the request
(`igdesk.webhooks.drain`): the answer takes milliseconds whatever the body holds.

What a POST gets, checked in this order:

- a body over `MAX_BODY` (1 MiB): 413, and nothing past the cap is kept in memory;
- a content type other than JSON: 400;
- no `X-Hub-Signature-256`, or one no configured secret produced: 403, counted, never stored;
- not a webhook envelope (not UTF-8, not JSON, not an object, no `entry` list): 400;
- the archive cannot take it: 500, so Meta delivers it again later;
- otherwise 200, once the body is committed.

A body delivered twice is stored twice: the ingest deduplicates events by id (Meta retries for
up to 36 hours, so a replay is normal). No handler failure escapes: any surprise is a 500 and a
log line with its type only. Logs never hold a body, a header value or a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from igdesk.domain import utc_now
from igdesk.errors import IgdeskError
from igdesk.i18n import Text
from igdesk.store.archive import Archive
from igdesk.store.errors import ArchiveError
from igdesk.store.worker import ArchiveWorker
from igdesk.webhooks.payload import PayloadError, check_envelope
from igdesk.webhooks.signature import (
    SIGNATURE_HEADER,
    WebhookSecret,
    verify_challenge,
    verify_signature,
)

log = logging.getLogger("igdesk.webhooks.receiver")

#: The callback path Meta is given (design.md, "Command line").
CALLBACK_PATH = "/webhook"
#: The largest body accepted (Meta batches up to 1,000 updates; far below this in practice).
MAX_BODY = 1024 * 1024
#: The interface the receiver listens on: loopback only, a tunnel brings Meta to it.
HOST = "127.0.0.1"
_JSON = "application/json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ReceiverHealth:
    """The receiver's counters, for the status bar and `igdesk doctor`."""

    #: When the last delivery was stored; None before the first.
    last_event_at: datetime | None
    #: Deliveries stored (and answered 200).
    accepted: int
    #: Deliveries refused for a missing or bad signature (403).
    refused: int
    #: Requests refused as malformed: too large, not JSON, not a webhook envelope (413/400).
    rejected: int
    #: Deliveries that could not be stored, or surprises in the handler (500).
    errors: int


class WebhookReceiver:
    """Serves `CALLBACK_PATH` on 127.0.0.1:`port` (0: a free port; `port` tells which after
    `start`). `on_stored` is called after each stored body, to wake the queue's processing."""

    def __init__(
        self,
        worker: ArchiveWorker,
        *,
        secrets: Sequence[WebhookSecret],
        verify_token: str,
        port: int = 0,
        on_stored: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._worker = worker
        self._secrets = tuple(secrets)
        self._verify_token = verify_token
        self._wanted_port = port
        self._on_stored = on_stored
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._last_event_at: datetime | None = None
        self._accepted = self._refused = self._rejected = self._errors = 0

    @property
    def url(self) -> str:
        """The local callback address (a tunnel's public URL points here)."""
        return f"http://{HOST}:{self.port}{CALLBACK_PATH}"

    def health(self) -> ReceiverHealth:
        return ReceiverHealth(
            self._last_event_at, self._accepted, self._refused, self._rejected, self._errors
        )

    async def start(self) -> int:
        """Listen; the bound port. A port already taken is an IgdeskError with a sentence."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get(CALLBACK_PATH, self._guarded(self._verify), allow_head=False)
        app.router.add_post(CALLBACK_PATH, self._guarded(self._deliver))
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, HOST, self._wanted_port)
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise IgdeskError(
                Text(
                    "igdesk could not receive webhooks on port {port} ({detail}). "
                    "Choose another port, or stop the program that uses it.",
                    port=self._wanted_port,
                    detail=error.strerror or type(error).__name__,
                ),
                technical=f"bind {HOST}:{self._wanted_port}: {error}",
            ) from error
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("webhook receiver listening on %s", self.url)
        return self.port

    async def stop(self) -> None:
        """Stop listening; requests being answered finish first (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("webhook receiver stopped (%s)", self.health())

    # --- handlers ---------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        """The receiver never fails on any input: a surprise is a 500 and a log line."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except Exception as error:
                self._errors += 1
                log.error("webhook request failed: %s", type(error).__name__)
                return web.Response(status=500, text="error")

        return guarded

    async def _verify(self, request: web.Request) -> web.StreamResponse:
        challenge = verify_challenge(request.query, self._verify_token)
        if challenge is None:
            log.info("webhook verification refused")
            return web.Response(status=403, text="Forbidden")
        log.info("webhook verification answered")
        return web.Response(text=challenge)

    async def _deliver(self, request: web.Request) -> web.StreamResponse:
        body = await _read_capped(request)
        if body is None:
            return self._reject(413, "body over 1 MiB")
        if request.content_type != _JSON:
            return self._reject(400, "content type is not JSON")
        check = verify_signature(body, request.headers.get(SIGNATURE_HEADER), self._secrets)
        if not check.ok or check.role is None:
            self._refused += 1
            log.warning("webhook refused: signature %s", check.status.value)
            return web.Response(status=403, text="Forbidden")
        try:
            check_envelope(body)
        except PayloadError as error:
            return self._reject(400, error.reason.value)
        try:
            await self._worker.write(_append, body, check.role.value)
        except (ArchiveError, RuntimeError) as error:  # RuntimeError: the worker is closed
            self._errors += 1
            log.error("webhook body not stored: %s", type(error).__name__)
            return web.Response(status=500, text="not stored")
        self._accepted += 1
        self._last_event_at = self._clock()
        log.debug("webhook stored: %d bytes, signed with %s", len(body), check.role.value)
        if self._on_stored is not None:
            self._on_stored()
        return web.Response(text="EVENT_RECEIVED")

    def _reject(self, status: int, reason: str) -> web.StreamResponse:
        self._rejected += 1
        log.warning("webhook rejected (%d): %s", status, reason)
        return web.Response(status=status, text="Bad Request" if status == 400 else "Too Large")


async def _read_capped(request: web.Request) -> bytes | None:
    """The whole body, or None as soon as it is known to exceed `MAX_BODY` (the rest is left
    unread; the server discards it before closing the connection)."""
    declared = request.content_length
    if declared is not None and declared > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _append(archive: Archive, body: bytes, role: str) -> int:
    return archive.webhook_queue.append(body, role)
