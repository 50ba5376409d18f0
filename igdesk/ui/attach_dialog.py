"""Sending a photo, video, voice note or PDF by a public link Meta can fetch.

(Serving a local file through a tunnel comes with the webhooks work; until then the owner
pastes a link to the file, e.g. from their website or cloud storage.)
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from igdesk.i18n import N_, Words
from igdesk.ui.aio import run_dialog
from igdesk.ui.buttons import ok_cancel

KINDS = (
    ("image", N_("Photo (PNG, JPEG, GIF, up to 8 MB)")),
    ("video", N_("Video (MP4, MOV, WEBM…, up to 25 MB)")),
    ("audio", N_("Voice note / audio (M4A, AAC, WAV, up to 25 MB)")),
    ("file", N_("PDF file (up to 25 MB)")),
)


class AttachDialog(QDialog):
    """A link and what kind of file it is."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Send a file"))
        explain = QLabel(
            words(
                "Instagram fetches the file itself: paste a public link that opens the file "
                "directly."
            )
        )
        explain.setWordWrap(True)
        self.url = QLineEdit()
        self.url.setPlaceholderText(words("https://… (up to 10 photo links, separated by spaces)"))
        self.url.setAccessibleName(words("Link to the file"))
        self.kind = QComboBox()
        self.kind.setAccessibleName(words("Kind of file"))
        for key, label in KINDS:
            self.kind.addItem(words(label), key)
        form = QFormLayout()
        form.addRow(words("&Link"), self.url)
        form.addRow(words("&Kind"), self.kind)
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, str]:
        return str(self.kind.currentData()), self.url.text().strip()


async def ask_for_file(words: Words, parent: QWidget | None = None) -> tuple[str, str] | None:
    """(kind, url), or None when cancelled; shown with open(), never exec()."""
    dialog = AttachDialog(words, parent)
    accepted = await run_dialog(dialog)
    choice = dialog.choice()
    dialog.deleteLater()
    return choice if accepted and choice[1] else None
