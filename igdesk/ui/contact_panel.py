"""The contact panel beside a conversation: who the customer is, as far as Instagram tells."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from igdesk.domain import Contact
from igdesk.i18n import Words

AVATAR_SIZE = 72


def _plain(label: QLabel) -> QLabel:
    """Labels show customer text literally: never rich text, never a link they did not type."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ContactPanel(QFrame):
    """Name, @username, follow state, followers, verified and 'customer since'."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = words
        self.setObjectName("contactPanel")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(200)
        self.setAccessibleName(words("Customer details"))
        self.avatar = QLabel()
        self.avatar.setFixedSize(AVATAR_SIZE, AVATAR_SIZE)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = _plain(QLabel())
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.name.setFont(font)
        self.username = _plain(QLabel())
        self.follows = _plain(QLabel())
        self.followers = _plain(QLabel())
        self.verified = _plain(QLabel())
        self.since = _plain(QLabel())
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(words("Follows you"), self.follows)
        form.addRow(words("Followers"), self.followers)
        form.addRow(words("Verified"), self.verified)
        form.addRow(words("Customer since"), self.since)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.avatar, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.name, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.username, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.clear()

    def clear(self) -> None:
        for label in (self.name, self.username, self.follows, self.followers, self.verified):
            label.clear()
        self.since.clear()
        self.avatar.clear()
        self.details.setVisible(False)

    def show_contact(self, contact: Contact, customer_since: datetime | None) -> None:
        words = self._words
        self.details.setVisible(True)
        self.name.setText(contact.name or contact.username or words("Customer"))
        self.username.setText(f"@{contact.username}" if contact.username else "")
        follow_parts = []
        if contact.follows_business is not None:
            follow_parts.append(words("Yes") if contact.follows_business else words("No"))
        if contact.business_follows:
            follow_parts.append(words("(you follow them)"))
        self.follows.setText(" ".join(follow_parts) or words("Unknown"))
        self.followers.setText(
            f"{contact.follower_count:,}".replace(",", "." if words.lang == "id" else ",")
            if contact.follower_count is not None
            else words("Unknown")
        )
        if contact.is_verified is None:
            self.verified.setText(words("Unknown"))
        else:
            self.verified.setText(words("Yes ✔") if contact.is_verified else words("No"))
        self.since.setText(
            words.date(customer_since.astimezone(), "d MMM y") if customer_since else ""
        )

    def set_avatar(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.avatar.clear()
            return
        self.avatar.setPixmap(
            pixmap.scaled(
                AVATAR_SIZE,
                AVATAR_SIZE,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
