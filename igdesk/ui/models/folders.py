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

_Index = QModelIndex | QPersistentModelIndex

#: Row order of the folder list.
FOLDER_ORDER: tuple[Folder, ...] = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS, Folder.DENIED)
#: Keyboard shortcut of each folder (the main window binds them); Denied has none.
FOLDER_SHORTCUTS: dict[Folder, str] = {
    Folder.PRIMARY: "Ctrl+1",
    Folder.GENERAL: "Ctrl+2",
    Folder.REQUESTS: "Ctrl+3",
}
_NAMES: dict[str, dict[Folder, str]] = {
    "en": {
        Folder.PRIMARY: "Primary",
        Folder.GENERAL: "General",
        Folder.REQUESTS: "Requests",
        Folder.DENIED: "Denied",
    },
    "id": {
        Folder.PRIMARY: "Utama",
        Folder.GENERAL: "Umum",
        Folder.REQUESTS: "Permintaan",
        Folder.DENIED: "Ditolak",
    },
}
_UNREAD = {
    "en": ("no unread conversations", "1 unread conversation", "{n} unread conversations"),
    "id": (
        "tidak ada percakapan belum dibaca",
        "1 percakapan belum dibaca",
        "{n} percakapan belum dibaca",
    ),
}


def folder_name(folder: Folder, lang: str) -> str:
    """A folder's name in `lang` (English when unknown)."""
    return _NAMES.get(lang, _NAMES["en"])[folder]


def unread_phrase(count: int, lang: str) -> str:
    none, one, many = _UNREAD.get(lang, _UNREAD["en"])
    if count <= 0:
        return none
    return one if count == 1 else many.format(n=count)


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
        self._lang = lang
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
        name = folder_name(folder, self._lang)
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
            return f"{name}, {unread_phrase(count, self._lang)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{name} — {unread_phrase(count, self._lang)}"
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

    def set_lang(self, lang: str) -> None:
        self._lang = lang
        self.dataChanged.emit(self.index(0, 0), self.index(len(FOLDER_ORDER) - 1, 0), [])
