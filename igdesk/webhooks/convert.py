"""Webhook events → domain objects, so webhooks feed the same ingest path as polling."""

from __future__ import annotations

import logging
from datetime import datetime

from igdesk.domain import Message
from igdesk.webhooks.events import MessageEvent

log = logging.getLogger("igdesk.webhooks")


def to_message(
    event: MessageEvent,
    *,
    shop_id: str,
    thread_id: str,
    received_at: datetime | None = None,
) -> Message | None:
    """The domain `Message` a message event stands for, in thread `thread_id`.

    `shop_id` is the shop's IG_ID (the event's own `shop_id` when empty); an echo is the
    shop's whatever its ids say. A story reply is the "story_reply" attachment, as in polling;
    `reply_to` is the mid of an inline reply. The time is the event's; `received_at` stands in
    for a delivery without a usable timestamp, and without either the event is skipped (None,
    logged), as `graph.parse.parse_message` skips a message it cannot place.
    """
    created = event.time or received_at
    if created is None:
        log.warning("webhook message %s has no usable timestamp; skipped", event.mid)
        return None
    shop = shop_id or event.shop_id
    from_shop = event.is_echo or (bool(shop) and event.sender_id == shop)
    return Message(
        id=event.mid,
        thread_id=thread_id,
        sender_id=event.sender_id,
        created_time=created,
        text="" if event.is_deleted else event.text,
        attachments=() if event.is_deleted else event.attachments,
        reply_to=event.reply_to_mid,
        is_from_shop=from_shop,
        deleted=event.is_deleted,
        unsupported=event.is_unsupported,
        raw=dict(event.raw),
    )
