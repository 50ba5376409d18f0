"""ngrok through its official Python SDK (PyPI `ngrok`, which carries its own agent).

The owner's authtoken comes from the keyring (`Secret.NGROK_AUTHTOKEN`), an optional static
domain from Settings. Nothing is downloaded at run time; the SDK is imported only when the
tunnel starts. The SDK raises `ValueError(message, detail[, "ERR_NGROK_…"])`; the error code,
the stage (session or listener) and the detail decide which sentence the owner reads. ngrok's
own messages can quote the authtoken, so every detail kept is redacted of it.

The SDK reconnects a dropped session by itself and reports it through its disconnection and
heartbeat handlers (called from its own threads: they only record times). The tunnel counts as
dead when a disconnection is not followed by a heartbeat within `reconnect_grace` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from igdesk.i18n import Text
from igdesk.webhooks.tunnel.base import Tunnel, TunnelError, TunnelErrorKind

if TYPE_CHECKING:
    import ngrok

log = logging.getLogger("igdesk.webhooks.tunnel.ngrok")

#: The authtoken was malformed, from the old agent, reset or revoked.
_AUTHTOKEN_REFUSED = frozenset({"ERR_NGROK_105", "ERR_NGROK_106", "ERR_NGROK_107"})
#: The account runs its one allowed agent session elsewhere.
_SESSION_LIMIT = "ERR_NGROK_108"
#: The domain is not the account's (not reserved, or reserved by someone else).
_DOMAIN_REFUSED = frozenset({"ERR_NGROK_319", "ERR_NGROK_320", "ERR_NGROK_7117", "ERR_NGROK_7118"})
#: The domain is online through another agent session.
_DOMAIN_IN_USE = "ERR_NGROK_334"
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class NgrokIngress:
    """Where the agent connects instead of ngrok's own servers (a custom agent ingress, or a
    test server), and the CA certificate (PEM) it trusts there."""

    server_addr: str
    ca_cert: bytes


class NgrokTunnel(Tunnel):
    """An ngrok HTTPS endpoint forwarding to the local receiver."""

    name = "ngrok"

    def __init__(
        self,
        authtoken: str | None,
        *,
        domain: str = "",
        ingress: NgrokIngress | None = None,
        timeout: float = 20.0,
        reconnect_grace: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._authtoken = (authtoken or "").strip()
        self._domain = domain.strip().lower()
        self._ingress = ingress
        self._timeout = timeout
        self._grace = reconnect_grace
        self._clock = clock
        self._session: ngrok.Session | None = None
        self._listener: ngrok.Listener | None = None
        self._url: str | None = None
        # Written from the SDK's threads, read on the loop: plain values only.
        self._lost_at: float | None = None
        self._heard_at: float | None = None
        self._lost_detail = ""

    async def start(self, local_port: int) -> str:
        await self.stop()
        if not self._authtoken:
            raise TunnelError(
                TunnelErrorKind.NOT_CONFIGURED,
                Text(
                    "igdesk has no ngrok authtoken yet. Copy it from your ngrok dashboard "
                    "(Your Authtoken) into Settings."
                ),
            )
        if self._domain and not _DOMAIN_RE.match(self._domain):
            raise TunnelError(
                TunnelErrorKind.NOT_CONFIGURED,
                Text(
                    "“{domain}” is not a domain name. Type only the domain from your ngrok "
                    "dashboard (Domains), like shop.ngrok.app, or leave it empty.",
                    domain=self._domain,
                ),
            )
        sdk = _import_sdk()
        self._lost_at = self._heard_at = None
        builder: ngrok.SessionBuilder = (
            sdk.SessionBuilder()
            .authtoken(self._authtoken)
            .handle_disconnection(self._on_disconnection)
            .handle_heartbeat(self._on_heartbeat)
        )
        if self._ingress is not None:
            builder = builder.server_addr(self._ingress.server_addr)
            builder = builder.ca_cert(bytearray(self._ingress.ca_cert))
        try:
            session = await asyncio.wait_for(builder.connect(), self._timeout)
        except (ValueError, TimeoutError) as error:
            raise self._sdk_error("session", error) from None
        try:
            endpoint = session.http_endpoint()
            if self._domain:
                endpoint = endpoint.domain(self._domain)
            forward = endpoint.listen_and_forward(f"http://127.0.0.1:{local_port}")
            listener = await asyncio.wait_for(forward, self._timeout)
        except (ValueError, TimeoutError) as error:
            await _close(session)
            raise self._sdk_error("listener", error) from None
        url = listener.url()
        if not url.startswith("https://"):
            await _close(listener, session)
            raise TunnelError(
                TunnelErrorKind.FAILED,
                Text("ngrok opened an address igdesk cannot give to Meta. igdesk will try again."),
                technical=f"listener URL {url!r}",
            )
        self._session, self._listener, self._url = session, listener, url.rstrip("/")
        log.info("ngrok tunnel open at %s", self._url)
        return self._url

    async def stop(self) -> None:
        listener, session = self._listener, self._session
        self._listener = self._session = None
        self._url = None
        if listener is not None or session is not None:
            await _close(listener, session, timeout=self._timeout)
            log.info("ngrok tunnel closed")

    def is_alive(self) -> bool:
        if self._listener is None:
            return False
        lost, heard = self._lost_at, self._heard_at
        if lost is None or (heard is not None and heard >= lost):
            return True
        return self._clock() - lost < self._grace

    def failure(self) -> TunnelError | None:
        if self._lost_at is None or self.is_alive():
            return None
        return TunnelError(
            TunnelErrorKind.DIED,
            Text("The connection to ngrok was lost. igdesk is opening it again."),
            technical=f"disconnected: {self._lost_detail}",
            secrets=(self._authtoken,),
        )

    @property
    def url(self) -> str | None:
        return self._url

    def _on_disconnection(self, addr: str, error: str) -> None:
        # Called by the SDK from its own thread; raising here would end the session.
        self._lost_detail = f"{addr}: {error}"
        self._lost_at = self._clock()

    def _on_heartbeat(self, *latency_ms: int) -> None:
        if latency_ms:  # no argument: a heartbeat went unanswered
            self._heard_at = self._clock()

    def _sdk_error(self, stage: str, error: Exception) -> TunnelError:
        """What the SDK's `error` at `stage` ("session" or "listener") means for the owner."""
        code, detail = ("", "timed out") if isinstance(error, TimeoutError) else _parts(error)
        kind, text = self._meaning(stage, code, detail)
        technical = f"{stage}: {detail} {code}".strip()
        return TunnelError(kind, text, technical=technical, secrets=(self._authtoken,))

    def _meaning(self, stage: str, code: str, detail: str) -> tuple[TunnelErrorKind, Text]:
        refused = stage == "session" and not code and "authentication failed" in detail
        if code in _AUTHTOKEN_REFUSED or refused:
            return TunnelErrorKind.REFUSED, Text(
                "ngrok refused the authtoken. Copy it again from your ngrok dashboard "
                "(Your Authtoken) into Settings."
            )
        if code == _SESSION_LIMIT:
            return TunnelErrorKind.FAILED, Text(
                "Your ngrok account is already in use by another ngrok program. Close it, "
                "and igdesk will try again."
            )
        if self._domain and code in _DOMAIN_REFUSED:
            return TunnelErrorKind.REFUSED, Text(
                "ngrok would not open {domain} for your account. Check the domain in your "
                "ngrok dashboard (Domains) and in Settings.",
                domain=self._domain,
            )
        if code == _DOMAIN_IN_USE:
            return TunnelErrorKind.FAILED, Text(
                "{domain} is already open through another ngrok program. Close it, and "
                "igdesk will try again.",
                domain=self._domain or "ngrok",
            )
        if code:
            return TunnelErrorKind.FAILED, Text(
                "ngrok did not open the tunnel ({code}). igdesk will try again; if this "
                "repeats, look the code up on ngrok's website.",
                code=code,
            )
        return TunnelErrorKind.NO_NETWORK, Text(
            "igdesk could not reach ngrok. Check that this computer is online; igdesk will "
            "try again."
        )


