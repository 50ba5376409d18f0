"""ThreadListModel read a page at a time: fetchMore as the view scrolls, changes while pages are
missing (below the boundary they wait for their page), changes during a page read, a reset."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

from PySide6.QtWidgets import QListView
from pytestqt.qtbot import QtBot

from igdesk.domain import Folder
from igdesk.ui.aio import TaskOwner
from igdesk.ui.models.threads import PAGE, ThreadListModel, ThreadRole
from igdesk.views import ThreadView
from tests.gui.conftest import RunUntil
from tests.gui.test_models_threads import T0, thread


class Pages:
    """An archive's order over a list of views: what `Inbox.threads(limit=...)` answers."""

    def __init__(self, rows: list[ThreadView]) -> None:
        self.rows = rows
        self.reads = 0
        self.gate: asyncio.Event | None = None  # when set, a read waits for it

    def ordered(self, folder: Folder | None) -> list[ThreadView]:
        kept = [r for r in self.rows if folder is None or r.folder is folder]
        return sorted(kept, key=lambda r: (r.sort_time, r.id), reverse=True)

    async def read(
        self, folder: Folder | None, after: ThreadView | None, limit: int
    ) -> list[ThreadView]:
        self.reads += 1
        ordered = self.ordered(folder)  # read now: what comes after is newer than this page
        if self.gate is not None:
            await self.gate.wait()
        if after is not None:
            ordered = [r for r in ordered if (r.sort_time, r.id) < (after.sort_time, after.id)]
        return ordered[:limit]

    def set(self, row: ThreadView) -> ThreadView:
        self.rows = [row if r.id == row.id else r for r in self.rows]
        return row


def paged_model(pages: Pages, tasks: TaskOwner) -> ThreadListModel:
    model = ThreadListModel(
        Folder.PRIMARY, read_page=pages.read, start=lambda coro, name: tasks.start(coro, name=name)
    )
    model.set_folder(Folder.PRIMARY, pages.ordered(Folder.PRIMARY)[:PAGE], complete=False)
    return model


def ids(model: ThreadListModel) -> list[str]:
    return model.thread_ids()


def test_the_view_reads_pages_until_the_end(
    qtbot: QtBot, run_until: RunUntil, qtmodeltester: Any
) -> None:
    pages = Pages([thread(n) for n in range(2 * PAGE + 17)])
    tasks = TaskOwner("pages")
    model = paged_model(pages, tasks)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(300, 400)
    view.show()
    assert model.rowCount() == PAGE and model.canFetchMore(model.index(0, 0).parent())
    while not model.complete:
        count = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(lambda count=count: model.rowCount() > count, timeout=3000)
    assert ids(model) == [r.id for r in pages.ordered(Folder.PRIMARY)]
    assert pages.reads == 2  # a full page after the first one, then the short last one
    qtmodeltester.check(model)
    run_until(qtbot, tasks.cancel_all())


def test_changes_below_the_pages_read_wait_for_their_page(
    qtbot: QtBot, run_until: RunUntil
) -> None:
    pages = Pages([thread(n) for n in range(PAGE + 50)])
    tasks = TaskOwner("pages")
    model = paged_model(pages, tasks)
    below = pages.ordered(Folder.PRIMARY)[PAGE:]
    oldest, boundary = below[-1], model.thread_at(PAGE - 1)
    # Below the boundary, unchanged in place: not inserted (its page brings it).
    model.apply([pages.set(replace(oldest, unread=3))])
    assert model.row_of(oldest.id) is None and model.rowCount() == PAGE
    # A loaded thread that now sorts below the boundary leaves the list.
    moved = pages.set(replace(model.thread_at(3), sort_time=T0 - timedelta(days=1)))
    model.apply([moved])
    assert model.row_of(moved.id) is None and model.rowCount() == PAGE - 1
    # A thread from below that moves to the top comes in at once.
    risen = pages.set(replace(below[-2], sort_time=T0 + timedelta(days=9)))
    model.apply([risen])
    assert model.row_of(risen.id) == 0
    # A change read while a page is on its way is applied again after it: the page was older.
    pages.gate = asyncio.Event()
    model.fetchMore(model.index(0, 0).parent())
    qtbot.waitUntil(lambda: pages.reads == 1, timeout=3000)
    assert not model.canFetchMore(model.index(0, 0).parent())  # one page at a time
    fresh = pages.set(replace(oldest, unread=7, last_message_text="baru"))
    model.apply([fresh])
    pages.gate.set()
    qtbot.waitUntil(lambda: model.complete, timeout=3000)
    assert ids(model) == [r.id for r in pages.ordered(Folder.PRIMARY)]
    assert model.thread_at(model.row_of(oldest.id)).unread == 7  # type: ignore[arg-type]
    assert boundary.id in ids(model)
    run_until(qtbot, tasks.cancel_all())


def test_a_page_read_before_a_reset_is_dropped(qtbot: QtBot, run_until: RunUntil) -> None:
    pages = Pages([thread(n) for n in range(PAGE + 10)])
    tasks = TaskOwner("pages")
    model = paged_model(pages, tasks)
    pages.gate = asyncio.Event()
    model.fetchMore(model.index(0, 0).parent())
    qtbot.waitUntil(lambda: pages.reads == 1, timeout=3000)
    model.set_folder(Folder.GENERAL, [thread(1, folder=Folder.GENERAL)])
    pages.gate.set()
    qtbot.waitUntil(lambda: not tasks.tasks, timeout=3000)
    assert ids(model) == ["t00001"] and model.complete
    run_until(qtbot, tasks.cancel_all())


def test_times_and_badges_follow_the_clock_and_the_row() -> None:
    clock = [T0 + timedelta(minutes=30, seconds=10)]
    model = ThreadListModel(Folder.PRIMARY, now=lambda: clock[0], tz=UTC)
    row = thread(0)  # the customer wrote at T0
    model.reset_rows([row])
    index = model.index(0, 0)
    assert index.data(ThreadRole.TIME) == "30m"
    assert index.data(ThreadRole.WINDOW_BADGE) is None  # 23 h left
    clock[0] += timedelta(seconds=0.5)  # the same second: worded once
    assert index.data(ThreadRole.TIME) == "30m"
    clock[0] = T0 + timedelta(hours=3)
    assert index.data(ThreadRole.TIME) == "3h"
    clock[0] = T0 + timedelta(hours=22, minutes=30)
    assert index.data(ThreadRole.WINDOW_BADGE).text == "1h 30m left"
    model.apply([replace(row, sort_time=clock[0], last_customer_message_at=clock[0])])
    assert index.data(ThreadRole.TIME) == "now"  # the changed row is worded again at once
    assert index.data(ThreadRole.WINDOW_BADGE) is None
