"""Unreadable conversations: backoff, the owner's sentence, and what survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from igdesk.graph.errors import BadResponseError, InvalidRequestError, TransientError
from igdesk.i18n import Text, Words
from igdesk.sync.unreadable import Unreadable, UnreadableThreads, unreadable_text

NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_each_failure_doubles_the_wait_up_to_six_hours() -> None:
    threads = UnreadableThreads()
    waits = []
    for _ in range(12):
        threads.failed("t1", "c1", InvalidRequestError("x", code=100), NOON)
        entry = threads.get("t1")
        assert entry is not None
        waits.append(datetime.fromisoformat(entry.retry_at) - NOON)
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6)
    assert threads.waiting("t1", NOON + timedelta(hours=5, minutes=59))
    assert not threads.waiting("t1", NOON + timedelta(hours=6))
    assert [e.thread_id for e in threads.due(NOON + timedelta(hours=6))] == ["t1"]


def test_a_read_clears_the_entry_and_the_state_round_trips() -> None:
    threads = UnreadableThreads()
    threads.failed("t1", "c1", TransientError("x", code=1, http_status=500), NOON)
    threads.failed("t2", "c2", BadResponseError("x"), NOON)
    again = UnreadableThreads.loads(threads.dumps())
    assert [e.thread_id for e in again.entries()] == ["t1", "t2"]
    again.read("t1")
    assert again.changed and "t1" not in again and len(again) == 1
    for garbage in (None, "", "[", "[]", '{"t": {"thread_id": 1}}', '{"t": 5}'):
        assert len(UnreadableThreads.loads(garbage)) == 0


def unreadable_sentence(entries: list[Unreadable], lang: str) -> str:
    text = unreadable_text(entries)
    assert text is None or isinstance(text, Text)
    return "" if text is None else Words(lang).text(text)


def test_the_sentence_counts_and_says_why_in_both_languages() -> None:
    threads = UnreadableThreads()
    for thread_id in ("a", "b", "c"):
        threads.failed(thread_id, "", InvalidRequestError("x", code=100), NOON)
    entries = threads.entries()
    assert unreadable_sentence(entries, "en") == (
        "3 conversations could not be read: Instagram refused the request (code 100). "
        "They will be tried again."
    )
    assert unreadable_sentence(entries, "id") == (
        "3 percakapan tidak bisa dibaca: Instagram menolak permintaannya (kode 100). "
        "Akan dicoba lagi nanti."
    )
    one = UnreadableThreads()
    one.failed("a", "", TransientError("x", http_status=502), NOON)
    assert unreadable_sentence(one.entries(), "en") == (
        "1 conversation could not be read: Instagram had a problem on its side (code 502). "
        "It will be tried again."
    )
    assert unreadable_sentence([], "en") == ""
