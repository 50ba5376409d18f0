"""Business Login end to end against the sandbox over loopback: the consent page, the exchanges,
`/me`, the keyring (in memory) and the profile; every bad input and fault with its sentence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import keyring
import keyring.errors
import pytest
import pytest_asyncio

from igdesk import secrets
from igdesk.app import App
from igdesk.config import Profile
from igdesk.domain import Account, utc_now
from igdesk.graph.errors import GraphError
from igdesk.graph.oauth import InstagramOAuth
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings, SignInError, texts
from igdesk.signin import record as records
from igdesk.signin.lock import signin_lock
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import authorize_page, consent


@pytest_asyncio.fixture
async def world() -> AsyncIterator[tuple[SandboxServer, httpx.AsyncClient]]:
    async with running_sandbox() as pair:
        yield pair


@pytest_asyncio.fixture
async def app(world: tuple[SandboxServer, httpx.AsyncClient], tmp_path: Path) -> AsyncIterator[App]:
    server, _ = world
    the_app = App(Profile(tmp_path / "profile"), graph_url=server.url)
    try:
        yield the_app
    finally:
        await the_app.aclose()


def login_for(app: App, server: SandboxServer, **changes: str) -> BusinessLogin:
    settings = LoginSettings(changes.pop("app_id", server.world.shop.app_id))
    return BusinessLogin(app, settings, changes.pop("secret", server.app_secret), **changes)


def sentence(error: pytest.ExceptionInfo[SignInError]) -> str:
    return error.value.sentence("en")


@pytest.mark.asyncio
async def test_sign_in_stores_token_record_and_settings_then_syncs(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    login = login_for(app, server)
    url = urlsplit(login.authorize_url)
    query = parse_qs(url.query)
    assert query["scope"] == ["instagram_business_basic,instagram_business_manage_messages"]
    assert query["state"] == [login.state] and len(login.state) >= 32
    assert query["response_type"] == ["code"]
    landed = await consent(login.authorize_url)
    assert login.is_redirect(landed) and landed.endswith("#_")
    assert not login.is_redirect(login.authorize_url)

    signed = await login.finish(landed)

    assert signed.username == server.world.shop.username
    assert signed.account_id == server.world.shop.ig_id
    assert signed.remembered
    assert signed.expires_at is not None
    assert timedelta(days=59) < signed.expires_at - utc_now() <= timedelta(days=60)
    token = secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    assert token and token.startswith("IGAA")
    assert secrets.get(app.profile.key, secrets.Secret.APP_SECRET) == server.app_secret
    record = records.load(app.profile)
    assert record is not None and record.expires_at == signed.expires_at
    saved = app.profile.settings()
    assert (saved.login_app_id, saved.flavour) == (server.world.shop.app_id, "instagram")
    summary = await app.sync_once()
    assert summary.threads_updated > 0
    for path in app.profile.directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data and server.app_secret.encode() not in data


@pytest.mark.asyncio
async def test_state_mismatch_is_refused_as_possible_forgery(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    landed = await consent(login_for(app, server, state="the-real-one").authorize_url)
    forged = landed.replace("state=the-real-one", "state=someone-else")
    with pytest.raises(SignInError) as caught:
        await login_for(app, server, state="the-real-one").finish(forged)
    assert "may not come from Instagram" in sentence(caught)
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None


@pytest.mark.asyncio
async def test_cancel_says_so(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    login = login_for(app, server)
    landed = await consent(login.authorize_url, decision="deny")
    assert "error=access_denied" in landed and login.is_redirect(landed)
    with pytest.raises(SignInError) as caught:
        await login.finish(landed)
    assert sentence(caught) == str(texts.CANCELLED)
    assert "dibatalkan" in caught.value.sentence("id")


@pytest.mark.asyncio
@pytest.mark.parametrize("pasted", ["", "   ", "https://localhost/igdesk/signed-in?state=x"])
async def test_pasted_address_without_code(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], pasted: str
) -> None:
    server, _ = world
    with pytest.raises(SignInError) as caught:
        await login_for(app, server, state="x").finish(pasted)
    assert sentence(caught) == str(texts.NO_CODE)


@pytest.mark.asyncio
async def test_an_address_elsewhere_has_no_code(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient]
) -> None:
    server, _ = world
    login = login_for(app, server)
    with pytest.raises(SignInError) as caught:
        await login.finish(login.authorize_url)
    assert sentence(caught) == str(texts.NO_CODE)


@pytest.mark.asyncio
async def test_wrong_app_id_on_the_page_and_at_the_exchange(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    wrong = login_for(app, server, app_id="1111111111111111")
    page = await authorize_page(wrong.authorize_url)
    assert page.status_code == 400 and "Invalid platform app" in page.text
    # A code for the right app, exchanged with a mistyped app id:
    right = login_for(app, server, state="s")
    landed = await consent(right.authorize_url)
    with pytest.raises(SignInError) as caught:
        await login_for(app, server, app_id="1111111111111111", state="s").finish(landed)
    assert sentence(caught) == str(texts.WRONG_APP_ID)


@pytest.mark.asyncio
async def test_wrong_secret(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    login = login_for(app, server, secret="not-the-secret")
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert sentence(caught) == str(texts.WRONG_SECRET)
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None


@pytest.mark.asyncio
async def test_missing_secret(app: App, world: tuple[SandboxServer, httpx.AsyncClient]) -> None:
    server, _ = world
    login = login_for(app, server, secret=" ")
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert sentence(caught) == str(texts.NO_SECRET)


@pytest.mark.asyncio
async def test_redirect_uri_not_registered_and_mismatched(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient]
) -> None:
    server, _ = world
    other = "https://shop.example/after-login"
    login = BusinessLogin(app, LoginSettings(server.world.shop.app_id, other), server.app_secret)
    page = await authorize_page(login.authorize_url)
    assert page.status_code == 400 and "Invalid redirect_uri" in page.text
    # Registered, but the exchange names another one: Meta's refusal, and the sentence.
    await world[1].patch(
        "/_sandbox/oauth", json={"redirect_uris": [other, "https://localhost/igdesk/signed-in"]}
    )
    landed = await consent(login.authorize_url)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    oauth = InstagramOAuth(
        server.world.shop.app_id,
        server.app_secret,
        "https://localhost/igdesk/signed-in",
        base_url=server.url,
    )
    try:
        with pytest.raises(GraphError) as refused:
            await oauth.exchange_code(code)
    finally:
        await oauth.aclose()
    mapped = texts.exchange_failure(refused.value, "https://localhost/igdesk/signed-in")
    assert "https://localhost/igdesk/signed-in is not the one registered" in str(mapped.text)


@pytest.mark.asyncio
async def test_reused_and_expired_codes(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, control = world
    first = login_for(app, server, state="same")
    landed = await consent(first.authorize_url)
    await first.finish(landed)
    with pytest.raises(SignInError) as reused:
        await login_for(app, server, state="same").finish(landed)
    assert sentence(reused) == str(texts.CODE_USED)
    with pytest.raises(SignInError) as twice:
        await first.finish(landed)
    assert sentence(twice) == str(texts.USED_UP)
    late = login_for(app, server)
    landed = await consent(late.authorize_url)
    await control.post("/_sandbox/clock", json={"advance_seconds": 3601})
    with pytest.raises(SignInError) as expired:
        await late.finish(landed)
    assert sentence(expired) == str(texts.CODE_USED)


@pytest.mark.asyncio
async def test_consent_without_messaging_permission(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, control = world
    await control.patch("/_sandbox/oauth", json={"grant_scopes": ["instagram_business_basic"]})
    login = login_for(app, server)
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert sentence(caught) == str(texts.NO_MESSAGING_SCOPE)
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None


@pytest.mark.asyncio
async def test_personal_account_is_told_to_switch(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, control = world
    await control.patch("/_sandbox/oauth", json={"account_type": "PERSONAL"})
    login = login_for(app, server)
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert "Switch to professional account" in sentence(caught)
    assert f"@{server.world.shop.username}" in sentence(caught)


@pytest.mark.asyncio
async def test_network_down_during_sign_in(
    world: tuple[SandboxServer, httpx.AsyncClient], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    online = App(Profile(tmp_path / "online"), graph_url=server.url)
    landed = await consent(login_for(online, server, state="s").authorize_url)
    offline = App(Profile(tmp_path / "offline"), graph_url="http://127.0.0.1:9")
    try:
        login = BusinessLogin(
            offline, LoginSettings(server.world.shop.app_id), server.app_secret, state="s"
        )
        with pytest.raises(SignInError) as caught:
            await login.finish(landed)
    finally:
        await offline.aclose()
    assert sentence(caught) == str(texts.OFFLINE)


@pytest.mark.asyncio
async def test_no_keyring_keeps_the_token_for_this_run_only(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient]
) -> None:
    server, _ = world  # the tests' default keyring backend is the failing one: none usable
    login = login_for(app, server)
    signed = await login.finish(await consent(login.authorize_url))
    assert not signed.remembered
    assert "keyrings.alt" in str(texts.NO_KEYRING)
    assert (await app.sync_once()).threads_updated > 0  # works for this run
    assert secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN) is None
    client_token = app.client._http._token  # the one in memory
    assert client_token
    for path in app.profile.directory.rglob("*"):
        if path.is_file():
            assert client_token.encode() not in path.read_bytes()


@pytest.mark.asyncio
async def test_another_account_than_the_archive_is_refused(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    other = Account(id="17840000000000999", username="another.shop")
    await app._db.write(lambda archive: archive.account.save(other))
    login = login_for(app, server)
    with pytest.raises(SignInError) as caught:
        await login.finish(await consent(login.authorize_url))
    assert "this profile keeps the messages of @another.shop" in sentence(caught)


@pytest.mark.asyncio
async def test_two_windows_finishing_at_once_take_turns(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    first, second = login_for(app, server), login_for(app, server)
    landed = await asyncio.gather(consent(first.authorize_url), consent(second.authorize_url))
    done = await asyncio.gather(first.finish(landed[0]), second.finish(landed[1]))
    assert all(signed.username == server.world.shop.username for signed in done)
    token = secrets.get(app.profile.key, secrets.Secret.ACCESS_TOKEN)
    assert token  # one of the two, whole: the record and the keyring agree
    assert (await app.sync_once()).threads_updated > 0


@pytest.mark.asyncio
async def test_a_sign_in_elsewhere_holding_the_lock_gets_a_sentence(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, _ = world
    login = login_for(app, server, lock_wait=0.2)
    landed = await consent(login.authorize_url)
    async with signin_lock(app.profile):
        with pytest.raises(SignInError) as caught:
            await login.finish(landed)
    assert sentence(caught) == str(texts.BUSY)


def test_authorize_url_of_the_real_meta() -> None:
    app = App(Profile(Path("/nonexistent-igdesk-profile")))
    login = BusinessLogin(app, LoginSettings("123", "https://shop.example/cb/"), "s", state="st")
    url = login.authorize_url
    assert url.startswith("https://www.instagram.com/oauth/authorize?")
    assert "redirect_uri=" + urlencode({"": "https://shop.example/cb/"})[1:] in url
    assert login.is_redirect("https://shop.example/cb?code=abc#_")
    assert not login.is_redirect("https://shop.example/cb/other?code=abc")
    assert not login.is_redirect("http://shop.example/cb/?code=abc")


@pytest.mark.asyncio
async def test_flat_code_answer_too(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient], memory_keyring: MemoryKeyring
) -> None:
    server, control = world
    await control.patch("/_sandbox/oauth", json={"flat_code_answer": True})
    login = login_for(app, server)
    signed = await login.finish(await consent(login.authorize_url))
    assert signed.username == server.world.shop.username and signed.remembered


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but locked (the owner did not unlock it)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


@pytest.mark.asyncio
async def test_locked_keyring_keeps_it_for_this_run(
    app: App, world: tuple[SandboxServer, httpx.AsyncClient]
) -> None:
    server, _ = world
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        login = login_for(app, server)
        signed = await login.finish(await consent(login.authorize_url))
        assert not signed.remembered
        assert (await app.sync_once()).threads_updated > 0
    finally:
        keyring.set_keyring(previous)
