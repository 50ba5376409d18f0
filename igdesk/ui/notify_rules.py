"""When a desktop notification may pop up: quiet hours, and a rate limit that folds bursts.

Qt-free rules the tray follows (igdesk/ui/tray.py), driven by the clock it is given:

- Quiet hours ("22:00" to "07:00", crossing midnight or not): no notification at all; the
  unread count on the tray icon still grows.
- Rate limit: what arrives in one go (a sync pass announces all its news at once) becomes one
  notification: the message itself when there is one, else one summary ("50 new messages from
  12 customers"). After a notification, the next waits `cooldown`; what arrives meanwhile is
  folded into one summary when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

COOLDOWN = timedelta(seconds=20)


@dataclass(frozen=True)
class Note:
    """One new message worth a notification."""

    thread_id: str
    title: str
    body: str


@dataclass(frozen=True)
class Popup:
    """What to show: one message (`count` 1), or a summary of `count` messages."""

    thread_id: str  # the newest one: a click on the notification opens it
    title: str
    body: str
    count: int
    customers: int


def parse_clock(text: str) -> time | None:
    """ "22:00" → 22:00; "" or a malformed value → None (quiet hours off)."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def in_quiet_hours(now: datetime, start: str, end: str) -> bool:
    """Whether `now` (local time) falls in the quiet hours from `start` to `end`."""
    begin, finish = parse_clock(start), parse_clock(end)
    if begin is None or finish is None or begin == finish:
        return False
    moment = now.time().replace(second=0, microsecond=0)
    if begin < finish:
        return begin <= moment < finish
    return moment >= begin or moment < finish  # across midnight


@dataclass
class RateLimit:
    """Folds notifications per `cooldown`; `offer` then `take` when `deadline` has come."""

    cooldown: timedelta = COOLDOWN
    pending: list[Note] = field(default_factory=list)
    last_shown: datetime | None = None

    def offer(self, note: Note) -> None:
        self.pending.append(note)

    def deadline(self, now: datetime) -> datetime | None:
        """When the pending notes may show (None: nothing pending; `now`: at once)."""
        if not self.pending:
            return None
        if self.last_shown is None:
            return now
        return max(now, self.last_shown + self.cooldown)

    def take(self, now: datetime) -> Popup | None:
        """The popup due at `now` (then the cooldown starts), or None."""
        deadline = self.deadline(now)
        if deadline is None or now < deadline:
            return None
        notes, self.pending = self.pending, []
        self.last_shown = now
        newest = notes[-1]
        customers = len({note.thread_id for note in notes})
        if len(notes) == 1:
            return Popup(newest.thread_id, newest.title, newest.body, 1, 1)
        return Popup(newest.thread_id, "", "", len(notes), customers)
