"""The status bar's sentence: last sync, next poll, rate-limit waits, offline, what failed."""

from __future__ import annotations

from datetime import datetime

from igdesk.domain import utc_now
from igdesk.events import SyncStatus
from igdesk.i18n import Words


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def status_text(status: SyncStatus, words: Words, now: datetime | None = None) -> str:
    """One short line; never an error code or a traceback."""
    now = now or utc_now()
    parts: list[str] = []
    if status.syncing:
        parts.append(words("Syncing…"))
    elif status.offline:
        parts.append(words("Offline — will retry"))
    if status.problem is not None and not status.syncing:
        parts.append(words.text(status.problem))
    if status.rate_limited_until is not None and status.rate_limited_until > now:
        until = _clock(status.rate_limited_until)
        parts.append(words("Instagram asked to wait until {time}", time=until))
    if status.last_sync is not None:
        parts.append(words("Last sync {time}", time=_clock(status.last_sync)))
    if status.next_poll is not None and not status.syncing:
        parts.append(words("next check {time}", time=_clock(status.next_poll)))
    return " · ".join(parts)
