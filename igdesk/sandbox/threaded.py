"""ThreadedSandbox: a SandboxServer on its own event loop in a daemon thread.

For tests that run igdesk as a subprocess or on another loop (qasync)::

    with ThreadedSandbox(scenario) as sandbox:
        run_igdesk(graph_url=sandbox.url, token=sandbox.token)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from igdesk.sandbox.model import World
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.state import SandboxOptions

T = TypeVar("T")


class ThreadedSandbox:
    """Runs a sandbox until `stop()` (or the end of the `with` block)."""

    def __init__(
        self,
        world: World | dict[str, Any] | Path | None = None,
        *,
        options: SandboxOptions | None = None,
        simulate_every: float | None = None,
        port: int = 0,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._port = port
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="igdesk-sandbox", daemon=True)
        self._server_args: dict[str, Any] = {"options": options, "simulate_every": simulate_every}
        self._world_arg = world
        self.server: SandboxServer | None = None
        self.url = ""

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.server = SandboxServer(self._world_arg, **self._server_args)
            self.url = self._loop.run_until_complete(self.server.start(port=self._port))
        except BaseException as error:  # reported to the starting thread
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self.server.stop())
        self._loop.close()

    def start(self) -> ThreadedSandbox:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise self._error
        return self

    def _server(self) -> SandboxServer:
        assert self.server is not None, "start() the sandbox first"
        return self.server

    @property
    def token(self) -> str:
        return self._server().token

    @property
    def page_token(self) -> str:
        return self._server().page_token

    @property
    def app_secret(self) -> str:
        return self._server().app_secret

    @property
    def meta_app_secret(self) -> str:
        return self._server().meta_app_secret

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the sandbox's loop (e.g. a test's webhook receiver) and wait."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    @property
    def world(self) -> World:
        """Live world object; read it only, change it through the control endpoints."""
        return self._server().world

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
