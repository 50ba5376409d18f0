"""Searching the archive from the window: the box, the results list, opening a hit.

`SearchActions` is a collaborator the main window owns (`window.searching`). The search runs
on the archive's reader thread (`app.inbox.search`); an answer overtaken by what the owner
typed meanwhile is dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QTimer

if TYPE_CHECKING:
    from igdesk.ui.window_layout import WindowWidgets

#: The middle pane's pages.
THREADS_PAGE, RESULTS_PAGE = 0, 1
#: Typing pauses this long before a search runs.
SEARCH_DELAY_MS = 200

OpenThread = Callable[[str, str | None], Awaitable[None]]


class SearchActions(QObject):
    """Runs searches as the owner types and opens the message a result points at."""

    def __init__(self, window: WindowWidgets, open_thread: OpenThread) -> None:
        super().__init__(window)
        self._app = window.app
        self._tasks = window.tasks
        self._box = box = window.search_box
        self._model = window.search_model
        self._view = view = window.search_view
        self._middle = window.middle
        self._threads_view = window.thread_view
        self._open_thread = open_thread
        self._query = ""
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run)
        box.textChanged.connect(lambda _text: self._timer.start())
        box.returnPressed.connect(self._focus_results)
        view.activated.connect(self._chosen)
        view.clicked.connect(self._chosen)

    def focus(self) -> None:
        self._box.setFocus()
        self._box.selectAll()

    def escape(self) -> None:
        """Back to the threads: the search is cleared."""
        if self._box.text():
            self._box.clear()
        self._middle.setCurrentIndex(THREADS_PAGE)
        self._threads_view.setFocus()

    def _run(self) -> None:
        self._tasks.start(self._search(), name="search")

    async def _search(self) -> None:
        query = self._box.text().strip()
        self._query = query
        if not query:
            self._middle.setCurrentIndex(THREADS_PAGE)
            return
        results = await self._app.inbox.search(query)
        if self._query == query:  # not overtaken by what the owner typed meanwhile
            self._model.set_hits(results)
            self._middle.setCurrentIndex(RESULTS_PAGE)

    def _focus_results(self) -> None:
        self._timer.stop()
        self._tasks.start(self._search_and_focus(), name="search")

    async def _search_and_focus(self) -> None:
        await self._search()
        if self._model.rowCount():
            self._view.setFocus()
            self._view.setCurrentIndex(self._model.index(0, 0))

    def _chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        hit = self._model.hit_at(index.row())
        self._tasks.start(self._open_result(hit.thread_id, hit.message_id), name="open-result")

    async def _open_result(self, thread_id: str, message_id: str) -> None:
        await self._open_thread(thread_id, message_id)
        self._middle.setCurrentIndex(RESULTS_PAGE)
