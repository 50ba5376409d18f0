"""The folder list: Primary, General, Requests and the Denied view, with unread counts."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from igdesk.domain import Folder
from igdesk.i18n import N_, Words

_Index = QModelIndex | QPersistentModelIndex

#: Row order of the folder list.
FOLDER_ORDER: tuple[Folder, ...] = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS, Folder.DENIED)
#: Keyboard shortcut of each folder (the main window binds them); Denied has none.
FOLDER_SHORTCUTS: dict[Folder, str] = {
    Folder.PRIMARY: "Ctrl+1",
    Folder.GENERAL: "Ctrl+2",
    Folder.REQUESTS: "Ctrl+3",
}
_NAMES: dict[Folder, str] = {
    Folder.PRIMARY: N_("Primary"),
    Folder.GENERAL: N_("General"),
    Folder.REQUESTS: N_("Requests"),
    Folder.DENIED: N_("Denied"),
}


def folder_name(folder: Folder, words: Words) -> str:
    """A folder's name in the owner's language."""
    return words(_NAMES[folder])


def unread_phrase(count: int, words: Words) -> str:
    if count <= 0:
        return words("no unread conversations")
    return words.plural("{n} unread conversation", "{n} unread conversations", count)


class FolderRole(IntEnum):
    """Data roles of FolderListModel (DisplayRole: the name, with the count when non-zero)."""

    FOLDER = Qt.ItemDataRole.UserRole + 1  # Folder
    NAME = FOLDER + 1
    COUNT = FOLDER + 2  # unread conversations, int
    SHORTCUT = FOLDER + 3  # "Ctrl+1", or ""


class FolderListModel(QAbstractListModel):
    """The four folder rows; `set_counts` changes only rows whose count changed."""

    def __init__(self, *, lang: str = "en", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words = Words(lang)
        self._counts: dict[Folder, int] = dict.fromkeys(FOLDER_ORDER, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(FOLDER_ORDER)

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in FolderRole:
            names[int(role)] = QByteArray(role.name.lower().encode())
        return names

    def folder_at(self, row: int) -> Folder:
        return FOLDER_ORDER[row]

    def row_of(self, folder: Folder) -> int:
        return FOLDER_ORDER.index(folder)

    def count(self, folder: Folder) -> int:
        return self._counts[folder]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(FOLDER_ORDER):
            return None
        folder = FOLDER_ORDER[index.row()]
        name = folder_name(folder, self._words)
        count = self._counts[folder]
        shortcut = FOLDER_SHORTCUTS.get(folder, "")
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}  {count}" if count else name
        if role == FolderRole.FOLDER:
            return folder
        if role == FolderRole.NAME:
            return name
        if role == FolderRole.COUNT:
            return count
        if role == FolderRole.SHORTCUT:
            return shortcut
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{name}, {unread_phrase(count, self._words)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{name} — {unread_phrase(count, self._words)}"
            return f"{tip} ({shortcut})" if shortcut else tip
        return None

    def set_counts(self, counts: dict[Folder, int]) -> None:
        """New unread counts (missing folders keep theirs); dataChanged per changed row."""
        for folder, count in counts.items():
            if folder not in self._counts or self._counts[folder] == count:
                continue
            self._counts[folder] = count
            changed = self.index(self.row_of(folder), 0)
            self.dataChanged.emit(changed, changed, [])
