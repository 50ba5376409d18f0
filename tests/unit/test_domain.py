"""Folder rules and the messaging window (design.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from igdesk.domain import (
    Folder,
    WindowState,
    accept_request,
    folder_after_customer_message,
    folder_after_shop_message,
    folder_for_new_thread,
    format_graph_time,
    messaging_window,
    parse_graph_time,
    text_bytes,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("follows", "shop_wrote", "expected"),
    [
        (True, False, Folder.PRIMARY),
        (True, True, Folder.PRIMARY),
        (False, False, Folder.REQUESTS),
        (None, False, Folder.REQUESTS),
        (False, True, Folder.GENERAL),
        (None, True, Folder.GENERAL),
    ],
)
def test_new_thread_folder(follows: bool | None, shop_wrote: bool, expected: Folder) -> None:
    assert folder_for_new_thread(follows_business=follows, shop_has_written=shop_wrote) is expected


def test_denied_person_writing_again_reappears_in_requests() -> None:
    assert folder_after_customer_message(Folder.DENIED) is Folder.REQUESTS
    for folder in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS):
        assert folder_after_customer_message(folder) is folder


def test_reply_from_igdesk_moves_request_to_general_even_for_a_follower() -> None:
    moved = folder_after_shop_message(Folder.REQUESTS, follows_business=True, from_igdesk=True)
    assert moved is Folder.GENERAL


def test_reply_from_instagram_app_accepts_request_by_the_rules() -> None:
    follower = folder_after_shop_message(Folder.REQUESTS, follows_business=True, from_igdesk=False)
    stranger = folder_after_shop_message(Folder.REQUESTS, follows_business=False, from_igdesk=False)
    assert (follower, stranger) == (Folder.PRIMARY, Folder.GENERAL)


def test_shop_message_never_moves_accepted_or_denied_threads() -> None:
    for folder in (Folder.PRIMARY, Folder.GENERAL, Folder.DENIED):
        assert folder_after_shop_message(folder, follows_business=False, from_igdesk=True) is folder


def test_accept_goes_to_primary_or_general_only() -> None:
    assert accept_request() is Folder.PRIMARY
    assert accept_request(Folder.GENERAL) is Folder.GENERAL
    with pytest.raises(ValueError):
        accept_request(Folder.REQUESTS)


@pytest.mark.parametrize(
    ("age", "human_agent", "state"),
    [
        (timedelta(hours=23, minutes=59), False, WindowState.OPEN),
        (timedelta(hours=24, minutes=1), False, WindowState.CLOSED),
        (timedelta(hours=24, minutes=1), True, WindowState.HUMAN_AGENT),
        (timedelta(days=6, hours=23), True, WindowState.HUMAN_AGENT),
        (timedelta(days=7, minutes=1), True, WindowState.CLOSED),
    ],
)
def test_messaging_window(age: timedelta, human_agent: bool, state: WindowState) -> None:
    window = messaging_window(NOW - age, NOW, human_agent_allowed=human_agent)
    assert window.state is state


def test_window_time_left_and_close_date() -> None:
    open_window = messaging_window(NOW - timedelta(hours=20), NOW, human_agent_allowed=False)
    assert open_window.time_left(NOW) == timedelta(hours=4)
    closed = messaging_window(NOW - timedelta(days=2), NOW, human_agent_allowed=False)
    assert closed.closes_at == NOW - timedelta(days=1)
    assert closed.time_left(NOW) == timedelta(0)
    never = messaging_window(None, NOW, human_agent_allowed=True)
    assert never.state is WindowState.CLOSED and never.closes_at is None


@pytest.mark.parametrize(
    "text",
    ["2022-07-12T19:11:07+0000", "2022-07-12T19:11:07Z", "2022-07-12T21:11:07+02:00"],
)
def test_graph_times_parse_to_utc(text: str) -> None:
    assert parse_graph_time(text) == datetime(2022, 7, 12, 19, 11, 7, tzinfo=UTC)


def test_graph_time_round_trip() -> None:
    assert format_graph_time(parse_graph_time("2022-07-12T19:11:07+0000")) == (
        "2022-07-12T19:11:07+0000"
    )


def test_text_bytes_counts_utf8() -> None:
    assert text_bytes("abc") == 3
    assert text_bytes("😀") == 4
    assert text_bytes("é") == 2
