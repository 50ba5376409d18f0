"""FolderListModel (counts change only changed rows) and SearchResultModel (highlight runs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from igdesk.domain import Folder
from igdesk.ui.models.folders import FolderListModel, FolderRole
from igdesk.ui.models.search import SearchResultModel, SearchRole
from igdesk.views import SearchResult

AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def test_folders_rows_names_and_shortcuts(qtmodeltester: Any) -> None:
    model = FolderListModel()
    qtmodeltester.check(model)
    names = [model.index(r, 0).data(FolderRole.NAME) for r in range(model.rowCount())]
    assert names == ["Primary", "General", "Requests", "Denied"]
    assert model.index(0, 0).data(FolderRole.SHORTCUT) == "Ctrl+1"
    assert model.index(2, 0).data(FolderRole.SHORTCUT) == "Ctrl+3"
    assert model.folder_at(3) is Folder.DENIED and model.row_of(Folder.GENERAL) == 1
    assert FolderListModel(lang="id").index(2, 0).data() == "Permintaan"


def test_folder_counts_change_only_changed_rows(qtmodeltester: Any) -> None:
    model = FolderListModel()
    changed: list[int] = []
    model.dataChanged.connect(lambda tl, br, _r: changed.extend(range(tl.row(), br.row() + 1)))
    model.set_counts({Folder.PRIMARY: 0, Folder.GENERAL: 2, Folder.REQUESTS: 5, Folder.DENIED: 0})
    assert changed == [1, 2]
    changed.clear()
    model.set_counts({Folder.PRIMARY: 0, Folder.GENERAL: 2, Folder.REQUESTS: 4, Folder.DENIED: 0})
    assert changed == [2]
    index = model.index(2, 0)
    assert index.data(FolderRole.COUNT) == 4
    assert index.data() == "Requests  4"
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == "Requests, 4 unread conversations"
    assert model.count(Folder.GENERAL) == 2
    qtmodeltester.check(model)


def test_search_hits_and_highlight_runs(qtmodeltester: Any) -> None:
    model = SearchResultModel(now=lambda: AT, tz=UTC)
    qtmodeltester.check(model)
    hits = [
        SearchResult("t1", "m1", "ada \x02baju\x03 <b>merah</b>?", AT, "<i>Siti</i>", "siti"),
        SearchResult("t2", "m2", "\x02Baju\x03\nbiru \x02baju\x03", AT, "", ""),
    ]
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_hits(hits)
    assert resets == [True]
    qtmodeltester.check(model)
    first = model.index(0, 0)
    assert first.data(SearchRole.SNIPPET_RUNS) == [
        ("ada ", False),
        ("baju", True),
        (" <b>merah</b>?", False),
    ]
    assert first.data(SearchRole.SNIPPET) == "ada baju <b>merah</b>?"
    assert first.data(SearchRole.HIGHLIGHTS) == [(4, 4)]
    assert first.data(SearchRole.TITLE) == "<i>Siti</i>"
    assert first.data() == "<i>Siti</i>: ada baju <b>merah</b>?"
    assert first.data(SearchRole.THREAD_ID) == "t1" and first.data(SearchRole.MESSAGE_ID) == "m1"
    second = model.index(1, 0)
    assert second.data(SearchRole.SNIPPET) == "Baju biru baju"
    assert second.data(SearchRole.HIGHLIGHTS) == [(0, 4), (10, 4)]
    assert second.data(SearchRole.TITLE) == ""
    model.set_hits([hits[0], replace(hits[1], contact_username="budi")])
    assert model.index(1, 0).data(SearchRole.TITLE) == "@budi"
    assert model.hit_at(1).message_id == "m2"
    model.clear()
    assert model.rowCount() == 0
