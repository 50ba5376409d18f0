"""What a thread row is made of: the thread list's data roles, its order key, its title."""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from PySide6.QtCore import Qt

from igdesk.i18n import Words
from igdesk.views import ThreadView

_MAX_CHAR = 0x10FFFF


class ThreadRole(IntEnum):
    """Data roles of ThreadListModel (DisplayRole gives the title too)."""

    ROW = Qt.ItemDataRole.UserRole + 1  # the ThreadView
    THREAD_ID = ROW + 1
    TITLE = ROW + 2  # name, else @username
    USERNAME = ROW + 3
    PREVIEW = ROW + 4  # one line, attachments in words, "You: " prefix
    TIME = ROW + 5  # relative time text ("5m", "Yesterday")
    UNREAD = ROW + 6  # int
    FOLDER = ROW + 7  # Folder (PySide hands a str enum over as its str value)
    WINDOW_BADGE = ROW + 8  # ui.text.Badge | None
    CONTACT_ID = ROW + 9
    SORT_TIME = ROW + 10  # datetime the row is sorted by
    AVATAR_URL = ROW + 11  # the customer's picture ("" when unknown)


class Named(Protocol):
    """Anything that names a customer (a thread's view, a search result)."""

    @property
    def contact_name(self) -> str: ...

    @property
    def contact_username(self) -> str: ...


def _descending(text: str) -> str:
    # Maps ids so that ascending string order of the result is descending order of the ids
    # (the trailing maximum keeps a prefix after its extensions, as in descending order).
    return "".join(chr(_MAX_CHAR - ord(ch)) for ch in text) + chr(_MAX_CHAR)


def newest_first_key(row: ThreadView) -> tuple[float, str]:
    """Ascending key of the archive's newest-first order (sort time, then id, descending)."""
    return (-row.sort_time.timestamp(), _descending(row.id))


def title_of(row: Named, words: Words) -> str:
    """Contact name, else @username, else a neutral word (never a raw id)."""
    if row.contact_name.strip():
        return row.contact_name
    if row.contact_username:
        return "@" + row.contact_username
    return words("Instagram user")
