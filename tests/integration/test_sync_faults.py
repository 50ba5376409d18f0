"""Sync against a misbehaving API: every fault ends in a finished pass or a clear error,
never a crash, a duplicate or a damaged archive; the next pass completes the work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from igdesk.domain import utc_now
from igdesk.graph.errors import (
    BadResponseError,
    GraphError,
    RateLimitError,
    TokenError,
    TransientError,
)
from igdesk.store import Archive
from tests.integration.conftest import Sandbox, fast_retries, run_sync


def listed_threads(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [t for t in sandbox.world()["threads"] if t["listed"]]


def assert_archive_matches_world(sandbox: Sandbox, archive: Archive) -> None:
    """Every listed thread with each readable message exactly once; the file is sound."""
    assert archive.integrity_check() == []
    exported = {record["id"]: record for record in archive.export.records()}
    for thread in listed_threads(sandbox):
        readable = [m["id"] for m in reversed(thread["messages"]) if m["readable"]]
        archived = [m["id"] for m in exported[thread["id"]]["messages"]]
        # The archive keeps what scrolled out of the API's readable twenty, never less.
        assert archived[len(archived) - len(readable) :] == readable
    assert set(exported) == {t["id"] for t in listed_threads(sandbox)}


def assert_whole_threads_only(archive: Archive) -> None:
    """A thread the archive has is complete: never half a thread after a failure."""
    for row in archive.threads.newest_first():
        assert archive.messages.ids_of(row.id), "a thread without its messages"


def everyone_writes_after_a_first_sync(sandbox: Sandbox, archive: Archive) -> list[str]:
    """A complete first sync (one nested list call), then every listed customer writes, so the
    next pass reads each conversation on its own. Returns the thread ids, newest first."""
    run_sync(sandbox, archive)
    for thread in reversed(listed_threads(sandbox)):
        sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Kak, jadi pesan ya")
    return [t["id"] for t in listed_threads(sandbox)]


def test_expired_token_mid_sync_stops_and_loses_nothing(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    threads = everyone_writes_after_a_first_sync(tiny_sandbox, archive)
    tiny_sandbox.fault("expired_token", path=threads[2])
    with pytest.raises(TokenError) as failure:
        run_sync(tiny_sandbox, archive)
    assert "Sign in again" in failure.value.sentence("en")
    assert failure.value.sentence("id") != failure.value.sentence("en")
    world = {t["id"]: t for t in listed_threads(tiny_sandbox)}
    newest = {tid: world[tid]["messages"][0]["id"] for tid in threads}
    assert [newest[tid] in archive.messages.ids_of(tid) for tid in threads] == [
        True,
        True,
        False,
        False,
    ]
    assert_whole_threads_only(archive)
    summary, _ = run_sync(tiny_sandbox, archive)
    assert summary.new_messages == 2 and summary.complete
    assert_archive_matches_world(tiny_sandbox, archive)


def test_rate_limit_storm_is_waited_out(tiny_sandbox: Sandbox, archive: Archive) -> None:
    everyone_writes_after_a_first_sync(tiny_sandbox, archive)
    tiny_sandbox.clear_requests()
    tiny_sandbox.fault("rate_limit", code=613, minutes=0, count=3)
    tiny_sandbox.fault("rate_limit", code=80002, minutes=0, count=2, path="aWdf")
    summary, requests = run_sync(tiny_sandbox, archive, **fast_retries())
    assert summary.new_messages == len(listed_threads(tiny_sandbox)) and summary.complete
    assert requests == summary.requests
    refused = [r for r in tiny_sandbox.requests() if r.get("status") == 400]
    assert len(refused) == 5  # every injected refusal was met, and the sync still completed
    assert_archive_matches_world(tiny_sandbox, archive)


def test_long_rate_limit_pause_ends_the_pass_with_a_sentence(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    tiny_sandbox.fault("rate_limit", code=4, minutes=30, count=-1, path="conversations")
    with pytest.raises(RateLimitError) as failure:
        run_sync(tiny_sandbox, archive, **fast_retries())
    assert "slow down" in failure.value.sentence("en")
    tiny_sandbox.clear_faults()
    run_sync(tiny_sandbox, archive)
    assert_archive_matches_world(tiny_sandbox, archive)


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("server_error", {"code": 1, "count": 2}),
        ("server_error", {"status": 502}),
        ("drop", {}),
        ("slow", {"seconds": 1}),
        ("empty_page_with_next", {}),
        ("duplicate_conversations", {}),
        ("null_fields", {}),
    ],
)
def test_recoverable_faults_end_in_a_complete_archive(
    tiny_sandbox: Sandbox, archive: Archive, kind: str, spec: dict[str, Any]
) -> None:
    tiny_sandbox.fault(kind, **spec)
    summary, _ = run_sync(tiny_sandbox, archive, **fast_retries())
    assert summary.threads_created == len(listed_threads(tiny_sandbox))
    assert_archive_matches_world(tiny_sandbox, archive)


@pytest.mark.parametrize("kind", ["malformed_json", "huge_body"])
def test_an_unusable_thread_answer_skips_only_that_thread(
    tiny_sandbox: Sandbox, archive: Archive, kind: str
) -> None:
    threads = everyone_writes_after_a_first_sync(tiny_sandbox, archive)
    tiny_sandbox.fault(kind, path=threads[1])
    now = utc_now()
    summary, _ = run_sync(tiny_sandbox, archive, clock=lambda: now, **fast_retries())
    assert summary.threads_failed == 1 and not summary.complete
    assert summary.new_messages == len(threads) - 1
    assert "could not be read" in str(summary.problem())
    later = now + timedelta(minutes=1)
    summary, _ = run_sync(tiny_sandbox, archive, clock=lambda: later)  # its turn came again
    assert summary.new_messages == 1 and summary.complete
    assert_archive_matches_world(tiny_sandbox, archive)


def test_next_link_to_another_host_is_refused(tiny_sandbox: Sandbox, archive: Archive) -> None:
    tiny_sandbox.fault("foreign_next")
    with pytest.raises(BadResponseError):
        run_sync(tiny_sandbox, archive, **fast_retries())
    assert not any("evil" in str(r) for r in tiny_sandbox.requests()[1:])
    assert_whole_threads_only(archive)
    run_sync(tiny_sandbox, archive)
    assert_archive_matches_world(tiny_sandbox, archive)


def test_answer_that_never_ends_times_out(tiny_sandbox: Sandbox, archive: Archive) -> None:
    tiny_sandbox.fault("never_ending", seconds=30, count=-1, path="conversations")
    with pytest.raises(TransientError) as failure:
        run_sync(tiny_sandbox, archive, timeout=1.0, max_retries=1, **fast_retries())
    assert "try again" in failure.value.sentence("en")
    assert archive.threads.newest_first() == []


def test_one_broken_thread_in_the_list_does_not_block_the_rest(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    broken = listed_threads(tiny_sandbox)[1]
    tiny_sandbox.fault("bad_thread", thread_id=broken["id"], count=-1)
    try:
        run_sync(tiny_sandbox, archive, **fast_retries())
    except GraphError as error:
        assert error.sentence("en")
    assert_whole_threads_only(archive)
    assert archive.threads.get(listed_threads(tiny_sandbox)[0]["id"]) is not None


def test_facebook_page_account_syncs_the_same_world(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    """Flavour B (Page token on graph.facebook.com paths) fills the same archive."""
    from igdesk.graph.flavour import FACEBOOK_PAGE

    page_sandbox = Sandbox(tiny_sandbox.threaded)
    page_sandbox.token = tiny_sandbox.threaded.page_token
    try:
        summary, _ = run_sync(page_sandbox, archive, flavour=FACEBOOK_PAGE)
    finally:
        page_sandbox.control.close()
    assert summary.threads_created == len(listed_threads(tiny_sandbox))
    assert_archive_matches_world(tiny_sandbox, archive)
    account = archive.account.get()
    assert account is not None and account.id == tiny_sandbox.world()["account"]["ig_id"]
