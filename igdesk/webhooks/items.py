"""One messaging item (`{sender, recipient, timestamp, <event-key>: {...}}`) → one typed event.

Lenient by design: whatever the item holds, the result is an event, `UnknownEvent` when the kind
is not understood or its object lacks what the kind needs. Nothing here raises on content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from igdesk.graph.attachments import parse_attachments
from igdesk.graph.values import as_bool, as_dict, as_int, as_str
from igdesk.webhooks.events import (
    Channel,
    Event,
    HandoverEvent,
    MessageEditEvent,
    MessageEvent,
    PostbackEvent,
    ReactionEvent,
    ReadEvent,
    Referral,
    ReferralEvent,
    StoryRef,
    UnknownEvent,
)

#: Epoch values below this are seconds, not milliseconds (dashboard test payloads send seconds).
_MS_THRESHOLD = 100_000_000_000

_HANDOVER_KEYS = (
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "release_thread_control",
)


def epoch_ms(value: object) -> int | None:
    """An epoch time in ms from ms or seconds, as a number or a numeric string; else None."""
    number = as_int(value)
    if number is None:
        return None
    return number * 1000 if abs(number) < _MS_THRESHOLD else number


def _flag(obj: Mapping[str, Any], key: str) -> bool:
    """True for `true` and for the string "true" (`is_deleted` comes both ways)."""
    return as_bool(obj.get(key)) is True


def _id_of(value: object) -> str:
    return as_str((as_dict(value) or {}).get("id"))


def parse_referral(obj: Mapping[str, Any]) -> Referral:
    ads = as_dict(obj.get("ads_context_data")) or {}
    return Referral(
        ref=as_str(obj.get("ref")),
        source=as_str(obj.get("source")),
        type=as_str(obj.get("type")),
        ad_id=as_str(obj.get("ad_id")),
        ad_title=as_str(ads.get("ad_title")),
        photo_url=as_str(ads.get("photo_url")),
        video_url=as_str(ads.get("video_url")),
    )


def _message(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    mid = as_str(obj.get("mid"))
    if not mid:
        return _unknown(base, "message_without_mid")
    reply = as_dict(obj.get("reply_to")) or {}
    story = as_dict(reply.get("story"))
    quick = as_dict(obj.get("quick_reply"))
    referral = as_dict(obj.get("referral"))
    return MessageEvent(
        **base,
        mid=mid,
        text=as_str(obj.get("text")),
        attachments=tuple(parse_attachments(obj)),
        reply_to_mid=as_str(reply.get("mid")) or None,
        reply_to_story=(
            None
            if story is None
            else StoryRef(
                url=as_str(story.get("url")) or as_str(story.get("link")),
                id=as_str(story.get("id")),
            )
        ),
        is_echo=_flag(obj, "is_echo"),
        is_self=_flag(obj, "is_self"),
        is_deleted=_flag(obj, "is_deleted"),
        is_unsupported=_flag(obj, "is_unsupported"),
        quick_reply_payload=None if quick is None else as_str(quick.get("payload")),
        referral=None if referral is None else parse_referral(referral),
    )


def _reaction(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    mid = as_str(obj.get("mid"))
    if not mid:
        return _unknown(base, "reaction_without_mid")
    return ReactionEvent(
        **base,
        mid=mid,
        action=as_str(obj.get("action")).lower(),
        reaction=as_str(obj.get("reaction")) or None,
        emoji=as_str(obj.get("emoji")) or None,
    )


def _read(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    mid = as_str(obj.get("mid")) or None
    watermark = epoch_ms(obj.get("watermark"))
    if mid is None and watermark is None:
        return _unknown(base, "read_without_mid")
    return ReadEvent(**base, mid=mid, watermark=watermark)


def _edit(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    mid = as_str(obj.get("mid"))
    if not mid:
        return _unknown(base, "message_edit_without_mid")
    return MessageEditEvent(
        **base, mid=mid, text=as_str(obj.get("text")), num_edit=as_int(obj.get("num_edit"))
    )


def _postback(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    return PostbackEvent(
        **base,
        mid=as_str(obj.get("mid")) or None,
        title=as_str(obj.get("title")),
        payload=as_str(obj.get("payload")),
    )


def _referral_event(base: dict[str, Any], obj: dict[str, Any]) -> Event:
    return ReferralEvent(**base, referral=parse_referral(obj))


_Builder = Callable[[dict[str, Any], dict[str, Any]], Event]

# Checked in this order: an item carrying two kinds is read as the first one here.
_KINDS: tuple[tuple[str, _Builder], ...] = (
    ("message", _message),
    ("message_edit", _edit),
    ("reaction", _reaction),
    ("read", _read),
    ("postback", _postback),
    ("referral", _referral_event),
)


def _handover(base: dict[str, Any], action: str, obj: dict[str, Any]) -> Event:
    return HandoverEvent(
        **base,
        action=action,
        previous_owner_app_id=as_str(obj.get("previous_owner_app_id")),
        new_owner_app_id=as_str(obj.get("new_owner_app_id")),
        requested_owner_app_id=as_str(obj.get("requested_owner_app_id")),
        metadata=as_str(obj.get("metadata")),
        control=obj,
    )


def _unknown(base: dict[str, Any], reason: str) -> UnknownEvent:
    raw = base["raw"]
    return UnknownEvent(**base, reason=reason, keys=tuple(sorted(str(k) for k in raw)))


def parse_item(
    item: dict[str, Any],
    *,
    shop_id: str,
    channel: Channel,
    fallback_ms: int | None = None,
    change_field: str = "",
) -> Event:
    """The event one messaging item stands for (never raises on content)."""
    timestamp = epoch_ms(item.get("timestamp"))
    base: dict[str, Any] = {
        "shop_id": shop_id,
        "sender_id": _id_of(item.get("sender")),
        "recipient_id": _id_of(item.get("recipient")),
        "timestamp": fallback_ms if timestamp is None else timestamp,
        "channel": channel,
        "change_field": change_field,
        "raw": item,
    }
    for key, build in _KINDS:
        if key in item:
            obj = as_dict(item[key])
            return _unknown(base, f"{key}_not_object") if obj is None else build(base, obj)
    for key in _HANDOVER_KEYS:
        if key in item:
            obj = as_dict(item[key])
            return _unknown(base, f"{key}_not_object") if obj is None else _handover(base, key, obj)
    return _unknown(base, "unknown_kind")
