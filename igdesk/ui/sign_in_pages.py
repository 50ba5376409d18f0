"""Facebook Page sign-in: the owner picks which Page's Instagram account igdesk reads."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from igdesk.i18n import Words
from igdesk.signin import PageChoice
from igdesk.ui.buttons import ok_cancel


class PagePicker(QDialog):
    """The Pages with a linked Instagram professional account, one per line; the first is
    chosen. Open it with `run_dialog` (never `exec`)."""

    def __init__(
        self, words: Words, pages: Sequence[PageChoice], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Choose your shop's Page"))
        self._pages = list(pages)
        explain = QLabel(
            words(
                "Several of your Facebook Pages have an Instagram account. Choose the one whose "
                "messages igdesk should show."
            )
        )
        explain.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName(words("Facebook Pages"))
        for page in self._pages:
            who = f"@{page.username}" if page.username else page.account_id
            self.list.addItem(QListWidgetItem(f"{page.page_name} — {who}"))
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def chosen(self) -> PageChoice | None:
        row = self.list.currentRow()
        return self._pages[row] if 0 <= row < len(self._pages) else None
