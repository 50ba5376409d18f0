"""The "Sign in again" banner: it stays above the inbox while Instagram refuses the token.

The core says so with `SignInNeeded` (a 190, a refresh that failed); the archive stays readable
and replies wait in the outbox meanwhile. The banner cannot be closed: it goes away only when
the owner has signed in again. The first time it shows in an episode it asks for one desktop
notification (`first_shown`), never one per failed poll.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from igdesk.i18n import Words

STYLE = (
    "QFrame#signInBanner { background: #fff4e5; border-bottom: 1px solid #f0b45b; }"
    "QFrame#signInBanner QLabel { color: #5d3a00; }"
    "QFrame#signInBanner QLabel#bannerReassure { color: #7a5a2a; }"
)


class SignInBanner(QFrame):
    """A sentence and a "Sign in again" button; hidden until `show_problem`."""

    sign_in_requested = Signal()
    #: The banner appeared (it was hidden): the sentence, for one notification.
    first_shown = Signal(str)

    def __init__(self, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInBanner")
        self.setStyleSheet(STYLE)
        self.setAccessibleName(words("Sign-in problem"))
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reassure = QLabel(
            words("Your messages stay readable here, and replies wait until you sign in.")
        )
        self.reassure.setWordWrap(True)
        self.reassure.setObjectName("bannerReassure")
        self.button = QPushButton(words("Sign in again"))
        self.button.setDefault(True)
        self.button.clicked.connect(self.sign_in_requested)
        sentences = QVBoxLayout()
        sentences.setSpacing(2)
        sentences.addWidget(self.label)
        sentences.addWidget(self.reassure)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(sentences, 1)
        layout.addWidget(self.button)
        self._showing = False
        self.setVisible(False)

    @property
    def showing(self) -> bool:
        """Whether the owner is being asked to sign in (also true while the window is hidden)."""
        return self._showing

    def show_problem(self, sentence: str, *, notify: bool = True) -> None:
        """Ask the owner to sign in again, saying why; `first_shown` (for one notification)
        only when it was hidden and `notify`."""
        self.label.setText(sentence)
        self.button.setEnabled(True)
        first = not self._showing
        self._showing = True
        self.setVisible(True)
        if first and notify:
            self.first_shown.emit(sentence)

    def set_busy(self, busy: bool) -> None:
        """The sign-in window is open: one at a time."""
        self.button.setEnabled(not busy)

    def clear(self) -> None:
        """Signed in again: the banner goes."""
        self._showing = False
        self.label.clear()
        self.button.setEnabled(True)
        self.setVisible(False)
