"""Send API attachments: the sandbox fetches every URL like Meta and checks type and size;
heart stickers, shares of the shop's own posts (GET /<IG_ID>/media), the 10/s media rate."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from igdesk.sandbox.media import LIBRARY, media_bytes, pdf_bytes, png_bytes
from igdesk.sandbox.scenario import DEFAULT_SCENARIO
from igdesk.sandbox.server import SandboxServer
from igdesk.sandbox.testing import running_sandbox

PNG = png_bytes(64, 48, (200, 0, 0), (0, 0, 200))
UPLOAD_FAILURE = (100, 2018047)


@contextlib.asynccontextmanager
async def file_server(files: dict[str, tuple[str, bytes]]) -> AsyncIterator[str]:
    """A plain web server (the shop's tunnel, a CDN): /f/<name> with the given type."""

    async def handler(request: web.Request) -> web.StreamResponse:
        item = files.get(request.match_info["name"])
        if item is None:
            return web.Response(status=404)
        content_type, data = item
        if request.query.get("chunked"):  # no Content-Length: the size shows only while reading
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):
                for start in range(0, len(data), 1 << 20):
                    await response.write(data[start : start + (1 << 20)])
                await response.write_eof()
            return response
        return web.Response(body=data, headers={"Content-Type": content_type})

    app = web.Application()
    app.add_routes([web.get("/f/{name}", handler)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/f"
    finally:
        await runner.cleanup()


def _world() -> dict[str, Any]:
    return {
        "posts": [
            {"id": "17900000000000001", "caption": "Parang", "media": "batik_red", "ago": "1d"},
            {"id": "17900000000000002", "caption": "Proses", "media": "clip", "ago": "3d"},
        ],
        "threads": [
            {
                "customer": {"username": "nia"},
                "messages": [
                    {
                        "from": "customer",
                        "ago": "1h",
                        "attachments": [{"type": "image", "media": "batik_blue"}],
                    },
                ],
            }
        ],
    }


class Sender:
    def __init__(self, server: SandboxServer, client: httpx.AsyncClient) -> None:
        self.server = server
        self.client = client
        self.customer = next(iter(server.world.customers.values())).id
        self.params = {"access_token": server.token}

    async def send(self, message: dict[str, Any]) -> httpx.Response:
        body = {"recipient": {"id": self.customer}, "message": message}
        return await self.client.post("/me/messages", params=self.params, json=body)

    async def node(self, mid: str, fields: str) -> dict[str, Any]:
        reply = await self.client.get(f"/{mid}", params={**self.params, "fields": fields})
        assert reply.status_code == 200, reply.text
        data: dict[str, Any] = reply.json()
        return data


def _error(reply: httpx.Response) -> tuple[int, int | None]:
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    return error["code"], error.get("error_subcode")


def _one(kind: str, url: str) -> dict[str, Any]:
    return {"attachment": {"type": kind, "payload": {"url": url}}}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.asyncio
async def test_media_sends_are_fetched_stored_and_served() -> None:
    files = {
        "a.png": ("image/png", PNG),
        "b.jpg": ("image/jpeg", media_bytes("photo")),
        "v.mp4": ("video/mp4", media_bytes("clip")),
        "n.m4a": ("audio/mp4", media_bytes("voice_m4a")),
        "i.pdf": ("application/pdf; charset=binary", pdf_bytes("Invoice 7")),
    }
    async with running_sandbox(_world()) as (server, client), file_server(files) as base:
        s = Sender(server, client)
        image = await s.send(
            {"attachments": [{"type": "image", "payload": {"url": f"{base}/a.png"}}]}
        )
        assert image.status_code == 200, image.text
        mid = image.json()["message_id"]
        node = await s.node(mid, "id,from,attachments{id,mime_type,size,image_data}")
        assert node["from"]["id"] == server.world.shop.ig_id
        att = node["attachments"]["data"][0]
        assert (att["mime_type"], att["size"]) == ("image/png", len(PNG))
        assert (att["image_data"]["width"], att["image_data"]["height"]) == (64, 48)
        served = await client.get(att["image_data"]["url"])
        assert served.content == PNG and served.headers["Content-Type"] == "image/png"

        for kind, name, field in (
            ("video", "v.mp4", "video_data"),
            ("audio", "n.m4a", "file_url"),
            ("file", "i.pdf", "file_url"),
        ):
            reply = await s.send(_one(kind, f"{base}/{name}"))
            assert reply.status_code == 200, (kind, reply.text)
            node = await s.node(
                reply.json()["message_id"], "attachments{mime_type,file_url,video_data}"
            )
            att = node["attachments"]["data"][0]
            url = att[field]["url"] if field == "video_data" else att[field]
            assert (await client.get(url)).content == files[name][1]
        # the newest message of the thread is the last send, with the same id (the echo)
        thread = next(iter(server.world.threads.values()))
        assert thread.newest_first()[0].id == server.world.sends[-1]["message_id"]
        assert [x["content"] for x in server.world.sends] == [
            ["image"],
            ["video"],
            ["audio"],
            ["file"],
        ]


@pytest.mark.asyncio
async def test_images_plural_object_array_attachment_id_and_own_media() -> None:
    async with (
        running_sandbox(_world()) as (server, client),
        file_server(
            {
                "a.png": ("image/png", PNG),
                "g.gif": ("image/gif", b"GIF89a\x02\x00\x03\x00" + b"\0" * 20),
            }
        ) as base,
    ):
        s = Sender(server, client)
        first = await s.send(
            {
                "attachment": {
                    "type": "image",
                    "payload": {"url": f"{base}/a.png", "is_reusable": True},
                }
            }
        )
        assert first.status_code == 200, first.text
        reusable = first.json()["attachment_id"]
        single = await s.send(
            {"attachments": {"type": "image", "payload": {"url": f"{base}/g.gif"}}}
        )
        assert single.status_code == 200, single.text
        # the customer's photo, as the read API links it: the sandbox's own /media
        theirs = server.world.threads[next(iter(server.world.threads))].messages[0].id
        own_url = (await s.node(theirs, "attachments{image_data}"))["attachments"]["data"][0][
            "image_data"
        ]["url"]
        items = [{"type": "image", "payload": {"url": f"{base}/a.png"}}] * 8
        items += [
            {"type": "image", "payload": {"attachment_id": reusable}},
            {"type": "image", "payload": {"url": own_url}},
        ]
        ten = await s.send({"attachments": items})
        assert ten.status_code == 200, ten.text
        node = await s.node(ten.json()["message_id"], "attachments{mime_type}")
        assert len(node["attachments"]["data"]) == 10
        assert _error(await s.send({"attachments": items + items[:1]})) == (100, None)
        assert _error(await s.send({"attachments": []})) == (100, None)
        bad_id = {"type": "image", "payload": {"attachment_id": "4242"}}
        assert _error(await s.send({"attachments": [bad_id]})) == (100, None)
        audio = {"type": "audio", "payload": {"url": f"{base}/a.png"}}
        assert _error(await s.send({"attachments": [audio]})) == (100, None)


@pytest.mark.asyncio
async def test_upload_failures() -> None:
    big_png = PNG + b"\0" * (8_000_001 - len(PNG))
    files = {
        "page.html": ("text/html", b"<html>not an image</html>"),
        "fake.png": ("image/png", pdf_bytes()),
        "doc.bin": ("application/octet-stream", pdf_bytes()),
        "notpdf.pdf": ("application/pdf", PNG),
        "big.png": ("image/png", big_png),
        "empty.png": ("image/png", b""),
        "clip.webm": ("video/webm", b"\x1a\x45\xdf\xa3" + b"\0" * 100),
    }
    async with running_sandbox(_world()) as (server, client), file_server(files) as base:
        s = Sender(server, client)
        cases = [
            _one("image", f"{base}/page.html"),
            _one("image", f"{base}/fake.png"),
            _one("file", f"{base}/doc.bin"),
            _one("file", f"{base}/notpdf.pdf"),
            _one("video", f"{base}/page.html"),
            _one("audio", f"{base}/clip.webm"),
            _one("image", f"{base}/big.png"),
            _one("image", f"{base}/big.png?chunked=1"),
            _one("image", f"{base}/empty.png"),
            _one("image", f"{base}/missing.png"),
            _one("image", f"http://127.0.0.1:{_closed_port()}/x.png"),
            _one("image", "ftp://example.com/x.png"),
        ]
        for message in cases:
            reply = await s.send(message)
            assert _error(reply) == UPLOAD_FAILURE, message
            assert reply.json()["error"]["message"] == "(#100) Upload attachment failure."
        assert all(not x["ok"] and x["detail"] for x in server.world.sends)
        assert len(server.world.sends) == len(cases)
        assert (await s.send(_one("video", f"{base}/clip.webm"))).status_code == 200
        thread = next(iter(server.world.threads.values()))
        assert len(thread.messages) == 2


@pytest.mark.asyncio
async def test_video_size_limit_is_25_mb() -> None:
    files = {
        "v.mp4": ("video/mp4", b"\0" * 25_000_001),
        "ok.mp4": ("video/mp4", b"\0" * 25_000_000),
    }
    async with running_sandbox(_world()) as (server, client), file_server(files) as base:
        s = Sender(server, client)
        assert _error(await s.send(_one("video", f"{base}/v.mp4?chunked=1"))) == UPLOAD_FAILURE
        assert (await s.send(_one("video", f"{base}/ok.mp4"))).status_code == 200


@pytest.mark.asyncio
async def test_heart_and_post_shares() -> None:
    async with running_sandbox(_world()) as (server, client):
        s = Sender(server, client)
        heart = await s.send({"attachment": {"type": "like_heart"}})
        assert heart.status_code == 200
        node = await s.node(heart.json()["message_id"], "sticker")
        assert (await client.get(node["sticker"])).status_code == 200
        share = {"type": "MEDIA_SHARE", "payload": {"id": "17900000000000002"}}
        shared = await s.send({"attachment": share})
        assert shared.status_code == 200
        link = (await s.node(shared.json()["message_id"], "shares"))["shares"]["data"][0]["link"]
        assert (await client.get(link)).content == media_bytes("clip")
        assert server.world.sends[-1]["post_id"] == "17900000000000002"
        unknown = {"type": "MEDIA_SHARE", "payload": {"id": "17999999999999999"}}
        assert _error(await s.send({"attachment": unknown})) == (100, None)
        assert _error(await s.send({"attachment": {"type": "gif"}})) == (100, None)


@pytest.mark.asyncio
async def test_media_listing_pages_the_shops_posts() -> None:
    async with running_sandbox(DEFAULT_SCENARIO) as (server, client):
        params = {
            "access_token": server.token,
            "fields": "id,caption,media_type,media_url,permalink,timestamp",
            "limit": "4",
        }
        first = (await client.get(f"/v25.0/{server.world.shop.ig_id}/media", params=params)).json()
        assert len(first["data"]) == 4 and "next" in first["paging"]
        assert set(first["data"][0]) == {
            "id",
            "caption",
            "media_type",
            "media_url",
            "permalink",
            "timestamp",
        }
        second = (await client.get(first["paging"]["next"])).json()
        posts = first["data"] + second["data"]
        assert "next" not in second["paging"]
        assert [p["id"] for p in posts] == [p.id for p in server.world.posts]
        assert len(posts) == 6
        assert [p["timestamp"] for p in posts] == sorted(
            (p["timestamp"] for p in posts), reverse=True
        )
        assert {p["media_type"] for p in posts} == {"IMAGE", "VIDEO", "CAROUSEL_ALBUM"}
        assert all(p["permalink"].startswith("https://www.instagram.com/p/") for p in posts)
        image = await client.get(posts[0]["media_url"])
        assert image.headers["Content-Type"] == LIBRARY["batik_red"].content_type
        bare = (await client.get("/me/media", params={"access_token": server.token})).json()
        assert set(bare["data"][0]) == {"id"}
        bad = await client.get(
            "/me/media", params={"access_token": server.token, "fields": "likes"}
        )
        assert bad.json()["error"]["code"] == 100


@pytest.mark.asyncio
async def test_reusable_upload_with_a_page_token() -> None:
    async with (
        running_sandbox(_world()) as (server, client),
        file_server({"a.png": ("image/png", PNG)}) as base,
    ):
        body = {
            "platform": "instagram",
            "message": {
                "attachment": {
                    "type": "image",
                    "payload": {"url": f"{base}/a.png", "is_reusable": True},
                }
            },
        }
        page = {"access_token": server.page_token}
        uploaded = await client.post(
            f"/{server.world.shop.page_id}/message_attachments", params=page, json=body
        )
        assert uploaded.status_code == 200, uploaded.text
        attachment_id = uploaded.json()["attachment_id"]
        reply = await client.post(
            "/me/messages",
            params=page,
            json={
                "recipient": {"id": next(iter(server.world.customers))},
                "message": {
                    "attachment": {"type": "image", "payload": {"attachment_id": attachment_id}}
                },
            },
        )
        assert reply.status_code == 200, reply.text


@pytest.mark.asyncio
async def test_audio_and_video_have_their_own_10_per_second_rate() -> None:
    files = {"n.m4a": ("audio/mp4", media_bytes("voice_m4a"))}
    async with running_sandbox(_world()) as (server, client), file_server(files) as base:
        s = Sender(server, client)
        burst = await asyncio.gather(*(s.send(_one("audio", f"{base}/n.m4a")) for _ in range(16)))
        refused = [r for r in burst if r.status_code != 200]
        assert refused and all(_error(r) == (613, None) for r in refused)
        assert (await s.send({"text": "text is not in the media bucket"})).status_code == 200
