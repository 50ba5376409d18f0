"""ImageStore against real HTTP on loopback: an aiohttp server in its own thread plays the CDN."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PySide6.QtCore import QBuffer, QIODevice, QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from igdesk.ui.images import ImageStore

BIG = 50 * 1024 * 1024
CHUNK = 64 * 1024


def make_png(width: int = 120, height: int = 80) -> bytes:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#d62976"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; str works
    return bytes(buffer.data().data())


class ImageServer:
    """A small CDN on 127.0.0.1, run on its own asyncio loop in a thread."""

    def __init__(self, png: bytes) -> None:
        self.png = png
        self.hits: Counter[str] = Counter()
        self.big_sent = 0
        self.in_flight = 0
        self.peak = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def reset(self) -> None:
        self.hits.clear()
        self.big_sent = self.in_flight = self.peak = 0

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/img/{name}", self._image)
        app.router.add_get("/slow/{name}", self._slow)
        app.router.add_get("/missing", self._missing)
        app.router.add_get("/html", self._html)
        app.router.add_get("/fake", self._fake)
        app.router.add_get("/big", self._big)
        app.router.add_get("/endless", self._endless)
        app.router.add_get("/flaky", self._flaky)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def _count(self, request: web.Request) -> None:
        self.hits[request.path] += 1

    async def _image(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(body=self.png, content_type="image/png")

    async def _slow(self, request: web.Request) -> web.Response:
        self._count(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.25)
        finally:
            self.in_flight -= 1
        return web.Response(body=self.png, content_type="image/png")

    async def _missing(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(status=404, text="URL signature expired")

    async def _html(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(text="<html><body>login</body></html>", content_type="text/html")

    async def _fake(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(body=b"\x89PNG but not really" * 100, content_type="image/png")

    async def _flaky(self, request: web.Request) -> web.Response:
        self._count(request)
        if self.hits[request.path] == 1:
            return web.Response(status=503)
        return web.Response(body=self.png, content_type="image/png")

    async def _big(self, request: web.Request) -> web.StreamResponse:
        self._count(request)
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        response.enable_chunked_encoding()  # no Content-Length: the client must count
        await response.prepare(request)
        chunk = b"\0" * CHUNK
        try:
            while self.big_sent < BIG:
                await response.write(chunk)
                self.big_sent += CHUNK
        except ConnectionError:
            pass
        return response

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        self._count(request)
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(b"\x89PNG")
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        return response


@pytest.fixture(scope="module")
def server(qapp: Any) -> Iterator[ImageServer]:
    running = ImageServer(make_png())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def cdn(server: ImageServer) -> ImageServer:
    server.reset()
    return server


@pytest.fixture
def store(tmp_path: Path, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[ImageStore]:
    images = make_store(tmp_path)
    yield images
    close(qtbot, images)


def make_store(tmp_path: Path, **options: Any) -> ImageStore:
    options.setdefault("retry_delay_s", 0.05)
    return ImageStore(tmp_path / "images", **options)


def close(qtbot: QtBot, images: ImageStore) -> None:
    task = asyncio.get_running_loop().create_task(images.aclose())
    qtbot.waitUntil(task.done, timeout=5000)
    task.result()


def wait_state(qtbot: QtBot, images: ImageStore, url: str, key: str | None = None) -> str:
    qtbot.waitUntil(lambda: images.state(url, key) != "loading", timeout=10_000)
    return images.state(url, key)


def test_ready_image_gives_a_scaled_pixmap(
    qtbot: QtBot, store: ImageStore, cdn: ImageServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"{cdn.url}/img/a.png?oh=secret-signature&oe=12345"
    with qtbot.waitSignal(store.ready, timeout=5000) as blocker:
        assert store.state(url) == "loading"
    assert blocker.args == [url]
    full = store.pixmap(url)
    assert full is not None and (full.width(), full.height()) == (120, 80)
    thumb = store.pixmap(url, max_size=QSize(60, 60))
    assert thumb is not None and (thumb.width(), thumb.height()) == (60, 40)
    assert store.pixmap(url, max_size=QSize(60, 60)) is thumb  # memory cache
    assert store.pixmap(url, max_size=QSize(500, 500)) is full  # never enlarged
    assert cdn.hits["/img/a.png"] == 1
    files = list((Path(store._dir)).iterdir())
    assert len(files) == 1 and "a.png" not in files[0].name
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-signature" not in logged and "/img/a.png" not in logged


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "HTTP 404"), ("/html", "content type"), ("/fake", "not an image")],
)
def test_bad_answers_fail(
    qtbot: QtBot,
    store: ImageStore,
    cdn: ImageServer,
    path: str,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    url = cdn.url + path
    with qtbot.waitSignal(store.failed, timeout=5000) as blocker:
        store.state(url)
    assert blocker.args == [url]
    assert store.state(url) == "failed" and store.pixmap(url) is None
    assert cdn.hits[path] == 1  # permanent failures are not retried automatically
    assert any(reason in r.getMessage() for r in caplog.records)
    assert not any(url in r.getMessage() for r in caplog.records)
    assert not list((Path(store._dir)).glob("*.img"))


def test_fifty_megabytes_fail_fast_without_reading_it_all(
    qtbot: QtBot, store: ImageStore, cdn: ImageServer
) -> None:
    url = cdn.url + "/big"
    with qtbot.waitSignal(store.failed, timeout=10_000):
        store.state(url)
    # The client hung up past 20 MB: the server never got to write the rest (socket buffers
    # account for a few more megabytes at most).
    qtbot.waitUntil(lambda: cdn.big_sent < BIG, timeout=2000)
    assert cdn.big_sent < 30 * 1024 * 1024


def test_endless_body_times_out_and_is_retried_once(
    qtbot: QtBot, tmp_path: Path, qloop: asyncio.AbstractEventLoop, cdn: ImageServer
) -> None:
    images = make_store(tmp_path, timeout_s=0.4)
    try:
        url = cdn.url + "/endless"
        with qtbot.waitSignal(images.failed, timeout=5000):
            images.state(url)
        assert cdn.hits["/endless"] == 2  # timed out, tried once more, timed out
        qtbot.wait(200)
        assert images.state(url) == "failed" and cdn.hits["/endless"] == 2
    finally:
        close(qtbot, images)


def test_transient_error_is_retried_automatically(
    qtbot: QtBot, store: ImageStore, cdn: ImageServer
) -> None:
    url = cdn.url + "/flaky"
    with qtbot.waitSignal(store.ready, timeout=5000):
        store.state(url)
    assert cdn.hits["/flaky"] == 2


def test_retry_after_failure(qtbot: QtBot, store: ImageStore, cdn: ImageServer) -> None:
    url = cdn.url + "/missing"
    assert wait_state(qtbot, store, url) == "failed"
    store.retry(url)
    assert store.state(url) == "loading"
    assert wait_state(qtbot, store, url) == "failed"
    assert cdn.hits["/missing"] == 2


def test_disk_cache_serves_a_second_store_without_network(
    qtbot: QtBot, tmp_path: Path, qloop: asyncio.AbstractEventLoop
) -> None:
    own = ImageServer(make_png(30, 30))
    own.start()
    url = f"{own.url}/img/cached.png"
    first = make_store(tmp_path)
    try:
        assert wait_state(qtbot, first, url) == "ready"
        assert wait_state(qtbot, first, "x", key="attachment:m1:0") == "failed"
    finally:
        close(qtbot, first)
        own.stop()
    second = make_store(tmp_path)
    try:
        with qtbot.waitSignal(second.ready, timeout=5000):
            assert second.state(url) == "loading"
        pixmap = second.pixmap(url)
        assert pixmap is not None and pixmap.width() == 30
    finally:
        close(qtbot, second)


def test_key_hits_the_cache_with_a_refreshed_url(
    qtbot: QtBot, tmp_path: Path, qloop: asyncio.AbstractEventLoop, cdn: ImageServer
) -> None:
    key = "m42:0"
    old_url = f"{cdn.url}/img/photo.png?oe=1"
    first = make_store(tmp_path)
    try:
        assert wait_state(qtbot, first, old_url, key) == "ready"
        # Same store: a refreshed URL for the same key is ready at once.
        assert first.state(f"{cdn.url}/img/other.png?oe=2", key) == "ready"
    finally:
        close(qtbot, first)
    second = make_store(tmp_path)
    try:
        new_url = f"{cdn.url}/missing?oe=3"  # would fail if it were fetched
        assert wait_state(qtbot, second, new_url, key) == "ready"
        assert second.pixmap(new_url, key) is not None
        assert cdn.hits["/missing"] == 0 and cdn.hits["/img/other.png"] == 0
        assert cdn.hits["/img/photo.png"] == 1
    finally:
        close(qtbot, second)


def test_refreshed_url_for_a_failed_key_is_tried(
    qtbot: QtBot, store: ImageStore, cdn: ImageServer
) -> None:
    assert wait_state(qtbot, store, cdn.url + "/missing", "m7:0") == "failed"
    with qtbot.waitSignal(store.ready, timeout=5000):
        store.state(cdn.url + "/img/fresh.png", "m7:0")


def test_at_most_four_downloads_at_once(qtbot: QtBot, store: ImageStore, cdn: ImageServer) -> None:
    urls = [f"{cdn.url}/slow/{i}.png" for i in range(9)]
    for url in urls:
        store.state(url)
    qtbot.waitUntil(lambda: all(store.state(u) == "ready" for u in urls), timeout=10_000)
    assert cdn.peak == 4


def test_memory_budget_evicts_and_reloads_from_disk(
    qtbot: QtBot, tmp_path: Path, qloop: asyncio.AbstractEventLoop, cdn: ImageServer
) -> None:
    one_image = 120 * 80 * 4
    images = make_store(tmp_path, memory_budget=2 * one_image)
    try:
        urls = [f"{cdn.url}/img/m{i}.png" for i in range(4)]
        for url in urls:
            assert wait_state(qtbot, images, url) == "ready"
            assert images.pixmap(url) is not None
        assert images.memory_used <= 2 * one_image
        assert images.pixmap(urls[0]) is None  # evicted: comes back from disk
        with qtbot.waitSignal(images.ready, timeout=5000):
            pass
        assert images.pixmap(urls[0]) is not None
        assert cdn.hits["/img/m0.png"] == 1
    finally:
        close(qtbot, images)


def test_closed_store_starts_nothing(
    qtbot: QtBot, tmp_path: Path, qloop: asyncio.AbstractEventLoop, cdn: ImageServer
) -> None:
    images = make_store(tmp_path)
    url = cdn.url + "/slow/closing.png"
    assert images.state(url) == "loading"
    close(qtbot, images)  # cancels the running download
    assert images.state(cdn.url + "/img/late.png") == "failed"
    assert cdn.hits["/img/late.png"] == 0
