"""Cloudflare Tunnel through the owner's `cloudflared` program, run as an asyncio subprocess.

Two ways:

- a quick tunnel (no account): `cloudflared tunnel --no-autoupdate --url http://127.0.0.1:PORT`;
  its public address (`https://….trycloudflare.com`) is read from its log and changes on every
  start;
- a named tunnel: `cloudflared tunnel --no-autoupdate run` with the owner's tunnel token in the
  `TUNNEL_TOKEN` environment variable (never on the command line, where other programs could
  read it) and the public hostname given in Settings; the hostname's service is set to
  http://127.0.0.1:PORT in Cloudflare's dashboard. It is ready when cloudflared logs a
  registered connection.

Its output is read to the end the whole time it runs (a full pipe would stall it); the last
lines are kept, redacted, for the log and error details. Stopping terminates it, then kills it
after `stop_timeout`. It is dead when the process has exited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import re
import shutil
from collections import deque

from igdesk.graph.redact import redact
from igdesk.i18n import Text
from igdesk.webhooks.tunnel.base import Tunnel, TunnelError, TunnelErrorKind, check_public_url

log = logging.getLogger("igdesk.webhooks.tunnel.cloudflared")

# The quick tunnel's address, alone in its box line; not the API it asked (api.…/tunnel).
_QUICK_URL_RE = re.compile(r"https://(?!api\.)[a-z0-9-]+\.trycloudflare\.com(?![\w./-])", re.I)
_REGISTERED_RE = re.compile(r"Registered tunnel connection", re.I)
_REFUSED_RE = re.compile(
    r"token is not valid|Unauthorized|Invalid tunnel secret|tunnel not found", re.I
)
_OFFLINE_RE = re.compile(
    r"no such host|dial tcp|network is unreachable|connection refused|i/o timeout|"
    r"temporary failure in name resolution",
    re.I,
)
_KEPT_LINES = 40


class CloudflaredTunnel(Tunnel):
    """A quick tunnel (no `token`) or a named one (`token` and `hostname`)."""

    name = "cloudflared"

    def __init__(
        self,
        *,
        token: str | None = None,
        hostname: str = "",
        program: str = "cloudflared",
        ready_timeout: float = 30.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self._token = (token or "").strip()
        self._hostname = hostname.strip()
        self._program = program
        self._ready_timeout = ready_timeout
        self._stop_timeout = stop_timeout
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[str] | None = None
        self._lines: deque[str] = deque(maxlen=_KEPT_LINES)
        self._url: str | None = None

    @property
    def quick(self) -> bool:
        return not self._token and not self._hostname

    async def start(self, local_port: int) -> str:
        await self.stop()
        named_url = None if self.quick else self._named_url()
        program = shutil.which(self._program)
        if program is None:
            raise TunnelError(
                TunnelErrorKind.NOT_INSTALLED,
                Text(
                    "cloudflared is not installed on this computer. Install it from "
                    "Cloudflare's website (search for “cloudflared download”), or choose "
                    "another tunnel in Settings."
                ),
                technical=f"{self._program!r} not found on PATH",
            )
        env = dict(os.environ)
        env.pop("TUNNEL_TOKEN", None)
        if self.quick:
            args = ["tunnel", "--no-autoupdate", "--url", f"http://127.0.0.1:{local_port}"]
        else:
            args = ["tunnel", "--no-autoupdate", "run"]
            env["TUNNEL_TOKEN"] = self._token
        self._lines.clear()
        try:
            self._process = await asyncio.create_subprocess_exec(
                program,
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
            )
        except OSError as error:
            raise TunnelError(
                TunnelErrorKind.NOT_INSTALLED,
                Text(
                    "igdesk could not run cloudflared ({program}). Install it again from "
                    "Cloudflare's website, or choose another tunnel in Settings.",
                    program=program,
                ),
                technical=f"{program}: {error}",
            ) from None
        self._ready = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(
            self._read(self._process, self._ready, named_url), name="cloudflared output"
        )
        try:
            url = await asyncio.wait_for(asyncio.shield(self._ready), self._ready_timeout)
        except TimeoutError:
            await self.stop()
            raise TunnelError(
                TunnelErrorKind.FAILED,
                Text.plural(
                    "cloudflared did not open the tunnel in {n} second. igdesk will try again.",
                    "cloudflared did not open the tunnel in {n} seconds. igdesk will try again.",
                    math.ceil(self._ready_timeout),
                ),
                technical=self._tail(),
            ) from None
        except TunnelError:
            await self.stop()
            raise
        self._url = url
        log.info("cloudflared tunnel open at %s (pid %s)", url, self._process.pid)
        return url

    async def stop(self) -> None:
        process, reader, ready = self._process, self._reader, self._ready
        self._process = self._reader = self._ready = None
        self._url = None
        if ready is not None:
            if not ready.done():
                ready.cancel()  # before the process goes, so its exit settles nothing
            elif not ready.cancelled():
                ready.exception()  # seen by start() already, or no one waits for it now
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), self._stop_timeout)
            except TimeoutError:
                log.info("cloudflared did not stop in %ss: killing it", self._stop_timeout)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    def is_alive(self) -> bool:
        return (
            self._url is not None and self._process is not None and self._process.returncode is None
        )

    def failure(self) -> TunnelError | None:
        if self._process is None or self._process.returncode is None:
            return None
        return TunnelError(
            TunnelErrorKind.DIED,
            Text("cloudflared stopped. igdesk is starting it again."),
            technical=f"exit status {self._process.returncode}; {self._tail()}",
        )

    @property
    def url(self) -> str | None:
        return self._url

    def _named_url(self) -> str:
        if not self._token:
            raise TunnelError(
                TunnelErrorKind.NOT_CONFIGURED,
                Text(
                    "igdesk has no Cloudflare tunnel token yet. Copy it from Cloudflare's "
                    "dashboard (Networks, Tunnels, your tunnel) into Settings, or clear the "
                    "public hostname to use a quick tunnel."
                ),
            )
        if not self._hostname:
            raise TunnelError(
                TunnelErrorKind.NOT_CONFIGURED,
                Text(
                    "Type in Settings the public hostname you gave this tunnel in Cloudflare's "
                    "dashboard, like shop.example.com."
                ),
            )
        hostname = self._hostname
        return check_public_url(hostname if "://" in hostname else f"https://{hostname}")

    async def _read(
        self, process: asyncio.subprocess.Process, ready: asyncio.Future[str], named_url: str | None
    ) -> None:
        """Read every line cloudflared prints until it exits; settle `ready` on the way."""
        assert process.stdout is not None
        while True:
            try:
                raw = await process.stdout.readline()
            except ValueError:  # a line longer than the stream's limit: skip it
                continue
            if not raw:
                break
            line = redact(raw.decode("utf-8", "replace").rstrip(), (self._token,))
            self._lines.append(line)
            log.debug("cloudflared: %s", line)
            if ready.done():
                continue
            if named_url is None:
                found = _QUICK_URL_RE.search(line)
                if found:
                    ready.set_result(found.group(0).lower())
            elif _REGISTERED_RE.search(line):
                ready.set_result(named_url)
        status = await process.wait()
        log.info("cloudflared exited with status %s", status)
        if not ready.done():
            ready.set_exception(self._early_exit(status))

    def _early_exit(self, status: int) -> TunnelError:
        tail = self._tail()
        technical = f"exit status {status}; {tail}"
        if _REFUSED_RE.search(tail):
            return TunnelError(
                TunnelErrorKind.REFUSED,
                Text(
                    "Cloudflare refused the tunnel token. Copy it again from Cloudflare's "
                    "dashboard (Networks, Tunnels, your tunnel) into Settings."
                ),
                technical=technical,
            )
        if _OFFLINE_RE.search(tail):
            return TunnelError(
                TunnelErrorKind.NO_NETWORK,
                Text(
                    "cloudflared could not reach Cloudflare. Check that this computer is "
                    "online; igdesk will try again."
                ),
                technical=technical,
            )
        return TunnelError(
            TunnelErrorKind.FAILED,
            Text(
                "cloudflared stopped before the tunnel was open. igdesk will try again; if "
                "this repeats, check that cloudflared works on this computer."
            ),
            technical=technical,
        )

    def _tail(self, lines: int = 8) -> str:
        return " | ".join(list(self._lines)[-lines:])
