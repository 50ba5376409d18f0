"""Revisions delivered before their message (`sync.webhook_early`), on a real archive file:
kept in order, applied once, forgotten after the dedupe window, damaged notes harmless."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from igdesk.domain import Message, Reaction
from igdesk.store import Archive
from igdesk.sync import webhook_early
from igdesk.sync.webhook_early import EARLY_KEY

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MID = "aWdfZAG1lc3NhZA2VfaWQ"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def message(text: str = "ukuran L") -> Message:
    return Message(id=MID, thread_id="t1", sender_id="c1", created_time=T0, text=text)


def test_notes_apply_in_order_once(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3", clock=Clock()) as archive:
        webhook_early.note(archive, MID, webhook_early.reaction("c1", "👍", unreact=False))
        webhook_early.note(archive, MID, webhook_early.edit("ukuran XL"))
        webhook_early.note(archive, MID, webhook_early.reaction("c1", "❤️", unreact=False))
        revised = webhook_early.apply_noted(archive, message())
        assert revised.text == "ukuran XL"
        assert revised.reactions == (Reaction(user_id="c1", emoji="❤️"),)
        assert webhook_early.apply_noted(archive, message()) == message()  # taken once


def test_an_unreact_before_the_message_leaves_no_reaction(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.sqlite3", clock=Clock()) as archive:
        webhook_early.note(archive, MID, webhook_early.reaction("c1", "👍", unreact=False))
        webhook_early.note(archive, MID, webhook_early.reaction("c1", "", unreact=True))
        assert webhook_early.apply_noted(archive, message()).reactions == ()


def test_old_notes_are_forgotten_and_damaged_ones_change_nothing(tmp_path: Path) -> None:
    clock = Clock()
    with Archive.open(tmp_path / "a.sqlite3", clock=clock) as archive:
        webhook_early.note(archive, "old", webhook_early.edit("lama"))
        clock.now = T0 + timedelta(hours=80)
        webhook_early.note(archive, MID, webhook_early.edit("baru"))
        archive.state.set(EARLY_KEY + "damaged", "{not json")
        archive.state.set(EARLY_KEY + "odd", '[{"kind": "teleport"}, 7]')
        dropped = webhook_early.forget_before(archive, T0 + timedelta(hours=72))
        assert dropped == 3  # the old one, the damaged one, the one with no time
        assert set(archive.state.with_prefix(EARLY_KEY)) == {EARLY_KEY + MID}
        assert webhook_early.apply_noted(archive, message()).text == "baru"
