"""Search results: one row per SearchResult, the snippet split into highlighted runs (no HTML)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from igdesk.domain import utc_now
from igdesk.i18n import Words
from igdesk.ui.models.threads import title_of
from igdesk.ui.text import highlight_runs, relative_time
from igdesk.views import HIGHLIGHT_END, HIGHLIGHT_START, SearchResult

_Index = QModelIndex | QPersistentModelIndex
Runs = list[tuple[str, bool]]


class SearchRole(IntEnum):
    """Data roles of SearchResultModel (DisplayRole: "title: plain snippet")."""

    HIT = Qt.ItemDataRole.UserRole + 1  # the SearchResult
    THREAD_ID = HIT + 1
    MESSAGE_ID = HIT + 2
    TITLE = HIT + 3  # contact title of the thread
    SNIPPET = HIT + 4  # plain snippet text, one line
    SNIPPET_RUNS = HIT + 5  # list[(text, highlighted)]
    HIGHLIGHTS = HIT + 6  # list[(start, length)] into SNIPPET
    TIME = HIT + 7  # relative time text


def snippet_parts(snippet: str) -> tuple[str, Runs, list[tuple[int, int]]]:
    """Plain one-line snippet, its runs and the (start, length) of highlighted runs."""
    flat = snippet.replace("\r", " ").replace("\n", " ")
    runs = highlight_runs(flat, HIGHLIGHT_START, HIGHLIGHT_END)
    ranges: list[tuple[int, int]] = []
    at = 0
    for text, lit in runs:
        if lit:
            ranges.append((at, len(text)))
        at += len(text)
    return "".join(text for text, _ in runs), runs, ranges


class SearchResultModel(QAbstractListModel):
    """Hits of one query, newest first as the archive returns them."""

    def __init__(
        self,
        *,
        lang: str = "en",
        now: Callable[[], datetime] = utc_now,
        tz: tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lang = lang
        self._words = Words(lang)
        self._now = now
        self._tz = tz
        self._hits: list[SearchResult] = []
        self._titles: list[str] = []
        self._parts: list[tuple[str, Runs, list[tuple[int, int]]]] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._hits)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in SearchRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def hit_at(self, row: int) -> SearchResult:
        return self._hits[row]

    def set_hits(self, hits: Iterable[SearchResult]) -> None:
        """Results of a new query (a reset: nothing carries over); each names its customer."""
        hits = list(hits)
        self.beginResetModel()
        self._hits = hits
        self._titles = [
            title_of(hit, self._words) if hit.contact_name or hit.contact_username else ""
            for hit in hits
        ]
        self._parts = [snippet_parts(hit.snippet) for hit in self._hits]
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits([])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        row = index.row()
        hit = self._hits[row]
        plain, runs, ranges = self._parts[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            title = self._titles[row]
            return f"{title}: {plain}" if title else plain
        if role == SearchRole.HIT:
            return hit
        if role == SearchRole.THREAD_ID:
            return hit.thread_id
        if role == SearchRole.MESSAGE_ID:
            return hit.message_id
        if role == SearchRole.TITLE:
            return self._titles[row]
        if role == SearchRole.SNIPPET:
            return plain
        if role == SearchRole.SNIPPET_RUNS:
            return runs
        if role == SearchRole.HIGHLIGHTS:
            return ranges
        if role == SearchRole.TIME:
            return relative_time(hit.created_time, self._now(), self._lang, self._tz)
        return None
