"""Pictures in the window: a failed image is re-read for a fresh link, and a loaded one repaints.

Instagram's attachment links expire; when the owner asks to retry an image, `PictureActions`
(owned by the main window as `window.pictures`) reads its message again through the App
façade for fresh URLs. A failure of that read reaches the window's notice like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QPixmap

if TYPE_CHECKING:
    from igdesk.ui.window_layout import WindowWidgets

AvatarFor = Callable[[str, str], QPixmap | None]


class PictureActions(QObject):
    """Retries of expired images, and repaints when an image arrives (a child of the window,
    so its connections to the image store end with the window)."""

    def __init__(self, window: WindowWidgets, avatar_for: AvatarFor) -> None:
        super().__init__(window)
        self._app = window.app
        self._tasks = window.tasks
        self._images = images = window.images
        self._conversation = window.conversation
        self._contact_panel = window.contact_panel
        self._thread_view = window.thread_view
        self._avatar_for = avatar_for
        images.ready.connect(self.image_ready)
        images.failed.connect(self.image_ready)

    def retry(self, url: str) -> None:
        """An image failed (often an expired CDN link): re-read its message for a fresh URL."""
        current = self._conversation.current
        message = self._conversation.model.message_with_url(url)
        if current is None or message is None:
            self._images.retry(url)
            return

        async def refresh() -> None:
            fresh = await self._app.refresh_message(current.id, message.id)
            if fresh is not None:
                self._conversation.add_messages([fresh])
            for attachment in (fresh or message).attachments:
                if attachment.url:
                    self._images.retry(attachment.url)

        self._tasks.start(refresh(), name="refresh-image")

    def image_ready(self, _url: str) -> None:
        self._thread_view.viewport().update()
        self._conversation.view.viewport().update()
        current = self._conversation.current
        if current is not None:
            self._contact_panel.set_avatar(self._avatar_for(current.avatar_url, current.contact_id))
