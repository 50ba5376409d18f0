"""Notification rules: quiet hours and the rate limit that folds a burst into one summary."""

from __future__ import annotations

from datetime import datetime, timedelta

from igdesk.ui.notify_rules import Note, RateLimit, in_quiet_hours, parse_clock

T0 = datetime(2026, 11, 29, 12, 0)


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    at = lambda h, m=0: T0.replace(hour=h, minute=m)  # noqa: E731
    assert in_quiet_hours(at(23), "22:00", "07:00")
    assert in_quiet_hours(at(2), "22:00", "07:00")
    assert in_quiet_hours(at(22), "22:00", "07:00")
    assert not in_quiet_hours(at(7), "22:00", "07:00")
    assert not in_quiet_hours(at(12), "22:00", "07:00")
    assert in_quiet_hours(at(13, 30), "13:00", "14:00")
    assert not in_quiet_hours(at(14), "13:00", "14:00")


def test_quiet_hours_off_when_unset_equal_or_malformed() -> None:
    assert not in_quiet_hours(T0, "", "07:00")
    assert not in_quiet_hours(T0, "12:00", "12:00")
    assert not in_quiet_hours(T0, "noon", "13:00")
    assert parse_clock("25:00") is None
    assert parse_clock("07:30") is not None


def test_a_burst_of_fifty_gives_one_summary() -> None:
    rate = RateLimit(cooldown=timedelta(seconds=20))
    for i in range(50):
        rate.offer(Note(f"t{i % 12}", f"Customer {i % 12}", f"message {i}"))
    popup = rate.take(T0)
    assert popup is not None
    assert (popup.count, popup.customers, popup.thread_id) == (50, 12, "t1")
    assert rate.take(T0) is None
    assert rate.deadline(T0) is None


def test_a_single_message_shows_itself_then_the_cooldown_folds_the_next() -> None:
    rate = RateLimit(cooldown=timedelta(seconds=20))
    rate.offer(Note("t1", "Ana", "hi"))
    assert rate.deadline(T0) == T0
    single = rate.take(T0)
    assert single is not None and (single.count, single.title, single.body) == (1, "Ana", "hi")
    later = T0 + timedelta(seconds=5)
    rate.offer(Note("t2", "Budi", "halo"))
    rate.offer(Note("t3", "Cici", "kak"))
    assert rate.take(later) is None  # still cooling down
    assert rate.deadline(later) == T0 + timedelta(seconds=20)
    summary = rate.take(T0 + timedelta(seconds=20))
    assert summary is not None and (summary.count, summary.customers) == (2, 2)
