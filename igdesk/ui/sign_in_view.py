"""Business Login in a window: Instagram's page in an embedded browser, and two fallbacks.

The browser stops at the registered redirect URI (`BusinessLogin.is_redirect`) and the core
finishes from the address it landed on. The fallbacks: "open it in my browser and paste the
address I landed on", and "paste a token". Every failure (cancel, an error redirect, a `state`
that does not match, Meta refusing the code) is a sentence at the top, with "Start again".
Qt WebEngine is imported only when the browser is first shown (`sign_in_web`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from igdesk.i18n import Words
from igdesk.signin import BusinessLogin, PageChoice, SignedIn, SignInError, sign_in_with_token
from igdesk.ui import aio
from igdesk.ui.aio import TaskOwner, run_dialog

if TYPE_CHECKING:
    from igdesk.app import App
    from igdesk.ui.sign_in_web import LoginBrowser

log = logging.getLogger("igdesk.ui.sign_in")

BROWSER, ADDRESS, TOKEN, BUSY = range(4)


def _page(*widgets: QWidget, stretch: bool = True) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)
    return page


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class SignInView(QDialog):
    """One Business Login; `signed_in` holds who signed in once it is accepted."""

    def __init__(
        self,
        app: App,
        words: Words,
        start: Callable[[], BusinessLogin],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.words = words
        self._start = start
        self.login = start()
        self.tasks = TaskOwner("sign-in", on_error=self._failed)
        self.signed_in: SignedIn | None = None
        self._back_to = BROWSER
        self.browser: LoginBrowser | None = None
        facebook = self.login.settings.kind == "facebook"
        self.setWindowTitle(
            words("Continue with Facebook") if facebook else words("Continue with Instagram")
        )
        self.resize(560, 720)

        self.problem = _paragraph("")
        self.problem.setObjectName("signInProblem")
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.again_button = QPushButton(words("Start again"))
        self.again_button.clicked.connect(self.start_again)
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.problem, 1)
        problem_row.addWidget(self.again_button)

        self.ways = QStackedWidget()
        self.browser_page = QWidget()
        self.browser_layout = QVBoxLayout(self.browser_page)
        self.browser_layout.setContentsMargins(0, 0, 0, 0)
        self.browser_layout.addWidget(
            _paragraph(
                words("Sign in as your shop and tap Allow. igdesk takes it from there.")
                if not facebook
                else words("Log in to Facebook and allow igdesk to use your shop's Page.")
            )
        )
        self.ways.addWidget(self.browser_page)
        self.ways.addWidget(self._address_page())
        self.ways.addWidget(self._token_page())
        self.busy = _paragraph(words("Finishing the sign-in…"))
        self.busy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ways.addWidget(_page(self.busy))

        self.use_browser_button = QPushButton(words("Use my own browser instead"))
        self.use_browser_button.clicked.connect(lambda: self.show_way(ADDRESS))
        self.use_token_button = QPushButton(words("Paste a token instead"))
        self.use_token_button.clicked.connect(lambda: self.show_way(TOKEN))
        self.embedded_button = QPushButton(words("Sign in here instead"))
        self.embedded_button.clicked.connect(lambda: self.show_way(BROWSER))
        cancel = QPushButton(words("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.embedded_button, self.use_browser_button, self.use_token_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(problem_row)
        layout.addWidget(self.ways, 1)
        layout.addLayout(buttons)
        self._say(None)
        self.finished.connect(lambda _result: self._stop_browser())

    # --- the three ways ------------------------------------------------------------------------

    def _address_page(self) -> QWidget:
        words = self.words
        open_button = QPushButton(words("Open the sign-in page in my browser"))
        open_button.clicked.connect(self.open_in_system_browser)
        self.address = QLineEdit()
        self.address.setAccessibleName(words("The address you landed on"))
        self.address.setPlaceholderText(self.login.settings.redirect_uri + "?code=…")
        self.address_button = QPushButton(words("Continue"))
        self.address.returnPressed.connect(self.address_button.click)
        self.address_button.clicked.connect(lambda: self.paste_address(self.address.text()))
        return _page(
            _paragraph(
                words(
                    "1. Open the sign-in page in your browser, sign in as your shop and tap "
                    "Allow.\n2. Your browser then shows an error page: that is expected. Copy "
                    "the whole address from its address bar and paste it here."
                )
            ),
            open_button,
            self.address,
            self.address_button,
        )

    def _token_page(self) -> QWidget:
        words = self.words
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(words("Access token"))
        self.token_button = QPushButton(words("Continue"))
        self.token.returnPressed.connect(self.token_button.click)
        self.token_button.clicked.connect(lambda: self.paste_token(self.token.text()))
        return _page(
            _paragraph(
                words(
                    "Paste the access token from Meta's App Dashboard (Instagram › API setup "
                    "with Instagram login › Generate token). igdesk keeps it in your system's "
                    "keyring."
                )
            ),
            self.token,
            self.token_button,
        )

    def show_way(self, way: int) -> None:
        """Show one way of signing in (the browser is created the first time it shows)."""
        self._say(None)
        self.ways.setCurrentIndex(way)
        self.embedded_button.setVisible(way != BROWSER)
        self.use_browser_button.setVisible(way != ADDRESS)
        self.use_token_button.setVisible(way != TOKEN)
        if way == BROWSER:
            self._open_browser()

    def _open_browser(self) -> None:
        if self.browser is None:
            from igdesk.ui import sign_in_web  # Qt WebEngine: only now, never at start-up

            sign_in_web.prepare_chromium()
            self.browser = sign_in_web.LoginBrowser(self.login.is_redirect, self.browser_page)
            self.browser.landed.connect(self._landed)
            self.browser.failed.connect(self._page_failed)
            self.browser_layout.addWidget(self.browser, 1)
            hint = _paragraph(
                self.words(
                    "{site} shows an error instead? Check the app ID, the redirect address and "
                    "your tester invitation: igdesk menu › Set up your account.",
                    site="Facebook" if self.login.settings.kind == "facebook" else "Instagram",
                )
            )
            hint.setObjectName("signInHint")
            hint.setStyleSheet("color: #555;")
            self.browser_layout.addWidget(hint)
        self.browser.open(self.login.authorize_url)

    def _stop_browser(self) -> None:
        if self.browser is not None:
            self.browser.stop()

    def open_in_system_browser(self) -> None:
        QDesktopServices.openUrl(QUrl(self.login.authorize_url))

    # --- finishing -----------------------------------------------------------------------------

    def _landed(self, address: str) -> None:
        if self.tasks.tasks:
            return  # already finishing (a page may navigate there twice)
        self._finish(self.login.finish(address, choose=self._choose_page), back_to=BROWSER)

    def paste_address(self, text: str) -> None:
        self._finish(self.login.finish(text, choose=self._choose_page), back_to=ADDRESS)

    def paste_token(self, text: str) -> None:
        self._finish(sign_in_with_token(self.app, text), back_to=TOKEN)

    def _finish(self, work: Coroutine[Any, Any, SignedIn], *, back_to: int) -> None:
        self._back_to = back_to
        self._say(None)
        self.ways.setCurrentIndex(BUSY)
        self.tasks.start(self._finishing(work), name="finish")

    async def _finishing(self, work: Coroutine[Any, Any, SignedIn]) -> None:
        self.signed_in = await work
        log.info("signed in (%s)", self.signed_in.kind)
        self.accept()

    async def _choose_page(self, pages: Sequence[PageChoice]) -> PageChoice | None:
        from igdesk.ui.sign_in_pages import PagePicker

        picker = PagePicker(self.words, pages, self)
        chosen = picker.chosen() if await run_dialog(picker) else None
        picker.deleteLater()
        return chosen

    def _failed(self, error: BaseException) -> None:
        """A sentence for the owner; the way they used comes back, ready to start again."""
        if not isinstance(error, SignInError):
            log.error("sign-in failed", exc_info=error)
        self.ways.setCurrentIndex(self._back_to)
        self._say(aio.user_sentence(error, self.words.lang))
        if self._back_to == BROWSER and self.browser is not None:
            self.browser.setHtml("")  # the used page goes: Start again loads a fresh one

    def _page_failed(self) -> None:
        self._say(
            self.words(
                "The sign-in page could not be opened. Check your internet connection, then "
                "press Start again (or use your own browser instead)."
            )
        )

    def start_again(self) -> None:
        """A new sign-in (a new `state`): a finished or refused one cannot be used twice."""
        self.login = self._start()
        self.address.clear()
        self.show_way(self.ways.currentIndex() if self.ways.currentIndex() != BUSY else BROWSER)

    def _say(self, sentence: str | None) -> None:
        self.problem.setText(sentence or "")
        self.problem.setVisible(bool(sentence))
        self.again_button.setVisible(bool(sentence))

    @property
    def sentence(self) -> str:
        """What the owner is told now ("" when nothing is wrong)."""
        return self.problem.text() if self.problem.isVisibleTo(self) else ""


async def run_sign_in(
    app: App,
    words: Words,
    start: Callable[[], BusinessLogin],
    parent: QWidget | None = None,
    *,
    way: int = BROWSER,
) -> SignedIn | None:
    """Show the sign-in window until the owner signs in (who) or gives up (None)."""
    view = SignInView(app, words, start, parent)
    view.show_way(way)
    try:
        await run_dialog(view)
        return view.signed_in
    finally:
        await view.tasks.cancel_all()
        view.deleteLater()
