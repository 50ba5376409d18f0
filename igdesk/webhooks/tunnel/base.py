"""What every tunnel provider is: `Tunnel` (start, stop, alive), `TunnelError`, URL checks.

A tunnel makes the receiver on 127.0.0.1 reachable from Meta at a public https address. Each
provider turns its own failures into a `TunnelError` that carries a catalogue sentence with the
owner's next step, a `kind` (what went wrong) and a technical detail for the log, with every
secret taken out.
"""

from __future__ import annotations

import abc
from enum import StrEnum
from urllib.parse import urlsplit

from igdesk.errors import IgdeskError
from igdesk.graph.redact import redact
from igdesk.i18n import Text

#: The receiver's callback path under the public base URL (design.md, "Command line").
CALLBACK_PATH = "/webhook"


class TunnelErrorKind(StrEnum):
    """What went wrong, and so whether trying again by itself can help."""

    NOT_AVAILABLE = "not_available"  # the provider cannot run in this copy of igdesk
    NOT_INSTALLED = "not_installed"  # a program it needs is not on this computer
    NOT_CONFIGURED = "not_configured"  # Settings miss something or hold something wrong
    REFUSED = "refused"  # the service refused the owner's token or domain
    NO_NETWORK = "no_network"  # the service could not be reached
    FAILED = "failed"  # it did not start, for another reason (timeout, busy, unknown)
    DIED = "died"  # it was running and stopped


#: Kinds that only the owner can fix: the supervisor stops retrying and says so.
OWNER_MUST_ACT = frozenset(
    {
        TunnelErrorKind.NOT_AVAILABLE,
        TunnelErrorKind.NOT_INSTALLED,
        TunnelErrorKind.NOT_CONFIGURED,
        TunnelErrorKind.REFUSED,
    }
)


class TunnelError(IgdeskError):
    """A tunnel that could not start or stopped: a sentence for the owner and a kind.

    `technical` is redacted of the given secrets (and of anything token-shaped) before it is
    kept, so neither `str(error)` nor a log line of it can carry a credential.
    """

    def __init__(
        self,
        kind: TunnelErrorKind,
        text: Text,
        *,
        technical: str = "",
        secrets: tuple[str, ...] = (),
    ) -> None:
        super().__init__(text, technical=redact(technical, secrets) if technical else "")
        self.kind = kind

    @property
    def retryable(self) -> bool:
        """Whether starting again later may work without the owner changing anything."""
        return self.kind not in OWNER_MUST_ACT


class Tunnel(abc.ABC):
    """One way to reach the local receiver from the internet.

    `start` returns the public https base URL (the callback is that plus `/webhook`); a started
    tunnel may be stopped and started again (the supervisor restarts this way). `stop` is safe
    to call at any time, more than once. Implementations never block the event loop.
    """

    #: A short name for logs and Settings ("manual", "ngrok", "cloudflared").
    name: str = "tunnel"

    @abc.abstractmethod
    async def start(self, local_port: int) -> str:
        """Open the tunnel to 127.0.0.1:`local_port`; the public https base URL.

        Raises `TunnelError`.
        """

    @abc.abstractmethod
    async def stop(self) -> None:
        """Close the tunnel and everything it started."""

    @abc.abstractmethod
    def is_alive(self) -> bool:
        """Whether the tunnel started and still carries traffic, as far as igdesk can tell."""

    def failure(self) -> TunnelError | None:
        """Why a started tunnel stopped being alive, when the provider knows."""
        return None

    @property
    @abc.abstractmethod
    def url(self) -> str | None:
        """The public base URL while started, else None."""


def callback_url(base_url: str) -> str:
    """The address to paste into Meta's dashboard for a tunnel's public base URL."""
    return base_url.rstrip("/") + CALLBACK_PATH


def check_public_url(url: str) -> str:
    """`url` as a public base URL (https, a host, no query or fragment), without a trailing
    slash; raises `TunnelError` (NOT_CONFIGURED) saying what to change."""
    cleaned = url.strip()
    if not cleaned:
        raise _bad_url(
            Text("Type your public address in Settings, for example https://shop.example.com.")
        )
    parts = urlsplit(cleaned)
    if parts.scheme.lower() != "https":
        raise _bad_url(
            Text(
                "Meta only sends messages to an address that starts with https://. "
                "Check the public address in Settings."
            ),
            cleaned,
        )
    if parts.username is not None or parts.password is not None:
        # Never echo this address: it holds a password.
        raise _bad_url(_NEEDS_HOST, "an address with a user name or password")
    try:
        port = parts.port
    except ValueError:
        raise _bad_url(_NEEDS_HOST, cleaned) from None
    if not parts.hostname:
        raise _bad_url(_NEEDS_HOST, cleaned)
    if parts.query or parts.fragment or "?" in cleaned or "#" in cleaned:
        raise _bad_url(
            Text(
                "The public address must not contain ? or #. "
                "Remove that part in Settings (igdesk adds /webhook itself)."
            ),
            cleaned,
        )
    netloc = parts.hostname + (f":{port}" if port is not None else "")
    return f"https://{netloc}{parts.path.rstrip('/')}"


_NEEDS_HOST = Text(
    "The public address needs a host name, like https://shop.example.com, and no user name "
    "or password. Check it in Settings."
)


def _bad_url(text: Text, url: str = "") -> TunnelError:
    return TunnelError(TunnelErrorKind.NOT_CONFIGURED, text, technical=f"public URL: {url}")
