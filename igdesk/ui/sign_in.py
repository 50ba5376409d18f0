"""Connecting an account by pasting an access token (a dashboard-generated token).

Business Login in an embedded browser needs Qt WebEngine, which igdesk does not ship yet;
pasting the token Meta's dashboard generates is the supported path meanwhile.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from igdesk.app import App
from igdesk.i18n import Words
from igdesk.ui.aio import run_dialog
from igdesk.ui.buttons import ok_cancel


class TokenDialog(QDialog):
    """Asks for an Instagram access token; the text is masked and never logged."""

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Connect your Instagram account"))
        explain = QLabel(
            words(
                "Paste the access token from Meta's App Dashboard (Instagram › API setup › "
                "Generate token). igdesk keeps it in your system's keyring."
            )
        )
        explain.setWordWrap(True)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(words("Access token"))
        buttons = ok_cancel(words)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.token)
        layout.addWidget(buttons)


async def ask_for_token(app: App, words: Words, parent: QWidget | None = None) -> bool:
    """Show the dialog with open() (never exec() from async code) and use what was pasted."""
    dialog = TokenDialog(words, parent)
    accepted = await run_dialog(dialog)
    token = dialog.token.text().strip()
    dialog.deleteLater()
    if not accepted or not token:
        return False
    await app.replace_token(token)
    return True
