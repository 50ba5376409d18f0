"""The setup assistant's pages that take values: the app's ID and secret, the redirect address.

Each checks what can be checked before signing in (the shape of an ID, of a secret, of an
address) and says what is wrong in a sentence under the fields; Meta's own verdict comes with
the sign-in.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from igdesk.i18n import N_, Words
from igdesk.ui.setup_assistant_pages import paragraph

_APP_ID = re.compile(r"\d{6,20}")
_SECRET = re.compile(r"[0-9a-fA-F]{32}")

BAD_APP_ID = N_(
    "An app ID is a number (about 15 or 16 digits), with nothing else. Copy it again from the "
    "App Dashboard."
)
BAD_SECRET = N_(
    "An app secret is 32 letters and digits (0–9, a–f). Press Show beside it in the App "
    "Dashboard and copy it again."
)
BAD_REDIRECT = N_(
    "The redirect address must be a whole https:// address, such as {example}, without a # part."
)


def app_id_problem(value: str) -> str | None:
    """The catalogue message saying what is wrong with an app ID, or None."""
    return None if _APP_ID.fullmatch(value.strip()) else BAD_APP_ID


def secret_problem(value: str) -> str | None:
    return None if _SECRET.fullmatch(value.strip()) else BAD_SECRET


def redirect_problem(value: str) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname or parts.fragment or " " in value.strip():
        return BAD_REDIRECT
    return None


def problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("problem")
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    label.setVisible(False)
    return label


class AppKeysPage(QWizardPage):
    """The Instagram app ID and secret (the Meta app's, for a Facebook Page sign-in)."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self._words = words
        self.setTitle(words("3. Your app's ID and secret"))
        self.where = paragraph("")
        self.app_id = QLineEdit()
        self.app_id.setAccessibleName(words("App ID"))
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(words("App secret"))
        self.problem = problem_label()
        form = QFormLayout()
        self.app_id_label = QLabel()
        self.secret_label = QLabel()
        form.addRow(self.app_id_label, self.app_id)
        form.addRow(self.secret_label, self.secret)
        body = QVBoxLayout(self)
        body.addWidget(self.where)
        body.addLayout(form)
        body.addWidget(
            paragraph(
                words(
                    "igdesk keeps the secret in your system's keyring, never in a file, and "
                    "sends it only to Meta."
                )
            )
        )
        body.addWidget(self.problem)
        body.addStretch(1)
        for field in (self.app_id, self.secret):
            field.textChanged.connect(self._changed)
        self.set_kind("instagram")

    def set_kind(self, kind: str) -> None:
        words = self._words
        if kind == "facebook":
            self.where.setText(
                words(
                    "In your app, open App settings › Basic, and copy the App ID and the App "
                    "secret (press Show) here."
                )
            )
            self.app_id_label.setText(words("App ID:"))
            self.secret_label.setText(words("App secret:"))
        else:
            self.where.setText(
                words(
                    "In Instagram › API setup with Instagram login, open “Set up Instagram "
                    "business login” › Business login settings. Copy the Instagram app ID and "
                    "the Instagram app secret (press Show) here. They are not the ones under "
                    "App settings › Basic."
                )
            )
            self.app_id_label.setText(words("Instagram app ID:"))
            self.secret_label.setText(words("Instagram app secret:"))

    def _changed(self) -> None:
        self.problem.setVisible(False)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.app_id.text().strip() and self.secret.text().strip())

    def validatePage(self) -> bool:
        problem = app_id_problem(self.app_id.text()) or secret_problem(self.secret.text())
        if problem is not None:
            self.problem.setText(self._words(problem))
            self.problem.setVisible(True)
            return False
        return True


class RedirectPage(QWizardPage):
    """The redirect address to register: igdesk suggests one, with a copy button."""

    def __init__(self, words: Words, suggested: str) -> None:
        super().__init__()
        self._words = words
        self._suggested = suggested
        self.setTitle(words("4. The redirect address"))
        self.where = paragraph("")
        self.address = QLineEdit(suggested)
        self.address.setAccessibleName(words("Redirect address"))
        self.copy_button = QPushButton(words("Copy"))
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)
        self.problem = problem_label()
        body = QVBoxLayout(self)
        body.addWidget(
            paragraph(
                words(
                    "After you allow igdesk, Instagram sends you to this address. igdesk opens "
                    "Instagram in its own window and stops right there, so nothing has to run "
                    "at that address: use the one below unless your app already has another."
                )
            )
        )
        body.addLayout(row)
        body.addWidget(self.where)
        body.addWidget(self.problem)
        body.addStretch(1)
        self.address.textChanged.connect(self._changed)
        self.set_kind("instagram")

    def set_kind(self, kind: str) -> None:
        words = self._words
        if kind == "facebook":
            self.where.setText(
                words(
                    "Copy it, then in your app open Facebook Login for Business › Settings, "
                    "paste it under Valid OAuth Redirect URIs, and Save changes."
                )
            )
        else:
            self.where.setText(
                words(
                    "Copy it, then in Business login settings paste it under OAuth redirect "
                    "URIs, and Save. It must be exactly the same, ending included."
                )
            )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text().strip())
        self.copy_button.setText(self._words("Copied"))

    def _changed(self) -> None:
        self.problem.setVisible(False)
        self.copy_button.setText(self._words("Copy"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.address.text().strip())

    def validatePage(self) -> bool:
        problem = redirect_problem(self.address.text())
        if problem is not None:
            self.problem.setText(self._words(problem, example=self._suggested))
            self.problem.setVisible(True)
            return False
        return True
