"""Sync against a sandbox as strict as Meta: real fields only, honest passes, the fewest requests.

Everything here runs over loopback against the sandbox with a real SQLite archive. Request
counts are the client's own (retries included) and are checked against the floor: list pages
at the page size used, plus one profile per distinct customer, plus `/me`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest

from igdesk.domain import utc_now
from igdesk.graph.client import NESTED_PAGE_SIZE
from igdesk.graph.errors import TransientError
from igdesk.graph.fields import STATE_KEY as FIELDS_KEY
from igdesk.graph.ratelimit import RateBudget
from igdesk.store import Archive
from igdesk.sync.engine import SyncIncompleteError
from tests.integration.conftest import Sandbox, fast_retries, run_sync, start_sandbox

pytestmark = pytest.mark.slow


def listed_threads(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [t for t in sandbox.world()["threads"] if t["listed"]]


def request_floor(sandbox: Sandbox) -> int:
    listed = listed_threads(sandbox)
    customers = {t["customer"]["id"] for t in listed}
    return math.ceil(len(listed) / NESTED_PAGE_SIZE) + len(customers) + 1


def asked_fields(sandbox: Sandbox) -> list[str]:
    """The `fields` value of every Graph request the sandbox received, in order."""
    out = []
    for entry in sandbox.requests():
        query = entry.get("query") or {}
        out.append(str(query.get("fields", "")))
    return out


def assert_archive_matches_world(sandbox: Sandbox, archive: Archive) -> None:
    exported = {record["id"]: record for record in archive.export.records()}
    listed = listed_threads(sandbox)
    assert set(exported) == {t["id"] for t in listed}
    for thread in listed:
        readable = [m["id"] for m in reversed(thread["messages"]) if m["readable"]]
        archived = [m["id"] for m in exported[thread["id"]]["messages"]]
        # The archive keeps what scrolled out of the API's readable twenty, never less.
        assert archived[len(archived) - len(readable) :] == readable


def test_first_idle_and_changed_passes_cost_the_floor(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    budget = RateBudget(high_usage_delay=0.0)
    floor = request_floor(tiny_sandbox)
    summary, requests = run_sync(tiny_sandbox, archive, budget=budget)
    assert summary.complete and summary.threads_created == len(listed_threads(tiny_sandbox))
    assert requests <= math.floor(1.05 * floor), (requests, floor)
    assert_archive_matches_world(tiny_sandbox, archive)
    long_thread = next(t for t in listed_threads(tiny_sandbox) if len(t["messages"]) > 20)
    row = archive.threads.get(long_thread["id"])
    assert row is not None and row.history_gap  # told by the nested edge's `next`, for free

    idle, requests = run_sync(tiny_sandbox, archive, budget=budget)
    assert requests == 1 and idle.complete and idle.new_messages == 0

    writers = [t for t in listed_threads(tiny_sandbox) if t["customer"]["available"]][:3]
    for thread in writers:
        tiny_sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Sudah transfer")
    changed, requests = run_sync(tiny_sandbox, archive, budget=budget)
    assert changed.new_messages == 3 and changed.complete
    assert requests <= 1 + 3


def test_a_world_without_reply_to_and_reactions_syncs_and_is_not_asked_again(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    tiny_sandbox.set_missing_fields({"Message": ["reply_to", "reactions"]})
    floor = request_floor(tiny_sandbox)
    summary, requests = run_sync(tiny_sandbox, archive)
    assert summary.complete
    assert requests == floor + 2  # one refused list call per missing field, then on
    assert_archive_matches_world(tiny_sandbox, archive)
    assert archive.state.get(FIELDS_KEY) == '{"message": ["reactions", "reply_to"]}'

    # A restart (new client, same archive): the narrower list is used from the first call.
    writer = listed_threads(tiny_sandbox)[0]
    tiny_sandbox.customer_writes(customer_id=writer["customer"]["id"], text="Halo lagi")
    tiny_sandbox.clear_requests()
    summary, requests = run_sync(tiny_sandbox, archive)
    assert summary.new_messages == 1 and requests == 2
    for fields in asked_fields(tiny_sandbox):
        assert "reply_to" not in fields and "reactions" not in fields


@pytest.mark.parametrize(
    ("node", "field"),
    [
        ("Conversation", "participants"),
        ("MessageAttachment", "generic_template"),
        ("User", "is_verified_user"),
    ],
)
def test_a_refused_field_on_the_list_the_attachments_or_the_profile_is_dropped(
    tiny_sandbox: Sandbox, archive: Archive, node: str, field: str
) -> None:
    tiny_sandbox.set_missing_fields({node: [field]})
    summary, requests = run_sync(tiny_sandbox, archive)
    assert summary.complete
    assert requests == request_floor(tiny_sandbox) + 1
    assert_archive_matches_world(tiny_sandbox, archive)
    for thread in listed_threads(tiny_sandbox):
        contact = archive.contacts.get(thread["customer"]["id"])
        assert contact is not None and contact.username == thread["customer"]["username"]


def test_every_list_call_failing_with_code_1_is_a_failure_not_a_success(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    tiny_sandbox.fault("server_error", code=1, count=-1, path="conversations")
    with pytest.raises(TransientError) as failure:
        run_sync(tiny_sandbox, archive, **fast_retries())
    assert failure.value.sentence("en")
    assert archive.threads.newest_first() == []
    tiny_sandbox.clear_faults()
    summary, _ = run_sync(tiny_sandbox, archive)
    assert summary.complete
    assert_archive_matches_world(tiny_sandbox, archive)


def test_thread_reads_failing_with_500_make_a_partial_pass_then_back_off(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    budget = RateBudget(high_usage_delay=0.0)
    run_sync(tiny_sandbox, archive, budget=budget)
    writers = listed_threads(tiny_sandbox)[:3]
    for thread in writers:
        tiny_sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Kak?")
    for thread in writers[:2]:
        tiny_sandbox.fault("server_error", code=1, count=-1, path=thread["id"])
    now = utc_now()
    summary, _ = run_sync(tiny_sandbox, archive, clock=lambda: now, **fast_retries())
    assert not summary.complete and summary.threads_failed == 2 and summary.new_messages == 1
    assert str(summary.problem()) == (
        "2 conversations could not be read: Instagram had a problem on its side (code 1). "
        "They will be tried again."
    )

    # The next poll, a moment later: the failing threads wait their turn (no request).
    tiny_sandbox.clear_requests()
    waiting, requests = run_sync(tiny_sandbox, archive, clock=lambda: now, **fast_retries())
    assert requests == 1 and not waiting.complete and len(waiting.unreadable) == 2

    tiny_sandbox.clear_faults()
    later = now + timedelta(minutes=2)
    done, _ = run_sync(tiny_sandbox, archive, clock=lambda: later, budget=budget)
    assert done.complete and done.new_messages == 2
    assert_archive_matches_world(tiny_sandbox, archive)


def test_a_pass_that_listed_conversations_but_read_none_is_an_error(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    run_sync(tiny_sandbox, archive)
    for thread in listed_threads(tiny_sandbox):
        tiny_sandbox.customer_writes(customer_id=thread["customer"]["id"], text="Halo?")
    tiny_sandbox.fault("malformed_json", count=-1, path="aWdf")
    with pytest.raises(SyncIncompleteError) as failure:
        run_sync(tiny_sandbox, archive, **fast_retries())
    assert failure.value.sentence("en") == (
        "4 conversations could not be read: Instagram's answer could not be read. "
        "They will be tried again."
    )


def test_a_nested_page_too_large_shrinks_then_falls_back_to_thread_reads(
    archive: Archive,
) -> None:
    from igdesk.sandbox.generated import generated_scenario

    sandbox = start_sandbox(generated_scenario(10, max_messages=20))
    try:
        sandbox.set_max_nested_messages(20)
        summary, _ = run_sync(sandbox, archive)
        assert summary.complete
        assert_archive_matches_world(sandbox, archive)
        list_calls = [r for r in sandbox.requests() if str(r["path"]).endswith("conversations")]
        limits = [int((r.get("query") or {}).get("limit", 0)) for r in list_calls]
        # "Reduce the amount of data" (code 1): asked again at half the size, not the same.
        assert limits[:2] == [NESTED_PAGE_SIZE, NESTED_PAGE_SIZE // 2]

        sandbox.set_max_nested_messages(5)  # a 20-message thread never fits
        archive_two = Archive.open(archive.path.with_name("two.sqlite3"))
        try:
            summary, _ = run_sync(sandbox, archive_two)
            assert summary.complete
            assert_archive_matches_world(sandbox, archive_two)
        finally:
            archive_two.close()
    finally:
        sandbox.close()


def test_page_calls_carry_appsecret_proof_when_the_app_requires_it(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    from igdesk.graph.errors import InvalidRequestError
    from igdesk.graph.flavour import FACEBOOK_PAGE

    tiny_sandbox.require_app_secret()
    page = Sandbox(tiny_sandbox.threaded)
    page.token = tiny_sandbox.threaded.page_token
    try:
        with pytest.raises(InvalidRequestError) as refused:
            run_sync(page, archive, flavour=FACEBOOK_PAGE)
        assert "appsecret_proof" in refused.value.technical
        assert refused.value.sentence("en")
        assert archive.threads.newest_first() == []

        page.clear_requests()
        secret = tiny_sandbox.threaded.meta_app_secret  # the Facebook Login app's
        summary, _ = run_sync(page, archive, flavour=FACEBOOK_PAGE, app_secret=secret)
        assert summary.complete
        assert_archive_matches_world(tiny_sandbox, archive)
        assert {r["status"] for r in page.requests()} == {200}  # every call was signed
    finally:
        page.control.close()


def test_a_message_unsent_after_the_sync_becomes_a_tombstone(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    budget = RateBudget(high_usage_delay=0.0)
    run_sync(tiny_sandbox, archive, budget=budget)
    thread = next(t for t in listed_threads(tiny_sandbox) if 2 <= len(t["messages"]) < 20)
    taken_back = next(m for m in thread["messages"] if not m["from_shop"])
    tiny_sandbox.unsend(taken_back["id"])
    summary, requests = run_sync(tiny_sandbox, archive, budget=budget)
    assert requests == 3 and summary.complete  # the list, the thread, and the confirmation
    assert summary.updates[0].unsent_message_ids == (taken_back["id"],)
    stored = archive.messages.get(taken_back["id"])
    assert stored is not None and stored.deleted and stored.text == ""


def test_every_read_failing_with_500_is_a_failure_and_loses_nothing(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    run_sync(tiny_sandbox, archive)
    before = {row.id: archive.messages.ids_of(row.id) for row in archive.threads.newest_first()}
    writer = listed_threads(tiny_sandbox)[0]
    tiny_sandbox.customer_writes(customer_id=writer["customer"]["id"], text="Halo?")
    tiny_sandbox.fault("server_error", code=2, count=-1)  # HTTP 500 on every call
    with pytest.raises(TransientError) as failure:
        run_sync(tiny_sandbox, archive, **fast_retries())
    assert failure.value.http_status == 500 and failure.value.sentence("en")
    assert {
        row.id: archive.messages.ids_of(row.id) for row in archive.threads.newest_first()
    } == before
    tiny_sandbox.clear_faults()
    summary, _ = run_sync(tiny_sandbox, archive)
    assert summary.complete and summary.new_messages == 1


def test_profiles_are_read_once_then_again_after_a_week(
    tiny_sandbox: Sandbox, archive: Archive
) -> None:
    budget = RateBudget(high_usage_delay=0.0)
    first, _ = run_sync(tiny_sandbox, archive, budget=budget)
    assert first.profiles_fetched == len(listed_threads(tiny_sandbox))
    writer = listed_threads(tiny_sandbox)[0]
    tiny_sandbox.customer_writes(customer_id=writer["customer"]["id"], text="Halo lagi")
    soon, requests = run_sync(tiny_sandbox, archive, budget=budget)
    assert soon.profiles_fetched == 0 and requests == 2
    tiny_sandbox.customer_writes(customer_id=writer["customer"]["id"], text="Kak?")
    week_later = utc_now() + timedelta(days=8)
    later, requests = run_sync(tiny_sandbox, archive, budget=budget, clock=lambda: week_later)
    assert later.profiles_fetched == 1 and requests == 3
