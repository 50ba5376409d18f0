"""Facebook Login (a Facebook Page's Instagram account) against the sandbox: the dialog, the
user-token exchanges, the linked Pages, the chosen Page's token stored and used to sync."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from igdesk import secrets
from igdesk.app import App
from igdesk.config import Profile
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings, PageChoice, SignInError, texts
from igdesk.signin import record as records
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import authorize_page, consent

World = tuple[SandboxServer, httpx.AsyncClient]


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    async with running_sandbox() as pair:
        yield pair


@pytest_asyncio.fixture
async def app(world: World, tmp_path: Path) -> AsyncIterator[App]:
    the_app = App(Profile(tmp_path / "profile"), graph_url=world[0].url)
    try:
        yield the_app
    finally:
        await the_app.aclose()


async def facebook_login(world: World, app: App, secret: str | None = None) -> BusinessLogin:
    server, control = world
    meta_app_id = (await control.get("/_sandbox/oauth")).json()["meta_app_id"]
    settings = LoginSettings(meta_app_id, kind="facebook")
    return BusinessLogin(app, settings, secret or server.meta_app_secret)


@pytest.mark.asyncio
async def test_page_sign_in_then_sync(
    world: World, app: App, memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    login = await facebook_login(world, app)
    query = parse_qs(urlsplit(login.authorize_url).query)
    assert "/v25.0/dialog/oauth" in login.authorize_url
    assert set(query["scope"][0].split(",")) >= {
        "instagram_basic",
        "instagram_manage_messages",
        "pages_manage_metadata",
        "pages_show_list",
        "business_management",
    }
    landed = await consent(login.authorize_url)
    assert landed.endswith("#_=_")
    signed = await login.finish(landed)
    assert (signed.kind, signed.username) == ("facebook", server.world.shop.username)
    assert signed.account_id == server.world.shop.ig_id and signed.expires_at is None
    token = secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    assert token and token.startswith("EAA")
    record = records.load(app.profile)
    assert record is not None and record.page_id == server.world.shop.page_id
    assert app.profile.settings().flavour == "facebook"
    assert (await app.sync_once()).threads_updated > 0


@pytest.mark.asyncio
async def test_pages_for_a_picker(world: World, app: App, memory_keyring: MemoryKeyring) -> None:
    server, _ = world
    login = await facebook_login(world, app)
    pages = await login.pages(await consent(login.authorize_url))
    assert [(p.page_id, p.username) for p in pages] == [
        (server.world.shop.page_id, server.world.shop.username)
    ]  # the Page without an Instagram account is left out
    assert "page_token" not in repr(pages[0]) or pages[0].page_token not in repr(pages[0])
    signed = await login.use_page(pages[0])
    assert signed.username == server.world.shop.username


@pytest.mark.asyncio
async def test_picker_is_asked_only_among_several(world: World, app: App) -> None:
    asked: list[Sequence[PageChoice]] = []

    async def choose(pages: Sequence[PageChoice]) -> PageChoice | None:
        asked.append(pages)
        return None

    from igdesk.signin.flow import _pick

    one = PageChoice("1", "A", "10", "a", "EAAx")
    two = PageChoice("2", "B", "20", "b", "EAAy")
    assert await _pick([one], choose) is one and not asked
    with pytest.raises(SignInError):
        await _pick([one, two], choose)
    assert asked == [[one, two]]


@pytest.mark.asyncio
async def test_no_linked_page(world: World, app: App, memory_keyring: MemoryKeyring) -> None:
    await world[1].patch("/_sandbox/oauth", json={"page_linked": False})
    login = await facebook_login(world, app)
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert caught.value.sentence() == str(texts.NO_PAGE)


@pytest.mark.asyncio
async def test_wrong_meta_secret_and_app_id(world: World, app: App) -> None:
    server, _ = world
    login = await facebook_login(world, app, secret=server.app_secret)  # the Instagram one
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert caught.value.sentence() == str(texts.WRONG_META_SECRET)
    wrong = BusinessLogin(app, LoginSettings("42", kind="facebook"), server.meta_app_secret)
    page = await authorize_page(wrong.authorize_url)
    assert page.status_code == 400 and "Invalid App ID" in page.text


@pytest.mark.asyncio
async def test_cancel(world: World, app: App) -> None:
    login = await facebook_login(world, app)
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url, decision="deny"))
    assert caught.value.sentence() == str(texts.CANCELLED)
