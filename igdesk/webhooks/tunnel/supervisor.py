"""Keeps the chosen tunnel up: starts it, checks it, restarts it with a backoff, reports.

Qt-free. What happens is told through one plain callback, `report`, with small frozen events:
`TunnelUp` (the public URL, and the one before it when a restart changed it: Meta's dashboard
must then be updated) and `TunnelDown` (the error, and when the next try comes, or None when
only the owner can fix it). Sleeping and the clock are injected so tests never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from igdesk.i18n import Text
from igdesk.webhooks.tunnel.base import Tunnel, TunnelError, TunnelErrorKind

log = logging.getLogger("igdesk.webhooks.tunnel")


@dataclass(frozen=True)
class TunnelUp:
    """The tunnel is open at `url`. `previous_url` is the last address it had (None on the
    first start); when they differ, the callback URL in Meta's dashboard must be changed.
    `restarts` counts the times it was up before."""

    url: str
    previous_url: str | None
    restarts: int

    @property
    def url_changed(self) -> bool:
        return self.previous_url is not None and self.previous_url != self.url


@dataclass(frozen=True)
class TunnelDown:
    """The tunnel is not open: `error` says why. `retry_in` is the wait in seconds before the
    next try, or None when igdesk stopped trying (the owner must change something first)."""

    error: TunnelError
    retry_in: float | None


TunnelEvent = TunnelUp | TunnelDown


@dataclass(frozen=True)
class Backoff:
    """Waits before a restart, in seconds: `first`, then multiplied by `factor` up to `longest`."""

    first: float = 2.0
    factor: float = 2.0
    longest: float = 300.0

    def delay(self, failures: int) -> float:
        return min(self.longest, self.first * self.factor ** max(0, failures - 1))


class TunnelSupervisor:
    """Runs one tunnel for the receiver on 127.0.0.1:`local_port` until stopped.

    A tunnel that ran for `stable_after` seconds before dying is restarted after the first
    backoff step; one that keeps failing waits longer each time. Errors only the owner can fix
    (no token, a refused token, nothing installed) end the supervision with a `TunnelDown`
    whose `retry_in` is None.
    """

    def __init__(
        self,
        tunnel: Tunnel,
        local_port: int,
        *,
        report: Callable[[TunnelEvent], None],
        check_every: float = 10.0,
        backoff: Backoff | None = None,
        stable_after: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tunnel = tunnel
        self.local_port = local_port
        self._report = report
        self._check_every = check_every
        self._backoff = backoff or Backoff()
        self._stable_after = stable_after
        self._sleep = sleep
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._last_url: str | None = None
        self._ups = 0
        #: The latest event reported (for `doctor` and a status bar that opens late).
        self.last_event: TunnelEvent | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def url(self) -> str | None:
        """The public base URL while the tunnel is up."""
        event = self.last_event
        return event.url if isinstance(event, TunnelUp) else None

    def start(self) -> None:
        """Start supervising on the running loop (the first event follows shortly)."""
        if self.running:
            return
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"tunnel supervisor ({self.tunnel.name})"
        )

    async def stop(self) -> None:
        """Stop supervising and close the tunnel; nothing is left running."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.tunnel.stop()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                url = await self.tunnel.start(self.local_port)
            except TunnelError as error:
                failures += 1
                if not await self._down(error, failures):
                    return
                continue
            except Exception as error:  # the retry guard: a provider's bug must not end it
                # Where it broke, without its message: that might quote a secret.
                log.error(
                    "the %s tunnel failed to start with %s at:\n%s",
                    self.tunnel.name,
                    type(error).__name__,
                    "".join(traceback.format_tb(error.__traceback__)),
                )
                failures += 1
                await self._down(self._unexpected(error), failures)
                continue
            started = self._clock()
            self._up(url)
            while True:
                await self._sleep(self._check_every)
                if not self.tunnel.is_alive():
                    break
            death = self.tunnel.failure() or self._died()
            failures = 1 if self._clock() - started >= self._stable_after else failures + 1
            await self._down(death, failures)

    def _up(self, url: str) -> None:
        event = TunnelUp(url=url, previous_url=self._last_url, restarts=self._ups)
        self._last_url, self._ups = url, self._ups + 1
        if event.url_changed:
            log.warning("the %s tunnel's address changed: %s", self.tunnel.name, url)
        else:
            log.info("the %s tunnel is up at %s", self.tunnel.name, url)
        self._emit(event)

    async def _down(self, error: TunnelError, failures: int) -> bool:
        """Report `error`, close what is left and wait; False when trying again cannot help."""
        await self.tunnel.stop()
        retry_in = self._backoff.delay(failures) if error.retryable else None
        log.warning(
            "the %s tunnel is down (%s: %s); %s",
            self.tunnel.name,
            error.kind,
            error,
            "stopped trying" if retry_in is None else f"next try in {retry_in:g}s",
        )
        self._emit(TunnelDown(error=error, retry_in=retry_in))
        if retry_in is None:
            return False
        await self._sleep(retry_in)
        return True

    def _emit(self, event: TunnelEvent) -> None:
        self.last_event = event
        try:
            self._report(event)
        except Exception:  # the listener's bug must not stop the tunnel
            log.exception("reporting a tunnel event failed")

    def _died(self) -> TunnelError:
        return TunnelError(
            TunnelErrorKind.DIED,
            Text("The {name} tunnel stopped. igdesk is starting it again.", name=self.tunnel.name),
        )

    def _unexpected(self, error: Exception) -> TunnelError:
        return TunnelError(
            TunnelErrorKind.FAILED,
            Text("The {name} tunnel did not start. igdesk will try again.", name=self.tunnel.name),
            technical=type(error).__name__,
        )
