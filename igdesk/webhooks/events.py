"""The typed, frozen events one webhook delivery is parsed into (see `payload.parse_payload`).

Every event keeps the messaging item it came from in `raw` (left out of equality and repr), the
shop's IG_ID it was delivered for, and where in the envelope it was found. `dedupe_key` is what
a retried delivery repeats exactly: a message's mid, but never the bare mid of a reaction, read
or edit, which is the id of the message they are *about*.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from igdesk.domain import Attachment


class Channel(StrEnum):
    """Where in an `entry` the item was found."""

    MESSAGING = "messaging"  # entry[].messaging[]: the app owns the conversation
    STANDBY = "standby"  # entry[].standby[]: another app owns it (handover / routing)
    CHANGES = "changes"  # entry[].changes[].value: dashboard "Test" payloads


@dataclass(frozen=True, kw_only=True)
class WebhookEvent:
    """What every event carries: ids, time and origin. Ids only: safe to log."""

    #: The shop's IG_ID: the caller's when given to `parse_payload`, else `entry.id`.
    shop_id: str
    sender_id: str
    recipient_id: str
    #: Milliseconds since the epoch (`messaging[].timestamp`, else `entry.time`); None if neither.
    timestamp: int | None
    channel: Channel = Channel.MESSAGING
    #: The `changes[].field` name for the changes form ("messages", "comments", …), else "".
    change_field: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def standby(self) -> bool:
        return self.channel is Channel.STANDBY

    @property
    def from_shop(self) -> bool:
        """Whether the shop is the actor (sent, reacted, read) rather than the customer."""
        return bool(self.shop_id) and self.sender_id == self.shop_id

    @property
    def customer_id(self) -> str:
        """The customer's IGSID: the recipient when the shop acted, else the sender."""
        return self.recipient_id if self.from_shop else self.sender_id

    @property
    def time(self) -> datetime | None:
        """`timestamp` as an aware UTC datetime; None when missing or out of range."""
        if self.timestamp is None:
            return None
        try:
            return datetime.fromtimestamp(self.timestamp / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def dedupe_key(self) -> str:
        """Equal for the same event delivered twice: a digest of the whole item."""
        canonical = json.dumps(self.raw, sort_keys=True, ensure_ascii=True, default=str)
        digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]
        return f"{type(self).__name__}:{digest}"


@dataclass(frozen=True)
class StoryRef:
    """The story a message replies to (`reply_to.story`); the URL expires with the story."""

    url: str
    id: str


@dataclass(frozen=True)
class Referral:
    """How a customer reached the thread: an ig.me link, an ad, … (`referral` object)."""

    ref: str = ""
    source: str = ""
    type: str = ""
    ad_id: str = ""
    ad_title: str = ""
    photo_url: str = ""
    video_url: str = ""


@dataclass(frozen=True, kw_only=True)
class MessageEvent(WebhookEvent):
    """A `message`: a customer's, or the shop's own send echoed back (`is_echo`)."""

    mid: str
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to_mid: str | None = None
    reply_to_story: StoryRef | None = None
    is_echo: bool = False
    is_self: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False
    #: `quick_reply.payload` when the customer tapped a quick reply, else None.
    quick_reply_payload: str | None = None
    referral: Referral | None = None

    @property
    def from_shop(self) -> bool:
        return self.is_echo or super().from_shop

    @property
    def dedupe_key(self) -> str:
        # An unsend reuses the mid of the message it removes: it must not count as a repeat.
        return f"message:{self.mid}:deleted" if self.is_deleted else f"message:{self.mid}"


@dataclass(frozen=True, kw_only=True)
class ReactionEvent(WebhookEvent):
    """`reaction`: `action` is "react" or "unreact"; an unreact carries no reaction or emoji."""

    mid: str
    action: str
    reaction: str | None = None
    emoji: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReadEvent(WebhookEvent):
    """`read` (messaging_seen): up to a message id, or (older form) a watermark in ms."""

    mid: str | None = None
    watermark: int | None = None


@dataclass(frozen=True, kw_only=True)
class MessageEditEvent(WebhookEvent):
    """`message_edit`: the message's new text and how many times it has been edited."""

    mid: str
    text: str = ""
    num_edit: int | None = None

    @property
    def dedupe_key(self) -> str:
        if self.num_edit is None:
            return super().dedupe_key
        return f"message_edit:{self.mid}:{self.num_edit}"


@dataclass(frozen=True, kw_only=True)
class PostbackEvent(WebhookEvent):
    """`postback`: an ice breaker, persistent-menu or template button was tapped."""

    mid: str | None = None
    title: str = ""
    payload: str = ""


@dataclass(frozen=True, kw_only=True)
class ReferralEvent(WebhookEvent):
    """`referral`: a customer opened an existing thread through an ig.me link or an ad."""

    referral: Referral


@dataclass(frozen=True, kw_only=True)
class HandoverEvent(WebhookEvent):
    """Thread control moved (`messaging_handover`); the inner object is kept as `control`."""

    #: The item's key: pass_thread_control, take_thread_control, request_thread_control, ….
    action: str
    previous_owner_app_id: str = ""
    new_owner_app_id: str = ""
    requested_owner_app_id: str = ""
    metadata: str = ""
    control: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(WebhookEvent):
    """Anything not understood (an optin, a comment, a message without mid, …), kept raw."""

    #: Why it is unknown, e.g. "unknown_kind", "message_without_mid", "reaction_not_object".
    reason: str
    #: The item's top-level keys, sorted (names only: safe to log).
    keys: tuple[str, ...] = ()


Event = (
    MessageEvent
    | ReactionEvent
    | ReadEvent
    | MessageEditEvent
    | PostbackEvent
    | ReferralEvent
    | HandoverEvent
    | UnknownEvent
)
