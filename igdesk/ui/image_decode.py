"""Image work that runs off the UI thread: decoding bytes to a QImage and the disk cache files.

Everything here is called from a worker thread: it may use QImage (thread-safe), never QPixmap.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from igdesk.ui import image_cache

#: Decoded images are shrunk to this many pixels on their long side: thumbnails and pictures,
#: not a photo viewer (that opens the original externally), and it caps memory per image.
MAX_DECODED_SIDE = 2048


def cache_file_name(cache_id: str) -> str:
    """The disk cache file name of an image: never the URL itself (it identifies a customer)."""
    return hashlib.sha256(cache_id.encode("utf-8")).hexdigest() + ".img"


def decode(data: bytes, max_side: int = MAX_DECODED_SIDE) -> QImage | None:
    """The image in `data`, shrunk to `max_side`, or None when it is not an image Qt can read."""
    if not data:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)  # honour EXIF rotation of phone photos
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > max_side:
            reader.setScaledSize(
                size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio)
            )
        image = reader.read()
    finally:
        buffer.close()
    return None if image.isNull() else image


def decode_and_store(data: bytes, path: Path, max_side: int = MAX_DECODED_SIDE) -> QImage | None:
    """Decode downloaded bytes; keep them on disk only when they really are an image."""
    image = decode(data, max_side)
    if image is not None:
        with contextlib.suppress(OSError):  # a full or read-only disk only costs a re-download
            write_atomically(path, data)
    return image


def load_cached(path: Path, max_side: int = MAX_DECODED_SIDE) -> QImage | None:
    """The cached image at `path`, or None (missing, unreadable, or damaged: then removed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    image = decode(data, max_side)
    if image is None:
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        image_cache.touch(path)  # used: the last to go when the cache is trimmed
    return image


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".img")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
