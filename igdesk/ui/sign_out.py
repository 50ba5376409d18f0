"""Sign out: igdesk forgets the token (keyring and sign-in record) and stops syncing; the local
copy of the messages stays readable unless the owner asks, with a checkbox and a confirmation,
to delete it too (then igdesk closes).

The app's ID, secret and redirect address stay, so signing in again is one click.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from igdesk.i18n import Words
from igdesk.ui.aio import run_dialog


class SignOutDialog(QDialog):
    """ "Sign out of @shop?" with "Also delete the messages on this computer"."""

    def __init__(self, words: Words, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(words("Sign out"))
        who = f"@{username}" if username else words("your Instagram account")
        explain = QLabel(
            words(
                "Sign out of {who}? igdesk forgets your sign-in on this computer and stops "
                "receiving messages.",
                who=who,
            )
        )
        explain.setWordWrap(True)
        kept = words("The messages already here stay readable.")
        deleted = words(
            "The messages and pictures kept here are deleted too (after one more question)."
        )
        self.outcome = QLabel(kept)
        self.outcome.setWordWrap(True)
        self.erase = QCheckBox(words("Also delete the messages and pictures kept on this computer"))
        self.buttons = QDialogButtonBox()
        self.sign_out_button = self.buttons.addButton(
            words("Sign out"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(words("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.erase.toggled.connect(
            lambda on: self.sign_out_button.setText(
                words("Sign out and delete") if on else words("Sign out")
            )
        )
        self.erase.toggled.connect(lambda on: self._say(deleted if on else kept))
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.outcome)
        layout.addWidget(self.erase)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _say(self, outcome: str) -> None:
        self.outcome.setText(outcome)
        self.adjustSize()  # a longer sentence wraps onto more lines: make room


def confirm_erase(words: Words, parent: QWidget | None, unsent: int = 0) -> QMessageBox:
    """The second question before anything is deleted (nothing can bring it back); `unsent`
    replies not known to be sent would be deleted with it, and it says so."""
    box = QMessageBox(parent)
    box.setObjectName("confirmErase")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(words("Delete the messages on this computer?"))
    box.setText(
        words(
            "igdesk deletes its copy of your conversations and pictures from this computer, "
            "then closes. This cannot be undone here; Instagram keeps your messages, and "
            "igdesk reads the recent ones again when you sign in."
        )
    )
    if unsent:
        box.setInformativeText(
            words.plural(
                "{n} reply you wrote was not sent yet: it is deleted too and never sent.",
                "{n} replies you wrote were not sent yet: they are deleted too and never sent.",
                unsent,
            )
        )
    box.addButton(words("Delete and sign out"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(words("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    return box


async def ask_sign_out(
    words: Words, username: str, parent: QWidget | None, unsent: int = 0
) -> bool | None:
    """None: keep signed in; False: sign out; True: sign out and delete the local data."""
    dialog = SignOutDialog(words, username, parent)
    try:
        if not await run_dialog(dialog):
            return None
        erase = dialog.erase.isChecked()
    finally:
        dialog.deleteLater()
    if not erase:
        return False
    box = confirm_erase(words, parent, unsent)
    try:
        await run_dialog(box)
        clicked = box.clickedButton()
        destroy = clicked is not None and box.buttonRole(clicked) is (
            QMessageBox.ButtonRole.DestructiveRole
        )
    finally:
        box.deleteLater()
    return True if destroy else None
