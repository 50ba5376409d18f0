"""Parse a webhook POST body into typed events, ordered by time.

Only a broken envelope raises (`PayloadError`, for the receiver's 400): bytes that are not UTF-8,
text that is not JSON (or nests deeper than `MAX_DEPTH`), JSON that is not an object, an `object`
other than "instagram", a missing `entry` or one that is not a list. Inside a valid envelope
nothing raises: odd entries and items are skipped with a log line (ids and counts only), and
items of a kind not understood become `UnknownEvent`s that keep the raw item.

No size cap here: the receiver refuses bodies over its limit (1 MiB → 413) before parsing, and
whatever it passes on is parsed whole. Meta batches up to 1,000 updates in one POST.
"""

from __future__ import annotations

import json
import logging
import re
from enum import StrEnum
from typing import Any

from igdesk.graph.values import as_dict, as_str
from igdesk.webhooks.events import Channel, Event, UnknownEvent
from igdesk.webhooks.items import epoch_ms, parse_item

log = logging.getLogger("igdesk.webhooks")

#: The `object` of Instagram deliveries (both flavours).
INSTAGRAM_OBJECT = "instagram"

# A JSON escape of a UTF-16 surrogate: only then can a lone surrogate reach the parsed strings.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

#: Deepest nesting accepted. Meta's deepest shape (a template's buttons) is about 13 levels; the
#: decoder's own limit (~1,000) depends on the caller's stack, and a document near it would make
#: every later `json.dumps` (the archive, a dedupe key) fail, so the limit is set here, well below.
MAX_DEPTH = 64


class PayloadErrorReason(StrEnum):
    """Why a body was refused as a whole."""

    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"
    NOT_AN_OBJECT = "not_an_object"
    WRONG_OBJECT = "wrong_object"
    MISSING_ENTRY = "missing_entry"
    ENTRY_NOT_A_LIST = "entry_not_a_list"
    TOO_DEEP = "too_deep"


class PayloadError(ValueError):
    """The body is not a webhook delivery at all (the receiver answers 400). No content inside."""

    def __init__(self, reason: PayloadErrorReason) -> None:
        super().__init__(f"webhook body refused: {reason.value}")
        self.reason = reason


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _load(body: bytes) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(PayloadErrorReason.NOT_UTF8) from None
    try:
        # RecursionError: absurd nesting; ValueError covers JSONDecodeError, NaN/Infinity and
        # integers longer than Python's digit limit.
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise PayloadError(PayloadErrorReason.NOT_JSON) from None
    if _deeper_than(document, MAX_DEPTH):
        raise PayloadError(PayloadErrorReason.TOO_DEEP)
    if _SURROGATE_ESCAPE.search(text):
        document = _without_lone_surrogates(document)
    return document


def _deeper_than(document: object, limit: int) -> bool:
    """Whether arrays/objects nest more than `limit` levels (iterative: no recursion)."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[Any] | None = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            children = None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _without_lone_surrogates(document: object) -> object:
    """Replace lone UTF-16 surrogates (escaped `\\ud800` with no pair) with U+FFFD.

    Paired escapes (Meta's escaped emoji) are joined by the JSON decoder; a lone one would make
    every later UTF-8 encode (SQLite, logs, the UI) fail, so it is neutralized here, once.
    """
    dumped = json.dumps(document, ensure_ascii=False)
    if not _LONE_SURROGATE.search(dumped):
        return document
    log.warning("webhook body has lone UTF-16 surrogates; replaced with U+FFFD")
    repaired: object = json.loads(_LONE_SURROGATE.sub("\ufffd", dumped))
    return repaired


def _entries(document: object) -> list[Any]:
    envelope = as_dict(document)
    if envelope is None:
        raise PayloadError(PayloadErrorReason.NOT_AN_OBJECT)
    if envelope.get("object") != INSTAGRAM_OBJECT:
        raise PayloadError(PayloadErrorReason.WRONG_OBJECT)
    if "entry" not in envelope:
        raise PayloadError(PayloadErrorReason.MISSING_ENTRY)
    entries = envelope["entry"]
    if not isinstance(entries, list):
        raise PayloadError(PayloadErrorReason.ENTRY_NOT_A_LIST)
    return entries


def _entry_events(entry: dict[str, Any], shop_id: str) -> list[Event]:
    entry_shop = shop_id or as_str(entry.get("id"))
    entry_ms = epoch_ms(entry.get("time"))
    events: list[Event] = []
    skipped = 0
    for key, channel in (("messaging", Channel.MESSAGING), ("standby", Channel.STANDBY)):
        items = entry.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            log.warning("webhook entry %s: %s is not a list; skipped", entry_shop, key)
            continue
        for item in items:
            if not isinstance(item, dict):
                skipped += 1
                continue
            events.append(
                parse_item(item, shop_id=entry_shop, channel=channel, fallback_ms=entry_ms)
            )
    changes = entry.get("changes")
    for change in changes if isinstance(changes, list) else ():
        if not isinstance(change, dict):
            skipped += 1
            continue
        events.append(_change_event(change, entry_shop, entry_ms))
    if skipped:
        log.warning("webhook entry %s: %d items that are not objects skipped", entry_shop, skipped)
    return events


def _change_event(change: dict[str, Any], shop_id: str, entry_ms: int | None) -> Event:
    """A dashboard test payload: `value` is a messaging item (or a comment, kept unknown)."""
    field = as_str(change.get("field"))
    value = as_dict(change.get("value"))
    if value is None:
        return UnknownEvent(
            shop_id=shop_id,
            sender_id="",
            recipient_id="",
            timestamp=entry_ms,
            channel=Channel.CHANGES,
            change_field=field,
            raw=change,
            reason="change_value_not_object",
            keys=tuple(sorted(change)),
        )
    return parse_item(
        value, shop_id=shop_id, channel=Channel.CHANGES, fallback_ms=entry_ms, change_field=field
    )


def _order(event: Event) -> tuple[bool, int]:
    # Events without any time go last; the sort is stable, so ties keep delivery order.
    return (event.timestamp is None, event.timestamp or 0)


def check_envelope(body: bytes) -> int:
    """How many entries the body holds; raises `PayloadError` when it is not a delivery at all.

    The receiver's cheap check before storing a body: the items are not parsed.
    """
    return len(_entries(_load(body)))


def parse_payload(body: bytes, *, shop_id: str = "") -> list[Event]:
    """Every event of a webhook body, oldest first; raises only `PayloadError`.

    `shop_id` is the shop's IG_ID when the caller knows it; otherwise each `entry.id` is taken
    as the shop's id (it is the IG_ID for Instagram Login deliveries). It decides `from_shop` and
    `customer_id` of each event.
    """
    events: list[Event] = []
    bad_entries = 0
    for entry in _entries(_load(body)):
        if isinstance(entry, dict):
            events.extend(_entry_events(entry, shop_id))
        else:
            bad_entries += 1
    if bad_entries:
        log.warning("webhook body: %d entries that are not objects skipped", bad_entries)
    unknown = sum(isinstance(e, UnknownEvent) for e in events)
    log.debug("webhook body: %d events (%d unknown)", len(events), unknown)
    events.sort(key=_order)
    return events
