"""Send API: the messaging window, HUMAN_AGENT, the byte limit, recipients, sender actions."""

from __future__ import annotations

from typing import Any

import pytest

from igdesk.sandbox.testing import running_sandbox


def _windows_world(human_agent: bool) -> dict[str, Any]:
    ages = {"w23h59": "23h59m", "w24h01": "24h1m", "w6d23h": "6d23h", "w7d01": "7d1h"}
    return {
        "human_agent": human_agent,
        "customers": [{"username": "lurker"}, {"username": "gone", "available": False}],
        "threads": [
            {
                "customer": {"username": name},
                "messages": [{"from": "customer", "ago": ago, "text": "halo"}],
            }
            for name, ago in ages.items()
        ]
        + [{"customer": "gone", "messages": [{"from": "customer", "ago": "1h", "text": "x"}]}],
    }


async def _ids(client: Any) -> dict[str, str]:
    world = (await client.get("/_sandbox/world")).json()
    ids = {t["customer"]["username"]: t["customer"]["id"] for t in world["threads"]}
    ids.update({c["username"]: c["id"] for c in world["customers_without_thread"]})
    return ids


HUMAN_AGENT = {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}


WINDOW = (10, 2534022, "This message is sent outside of allowed window.")
NO_PERMISSION = (10, None, "(#10) Application does not have permission for this action")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("human_agent", "expected"),
    [
        (
            True,
            {
                ("w23h59", False): None,
                ("w24h01", False): WINDOW,
                ("w24h01", True): None,
                ("w6d23h", True): None,
                ("w7d01", True): WINDOW,
                ("w6d23h", False): WINDOW,
            },
        ),
        # without the Human Agent feature the tag itself is refused, inside 24 h too
        (
            False,
            {
                ("w23h59", True): NO_PERMISSION,
                ("w23h59", False): None,
                ("w24h01", True): NO_PERMISSION,
                ("w6d23h", True): NO_PERMISSION,
                ("w24h01", False): WINDOW,
            },
        ),
    ],
)
async def test_messaging_window(
    human_agent: bool, expected: dict[tuple[str, bool], tuple[int, int | None, str] | None]
) -> None:
    async with running_sandbox(_windows_world(human_agent)) as (server, client):
        ids = await _ids(client)
        auth = {"Authorization": f"Bearer {server.token}"}
        for (name, tagged), refusal in expected.items():
            body = {
                "recipient": {"id": ids[name]},
                "message": {"text": "Terima kasih"},
                **(HUMAN_AGENT if tagged else {}),
            }
            reply = await client.post(
                f"/v25.0/{server.world.shop.ig_id}/messages", json=body, headers=auth
            )
            if refusal is None:
                assert reply.status_code == 200, (name, tagged)
                assert reply.json()["recipient_id"] == ids[name]
                assert reply.json()["message_id"]
            else:
                error = reply.json()["error"]
                assert reply.status_code == 400, (name, tagged)
                got = (error["code"], error.get("error_subcode"), error["message"])
                assert got == refusal, (name, tagged)
                assert error["type"] == (
                    "OAuthException" if refusal[1] is None else "IGApiException"
                )
        sends = (await client.get("/_sandbox/world")).json()["sends"]
        assert len(sends) == len(expected)
        assert [s["ok"] for s in sends] == [r is None for r in expected.values()]


