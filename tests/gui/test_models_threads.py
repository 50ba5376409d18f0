"""ThreadListModel: order, incremental apply (moves, inserts, removals), folder filter, speed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex

from igdesk.domain import Folder
from igdesk.ui.models.threads import ThreadListModel, ThreadRole
from igdesk.ui.text import Badge
from igdesk.views import ThreadView

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=10)


def thread(
    n: int, *, minutes: int | None = None, folder: Folder = Folder.PRIMARY, **kw: Any
) -> ThreadView:
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    values: dict[str, Any] = {
        "id": f"t{n:05d}",
        "contact_id": f"c{n}",
        "folder": folder,
        "contact_name": f"Customer {n}",
        "contact_username": f"user{n}",
        "avatar_url": "",
        "sort_time": at,
        "last_customer_message_at": at,
        "unread": 0,
        "history_gap": False,
        "created_at": T0,
        "last_message_text": "hello",
        "last_message_attachment_types": (),
        "last_message_is_from_shop": False,
    }
    values.update(kw)
    return ThreadView(**values)


class Spy:
    """Records the structure signals of a model, in order."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.events: list[tuple[Any, ...]] = []
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.rowsInserted.connect(lambda _p, a, b: self.events.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _p, a, b: self.events.append(("removed", a, b)))
        model.rowsMoved.connect(
            lambda _p, a, b, _d, dest: self.events.append(("moved", a, b, dest))
        )
        model.dataChanged.connect(
            lambda tl, br, _r: self.events.append(("changed", tl.row(), br.row()))
        )

    def kinds(self) -> list[str]:
        return [event[0] for event in self.events]


def model_with(rows: list[ThreadView], folder: Folder | None = Folder.PRIMARY) -> ThreadListModel:
    model = ThreadListModel(folder, now=lambda: NOW, tz=UTC)
    model.reset_rows(rows)
    return model


def ids(model: ThreadListModel) -> list[str]:
    return model.thread_ids()


def test_modeltester_empty_and_filled(qtmodeltester: Any) -> None:
    model = ThreadListModel(Folder.PRIMARY, now=lambda: NOW)
    qtmodeltester.check(model)
    model.reset_rows([thread(n) for n in range(20)])
    qtmodeltester.check(model)
    model.apply([thread(3, minutes=999), thread(50)], removed_ids=["t00007"])
    qtmodeltester.check(model)


def test_newest_first_and_roles() -> None:
    model = model_with([thread(1), thread(3, unread=2), thread(2, contact_name="")])
    assert ids(model) == ["t00003", "t00002", "t00001"]
    index = model.index(0, 0)
    assert index.data() == "Customer 3"
    assert index.data(ThreadRole.UNREAD) == 2
    assert index.data(ThreadRole.THREAD_ID) == "t00003"
    assert index.data(ThreadRole.CONTACT_ID) == "c3"
    assert index.data(ThreadRole.FOLDER) == Folder.PRIMARY  # a str enum arrives as its value
    assert index.data(ThreadRole.USERNAME) == "user3"
    assert index.data(ThreadRole.PREVIEW) == "hello"
    assert index.data(ThreadRole.TIME) == "1 Mar"
    assert model.index(1, 0).data(ThreadRole.TITLE) == "@user2"
    assert index.data(ThreadRole.WINDOW_BADGE) == Badge("Closed", "closed")
    assert model.row_of("t00001") == 2 and model.row_of("nope") is None
    assert model.thread_at(1).id == "t00002"


def test_same_time_sorts_by_id_descending() -> None:
    model = model_with([thread(1, minutes=5), thread(2, minutes=5), thread(10, minutes=5)])
    assert ids(model) == ["t00010", "t00002", "t00001"]


def test_new_message_moves_row_to_top_without_reset() -> None:
    model = model_with([thread(n) for n in range(10)])
    persistent = QPersistentModelIndex(model.index(model.row_of("t00004") or 0, 0))
    spy = Spy(model)
    model.apply([thread(4, minutes=500, last_message_text="new!", unread=1)])
    assert spy.events == [("moved", 5, 5, 0), ("changed", 0, 0)]
    assert ids(model)[0] == "t00004"
    assert persistent.row() == 0  # the view's selection follows the thread
    assert model.index(0, 0).data(ThreadRole.PREVIEW) == "new!"
    assert ids(model)[1:] == [f"t{n:05d}" for n in (9, 8, 7, 6, 5, 3, 2, 1, 0)]


