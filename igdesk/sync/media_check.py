"""Checking a public file URL before asking Meta to fetch it: reachable, right type, small enough.

Meta fetches the URL itself and answers only "upload failure" when it cannot; checking first
lets igdesk say what is wrong in a sentence the owner can act on.
"""

from __future__ import annotations

import httpx

from igdesk.domain import SEND_MEDIA_LIMITS
from igdesk.errors import IgdeskError
from igdesk.i18n import Text

CHECK_TIMEOUT = 15.0


async def check_media_url(url: str, kind: str) -> None:
    """Raise IgdeskError with the reason when Meta would refuse this file."""
    if kind not in SEND_MEDIA_LIMITS:
        raise IgdeskError(Text("igdesk cannot send this kind of file."))
    if not url.lower().startswith(("https://", "http://")):
        raise IgdeskError(Text("Paste a link that starts with https:// and opens the file itself."))
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
        raise IgdeskError(
            Text("That link does not open. Check it in a browser, then try again.")
        ) from None
    if status != 200:
        raise IgdeskError(
            Text(
                "That link answers with an error ({status}); Instagram could not fetch it.",
                status=status,
            )
        )
    if mime not in types:
        allowed = ", ".join(sorted(t.split("/")[1] for t in types))
        raise IgdeskError(
            Text(
                "That link is not a file Instagram accepts here (allowed: {allowed}).",
                allowed=allowed,
            )
        )
    if declared is not None and declared.isdigit() and int(declared) > limit:
        megabytes = limit // 1_000_000
        raise IgdeskError(Text("That file is larger than Instagram's {mb} MB limit.", mb=megabytes))
