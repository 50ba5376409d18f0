"""The owner's own public address (checked, handed back, always alive), the callback URL, and
which provider a choice in Settings makes, with its secret from the keyring."""

from __future__ import annotations

import pytest

from igdesk import secrets
from igdesk.webhooks.tunnel import (
    CloudflaredTunnel,
    ManualTunnel,
    NgrokTunnel,
    TunnelChoice,
    TunnelError,
    TunnelErrorKind,
    TunnelProvider,
    callback_url,
    check_public_url,
    make_tunnel,
)
from tests.memory_keyring import MemoryKeyring


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://shop.example.com", "https://shop.example.com"),
        ("  https://Shop.Example.com/  ", "https://shop.example.com"),
        ("HTTPS://shop.example.com:8443/igdesk/", "https://shop.example.com:8443/igdesk"),
        ("https://xn--tk-ima.example", "https://xn--tk-ima.example"),
    ],
)
def test_good_addresses_are_cleaned(given: str, expected: str) -> None:
    assert check_public_url(given) == expected


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("", "Type your public address"),
        ("   ", "Type your public address"),
        ("http://shop.example.com", "starts with https://"),
        ("shop.example.com", "starts with https://"),
        ("ftp://shop.example.com", "starts with https://"),
        ("https://", "needs a host name"),
        ("https:///webhook", "needs a host name"),
        ("https://shop.example.com:99999", "needs a host name"),
        ("https://shop.example.com/?a=1", "must not contain ? or #"),
        ("https://shop.example.com/#top", "must not contain ? or #"),
        ("https://shop.example.com/?", "must not contain ? or #"),
    ],
)
def test_bad_addresses_say_what_to_change(given: str, words: str) -> None:
    with pytest.raises(TunnelError) as raised:
        check_public_url(given)
    assert raised.value.kind is TunnelErrorKind.NOT_CONFIGURED and not raised.value.retryable
    assert words in raised.value.sentence("en")
    assert raised.value.sentence("id") != raised.value.sentence("en")


def test_a_password_in_the_address_is_refused_and_never_repeated() -> None:
    with pytest.raises(TunnelError) as raised:
        check_public_url("https://owner:hunter2secret@shop.example.com")
    assert "user name or password" in raised.value.sentence("en")
    assert "hunter2secret" not in str(raised.value) + raised.value.technical


@pytest.mark.asyncio
async def test_the_manual_tunnel_hands_back_its_address_and_is_always_alive() -> None:
    tunnel = ManualTunnel("https://shop.example.com/")
    assert not tunnel.is_alive() and tunnel.url is None
    assert await tunnel.start(8123) == "https://shop.example.com"
    assert tunnel.is_alive() and tunnel.url == "https://shop.example.com"
    assert tunnel.failure() is None
    await tunnel.stop()
    assert not tunnel.is_alive() and tunnel.url is None


@pytest.mark.asyncio
async def test_the_manual_tunnel_refuses_a_bad_address() -> None:
    with pytest.raises(TunnelError) as raised:
        await ManualTunnel("http://shop.example.com").start(8123)
    assert raised.value.kind is TunnelErrorKind.NOT_CONFIGURED


def test_the_callback_url_is_the_base_and_webhook() -> None:
    assert callback_url("https://a.trycloudflare.com") == "https://a.trycloudflare.com/webhook"
    assert callback_url("https://shop.example.com/igdesk/") == (
        "https://shop.example.com/igdesk/webhook"
    )


def test_a_choice_makes_its_provider_with_the_secret_from_the_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "/profiles/shop"
    secrets.put(key, secrets.Secret.NGROK_AUTHTOKEN, "2ngrokFromKeyring")
    secrets.put(key, secrets.Secret.CLOUDFLARE_TUNNEL_TOKEN, "eyJcloudflareFromKeyring")
    ngrok = make_tunnel(TunnelChoice(TunnelProvider.NGROK, ngrok_domain="shop.ngrok.app"), key)
    assert isinstance(ngrok, NgrokTunnel) and ngrok._authtoken == "2ngrokFromKeyring"
    assert ngrok._domain == "shop.ngrok.app"
    monkeypatch.setenv("IGDESK_NGROK_AUTHTOKEN", "2ngrokFromEnv")
    from_env = make_tunnel(TunnelChoice(TunnelProvider.NGROK), key)
    assert isinstance(from_env, NgrokTunnel) and from_env._authtoken == "2ngrokFromEnv"
    assert "2ngrokFromEnv" not in memory_keyring.items.values()  # never stored

    named = make_tunnel(
        TunnelChoice(TunnelProvider.CLOUDFLARED, cloudflare_hostname="shop.example.com"), key
    )
    assert isinstance(named, CloudflaredTunnel) and not named.quick
    assert named._token == "eyJcloudflareFromKeyring"
    quick = make_tunnel(TunnelChoice(TunnelProvider.CLOUDFLARED), key)
    assert isinstance(quick, CloudflaredTunnel) and quick.quick

    manual = make_tunnel(TunnelChoice(TunnelProvider.MANUAL, public_url="https://x.example"), key)
    assert isinstance(manual, ManualTunnel)


def test_no_keyring_means_no_token_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    tunnel = make_tunnel(TunnelChoice(TunnelProvider.NGROK), "/profiles/none")
    assert isinstance(tunnel, NgrokTunnel) and tunnel._authtoken == ""
