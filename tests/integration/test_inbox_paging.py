"""Older messages read a page at a time through the App's inbox, on a real archive file: a
page edge inside one second (an album, a burst) skips nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from igdesk.app import App
from igdesk.config import Profile
from igdesk.domain import Contact, Folder, Message
from igdesk.store import Archive

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def message(mid: str, seconds: int) -> Message:
    return Message(
        id=mid, thread_id="t", sender_id="c", created_time=T0 + timedelta(seconds=seconds)
    )


def test_a_page_edge_inside_one_second_skips_nothing(tmp_path: Path) -> None:
    profile = Profile(tmp_path)
    profile.ensure()
    with Archive.open(profile.archive_path) as archive, archive.transaction():
        archive.contacts.upsert(Contact("c", "ani", "Ani"))
        archive.threads.create("t", "c", Folder.PRIMARY, T0)
        # Oldest first, as a sync stores them: x1 and x2 share a second, so do y0..y2.
        stored = ["x1", "x2", "y0", "y1", "y2"]
        archive.messages.upsert("t", [message(m, 0 if m < "y" else 5) for m in stored])

    async def pages() -> list[list[str]]:
        app = App(profile, token="unused")
        try:
            newest = await app.inbox.messages("t", limit=4)
            older = await app.inbox.messages("t", limit=4, before=newest[0])
            return [[m.id for m in newest], [m.id for m in older]]
        finally:
            await app.aclose()

    assert asyncio.run(pages()) == [["x2", "y0", "y1", "y2"], ["x1"]]
