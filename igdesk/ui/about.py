"""The About box: igdesk's version, where its logs are, and the libraries it ships with."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from igdesk.i18n import Words
from igdesk.ui.icons import app_pixmap
from igdesk.version import Library, libraries, version


class AboutDialog(QDialog):
    """Version, log file, profile folder, and a table of bundled libraries with their licences."""

    def __init__(
        self,
        words: Words,
        *,
        log_file: Path,
        profile_dir: Path,
        parent: QWidget | None = None,
        found: list[Library] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("About igdesk"))
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        logo = QLabel()
        logo.setPixmap(app_pixmap(64))
        layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)

        self.version_label = QLabel(
            f"<b>igdesk {escape(version())}</b><br>"
            + escape(words("A desktop inbox for your shop's Instagram messages."))
        )
        self.version_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.version_label)

        self.logs_label = QLabel(
            escape(words("Logs (tokens removed): {path}", path=str(log_file)))
            + "<br>"
            + escape(words("Messages and settings: {path}", path=str(profile_dir)))
        )
        self.logs_label.setWordWrap(True)
        self.logs_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.logs_label)

        layout.addWidget(QLabel(words("igdesk is built with these libraries:")))
        rows = libraries() if found is None else found
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels([words("Library"), words("Version"), words("Licence")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, library in enumerate(rows):
            for column, text in enumerate((library.name, library.version, library.licence)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        note = QLabel(
            words(
                "Qt and PySide6 are used under the GNU LGPL version 3; their source is at "
                "qt.io and the other libraries' licence texts come with igdesk."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
