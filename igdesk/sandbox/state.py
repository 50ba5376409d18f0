"""The sandbox's shared state: world, clock, tokens, faults, limits, logs, webhooks and options.

Two app secrets, as a Meta app with Instagram Login has: ``app_secret`` is the Instagram app
secret (code exchange, and the key that signs webhooks by default, per instagram-api.md's
"webhook signing secret" row); ``meta_app_secret`` is the one under App settings > Basic
(``appsecret_proof`` keeps using ``app_secret``, as before). Which one signs webhooks is
``WebhookSettings.signing_secret`` ("instagram" or "meta").
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from igdesk.domain import format_graph_time
from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.faults import FaultBook
from igdesk.sandbox.media import MediaSigner
from igdesk.sandbox.model import World
from igdesk.sandbox.oauth_config import OAuthConfig
from igdesk.sandbox.ratelimit import SlidingWindow, UsageMeter
from igdesk.sandbox.render import RenderContext
from igdesk.sandbox.tokens import TokenRegistry
from igdesk.sandbox.webhooks import WebhookHub, WebhookSettings


@dataclass
class SandboxOptions:
    """Knobs of one sandbox server; the defaults are Meta's real values."""

    conversations_rate: float = 2.0  # calls per second per account
    rate_window: float = 5.0
    send_rate: float = 100.0  # text, links, reactions, stickers, images, files: per second
    send_media_rate: float = 10.0  # audio and video sends: per second
    fetch_timeout: float = 10.0  # seconds Meta's side waits for an attachment URL
    page_size: int = 5
    max_page_size: int = 50
    media_ttl: float = 3600.0  # seconds of sandbox clock
    max_nested_messages: int = 500  # nested message objects one conversations page may carry
    require_app_secret: bool = False  # Page-token calls need appsecret_proof (World flag)
    app_secret: str | None = None
    meta_app_secret: str | None = None
    token: str | None = None
    page_token: str | None = None
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)


@dataclass
class SandboxState:
    """Everything a handler may read or change."""

    world: World
    clock: SandboxClock
    options: SandboxOptions
    app_secret: str = ""
    meta_app_secret: str = ""
    base_url: str = ""
    tokens: TokenRegistry = field(init=False)
    faults: FaultBook = field(default_factory=FaultBook)
    signer: MediaSigner = field(init=False)
    conversations_limit: SlidingWindow = field(init=False)
    send_limit: SlidingWindow = field(init=False)
    send_media_limit: SlidingWindow = field(init=False)
    usage: UsageMeter = field(init=False)
    requests_log: list[dict[str, Any]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    token: str = ""
    page_token: str = ""
    oauth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    oauth: OAuthConfig = field(default_factory=OAuthConfig)
    webhooks: WebhookHub = field(init=False)

    def __post_init__(self) -> None:
        self.options = replace(self.options)  # changed at run time through the control API
        if self.options.require_app_secret:
            self.world.require_app_secret = True
        self.app_secret = self.options.app_secret or secrets.token_hex(16)
        self.meta_app_secret = self.options.meta_app_secret or secrets.token_hex(16)
        self.webhooks = WebhookHub(
            self.world,
            self.clock,
            self.options.webhooks,
            {"instagram": self.app_secret, "meta": self.meta_app_secret},
        )
        self.tokens = TokenRegistry(self.clock)
        self.signer = MediaSigner(
            self.app_secret.encode() + b"/media", self.clock, self.options.media_ttl
        )
        self.conversations_limit = SlidingWindow(
            self.options.conversations_rate, self.options.rate_window
        )
        self.send_limit = SlidingWindow(self.options.send_rate, 1.0)
        self.send_media_limit = SlidingWindow(self.options.send_media_rate, 1.0)
        self.usage = UsageMeter(self.conversations_limit)
        self.token = self.tokens.issue("instagram", lifetime=None, value=self.options.token)
        self.page_token = self.tokens.issue("page", lifetime=None, value=self.options.page_token)

    def now_text(self) -> str:
        return format_graph_time(self.clock.now())

    def render_context(self, call: GraphCall) -> RenderContext:
        return RenderContext(
            world=self.world,
            signer=self.signer,
            base_url=self.base_url,
            version_path=call.version_path,
            carried_query=call.token_query(),
            now=self.clock.now(),
            default_limit=self.options.page_size,
            max_limit=self.options.max_page_size,
        )
