"""The ngrok tunnel through the real ngrok SDK, offline: the SDK is pointed at a local stand-in
of ngrok's servers (tests/fake_ngrok.py), a closed port, or a port that speaks garbage."""

from __future__ import annotations

import logging
import socket
import sys

import pytest

from igdesk.webhooks.tunnel import NgrokIngress, NgrokTunnel, TunnelError, TunnelErrorKind
from tests.tunnel_fakes import FakeNgrok, garbage_server, until_dead

TOKEN = "2fakeAuthtokenSecret_4f9c1d"
REFUSED_107 = (
    "authentication failed: The authtoken you specified is properly formed, but it is invalid.\n"
    f"Your authtoken: {TOKEN}\n\nERR_NGROK_107\n"
)


def _assert_no_secret(error: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(error, TunnelError)
    for text in (str(error), repr(error), error.technical, error.sentence("en"), caplog.text):
        assert TOKEN not in text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_a_tunnel_opens_forwards_to_the_receiver_and_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeNgrok() as fake:
        tunnel = NgrokTunnel(TOKEN, ingress=fake.ingress)
        assert not tunnel.is_alive()
        url = await tunnel.start(8123)
        assert url == "https://fake-words.ngrok-free.app" == tunnel.url
        assert tunnel.is_alive() and tunnel.failure() is None
        assert fake.authtokens == [TOKEN]
        assert fake.binds[0]["ForwardsTo"].startswith("http://127.0.0.1:8123")
        assert fake.binds[0]["Opts"]["Hostname"] == ""
        await tunnel.stop()
        assert not tunnel.is_alive() and tunnel.url is None
        await tunnel.stop()  # twice is fine
    assert TOKEN not in caplog.text  # the SDK's own debug lines included


@pytest.mark.asyncio
async def test_a_static_domain_is_asked_for_and_returned() -> None:
    async with FakeNgrok() as fake:
        tunnel = NgrokTunnel(TOKEN, domain=" Shop-Demo.ngrok.app ", ingress=fake.ingress)
        assert await tunnel.start(8123) == "https://shop-demo.ngrok.app"
        assert fake.binds[0]["Opts"]["Hostname"] == "shop-demo.ngrok.app"
        await tunnel.stop()


@pytest.mark.asyncio
@pytest.mark.parametrize("authtoken", [None, "", "   "])
async def test_no_authtoken_is_said_before_the_sdk_is_asked(authtoken: str | None) -> None:
    async with FakeNgrok() as fake:
        with pytest.raises(TunnelError) as raised:
            await NgrokTunnel(authtoken, ingress=fake.ingress).start(8123)
        assert fake.authtokens == []
    assert raised.value.kind is TunnelErrorKind.NOT_CONFIGURED and not raised.value.retryable
    assert "Your Authtoken" in raised.value.sentence("en")
    assert "authtoken ngrok" in raised.value.sentence("id")


@pytest.mark.asyncio
async def test_a_refused_authtoken_says_copy_it_again_and_never_shows_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeNgrok() as fake:
        fake.auth_error = REFUSED_107  # ngrok quotes the token back
        with pytest.raises(TunnelError) as raised:
            await NgrokTunnel(TOKEN, ingress=fake.ingress).start(8123)
        assert fake.authtokens == [TOKEN]
    error = raised.value
    assert error.kind is TunnelErrorKind.REFUSED and not error.retryable
    assert error.sentence("en") == (
        "ngrok refused the authtoken. Copy it again from your ngrok dashboard (Your Authtoken) "
        "into Settings."
    )
    assert "ERR_NGROK_107" in error.technical
    logging.getLogger("igdesk.test").error("shown: %s", error.technical)
    _assert_no_secret(error, caplog)


@pytest.mark.asyncio
async def test_the_account_busy_elsewhere_is_retried() -> None:
    async with FakeNgrok() as fake:
        fake.auth_error = (
            "Your account is limited to 1 simultaneous ngrok agent sessions.\n\nERR_NGROK_108\n"
        )
        with pytest.raises(TunnelError) as raised:
            await NgrokTunnel(TOKEN, ingress=fake.ingress).start(8123)
    assert raised.value.kind is TunnelErrorKind.FAILED and raised.value.retryable
    assert "another ngrok program" in raised.value.sentence("en")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("code", "kind"),
    [("ERR_NGROK_320", TunnelErrorKind.REFUSED), ("ERR_NGROK_334", TunnelErrorKind.FAILED)],
)
async def test_a_domain_ngrok_will_not_open(code: str, kind: TunnelErrorKind) -> None:
    async with FakeNgrok() as fake:
        fake.bind_error = f"failed to bind the domain shop.ngrok.app.\n\n{code}\n"
        tunnel = NgrokTunnel(TOKEN, domain="shop.ngrok.app", ingress=fake.ingress)
        with pytest.raises(TunnelError) as raised:
            await tunnel.start(8123)
    assert raised.value.kind is kind and code in raised.value.technical
    assert "shop.ngrok.app" in raised.value.sentence("en")
    assert tunnel.url is None and not tunnel.is_alive()


@pytest.mark.asyncio
async def test_a_domain_that_is_not_one_is_refused_before_connecting() -> None:
    with pytest.raises(TunnelError) as raised:
        await NgrokTunnel(TOKEN, domain="https://shop.ngrok.app/x").start(8123)
    assert raised.value.kind is TunnelErrorKind.NOT_CONFIGURED


@pytest.mark.asyncio
async def test_no_network_a_closed_port(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ingress = NgrokIngress(server_addr=f"localhost:{_closed_port()}", ca_cert=b"")
    with pytest.raises(TunnelError) as raised:
        await NgrokTunnel(TOKEN, ingress=ingress).start(8123)
    assert raised.value.kind is TunnelErrorKind.NO_NETWORK and raised.value.retryable
    assert "online" in raised.value.sentence("en")
    _assert_no_secret(raised.value, caplog)


@pytest.mark.asyncio
async def test_no_network_a_port_that_is_not_ngrok() -> None:
    server = await garbage_server()
    port = server.sockets[0].getsockname()[1]
    try:
        ingress = NgrokIngress(server_addr=f"localhost:{port}", ca_cert=b"")
        with pytest.raises(TunnelError) as raised:
            await NgrokTunnel(TOKEN, ingress=ingress).start(8123)
    finally:
        server.close()
        await server.wait_closed()
    assert raised.value.kind is TunnelErrorKind.NO_NETWORK
    assert "tls" in raised.value.technical.lower()


@pytest.mark.asyncio
async def test_a_lost_session_makes_it_dead_after_the_grace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeNgrok() as fake:
        tunnel = NgrokTunnel(TOKEN, ingress=fake.ingress, reconnect_grace=0.0)
        await tunnel.start(8123)
        assert tunnel.is_alive()
        await fake.drop()  # ngrok's servers gone: the SDK reports it and keeps reconnecting
        assert await until_dead(tunnel)
        failure = tunnel.failure()
        assert failure is not None and failure.kind is TunnelErrorKind.DIED
        assert failure.retryable
        await tunnel.stop()
    _assert_no_secret(failure, caplog)


@pytest.mark.asyncio
async def test_without_the_sdk_the_tunnel_is_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ngrok", None)  # `import ngrok` raises ImportError
    with pytest.raises(TunnelError) as raised:
        await NgrokTunnel(TOKEN).start(8123)
    assert raised.value.kind is TunnelErrorKind.NOT_AVAILABLE and not raised.value.retryable
    assert "Choose another tunnel" in raised.value.sentence("en")
