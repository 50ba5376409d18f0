"""The one bridge from the core's plain event stream to Qt signals."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from igdesk.events import (
    CustomerWrote,
    Event,
    EventHub,
    MessagesAdded,
    OutboxChanged,
    SignInNeeded,
    SyncStatus,
    ThreadsChanged,
    WebhookStatus,
)


class CoreBridge(QObject):
    """Re-emits core events as signals (they arrive on the qasync loop, the Qt thread)."""

    threads_changed = Signal(object)  # ThreadsChanged: the threads' views and unread counts
    messages_added = Signal(str, list)  # thread id, list[str] message ids
    customer_wrote = Signal(object)  # CustomerWrote: the thread's view and the message
    outbox_changed = Signal(str, int)  # thread id, outbox entry id
    sync_status = Signal(object)  # SyncStatus
    sign_in_needed = Signal(object)  # Text: the sentence, translated where it is shown
    webhook_status = Signal(object)  # WebhookStatus

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = hub.subscribe(self._on_event)

    def detach(self) -> None:
        """Stop listening (the window calls this when it closes)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: Event) -> None:
        match event:
            case ThreadsChanged():
                self.threads_changed.emit(event)
            case MessagesAdded(thread_id=thread_id, message_ids=ids):
                self.messages_added.emit(thread_id, list(ids))
            case CustomerWrote():
                self.customer_wrote.emit(event)
            case OutboxChanged(thread_id=thread_id, entry_id=entry_id):
                self.outbox_changed.emit(thread_id, entry_id)
            case SyncStatus():
                self.sync_status.emit(event)
            case SignInNeeded(text=text):
                self.sign_in_needed.emit(text)
            case WebhookStatus():
                self.webhook_status.emit(event)
