"""The export contract: one plain dict per thread, the shape `igdesk export` prints as JSON lines.

Changing a key here breaks other tools: add keys only, never rename or remove one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from igdesk.domain import Attachment, Message
from igdesk.store.contacts import Contacts
from igdesk.store.messages import Messages
from igdesk.store.threads import ThreadRow, Threads
from igdesk.store.timeconv import iso


def _attachment_dict(item: Attachment) -> dict[str, Any]:
    """`type` and `url`; a template card adds its image, words and buttons."""
    out: dict[str, Any] = {"type": item.type, "url": item.url}
    if item.type == "template":
        out.update(
            image_url=item.preview_url,
            title=item.title,
            subtitle=item.subtitle,
            buttons=[{"title": b.title, "url": b.url} for b in item.buttons],
        )
    return out


def _message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "from": message.sender_id,
        "created_time": iso(message.created_time),
        "text": message.text,
        "attachments": [_attachment_dict(item) for item in message.attachments],
        "reply_to": message.reply_to,
        "is_from_shop": message.is_from_shop,
        "deleted": message.deleted,
    }


class Export:
    """The records `igdesk export` prints, read through the other parts: `archive.export`."""

    def __init__(self, threads: Threads, messages: Messages, contacts: Contacts) -> None:
        self._threads = threads
        self._messages = messages
        self._contacts = contacts

    def records(self) -> Iterator[dict[str, Any]]:
        """Every thread (denied ones too), newest first, each with all its messages oldest first."""
        for thread in self._threads.newest_first():
            yield self.record(thread)

    def record(self, thread: ThreadRow) -> dict[str, Any]:
        """One thread's record, with all its messages oldest first."""
        contact = self._contacts.get(thread.contact_id)
        return {
            "id": thread.id,
            "folder": thread.folder.value,
            "contact": {
                "id": thread.contact_id,
                "username": contact.username if contact else "",
                "name": contact.name if contact else "",
                "follows_business": contact.follows_business if contact else None,
            },
            "updated_time": iso(thread.updated_time),
            "unread": thread.unread,
            "messages": [_message_dict(m) for m in self._messages.of_thread(thread.id)],
        }
