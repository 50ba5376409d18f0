"""What a Send API message carries, and the attachment fetch Meta does before accepting it.

Body forms (instagram-api.md, "Message bodies"):

- ``message.text``;
- ``message.attachments``: images only, an object or an array of 1..10, each
  ``{"type":"image","payload":{"url"|"attachment_id"}}``;
- ``message.attachment``: one ``image|audio|video|file`` with ``payload.url`` (an image may
  use ``payload.attachment_id``), ``{"type":"like_heart"}``, or
  ``{"type":"MEDIA_SHARE","payload":{"id":<one of the shop's posts>}}``.

Exactly one of the three. Malformed bodies, more than 10 images, an unknown attachment id or
post id: code 100. Every URL is fetched with httpx, as Meta's servers do; an unreachable URL,
a non-200 answer, a Content-Type outside the type's list, bytes that are not what the
Content-Type says (images, PDF) or a file over the limit: code 100, subcode 2018047
"Upload attachment failure." Limits are read in decimal megabytes (the stricter reading):
image png/jpeg/gif ≤ 8 MB; audio aac/m4a/wav/mp4 ≤ 25 MB; video mp4/ogg/avi/mov/webm ≤ 25 MB;
file pdf ≤ 25 MB. Fetched bytes go into the world's media store and are served from /media.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from igdesk.sandbox.errors import GraphError, param_error
from igdesk.sandbox.media import UPLOAD_PREFIX, image_format, uploaded
from igdesk.sandbox.model import Post, World
from igdesk.sandbox.send_rules import check_text, json_field

MB = 1_000_000
MAX_IMAGES = 10
LIMITS: dict[str, tuple[int, frozenset[str]]] = {
    "image": (8 * MB, frozenset({"image/png", "image/jpeg", "image/gif"})),
    "audio": (
        25 * MB,
        frozenset(
            {
                "audio/aac",
                "audio/x-aac",
                "audio/mp4",
                "audio/m4a",
                "audio/x-m4a",
                "audio/wav",
                "audio/x-wav",
                "audio/wave",
                "audio/vnd.wave",
            }
        ),
    ),
    "video": (
        25 * MB,
        frozenset(
            {
                "video/mp4",
                "video/ogg",
                "video/x-msvideo",
                "video/avi",
                "video/msvideo",
                "video/quicktime",
                "video/webm",
            }
        ),
    ),
    "file": (25 * MB, frozenset({"application/pdf"})),
}
MEDIA_KINDS = ("audio", "video")  # the 10/s Send API bucket


class UploadFailure(GraphError):
    """100/2018047; `reason` is for the sandbox's own record, Meta does not say it."""

    def __init__(self, reason: str) -> None:
        super().__init__("(#100) Upload attachment failure.", code=100, subcode=2018047)
        self.reason = reason


@dataclass
class Wanted:
    """One file the message needs: fetched from `url` or taken from a reusable id."""

    kind: str
    url: str | None = None
    attachment_id: str | None = None
    reusable: bool = False


@dataclass
class Plan:
    """A validated message body, before any network."""

    text: str = ""
    files: list[Wanted] = field(default_factory=list)
    sticker: str | None = None
    post: Post | None = None

    @property
    def bucket(self) -> str:
        """Which Send API rate applies: "media" (audio/video, 10/s) or "text" (100/s)."""
        return "media" if any(w.kind in MEDIA_KINDS for w in self.files) else "text"


def peek_bucket(message: Any) -> str:
    """The rate bucket of a raw message, before it is validated (bursts count either way)."""
    if not isinstance(message, dict):
        return "text"
    raw = message.get("attachment") or message.get("attachments")
    items = raw if isinstance(raw, list) else [raw]
    kinds = {item.get("type") for item in items if isinstance(item, dict)}
    return "media" if kinds & set(MEDIA_KINDS) else "text"


def wanted_file(item: Any, where: str, allowed: tuple[str, ...]) -> Wanted:
    kind = item.get("type") if isinstance(item, dict) else None
    if kind not in allowed:
        raise param_error(f"param {where}[type] must be one of {{{', '.join(allowed)}}}")
    payload = json_field(item.get("payload"), f"{where}[payload]") or {}
    url = payload.get("url") if isinstance(payload, dict) else None
    attachment_id = payload.get("attachment_id") if isinstance(payload, dict) else None
    if kind == "image" and (url or attachment_id):
        return Wanted(
            kind, url and str(url), attachment_id and str(attachment_id), _reusable(payload)
        )
    if url and not attachment_id:
        return Wanted(kind, str(url), None, _reusable(payload))
    raise param_error(f"param {where}[payload][url] must be a valid URL")


