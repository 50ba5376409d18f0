"""Conversations a sync pass could not read: why, since when, and when to try again.

A conversation whose read fails (Instagram refuses it, answers with a server error, or sends
something unusable) is remembered in the archive's sync state, so a pass never calls itself a
success while one is missing, `doctor` can list them, and each is tried again with a growing
wait (one minute, doubling, at most six hours) instead of on every poll for ever.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from igdesk.domain import parse_graph_time
from igdesk.graph.errors import BadResponseError, GraphError, InvalidRequestError
from igdesk.i18n import Text

log = logging.getLogger("igdesk.sync")

#: Sync-state key of the unreadable conversations.
STATE_KEY = "threads.unreadable"
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)


@dataclass(frozen=True)
class Unreadable:
    """One conversation that could not be read, and when it is next tried."""

    thread_id: str
    customer_id: str
    #: "refused" (Instagram said no), "server" (Instagram's side failed), "answer" (unusable).
    reason: str
    code: int | None
    failures: int
    since: str
    retry_at: str

    def due(self, now: datetime) -> bool:
        return parse_graph_time(self.retry_at) <= now


def reason_of(error: GraphError) -> tuple[str, int | None]:
    """The kind of failure and the code (or HTTP status) to show for it."""
    if isinstance(error, BadResponseError):
        return "answer", error.code
    if isinstance(error, InvalidRequestError):
        return "refused", error.code if error.code is not None else error.http_status
    return "server", error.code if error.code is not None else error.http_status


class UnreadableThreads:
    """The unreadable conversations of one archive, loaded and saved as JSON in sync state."""

    def __init__(self, entries: dict[str, Unreadable] | None = None) -> None:
        self._entries = dict(entries or {})
        self.changed = False

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._entries

    def entries(self) -> list[Unreadable]:
        return sorted(self._entries.values(), key=lambda entry: entry.since)

    def get(self, thread_id: str) -> Unreadable | None:
        return self._entries.get(thread_id)

    def waiting(self, thread_id: str, now: datetime) -> bool:
        """True when the conversation failed before and its next try is not due yet."""
        entry = self._entries.get(thread_id)
        return entry is not None and not entry.due(now)

    def due(self, now: datetime) -> list[Unreadable]:
        return [entry for entry in self.entries() if entry.due(now)]

    def failed(self, thread_id: str, customer_id: str, error: GraphError, now: datetime) -> None:
        reason, code = reason_of(error)
        before = self._entries.get(thread_id)
        failures = before.failures + 1 if before else 1
        wait = min(FIRST_RETRY * 2 ** (failures - 1), MAX_RETRY)
        self._entries[thread_id] = Unreadable(
            thread_id=thread_id,
            customer_id=customer_id or (before.customer_id if before else ""),
            reason=reason,
            code=code,
            failures=failures,
            since=before.since if before else now.isoformat(),
            retry_at=(now + wait).isoformat(),
        )
        self.changed = True

    def read(self, thread_id: str) -> None:
        if self._entries.pop(thread_id, None) is not None:
            self.changed = True

    def dumps(self) -> str:
        return json.dumps({key: asdict(entry) for key, entry in self._entries.items()})

    @classmethod
    def loads(cls, text: str | None) -> UnreadableThreads:
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            entries = {key: Unreadable(**value) for key, value in raw.items()}
            for entry in entries.values():
                parse_graph_time(entry.retry_at)
        except (ValueError, TypeError, AttributeError):
            log.warning("saved unreadable conversations unusable; they are read again")
            return cls()
        return cls(entries)


def unreadable_text(entries: list[Unreadable]) -> Text | None:
    """ "3 conversations could not be read: Instagram refused the request (code 100). …"."""
    if not entries:
        return None
    (reason, code), _ = Counter((e.reason, e.code) for e in entries).most_common(1)[0]
    why: Text
    if reason == "answer":
        why = Text("Instagram's answer could not be read")
    elif code is None:
        why = (
            Text("Instagram refused the request")
            if reason == "refused"
            else Text("Instagram had a problem on its side")
        )
    elif reason == "refused":
        why = Text("Instagram refused the request (code {code})", code=code)
    else:
        why = Text("Instagram had a problem on its side (code {code})", code=code)
    return Text.plural(
        "{n} conversation could not be read: {why}. It will be tried again.",
        "{n} conversations could not be read: {why}. They will be tried again.",
        len(entries),
        why=why,
    )
