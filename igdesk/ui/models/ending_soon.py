"""The "Ending soon" view: accepted threads whose reply window closes within 3 hours, soonest
first, so the owner answers them before Instagram stops allowing it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from igdesk.domain import HUMAN_AGENT_WINDOW, Folder, WindowState
from igdesk.ui.models.threads import ThreadListModel
from igdesk.views import ThreadView

ENDING_SOON = timedelta(hours=3)
#: No reply window stays open longer than this after the customer's last message: the view
#: reads only threads whose customer wrote within it, not the whole archive.
LOOKBACK = HUMAN_AGENT_WINDOW
_NEVER = float("inf")


class EndingSoonModel(ThreadListModel):
    """Same rows and roles as a folder's thread list; its own filter and order."""

    def _closes_at(self, row: ThreadView) -> datetime | None:
        window = row.window(self._now(), human_agent=self._human_agent)
        return window.closes_at if window.state is not WindowState.CLOSED else None

    def _matches(self, row: ThreadView) -> bool:
        if row.folder is Folder.DENIED:
            return False
        closes = self._closes_at(row)
        return closes is not None and closes - self._now() <= ENDING_SOON

    def sort_key(self, row: ThreadView) -> tuple[float, str]:
        closes = self._closes_at(row)
        return (closes.timestamp() if closes else _NEVER, row.id)

    def reload(self, rows: Iterable[ThreadView]) -> None:
        """All threads (the model keeps those ending soon); a reset: the clock moved on."""
        self.reset_rows(rows)
