"""Business Login in the window, end to end against the sandbox with the real embedded browser
(Qt WebEngine offscreen): Allow, Cancel, an error redirect, a forged `state`, and both
fallbacks (the owner's own browser and a pasted address; a pasted token), each failure as the
owner sees it (the sentence on screen)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from igdesk import secrets
from igdesk.app import App
from igdesk.i18n import Words
from igdesk.signin import SUGGESTED_REDIRECT_URI, BusinessLogin, LoginSettings, SignedIn
from igdesk.signin.texts import (
    CANCELLED,
    CODE_USED,
    NO_CODE,
    NO_MESSAGING_SCOPE,
    OFFLINE,
    STATE_MISMATCH,
    TOKEN_INVALID,
    WRONG_SECRET,
    not_professional,
)
from igdesk.ui.sign_in_view import ADDRESS, BROWSER, TOKEN, SignInView, run_sign_in
from tests.gui.conftest import RunUntil
from tests.gui.sign_in_support import (
    SHOP,
    app_secret,
    click_in_page,
    consent_in_own_browser,
    login_settings,
    signed_out_app,
    signin_world,
    token_to_order,
    wait_shown,
)
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

__all__ = ["signin_world"]  # the fixture, imported for pytest

EN = Words("en")


@pytest.fixture
def app(signin_world: Sandbox, tmp_path: Path, qtbot: QtBot, run_until: RunUntil) -> Iterator[App]:
    signed_out = signed_out_app(signin_world, tmp_path)
    try:
        yield signed_out
    finally:
        run_until(qtbot, signed_out.aclose(), 10_000)


def open_view(
    app: App, world: Sandbox, qtbot: QtBot, way: int = 0
) -> tuple[asyncio.Task[SignedIn | None], SignInView]:
    settings, secret = login_settings(world), app_secret(world)
    task = asyncio.ensure_future(
        run_sign_in(app, EN, lambda: BusinessLogin(app, settings, secret), way=way)
    )
    return task, wait_shown(qtbot, SignInView)


def press(qtbot: QtBot, view: SignInView, element_id: str) -> None:
    assert view.browser is not None
    # the page of this sign-in (its state), not one before it still showing
    click_in_page(qtbot, view.browser.page(), element_id, address_has=view.login.state)


def test_allow_in_the_embedded_browser_signs_in_and_stores_the_token(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    task, view = open_view(app, signin_world, qtbot)
    browser = view.browser
    assert browser is not None
    qtbot.waitUntil(lambda: "/oauth/authorize" in browser.url().toString(), timeout=30_000)
    press(qtbot, view, "allow")
    signed_in = run_until(qtbot, task, 30_000)
    assert signed_in is not None
    assert (signed_in.username, signed_in.remembered) == (SHOP, True)
    stored = secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    assert stored
    for path in app.profile.directory.rglob("*"):  # only the keyring holds the secrets
        if path.is_file():
            data = path.read_bytes()
            assert stored.encode() not in data and app_secret(signin_world).encode() not in data
    assert app.settings.login_app_id == login_settings(signin_world).app_id
    run_until(qtbot, app.sync_once(), 30_000)  # the new token reads the inbox
    assert run_until(qtbot, app.inbox.threads(), 10_000)


def test_cancel_says_so_and_start_again_signs_in(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    task, view = open_view(app, signin_world, qtbot)
    press(qtbot, view, "cancel")
    qtbot.waitUntil(lambda: view.sentence == EN.text(CANCELLED), timeout=30_000)
    assert view.again_button.isVisible()
    assert not task.done()
    view.again_button.click()
    assert not view.sentence
    press(qtbot, view, "allow")
    signed_in = run_until(qtbot, task, 30_000)
    assert signed_in is not None and signed_in.username == SHOP


def test_an_error_redirect_and_a_forged_state_are_refused_with_a_sentence(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    task, view = open_view(app, signin_world, qtbot)
    assert view.browser is not None
    redirect = view.login.settings.redirect_uri
    view.browser.open(
        f"{redirect}?error=server_error&error_description=Something+broke&state={view.login.state}"
    )
    qtbot.waitUntil(lambda: "Instagram refused the sign-in" in view.sentence, timeout=30_000)
    view.again_button.click()
    view.browser.open(f"{redirect}?code=AQforged&state=not-ours#_")
    qtbot.waitUntil(lambda: view.sentence == EN.text(STATE_MISMATCH), timeout=30_000)
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_own_browser_fallback_takes_the_pasted_address(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    task, view = open_view(app, signin_world, qtbot, way=ADDRESS)
    assert view.browser is None  # the embedded browser was never needed
    view.address.setText("https://localhost/igdesk/signed-in?state=" + view.login.state)
    view.address_button.click()
    qtbot.waitUntil(lambda: view.sentence == EN.text(NO_CODE), timeout=10_000)
    view.again_button.click()
    landed = consent_in_own_browser(signin_world, view.login.authorize_url)
    assert landed.endswith("#_")
    view.address.setText(landed)
    view.address_button.click()
    signed_in = run_until(qtbot, task, 30_000)
    assert signed_in is not None and signed_in.username == SHOP


def test_paste_a_token_fallback_checks_the_token(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    task, view = open_view(app, signin_world, qtbot, way=TOKEN)
    view.token.setText("IGAAnot-a-real-token")
    view.token_button.click()
    qtbot.waitUntil(lambda: view.sentence == EN.text(TOKEN_INVALID), timeout=20_000)
    view.token.setText(token_to_order(signin_world, scopes=["instagram_business_basic"]))
    view.token_button.click()
    qtbot.waitUntil(lambda: view.sentence == EN.text(NO_MESSAGING_SCOPE), timeout=20_000)
    view.token.setText(token_to_order(signin_world))
    view.token_button.click()
    signed_in = run_until(qtbot, task, 30_000)
    assert signed_in is not None
    # The test keyring is absent: the token is kept for this run only, and the owner is told.
    assert not signed_in.remembered
    assert app.has_token()


def test_the_view_in_bahasa_indonesia(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    words = Words("id")
    settings, secret = login_settings(signin_world), app_secret(signin_world)
    task: asyncio.Task[Any] = asyncio.ensure_future(
        run_sign_in(app, words, lambda: BusinessLogin(app, settings, secret), way=ADDRESS)
    )
    view = wait_shown(qtbot, SignInView)
    assert view.windowTitle() != "Continue with Instagram"
    view.address.setText("https://localhost/igdesk/signed-in?state=" + view.login.state)
    view.address_button.click()
    qtbot.waitUntil(lambda: view.sentence == words.text(NO_CODE), timeout=10_000)
    assert view.sentence != EN.text(NO_CODE)
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_network_down_says_so_for_the_page_and_for_the_exchange(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    task, view = open_view(app, signin_world, qtbot, way=ADDRESS)
    landed = consent_in_own_browser(signin_world, view.login.authorize_url)
    signin_world.threaded.stop()  # the network goes down before the code is exchanged
    view.address.setText(landed)
    view.address_button.click()
    qtbot.waitUntil(lambda: view.sentence == EN.text(OFFLINE), timeout=30_000)
    view.again_button.click()
    view.show_way(BROWSER)  # Instagram's page itself cannot be reached
    qtbot.waitUntil(lambda: view.sentence.startswith("The sign-in page could not be opened"))
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


@pytest.mark.parametrize(
    ("app_id", "redirect_uri", "error"),
    [
        ("9999999999999999", SUGGESTED_REDIRECT_URI, "Invalid platform app"),
        ("", "https://shop.example/not-registered", "Invalid redirect_uri"),
    ],
    ids=["wrong-app-id", "redirect-not-registered"],
)
def test_a_wrong_app_id_or_redirect_shows_instagrams_error_page_and_where_to_fix_it(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    app_id: str,
    redirect_uri: str,
    error: str,
) -> None:
    wrong = LoginSettings(app_id or login_settings(signin_world).app_id, redirect_uri)
    task = asyncio.ensure_future(
        run_sign_in(app, EN, lambda: BusinessLogin(app, wrong, app_secret(signin_world)))
    )
    view = wait_shown(qtbot, SignInView)
    assert view.browser is not None
    text: list[str] = []
    page = view.browser.page()

    def page_says() -> bool:
        page.toPlainText(lambda found: text.append(found))
        return any(error in found for found in text)

    qtbot.waitUntil(page_says, timeout=30_000)
    hint = view.findChild(QLabel, "signInHint")
    assert hint is not None and hint.isVisibleTo(view)
    assert "Set up your account" in hint.text()
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_a_wrong_secret_is_said_after_allow(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    settings = login_settings(signin_world)
    task = asyncio.ensure_future(
        run_sign_in(app, EN, lambda: BusinessLogin(app, settings, "0" * 32))
    )
    view = wait_shown(qtbot, SignInView)
    press(qtbot, view, "allow")
    qtbot.waitUntil(lambda: view.sentence == EN.text(WRONG_SECRET), timeout=30_000)
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_a_used_code_is_said(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    settings, secret = login_settings(signin_world), app_secret(signin_world)

    def start() -> BusinessLogin:  # one state for both, so only the code can be refused
        return BusinessLogin(app, settings, secret, state="one-state-for-this-test")

    landed = consent_in_own_browser(signin_world, start().authorize_url)
    first = asyncio.ensure_future(run_sign_in(app, EN, start, way=ADDRESS))
    view = wait_shown(qtbot, SignInView)
    view.address.setText(landed)
    view.address_button.click()
    assert run_until(qtbot, first, 30_000) is not None

    again = asyncio.ensure_future(run_sign_in(app, EN, start, way=ADDRESS))
    view = wait_shown(qtbot, SignInView)
    view.address.setText(landed)  # the same address, pasted a second time
    view.address_button.click()
    qtbot.waitUntil(lambda: view.sentence == EN.text(CODE_USED), timeout=30_000)
    view.reject()
    assert run_until(qtbot, again, 10_000) is None


def test_a_personal_account_is_told_how_to_switch(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    signin_world.control.patch("/_sandbox/oauth", json={"account_type": "PERSONAL"})
    task, view = open_view(app, signin_world, qtbot)
    press(qtbot, view, "allow")
    qtbot.waitUntil(lambda: view.sentence == EN.text(not_professional(SHOP)), timeout=30_000)
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None
    view.reject()
    assert run_until(qtbot, task, 10_000) is None