def _reusable(payload: dict[str, Any]) -> bool:
    return payload.get("is_reusable") in (True, "true", "1")


def plan_message(world: World, message: Any) -> Plan:
    """Validate the shape of ``message``; code 100 for anything Meta would not take."""
    if not isinstance(message, dict):
        raise param_error("param message must be non-empty")
    given = [key for key in ("text", "attachment", "attachments") if message.get(key) is not None]
    if len(given) > 1:
        raise param_error(
            "Only one of message[text], message[attachment] or message[attachments] may be set"
        )
    if not given:
        raise param_error("param message must contain text or an attachment")
    if given[0] == "text":
        return Plan(text=check_text(message["text"]))
    if given[0] == "attachments":
        raw = message["attachments"]
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise param_error("param message[attachments] must be non-empty")
        if len(items) > MAX_IMAGES:
            raise param_error(f"param message[attachments] can hold at most {MAX_IMAGES} images")
        return Plan(files=[wanted_file(i, "message[attachments]", ("image",)) for i in items])
    item = message["attachment"]
    kind = item.get("type") if isinstance(item, dict) else None
    if kind == "like_heart":
        return Plan(sticker="sticker_heart")
    if kind == "MEDIA_SHARE":
        payload = json_field(item.get("payload"), "message[attachment][payload]") or {}
        post_id = payload.get("id") if isinstance(payload, dict) else None
        post = world.post(str(post_id)) if post_id else None
        if post is None:
            raise param_error(
                "param message[attachment][payload][id] must be a media published by this account"
            )
        return Plan(post=post)
    allowed = ("image", "audio", "video", "file", "like_heart", "MEDIA_SHARE")
    if kind not in allowed:
        raise param_error(
            f"param message[attachment][type] must be one of {{{', '.join(allowed)}}}"
        )
    return Plan(files=[wanted_file(item, "message[attachment]", allowed[:4])])


async def fetch(url: str, kind: str, timeout: float) -> tuple[str, bytes]:
    """GET the URL as Meta would: (content type, bytes), or UploadFailure."""
    limit, allowed = LIMITS[kind]
    if urlsplit(url).scheme not in ("http", "https"):
        raise UploadFailure(f"not an http(s) URL: {url}")
    data = bytearray()
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=True, trust_env=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise UploadFailure(f"{url} answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in allowed:
                raise UploadFailure(f"{kind} cannot be {content_type or 'untyped'}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise UploadFailure(f"{kind} of {declared} bytes is over {limit}")
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise UploadFailure(f"{kind} is over {limit} bytes")
    except httpx.HTTPError as error:
        raise UploadFailure(f"cannot fetch {url}: {type(error).__name__}") from None
    if not data:
        raise UploadFailure(f"{url} is empty")
    if kind == "image" and image_format(bytes(data)) != content_type:
        raise UploadFailure(f"the bytes are not {content_type}")
    if kind == "file" and not data.startswith(b"%PDF-"):
        raise UploadFailure("the bytes are not a PDF")
    return content_type, bytes(data)


async def obtain(world: World, wanted: list[Wanted], timeout: float) -> list[str]:
    """Media keys of the world's store for every wanted file (fetched concurrently)."""

    async def one(item: Wanted) -> str:
        if item.url is None:
            known = world.reusable.get(str(item.attachment_id))
            if known is None or known[0] != item.kind:
                raise param_error("param payload[attachment_id] is not a valid attachment id")
            return known[1]
        content_type, data = await fetch(item.url, item.kind, timeout)
        key = UPLOAD_PREFIX + hashlib.sha256(data).hexdigest()[:24]
        name = urlsplit(item.url).path.rsplit("/", 1)[-1]
        world.uploads.setdefault(key, uploaded(content_type, data, name))
        return key

    return list(await asyncio.gather(*(one(item) for item in wanted)))


def reusable_id(world: World, kind: str, key: str) -> str:
    """A stable attachment_id for a stored file (``is_reusable: true``)."""
    attachment_id = str(int(key.removeprefix(UPLOAD_PREFIX)[:13], 16))
    world.reusable[attachment_id] = (kind, key)
    return attachment_id
