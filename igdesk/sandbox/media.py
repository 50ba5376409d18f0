"""Real media bytes for the sandbox (PNG, JPEG, MP4, WAV, M4A, PDF) behind signed, expiring URLs.

Images are drawn at run time (zlib + struct), WAV and PDF are built in memory, the JPEG, MP4
and M4A are small committed files under resources/sandbox/media. URLs look like a CDN's:
``/media/<ref>?exp=<unix>&sig=<hmac>``; past ``exp`` (sandbox clock) they answer 403.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import math
import struct
import wave
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from igdesk import resources
from igdesk.sandbox.clock import SandboxClock

RESOURCES = resources.path("sandbox")
PREVIEW_SUFFIX = ".preview"

RGB = tuple[int, int, int]
_STRIPE = 12  # pixels of one colour across a stripe
_WAV_FREQUENCY = 392.0
_WAV_RATE = 8000


def png_bytes(width: int, height: int, first: RGB, second: RGB) -> bytes:
    """A diagonal two-colour stripe pattern (batik-ish) as a valid RGB PNG."""
    period = 2 * _STRIPE
    base = b"".join(bytes(first if (i // _STRIPE) % 2 == 0 else second) for i in range(period))
    tiled = base * (width // period + 2)
    raw = bytearray()
    for y in range(height):
        start = (y % period) * 3
        raw.append(0)
        raw += tiled[start : start + width * 3]

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 6))
        + chunk(b"IEND", b"")
    )


def wav_bytes(seconds: float = 1.2) -> bytes:
    """A short mono 16-bit sine tone (G4, 8 kHz), like a voice note."""
    frames = bytearray()
    for n in range(int(seconds * _WAV_RATE)):
        sample = int(9000 * math.sin(2 * math.pi * _WAV_FREQUENCY * n / _WAV_RATE))
        frames += struct.pack("<h", sample)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_WAV_RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def pdf_bytes(title: str = "Invoice INV-2024-0117 Toko Batik Sari") -> bytes:
    """A one-page PDF with a line of text and a correct xref table."""
    stream = f"BT /F1 18 Tf 60 760 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _file(name: str) -> Callable[[], bytes]:
    return lambda: (RESOURCES / "media" / name).read_bytes()


def _png(width: int, height: int, first: RGB, second: RGB) -> Callable[[], bytes]:
    return lambda: png_bytes(width, height, first, second)


@dataclass(frozen=True)
class MediaSpec:
    """One item of the media library."""

    content_type: str
    load: Callable[[], bytes]
    width: int | None = None
    height: int | None = None
    preview: str | None = None  # library key of the thumbnail
    file_name: str = ""


_AVATAR_COLOURS: list[tuple[RGB, RGB]] = [
    ((231, 76, 60), (250, 219, 216)),
    ((41, 128, 185), (214, 234, 248)),
    ((39, 174, 96), (213, 245, 227)),
    ((142, 68, 173), (232, 218, 239)),
    ((243, 156, 18), (253, 235, 208)),
    ((22, 160, 133), (208, 236, 231)),
    ((52, 73, 94), (214, 219, 223)),
    ((192, 57, 43), (245, 203, 167)),
]

LIBRARY: dict[str, MediaSpec] = {
    "batik_red": MediaSpec(
        "image/png", _png(640, 480, (150, 40, 30), (230, 180, 60)), 640, 480, "batik_red_thumb"
    ),
    "batik_red_thumb": MediaSpec(
        "image/png", _png(160, 120, (150, 40, 30), (230, 180, 60)), 160, 120
    ),
    "batik_blue": MediaSpec(
        "image/png", _png(480, 480, (20, 50, 120), (235, 235, 245)), 480, 480, "batik_blue_thumb"
    ),
    "batik_blue_thumb": MediaSpec(
        "image/png", _png(120, 120, (20, 50, 120), (235, 235, 245)), 120, 120
    ),
    "batik_green": MediaSpec(
        "image/png", _png(320, 400, (30, 90, 50), (200, 170, 110)), 320, 400, "batik_green_thumb"
    ),
    "batik_green_thumb": MediaSpec(
        "image/png", _png(96, 120, (30, 90, 50), (200, 170, 110)), 96, 120
    ),
    "photo": MediaSpec("image/jpeg", _file("photo.jpg"), 480, 360, "photo", "photo.jpg"),
    "story_1": MediaSpec(
        "image/png", _png(360, 640, (90, 30, 110), (250, 200, 90)), 360, 640, "story_thumb"
    ),
    "story_thumb": MediaSpec("image/png", _png(90, 160, (90, 30, 110), (250, 200, 90)), 90, 160),
    "clip": MediaSpec("video/mp4", _file("clip.mp4"), 320, 240, "clip_preview", "clip.mp4"),
    "clip_preview": MediaSpec("image/jpeg", _file("clip_preview.jpg"), 160, 120),
    "voice_wav": MediaSpec("audio/wav", wav_bytes, file_name="audioclip-1700000000.wav"),
    "voice_m4a": MediaSpec("audio/mp4", _file("voice.m4a"), file_name="audioclip.m4a"),
    "invoice_pdf": MediaSpec("application/pdf", pdf_bytes, file_name="INV-2024-0117.pdf"),
    "sticker_heart": MediaSpec(
        "image/png", _png(128, 128, (237, 73, 86), (255, 255, 255)), 128, 128
    ),
    "avatar_shop": MediaSpec("image/png", _png(150, 150, (120, 60, 20), (240, 220, 180)), 150, 150),
}
for _number, (_first, _second) in enumerate(_AVATAR_COLOURS, start=1):
    LIBRARY[f"avatar_{_number}"] = MediaSpec("image/png", _png(150, 150, _first, _second), 150, 150)


@functools.cache
def media_bytes(key: str) -> bytes:
    """The bytes of a library item, built once."""
    return LIBRARY[key].load()


# -- the per-world store of files the shop sent (fetched by the Send API) ----------------------

UPLOAD_PREFIX = "upload."


def uploaded(content_type: str, data: bytes, file_name: str = "") -> MediaSpec:
    """A store item holding fetched bytes; images get their real size, videos a poster."""
    width, height = image_size(data) or (None, None)
    preview = "clip_preview" if content_type.startswith("video/") else None
    return MediaSpec(content_type, lambda: data, width, height, preview, file_name)


def spec_of(uploads: Mapping[str, MediaSpec], key: str) -> MediaSpec:
    """A media key of the world: a library item or an uploaded file."""
    return uploads.get(key) or LIBRARY[key]


def bytes_of(uploads: Mapping[str, MediaSpec], key: str) -> bytes:
    spec = uploads.get(key)
    return spec.load() if spec is not None else media_bytes(key)


def image_format(data: bytes) -> str | None:
    """The image MIME type the bytes really are (png, jpeg, gif), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF or JPEG header; None when it cannot be read."""
    kind = image_format(data)
    if kind == "image/png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if kind == "image/gif" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if kind != "image/jpeg":
        return None
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + int(length)
    return None


class MediaSigner:
    """Signs and checks media URLs the way a CDN does: HMAC over the path and an expiry."""

    def __init__(self, secret: bytes, clock: SandboxClock, ttl_seconds: float = 3600.0) -> None:
        self._secret = secret
        self._clock = clock
        self.ttl_seconds = ttl_seconds

    def _signature(self, ref: str, expires: int) -> str:
        message = f"{ref}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def url(self, base_url: str, ref: str) -> str:
        expires = int(self._clock.timestamp() + self.ttl_seconds)
        return f"{base_url}/media/{ref}?exp={expires}&sig={self._signature(ref, expires)}"

    def check(self, ref: str, expires: str, signature: str) -> str | None:
        """None when the URL is good, else the reason it is refused."""
        try:
            moment = int(expires)
        except ValueError:
            return "URL signature mismatch"
        if not hmac.compare_digest(self._signature(ref, moment), signature):
            return "URL signature mismatch"
        if moment < self._clock.timestamp():
            return "URL signature expired"
        return None
