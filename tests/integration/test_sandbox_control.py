"""Control endpoints, media URLs, the clock, rate limits, OAuth, the threaded runner, serve."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from igdesk.sandbox import ScenarioError, ThreadedSandbox
from igdesk.sandbox.serve import run_serve
from igdesk.sandbox.testing import running_sandbox, tiny_scenario
from tests.integration.conftest import Sandbox

MEDIA_FIELDS = "messages.limit(5){attachments{mime_type,image_data,video_data,file_url}}"


@pytest.mark.asyncio
async def test_customer_message_creates_and_updates_threads() -> None:
    async with running_sandbox() as (server, client):
        new = await client.post(
            "/_sandbox/customer_message",
            json={
                "username": "fresh.face",
                "text": "Halo, baru lihat IG kakak",
                "follows_business": True,
            },
        )
        assert new.status_code == 200
        created = new.json()
        listed = (
            await client.get(
                "/me/conversations",
                params={"access_token": server.token, "fields": "id,participants"},
            )
        ).json()["data"]
        assert listed[0]["id"] == created["thread_id"]
        assert listed[0]["participants"]["data"][0]["username"] == "fresh.face"
        again = (
            await client.post(
                "/_sandbox/customer_message",
                json={"customer_id": created["customer_id"], "attachments": [{"type": "image"}]},
            )
        ).json()
        assert again["thread_id"] == created["thread_id"]
        world = (await client.get("/_sandbox/world")).json()
        thread = next(t for t in world["threads"] if t["id"] == created["thread_id"])
        assert [m["attachment_types"] for m in thread["messages"]] == [["image"], []]
        for bad in (
            {"text": "who?"},
            {"customer_id": "0", "text": "x"},
            {"username": "fresh.face"},
        ):
            assert (await client.post("/_sandbox/customer_message", json=bad)).status_code == 400


@pytest.mark.asyncio
async def test_requests_log_hides_tokens() -> None:
    async with running_sandbox() as (server, client):
        await client.get("/v25.0/me", params={"access_token": server.token, "fields": "user_id"})
        await client.post(
            "/me/messages",
            headers={"Authorization": f"Bearer {server.token}"},
            json={"recipient": {"id": "1"}, "message": {"text": "x"}},
        )
        log = (await client.get("/_sandbox/requests")).json()
        assert [(e["method"], e["path"], e["status"]) for e in log] == [
            ("GET", "/me", 200),
            ("POST", "/me/messages", 400),
        ]
        assert log[0]["query"] == {"fields": "user_id"}
        assert log[1]["body"]["message"] == {"text": "x"}
        assert server.token not in str(log)
        await client.delete("/_sandbox/requests")
        assert (await client.get("/_sandbox/requests")).json() == []


@pytest.mark.asyncio
async def test_media_urls_serve_real_bytes_and_expire() -> None:
    world = tiny_scenario()
    world["threads"].append(
        {
            "customer": {"username": "media.fan"},
            "messages": [
                {
                    "from": "customer",
                    "ago": "3m",
                    "attachments": [{"type": "image", "media": "batik_red"}],
                },
                {
                    "from": "customer",
                    "ago": "2m",
                    "attachments": [{"type": "video", "media": "clip"}],
                },
                {
                    "from": "customer",
                    "ago": "1m",
                    "attachments": [{"type": "audio", "media": "voice_wav"}],
                },
                {
                    "from": "customer",
                    "ago": "30s",
                    "attachments": [{"type": "file", "media": "invoice_pdf"}],
                },
            ],
        }
    )
    async with running_sandbox(world, media_ttl=600) as (server, client):
        thread = next(
            t for t in server.world.threads.values() if t.customer.username == "media.fan"
        )
        body = (
            await client.get(
                f"/{thread.id}", params={"access_token": server.token, "fields": MEDIA_FIELDS}
            )
        ).json()
        urls = {}
        for message in body["messages"]["data"]:
            attachment = message["attachments"]["data"][0]
            data = attachment.get("image_data") or attachment.get("video_data") or {}
            urls[attachment["mime_type"]] = data.get("url") or attachment["file_url"]
            if data.get("preview_url"):
                preview = await client.get(data["preview_url"])
                assert preview.headers["content-type"].startswith("image/")
        magic = {
            "image/png": b"\x89PNG",
            "video/mp4": b"ftyp",
            "audio/wav": b"RIFF",
            "application/pdf": b"%PDF",
        }
        for mime, url in urls.items():
            reply = await client.get(url)
            assert reply.status_code == 200 and reply.headers["content-type"] == mime
            assert magic[mime] in reply.content[:12]
        tampered = urls["image/png"].replace("sig=", "sig=0")
        assert (await client.get(tampered)).status_code == 403
        await client.post("/_sandbox/clock", json={"advance_seconds": 601})
        expired = await client.get(urls["image/png"])
        assert expired.status_code == 403 and "expired" in expired.text
        fresh = (
            await client.get(
                f"/{thread.id}", params={"access_token": server.token, "fields": MEDIA_FIELDS}
            )
        ).json()
        new_url = fresh["messages"]["data"][-1]["attachments"]["data"][0]["image_data"]["url"]
        assert (await client.get(new_url)).status_code == 200


@pytest.mark.asyncio
async def test_clock_moves_windows_and_idle_limit() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token, "limit": "10"}
        assert len((await client.get("/me/conversations", params=params)).json()["data"]) == 4
        await client.post("/_sandbox/clock", json={"advance_seconds": 30 * 86400 + 60})
        listed = (await client.get("/me/conversations", params=params)).json()["data"]
        assert len(listed) == 3  # the fresh request went stale too
        now = (await client.get("/_sandbox/clock")).json()["now"]
        assert (await client.post("/_sandbox/clock", json={"set": now})).status_code == 200
        assert (await client.post("/_sandbox/clock", json={"set": "soon"})).status_code == 400


@pytest.mark.asyncio
async def test_rate_limit_refuses_bursts_not_a_steady_two_per_second() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token}
        loop = asyncio.get_running_loop()
        start = loop.time()
        for number in range(14):  # 6.5 s at exactly 2 calls per second
            await asyncio.sleep(max(0.0, start + number * 0.5 - loop.time()))
            reply = await client.get("/me/conversations", params=params)
            assert reply.status_code == 200, number
        statuses = [(await client.get("/me/conversations", params=params)) for _ in range(15)]
        refused = [r for r in statuses if r.status_code != 200]
        assert refused
        error = refused[0].json()["error"]
        assert (error["code"], error["type"]) == (613, "OAuthException")
        assert error["message"] == "Calls to this api have exceeded the rate limit."
        assert '"call_count":100' in refused[0].headers["X-Business-Use-Case-Usage"]
        profile = await client.get(f"/{next(iter(server.world.customers))}", params=params)
        assert profile.status_code in (200, 500)  # profiles are not under the 2/s limit
        assert profile.json().get("error", {}).get("code") != 613


@pytest.mark.asyncio
async def test_business_login_and_token_endpoints() -> None:
    async with running_sandbox() as (server, client):
        app_id = server.world.shop.app_id
        redirect = "https://igdesk.example/callback"
        unregistered = {
            "client_id": app_id,
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": "instagram_business_basic",
        }
        refused = await client.get("/oauth/authorize", params=unregistered)
        assert refused.status_code == 400 and "Invalid redirect_uri" in refused.text
        await client.patch("/_sandbox/oauth", json={"redirect_uris": [redirect]})
        page = await client.get(
            "/oauth/authorize",
            params={
                "client_id": app_id,
                "redirect_uri": redirect,
                "response_type": "code",
                "scope": "instagram_business_basic,instagram_business_manage_messages",
                "state": "xyz",
            },
        )
        assert page.status_code == 200 and "Allow" in page.text
        allow = await client.post(
            "/oauth/authorize",
            data={
                "decision": "allow",
                "client_id": app_id,
                "redirect_uri": redirect,
                "state": "xyz",
                "scope": "instagram_business_basic,instagram_business_manage_messages",
            },
        )
        assert allow.status_code == 302
        location = allow.headers["location"]
        assert location.startswith(redirect + "?") and location.endswith("#_")
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == ["xyz"]
        form = {
            "client_id": app_id,
            "client_secret": server.app_secret,
            "grant_type": "authorization_code",
            "redirect_uri": redirect,
            "code": query["code"][0],
        }
        exchanged = await client.post("/oauth/access_token", data=form)
        short = exchanged.json()["data"][0]
        assert short["user_id"] == server.world.shop.app_scoped_id
        reused = await client.post("/oauth/access_token", data=form)
        assert reused.json() == {
            "error_type": "OAuthException",
            "code": 400,
            "error_message": "Matching code was not found or was already used",
        }
        long = (
            await client.get(
                "/access_token",
                params={
                    "grant_type": "ig_exchange_token",
                    "client_secret": server.app_secret,
                    "access_token": short["access_token"],
                },
            )
        ).json()
        assert long["token_type"] == "bearer" and long["expires_in"] == 5183944
        me = await client.get("/me", params={"access_token": long["access_token"]})
        assert me.status_code == 200
        too_early = await client.get(
            "/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": long["access_token"]},
        )
        assert too_early.status_code == 400
        await client.post("/_sandbox/clock", json={"advance_seconds": 25 * 3600})
        short_gone = await client.get("/me", params={"access_token": short["access_token"]})
        assert short_gone.json()["error"]["error_subcode"] == 463
        refreshed = (
            await client.get(
                "/refresh_access_token",
                params={"grant_type": "ig_refresh_token", "access_token": long["access_token"]},
            )
        ).json()
        assert refreshed["access_token"] and refreshed["expires_in"] == 5183944
        denied = await client.post(
            "/oauth/authorize",
            data={
                "decision": "deny",
                "client_id": app_id,
                "redirect_uri": redirect,
                "scope": "instagram_business_basic",
            },
        )
        assert "error=access_denied" in denied.headers["location"]


@pytest.mark.asyncio
async def test_subscribed_apps() -> None:
    async with running_sandbox() as (server, client):
        params = {"access_token": server.token}
        assert (await client.get("/me/subscribed_apps", params=params)).json() == {"data": []}
        added = await client.post(
            "/me/subscribed_apps",
            params={**params, "subscribed_fields": "messages,message_reactions,messaging_seen"},
        )
        assert added.json() == {"success": True}
        listed = (await client.get("/me/subscribed_apps", params=params)).json()["data"]
        assert listed[0]["id"] == server.world.shop.app_id
        assert listed[0]["subscribed_fields"] == ["messages", "message_reactions", "messaging_seen"]
        bad = await client.post(
            "/me/subscribed_apps", params={**params, "subscribed_fields": "gossip"}
        )
        assert bad.json()["error"]["code"] == 100
        assert (await client.delete("/me/subscribed_apps", params=params)).json() == {
            "success": True
        }


def test_threaded_sandbox_serves_a_synchronous_client() -> None:
    with ThreadedSandbox(tiny_scenario()) as sandbox:
        reply = httpx.get(
            f"{sandbox.url}/me", params={"access_token": sandbox.token, "fields": "user_id"}
        )
        assert reply.json()["user_id"] == sandbox.world.shop.ig_id
        assert sandbox.page_token != sandbox.token and sandbox.app_secret


def test_test_helpers_drive_the_world_switches(tiny_sandbox: Sandbox) -> None:
    sandbox = tiny_sandbox
    sandbox.set_missing_fields({"Message": ["reply_to"]})
    sandbox.require_app_secret()
    sandbox.set_max_nested_messages(42)
    world = sandbox.world()
    assert world["missing_fields"] == {"Message": ["reply_to"]}
    assert world["require_app_secret"] is True and world["max_nested_messages"] == 42
    refused = httpx.get(f"{sandbox.url}/me", params={"access_token": sandbox.threaded.page_token})
    assert refused.json()["error"]["type"] == "GraphMethodException"
    sandbox.require_app_secret(False)
    sandbox.set_missing_fields({})
    assert sandbox.patch_world(human_agent=False)["missing_fields"] == {}
    thread = next(
        t for t in sandbox.world()["threads"] if t["customer"]["username"] == "bob.general"
    )
    newest = thread["messages"][0]["id"]
    assert sandbox.unsend(newest)["thread_id"] == thread["id"]
    after = next(t for t in sandbox.world()["threads"] if t["id"] == thread["id"])
    assert after["messages"][0]["deleted"] and not after["messages"][0]["readable"]


@pytest.mark.slow
def test_serve_prints_how_to_connect_and_stops_on_sigterm() -> None:
    code = "from igdesk.sandbox.serve import run_serve; run_serve(0, None, 0.2)"
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().rstrip("\n") for _ in range(4)]
            labels = [line.split(": ", 1)[0] for line in lines[1:]]
            assert lines[0].startswith("Sandbox running at http://127.0.0.1:")
            assert labels == ["Access token", "Page access token", "App secret"]
            url = lines[0].rsplit(" ", 1)[1]
            token = lines[1].split(": ", 1)[1]
            assert httpx.get(f"{url}/me", params={"access_token": token}).status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_serve_reports_a_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"threads": 3}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="threads: must be a list"):
        run_serve(0, bad, None)


@pytest.mark.asyncio
async def test_customer_simulator_writes_now_and_then() -> None:
    from igdesk.sandbox import SandboxServer

    server = SandboxServer(tiny_scenario(), simulate_every=0.05)
    await server.start()
    try:
        before = sum(len(t.messages) for t in server.world.threads.values())
        await asyncio.sleep(0.4)
        after = sum(len(t.messages) for t in server.world.threads.values())
        assert after > before
    finally:
        await server.stop()
