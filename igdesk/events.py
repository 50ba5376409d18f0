"""The closed set of events the core sends up to a front end (the window or a headless loop).

Plain dataclasses: the core stays Qt-free, and one bridge object in `ui/` turns them into signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from igdesk.domain import Folder, Message
from igdesk.i18n import Text
from igdesk.views import ThreadView

log = logging.getLogger("igdesk.events")


@dataclass(frozen=True)
class ThreadsChanged:
    """These threads were created or changed (messages, folder, read state): their views as
    they are now, and the unread counts of every folder after the change."""

    threads: tuple[ThreadView, ...]
    unread_counts: Mapping[Folder, int]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        return tuple(thread.id for thread in self.threads)


@dataclass(frozen=True)
class MessagesAdded:
    """New messages were stored in a thread (also sent when stored ones changed)."""

    thread_id: str
    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class CustomerWrote:
    """A customer's new message arrived: what a notification is about (its thread's view
    carries the folder and the customer's name)."""

    thread: ThreadView
    message: Message


@dataclass(frozen=True)
class OutboxChanged:
    """A reply in the outbox was queued, sent, failed or removed."""

    thread_id: str
    entry_id: int


@dataclass(frozen=True)
class SyncStatus:
    """Where syncing stands, for the status bar."""

    syncing: bool
    last_sync: datetime | None
    next_poll: datetime | None
    rate_limited_until: datetime | None
    offline: bool
    #: What the last pass could not do, translated where shown; None: nothing.
    problem: Text | None = None


@dataclass(frozen=True)
class SignInNeeded:
    """The token was refused: the owner must sign in again. The archive stays readable."""

    text: Text


@dataclass(frozen=True)
class WebhookStatus:
    """How webhooks stand for a real account (igdesk/webhooks/link.py), for the status bar."""

    #: The receiver listens on 127.0.0.1.
    receiving: bool
    #: The tunnel provider's name ("manual", "ngrok", "cloudflared"; "sandbox" in the demo).
    tunnel: str
    #: The address to give Meta's dashboard while the tunnel is up; None while it is down.
    callback_url: str | None
    #: What is wrong with the tunnel (or what the owner must do after it changed address).
    tunnel_problem: Text | None
    #: Whether Meta lists the messaging fields for the account; None: not known (yet).
    subscribed: bool | None
    subscription_problem: Text | None
    #: The tunnel came back at a new address that Meta's dashboard does not know yet.
    url_changed: bool = False

    @property
    def problems(self) -> list[Text]:
        """What is wrong, each with the owner's next step (none while healthy)."""
        return [t for t in (self.tunnel_problem, self.subscription_problem) if t is not None]

    @property
    def healthy(self) -> bool:
        """Meta can deliver: polling may slow down to a safety net."""
        return (
            self.receiving
            and self.callback_url is not None
            and self.subscribed is True
            and not self.url_changed
        )


Event = (
    ThreadsChanged
    | MessagesAdded
    | CustomerWrote
    | OutboxChanged
    | SyncStatus
    | SignInNeeded
    | WebhookStatus
)
Listener = Callable[[Event], None]


class EventHub:
    """Fans events out to listeners; a failing listener is logged, never breaks the core."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")
