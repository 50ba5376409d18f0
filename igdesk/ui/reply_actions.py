"""The window's replying actions: sending through the outbox, the composer's window state,
files by link, sharing a post, reactions and replying to one message.

`ReplyActions` is a collaborator the main window owns (`window.replying`): it takes the
widgets and models it works on from the window, and reaches the core only through the App
façade.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtWidgets import QMenu, QWidget

from igdesk.domain import Message, utc_now
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError
from igdesk.ui import aio
from igdesk.ui.models.messages import MessageRole
from igdesk.views import ThreadView

if TYPE_CHECKING:
    from igdesk.ui.window_layout import WindowWidgets

REACTIONS = ("❤️", "😂", "😮", "😢", "👍")


class ReplyActions:
    """What the owner does to answer: everything here goes through the App façade."""

    def __init__(self, window: WindowWidgets) -> None:
        self.app = window.app
        self.tasks = window.tasks
        self.words = window.words
        self.composer = window.composer
        self.conversation = window.conversation
        self.thread_model = window.thread_model
        self.ending_model = window.ending_model
        self._parent: QWidget = window  # dialogs and menus open over it

    def update_window(self, thread: ThreadView) -> None:
        """The composer opens, warns or closes with the thread's effective messaging window
        (our rule, overruled by the server's verdict: both come with the view)."""
        now = utc_now()
        allowed = self.app.settings.human_agent_allowed
        self.composer.set_window(thread.window(now, human_agent=allowed), now, human_agent=allowed)

    def outbox_changed(self, thread_id: str, _entry_id: int) -> None:
        self.tasks.start(self._show_outbox(thread_id), name="outbox")

    async def _show_outbox(self, thread_id: str) -> None:
        """A reply's state changed: its thread's window may have closed (the server's verdict),
        so the list badge, Ending soon, the header and the composer all follow."""
        thread = await self.app.inbox.thread(thread_id)
        if thread is not None:
            self.thread_model.apply([thread])
            self.ending_model.apply([thread])
        current = self.conversation.current
        if current is None or current.id != thread_id:
            return
        self.conversation.outbox.show_entries(await self.app.inbox.unsent(thread_id))
        if thread is not None:
            self.conversation.update_thread(thread)
            self.update_window(thread)

    def send(self, text: str) -> None:
        current = self.conversation.current
        if current is not None:
            reply_to = self.composer.reply_to()  # read now: the composer forgets it next
            self.tasks.start(self._queue_text(current.id, text, reply_to), name="send")

    async def _queue_text(self, thread_id: str, text: str, reply_to: str | None) -> None:
        try:
            await self.app.replies.send_text(thread_id, text, reply_to=reply_to)
        except IgdeskError as error:
            aio.report(error)
            current = self.conversation.current
            if current is not None and current.id == thread_id and not self.composer.text():
                self.composer.set_text(text)  # not sent: the owner's words stay

    def send_heart(self) -> None:
        current = self.conversation.current
        if current is not None:
            self.tasks.start(self._queue_heart(current.id), name="heart")

    async def _queue_heart(self, thread_id: str) -> None:
        try:
            await self.app.replies.send_heart(thread_id)
        except IgdeskError as error:
            aio.report(error)

    def typing(self, on: bool) -> None:
        current = self.conversation.current
        if current is not None:
            self.tasks.start(self.app.replies.typing(current.id, on), name="typing")

    async def attach(self) -> None:
        from igdesk.ui.attach_dialog import ask_for_file

        current = self.conversation.current
        choice = await ask_for_file(self.words, self._parent)
        if current is None or choice is None:
            return
        kind, url = choice
        try:
            await self.app.replies.send_file_url(current.id, kind, url.split())
        except IgdeskError as error:
            aio.report(error)

    async def share_post(self) -> None:
        from igdesk.ui.share_post_dialog import ask_for_post

        current = self.conversation.current
        if current is None:
            aio.info(self.words("Open a chat first."))
            return
        try:
            posts = await self.app.replies.shop_posts()
        except GraphError as error:
            aio.report(error)
            return
        post_id = await ask_for_post(posts, self.words, self._parent)
        if post_id is None:
            return
        try:
            await self.app.replies.share_post(current.id, post_id)
        except IgdeskError as error:
            aio.report(error)

    def message_menu(self, position: QPoint) -> None:
        """Right-click on a message: reply to it, or react (customer messages)."""
        index = self.conversation.view.indexAt(position)
        message = index.data(MessageRole.MESSAGE) if index.isValid() else None
        current = self.conversation.current
        if not isinstance(message, Message) or current is None or message.deleted:
            return
        words = self.words
        menu = QMenu(self._parent)
        menu.addAction(words("Reply"), lambda: self.reply_to_message(index))
        if not message.is_from_shop:
            for emoji in REACTIONS:
                action = menu.addAction(words("React {emoji}", emoji=emoji))
                action.triggered.connect(partial(self.react, current.id, message.id, emoji))
            menu.addAction(
                words("Remove my reaction"),
                lambda: self.react(current.id, message.id, None),
            )
        menu.popup(self.conversation.view.viewport().mapToGlobal(position))

    def react(self, thread_id: str, message_id: str, emoji: str | None) -> None:
        self.tasks.start(self.app.replies.react(thread_id, message_id, emoji), name="react")

    def reply_to_message(self, index: QModelIndex) -> None:
        message = index.data(MessageRole.MESSAGE)
        if isinstance(message, Message) and not message.deleted:
            quote = message.text or self.words("Attachment")
            self.composer.set_reply_to(message.id, " ".join(quote.split())[:120])
