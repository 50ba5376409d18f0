"""Sandbox webhooks over loopback: the verification handshake, who gets events, signatures
over the exact bytes, echoes, and that deliveries never hold up the Graph answer."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

from igdesk.sandbox.recorder import WebhookRecorder
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.state import SandboxOptions
from igdesk.sandbox.testing import (
    MESSAGING_FIELDS,
    running_sandbox,
    tiny_scenario,
    webhooked_sandbox,
)
from igdesk.sandbox.webhooks import WebhookRefused, WebhookSettings


async def _write(client: httpx.AsyncClient, text: str = "Halo") -> str:
    reply = await client.post(
        "/_sandbox/customer_message", json={"username": "ani.follower", "text": text}
    )
    reply.raise_for_status()
    return str(reply.json()["message_id"])


def _mids(body: dict[str, Any]) -> list[str]:
    items = [i for e in body["entry"] for i in e.get("messaging", e.get("standby", []))]
    return [i["message"]["mid"] for i in items]


@pytest.mark.asyncio
async def test_verification_handshake_good_and_bad() -> None:
    recorder = WebhookRecorder(verify_token="right-token")
    url = await recorder.start()
    try:
        async with running_sandbox() as (_server, client):

            async def configure(**changes: Any) -> httpx.Response:
                hook = {"callback_url": url, "verify_token": "right-token", "fields": ["messages"]}
                return await client.post("/_sandbox/webhook", json={**hook, **changes})

            wrong = await configure(verify_token="wrong-token")
            assert wrong.status_code == 400
            assert "couldn't be validated" in wrong.json()["error"]
            assert "403" in wrong.json()["error"]
            [get] = recorder.requests
            assert get.method == "GET"
            assert get.query["hub.mode"] == "subscribe"
            assert get.query["hub.verify_token"] == "wrong-token"
            assert get.query["hub.challenge"].isdigit()
            assert (await client.get("/_sandbox/webhook")).json()["subscription"] is None

            recorder.challenge_suffix = "\n"
            spoiled = await configure()
            assert spoiled.status_code == 400
            assert "does not match challenge" in spoiled.json()["error"]
            recorder.challenge_suffix = ""

            bad: dict[str, Any]
            for bad in (
                {"callback_url": "http://shop.example.com/webhook"},
                {"fields": ["messages", "no_such_field"]},
                {"fields": []},
                {"verify_token": ""},
            ):
                assert (await configure(**bad)).status_code == 400
            gets_so_far = len(recorder.requests)
            assert gets_so_far == 2  # refused before any handshake

            good = await configure()
            assert good.status_code == 200
            assert good.json()["subscription"] == {
                "callback_url": url,
                "verify_token": "right-token",
                "fields": ["messages"],
            }
            assert recorder.requests[-1].query["hub.verify_token"] == "right-token"
            removed = await client.delete("/_sandbox/webhook")
            assert removed.json()["subscription"] is None
    finally:
        await recorder.stop()


@pytest.mark.asyncio
async def test_nothing_arrives_without_an_account_subscription() -> None:
    async with webhooked_sandbox(subscribe=False, batch_window=0) as (server, client, recorder):
        await _write(client)
        assert await recorder.quiet(0.3) == []
        [suppressed] = (await client.get("/_sandbox/webhook")).json()["suppressed"]
        assert suppressed["reason"] == "account not subscribed (subscribed_apps is empty)"

        params = {"access_token": server.token, "subscribed_fields": "messages"}
        assert (await client.post("/me/subscribed_apps", params=params)).json() == {"success": True}
        mid = await _write(client)
        [post] = await recorder.wait_posts(1)
        assert _mids(post.json()) == [mid]
        # the account's fields do not filter: the app's fields decide (no per-account choice)
        reaction = {"message_id": mid, "emoji": "👍"}
        assert (await client.post("/_sandbox/customer_reaction", json=reaction)).status_code == 200
        second = (await recorder.wait_posts(2))[1].json()
        assert second["entry"][0]["messaging"][0]["reaction"]["reaction"] == "like"

        await client.delete("/me/subscribed_apps", params={"access_token": server.token})
        await _write(client)
        assert len(await recorder.quiet(0.3)) == 2


@pytest.mark.asyncio
async def test_fields_the_app_did_not_subscribe_are_not_sent() -> None:
    async with webhooked_sandbox(fields=["messages"], batch_window=0) as (_s, client, recorder):
        mid = await _write(client)
        await recorder.wait_posts(1)
        await client.post("/_sandbox/customer_edit", json={"message_id": mid, "text": "Halo!"})
        await client.post("/_sandbox/customer_read", json={"username": "ani.follower"})
        assert len(await recorder.quiet(0.3)) == 1
        reasons = [
            s["reason"] for s in (await client.get("/_sandbox/webhook")).json()["suppressed"]
        ]
        assert reasons == [
            "field message_edit not subscribed by the app",
            "field messaging_seen not subscribed by the app",
        ]


@pytest.mark.asyncio
async def test_signature_is_over_the_exact_bytes_with_the_chosen_secret() -> None:
    async with webhooked_sandbox(batch_window=0) as (server, client, recorder):
        mid = await _write(client, "Batik ä/ö 😊 <b>")
        [post] = await recorder.wait_posts(1)
        body = post.body
        assert body.isascii() and b"\\u00e4\\/\\u00f6 \\ud83d\\ude0a" in body
        compact = json.dumps(json.loads(body), ensure_ascii=True, separators=(",", ":"))
        assert compact.replace("/", "\\/").encode() == body  # Meta's form, to the byte
        expected = hmac.new(server.app_secret.encode(), body, hashlib.sha256).hexdigest()
        assert post.headers["X-Hub-Signature-256"] == f"sha256={expected}"
        assert post.headers["X-Hub-Signature"].startswith("sha1=")
        assert post.headers["Content-Type"] == "application/json"
        assert post.headers["User-Agent"] == "facebookexternalua"
        reencoded = json.dumps(json.loads(body)).encode()
        assert hmac.new(server.app_secret.encode(), reencoded, hashlib.sha256).hexdigest() != (
            expected
        )
        assert _mids(post.json()) == [mid]
        log = (await client.get("/_sandbox/webhook/deliveries")).json()
        assert log[0]["body"].encode() == body
        assert log[0]["signature"] == f"sha256={expected}"
        assert log[0]["signed_with"] == "instagram"

        switched = {"signing_secret": "meta", "legacy_sha1": False}
        assert (await client.patch("/_sandbox/webhook", json=switched)).status_code == 200
        await _write(client, "lagi")
        second = (await recorder.wait_posts(2))[1]
        meta = hmac.new(server.meta_app_secret.encode(), second.body, hashlib.sha256).hexdigest()
        assert second.headers["X-Hub-Signature-256"] == f"sha256={meta}"
        assert "X-Hub-Signature" not in second.headers
        assert server.meta_app_secret != server.app_secret


@pytest.mark.asyncio
async def test_echo_mid_is_the_send_api_message_id() -> None:
    async with webhooked_sandbox(batch_window=0) as (server, client, recorder):
        world = (await client.get("/_sandbox/world")).json()
        customers = [
            t["customer"]["id"] for t in world["threads"] if t["customer"]["follows_business"]
        ]
        ids = []
        for customer in customers:
            answer = await client.post(
                "/me/messages",
                params={"access_token": server.token},
                json={"recipient": {"id": customer}, "message": {"text": "Promo hari ini"}},
            )
            if answer.status_code == 200:
                ids.append(answer.json()["message_id"])
        assert ids
        echoes = await recorder.wait_items(len(ids))
        assert [e["message"]["mid"] for e in echoes] == ids
        assert all(e["message"]["is_echo"] is True for e in echoes)
        assert all(e["sender"]["id"] == server.world.shop.ig_id for e in echoes)


@pytest.mark.asyncio
async def test_a_slow_callback_never_holds_up_the_graph_answer() -> None:
    async with webhooked_sandbox(batch_window=0) as (server, client, recorder):
        recorder.delay = 1.0
        ani = server.world.customer_by_username("ani.follower")
        assert ani is not None
        answer = await client.post(
            "/me/messages",
            params={"access_token": server.token},
            json={"recipient": {"id": ani.id}, "message": {"text": "cepat"}},
        )
        assert answer.status_code == 200
        assert recorder.posts == []  # answered while the delivery is still on its way
        [post] = await recorder.wait_posts(1)
        assert _mids(post.json()) == [answer.json()["message_id"]]


def test_messaging_fields_are_known_to_subscribed_apps() -> None:
    from igdesk.sandbox.webhook_wire import WEBHOOK_FIELDS

    assert set(MESSAGING_FIELDS) <= WEBHOOK_FIELDS


@pytest.mark.asyncio
async def test_the_simulator_is_delivered_too() -> None:
    recorder = WebhookRecorder()
    await recorder.start()
    options = SandboxOptions(webhooks=WebhookSettings(batch_window=0))
    server = SandboxServer(tiny_scenario(), simulate_every=0.02, options=options)
    await server.start()
    try:
        await server.configure_webhook(recorder.url, recorder.verify_token, MESSAGING_FIELDS)
        posts = await recorder.wait_posts(5)
        items = [p.json()["entry"][0]["messaging"][0] for p in posts]
        assert all(i["recipient"]["id"] == server.world.shop.ig_id for i in items)
        assert {"message", "reaction", "read"} & {k for i in items for k in i}
    finally:
        await server.stop()
        await recorder.stop()
    with pytest.raises(WebhookRefused):  # nobody answers the handshake any more
        await SandboxServer(tiny_scenario()).configure_webhook(recorder.url, "x", ["messages"])
