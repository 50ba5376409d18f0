"""SandboxServer: the aiohttp application that plays Meta's side on 127.0.0.1.

Webhooks: ``configure_webhook`` (or ``POST /_sandbox/webhook``) sets the app's callback, and
the account's ``POST /me/subscribed_apps`` turns deliveries on; the hub (``state.webhooks``)
runs on this server's loop and stops with it.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from igdesk.sandbox import (
    act_routes,
    control,
    dispatch,
    facebook_login,
    oauth,
    oauth_control,
    webhook_control,
)
from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.media import PREVIEW_SUFFIX, bytes_of, spec_of
from igdesk.sandbox.model import World
from igdesk.sandbox.scenario import build_world, world_from_file
from igdesk.sandbox.simulator import CustomerSimulator
from igdesk.sandbox.state import SandboxOptions, SandboxState

log = logging.getLogger(__name__)


class SandboxServer:
    """A local Graph API emulator with a world, a clock, tokens and control endpoints.

    Give it a World, a scenario dict, or a scenario file (the bundled one by default).
    """

    def __init__(
        self,
        world: World | dict[str, Any] | Path | None = None,
        *,
        clock: SandboxClock | None = None,
        options: SandboxOptions | None = None,
        simulate_every: float | None = None,
    ) -> None:
        self.clock = clock or SandboxClock()
        now = self.clock.now()
        if isinstance(world, World):
            built = world
        elif isinstance(world, dict):
            built = build_world(world, now)
        else:
            built = world_from_file(world, now)
        self.state = SandboxState(
            world=built, clock=self.clock, options=options or SandboxOptions()
        )
        self._runner: web.AppRunner | None = None
        self._simulator = CustomerSimulator(self.state, simulate_every) if simulate_every else None

    @classmethod
    def from_default_scenario(cls, **kwargs: Any) -> SandboxServer:
        """A server on the bundled Toko Batik Sari world (resources/sandbox/scenario.json)."""
        return cls(None, **kwargs)

    # -- what tests and the CLI read -------------------------------------------------------

    @property
    def world(self) -> World:
        return self.state.world

    @property
    def url(self) -> str:
        return self.state.base_url

    @property
    def token(self) -> str:
        """Instagram Login (flavour A) access token."""
        return self.state.token

    @property
    def page_token(self) -> str:
        """Facebook Page (flavour B) access token."""
        return self.state.page_token

    @property
    def app_secret(self) -> str:
        """The Instagram app secret: code exchange, and webhook signatures by default."""
        return self.state.app_secret

    @property
    def meta_app_secret(self) -> str:
        """The Meta app secret (App settings > Basic): signs webhooks when switched to it."""
        return self.state.meta_app_secret

    async def configure_webhook(
        self, callback_url: str, verify_token: str, fields: list[str], *, subscribe: bool = True
    ) -> None:
        """The dashboard step (verification handshake included; WebhookRefused if it fails),
        and with `subscribe` the account-level subscription a client would make itself."""
        await self.state.webhooks.configure(callback_url, verify_token, fields)
        if subscribe:
            self.world.subscribed_fields = list(fields)

    # -- lifecycle -------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        state = self.state
        app = web.Application(middlewares=[control.loopback_only], client_max_size=8 * 1024**2)

        async def graph(request: web.Request) -> web.StreamResponse:
            return await dispatch.graph_entry(state, request)

        async def media(request: web.Request) -> web.StreamResponse:
            return await serve_media(state, request)

        async def authorize(request: web.Request) -> web.StreamResponse:
            return await oauth.authorize_page(state, request)

        async def decide(request: web.Request) -> web.StreamResponse:
            return await oauth.authorize_decision(state, request)

        async def code_exchange(request: web.Request) -> web.StreamResponse:
            return await oauth.exchange_code(state, request)

        app.add_routes(control.routes(state))
        app.add_routes(act_routes.routes(state))
        app.add_routes(webhook_control.routes(state))
        app.add_routes(oauth_control.routes(state))
        app.add_routes(facebook_login.routes(state))
        app.add_routes(
            [
                web.get("/media/{ref}", media),
                web.get("/oauth/authorize", authorize),
                web.post("/oauth/authorize", decide),
                web.post("/oauth/access_token", code_exchange),
                web.route("*", "/{tail:.*}", graph),
            ]
        )
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening; returns the base URL (http://127.0.0.1:PORT)."""
        self.state.stopping.clear()
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.state.base_url = f"http://{host}:{bound}"
        if self._simulator:
            self._simulator.start()
        return self.state.base_url

    async def stop(self) -> None:
        self.state.stopping.set()
        if self._simulator:
            await self._simulator.stop()
        await self.state.webhooks.close()
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
            self._runner = None


async def serve_media(state: SandboxState, request: web.Request) -> web.StreamResponse:
    """A signed media URL: the real bytes, or 403 once the signature expired."""
    ref = request.match_info["ref"]
    base = ref.removesuffix(PREVIEW_SUFFIX)
    key = state.world.media.get(base)
    if key is None:
        return web.Response(status=404, text="Not Found")
    problem = state.signer.check(ref, request.query.get("exp", ""), request.query.get("sig", ""))
    if problem:
        return web.Response(status=403, text=problem)
    uploads = state.world.uploads
    if ref.endswith(PREVIEW_SUFFIX):
        key = spec_of(uploads, key).preview or key
    spec = spec_of(uploads, key)
    return web.Response(
        body=bytes_of(uploads, key),
        content_type=spec.content_type,
        headers={"Cache-Control": "max-age=3600"},
    )
