"""The owner's own public https address (a reverse proxy, a router, a server): no tunnel to run."""

from __future__ import annotations

from igdesk.webhooks.tunnel.base import Tunnel, check_public_url


class ManualTunnel(Tunnel):
    """ "I have my own public URL": checks the address and hands it back; always alive once
    started, since igdesk cannot see the owner's proxy from the inside."""

    name = "manual"

    def __init__(self, public_url: str) -> None:
        self._public_url = public_url
        self._url: str | None = None

    async def start(self, local_port: int) -> str:
        self._url = check_public_url(self._public_url)
        return self._url

    async def stop(self) -> None:
        self._url = None

    def is_alive(self) -> bool:
        return self._url is not None

    @property
    def url(self) -> str | None:
        return self._url
