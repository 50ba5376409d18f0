"""Choosing one of the shop's own posts to share in the open chat (MEDIA_SHARE)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from igdesk.domain import Post
from igdesk.i18n import Words
from igdesk.ui.aio import run_dialog
from igdesk.ui.buttons import ok_cancel


class SharePostDialog(QDialog):
    """The shop's newest posts by caption (plain text)."""

    def __init__(self, posts: list[Post], words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Share one of your posts"))
        self.posts = QListWidget()
        self.posts.setAccessibleName(words("Your posts"))
        for post in posts:
            caption = " ".join(post.caption.split()) or words("(no caption)")
            item = QListWidgetItem(caption[:120])
            item.setData(Qt.ItemDataRole.UserRole, post.id)
            self.posts.addItem(item)
        if posts:
            self.posts.setCurrentRow(0)
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.posts.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.posts)
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        item = self.posts.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


async def ask_for_post(
    posts: list[Post], words: Words, parent: QWidget | None = None
) -> str | None:
    """The chosen post id, or None; shown with open(), never exec()."""
    dialog = SharePostDialog(posts, words, parent)
    accepted = await run_dialog(dialog)
    chosen = dialog.chosen()
    dialog.deleteLater()
    return chosen if accepted else None
