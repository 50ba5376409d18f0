"""The main window: folders and search on the left, threads in the middle, the conversation right.

It reaches the core only through the App façade (actions, and `app.inbox` for reads that
return views) and the CoreBridge (events, which carry views too). It never reads the archive:
every read is awaited off the Qt thread, so `reload_all`, `show_folder` and `open_thread` are
coroutines (start them with `tasks`).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from igdesk.app import App
from igdesk.domain import Folder, utc_now
from igdesk.events import CustomerWrote, SyncStatus, ThreadsChanged
from igdesk.i18n import Text, Words
from igdesk.ui import aio
from igdesk.ui.aio import TaskOwner
from igdesk.ui.bridge import CoreBridge
from igdesk.ui.composer import Composer
from igdesk.ui.contact_panel import ContactPanel
from igdesk.ui.conversation import PAGE, ConversationPane
from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.delegates.search_delegate import SearchDelegate
from igdesk.ui.delegates.thread_delegate import ThreadDelegate
from igdesk.ui.images import ImageStore
from igdesk.ui.models.ending_soon import EndingSoonModel
from igdesk.ui.models.folders import FolderListModel
from igdesk.ui.models.search import SearchResultModel
from igdesk.ui.models.threads import ThreadListModel
from igdesk.ui.notice import Notice
from igdesk.ui.reply_actions import ReplyActions
from igdesk.ui.status import status_text
from igdesk.ui.tray import TrayNotifier
from igdesk.views import ConversationView, ThreadView

FOLDER_ORDER = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS, Folder.DENIED)
#: The window flag (App.inbox.ui_flag) remembering that the Requests notice was dismissed.
REQUESTS_NOTICE = "requests_notice_dismissed"


class MainWindow(ReplyActions):
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
            parent=self,
        )
        self.search_model = SearchResultModel(lang=words.lang, parent=self)
        self._build()
        self._wire()
        self._shortcuts()
        self._showing: str | None = None  # the thread shown, or being read to be shown
        self._changes_meanwhile: list[list[ThreadView]] = []
        self._loading_older = False
        self._search_query = ""
        self._clock = QTimer(self, interval=30_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    # --- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        words = self.words
        self.account_label = QLabel()
        self.account_label.setTextFormat(Qt.TextFormat.PlainText)
        self.account_label.setAccessibleName(words("Shop account"))
        font = self.account_label.font()
        font.setBold(True)
        self.account_label.setFont(font)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(words("Search messages (Ctrl+F)"))
        self.search_box.setAccessibleName(words("Search messages"))
        self.search_box.setClearButtonEnabled(True)
        self.folder_view = QListView()
        self.folder_view.setModel(self.folder_model)
        self.folder_view.setAccessibleName(words("Folders"))
        self.folder_view.setMaximumWidth(240)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.account_label)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.folder_view, 1)
        self.ending_soon_button = QPushButton(words("⏳ Ending soon"))
        self.ending_soon_button.setCheckable(True)
        self.ending_soon_button.setToolTip(
            words("Chats whose reply window closes within 3 hours, soonest first (Ctrl+5)")
        )
        self.ending_soon_button.setAccessibleName(words("Ending soon"))
        left_layout.addWidget(self.ending_soon_button)

        self.thread_view = QListView()
        self.thread_view.setModel(self.thread_model)
        self.thread_view.setItemDelegate(ThreadDelegate(avatar_for=self._avatar, parent=self))
        self.thread_view.setUniformItemSizes(True)
        self.thread_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.thread_view.setAccessibleName(words("Conversations"))
        self.requests_notice = QFrame()
        notice_layout = QHBoxLayout(self.requests_notice)
        notice = QLabel(
            words(
                "Accepting or denying here is kept in igdesk only: Instagram's own app may "
                "still show these requests."
            )
        )
        notice.setWordWrap(True)
        dismiss = QPushButton(words("Got it"))
        dismiss.clicked.connect(self._dismiss_requests_notice)
        notice_layout.addWidget(notice, 1)
        notice_layout.addWidget(dismiss)
        threads_page = QWidget()
        threads_layout = QVBoxLayout(threads_page)
        threads_layout.setContentsMargins(0, 0, 0, 0)
        threads_layout.addWidget(self.requests_notice)
        threads_layout.addWidget(self.thread_view, 1)
        self.search_view = QListView()
        self.search_view.setModel(self.search_model)
        self.search_view.setAccessibleName(words("Search results"))
        self.search_view.setItemDelegate(SearchDelegate(self))
        self.search_view.setUniformItemSizes(True)
        self.ending_model = EndingSoonModel(
            None,
            lang=words.lang,
            human_agent_allowed=self.app.settings.human_agent_allowed,
            parent=self,
        )
        self.ending_view = QListView()
        self.ending_view.setModel(self.ending_model)
        self.ending_view.setItemDelegate(ThreadDelegate(avatar_for=self._avatar, parent=self))
        self.ending_view.setUniformItemSizes(True)
        self.ending_view.setAccessibleName(words("Ending soon"))
        self.middle = QStackedWidget()
        self.middle.addWidget(threads_page)
        self.middle.addWidget(self.search_view)
        self.middle.addWidget(self.ending_view)

        self.message_delegate = MessageDelegate(
            image_for=self._image, image_state=self._image_state, lang=words.lang, parent=self
        )
        self.conversation = ConversationPane(words, self.message_delegate)
        self.conversation.human_agent = self.app.settings.human_agent_allowed
        self.composer = Composer(words, self.app.settings)
        self.conversation.add_bottom(self.composer)
        self.contact_panel = ContactPanel(words)

        splitter = QSplitter()
        for widget in (left, self.middle, self.conversation, self.contact_panel):
            splitter.addWidget(widget)
        splitter.setSizes([200, 340, 560, 220])
        splitter.setStretchFactor(2, 1)

        self.banner = QFrame()
        self.banner.setObjectName("signInBanner")
        banner_layout = QHBoxLayout(self.banner)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.sign_in_button = QPushButton(words("Sign in again"))
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.sign_in_button)
        self.banner.setVisible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        menu = self.menuBar().addMenu("&igdesk")
        self.settings_action = menu.addAction(words("&Settings…"))
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self._open_settings)
        self.refresh_action = menu.addAction(words("&Refresh now"))
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.app.refresh)
        share = menu.addAction(words("Share one of your &posts…"))
        share.setShortcut(QKeySequence("Ctrl+Shift+P"))
        share.triggered.connect(lambda: self.tasks.start(self._share_post(), name="share-post"))
        menu.addSeparator()
        quit_action = menu.addAction(words("&Quit"))
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)

        self.status_label = QLabel()
        self.notice = Notice(words)
        self.undo_button = QPushButton(words("Undo"))
        self.undo_button.setVisible(False)
        bar = QStatusBar()
        bar.addWidget(self.notice, 2)
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.undo_button)
        self.setStatusBar(bar)
        self._undo_thread: str | None = None
        self._undo_timer = QTimer(self, singleShot=True, interval=10_000)
        self._undo_timer.timeout.connect(lambda: self.undo_button.setVisible(False))
        self._search_timer = QTimer(self, singleShot=True, interval=200)

    def _wire(self) -> None:
        self.folder_view.selectionModel().currentChanged.connect(self._folder_chosen)
        self.thread_view.selectionModel().currentChanged.connect(self._thread_chosen)
        self.ending_view.selectionModel().currentChanged.connect(self._ending_chosen)
        self.ending_soon_button.toggled.connect(self._show_ending_soon)
        self.search_view.activated.connect(self._search_result_chosen)
        self.search_view.clicked.connect(self._search_result_chosen)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(self._run_search)
        self.search_box.returnPressed.connect(self._focus_results)
        self.undo_button.clicked.connect(self._undo)
        self.sign_in_button.clicked.connect(
            lambda: self.tasks.start(self._sign_in(), name="sign-in")
        )
        self.conversation.accept_requested.connect(self._accept)
        self.conversation.deny_requested.connect(self._deny)
        self.conversation.restore_requested.connect(self._restore)
        self.conversation.move_requested.connect(self._move)
        self.conversation.older_wanted.connect(self._older_wanted)
        self.conversation.outbox.retry_requested.connect(
            lambda entry: self.tasks.start(self.app.replies.retry_send(entry), name="retry-send")
        )
        self.conversation.outbox.delete_requested.connect(
            lambda entry: self.tasks.start(self.app.replies.delete_send(entry), name="delete-send")
        )
        self.conversation.view.doubleClicked.connect(self._reply_to_message)
        self.composer.send_requested.connect(self._send)
        self.composer.heart_requested.connect(self._send_heart)
        self.composer.draft_changed.connect(self.app.inbox.save_draft)
        self.composer.typing.connect(self._typing)
        self.composer.edit_saved_replies_requested.connect(self._open_settings)
        self.composer.attach_requested.connect(
            lambda: self.tasks.start(self._attach(), name="attach")
        )
        self.conversation.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.conversation.view.customContextMenuRequested.connect(self._message_menu)
        self.bridge.outbox_changed.connect(self._outbox_changed)
        self.bridge.threads_changed.connect(self._threads_changed)
        self.bridge.messages_added.connect(self._messages_added)
        self.bridge.customer_wrote.connect(self._customer_wrote)
        self.bridge.sync_status.connect(self._sync_status)
        self.bridge.sign_in_needed.connect(self._sign_in_needed)
        self.message_delegate.retry_requested.connect(self._retry_image)
        self.images.ready.connect(self._image_ready)
        self.images.failed.connect(self._image_ready)
        if self.tray is not None:
            self.tray.open_thread.connect(self._from_notification)
            self.tray.show_window.connect(self._bring_to_front)

    def _shortcuts(self) -> None:
        def add(keys: str, slot: object, widget: QWidget | None = None) -> None:
            shortcut = QShortcut(QKeySequence(keys), widget or self)
            if widget is not None:
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        for number, folder in enumerate(FOLDER_ORDER, start=1):
            add(f"Ctrl+{number}", lambda f=folder: self._start_showing(f))
        add("Ctrl+5", self.ending_soon_button.toggle)
        add("Ctrl+F", self._focus_search)
        add("Escape", self._escape)
        for keys, step in (("J", 1), ("K", -1)):
            add(keys, lambda s=step: self._step_thread(s), self.thread_view)
        for target in (self.thread_view, self.conversation.view):
            add("A", self.conversation.accept_button.click, target)
            add("D", self.conversation.deny_button.click, target)

    # --- loading ------------------------------------------------------------------------------

    # Every read below is awaited from the archive's reader thread: after each `await` the
    # owner may have chosen another folder or thread, so each checks it is still wanted.

    async def reload_all(self) -> None:
        """Read again everything the window shows (at start, after the first sync)."""
        self._sync_status(self.app.status)
        account = await self.app.inbox.account()
        self.account_label.setText(f"@{account.username}" if account else "")
        self._set_counts(await self.app.inbox.unread_counts())
        await self.show_folder(self.folder)

    async def show_folder(self, folder: Folder) -> None:
        self.folder = folder
        self.folder_view.setCurrentIndex(self.folder_model.index(FOLDER_ORDER.index(folder), 0))
        self.ending_soon_button.setChecked(False)
        self.middle.setCurrentIndex(0)
        if self.conversation.current is not None and self.conversation.current.folder is not folder:
            await self._show_thread(None)
        dismissed = await self.app.inbox.ui_flag(REQUESTS_NOTICE)
        rows, changed = await self._read_threads(folder)
        if self.folder is folder:
            self.thread_model.set_folder(folder, rows)
            self.thread_model.apply(changed)
            self.requests_notice.setVisible(folder is Folder.REQUESTS and not dismissed)

    async def _read_threads(
        self, folder: Folder | None
    ) -> tuple[list[ThreadView], list[ThreadView]]:
        """A folder's threads, and the changes announced while they were being read (newer
        than what the read may have seen: apply them after)."""
        changed: list[ThreadView] = []
        self._changes_meanwhile.append(changed)
        try:
            return await self.app.inbox.threads(folder), changed
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
        self._update_window(thread)
        if conversation.contact is not None:
            self.contact_panel.show_contact(conversation.contact, conversation.customer_since)
            self.contact_panel.set_avatar(self._avatar(thread.avatar_url, thread.contact_id))
        self.app.set_active(True)
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
                self._update_window(row)
        self._set_counts(event.unread_counts)

    def _messages_added(self, thread_id: str, message_ids: list[str]) -> None:
        current = self.conversation.current
        if current is not None and current.id == thread_id:
            self.tasks.start(self._add_messages(thread_id, message_ids), name="new-messages")

    async def _add_messages(self, thread_id: str, message_ids: list[str]) -> None:
        messages = await self.app.inbox.messages_by_id(message_ids)
        current = self.conversation.current
        if current is None or current.id != thread_id:
            return
        self.conversation.add_messages(messages)
        if self.isActiveWindow():
            await self.app.inbox.open_thread(thread_id)

    def _customer_wrote(self, event: CustomerWrote) -> None:
        if self.tray is None:
            return
        row, message, thread_id = event.thread, event.message, event.thread.id
        from igdesk.ui.text import card_title_of, preview_text

        body = preview_text(
            message.text,
            tuple(a.type for a in message.attachments),
            False,
            self.words.lang,
            card_title=card_title_of(message.attachments),
        )
        title = row.contact_name or row.contact_username
        self.tray.notify(thread_id, row.folder, title, body, window_focused=self.isActiveWindow())

    def _from_notification(self, thread_id: str) -> None:
        self._bring_to_front()
        self.tasks.start(self.open_thread(thread_id), name="open-notified")

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _sync_status(self, status: SyncStatus) -> None:
        self.status_label.setText(status_text(status, self.words))

    def _sign_in_needed(self, text: Text) -> None:
        self.banner_label.setText(self.words.text(text))
        self.banner.setVisible(True)

    async def _sign_in(self) -> None:
        from igdesk.ui.sign_in import ask_for_token

        if await ask_for_token(self.app, self.words, self):
            self.banner.setVisible(False)
            self.app.refresh()

    def _retry_image(self, url: str) -> None:
        """An image failed (often an expired CDN link): re-read its message for a fresh URL."""
        current = self.conversation.current
        message = self.conversation.model.message_with_url(url)
        if current is None or message is None:
            self.images.retry(url)
            return

        async def refresh() -> None:
            fresh = await self.app.refresh_message(current.id, message.id)
            if fresh is not None:
                self.conversation.add_messages([fresh])
            for attachment in (fresh or message).attachments:
                if attachment.url:
                    self.images.retry(attachment.url)

        self.tasks.start(refresh(), name="refresh-image")

    def _image_ready(self, _url: str) -> None:
        self.thread_view.viewport().update()
        self.conversation.view.viewport().update()
        current = self.conversation.current
        if current is not None:
            self.contact_panel.set_avatar(self._avatar(current.avatar_url, current.contact_id))

    def _set_counts(self, counts: Mapping[Folder, int]) -> None:
        self.folder_model.set_counts(dict(counts))
        total = sum(counts.get(f, 0) for f in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS))
        self.setWindowTitle(f"igdesk ({total})" if total else "igdesk")
        if self.tray is not None:
            self.tray.set_unread(total)

    def _tick(self) -> None:
        self.thread_model.refresh_times()
        if self.middle.currentWidget() is self.ending_view:
            self.tasks.start(self._reload_ending_soon(), name="ending-soon")
        self.conversation.refresh_window()

    async def _reload_ending_soon(self) -> None:
        rows, changed = await self._read_threads(None)
        self.ending_model.reload(rows)
        self.ending_model.apply(changed)

    # --- owner actions -------------------------------------------------------------------------

    def _folder_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and FOLDER_ORDER[current.row()] is not self.folder:
            self._start_showing(FOLDER_ORDER[current.row()])

    def _start_showing(self, folder: Folder) -> None:
        self.tasks.start(self.show_folder(folder), name=f"folder-{folder.value}")

    def _thread_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._choose(self.thread_model.thread_at(current.row()).id)

    def _choose(self, thread_id: str) -> None:
        if self._showing != thread_id:
            self.tasks.start(self._show_thread(thread_id), name=f"show-{thread_id[:8]}")

    def _show_ending_soon(self, on: bool) -> None:
        if on:
            self.tasks.start(self._reload_ending_soon(), name="ending-soon")
            self.middle.setCurrentWidget(self.ending_view)
        else:
            self.middle.setCurrentIndex(0)

    def _ending_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._choose(self.ending_model.thread_at(current.row()).id)

    def _accept(self, thread_id: str, folder: str) -> None:
        self.tasks.start(self.app.inbox.accept(thread_id, Folder(folder)), name="accept")

    def _deny(self, thread_id: str) -> None:
        self.tasks.start(self._deny_and_offer_undo(thread_id), name="deny")

    async def _deny_and_offer_undo(self, thread_id: str) -> None:
        await self.app.inbox.deny(thread_id)  # a failure goes to the notice, with no Undo
        self._undo_thread = thread_id
        aio.info(self.words("Request denied."))
        self.undo_button.setVisible(True)
        self._undo_timer.start()

    def _undo(self) -> None:
        if self._undo_thread is not None:
            self._restore(self._undo_thread)
            self._undo_thread = None
        self.undo_button.setVisible(False)

    def _restore(self, thread_id: str) -> None:
        self.tasks.start(self.app.inbox.restore(thread_id), name="restore")

    def _move(self, thread_id: str, folder: str) -> None:
        self.tasks.start(self.app.inbox.move(thread_id, Folder(folder)), name="move")

    def _dismiss_requests_notice(self) -> None:
        self.tasks.start(self.app.inbox.set_ui_flag(REQUESTS_NOTICE), name="notice")
        self.requests_notice.setVisible(False)

    def _step_thread(self, step: int) -> None:
        count = self.thread_model.rowCount()
        if not count:
            return
        row = self.thread_view.currentIndex().row()
        target = min(max(row + step, 0), count - 1) if row >= 0 else 0
        self.thread_view.setCurrentIndex(self.thread_model.index(target, 0))

    def _open_settings(self) -> None:
        from igdesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.app.settings, self.app.profile.settings_path, lang=self.words.lang, parent=self
        )
        dialog.saved.connect(self._settings_saved)
        dialog.open()

    def _settings_saved(self, _settings: object) -> None:
        allowed = self.app.settings.human_agent_allowed
        self.thread_model.set_human_agent(allowed)
        self.ending_model.set_human_agent(allowed)
        self.conversation.human_agent = allowed
        self.conversation.refresh_window()
        if self.conversation.current is not None:
            self._update_window(self.conversation.current)  # the composer follows at once
        if self.ending_soon_button.isChecked():
            self.tasks.start(self._reload_ending_soon(), name="ending-soon")
        if self.tray is not None:
            self.tray.set_settings(self.app.settings)

    # --- search ------------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _run_search(self) -> None:
        self.tasks.start(self._search(), name="search")

    async def _search(self) -> None:
        query = self.search_box.text().strip()
        self._search_query = query
        if not query:
            self.middle.setCurrentIndex(0)
            return
        results = await self.app.inbox.search(query)
        if self._search_query == query:  # not overtaken by what the owner typed meanwhile
            self.search_model.set_hits(results)
            self.middle.setCurrentIndex(1)

    def _focus_results(self) -> None:
        self._search_timer.stop()
        self.tasks.start(self._search_and_focus(), name="search")

    async def _search_and_focus(self) -> None:
        await self._search()
        if self.search_model.rowCount():
            self.search_view.setFocus()
            self.search_view.setCurrentIndex(self.search_model.index(0, 0))

    def _search_result_chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        hit = self.search_model.hit_at(index.row())
        self.tasks.start(self._open_result(hit.thread_id, hit.message_id), name="open-result")

    async def _open_result(self, thread_id: str, message_id: str) -> None:
        await self.open_thread(thread_id, message_id)
        self.middle.setCurrentIndex(1)

    def _escape(self) -> None:
        if self.search_box.text():
            self.search_box.clear()
        self.middle.setCurrentIndex(0)
        self.thread_view.setFocus()

    # --- images ------------------------------------------------------------------------------

    def _avatar(self, url: str, contact_id: str) -> QPixmap | None:
        """A customer's loaded picture (its URL comes with the thread's view: no query)."""
        key = f"avatar:{contact_id}"
        if not url or self.images.state(url, key=key) != "ready":
            return None
        return self.images.pixmap(url, key=key)

    def _image(self, url: str) -> QPixmap | None:
        return self.images.pixmap(url)

    def _image_state(self, url: str) -> str:
        return self.images.state(url)

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