def test_move_down_and_update_in_place() -> None:
    model = model_with([thread(n) for n in range(5)])
    spy = Spy(model)
    model.apply([thread(3, unread=4)])  # same sort time: in place
    assert spy.events == [("changed", 1, 1)]
    spy.events.clear()
    model.apply([thread(4, minutes=-10)])  # updated_time went back (rare): to the bottom
    assert spy.events == [("moved", 0, 0, 5), ("changed", 4, 4)]
    assert ids(model) == ["t00003", "t00002", "t00001", "t00000", "t00004"]
    for row, thread_id in enumerate(ids(model)):
        assert model.row_of(thread_id) == row


def test_insert_and_remove() -> None:
    model = model_with([thread(n) for n in range(0, 10, 2)])
    spy = Spy(model)
    model.apply([thread(5)], removed_ids=["t00008", "unknown"])
    assert spy.events == [("removed", 0, 0), ("inserted", 1, 1)]
    assert ids(model) == ["t00006", "t00005", "t00004", "t00002", "t00000"]
    assert "reset" not in spy.kinds()


def test_folder_filter_in_and_out() -> None:
    rows = [thread(1), thread(2, folder=Folder.REQUESTS), thread(3)]
    model = model_with(rows, Folder.PRIMARY)
    assert ids(model) == ["t00003", "t00001"]
    spy = Spy(model)
    model.apply([replace(rows[2], folder=Folder.DENIED)])  # denied: leaves Primary
    model.apply([replace(rows[1], folder=Folder.PRIMARY)])  # accepted: enters Primary
    model.apply([thread(9, folder=Folder.GENERAL)])  # not ours: nothing
    assert spy.events == [("removed", 0, 0), ("inserted", 0, 0)]
    assert ids(model) == ["t00002", "t00001"]


def test_unfiltered_model_and_set_folder(qtmodeltester: Any) -> None:
    rows = [thread(1), thread(2, folder=Folder.REQUESTS), thread(3, folder=Folder.DENIED)]
    model = model_with(rows, None)
    assert len(ids(model)) == 3
    model.set_folder(Folder.REQUESTS, rows)
    assert ids(model) == ["t00002"] and model.folder is Folder.REQUESTS
    qtmodeltester.check(model)


def test_refresh_times_emits_one_change_and_badges_speak_the_language() -> None:
    model = model_with([thread(n) for n in range(4)])
    spy = Spy(model)
    model.refresh_times()
    assert spy.events == [("changed", 0, 3)]
    indonesian = ThreadListModel(Folder.PRIMARY, lang="id", now=lambda: NOW, tz=UTC)
    indonesian.reset_rows([thread(1)])
    assert indonesian.index(0, 0).data(ThreadRole.WINDOW_BADGE) == Badge("Ditutup", "closed")


def test_html_name_is_returned_verbatim() -> None:
    name = "<b>hi</b><script>alert(1)</script>"
    model = model_with([thread(1, contact_name=name, last_message_text=name)])
    assert model.index(0, 0).data() == name
    assert model.index(0, 0).data(ThreadRole.PREVIEW) == name
    assert not model.index(0, 0).parent().isValid()
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def test_ten_thousand_rows_and_many_applies_stay_in_order(qtmodeltester: Any) -> None:
    """Figures for this size live in bench/bench_models.py; here only the order is checked."""
    rows = [thread(n, folder=Folder.PRIMARY if n % 3 else Folder.GENERAL) for n in range(10_000)]
    model = model_with(rows)
    for step in range(100):
        n = (step * 97) % 10_000
        model.apply([replace(rows[n], sort_time=T0 + timedelta(days=1, minutes=step))])
    assert len(ids(model)) == len([r for r in rows if r.folder is Folder.PRIMARY])
    keys = [model.index(r, 0).data(ThreadRole.SORT_TIME) for r in range(model.rowCount())]
    assert keys == sorted(keys, reverse=True)
    assert all(model.row_of(t) == r for r, t in enumerate(ids(model)))
