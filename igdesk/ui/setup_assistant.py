"""The first-run setup assistant: from nothing to a signed-in account, one step per page.

Pages: welcome (or "I already have a token"), a professional account, the Meta app, its ID and
secret, the redirect address (suggested, with a copy button), testers, then "Continue with
Instagram" (Business Login in `sign_in_view`). It shows at start when no account is connected
and can be reopened from the menu. What was entered before is filled in again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QPushButton, QWidget, QWizard

from igdesk.i18n import Words
from igdesk.signin import (
    SUGGESTED_REDIRECT_URI,
    BusinessLogin,
    LoginSettings,
    SignedIn,
    SignInError,
    sign_in_with_token,
)
from igdesk.signin.flow import saved_app_secret
from igdesk.ui import aio
from igdesk.ui.aio import TaskOwner, run_dialog
from igdesk.ui.setup_assistant_finish import ResultPage, SignInPage, TokenPage
from igdesk.ui.setup_assistant_keys import AppKeysPage, RedirectPage
from igdesk.ui.setup_assistant_pages import (
    APP_KEYS,
    META_APP,
    PROFESSIONAL,
    REDIRECT,
    SIGN_IN,
    TESTER,
    TOKEN,
    WELCOME,
    MetaAppPage,
    ProfessionalPage,
    TesterPage,
    WelcomePage,
)

if TYPE_CHECKING:
    from igdesk.app import App

log = logging.getLogger("igdesk.ui.setup")


class SetupAssistant(QWizard):
    """The assistant; `signed_in` says who signed in (None until then)."""

    def __init__(self, app: App, words: Words, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.words = words
        self.tasks = TaskOwner("setup", on_error=self._failed)
        self._busy_page: ResultPage | None = None
        self.setObjectName("setupAssistant")
        self.setWindowTitle(words("Set up igdesk"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(QSize(640, 520))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        for button, text in (
            (QWizard.WizardButton.BackButton, words("< Back")),
            (QWizard.WizardButton.NextButton, words("Next >")),
            (QWizard.WizardButton.FinishButton, words("Finish")),
            (QWizard.WizardButton.CancelButton, words("Cancel")),
        ):
            self.setButtonText(button, text)
        self.welcome = WelcomePage(words)
        self.professional = ProfessionalPage(words)
        self.meta_app = MetaAppPage(words)
        self.keys = AppKeysPage(words)
        self.redirect = RedirectPage(words, SUGGESTED_REDIRECT_URI)
        self.tester = TesterPage(words)
        self.sign_in_page = SignInPage(words, self.continue_with_instagram)
        self.token_page = TokenPage(words, self.connect_token)
        for page_id, page in (
            (WELCOME, self.welcome),
            (PROFESSIONAL, self.professional),
            (META_APP, self.meta_app),
            (APP_KEYS, self.keys),
            (REDIRECT, self.redirect),
            (TESTER, self.tester),
            (SIGN_IN, self.sign_in_page),
            (TOKEN, self.token_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(WELCOME)
        #: Another language chosen on the first page: the assistant closes to open again in it.
        self.language_chosen: str | None = None
        self.welcome.language.currentIndexChanged.connect(self._language_changed)
        self.professional.with_page.toggled.connect(lambda _on: self._kind_changed())
        self._fill_in()

    def _fill_in(self) -> None:
        """What this profile was set up with before (reopened from the menu, or a retry)."""
        saved = LoginSettings.of(self.app.settings)
        if saved is None:
            return
        self.professional.with_page.setChecked(saved.kind == "facebook")
        self.keys.app_id.setText(saved.app_id)
        self.keys.secret.setText(saved_app_secret(self.app) or "")
        self.redirect.address.setText(saved.redirect_uri)

    def _language_changed(self, _index: int) -> None:
        chosen = str(self.welcome.language.currentData())
        if chosen != self.words.lang:
            self.language_chosen = chosen
            self.reject()

    def _kind_changed(self) -> None:
        kind = self.kind
        for page in (self.meta_app, self.keys, self.redirect, self.tester, self.sign_in_page):
            page.set_kind(kind)

    @property
    def kind(self) -> str:
        return self.professional.kind

    @property
    def signed_in(self) -> SignedIn | None:
        for page in (self.sign_in_page, self.token_page):
            if page.signed_in is not None:
                return page.signed_in
        return None

    def login_settings(self) -> LoginSettings:
        return LoginSettings(
            app_id=self.keys.app_id.text().strip(),
            redirect_uri=self.redirect.address.text().strip(),
            kind="facebook" if self.kind == "facebook" else "instagram",
        )

    # --- signing in ------------------------------------------------------------------------

    def continue_with_instagram(self) -> None:
        self._begin(self.sign_in_page)
        self.tasks.start(self._business_login(), name="business-login")

    async def _business_login(self) -> None:
        from igdesk.ui.sign_in_view import run_sign_in  # its browser loads Qt WebEngine

        settings, secret = self.login_settings(), self.keys.secret.text().strip()
        signed_in = await run_sign_in(
            self.app, self.words, lambda: BusinessLogin(self.app, settings, secret), self
        )
        self._end(self.sign_in_page, signed_in)

    def connect_token(self) -> None:
        self._begin(self.token_page)
        self.tasks.start(self._token(self.token_page.token.text()), name="token")

    async def _token(self, token: str) -> None:
        self._end(self.token_page, await sign_in_with_token(self.app, token))

    def _begin(self, page: ResultPage) -> None:
        self._busy_page = page
        page.show_result(None)
        page.set_busy(True)

    def _end(self, page: ResultPage, signed_in: SignedIn | None) -> None:
        page.set_busy(False)
        page.show_result(signed_in)
        if signed_in is not None:
            log.info("signed in from the setup assistant (%s)", signed_in.kind)
            finish = self.button(QWizard.WizardButton.FinishButton)
            if isinstance(finish, QPushButton):
                finish.setDefault(True)
            finish.setFocus()

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, SignInError):
            log.error("setup assistant: sign-in failed", exc_info=error)
        page = self._busy_page or self.sign_in_page
        page.set_busy(False)
        page.show_result(None, aio.user_sentence(error, self.words.lang))


async def run_setup_assistant(
    app: App, words: Words, parent: QWidget | None = None
) -> SignedIn | None:
    """Show the assistant until the owner finishes (who signed in) or closes it (None).

    Choosing another language on its first page keeps it in Settings (the window follows) and
    opens the assistant again in that language.
    """
    while True:
        assistant = SetupAssistant(app, words, parent)
        try:
            await run_dialog(assistant)
            chosen = assistant.language_chosen
            if chosen is None:
                return assistant.signed_in
        finally:
            await assistant.tasks.cancel_all()
            assistant.deleteLater()
        app.settings.language = chosen
        app.settings.save(app.profile.settings_path)
        words = Words(chosen)
