"""Qt WebEngine for Business Login: a browser view that stops at the registered redirect URI.

Imported only when the sign-in view opens (`sign_in_view.web_view`), never at start-up: Qt
WebEngine is large and most starts never sign in. Chromium refuses to run as root with its
sandbox on, so `prepare_chromium` turns the sandbox off for root (and only for root).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

log = logging.getLogger("igdesk.ui.sign_in")


def prepare_chromium() -> None:
    """As root, Chromium's own sandbox cannot start: run without it (root only)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in flags.split():
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
        log.info("running as root: the web view's Chromium sandbox is off")


class StopAtRedirect(QWebEnginePage):
    """A page that never loads the redirect URI: it emits `landed(address)` instead."""

    landed = Signal(str)

    def __init__(
        self, is_redirect: Callable[[str], bool], profile: QWebEngineProfile, parent: QWidget
    ) -> None:
        super().__init__(profile, parent)
        self._is_redirect = is_redirect

    def acceptNavigationRequest(
        self, url: QUrl | str, navigation: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        address = url.toString() if isinstance(url, QUrl) else str(url)
        if self._is_redirect(address):
            if is_main_frame:
                self.landed.emit(address)
            return False
        return super().acceptNavigationRequest(url, navigation, is_main_frame)


class LoginBrowser(QWebEngineView):
    """The embedded browser of one sign-in, on a private profile (nothing kept on disk).

    `landed(address)` when the sign-in reached the redirect URI; `failed()` when the page
    itself could not load (no network, a refused address)."""

    landed = Signal(str)
    failed = Signal()

    def __init__(self, is_redirect: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        profile = QWebEngineProfile()  # no storage name: off the record, nothing on disk
        self._page = StopAtRedirect(is_redirect, profile, self)
        profile.setParent(self._page)  # the page goes first, then its profile (as Qt wants)
        self._page.landed.connect(self._on_landed)
        self.setPage(self._page)
        self._done = False
        self.loadFinished.connect(self._on_load_finished)

    @property
    def done(self) -> bool:
        return self._done

    def open(self, address: str) -> None:
        self._done = False
        self.load(QUrl(address))

    def _on_landed(self, address: str) -> None:
        self._done = True
        self.landed.emit(address)

    def _on_load_finished(self, ok: bool) -> None:
        if not ok and not self._done:  # a stopped redirect also "fails" to load: not a failure
            self.failed.emit()
