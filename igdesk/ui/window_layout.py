"""The main window's widgets, built in one declarative pass, and its keyboard shortcuts.

`WindowWidgets` declares every widget the window has; `build(window)` creates them (and the
views of its models) and `add_shortcuts(window)` binds the keys. No behaviour lives here: the
window and its collaborators (replying, searching, folder actions) wire the signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from igdesk.domain import Folder
from igdesk.ui.banner import SignInBanner
from igdesk.ui.composer import Composer
from igdesk.ui.contact_panel import ContactPanel
from igdesk.ui.conversation import ConversationPane
from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.delegates.search_delegate import SearchDelegate
from igdesk.ui.delegates.thread_delegate import ThreadDelegate
from igdesk.ui.models.ending_soon import EndingSoonModel
from igdesk.ui.notice import Notice
from igdesk.ui.webhook_indicator import WebhookIndicator

if TYPE_CHECKING:
    from igdesk.app import App
    from igdesk.i18n import Words
    from igdesk.ui.aio import TaskOwner
    from igdesk.ui.images import ImageStore
    from igdesk.ui.main_window import MainWindow
    from igdesk.ui.models.folders import FolderListModel
    from igdesk.ui.models.search import SearchResultModel
    from igdesk.ui.models.threads import ThreadListModel

#: The folders in the order of the list and of Ctrl+1…Ctrl+4.
FOLDER_ORDER = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS, Folder.DENIED)


class WindowWidgets(QMainWindow):
    """What the main window holds: the parts it is given, its models, and the widgets `build`
    creates (declarations only, no behaviour). Its collaborators are handed the window and
    take what they work on from here."""

    app: App
    tasks: TaskOwner
    words: Words
    images: ImageStore
    folder_model: FolderListModel
    thread_model: ThreadListModel
    search_model: SearchResultModel
    account_label: QLabel
    search_box: QLineEdit
    folder_view: QListView
    ending_soon_button: QPushButton
    thread_view: QListView
    requests_notice: QFrame
    search_view: QListView
    ending_model: EndingSoonModel
    ending_view: QListView
    middle: QStackedWidget
    message_delegate: MessageDelegate
    conversation: ConversationPane
    composer: Composer
    contact_panel: ContactPanel
    banner: SignInBanner
    banner_label: QLabel
    sign_in_button: QPushButton
    settings_action: QAction
    refresh_action: QAction
    quit_action: QAction  # Quit for real (igdesk/ui/tray_life.py: closing may keep it in the tray)
    status_label: QLabel
    webhook_indicator: WebhookIndicator
    notice: Notice
    undo_button: QPushButton


def build(window: MainWindow) -> None:
    """Create the window's widgets (declarative: long, but only layout)."""
    words = window.words
    window.account_label = QLabel()
    window.account_label.setTextFormat(Qt.TextFormat.PlainText)
    window.account_label.setAccessibleName(words("Shop account"))
    font = window.account_label.font()
    font.setBold(True)
    window.account_label.setFont(font)
    window.search_box = QLineEdit()
    window.search_box.setPlaceholderText(words("Search messages (Ctrl+F)"))
    window.search_box.setAccessibleName(words("Search messages"))
    window.search_box.setClearButtonEnabled(True)
    window.folder_view = QListView()
    window.folder_view.setModel(window.folder_model)
    window.folder_view.setAccessibleName(words("Folders"))
    window.folder_view.setMaximumWidth(240)
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.addWidget(window.account_label)
    left_layout.addWidget(window.search_box)
    left_layout.addWidget(window.folder_view, 1)
    window.ending_soon_button = QPushButton(words("⏳ Ending soon"))
    window.ending_soon_button.setCheckable(True)
    window.ending_soon_button.setToolTip(
        words("Chats whose reply window closes within 3 hours, soonest first (Ctrl+5)")
    )
    window.ending_soon_button.setAccessibleName(words("Ending soon"))
    left_layout.addWidget(window.ending_soon_button)

    window.thread_view = QListView()
    window.thread_view.setModel(window.thread_model)
    window.thread_view.setItemDelegate(ThreadDelegate(avatar_for=window.avatar, parent=window))
    window.thread_view.setUniformItemSizes(True)
    window.thread_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    window.thread_view.setAccessibleName(words("Conversations"))
    window.requests_notice = QFrame()
    notice_layout = QHBoxLayout(window.requests_notice)
    notice = QLabel(
        words(
            "Accepting or denying here is kept in igdesk only: Instagram's own app may "
            "still show these requests."
        )
    )
    notice.setWordWrap(True)
    dismiss = QPushButton(words("Got it"))
    dismiss.clicked.connect(lambda: window.folder_actions.dismiss_requests_notice())
    notice_layout.addWidget(notice, 1)
    notice_layout.addWidget(dismiss)
    threads_page = QWidget()
    threads_layout = QVBoxLayout(threads_page)
    threads_layout.setContentsMargins(0, 0, 0, 0)
    threads_layout.addWidget(window.requests_notice)
    threads_layout.addWidget(window.thread_view, 1)
    window.search_view = QListView()
    window.search_view.setModel(window.search_model)
    window.search_view.setAccessibleName(words("Search results"))
    window.search_view.setItemDelegate(SearchDelegate(window))
    window.search_view.setUniformItemSizes(True)
    window.ending_model = EndingSoonModel(
        None,
        lang=words.lang,
        human_agent_allowed=window.app.settings.human_agent_allowed,
        parent=window,
    )
    window.ending_view = QListView()
    window.ending_view.setModel(window.ending_model)
    window.ending_view.setItemDelegate(ThreadDelegate(avatar_for=window.avatar, parent=window))
    window.ending_view.setUniformItemSizes(True)
    window.ending_view.setAccessibleName(words("Ending soon"))
    window.middle = QStackedWidget()
    window.middle.addWidget(threads_page)
    window.middle.addWidget(window.search_view)
    window.middle.addWidget(window.ending_view)

    window.message_delegate = MessageDelegate(
        image_for=window.images.pixmap,
        image_state=window.images.state,
        lang=words.lang,
        parent=window,
    )
    window.conversation = ConversationPane(words, window.message_delegate)
    window.conversation.human_agent = window.app.settings.human_agent_allowed
    window.composer = Composer(words, window.app.settings)
    window.conversation.add_bottom(window.composer)
    window.contact_panel = ContactPanel(words)

    splitter = QSplitter()
    for widget in (left, window.middle, window.conversation, window.contact_panel):
        splitter.addWidget(widget)
    splitter.setSizes([200, 340, 560, 220])
    splitter.setStretchFactor(2, 1)

    window.banner = SignInBanner(words)
    window.banner_label = window.banner.label
    window.sign_in_button = window.banner.button

    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(window.banner)
    layout.addWidget(splitter, 1)
    window.setCentralWidget(central)

    menu = window.menuBar().addMenu("&igdesk")
    window.settings_action = menu.addAction(words("&Settings…"))
    window.settings_action.setShortcut(QKeySequence("Ctrl+,"))
    window.settings_action.triggered.connect(window.dialogs.open_settings)
    webhooks = menu.addAction(words("Instant &delivery (webhooks)…"))
    webhooks.triggered.connect(window.dialogs.open_webhook_settings)
    window.refresh_action = menu.addAction(words("&Refresh now"))
    window.refresh_action.setShortcut(QKeySequence("F5"))
    window.refresh_action.triggered.connect(window.app.refresh)
    share = menu.addAction(words("Share one of your &posts…"))
    share.setShortcut(QKeySequence("Ctrl+Shift+P"))
    share.triggered.connect(
        lambda: window.tasks.start(window.replying.share_post(), name="share-post")
    )
    menu.addSeparator()
    assistant = menu.addAction(words("Set up your &account…"))
    assistant.triggered.connect(lambda: window.signing.open_assistant())
    check = menu.addAction(words("&Check setup…"))
    check.triggered.connect(lambda: window.signing.check_setup())
    sign_out = menu.addAction(words("Sign &out…"))
    sign_out.triggered.connect(lambda: window.signing.sign_out())
    menu.addSeparator()
    menu.addAction(words("&About igdesk")).triggered.connect(window.dialogs.open_about)
    window.quit_action = quit_action = menu.addAction(words("&Quit"))
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.triggered.connect(window.close)

    window.status_label = QLabel()
    window.notice = Notice(words)
    window.undo_button = QPushButton(words("Undo"))
    window.undo_button.setVisible(False)
    window.webhook_indicator = WebhookIndicator(words)
    bar = QStatusBar()
    bar.addWidget(window.notice, 2)
    bar.addWidget(window.status_label, 1)
    bar.addPermanentWidget(window.webhook_indicator)
    bar.addPermanentWidget(window.undo_button)
    window.setStatusBar(bar)


def add_shortcuts(window: MainWindow) -> None:
    """The window's keys: folders, Ending soon, search, Escape, J/K, accept and deny."""

    def add(keys: str, slot: object, widget: QWidget | None = None) -> None:
        shortcut = QShortcut(QKeySequence(keys), widget or window)
        if widget is not None:
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    for number, folder in enumerate(FOLDER_ORDER, start=1):
        add(f"Ctrl+{number}", lambda f=folder: window.start_showing(f))
    add("Ctrl+5", window.ending_soon_button.toggle)
    add("Ctrl+F", window.searching.focus)
    add("Escape", window.searching.escape)
    for keys, step in (("J", 1), ("K", -1)):
        add(keys, lambda s=step: window.step_thread(s), window.thread_view)
    for target in (window.thread_view, window.conversation.view):
        add("A", window.conversation.accept_button.click, target)
        add("D", window.conversation.deny_button.click, target)
