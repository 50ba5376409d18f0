"""Facebook Page accounts in the window: Facebook Login's dialog in the embedded browser
against the sandbox, the linked Page's token kept; no linked Page said in a sentence; the Page
picker when several Pages have an Instagram account."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from igdesk.app import App
from igdesk.i18n import Words
from igdesk.signin import SUGGESTED_REDIRECT_URI, BusinessLogin, LoginSettings, PageChoice
from igdesk.signin.texts import NO_PAGE
from igdesk.ui.aio import run_dialog
from igdesk.ui.sign_in_pages import PagePicker
from igdesk.ui.sign_in_view import SignInView, run_sign_in
from tests.gui.conftest import RunUntil
from tests.gui.sign_in_support import (
    SHOP,
    click_in_page,
    oauth_settings,
    signed_out_app,
    signin_world,
    wait_shown,
)
from tests.memory_keyring import MemoryKeyring
from tests.sandbox_client import Sandbox

__all__ = ["signin_world"]

EN = Words("en")


@pytest.fixture
def app(signin_world: Sandbox, tmp_path: Path, qtbot: QtBot, run_until: RunUntil) -> Iterator[App]:
    signed_out = signed_out_app(signin_world, tmp_path)
    try:
        yield signed_out
    finally:
        run_until(qtbot, signed_out.aclose(), 10_000)


def facebook_view(app: App, world: Sandbox, qtbot: QtBot) -> tuple[asyncio.Task[Any], SignInView]:
    settings = LoginSettings(
        oauth_settings(world)["meta_app_id"], SUGGESTED_REDIRECT_URI, "facebook"
    )
    secret = world.threaded.meta_app_secret
    task = asyncio.ensure_future(run_sign_in(app, EN, lambda: BusinessLogin(app, settings, secret)))
    return task, wait_shown(qtbot, SignInView)


def test_facebook_login_keeps_the_linked_pages_token(
    app: App,
    signin_world: Sandbox,
    qtbot: QtBot,
    run_until: RunUntil,
    memory_keyring: MemoryKeyring,
) -> None:
    task, view = facebook_view(app, signin_world, qtbot)
    assert view.windowTitle() == "Continue with Facebook"
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    signed_in = run_until(qtbot, task, 30_000)
    assert signed_in is not None
    assert (signed_in.kind, signed_in.username) == ("facebook", SHOP)
    assert app.settings.flavour == "facebook"


def test_no_linked_page_is_said(
    app: App, signin_world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    signin_world.control.patch("/_sandbox/oauth", json={"page_linked": False}).raise_for_status()
    task, view = facebook_view(app, signin_world, qtbot)
    assert view.browser is not None
    click_in_page(qtbot, view.browser.page(), "allow", address_has=view.login.state)
    qtbot.waitUntil(lambda: view.sentence == EN.text(NO_PAGE), timeout=30_000)
    view.reject()
    assert run_until(qtbot, task, 10_000) is None


def test_the_page_picker_returns_the_chosen_page(qtbot: QtBot, run_until: RunUntil) -> None:
    pages = [
        PageChoice("1", "Toko Batik Sari", "17841400000000001", "tokobatik.sari"),
        PageChoice("2", "Sari Kids", "17841400000000002", "sari.kids"),
    ]
    picker = PagePicker(EN, pages)
    qtbot.addWidget(picker)
    answer = asyncio.ensure_future(run_dialog(picker))
    qtbot.waitUntil(picker.isVisible)
    assert [picker.list.item(i).text() for i in range(2)] == [
        "Toko Batik Sari — @tokobatik.sari",
        "Sari Kids — @sari.kids",
    ]
    picker.list.setCurrentRow(1)
    picker.accept()
    assert run_until(qtbot, answer, 5000) is True
    assert picker.chosen() == pages[1]
