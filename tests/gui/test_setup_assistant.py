"""The setup assistant as a new owner goes through it, against the sandbox: each page checks
what it can (Next waits for "I did it"; a malformed app ID, secret or redirect address is said
on the page), then "Continue with Instagram" signs in with the real embedded browser. The
token way, and the assistant reopened with what was entered before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.app import App
from igdesk.config import Profile
from igdesk.i18n import Words
from igdesk.signin import SUGGESTED_REDIRECT_URI
from igdesk.signin.texts import TOKEN_INVALID
from igdesk.ui.setup_assistant import SetupAssistant, run_setup_assistant
from igdesk.ui.setup_assistant_keys import BAD_APP_ID, BAD_REDIRECT, BAD_SECRET
from igdesk.ui.setup_assistant_pages import (
    APP_KEYS,
    META_APP,
    PROFESSIONAL,
    REDIRECT,
    SIGN_IN,
    TESTER,
    TOKEN,
    WELCOME,
)
from igdesk.ui.sign_in_view import SignInView
from tests.gui.conftest import RunUntil
from tests.gui.sign_in_support import (
    SHOP,
    app_secret,
    click_in_page,
    login_settings,
    shown,
    signed_out_app,
    signin_world,
    token_to_order,
    wait_shown,
)
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

__all__ = ["signin_world"]

EN = Words("en")
NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture
def app(signin_world: Sandbox, tmp_path: Path, qtbot: QtBot, run_until: RunUntil) -> Iterator[App]:
    signed_out = signed_out_app(signin_world, tmp_path)
    try:
        yield signed_out
    finally:
        run_until(qtbot, signed_out.aclose(), 10_000)


def start(app: App, qtbot: QtBot, words: Words = EN) -> tuple[asyncio.Task[Any], SetupAssistant]:
    task = asyncio.ensure_future(run_setup_assistant(app, words))
    return task, wait_shown(qtbot, SetupAssistant)


def next_page(assistant: SetupAssistant) -> None:
    assistant.button(NEXT).click()


def problem(page: Any) -> str:
    return str(page.problem.text()) if page.problem.isVisibleTo(page) else ""


def test_a_new_owner_goes_from_nothing_to_signed_in(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    task, assistant = start(app, qtbot)
    assert assistant.currentId() == WELCOME
    next_page(assistant)
    assert assistant.currentId() == PROFESSIONAL
    assert not assistant.button(NEXT).isEnabled()  # "my account is professional" first
    assistant.professional.done.setChecked(True)
    next_page(assistant)
    assert assistant.currentId() == META_APP
    assistant.meta_app.done.setChecked(True)
    next_page(assistant)

    assert assistant.currentId() == APP_KEYS
    keys = assistant.keys
    keys.app_id.setText("my-app")
    keys.secret.setText(app_secret(signin_world))
    next_page(assistant)
    assert assistant.currentId() == APP_KEYS
    assert problem(keys) == EN(BAD_APP_ID)
    keys.app_id.setText(login_settings(signin_world).app_id)
    keys.secret.setText("not the secret")
    next_page(assistant)
    assert problem(keys) == EN(BAD_SECRET)
    keys.secret.setText(app_secret(signin_world))
    next_page(assistant)

    assert assistant.currentId() == REDIRECT
    redirect = assistant.redirect
    assert redirect.address.text() == SUGGESTED_REDIRECT_URI
    redirect.copy_button.click()
    assert QGuiApplication.clipboard().text() == SUGGESTED_REDIRECT_URI
    redirect.address.setText("http://localhost/igdesk")
    next_page(assistant)
    assert problem(redirect) == EN(BAD_REDIRECT, example=SUGGESTED_REDIRECT_URI)
    redirect.address.setText(SUGGESTED_REDIRECT_URI)
    next_page(assistant)

    assert assistant.currentId() == TESTER
    assistant.tester.done.setChecked(True)
    next_page(assistant)
    assert assistant.currentId() == SIGN_IN
    assert not assistant.button(FINISH).isEnabled()

    assistant.sign_in_page.continue_button.click()
    view = wait_shown(qtbot, SignInView)
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    page = assistant.sign_in_page
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=30_000)
    assert page.result.text() == f"Connected as @{SHOP}. Press Finish to open your inbox."
    assert assistant.button(FINISH).isEnabled()
    assistant.button(FINISH).click()
    signed_in = run_until(qtbot, task, 10_000)
    assert signed_in is not None and signed_in.username == SHOP
    assert secrets.get(app.profile.key, secrets.Secret.APP_SECRET) == app_secret(signin_world)
    assert app.settings.login_app_id == login_settings(signin_world).app_id

    # Reopened from the menu, the assistant shows what was set up.
    task, again = start(app, qtbot)
    assert again.keys.app_id.text() == login_settings(signin_world).app_id
    assert again.keys.secret.text() == app_secret(signin_world)
    again.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_the_token_way_says_what_is_wrong_then_connects(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    task, assistant = start(app, qtbot)
    assistant.welcome.have_token.setChecked(True)
    next_page(assistant)
    assert assistant.currentId() == TOKEN
    page = assistant.token_page
    page.token.setText("IGAAbroken")
    page.connect_button.click()
    qtbot.waitUntil(lambda: problem(page) == EN.text(TOKEN_INVALID), timeout=20_000)
    assert not assistant.button(FINISH).isEnabled()
    page.token.setText(token_to_order(signin_world))
    page.connect_button.click()
    qtbot.waitUntil(lambda: page.result.isVisibleTo(page), timeout=20_000)
    # No keyring in tests: kept for this run only, and the page says so.
    assert page.keyring_note.isVisibleTo(page)
    assistant.button(FINISH).click()
    signed_in = run_until(qtbot, task, 10_000)
    assert signed_in is not None and not signed_in.remembered


def test_the_assistant_speaks_bahasa_indonesia(app: App, qtbot: QtBot, run_until: RunUntil) -> None:
    words = Words("id")
    task, assistant = start(app, qtbot, words)
    assert assistant.windowTitle() == words("Set up igdesk") != EN("Set up igdesk")
    assert assistant.sign_in_page.continue_button.text() != "Continue with Instagram"
    assistant.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_choosing_bahasa_indonesia_on_the_first_page_reopens_the_assistant_in_it(
    app: App, qtbot: QtBot, run_until: RunUntil
) -> None:
    task, assistant = start(app, qtbot)
    combo = assistant.welcome.language
    assert combo.currentData() == "en"
    assert "Bahasa Indonesia" in [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(combo.findData("id"))
    qtbot.waitUntil(
        lambda: (shown_now := shown(SetupAssistant)) is not None and shown_now is not assistant,
        timeout=10_000,
    )
    again = shown(SetupAssistant)
    assert again is not None
    assert again.windowTitle() == Words("id")("Set up igdesk")
    assert again.welcome.language.currentData() == "id"
    assert app.settings.language == "id"
    assert Profile(app.profile.directory).settings().language == "id"  # kept for the window
    again.reject()
    assert run_until(qtbot, task, 10_000) is None
