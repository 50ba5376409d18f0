"""The local archive (SQLite): schema and migrations, queries, full-text search. No Qt here."""

from igdesk.store.archive import Archive
from igdesk.store.errors import (
    ArchiveError,
    ArchiveTooNewError,
    ArchiveUnreadableError,
    UnknownThreadError,
)
from igdesk.store.outbox import OutboxEntry, OutboxState
from igdesk.store.schema import SCHEMA_VERSION
from igdesk.store.search import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from igdesk.store.threads import ThreadRow

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "SCHEMA_VERSION",
    "Archive",
    "ArchiveError",
    "ArchiveTooNewError",
    "ArchiveUnreadableError",
    "OutboxEntry",
    "OutboxState",
    "SearchHit",
    "ThreadRow",
    "UnknownThreadError",
]
