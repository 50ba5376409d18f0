"""The sandbox's controllable clock: real time plus an offset tests can move forward."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from igdesk.domain import parse_graph_time, utc_now

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_UNIT_SECONDS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


class SandboxClock:
    """The world's "now". Never goes backwards unless a test sets it explicitly."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return utc_now() + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, seconds: float) -> datetime:
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def set(self, moment: datetime | str) -> datetime:
        target = parse_graph_time(moment) if isinstance(moment, str) else moment
        self._offset = target - utc_now()
        return self.now()


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration such as ``3h15m``, ``2d``, ``45s`` or ``1w2d``.

    Raises ValueError on anything else, so a scenario typo is reported, not ignored.
    """
    compact = text.replace(" ", "").lower()
    if not compact:
        raise ValueError("empty duration")
    position = 0
    total = 0.0
    for match in _DURATION_PART.finditer(compact):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    if position != len(compact):
        raise ValueError(f"bad duration {text!r}: use forms like 3h15m, 2d, 45s")
    return timedelta(seconds=total)
