"""What the sign-in window tests share: Qt WebEngine's flags, the sandbox's sign-in settings,
a signed-out App, finding a window the code under test opened, and clicking in a web page.

Qt WebEngine runs offscreen here; as root its Chromium needs its own sandbox off, and there is
no GPU. Only tests set these flags (igdesk sets --no-sandbox itself for root only).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from igdesk.app import App
from igdesk.config import Profile
from igdesk.sandbox.testing import tiny_scenario
from igdesk.signin import SUGGESTED_REDIRECT_URI, LoginSettings
from tests.sandbox_client import Sandbox, start_sandbox

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

W = TypeVar("W", bound=QWidget)
SHOP = "tokobatik.sari"  # the sandbox shop's username


@pytest.fixture
def signin_world() -> Iterator[Sandbox]:
    sandbox = start_sandbox(tiny_scenario())
    try:
        yield sandbox
    finally:
        sandbox.close()


def oauth_settings(world: Sandbox) -> dict[str, Any]:
    reply = world.control.get("/_sandbox/oauth")
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()
    return data


def login_settings(world: Sandbox) -> LoginSettings:
    return LoginSettings(oauth_settings(world)["app_id"], SUGGESTED_REDIRECT_URI, "instagram")


def app_secret(world: Sandbox) -> str:
    return world.threaded.app_secret


def signed_out_app(world: Sandbox, tmp_path: Path) -> App:
    """An App on a new profile with no token (what a first start has)."""
    return App(Profile(tmp_path / "profile"), graph_url=world.url)


def token_to_order(world: Sandbox, **spec: Any) -> str:
    """A token as the dashboard's "Generate token" gives it."""
    reply = world.control.post("/_sandbox/oauth/token", json={"kind": "instagram", **spec})
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


def expire(world: Sandbox, token: str) -> None:
    world.control.post("/_sandbox/oauth/expire", json={"token": token}).raise_for_status()


def shown(kind: type[W]) -> W | None:
    """The visible top-level window of this kind, if one is open."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


def wait_shown(qtbot: QtBot, kind: type[W], timeout: int = 10_000) -> W:
    qtbot.waitUntil(lambda: shown(kind) is not None, timeout=timeout)
    found = shown(kind)
    assert found is not None
    return found


def click_in_page(
    qtbot: QtBot, page: Any, element_id: str, *, address_has: str = "", timeout: int = 30_000
) -> None:
    """Click an element of the web page once it is there (the page loads on its own time), on
    the page whose address has `address_has` (not the one before it, still showing)."""
    script = (
        f"(function(){{if(location.href.indexOf({address_has!r})<0){{return false;}}"
        f"var e=document.getElementById({element_id!r});"
        "if(!e){return false;} e.click(); return true;})()"
    )
    state = {"asked": 0.0, "done": False}

    def answered(result: object) -> None:
        state.update(asked=0.0, done=bool(result))

    def attempt() -> bool:
        # An answer can be lost when the page navigates meanwhile: ask again after a while.
        if not state["done"] and time.monotonic() - state["asked"] > 0.5:
            state["asked"] = time.monotonic()
            page.runJavaScript(script, 0, answered)
        return bool(state["done"])

    qtbot.waitUntil(attempt, timeout=timeout)


def consent_in_own_browser(world: Sandbox, authorize_url: str, decision: str = "allow") -> str:
    """What the owner's own browser does: open the page, press a button, land somewhere (the
    address it landed on, which no server answers)."""
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        page = browser.get(authorize_url)
        page.raise_for_status()
        form = dict(_hidden_fields(page.text))
        form["decision"] = decision
        answer = browser.post(f"{world.url}/oauth/authorize", data=form)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


def _hidden_fields(html: str) -> Iterator[tuple[str, str]]:
    import re
    from html import unescape

    for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', html):
        yield unescape(name), unescape(value)
