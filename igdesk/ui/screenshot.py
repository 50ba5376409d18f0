"""`--screenshot PATH`: the window after the first sync, with a thread open, saved as a PNG."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from igdesk.domain import Folder
from igdesk.ui.main_window import MainWindow

#: How long to wait for the open thread's images before taking the picture anyway.
IMAGE_WAIT_SECONDS = 8.0


async def save_screenshot(window: MainWindow, path: Path) -> None:
    """Open the most telling thread (newest with a picture), wait for images, save the PNG."""
    thread_id = await _thread_with_images(window)
    if thread_id is not None:
        await window.open_thread(thread_id)
    deadline = time.monotonic() + IMAGE_WAIT_SECONDS
    while time.monotonic() < deadline and _images_loading(window):
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.2)  # let the last repaint land
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")


async def _thread_with_images(window: MainWindow) -> str | None:
    inbox = window.app.inbox
    for folder in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS):
        for row in await inbox.threads(folder):
            messages = await inbox.messages(row.id, limit=40)
            if any(a.type == "image" and a.url for m in messages for a in m.attachments):
                return row.id
    rows = await inbox.threads(Folder.PRIMARY)
    return rows[0].id if rows else None


def _images_loading(window: MainWindow) -> bool:
    model = window.conversation.model
    urls = [
        a.url
        for m in model.messages()
        for a in m.attachments
        if a.type in ("image", "sticker", "story_reply", "story_mention") and a.url
    ]
    return any(window.images.state(url) == "loading" for url in urls)
