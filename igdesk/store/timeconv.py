"""Datetime <-> integer epoch milliseconds (UTC), the only time format stored in the archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Exact epoch milliseconds of an aware datetime (sub-millisecond parts are dropped)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the archive stores only timezone-aware datetimes")
    return (moment - EPOCH) // _MS


def from_ms(value: int) -> datetime:
    """Aware UTC datetime of epoch milliseconds."""
    return EPOCH + timedelta(0, 0, 0, value)  # positional: (days, s, µs, ms), the fast path


def opt_from_ms(value: int | None) -> datetime | None:
    return None if value is None else from_ms(value)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, e.g. `2026-11-25T10:00:00+00:00` (milliseconds shown only when present)."""
    moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
