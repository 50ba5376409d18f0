"""One Graph HTTP exchange done safely: pacing, bearer auth, capped streaming, deadline, retries.

`GraphHttp` is the only place that touches httpx. Each request waits for its slot in the
account's `RateBudget`, carries the token in the `Authorization` header only, streams the body
under `max_body_bytes` and an overall deadline, maps every failure onto the error tree, and —
for GET only — retries transient failures and rate limits with exponential backoff and full
jitter. Sends are never retried.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from igdesk.graph.errormap import error_from_exception, error_from_response
from igdesk.graph.errors import (
    BadResponseError,
    ConnectionReplacedError,
    GraphError,
    RateLimitError,
    SendOutcomeUnknownError,
    TransientError,
)
from igdesk.graph.ratelimit import CallKind, RateBudget
from igdesk.graph.redact import guard_library_loggers, redact

log = logging.getLogger("igdesk.graph")

USER_AGENT = "igdesk/0.1 (+httpx)"
#: Backoff of transient failures: full jitter in [0, min(CAP, BASE * 2**attempt)].
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
#: Rate limits without a server estimate wait at least this long.
RATE_LIMIT_MIN_WAIT = 1.0
#: A rate limit that asks for a longer wait than this is not waited out inside one request:
#: the budget is paused and the error goes to the caller (the sync loop decides).
MAX_RETRY_WAIT = 120.0

Params = Mapping[str, str | int] | None

guard_library_loggers()


class GraphHttp:
    """HTTP layer shared by `GraphClient` and the OAuth helpers."""

    def __init__(
        self,
        token: str | None,
        *,
        budget: RateBudget,
        timeout: float,
        max_body_bytes: int,
        max_retries: int,
        transport: httpx.AsyncBaseTransport | None,
        sleep: Callable[[float], Awaitable[None]],
        app_secret: str | None = None,
    ) -> None:
        self._token = token
        #: Facebook-Page flavour: HMAC-SHA256 of the token keyed with the app secret, sent as
        #: `appsecret_proof` on every call (apps with "Require App Secret" refuse calls without).
        self._proof = (
            hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if app_secret and token
            else None
        )
        self._budget = budget
        self._deadline = timeout
        self._max_body = max_body_bytes
        self._max_retries = max(0, max_retries)
        self._sleep = sleep
        self._rng = random.Random()
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        #: Every HTTP request sent (retries included).
        self.request_count = 0

    @property
    def budget(self) -> RateBudget:
        return self._budget

    def redact(self, text: object) -> str:
        """`redact()` that also masks this client's own token."""
        return redact(text, (self._token,) if self._token else ())

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- public verbs ---------------------------------------------------------------------

    async def get(
        self,
        url: str,
        params: Params = None,
        *,
        kind: CallKind = CallKind.OTHER,
        auth: bool = True,
        quick_fail_codes: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """GET a JSON object, retrying transient failures and rate limits.

        Errors with a code in `quick_fail_codes` are retried once only, for callers that have
        a better remedy than waiting (a smaller page, say).
        """
        for attempt in range(self._max_retries + 1):
            try:
                return await self._once("GET", url, params, None, None, kind, auth=auth)
            except RateLimitError as err:
                if err.retry_after:
                    self._budget.pause_for(err.retry_after)
                if attempt >= self._max_retries or (err.retry_after or 0) > MAX_RETRY_WAIT:
                    raise
                wait = max(
                    err.retry_after or 0.0,
                    RATE_LIMIT_MIN_WAIT,
                    self._jitter(attempt, base=2 * BACKOFF_BASE),
                )
                log.warning("rate limited (code %s); retrying in %.1f s", err.code, wait)
                # The pause makes the next acquire() wait, for every caller of this account.
                self._budget.pause_for(wait)
            except GraphError as err:
                if not err.retryable or attempt >= self._max_retries:
                    raise
                if isinstance(err, ConnectionReplacedError):
                    raise  # this client stays closed: retrying it cannot help
                if err.code in quick_fail_codes and (attempt >= 1 or _asks_for_less(err)):
                    raise
                wait = self._jitter(attempt)
                log.warning("%s; retry %d/%d in %.2f s", err, attempt + 1, self._max_retries, wait)
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def post(
        self,
        url: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        form: Mapping[str, str] | None = None,
        kind: CallKind = CallKind.OTHER,
        sending: bool = False,
        auth: bool = True,
    ) -> dict[str, Any]:
        """POST once (never retried). `sending=True` marks a Send API call."""
        return await self._once(
            "POST", url, None, json_body, form, kind, sending=sending, auth=auth
        )

    def _jitter(self, attempt: int, base: float = BACKOFF_BASE) -> float:
        return self._rng.uniform(0.0, min(BACKOFF_CAP, base * (2**attempt)))

    # --- one exchange ---------------------------------------------------------------------

    async def _once(
        self,
        method: str,
        url: str,
        params: Params,
        json_body: Mapping[str, Any] | None,
        form: Mapping[str, str] | None,
        kind: CallKind,
        *,
        sending: bool = False,
        auth: bool = True,
    ) -> dict[str, Any]:
        await self._budget.acquire(kind)
        if self._client.is_closed:  # replaced by a new sign-in while a pass was running
            raise ConnectionReplacedError(f"{method} on a closed client; nothing sent")
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        request = self._client.build_request(
            method, url, params=params, json=json_body, data=form, headers=headers
        )
        if auth and self._proof:
            request.url = request.url.copy_set_param("appsecret_proof", self._proof)
        shown = self.redact(request.url)
        self.request_count += 1
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._client.send(request, stream=True)
                try:
                    status = response.status_code
                    body = await self._read_capped(response, shown)
                finally:
                    await response.aclose()
        except GraphError as graph_err:
            log.warning("%s %s: %s", method, shown, graph_err)
            if sending:
                raise SendOutcomeUnknownError(graph_err.technical) from graph_err
            raise
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            mapped = error_from_exception(exc, sending=sending)
            if isinstance(exc, TimeoutError):
                mapped = type(mapped)(f"no complete answer within {self._deadline:g} s")
            log.warning("%s %s failed: %s", method, shown, mapped)
            raise mapped from exc
        self._budget.observe(response.headers)
        elapsed = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %d (%d bytes, %.0f ms)", method, shown, status, len(body), elapsed)
        return self._decode(status, body, response.headers, sending=sending, shown=shown)

    async def _read_capped(self, response: httpx.Response, shown: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self._max_body:
            raise BadResponseError(
                f"answer of {int(declared)} bytes is over the {self._max_body}-byte cap",
                http_status=response.status_code,
            )
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > self._max_body:
                raise BadResponseError(
                    f"answer is over the {self._max_body}-byte cap",
                    http_status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(
        self, status: int, body: bytes, headers: Mapping[str, str], *, sending: bool, shown: str
    ) -> dict[str, Any]:
        if not 200 <= status < 300:
            err = error_from_response(status, body, headers)
            log.warning("HTTP %d from %s: %s", status, shown, self.redact(err))
            if sending and isinstance(err, TransientError):
                raise SendOutcomeUnknownError(
                    err.technical,
                    code=err.code,
                    subcode=err.subcode,
                    http_status=status,
                    fbtrace_id=err.fbtrace_id,
                    error_type=err.error_type,
                )
            raise err
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            parsed = _NOT_JSON
        if not isinstance(parsed, dict):
            what = "not JSON" if parsed is _NOT_JSON else f"JSON {type(parsed).__name__}"
            technical = f"HTTP {status} answer is {what}, expected an object"
            if sending:
                raise SendOutcomeUnknownError(technical, http_status=status)
            raise BadResponseError(technical, http_status=status)
        if isinstance(parsed.get("error"), dict):
            raise error_from_response(status if status >= 400 else 400, parsed, headers)
        return parsed


_NOT_JSON = object()


def _asks_for_less(error: GraphError) -> bool:
    """Graph's "Please reduce the amount of data you're asking for": the same call fails again."""
    return "reduce the amount of data" in error.technical.lower()
