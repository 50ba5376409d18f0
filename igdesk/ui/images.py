"""Remote images (customer pictures, attachment thumbnails) loaded without blocking the Qt thread.

`ImageStore.state(url)` starts a load the first time it sees a URL; `ready(url)` or
`failed(url)` follows. Downloads run on the qasync loop through one shared httpx client (at most
`max_downloads` at once), bytes are decoded on a worker thread, and the QPixmap is made on the UI
thread. Images are kept on disk (the original bytes, named by a hash, under a size cap: the
oldest go first, igdesk/ui/image_cache.py) and in memory (pixmaps per requested size, under an
LRU budget).

Instagram CDN URLs carry expiring signatures, so a caller that knows a stable identity (message
id + attachment index, contact id) passes it as `key`: a refreshed URL then hits the cache.
Customer URLs and image bytes never reach the log: only a status or an exception type does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import httpx
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QPixmap

from igdesk.ui import image_cache, image_decode, image_log
from igdesk.ui.aio import TaskOwner

log = logging.getLogger("igdesk.ui.images")

State = Literal["loading", "ready", "failed"]
T = TypeVar("T")

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 15.0
MAX_DOWNLOADS = 4
MEMORY_BUDGET = 96 * 1024 * 1024
MB = 1024 * 1024
DISK_CAP = 200 * MB  # Settings.image_cache_mb sets it
AUTO_RETRIES = 1  # a transient failure (timeout, network, 5xx) is retried once, then waits
RETRY_DELAY_S = 2.0
_NOT_IMAGE_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


class _Refused(Exception):
    """A permanent failure (4xx, not an image, too large, bad URL); `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Transient(_Refused):
    """A failure worth one automatic retry (timeout, network, 5xx, 429)."""


@dataclass(eq=False)
class _Entry:
    cache_id: str
    url: str
    state: State = "loading"
    auto_retries: int = 0
    waiting: set[str] = field(default_factory=set)  # URLs to announce with ready/failed


class ImageStore(QObject):
    """Loads, caches and scales remote images for delegates; see the module docstring.

    Signals: `ready(url)` and `failed(url)`, once per URL asked while the load was running.
    """

    ready = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        cache_dir: Path,
        *,
        client: httpx.AsyncClient | None = None,
        max_downloads: int = MAX_DOWNLOADS,
        max_bytes: int = MAX_BYTES,
        timeout_s: float = TIMEOUT_S,
        memory_budget: int = MEMORY_BUDGET,
        retry_delay_s: float = RETRY_DELAY_S,
        disk_cap: int = DISK_CAP,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._dir = cache_dir
        self._disk_cap = disk_cap
        self._disk_bytes: int | None = None  # measured at the first trim
        self._trimming = False
        self._trim_task: asyncio.Task[None] | None = None
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s
        self._budget = memory_budget
        self._retry_delay_s = retry_delay_s
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=True,
            limits=httpx.Limits(
                max_connections=max_downloads, max_keepalive_connections=max_downloads
            ),
            headers={"Accept": "image/*"},
        )
        self._slots = asyncio.Semaphore(max_downloads)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="igdesk-image"
        )
        self._owner = TaskOwner("images")
        self._entries: dict[str, _Entry] = {}
        self._pixmaps: OrderedDict[tuple[str, int, int], QPixmap] = OrderedDict()
        self._cost = 0
        self._closed = False
        image_log.guard_http_logs()

    # --- public API -----------------------------------------------------------------------

    def state(self, url: str, key: str | None = None) -> State:
        """Where the image stands; the first call for an unknown URL (or key) starts its load."""
        cache_id = _cache_id(url, key)
        entry = self._entries.get(cache_id)
        if entry is None:
            entry = self._entries[cache_id] = _Entry(cache_id, url)
            entry.waiting.add(url)
            self._start(entry)
            return entry.state
        if url != entry.url:
            entry.url = url
            if entry.state == "failed":  # a refreshed URL for a failed key deserves a new try
                entry.auto_retries = 0
                entry.waiting.add(url)
                self._start(entry)
        if entry.state == "loading":
            entry.waiting.add(url)
        return entry.state

    def pixmap(
        self, url: str, key: str | None = None, max_size: QSize | None = None
    ) -> QPixmap | None:
        """The image scaled to fit `max_size` (never enlarged), or None while not ready."""
        if self.state(url, key) != "ready":
            return None
        cache_id = _cache_id(url, key)
        width, height = _size_key(max_size)
        hit = self._pixmaps.get((cache_id, width, height))
        if hit is not None:
            self._pixmaps.move_to_end((cache_id, width, height))
            return hit
        source = self._pixmaps.get((cache_id, 0, 0))
        if source is None:  # evicted from memory: reload (from disk, normally)
            entry = self._entries[cache_id]
            entry.waiting.add(url)
            self._start(entry)
            return None
        self._pixmaps.move_to_end((cache_id, 0, 0))
        if source.width() <= width and source.height() <= height:
            return source
        scaled = source.scaled(
            width,
            height,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self._remember((cache_id, width, height), scaled)
        return scaled

    def retry(self, url: str, key: str | None = None) -> None:
        """Try a failed (or never seen) image again; nothing if it is loading or ready."""
        cache_id = _cache_id(url, key)
        entry = self._entries.get(cache_id)
        if entry is None:
            self.state(url, key)
            return
        entry.url = url
        if entry.state == "failed":
            entry.auto_retries = 0
            entry.waiting.add(url)
            self._start(entry)

    @property
    def cache_dir(self) -> Path:
        return self._dir

    @property
    def disk_cap(self) -> int:
        return self._disk_cap

    def set_disk_cap(self, cap_bytes: int) -> None:
        """A new cap for the pictures on disk; the oldest go at once if they exceed it."""
        self._disk_cap = max(0, cap_bytes)
        self._start_trim()

    async def disk_usage(self) -> image_cache.Usage:
        """How many pictures, and bytes, the disk cache holds now."""
        return await self._in_worker(image_cache.usage, self._dir)

    async def clear_disk(self) -> int:
        """Remove every picture from the disk cache (they download again when shown)."""
        freed = await self._in_worker(image_cache.clear, self._dir)
        self._disk_bytes = 0
        return freed

    async def trimmed(self) -> None:
        """Wait for a trim that is running (tests, and the Settings page's figure)."""
        task = self._trim_task
        if task is not None and not task.done():
            await asyncio.wait({task})

    @property
    def memory_used(self) -> int:
        """Bytes of pixmaps held in memory (approximate)."""
        return self._cost

    async def aclose(self) -> None:
        """Stop every load, close the HTTP client and the decoding threads."""
        self._closed = True
        await self._owner.cancel_all()
        if self._owns_client:
            await self._client.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._pixmaps.clear()
        self._cost = 0

    # --- loading --------------------------------------------------------------------------

    def _start(self, entry: _Entry) -> None:
        if self._closed:
            entry.state = "failed"
            return
        entry.state = "loading"
        self._owner.start(
            self._load(entry), name="load", on_error=lambda exc: self._crashed(entry, exc)
        )

    async def _load(self, entry: _Entry) -> None:
        path = self._dir / image_decode.cache_file_name(entry.cache_id)
        image = await self._in_worker(image_decode.load_cached, path)
        while image is None:
            try:
                data = await self._download(entry.url)
                image = await self._in_worker(image_decode.decode_and_store, data, path)
                if image is None:
                    raise _Refused("not an image")
                self._stored(len(data))
            except _Transient as exc:
                if entry.auto_retries >= AUTO_RETRIES:
                    self._finish_failed(entry, exc.reason)
                    return
                entry.auto_retries += 1
                log.info("image download failed (%s); retrying once", exc.reason)
                await asyncio.sleep(self._retry_delay_s)
            except _Refused as exc:
                self._finish_failed(entry, exc.reason)
                return
        self._remember((entry.cache_id, 0, 0), QPixmap.fromImage(image))
        self._drop_scaled(entry.cache_id)
        entry.state = "ready"
        for url in _take(entry.waiting):
            self.ready.emit(url)

    async def _download(self, url: str) -> bytes:
        """The body at `url`, read in chunks and abandoned past `max_bytes`."""
        image_log.fetching()  # this task's context only: hides the URL in httpx's logs
        async with self._slots:
            try:
                async with asyncio.timeout(self._timeout_s):
                    return await self._read_body(url)
            except TimeoutError:
                raise _Transient("timeout") from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.TooManyRedirects) as exc:
                raise _Refused(type(exc).__name__) from None
            except httpx.HTTPError as exc:
                raise _Transient(type(exc).__name__) from None

    async def _read_body(self, url: str) -> bytes:
        async with self._client.stream("GET", url) as response:
            status = response.status_code
            if status >= 500 or status == 429:
                raise _Transient(f"HTTP {status}")
            if status != 200:
                raise _Refused(f"HTTP {status}")  # 403/404: usually an expired CDN link
            content_type = response.headers.get("content-type", "").lower()
            if content_type.startswith(_NOT_IMAGE_TYPES):
                raise _Refused("not an image (content type)")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise _Refused("too large (declared)")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise _Refused("too large")  # leaving the block drops the connection
            return bytes(body)

    async def _in_worker(self, function: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    def _finish_failed(self, entry: _Entry, reason: str) -> None:
        log.info("image not loaded: %s", reason)
        entry.state = "failed"
        for url in _take(entry.waiting):
            self.failed.emit(url)

    def _crashed(self, entry: _Entry, exc: BaseException) -> None:
        log.error("image load crashed: %s", type(exc).__name__)
        self._finish_failed(entry, "internal error")

    # --- disk cache -----------------------------------------------------------------------

    def _stored(self, size: int) -> None:
        if self._disk_bytes is not None:
            self._disk_bytes += size
            if self._disk_bytes <= self._disk_cap:
                return
        self._start_trim()

    def _start_trim(self) -> None:
        if self._trimming or self._closed:
            return
        self._trimming = True
        self._trim_task = self._owner.start(
            self._trim(), name="trim-cache", on_error=self._trim_failed
        )

    async def _trim(self) -> None:
        try:
            await self._in_worker(image_cache.trim, self._dir, self._disk_cap)
            # Counted afresh: pictures stored while it trimmed count too.
            usage = await self._in_worker(image_cache.usage, self._dir)
            self._disk_bytes = usage.bytes
        finally:
            self._trimming = False  # still over the cap: the next picture stored trims again

    def _trim_failed(self, exc: BaseException) -> None:
        log.warning("picture cache not trimmed: %s", type(exc).__name__)

    # --- memory cache ---------------------------------------------------------------------

    def _remember(self, key: tuple[str, int, int], pixmap: QPixmap) -> None:
        old = self._pixmaps.pop(key, None)
        if old is not None:
            self._cost -= _cost(old)
        self._pixmaps[key] = pixmap
        self._cost += _cost(pixmap)
        while self._cost > self._budget and len(self._pixmaps) > 1:
            _, evicted = self._pixmaps.popitem(last=False)
            self._cost -= _cost(evicted)

    def _drop_scaled(self, cache_id: str) -> None:
        for key in [k for k in self._pixmaps if k[0] == cache_id and k[1:] != (0, 0)]:
            self._cost -= _cost(self._pixmaps.pop(key))


def _cache_id(url: str, key: str | None) -> str:
    return f"key:{key}" if key else f"url:{url}"


def _size_key(max_size: QSize | None) -> tuple[int, int]:
    if max_size is None or max_size.isEmpty():
        return (0, 0)
    return (max_size.width(), max_size.height())


def _cost(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * max(pixmap.depth(), 8) // 8


def _take(urls: set[str]) -> list[str]:
    taken = sorted(urls)
    urls.clear()
    return taken
