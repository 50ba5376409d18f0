"""The setup assistant's explaining pages: what to do in Instagram and Meta's App Dashboard.

Each page says one step, links where it happens, and asks the owner to confirm it is done
(what no API can check before signing in). The pages that take values (app ID and secret, the
redirect address) are in `setup_assistant_keys.py`; the sign-in itself in
`setup_assistant_finish.py`.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from igdesk.i18n import Words, available_languages, language_name

META_APPS_URL = "https://developers.facebook.com/apps/"
TESTER_INVITES_URL = "https://www.instagram.com/accounts/manage_access/"

# Page ids, in order (QWizard.setPage).
WELCOME, PROFESSIONAL, META_APP, APP_KEYS, REDIRECT, TESTER, SIGN_IN, TOKEN = range(8)


def paragraph(text: str) -> QLabel:
    """A wrapped paragraph; links open in the system's browser."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    return label


def link_button(text: str, url: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("openLink")
    button.setToolTip(url)
    button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(url)))
    return button


class WelcomePage(QWizardPage):
    """What the assistant does, in which language; the step-by-step way, or "I already have a
    token". `language` lists the languages igdesk speaks, each in its own name."""

    def __init__(self, words: Words) -> None:
        super().__init__()
        self.language = QComboBox()
        self.language.setAccessibleName(words("Language"))
        for code in available_languages():
            self.language.addItem(language_name(code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(words.lang)))
        language_row = QHBoxLayout()
        language_row.addWidget(QLabel(words("Language:")))
        language_row.addWidget(self.language)
        language_row.addStretch(1)
        self.setTitle(words("Connect your Instagram account"))
        self.setSubTitle(words("A few one-time steps, about 10 minutes."))
        self.step_by_step = QRadioButton(words("Set it up step by step (recommended)"))
        self.have_token = QRadioButton(words("I already have an access token"))
        self.step_by_step.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.step_by_step)
        group.addButton(self.have_token)
        layout = QVBoxLayout(self)
        layout.addLayout(language_row)
        layout.addWidget(
            paragraph(
                words(
                    "igdesk reads and answers your shop's Instagram messages through Meta's "
                    "official API. To sign in, you need a small app of your own in Meta's App "
                    "Dashboard (free, and only you use it). This assistant walks you through it, "
                    "one step per page. You can open it again later from the igdesk menu."
                )
            )
        )
        layout.addWidget(
            paragraph(
                words(
                    "You need: your shop's Instagram account, a Facebook account to log in to "
                    "Meta for Developers, and the Instagram app on your phone or Instagram on "
                    "the web."
                )
            )
        )
        layout.addSpacing(8)
        layout.addWidget(self.step_by_step)
        layout.addWidget(self.have_token)
        layout.addStretch(1)

    def nextId(self) -> int:
        return TOKEN if self.have_token.isChecked() else PROFESSIONAL


class ConfirmPage(QWizardPage):
    """A step the owner does elsewhere: its explanation, a link, and "I did it"."""

    def __init__(self, title: str, confirm: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.body = QVBoxLayout(self)
        self.done = QCheckBox(confirm)
        self.done.toggled.connect(self.completeChanged)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        self.body.addWidget(self.done)

    def isComplete(self) -> bool:
        return self.done.isChecked()


class ProfessionalPage(ConfirmPage):
    """What a professional account is and how to switch; which kind of sign-in."""

    def __init__(self, words: Words) -> None:
        super().__init__(
            words("1. A professional Instagram account"),
            words("My shop's Instagram account is a professional account"),
        )
        self.body.addWidget(
            paragraph(
                words(
                    "Only professional accounts (Business or Creator) can use messaging apps "
                    "like igdesk; a personal account cannot. Switching is free, and you keep "
                    "your posts and followers."
                )
            )
        )
        self.body.addWidget(
            paragraph(
                words(
                    "To switch, in the Instagram app: open your profile, tap ☰, then Settings "
                    "and activity › Account type and tools › Switch to professional account, "
                    "and choose Business."
                )
            )
        )
        self.body.addWidget(
            paragraph(
                words(
                    "igdesk checks it when you sign in, and tells you if the account is still "
                    "a personal one."
                )
            )
        )
        self.body.addSpacing(8)
        self.body.addWidget(paragraph(words("How does igdesk sign in to it?")))
        self.with_instagram = QRadioButton(words("With Instagram (recommended)"))
        self.with_page = QRadioButton(
            words("Through the Facebook Page linked to the account (for older setups)")
        )
        self.with_instagram.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.with_instagram)
        group.addButton(self.with_page)
        self.body.addWidget(self.with_instagram)
        self.body.addWidget(self.with_page)
        self.finish_layout()

    @property
    def kind(self) -> str:
        return "facebook" if self.with_page.isChecked() else "instagram"


class MetaAppPage(ConfirmPage):
    """Creating the Meta app and adding the Instagram product to it."""

    def __init__(self, words: Words) -> None:
        super().__init__(
            words("2. Create your app in Meta's App Dashboard"),
            words("I created the app and added the Instagram product"),
        )
        self._words = words
        self.steps = paragraph("")
        self.body.addWidget(self.steps)
        self.body.addWidget(link_button(words("Open Meta for Developers"), META_APPS_URL))
        self.finish_layout()
        self.set_kind("instagram")

    def set_kind(self, kind: str) -> None:
        words = self._words
        if kind == "facebook":
            self.steps.setText(
                words(
                    "1. Open Meta for Developers and log in with the Facebook account that "
                    "manages your shop's Page.\n2. Create app › use case “Other” › type "
                    "“Business” › give it a name (your shop's, for example) › Create.\n3. Add "
                    "the products “Facebook Login for Business” and “Messenger” (Instagram "
                    "settings)."
                )
            )
        else:
            self.steps.setText(
                words(
                    "1. Open Meta for Developers and log in.\n2. Create app › use case “Manage "
                    "messaging & content on Instagram” › give it a name (your shop's, for "
                    "example) › Create.\n3. In your app, open Instagram › API setup with "
                    "Instagram login: that is where the next steps happen."
                )
            )


class TesterPage(ConfirmPage):
    """Adding the shop's account as a tester: its own account needs no App Review."""

    def __init__(self, words: Words) -> None:
        super().__init__(
            words("5. Add yourself as a tester"),
            words("I accepted the tester invitation"),
        )
        self._words = words
        self.steps = paragraph("")
        self.body.addWidget(
            paragraph(
                words(
                    "While your app is in development, only its testers can sign in to it. "
                    "Your own account needs no App Review: add it as a tester and you are done."
                )
            )
        )
        self.body.addWidget(self.steps)
        self.invites = link_button(words("Open Instagram's tester invitations"), TESTER_INVITES_URL)
        self.body.addWidget(self.invites)
        self.finish_layout()
        self.set_kind("instagram")

    def set_kind(self, kind: str) -> None:
        words = self._words
        page_kind = kind == "facebook"
        self.invites.setVisible(not page_kind)
        if page_kind:
            self.steps.setText(
                words(
                    "You created the app, so your Facebook account is already its "
                    "administrator. Make sure that account manages the Facebook Page linked "
                    "to your shop's Instagram account."
                )
            )
            self.done.setText(words("My Facebook account manages the shop's Page"))
        else:
            self.steps.setText(
                words(
                    "1. In the App Dashboard: App roles › Roles › Add People › Instagram "
                    "Tester, and enter your shop's Instagram username.\n2. On Instagram "
                    "(on the web): Settings › Website permissions › Apps and websites › "
                    "Tester invites, and tap Accept."
                )
            )
            self.done.setText(words("I accepted the tester invitation"))
