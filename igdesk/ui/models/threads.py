"""The thread list: ThreadView items newest first, updated incrementally (move, insert, remove).

Rows are kept sorted by (sort time, id) descending, the archive's own order: the sort time is
the later of the last message and the conversation's updated_time. A parallel list of
ascending sort keys lets `bisect` find positions, and an id → row dict finds threads.

The list is read a page at a time (Qt's canFetchMore / fetchMore, as the owner scrolls down),
so a shop with 100,000 threads opens as fast as one with 1,000. While pages are missing, the
rows held are exactly the folder's newest threads down to the last row read (the boundary):
a change to a thread below it is left for its page, so no row is ever shown twice or out of
order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from igdesk.domain import Folder, utc_now
from igdesk.i18n import Words
from igdesk.ui.models.thread_rows import ThreadRole, newest_first_key, title_of
from igdesk.ui.text import Badge, preview_text, relative_time, window_badge
from igdesk.views import ThreadView

__all__ = ["PAGE", "ReadPage", "StartTask", "ThreadListModel", "ThreadRole", "title_of"]

_Index = QModelIndex | QPersistentModelIndex

#: Threads read per page: the first fills the tallest window, later ones come as it scrolls.
PAGE = 100

#: Reads a page: (folder, the last row read or None for the newest, how many) → rows.
ReadPage = Callable[[Folder | None, ThreadView | None, int], Awaitable[list[ThreadView]]]
#: Starts an owned task (the window's TaskOwner): (coroutine, name).
StartTask = Callable[[Coroutine[Any, Any, None], str], object]


class ThreadListModel(QAbstractListModel):
    """Threads of one folder (or of every folder when `folder` is None), newest first."""

    def __init__(
        self,
        folder: Folder | None = None,
        *,
        lang: str = "en",
        now: Callable[[], datetime] = utc_now,
        human_agent_allowed: bool = False,
        tz: tzinfo | None = None,
        read_page: ReadPage | None = None,
        start: StartTask | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`read_page` and `start` let the model read further pages itself as the view asks;
        without them it holds what it is given (`reset_rows`)."""
        super().__init__(parent)
        self._folder = folder
        self._lang = lang
        self._words = Words(lang)
        self._now = now
        self._human_agent = human_agent_allowed
        self._tz = tz
        self._rows: list[ThreadView] = []
        self._keys: list[tuple[float, str]] = []
        self._index: dict[str, int] = {}
        self._previews: dict[str, str] = {}
        # Relative times and badges of the current second: a window being resized repaints
        # its rows many times a second, and each would otherwise be worded again.
        self._second = 0
        self._times: dict[str, str] = {}
        self._badges: dict[str, Badge | None] = {}
        self._read_page = read_page
        self._start = start
        self._after: ThreadView | None = None  # the last row read: where the next page starts
        self._complete = True  # every row of the folder is read
        self._generation = 0  # bumped by each reset: a page read before it is dropped
        self._fetching = False
        self._meanwhile: list[tuple[list[ThreadView], list[str]]] | None = None

    # --- read access ---------------------------------------------------------------------

    @property
    def folder(self) -> Folder | None:
        return self._folder

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def row_of(self, thread_id: str) -> int | None:
        return self._index.get(thread_id)

    def thread_at(self, row: int) -> ThreadView:
        return self._rows[row]

    def thread_ids(self) -> list[str]:
        return [row.id for row in self._rows]

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in ThreadRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, ThreadRole.TITLE):
            return title_of(row, self._words)
        if role == ThreadRole.ROW:
            return row
        if role == ThreadRole.THREAD_ID:
            return row.id
        if role == ThreadRole.USERNAME:
            return row.contact_username
        if role == ThreadRole.PREVIEW:
            return self._preview(row)
        if role == ThreadRole.TIME:
            now = self._now_cached()
            if row.id not in self._times:
                self._times[row.id] = relative_time(row.sort_time, now, self._lang, self._tz)
            return self._times[row.id]
        if role == ThreadRole.UNREAD:
            return row.unread
        if role == ThreadRole.FOLDER:
            return row.folder
        if role == ThreadRole.WINDOW_BADGE:
            self._now_cached()
            if row.id not in self._badges:
                self._badges[row.id] = self.badge_of(row)
            return self._badges[row.id]
        if role == ThreadRole.CONTACT_ID:
            return row.contact_id
        if role == ThreadRole.SORT_TIME:
            return row.sort_time
        if role == ThreadRole.AVATAR_URL:
            return row.avatar_url
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible(row)
        return None

    def _now_cached(self) -> datetime:
        """The clock, forgetting the times and badges worded in another second."""
        now = self._now()
        second = int(now.timestamp())
        if second != self._second:
            self._second = second
            self._times.clear()
            self._badges.clear()
        return now

    def _forget(self, thread_id: str | None = None) -> None:
        """Drop what was worded for a row (every row when None)."""
        for cache in (self._previews, self._times, self._badges):
            if thread_id is None:
                cache.clear()
            else:
                cache.pop(thread_id, None)

    def badge_of(self, row: ThreadView) -> Badge | None:
        now = self._now()
        return window_badge(row.window(now, human_agent=self._human_agent), now, self._lang)

    def _preview(self, row: ThreadView) -> str:
        cached = self._previews.get(row.id)
        if cached is None:
            cached = preview_text(
                row.last_message_text,
                row.last_message_attachment_types,
                row.last_message_is_from_shop,
                self._lang,
                card_title=row.last_message_card_title,
            )
            self._previews[row.id] = cached
        return cached

    def _accessible(self, row: ThreadView) -> str:
        parts = [title_of(row, self._words), self._preview(row)]
        if row.unread:
            parts.append(self._words.plural("{n} unread", "{n} unread", row.unread))
        return ", ".join(part for part in parts if part)

    # --- settings ------------------------------------------------------------------------

    def set_human_agent(self, allowed: bool) -> None:
        """The owner changed the Human Agent switch: every badge follows at once."""
        if allowed != self._human_agent:
            self._human_agent = allowed
            self._badges.clear()
            self._all_changed([ThreadRole.WINDOW_BADGE])

    def refresh_times(self) -> None:
        """Relative times and window badges age: the view calls this every minute."""
        self._all_changed([ThreadRole.TIME, ThreadRole.WINDOW_BADGE])

    def _all_changed(self, roles: list[ThreadRole] | None = None) -> None:
        if self._rows:
            first, last = self.index(0, 0), self.index(len(self._rows) - 1, 0)
            self.dataChanged.emit(first, last, [int(role) for role in roles or []])

    def set_folder(
        self, folder: Folder | None, rows: Iterable[ThreadView] = (), *, complete: bool = True
    ) -> None:
        """Show another folder: a new list, so this resets the model with `rows` (its first
        page when not `complete`: the rest is read as the view scrolls)."""
        self._folder = folder
        self.reset_rows(rows, complete=complete)

    def _matches(self, row: ThreadView) -> bool:
        return self._folder is None or row.folder is self._folder

    def _in_reach(self, key: tuple[float, str]) -> bool:
        """Whether a row of this key belongs to the pages read so far."""
        return self._complete or self._after is None or key <= self.sort_key(self._after)

    @property
    def complete(self) -> bool:
        """Whether every thread of the folder is read (no page left to fetch)."""
        return self._complete

    # --- paging ---------------------------------------------------------------------------

    def canFetchMore(self, parent: _Index) -> bool:
        return (
            not parent.isValid()
            and not self._complete
            and not self._fetching
            and self._read_page is not None
            and self._start is not None
        )

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        assert self._start is not None
        self._fetching = True
        self._meanwhile = []
        self._start(self._fetch(self._generation), "threads-page")

    async def _fetch(self, generation: int) -> None:
        assert self._read_page is not None
        try:
            rows = await self._read_page(self._folder, self._after, PAGE)
        finally:
            meanwhile, ours = self._meanwhile or [], generation == self._generation
            if ours:
                self._fetching = False
                self._meanwhile = None
        if ours:
            self.append_page(rows, complete=len(rows) < PAGE)
            for changed, removed in meanwhile:  # newer than what the page may have read
                self.apply(changed, removed)

    def sort_key(self, row: ThreadView) -> tuple[float, str]:
        """Ascending key of a row's position (newest first here); subclasses may reorder."""
        return newest_first_key(row)

    # --- updates -------------------------------------------------------------------------

    def reset_rows(self, rows: Iterable[ThreadView], *, complete: bool = True) -> None:
        """Initial load (or a new folder): replace every row with one model reset. When not
        `complete`, `rows` is the folder's first page, in the archive's order."""
        given = list(rows)
        kept = {row.id: row for row in given if self._matches(row)}
        ordered = sorted(kept.values(), key=self.sort_key)
        self._generation += 1
        self._fetching = False
        self._meanwhile = None
        self._complete = complete or not given
        self._after = given[-1] if given else None
        self.beginResetModel()
        self._rows = ordered
        self._keys = [self.sort_key(row) for row in ordered]
        self._index = {row.id: position for position, row in enumerate(ordered)}
        self._forget()
        self.endResetModel()

    def append_page(self, rows: Iterable[ThreadView], *, complete: bool) -> None:
        """The next page read (the archive's order), appended below the rows held."""
        given = list(rows)
        if given:
            self._after = given[-1]
        self._complete = complete or not given
        fresh = [row for row in given if self._matches(row) and row.id not in self._index]
        fresh.sort(key=self.sort_key)
        keys = [self.sort_key(row) for row in fresh]
        if fresh and (not self._keys or keys[0] >= self._keys[-1]):
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self._keys.extend(keys)
            self._reindex(start, len(self._rows))
            self.endInsertRows()
        else:
            for row in fresh:
                self._insert(row)

    def apply(self, changed: Iterable[ThreadView], removed_ids: Iterable[str] = ()) -> None:
        """Apply a sync's changes incrementally: update, move, insert, remove (never reset).

        A thread that now sorts below the pages read leaves the list: its page brings it."""
        changed, removed_ids = list(changed), list(removed_ids)
        if self._meanwhile is not None:
            self._meanwhile.append((changed, removed_ids))
        for thread_id in removed_ids:
            self._remove(thread_id)
        for row in changed:
            if not self._matches(row) or not self._in_reach(self.sort_key(row)):
                self._remove(row.id)
            elif row.id in self._index:
                self._update(row)
            else:
                self._insert(row)

    def _insert(self, row: ThreadView) -> None:
        key = self.sort_key(row)
        position = bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, row)
        self._keys.insert(position, key)
        self._reindex(position, len(self._rows))
        self.endInsertRows()

    def _remove(self, thread_id: str) -> None:
        position = self._index.get(thread_id)
        if position is None:
            return
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        del self._keys[position]
        del self._index[thread_id]
        self._forget(thread_id)
        self._reindex(position, len(self._rows))
        self.endRemoveRows()

    def _update(self, row: ThreadView) -> None:
        old = self._index[row.id]
        key = self.sort_key(row)
        self._forget(row.id)
        if key != self._keys[old]:
            del self._keys[old]
            new = bisect_left(self._keys, key)
            self._keys.insert(old, key)  # restored until the move is announced
            if new != old:
                # Qt's destination is a position in the list before the move.
                destination = new if new < old else new + 1
                self.beginMoveRows(QModelIndex(), old, old, QModelIndex(), destination)
                del self._rows[old]
                del self._keys[old]
                self._rows.insert(new, row)
                self._keys.insert(new, key)
                self._reindex(min(old, new), max(old, new) + 1)
                self.endMoveRows()
                changed = self.index(new, 0)
                self.dataChanged.emit(changed, changed, [])
                return
            self._keys[old] = key
        self._rows[old] = row
        changed = self.index(old, 0)
        self.dataChanged.emit(changed, changed, [])

    def _reindex(self, start: int, end: int) -> None:
        rows, index = self._rows, self._index
        for position in range(start, min(end, len(rows))):
            index[rows[position].id] = position
