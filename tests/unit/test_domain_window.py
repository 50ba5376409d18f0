"""The one messaging-window answer: our 24 h / 7 day rule, overruled by the server's verdict.

Expected answers are written out, not computed by the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from igdesk.domain import WindowState, effective_window

WROTE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the customer's last message


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "human_agent", "state", "closes_at"),
    [
        (at(20, 9, 1), False, WindowState.OPEN, at(21, 9)),
        (at(21, 8, 59), False, WindowState.OPEN, at(21, 9)),
        (at(21, 9, 0), False, WindowState.CLOSED, at(21, 9)),
        (at(21, 9, 1), True, WindowState.HUMAN_AGENT, at(27, 9)),
        (at(27, 8, 59), True, WindowState.HUMAN_AGENT, at(27, 9)),
        (at(27, 9, 1), True, WindowState.CLOSED, at(27, 9)),
    ],
)
def test_our_rule_without_a_verdict(
    now: datetime, human_agent: bool, state: WindowState, closes_at: datetime
) -> None:
    window = effective_window(WROTE, now, human_agent_allowed=human_agent)
    assert (window.state, window.closes_at) == (state, closes_at)


def test_a_server_verdict_after_the_last_message_closes_the_window() -> None:
    window = effective_window(
        WROTE, at(20, 15), human_agent_allowed=True, server_closed_at=at(20, 14)
    )
    assert (window.state, window.closes_at) == (WindowState.CLOSED, at(20, 14))


def test_a_new_message_after_the_verdict_opens_a_new_window() -> None:
    wrote_again = at(20, 16)
    window = effective_window(
        wrote_again, at(20, 17), human_agent_allowed=False, server_closed_at=at(20, 14)
    )
    assert (window.state, window.closes_at) == (WindowState.OPEN, at(21, 16))


def test_a_customer_who_never_wrote_has_no_window() -> None:
    window = effective_window(None, at(20, 9), human_agent_allowed=True)
    assert (window.state, window.closes_at) == (WindowState.CLOSED, None)
    closed = effective_window(None, at(20, 9), human_agent_allowed=True, server_closed_at=at(20, 8))
    assert closed.state is WindowState.CLOSED