@pytest.mark.asyncio
async def test_text_byte_limit_and_recipients() -> None:
    async with running_sandbox(_windows_world(True)) as (server, client):
        ids = await _ids(client)
        url = "/me/messages"
        params = {"access_token": server.token}

        async def send(recipient: str, text: str) -> Any:
            body = {"recipient": {"id": recipient}, "message": {"text": text}}
            return await client.post(url, json=body, params=params)

        exact = "é" * 500  # 1000 bytes, 500 characters
        assert (await send(ids["w23h59"], exact)).status_code == 200
        over = await send(ids["w23h59"], exact + "a")
        assert over.status_code == 400 and over.json()["error"]["code"] == 100
        emoji = "😊" * 251  # 1004 bytes although only 251 characters
        assert (await send(ids["w23h59"], emoji)).json()["error"]["code"] == 100
        for who in (ids["lurker"], ids["gone"]):
            reply = await send(who, "halo")
            assert reply.json()["error"]["code"] == 551
            assert reply.json()["error"]["message"] == "This person isn't available right now."
        stranger = (await send("999999", "halo")).json()["error"]
        assert (stranger["code"], stranger["error_subcode"]) == (100, 2018001)
        assert stranger["message"] == "(#100) No matching user found"
        assert stranger["type"] == "IGApiException"
        page = await client.post(
            "/me/messages",
            params={"access_token": server.page_token},
            json={"recipient": {"id": ids["w23h59"]}, "message": {"text": "via page"}},
        )
        assert page.status_code == 200


@pytest.mark.asyncio
async def test_sent_message_is_echoed_in_the_thread() -> None:
    async with running_sandbox() as (server, client):
        world = (await client.get("/_sandbox/world")).json()
        cici = next(t for t in world["threads"] if t["customer"]["username"] == "cici.request")
        before = (
            await client.get(
                "/me/conversations", params={"access_token": server.token, "limit": "10"}
            )
        ).json()["data"]
        sent = (
            await client.post(
                "/me/messages",
                params={"access_token": server.token},
                json={
                    "recipient": {"id": cici["customer"]["id"]},
                    "message": {"text": "Ready kak"},
                },
            )
        ).json()
        after = (
            await client.get(
                "/me/conversations", params={"access_token": server.token, "limit": "10"}
            )
        ).json()["data"]
        assert after[0]["id"] == cici["id"]
        assert after[0]["updated_time"] >= before[0]["updated_time"]
        newest = (
            await client.get(
                f"/{cici['id']}/messages",
                params={"access_token": server.token, "fields": "id,from,message", "limit": "1"},
            )
        ).json()
        assert newest["data"][0] == {
            "id": sent["message_id"],
            "message": "Ready kak",
            "from": {"username": server.world.shop.username, "id": server.world.shop.ig_id},
        }


@pytest.mark.asyncio
async def test_sender_actions_are_recorded_per_thread() -> None:
    async with running_sandbox() as (server, client):
        world = (await client.get("/_sandbox/world")).json()
        ani = next(t for t in world["threads"] if t["customer"]["username"] == "ani.follower")
        cici = next(t for t in world["threads"] if t["customer"]["username"] == "cici.request")
        target = ani["messages"][-1]["id"]
        params = {"access_token": server.token}
        for body in (
            {"sender_action": "typing_on"},
            {"sender_action": "mark_seen"},
            {"sender_action": "react", "payload": {"message_id": target, "reaction": "love"}},
        ):
            reply = await client.post(
                "/me/messages",
                params=params,
                json={"recipient": {"id": ani["customer"]["id"]}, **body},
            )
            assert reply.json() == {"recipient_id": ani["customer"]["id"]}
        bad = await client.post(
            "/me/messages",
            params=params,
            json={"recipient": {"id": ani["customer"]["id"]}, "sender_action": "wave"},
        )
        assert bad.json()["error"]["code"] == 100
        world = (await client.get("/_sandbox/world")).json()
        ani = next(t for t in world["threads"] if t["id"] == ani["id"])
        cici = next(t for t in world["threads"] if t["id"] == cici["id"])
        assert len(ani["seen_marks"]) == 1 and cici["seen_marks"] == []
        assert [a["action"] for a in world["sender_actions"]] == [
            "typing_on",
            "mark_seen",
            "react",
            "wave",
        ]
        reacted = next(m for m in ani["messages"] if m["id"] == target)
        assert reacted["reactions"] == [{"emoji": "❤️", "user_ids": [server.world.shop.ig_id]}]
        read = (await client.get(f"/{target}", params={**params, "fields": "reactions"})).json()
        assert read["reactions"]["data"][0]["reaction"] == "love"
