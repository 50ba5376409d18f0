"""The owner's folder changes from the window: accept, deny (with Undo), restore, move.

`FolderActions` is a collaborator the main window owns (`window.folder_actions`). Each change
runs on the archive's writer thread through `app.inbox`; a failure goes to the window's
notice (the task owner reports it), and a deny offers Undo only once it was saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from igdesk.domain import Folder
from igdesk.ui import aio

if TYPE_CHECKING:
    from igdesk.ui.window_layout import WindowWidgets

#: The window flag (App.inbox.ui_flag) remembering that the Requests notice was dismissed.
REQUESTS_NOTICE = "requests_notice_dismissed"
#: How long Undo stays offered after a deny.
UNDO_MS = 10_000


class FolderActions(QObject):
    """Folder changes the owner asks for, each one an owned task."""

    def __init__(self, window: WindowWidgets) -> None:
        super().__init__(window)
        self._app = window.app
        self._tasks = window.tasks
        self._words = window.words
        self._undo_button = undo_button = window.undo_button
        self._requests_notice = window.requests_notice
        self._undo_thread: str | None = None
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_MS)
        self._undo_timer.timeout.connect(lambda: undo_button.setVisible(False))
        undo_button.clicked.connect(self.undo)

    def accept(self, thread_id: str, folder: str) -> None:
        self._tasks.start(self._app.inbox.accept(thread_id, Folder(folder)), name="accept")

    def deny(self, thread_id: str) -> None:
        self._tasks.start(self._deny_and_offer_undo(thread_id), name="deny")

    async def _deny_and_offer_undo(self, thread_id: str) -> None:
        await self._app.inbox.deny(thread_id)  # a failure goes to the notice, with no Undo
        self._undo_thread = thread_id
        aio.info(self._words("Request denied."))
        self._undo_button.setVisible(True)
        self._undo_timer.start()

    def undo(self) -> None:
        if self._undo_thread is not None:
            self.restore(self._undo_thread)
            self._undo_thread = None
        self._undo_button.setVisible(False)

    def restore(self, thread_id: str) -> None:
        self._tasks.start(self._app.inbox.restore(thread_id), name="restore")

    def move(self, thread_id: str, folder: str) -> None:
        self._tasks.start(self._app.inbox.move(thread_id, Folder(folder)), name="move")

    def dismiss_requests_notice(self) -> None:
        self._tasks.start(self._app.inbox.set_ui_flag(REQUESTS_NOTICE), name="notice")
        self._requests_notice.setVisible(False)
