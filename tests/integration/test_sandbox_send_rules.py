"""Send API rules driven by the sandbox clock: window, HUMAN_AGENT, tags, text, reply_to,
rate limits and the echo, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox

TAGGED = {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}


def _world(human_agent: bool = True) -> dict[str, Any]:
    return {
        "human_agent": human_agent,
        "threads": [
            {
                "customer": {"username": "nia"},
                "messages": [
                    {"from": "customer", "ago": "0s", "text": "halo, ready?"},
                ],
            }
        ],
    }


class Sender:
    def __init__(self, server: SandboxServer, client: httpx.AsyncClient) -> None:
        self.server = server
        self.client = client
        self.customer = next(iter(server.world.customers.values())).id
        self.thread = next(iter(server.world.threads.values()))

    async def send(self, message: Any = None, **extra: Any) -> httpx.Response:
        body = {"recipient": {"id": self.customer}, "message": message or {"text": "ok"}, **extra}
        return await self.client.post(
            f"/v25.0/{self.server.world.shop.ig_id}/messages",
            json=body,
            headers={"Authorization": f"Bearer {self.server.token}"},
        )

    async def at(self, seconds_after_customer: float) -> None:
        last = self.thread.last_customer_time()
        assert last is not None
        moment = last.timestamp() + seconds_after_customer
        now = self.server.clock.timestamp()
        reply = await self.client.post("/_sandbox/clock", json={"advance_seconds": moment - now})
        assert reply.status_code == 200


def _error(reply: httpx.Response) -> tuple[int, int | None]:
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert set(error) <= {"message", "type", "code", "error_subcode", "fbtrace_id"}
    assert error["fbtrace_id"]
    return error["code"], error.get("error_subcode")


H, M, D = 3600, 60, 86400
WINDOW = (10, 2534022)


@pytest.mark.asyncio
async def test_window_follows_the_sandbox_clock_with_human_agent() -> None:
    async with running_sandbox(_world(human_agent=True)) as (server, client):
        s = Sender(server, client)
        await s.at(23 * H + 59 * M)
        assert (await s.send()).status_code == 200
        await s.at(24 * H + 1 * M)
        refused = await s.send()
        assert _error(refused) == WINDOW
        assert refused.json()["error"]["message"] == (
            "This message is sent outside of allowed window."
        )
        assert (await s.send(**TAGGED)).status_code == 200
        await s.at(6 * D + 23 * H)
        assert _error(await s.send()) == WINDOW
        assert (await s.send(**TAGGED)).status_code == 200
        await s.at(7 * D + 1 * H)
        assert _error(await s.send(**TAGGED)) == WINDOW
        # the customer writes again: the window reopens from that message
        await client.post("/_sandbox/customer_message", json={"username": "nia", "text": "lagi"})
        assert (await s.send()).status_code == 200
        sends = server.world.sends
        assert [x["ok"] for x in sends] == [True, False, True, False, True, False, True]
        assert sends[2]["tag"] == "HUMAN_AGENT" and sends[2]["messaging_type"] == "MESSAGE_TAG"
        assert sends[1]["error_subcode"] == 2534022 and sends[1]["body"]["message"]


@pytest.mark.asyncio
async def test_human_agent_needs_the_feature() -> None:
    async with running_sandbox(_world(human_agent=False)) as (server, client):
        s = Sender(server, client)
        # without the feature the tag is a permission error, inside 24 h too: code 10 with
        # no subcode, told apart from the closed window (10/2534022)
        for moment in (23 * H + 59 * M, 24 * H + 1 * M):
            await s.at(moment)
            refused = await s.send(**TAGGED)
            assert _error(refused) == (10, None)
            assert refused.json()["error"]["type"] == "OAuthException"
            assert refused.json()["error"]["message"] == (
                "(#10) Application does not have permission for this action"
            )
        assert _error(await s.send()) == WINDOW
        await client.patch("/_sandbox/world", json={"human_agent": True})
        assert (await s.send(**TAGGED)).status_code == 200
        assert [x["error_code"] for x in server.world.sends if not x["ok"]] == [10, 10, 10]


@pytest.mark.asyncio
async def test_story_reply_opens_the_window() -> None:
    world = {
        "threads": [
            {
                "customer": {"username": "story.fan"},
                "messages": [
                    {"from": "customer", "ago": "3d", "text": "old"},
                    {"from": "customer", "ago": "2h", "story": {"kind": "reply_to", "media": None}},
                ],
            }
        ]
    }
    async with running_sandbox(world) as (server, client):
        assert (await Sender(server, client).send()).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tag": "CONFIRMED_EVENT_UPDATE", "messaging_type": "MESSAGE_TAG"}, None),
        ({"tag": "ACCOUNT_UPDATE"}, None),
        ({"messaging_type": "MESSAGE_TAG"}, None),
        ({"messaging_type": "RESPONSE", "tag": "HUMAN_AGENT"}, None),
        ({"messaging_type": "PROMO"}, None),
        ({}, {"text": ""}),
        ({}, {"text": " \n\t "}),
        ({}, {"text": 5}),
        ({}, {"text": "é" * 500 + "a"}),
        ({}, {"text": "😊" * 251}),
        ({}, {"text": "hi", "attachment": {"type": "like_heart"}}),
        ({}, {"quick_replies": []}),
        ({"reply_to": {"mid": "aWdfZAGl0ZAnot-a-message"}}, None),
        ({"reply_to": "not json"}, None),
    ],
)
async def test_refused_with_code_100(extra: dict[str, Any], message: Any) -> None:
    async with running_sandbox(_world()) as (server, client):
        reply = await Sender(server, client).send(message, **extra)
        assert _error(reply) == (100, None)
        assert reply.json()["error"]["message"].startswith("(#100)")
        assert server.world.sends[-1]["ok"] is False
        assert len(next(iter(server.world.threads.values())).messages) == 1


@pytest.mark.asyncio
async def test_byte_limit_counts_bytes() -> None:
    async with running_sandbox(_world()) as (server, client):
        s = Sender(server, client)
        assert (await s.send({"text": "😊" * 250})).status_code == 200  # exactly 1000 bytes
        over = await s.send({"text": "😊" * 250 + "."})
        assert "1000 bytes" in over.json()["error"]["message"]


@pytest.mark.asyncio
async def test_echo_has_the_send_id_and_reply_to() -> None:
    async with running_sandbox(_world()) as (server, client):
        s = Sender(server, client)
        first = s.thread.messages[0].id
        before = s.thread.updated_time
        await s.at(60)
        reply = await s.send({"text": "Ready kak"}, reply_to={"mid": first})
        assert reply.status_code == 200
        sent = reply.json()
        assert set(sent) == {"recipient_id", "message_id"}
        params = {"access_token": server.token}
        listed = (
            await client.get("/me/conversations", params={**params, "fields": "id,updated_time"})
        ).json()["data"][0]
        assert listed["updated_time"] > before.strftime("%Y-%m-%dT%H:%M:%S+0000")
        node = (
            await client.get(
                f"/{sent['message_id']}", params={**params, "fields": "id,from,message,reply_to"}
            )
        ).json()
        assert node["id"] == sent["message_id"]
        assert node["from"]["id"] == server.world.shop.ig_id
        assert node["reply_to"] == {"mid": first, "is_self_reply": False}
        # form-encoded bodies carry JSON strings, as Graph clients often send them
        form = await client.post(
            "/me/messages",
            params=params,
            data={
                "recipient": json.dumps({"id": s.customer}),
                "message": json.dumps({"text": "form"}),
                "reply_to": json.dumps({"mid": sent["message_id"]}),
            },
        )
        assert form.status_code == 200
        assert server.world.sends[-1]["reply_to"] == sent["message_id"]


@pytest.mark.asyncio
async def test_send_rate_refuses_bursts_not_steady_clients() -> None:
    async with running_sandbox(_world(), send_rate=20.0) as (server, client):
        s = Sender(server, client)
        replies = await asyncio.gather(*(s.send({"text": f"m{i}"}) for i in range(40)))
        refused = [r for r in replies if r.status_code != 200]
        assert refused, "a burst of 40 at 20/s must be refused in part"
        error = refused[0].json()["error"]
        assert error["code"] == 613
        assert error["message"] == "Calls to this api have exceeded the rate limit."
        usage = json.loads(refused[0].headers["X-Business-Use-Case-Usage"])
        assert usage[server.world.shop.ig_id][0]["call_count"] == 100
        ok = sum(r.status_code == 200 for r in replies)
        assert len(s.thread.messages) == 1 + ok
        assert sum(1 for x in server.world.sends if x.get("error_code") == 613) == len(refused)
        await asyncio.sleep(1.1)
        for i in range(10):  # steady 20/s for half a second: never refused
            assert (await s.send({"text": f"steady {i}"})).status_code == 200
            await asyncio.sleep(0.05)


ACTIONS = ("typing_on", "typing_off", "mark_seen", "react", "unreact")


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ACTIONS)
async def test_sender_actions_need_the_24_hour_window(action: str) -> None:
    async with running_sandbox(_world(human_agent=True)) as (server, client):
        s = Sender(server, client)
        target = s.thread.messages[0].id
        body: dict[str, Any] = {"recipient": {"id": s.customer}, "sender_action": action}
        if action in ("react", "unreact"):
            body["payload"] = {"message_id": target, "reaction": "love"}

        async def act(**extra: Any) -> httpx.Response:
            return await client.post(
                "/me/messages", params={"access_token": server.token}, json={**body, **extra}
            )

        await s.at(23 * H + 59 * M)
        assert (await act()).json() == {"recipient_id": s.customer}
        await s.at(24 * H + 1 * M)
        refused = await act()
        assert _error(refused) == WINDOW
        assert refused.json()["error"]["message"] == (
            "This message is sent outside of allowed window."
        )
        assert _error(await act(**TAGGED)) == WINDOW  # no HUMAN_AGENT widening for actions
        records = server.world.sender_actions
        assert [(r["ok"], r.get("error_subcode")) for r in records] == [
            (True, None),
            (False, 2534022),
            (False, 2534022),
        ]
        assert len(s.thread.seen_marks) == (1 if action == "mark_seen" else 0)  # refusals: none
