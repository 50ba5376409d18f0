"""The export contract: one plain dict per thread, the shape `igdesk export` prints as JSON lines.

Changing a key here breaks other tools: add keys only, never rename or remove one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from igdesk.domain import Attachment, Message
from igdesk.store.contacts import ContactsMixin
from igdesk.store.messages import MessagesMixin
from igdesk.store.threads import ThreadRow, ThreadsMixin
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


class ExportMixin(ThreadsMixin, MessagesMixin, ContactsMixin):
    """`iter_export`."""

    def iter_export(self) -> Iterator[dict[str, Any]]:
        """Every thread (denied ones too), newest first, each with all its messages oldest first."""
        for thread in self.threads():
            yield self.export_thread(thread)

    def export_thread(self, thread: ThreadRow) -> dict[str, Any]:
        """One thread's record, with all its messages oldest first."""
        contact = self.contact(thread.contact_id)
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
            "messages": [_message_dict(message) for message in self.messages(thread.id)],
        }
