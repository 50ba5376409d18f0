"""Saved replies: short canned answers inserted with "/shortcut" or from a menu.

The rules (parsing settings, validation, matching) are plain Python; `SavedRepliesModel` feeds the
composer's completion popup and `SavedRepliesEditor` is the Settings section that edits them.
Shortcuts are stored without the leading "/".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from igdesk.domain import MAX_TEXT_BYTES, text_bytes
from igdesk.i18n import N_, Words

MAX_SHORTCUT_CHARS = 30
#: Role of the bare shortcut ("harga") in `SavedRepliesModel`.
SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role of the full text in `SavedRepliesModel`.
TEXT_ROLE = Qt.ItemDataRole.UserRole + 2
_PREVIEW_CHARS = 60
# "/" at the start of a word, then the shortcut typed so far, right before the cursor.
_TYPED = re.compile(r"(?:^|(?<=\s))/(\S*)$")

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class SavedReply:
    """One canned answer: typing "/" + `shortcut` inserts `text`."""

    shortcut: str
    text: str

    def label(self) -> str:
        """One line for menus and the completion popup: "/harga — Harga kaos: Rp…"."""
        flat = " ".join(self.text.split())
        if len(flat) > _PREVIEW_CHARS:
            flat = flat[: _PREVIEW_CHARS - 1].rstrip() + "…"
        return f"/{self.shortcut} — {flat}"


#: An example shown while there is none (its text is translated where shown).
EXAMPLE = SavedReply(
    "harga", N_("Plain T-shirts are Rp 85,000, sizes S–XXL. Shipping depends on your address 🙏")
)


def from_settings(items: Iterable[object]) -> list[SavedReply]:
    """The saved replies stored in `Settings.saved_replies`; damaged entries are skipped."""
    replies: list[SavedReply] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        shortcut, text = item.get("shortcut"), item.get("text")
        if not isinstance(shortcut, str) or not isinstance(text, str):
            continue
        shortcut = normalize_shortcut(shortcut)
        if shortcut and text.strip() and shortcut.casefold() not in seen:
            seen.add(shortcut.casefold())
            replies.append(SavedReply(shortcut, text))
    return replies


def to_settings(replies: Iterable[SavedReply]) -> list[dict[str, str]]:
    return [{"shortcut": reply.shortcut, "text": reply.text} for reply in replies]


def normalize_shortcut(raw: str) -> str:
    """What the owner typed as a shortcut, without surrounding spaces and the leading "/"."""
    return raw.strip().removeprefix("/")


def problem(
    shortcut: str,
    text: str,
    existing: Sequence[SavedReply],
    words: Words,
    *,
    replacing: int | None = None,
) -> str | None:
    """Why this saved reply cannot be kept, as a sentence; None when it is fine.

    `replacing` is the index in `existing` being edited (its own shortcut is not a clash).
    """
    if not shortcut:
        return words("Type a shortcut, for example harga (you will insert it by typing /harga).")
    if any(char.isspace() for char in shortcut) or "/" in shortcut:
        return words(
            "The shortcut “{shortcut}” can't contain spaces or “/”: use one word, like harga.",
            shortcut=shortcut,
        )
    if len(shortcut) > MAX_SHORTCUT_CHARS:
        return words(
            "The shortcut is too long: use at most {most} characters.", most=MAX_SHORTCUT_CHARS
        )
    for index, reply in enumerate(existing):
        if index != replacing and reply.shortcut.casefold() == shortcut.casefold():
            return words(
                "The shortcut /{shortcut} is already used. Choose another one, or select "
                "it in the list and press Update.",
                shortcut=shortcut,
            )
    if not text.strip():
        return words("Type the text this shortcut inserts.")
    size = text_bytes(text.strip())
    if size > MAX_TEXT_BYTES:
        return words(
            "The text is {size} bytes; one Instagram message holds at most {most}. "
            "Make it shorter.",
            size=size,
            most=MAX_TEXT_BYTES,
        )
    return None


def typed_shortcut(before_cursor: str) -> str | None:
    """The "/shortcut" being typed right before the cursor (e.g. "/har"), or None."""
    found = _TYPED.search(before_cursor)
    return None if found is None else "/" + found.group(1)


def matching(replies: Sequence[SavedReply], typed: str) -> list[SavedReply]:
    """The replies whose shortcut starts with what was typed after "/" (any case)."""
    wanted = typed.removeprefix("/").casefold()
    return [reply for reply in replies if reply.shortcut.casefold().startswith(wanted)]


class SavedRepliesModel(QAbstractListModel):
    """The saved replies as a list: DisplayRole is the label, EditRole the "/shortcut"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._replies: list[SavedReply] = []

    def set_replies(self, replies: Sequence[SavedReply]) -> None:
        if list(replies) == self._replies:
            return
        self.beginResetModel()  # a handful of rows, replaced only when Settings changed
        self._replies = list(replies)
        self.endResetModel()

    def replies(self) -> list[SavedReply]:
        return list(self._replies)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._replies)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._replies):
            return None
        reply = self._replies[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return reply.label()
        if role == Qt.ItemDataRole.EditRole:
            return f"/{reply.shortcut}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return reply.text
        if role == SHORTCUT_ROLE:
            return reply.shortcut
        if role == TEXT_ROLE:
            return reply.text
        return None


class SavedRepliesEditor(QWidget):
    """The Settings section: a list, a shortcut and a text field, Add / Update / Remove.

    `commit_pending()` keeps what is typed in the fields but not yet added (OK calls it), so
    nothing typed is dropped; `replies()` is the list as edited.
    """

    def __init__(
        self, replies: Sequence[SavedReply], words: Words, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._words = words
        self._replies = list(replies)
        self.list = QListWidget()
        self.list.setAccessibleName(words("Saved replies"))
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        example = words(EXAMPLE.text)
        self.empty_label = QLabel(
            words(
                "No saved replies yet. Example: /{shortcut} inserts “{text}”",
                shortcut=EXAMPLE.shortcut,
                text=example,
            )
        )
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)  # drawn as secondary text
        self.shortcut_edit = QLineEdit()
        self.shortcut_edit.setPlaceholderText(EXAMPLE.shortcut)
        self.shortcut_edit.setMaxLength(MAX_SHORTCUT_CHARS + 1)  # +1 for a typed "/"
        self.shortcut_edit.setAccessibleName(words("Shortcut"))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText(example)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setAccessibleName(words("Reply text"))
        self.text_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_button = QPushButton(words("Add"))
        self.update_button = QPushButton(words("Update"))
        self.remove_button = QPushButton(words("Remove"))
        for button in (self.add_button, self.update_button, self.remove_button):
            button.setAccessibleName(button.text())
            button.setAutoDefault(False)  # Enter in the dialog still means OK
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setVisible(False)

        shortcut_label = QLabel(words("Shortc&ut: /"))
        shortcut_label.setBuddy(self.shortcut_edit)
        text_label = QLabel(words("Te&xt:"))
        text_label.setBuddy(self.text_edit)
        form = QFormLayout()
        form.addRow(shortcut_label, self.shortcut_edit)
        form.addRow(text_label, self.text_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.update_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.empty_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)

        self.list.currentRowChanged.connect(self._chosen)
        self.add_button.clicked.connect(self.add)
        self.update_button.clicked.connect(self.update_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self._refresh(select=-1)

    def controls(self) -> list[QWidget]:
        """The focusable controls, in tab order."""
        return [
            self.list,
            self.shortcut_edit,
            self.text_edit,
            self.add_button,
            self.update_button,
            self.remove_button,
        ]

    def replies(self) -> list[SavedReply]:
        return list(self._replies)

    def error(self) -> str:
        """The sentence shown about the last refused change ("" when none)."""
        return "" if self.error_label.isHidden() else self.error_label.text()

    def _fields(self) -> tuple[str, str]:
        return normalize_shortcut(self.shortcut_edit.text()), self.text_edit.toPlainText()

    def _show_error(self, sentence: str | None) -> bool:
        self.error_label.setText(sentence or "")
        self.error_label.setVisible(bool(sentence))
        if sentence:
            self.error_label.setAccessibleName(sentence)
        return sentence is None

    def add(self) -> bool:
        """Add the fields as a new saved reply; False (and a sentence) when refused."""
        shortcut, text = self._fields()
        if not self._show_error(problem(shortcut, text, self._replies, self._words)):
            return False
        self._replies.append(SavedReply(shortcut, text.strip()))
        self._refresh(select=-1)
        return True

    def update_selected(self) -> bool:
        """Replace the selected saved reply with the fields; False when refused."""
        row = self.list.currentRow()
        if row < 0:
            return self.add()
        shortcut, text = self._fields()
        sentence = problem(shortcut, text, self._replies, self._words, replacing=row)
        if not self._show_error(sentence):
            return False
        self._replies[row] = SavedReply(shortcut, text.strip())
        self._refresh(select=row)
        return True

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            del self._replies[row]
            self._show_error(None)
            self._refresh(select=-1)

    def commit_pending(self) -> bool:
        """Keep what the fields hold if it differs from the list; False when it is refused."""
        shortcut, text = self._fields()
        row = self.list.currentRow()
        if row >= 0:
            current = self._replies[row]
            if (shortcut, text.strip()) == (current.shortcut, current.text):
                return True
            return self.update_selected()
        if not shortcut and not text.strip():
            return True
        return self.add()

    def _refresh(self, *, select: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for reply in self._replies:
            item = QListWidgetItem(reply.label())
            item.setToolTip(reply.text)
            self.list.addItem(item)
        self.list.setCurrentRow(select)
        self.list.blockSignals(False)
        self._chosen(select)
        self.empty_label.setVisible(not self._replies)

    def _chosen(self, row: int) -> None:
        reply = self._replies[row] if 0 <= row < len(self._replies) else None
        self.shortcut_edit.setText(reply.shortcut if reply else "")
        self.text_edit.setPlainText(reply.text if reply else "")
        self.update_button.setEnabled(reply is not None)
        self.remove_button.setEnabled(reply is not None)