def _import_sdk() -> Any:
    try:
        import ngrok
    except ImportError as error:  # a build without the SDK, or a platform without its wheel
        raise TunnelError(
            TunnelErrorKind.NOT_AVAILABLE,
            Text(
                "The ngrok tunnel is not available in this copy of igdesk. Choose another "
                "tunnel in Settings."
            ),
            technical=f"import ngrok: {error}",
        ) from None
    return ngrok


def _parts(error: Exception) -> tuple[str, str]:
    """The SDK's error code ("" when none) and its detail."""
    args = [str(arg) for arg in error.args]
    code = next((arg for arg in args[2:] if arg.startswith("ERR_NGROK_")), "")
    detail = " ".join(args[:2]) if args else type(error).__name__
    if not code:
        found = re.search(r"ERR_NGROK_\d+", detail)
        code = found.group(0) if found else ""
    return code, detail.replace("\n", " ")


async def _close(*closables: Any, timeout: float = 5.0) -> None:
    """Close listeners and sessions, never raising: stopping must always finish."""
    for item in closables:
        if item is None:
            continue
        try:
            await asyncio.wait_for(item.close(), timeout)
        except (ValueError, TimeoutError) as error:
            log.info("ngrok: closing %s failed (%s)", type(item).__name__, type(error).__name__)
