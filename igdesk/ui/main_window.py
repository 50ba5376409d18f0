"""The main window: folders and search on the left, threads in the middle, the conversation right.

It reaches the core only through the App façade (actions, and `app.inbox` for reads that
return views) and the CoreBridge (events, which carry views too). It never reads the archive:
every read is awaited off the Qt thread, so `reload_all`, `show_folder` and `open_thread` are
coroutines (start them with `tasks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPixmap

from igdesk.app import App
from igdesk.domain import Folder, utc_now
from igdesk.events import CustomerWrote, SyncStatus, ThreadsChanged
from igdesk.i18n import Words
from igdesk.ui import window_layout
from igdesk.ui.aio import TaskOwner
from igdesk.ui.bridge import CoreBridge
from igdesk.ui.conversation import PAGE
from igdesk.ui.folder_actions import REQUESTS_NOTICE, FolderActions
from igdesk.ui.images import ImageStore
from igdesk.ui.models import ending_soon
from igdesk.ui.models.folders import FolderListModel
from igdesk.ui.models.search import SearchResultModel
from igdesk.ui.models.threads import PAGE as THREAD_PAGE
from igdesk.ui.models.threads import ThreadListModel
from igdesk.ui.picture_actions import PictureActions
from igdesk.ui.reply_actions import ReplyActions
from igdesk.ui.search_actions import SearchActions
from igdesk.ui.sign_in_actions import SignInActions
from igdesk.ui.status import status_text
from igdesk.ui.tray import TrayNotifier
from igdesk.ui.window_dialogs import WindowDialogs
from igdesk.ui.window_layout import FOLDER_ORDER, WindowWidgets
from igdesk.views import ConversationView, ThreadView


class MainWindow(WindowWidgets):
    """The inbox. `bridge` feeds it core events; `tasks` owns every async call it starts."""

    thread_opened = Signal(str)

    def __init__(
        self,
        app: App,
        *,
        images: ImageStore,
        tasks: TaskOwner,
        words: Words,
        tray: TrayNotifier | None = None,
    ) -> None:
        super().__init__()
        self.app = app
        self.images = images
        self.tasks = tasks
        self.words = words
        self.tray = tray
        self.bridge = CoreBridge(app.events, self)
        self.folder = Folder.PRIMARY
        self.setWindowTitle("igdesk")
        self.resize(1280, 800)

        self.folder_model = FolderListModel(lang=words.lang, parent=self)
        self.thread_model = ThreadListModel(
            self.folder,
            lang=words.lang,
            human_agent_allowed=app.settings.human_agent_allowed,
            read_page=lambda folder, after, limit: app.inbox.threads(
                folder, after=after, limit=limit
            ),
            start=lambda coro, name: tasks.start(coro, name=name),
            parent=self,
        )
        self.search_model = SearchResultModel(lang=words.lang, parent=self)
        self.dialogs = WindowDialogs(self)
        window_layout.build(self)
        self.replying = ReplyActions(self)
        self.searching = SearchActions(self, self.open_thread)
        self.folder_actions = FolderActions(self)
        self.pictures = PictureActions(self, self.avatar)
        self.signing = SignInActions(self)
        self._wire()
        window_layout.add_shortcuts(self)
        self._showing: str | None = None  # the thread shown, or being read to be shown
        self._changes_meanwhile: list[list[ThreadView]] = []
        self._counts_changes = 0  # unread counts applied from events (a read may be older)
        #: Messages announced for the thread being opened, which its read may have missed.
        self._arrived_while_opening: dict[str, list[str]] = {}
        self._loading_older = False
        self._search_query = ""
        self._clock = QTimer(self, interval=30_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def _wire(self) -> None:
        self.folder_view.selectionModel().currentChanged.connect(self._folder_chosen)
        self.thread_view.selectionModel().currentChanged.connect(self._thread_chosen)
        self.ending_view.selectionModel().currentChanged.connect(self._ending_chosen)
        self.ending_soon_button.toggled.connect(self._show_ending_soon)
        folders, replying, pane = self.folder_actions, self.replying, self.conversation
        pane.accept_requested.connect(folders.accept)
        pane.deny_requested.connect(folders.deny)
        pane.restore_requested.connect(folders.restore)
        pane.move_requested.connect(folders.move)
        pane.older_wanted.connect(self._older_wanted)
        pane.outbox.retry_requested.connect(
            lambda entry: self.tasks.start(self.app.replies.retry_send(entry), name="retry-send")
        )
        pane.outbox.delete_requested.connect(
            lambda entry: self.tasks.start(self.app.replies.delete_send(entry), name="delete-send")
        )
        pane.view.doubleClicked.connect(replying.reply_to_message)
        pane.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        pane.view.customContextMenuRequested.connect(replying.message_menu)
        self.composer.send_requested.connect(replying.send)
        self.composer.heart_requested.connect(replying.send_heart)
        self.composer.draft_changed.connect(self.app.inbox.save_draft)
        self.composer.typing.connect(replying.typing)
        self.composer.edit_saved_replies_requested.connect(self.dialogs.open_settings)
        self.composer.attach_requested.connect(
            lambda: self.tasks.start(replying.attach(), name="attach")
        )
        self.bridge.outbox_changed.connect(replying.outbox_changed)
        self.bridge.threads_changed.connect(self._threads_changed)
        self.bridge.messages_added.connect(self._messages_added)
        self.bridge.customer_wrote.connect(self._customer_wrote)
        self.bridge.sync_status.connect(self._sync_status)
        self.bridge.sign_in_needed.connect(self.signing.sign_in_needed)
        self.bridge.webhook_status.connect(self.webhook_indicator.show_status)
        self.webhook_indicator.show_status(self.app.webhooks.status)
        self.message_delegate.retry_requested.connect(self.pictures.retry)
        if self.tray is not None:
            self.tray.open_thread.connect(self._from_notification)
            self.tray.show_window.connect(self._bring_to_front)

    # --- loading ------------------------------------------------------------------------------

    # Every read below is awaited from the archive's reader thread: after each `await` the
    # owner may have chosen another folder or thread, so each checks it is still wanted.

    async def reload_all(self) -> None:
        """Read again everything the window shows (at start, after the first sync)."""
        self._sync_status(self.app.status)
        account = await self.app.inbox.account()
        self.account_label.setText(f"@{account.username}" if account else "")
        changes_seen = self._counts_changes
        counts = await self.app.inbox.unread_counts()
        if changes_seen == self._counts_changes:  # else an event brought newer counts
            self._set_counts(counts)
        await self.show_folder(self.folder)

    async def show_folder(self, folder: Folder) -> None:
        self.folder = folder
        self.folder_view.setCurrentIndex(self.folder_model.index(FOLDER_ORDER.index(folder), 0))
        self.ending_soon_button.setChecked(False)
        self.middle.setCurrentIndex(0)
        if self.conversation.current is not None and self.conversation.current.folder is not folder:
            await self._show_thread(None)
        dismissed = await self.app.inbox.ui_flag(REQUESTS_NOTICE)
        rows, changed = await self._read_threads(folder, THREAD_PAGE)
        if self.folder is folder:
            self.thread_model.set_folder(folder, rows, complete=len(rows) < THREAD_PAGE)
            self.thread_model.apply(changed)
            self.requests_notice.setVisible(folder is Folder.REQUESTS and not dismissed)

    async def _read_threads(
        self, folder: Folder | None, limit: int | None = None, since: datetime | None = None
    ) -> tuple[list[ThreadView], list[ThreadView]]:
        """A folder's threads, and the changes announced while they were being read (newer
        than what the read may have seen: apply them after)."""
        changed: list[ThreadView] = []
        self._changes_meanwhile.append(changed)
        try:
            return await self.app.inbox.threads(folder, limit=limit, customer_since=since), changed
        finally:
            self._changes_meanwhile.remove(changed)

    async def open_thread(self, thread_id: str, message_id: str | None = None) -> None:
        """Show a thread (switching folder if needed), optionally at one message."""
        self._showing = thread_id
        conversation = await self.app.inbox.conversation(thread_id)
        if conversation is None or self._showing != thread_id:
            return
        if conversation.thread.folder is not self.folder:
            await self.show_folder(conversation.thread.folder)
            self._showing = thread_id
        index = self.thread_model.row_of(thread_id)
        if index is not None:
            self.thread_view.setCurrentIndex(self.thread_model.index(index, 0))
        current = self.conversation.current
        if current is None or current.id != thread_id:
            await self._show_thread(thread_id, conversation)
        if message_id is not None:
            await self._scroll_to(thread_id, message_id)

    async def _show_thread(
        self, thread_id: str | None, conversation: ConversationView | None = None
    ) -> None:
        self._showing = thread_id
        self.composer.flush_draft()
        if thread_id is not None and conversation is None:
            conversation = await self.app.inbox.conversation(thread_id)
        if self._showing != thread_id:
            return  # the owner chose another thread meanwhile
        if conversation is None:
            self.conversation.show_thread(None, [], has_older=False)
            self.conversation.outbox.show_entries([])
            self.composer.set_thread(None, "")
            self.composer.set_window(None, utc_now(), human_agent=False)
            self.contact_panel.clear()
            self.app.set_active(self.isActiveWindow())
            return
        thread = conversation.thread
        messages = list(conversation.messages)
        self.conversation.show_thread(thread, messages, has_older=conversation.has_older)
        self.conversation.outbox.show_entries(list(conversation.unsent))
        self.composer.set_thread(thread.id, conversation.draft)
        self.replying.update_window(thread)
        if conversation.contact is not None:
            self.contact_panel.show_contact(conversation.contact, conversation.customer_since)
            self.contact_panel.set_avatar(self.avatar(thread.avatar_url, thread.contact_id))
        self.app.set_active(True)
        arrived = self._arrived_while_opening.pop(thread.id, [])
        self._arrived_while_opening.clear()
        if arrived:  # shown before the thread is marked read
            await self._add_messages(thread.id, arrived, mark_read=False)
            if self._showing != thread.id:
                return  # the owner chose another thread meanwhile
        self.tasks.start(self.app.inbox.open_thread(thread.id), name=f"open-{thread.id[:8]}")
        self.thread_opened.emit(thread.id)

    async def _scroll_to(self, thread_id: str, message_id: str) -> None:
        while not self.conversation.scroll_to_message(message_id):
            if not self.conversation.model.has_older or not await self._load_older(thread_id):
                return

    def _older_wanted(self, thread_id: str) -> None:
        if not self._loading_older:
            self.tasks.start(self._load_older(thread_id), name="older")

    async def _load_older(self, thread_id: str) -> bool:
        """The page before the oldest message shown; False when nothing was added."""
        oldest = self.conversation.model.oldest_message()
        if oldest is None or self._loading_older:
            return False
        self._loading_older = True
        try:
            older = await self.app.inbox.messages(thread_id, limit=PAGE, before=oldest)
        finally:
            self._loading_older = False
        current = self.conversation.current
        if current is None or current.id != thread_id:
            return False
        now_oldest = self.conversation.model.oldest_message()
        if now_oldest is None or now_oldest.id != oldest.id:
            return False  # the thread was opened again meanwhile: this page would leave a hole
        self.conversation.add_older(older, has_older=len(older) >= PAGE)
        return bool(older)

    # --- core events ---------------------------------------------------------------------------

    def _threads_changed(self, event: ThreadsChanged) -> None:
        """Changed threads arrive as views with the new counts: nothing to read here."""
        rows = list(event.threads)
        self.thread_model.apply(rows)
        self.ending_model.apply(rows)
        for waiting in self._changes_meanwhile:
            waiting.extend(rows)
        for row in rows:
            self.conversation.update_thread(row)
            current = self.conversation.current
            if current is not None and current.id == row.id:
                self.replying.update_window(row)
        self._counts_changes += 1
        self._set_counts(event.unread_counts)

    def _messages_added(self, thread_id: str, message_ids: list[str]) -> None:
        current = self.conversation.current
        if current is not None and current.id == thread_id:
            self.tasks.start(self._add_messages(thread_id, message_ids), name="new-messages")
        elif self._showing == thread_id:  # being opened: added once it shows
            self._arrived_while_opening.setdefault(thread_id, []).extend(message_ids)

    async def _add_messages(
        self, thread_id: str, message_ids: list[str], *, mark_read: bool = True
    ) -> None:
        messages = await self.app.inbox.messages_by_id(message_ids)
        current = self.conversation.current
        if current is None or current.id != thread_id:
            return
        self.conversation.add_messages(messages)
        if mark_read and self.isActiveWindow():
            await self.app.inbox.open_thread(thread_id)

    def _customer_wrote(self, event: CustomerWrote) -> None:
        if self.tray is not None:
            self.tray.customer_wrote(event, window_focused=self.isActiveWindow())

    def _from_notification(self, thread_id: str) -> None:
        self._bring_to_front()
        self.tasks.start(self.open_thread(thread_id), name="open-notified")

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def bring_forward(self, thread_id: str | None = None) -> None:
        """Come to the front (a later launch asked), opening `thread_id` if given."""
        if thread_id:
            self._from_notification(thread_id)
        else:
            self._bring_to_front()

    def _sync_status(self, status: SyncStatus) -> None:
        self.status_label.setText(status_text(status, self.words))

    def _set_counts(self, counts: Mapping[Folder, int]) -> None:
        self.folder_model.set_counts(dict(counts))
        total = sum(counts.get(f, 0) for f in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS))
        self.setWindowTitle(f"igdesk ({total})" if total else "igdesk")
        if self.tray is not None:
            self.tray.set_counts(counts)

    def _tick(self) -> None:
        self.thread_model.refresh_times()
        if self.middle.currentWidget() is self.ending_view:
            self.tasks.start(self.reload_ending_soon(), name="ending-soon")
        self.conversation.refresh_window()

    async def reload_ending_soon(self) -> None:
        since = utc_now() - ending_soon.LOOKBACK  # open windows only, not the whole archive
        rows, changed = await self._read_threads(None, since=since)
        self.ending_model.reload(rows)
        self.ending_model.apply(changed)

    # --- owner actions -------------------------------------------------------------------------

    def _folder_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and FOLDER_ORDER[current.row()] is not self.folder:
            self.start_showing(FOLDER_ORDER[current.row()])

    def start_showing(self, folder: Folder) -> None:
        self.tasks.start(self.show_folder(folder), name=f"folder-{folder.value}")

    def _thread_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._choose(self.thread_model.thread_at(current.row()).id)

    def _choose(self, thread_id: str) -> None:
        if self._showing != thread_id:
            self.tasks.start(self._show_thread(thread_id), name=f"show-{thread_id[:8]}")

    def _show_ending_soon(self, on: bool) -> None:
        if on:
            self.tasks.start(self.reload_ending_soon(), name="ending-soon")
            self.middle.setCurrentWidget(self.ending_view)
        else:
            self.middle.setCurrentIndex(0)

    def _ending_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._choose(self.ending_model.thread_at(current.row()).id)

    def step_thread(self, step: int) -> None:
        count = self.thread_model.rowCount()
        if not count:
            return
        row = self.thread_view.currentIndex().row()
        target = min(max(row + step, 0), count - 1) if row >= 0 else 0
        self.thread_view.setCurrentIndex(self.thread_model.index(target, 0))

    # --- images ------------------------------------------------------------------------------

    def avatar(self, url: str, contact_id: str) -> QPixmap | None:
        """A customer's loaded picture (its URL comes with the thread's view: no query)."""
        key = f"avatar:{contact_id}"
        if not url or self.images.state(url, key=key) != "ready":
            return None
        return self.images.pixmap(url, key=key)

    # --- window --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        self.app.set_active(self.isActiveWindow())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.composer.flush_draft()  # what was typed is kept for next time
        self.bridge.detach()
        self.notice.disconnect_channel()
        self._clock.stop()
        super().closeEvent(event)
