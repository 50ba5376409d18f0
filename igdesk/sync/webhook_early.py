"""Reactions and edits that arrive before their message: kept, then applied when it comes.

Meta does not promise the order of deliveries: a customer's reaction (or the edit of their
message) may reach the receiver before the message it is about. Such a revision is noted in the
sync state under the message's id (`EARLY_KEY`), as a small JSON record with when it was noted,
and `webhook_jobs` applies the notes, in order, to the message when it is stored. Notes older
than the dedupe window are dropped with the dedupe keys (a message that never arrived by
webhook was stored by a poll, which read its reactions and text from the API). Runs on the
archive's writer thread, inside the caller's transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from igdesk.domain import Message, Reaction, format_graph_time, parse_graph_time
from igdesk.store import Archive
from igdesk.store.timeconv import from_ms

log = logging.getLogger("igdesk.sync.webhooks")

#: Sync-state key prefix: revisions of a mid the archive did not hold yet.
EARLY_KEY = "webhook.early:"

Revision = Callable[[Message], Message]


def reaction(actor: str, emoji: str, *, unreact: bool) -> dict[str, Any]:
    return {"kind": "reaction", "actor": actor, "emoji": emoji, "unreact": unreact}


def edit(text: str) -> dict[str, Any]:
    return {"kind": "edit", "text": text}


def revision(record: dict[str, Any]) -> Revision:
    """The change a record stands for (an unknown record changes nothing)."""
    kind = record.get("kind")
    if kind == "reaction":
        actor, emoji = str(record.get("actor", "")), str(record.get("emoji", ""))
        unreact = bool(record.get("unreact")) or not emoji

        def react(stored: Message) -> Message:
            others = tuple(r for r in stored.reactions if r.user_id != actor)
            if unreact:
                return replace(stored, reactions=others)
            return replace(stored, reactions=(*others, Reaction(user_id=actor, emoji=emoji)))

        return react
    if kind == "edit":
        text = str(record.get("text", ""))

        def edited(stored: Message) -> Message:
            if stored.deleted or not text:
                return stored
            return replace(stored, text=text)

        return edited
    return lambda stored: stored


def note(archive: Archive, mid: str, record: dict[str, Any]) -> None:
    """Keep `record` until the message `mid` is stored."""
    key = EARLY_KEY + mid
    records = _records(archive.state.get(key))
    noted = from_ms(archive.db.now_ms())  # the archive's clock
    records.append({**record, "noted": format_graph_time(noted)})
    archive.state.set(key, json.dumps(records, ensure_ascii=False))
    log.info("webhook %s before its message %s: kept until it arrives", record["kind"], mid)


def apply_noted(archive: Archive, message: Message) -> Message:
    """`message` with the revisions noted for it applied in order (the notes are removed)."""
    key = EARLY_KEY + message.id
    records = _records(archive.state.get(key))
    if not records:
        return message
    archive.state.delete(key)
    for record in records:
        message = revision(record)(message)
    return message


def forget_before(archive: Archive, moment: datetime) -> int:
    """Drop notes whose newest record is older than `moment`; how many messages' notes."""
    dropped = 0
    for key, value in archive.state.with_prefix(EARLY_KEY).items():
        if all(_noted(record) < moment for record in _records(value)):
            archive.state.delete(key)
            dropped += 1
    return dropped


def _noted(record: dict[str, Any]) -> datetime:
    """When a record was noted (a damaged time: long ago, so it is dropped)."""
    try:
        return parse_graph_time(str(record.get("noted", "")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _records(value: str | None) -> list[dict[str, Any]]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return []
    return [r for r in loaded if isinstance(r, dict)] if isinstance(loaded, list) else []
