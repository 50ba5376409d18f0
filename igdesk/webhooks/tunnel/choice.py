"""The owner's tunnel choice (from Settings) turned into a provider, with its secret from the
keyring through `igdesk.secrets`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from igdesk import secrets
from igdesk.config import Settings
from igdesk.webhooks.tunnel.base import Tunnel
from igdesk.webhooks.tunnel.cloudflared import CloudflaredTunnel
from igdesk.webhooks.tunnel.manual import ManualTunnel
from igdesk.webhooks.tunnel.ngrok_sdk import NgrokTunnel


class TunnelProvider(StrEnum):
    MANUAL = "manual"
    NGROK = "ngrok"
    CLOUDFLARED = "cloudflared"


@dataclass(frozen=True)
class TunnelChoice:
    """What the owner picked; secrets are not here (they stay in the keyring)."""

    provider: TunnelProvider
    public_url: str = ""  # manual: the owner's https address
    ngrok_domain: str = ""  # ngrok: a static domain, or "" for the account's default
    cloudflare_hostname: str = ""  # cloudflared: a named tunnel's hostname, or "" for quick


def tunnel_choice(settings: Settings) -> TunnelChoice:
    """The choice saved in a profile's settings (an unknown provider name: the manual one, whose
    empty address then says what to fill in)."""
    try:
        provider = TunnelProvider(settings.tunnel_provider)
    except ValueError:
        provider = TunnelProvider.MANUAL
    return TunnelChoice(
        provider,
        public_url=settings.tunnel_public_url,
        ngrok_domain=settings.ngrok_domain,
        cloudflare_hostname=settings.cloudflare_hostname,
    )


def make_tunnel(choice: TunnelChoice, profile_key: str) -> Tunnel:
    """The provider for `choice`, its token read now from the keyring (or the environment).

    A missing token is not an error here: the tunnel says so when it starts."""
    if choice.provider is TunnelProvider.NGROK:
        authtoken = secrets.get(profile_key, secrets.Secret.NGROK_AUTHTOKEN)
        return NgrokTunnel(authtoken, domain=choice.ngrok_domain)
    if choice.provider is TunnelProvider.CLOUDFLARED:
        hostname = choice.cloudflare_hostname.strip()
        token = (
            secrets.get(profile_key, secrets.Secret.CLOUDFLARE_TUNNEL_TOKEN) if hostname else None
        )
        return CloudflaredTunnel(token=token, hostname=hostname)
    return ManualTunnel(choice.public_url)
