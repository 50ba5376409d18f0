"""A local emulator of Meta's Graph API (Instagram messaging) with a demo world.

Plays Meta's side for `igdesk sandbox serve`, `igdesk --sandbox` and the integration tests.
It follows shared/instagram-api.md, never the client: it imports only igdesk.domain.
"""

from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.model import World
from igdesk.sandbox.scenario import ScenarioError, build_world, load_scenario
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.state import SandboxOptions
from igdesk.sandbox.threaded import ThreadedSandbox

__all__ = [
    "SandboxClock",
    "SandboxOptions",
    "SandboxServer",
    "ScenarioError",
    "ThreadedSandbox",
    "World",
    "build_world",
    "load_scenario",
]
