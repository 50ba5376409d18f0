"""The status bar's sentence: last sync, next poll, rate-limit waits, offline, what failed."""

from __future__ import annotations

from datetime import datetime

from igdesk.domain import utc_now
from igdesk.events import SyncStatus
from igdesk.ui.words import Words


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def status_text(status: SyncStatus, words: Words, now: datetime | None = None) -> str:
    """One short line; never an error code or a traceback."""
    now = now or utc_now()
    parts: list[str] = []
    if status.syncing:
        parts.append(words("Syncing…", "Menyinkronkan…"))
    elif status.offline:
        parts.append(words("Offline — will retry", "Luring — akan dicoba lagi"))
    if status.problem is not None and not status.syncing:
        parts.append(words(*status.problem))
    if status.rate_limited_until is not None and status.rate_limited_until > now:
        parts.append(
            words(
                f"Instagram asked to wait until {_clock(status.rate_limited_until)}",
                f"Instagram meminta menunggu sampai {_clock(status.rate_limited_until)}",
            )
        )
    if status.last_sync is not None:
        parts.append(
            words(
                f"Last sync {_clock(status.last_sync)}",
                f"Sinkron terakhir {_clock(status.last_sync)}",
            )
        )
    if status.next_poll is not None and not status.syncing:
        parts.append(
            words(
                f"next check {_clock(status.next_poll)}",
                f"cek berikutnya {_clock(status.next_poll)}",
            )
        )
    return " · ".join(parts)
