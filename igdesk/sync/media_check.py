"""Checking a public file URL before asking Meta to fetch it: reachable, right type, small enough.

Meta fetches the URL itself and answers only "upload failure" when it cannot; checking first
lets igdesk say what is wrong in a sentence the owner can act on.
"""

from __future__ import annotations

import httpx

from igdesk.domain import SEND_MEDIA_LIMITS
from igdesk.errors import IgdeskError

CHECK_TIMEOUT = 15.0


def _refuse(english: str, indonesian: str) -> IgdeskError:
    return IgdeskError(english, indonesian)


async def check_media_url(url: str, kind: str) -> None:
    """Raise IgdeskError with the reason when Meta would refuse this file."""
    if kind not in SEND_MEDIA_LIMITS:
        raise _refuse(
            "igdesk cannot send this kind of file.", "igdesk tidak bisa mengirim jenis berkas ini."
        )
    if not url.lower().startswith(("https://", "http://")):
        raise _refuse(
            "Paste a link that starts with https:// and opens the file itself.",
            "Tempel tautan yang diawali https:// dan langsung membuka berkasnya.",
        )
    types, limit = SEND_MEDIA_LIMITS[kind]
    try:
        async with (
            httpx.AsyncClient(timeout=CHECK_TIMEOUT, follow_redirects=True) as client,
            client.stream("GET", url) as reply,
        ):
            status = reply.status_code
            mime = reply.headers.get("content-type", "").split(";")[0].strip().lower()
            declared = reply.headers.get("content-length")
    except httpx.HTTPError:
        raise _refuse(
            "That link does not open. Check it in a browser, then try again.",
            "Tautan itu tidak bisa dibuka. Periksa di peramban, lalu coba lagi.",
        ) from None
    if status != 200:
        raise _refuse(
            f"That link answers with an error ({status}); Instagram could not fetch it.",
            f"Tautan itu menjawab dengan galat ({status}); Instagram tidak bisa mengambilnya.",
        )
    if mime not in types:
        allowed = ", ".join(sorted(t.split("/")[1] for t in types))
        raise _refuse(
            f"That link is not a file Instagram accepts here (allowed: {allowed}).",
            f"Tautan itu bukan berkas yang diterima Instagram di sini (boleh: {allowed}).",
        )
    if declared is not None and declared.isdigit() and int(declared) > limit:
        megabytes = limit // 1_000_000
        raise _refuse(
            f"That file is larger than Instagram's {megabytes} MB limit.",
            f"Berkas itu lebih besar dari batas Instagram {megabytes} MB.",
        )
