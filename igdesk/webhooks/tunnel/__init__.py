"""Tunnels: a public https address for the receiver on 127.0.0.1, so Meta can deliver webhooks.

Providers share one small interface (`Tunnel`: `start(port) -> url`, `stop()`, `is_alive()`):
`ManualTunnel` (the owner's own address), `NgrokTunnel` (the ngrok SDK) and `CloudflaredTunnel`
(the `cloudflared` program, quick or named). `TunnelSupervisor` keeps the chosen one up and
reports `TunnelUp` / `TunnelDown` events through a plain callback. Qt-free.
"""

from igdesk.webhooks.tunnel.base import (
    CALLBACK_PATH,
    Tunnel,
    TunnelError,
    TunnelErrorKind,
    callback_url,
    check_public_url,
)
from igdesk.webhooks.tunnel.choice import TunnelChoice, TunnelProvider, make_tunnel, tunnel_choice
from igdesk.webhooks.tunnel.cloudflared import CloudflaredTunnel
from igdesk.webhooks.tunnel.manual import ManualTunnel
from igdesk.webhooks.tunnel.ngrok_sdk import NgrokIngress, NgrokTunnel
from igdesk.webhooks.tunnel.supervisor import (
    Backoff,
    TunnelDown,
    TunnelEvent,
    TunnelSupervisor,
    TunnelUp,
)

__all__ = [
    "CALLBACK_PATH",
    "Backoff",
    "CloudflaredTunnel",
    "ManualTunnel",
    "NgrokIngress",
    "NgrokTunnel",
    "Tunnel",
    "TunnelChoice",
    "TunnelDown",
    "TunnelError",
    "TunnelErrorKind",
    "TunnelEvent",
    "TunnelProvider",
    "TunnelSupervisor",
    "TunnelUp",
    "callback_url",
    "check_public_url",
    "make_tunnel",
    "tunnel_choice",
]
