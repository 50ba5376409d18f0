"""The setup assistant's last pages: "Continue with Instagram", or paste a token.

Both start the sign-in through the assistant (`begin`), which runs it and calls `show_result`;
the page is complete (Finish enabled) once someone is signed in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWizardPage

from igdesk.i18n import Words
from igdesk.signin import NO_KEYRING, SignedIn
from igdesk.ui.setup_assistant_keys import problem_label
from igdesk.ui.setup_assistant_pages import paragraph


class ResultPage(QWizardPage):
    """A page that ends with a sign-in: its result, or the sentence saying why not."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self._words = words
        self.signed_in: SignedIn | None = None
        self.problem = problem_label()
        self.result = paragraph("")
        self.result.setObjectName("signedIn")
        self.result.setStyleSheet("color: #2e7d32; font-weight: bold;")
        self.result.setVisible(False)
        self.keyring_note = paragraph(words.text(NO_KEYRING))
        self.keyring_note.setVisible(False)

    def show_result(self, signed_in: SignedIn | None, problem: str = "") -> None:
        self.signed_in = signed_in
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if signed_in is not None:
            self.result.setText(
                self._words(
                    "Connected as @{username}. Press Finish to open your inbox.",
                    username=signed_in.username,
                )
            )
        self.result.setVisible(signed_in is not None)
        self.keyring_note.setVisible(signed_in is not None and not signed_in.remembered)
        self.completeChanged.emit()

    def set_busy(self, busy: bool) -> None:
        """Subclasses disable their button while a sign-in runs."""

    def isComplete(self) -> bool:
        return self.signed_in is not None

    def nextId(self) -> int:
        return -1  # the last page of its way: Finish


class SignInPage(ResultPage):
    """All set: the big "Continue with Instagram" button."""

    def __init__(self, words: Words, begin: Callable[[], None]) -> None:
        super().__init__(words)
        self.setTitle(words("6. Sign in"))
        self.explain = paragraph("")
        self.continue_button = QPushButton()
        self.continue_button.setObjectName("continueWithInstagram")
        font = QFont(self.continue_button.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.continue_button.setFont(font)
        self.continue_button.setMinimumHeight(44)
        self.continue_button.clicked.connect(begin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addSpacing(12)
        layout.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.problem)
        layout.addWidget(self.result)
        layout.addWidget(self.keyring_note)
        layout.addStretch(1)
        self.set_kind("instagram")

    def set_kind(self, kind: str) -> None:
        words = self._words
        if kind == "facebook":
            self.explain.setText(
                words(
                    "All set. igdesk now opens Facebook's sign-in in a window: log in with the "
                    "account that manages your shop's Page, allow igdesk, and pick the Page."
                )
            )
            self.continue_button.setText(words("Continue with Facebook"))
        else:
            self.explain.setText(
                words(
                    "All set. igdesk now opens Instagram's sign-in in a window: sign in as your "
                    "shop and tap Allow. igdesk does the rest."
                )
            )
            self.continue_button.setText(words("Continue with Instagram"))

    def set_busy(self, busy: bool) -> None:
        self.continue_button.setEnabled(not busy)


class TokenPage(ResultPage):
    """The fallback: an access token generated in Meta's App Dashboard."""

    def __init__(self, words: Words, begin: Callable[[], None]) -> None:
        super().__init__(words)
        self.setTitle(words("Paste an access token"))
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(words("Access token"))
        self.connect_button = QPushButton(words("Connect"))
        self.connect_button.clicked.connect(begin)
        self.token.returnPressed.connect(self.connect_button.click)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                words(
                    "Paste the access token from Meta's App Dashboard (Instagram › API setup "
                    "with Instagram login › Generate token). igdesk checks it can read your "
                    "messages, then keeps it in your system's keyring."
                )
            )
        )
        layout.addWidget(self.token)
        layout.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.problem)
        layout.addWidget(self.result)
        layout.addWidget(self.keyring_note)
        layout.addStretch(1)

    def set_busy(self, busy: bool) -> None:
        self.connect_button.setEnabled(not busy)
        self.token.setEnabled(not busy)
