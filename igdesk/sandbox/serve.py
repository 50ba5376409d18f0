"""`igdesk sandbox serve`: run the sandbox alone and print how to reach it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

from igdesk.sandbox.server import SandboxServer


async def serve(port: int, scenario: Path | None, simulate: float | None) -> None:
    """Serve until Ctrl+C or SIGTERM. Prints the URL, tokens and app secrets first."""
    server = SandboxServer(scenario, simulate_every=simulate)
    url = await server.start(port=port)
    print(f"Sandbox running at {url}")
    print(f"Access token: {server.token}")
    print(f"Page access token: {server.page_token}")
    print(f"App secret: {server.app_secret}")
    print(f"Meta app secret: {server.meta_app_secret}")
    print(f"Instagram app ID: {server.world.shop.app_id}")
    print(f"Meta app ID: {server.state.oauth.meta_app_id}")
    print(f"Redirect URI: {server.state.oauth.redirect_uris[0]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: no handlers
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def run_serve(port: int, scenario_path: Path | None, simulate_every: float | None) -> None:
    """Blocking entry point for the CLI.

    Raises ScenarioError (a ValueError, with where and why) for a bad scenario file and
    OSError when the port cannot be bound; returns when stopped by Ctrl+C or SIGTERM.
    """
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(port, scenario_path, simulate_every))
