"""A full sync of the bundled shop world equals what the sandbox holds; re-syncs are cheap."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from igdesk.domain import Folder, folder_for_new_thread, parse_graph_time
from igdesk.graph.client import NESTED_PAGE_SIZE
from igdesk.graph.ratelimit import RateBudget
from igdesk.store import Archive
from tests.integration.conftest import Sandbox, run_sync, start_sandbox

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop() -> Iterator[Sandbox]:
    sandbox = start_sandbox(None)  # the bundled Toko Batik Sari world
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture(scope="module")
def budget() -> RateBudget:
    """One rate budget for the account, shared by every pass, as in the app."""
    return RateBudget(high_usage_delay=0.0)


@pytest.fixture(scope="module")
def synced(
    shop: Sandbox, budget: RateBudget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    """One full first sync of the shop world, shared by the tests of this module."""
    archive = Archive.open(tmp_path_factory.mktemp("world") / "archive.sqlite3")
    summary, requests = run_sync(shop, archive, budget=budget)
    listed = [t for t in shop.world()["threads"] if t["listed"]]
    assert summary.threads_created == len(listed) and summary.complete
    assert requests == summary.requests
    # The floor: list pages at the nested page size, one profile per customer, and /me.
    floor = math.ceil(len(listed) / NESTED_PAGE_SIZE) + len({t["customer"]["id"] for t in listed})
    assert requests <= math.floor(1.05 * (floor + 1)), (requests, floor + 1)
    try:
        yield archive
    finally:
        archive.close()


def _expected_folder(thread: dict[str, Any]) -> Folder:
    return folder_for_new_thread(
        follows_business=thread["customer"]["follows_business"],
        shop_has_written=any(m["from_shop"] for m in thread["messages"]),
    )


def test_full_sync_equals_the_sandbox_world(shop: Sandbox, synced: Archive) -> None:
    world = shop.world()
    exported = {record["id"]: record for record in synced.export.records()}
    listed = [t for t in world["threads"] if t["listed"]]
    assert set(exported) == {t["id"] for t in listed}
    for thread in listed:
        record = exported[thread["id"]]
        assert record["folder"] == _expected_folder(thread).value
        assert record["contact"]["id"] == thread["customer"]["id"]
        assert record["contact"]["username"] == thread["customer"]["username"]
        assert record["contact"]["follows_business"] == thread["customer"]["follows_business"]
        readable = [m for m in reversed(thread["messages"]) if m["readable"]]
        assert [m["id"] for m in record["messages"]] == [m["id"] for m in readable]
        for mine, theirs in zip(record["messages"], readable, strict=True):
            assert mine["from"] == theirs["from_id"]
            assert mine["is_from_shop"] == theirs["from_shop"]
            assert not mine["deleted"]  # unsent messages are not in the read API at all
            assert mine["reply_to"] == theirs["reply_to"]
            assert parse_graph_time(mine["created_time"]) == parse_graph_time(
                theirs["created_time"]
            )
            assert mine["text"] == theirs["text"]
            if theirs["template"]:
                assert [a["title"] for a in mine["attachments"]] == [theirs["template"]]
            mine_types = sorted(a["type"] for a in mine["attachments"])
            assert mine_types == sorted(_read_api_type(k) for k in theirs["attachment_types"])


def _read_api_type(sandbox_kind: str) -> str:
    """The read API shows every shared post or reel as `shares.data[].link` (a media URL),
    so the client can only call it a share; the sandbox knows what it really was."""
    if sandbox_kind == "generic_template":
        return "template"
    return "share" if sandbox_kind in ("ig_post", "share", "reel") else sandbox_kind


def test_every_attachment_url_serves_real_bytes(synced: Archive) -> None:
    urls = [
        attachment["url"]
        for record in synced.export.records()
        for message in record["messages"]
        for attachment in message["attachments"]
        if attachment["type"] in ("image", "video", "audio", "file")
    ]
    assert len(urls) >= 8
    with httpx.Client(timeout=10) as http:
        for url in urls:
            reply = http.get(url)
            assert reply.status_code == 200
            assert len(reply.content) > 100
            assert reply.headers["content-type"].split("/")[0] in (
                "image",
                "video",
                "audio",
                "application",
            )


def test_api_limits_are_kept(shop: Sandbox, synced: Archive) -> None:
    world = shop.world()
    unlisted = [t for t in world["threads"] if not t["listed"]]
    assert unlisted, "the scenario has stale requests older than 30 days"
    for thread in unlisted:
        assert synced.threads.get(thread["id"]) is None
    long_threads = [t for t in world["threads"] if any(not m["readable"] for m in t["messages"])]
    assert long_threads, "the scenario has a thread longer than 20 messages"
    for thread in long_threads:
        row = synced.threads.get(thread["id"])
        assert row is not None and row.history_gap
        unreadable = {m["id"] for m in thread["messages"] if not m["readable"]}
        assert not unreadable & synced.messages.ids_of(thread["id"])
    short = [t for t in world["threads"] if t["listed"] and len(t["messages"]) < 20]
    assert all(not synced.threads.get(t["id"]).history_gap for t in short)  # type: ignore[union-attr]


def test_resync_with_nothing_new_costs_one_request(
    shop: Sandbox, synced: Archive, budget: RateBudget
) -> None:
    shop.clear_requests()
    summary, requests = run_sync(shop, synced, budget=budget)
    assert requests == 1
    assert len(shop.requests()) == 1
    assert summary.new_messages == 0


def test_incremental_sync_fetches_only_the_changed_thread(
    shop: Sandbox, synced: Archive, budget: RateBudget
) -> None:
    world = shop.world()
    answered = next(
        t
        for t in world["threads"]
        if t["listed"] and t["customer"]["follows_business"] and t["customer"]["available"]
    )
    synced.threads.set_folder(
        answered["id"], Folder.GENERAL
    )  # the owner moved it; sync must keep that
    written = shop.customer_writes(
        customer_id=answered["customer"]["id"], text="Sudah transfer ya kak"
    )
    summary, requests = run_sync(shop, synced, budget=budget)
    assert summary.new_messages == 1 and summary.threads_updated == 1
    assert requests == 2  # the first conversations page and the one changed thread
    row = synced.threads.get(answered["id"])
    assert row is not None
    assert row.folder is Folder.GENERAL
    assert row.unread >= 1
    assert written["message_id"] in synced.messages.ids_of(answered["id"])
    assert synced.threads.newest_first()[0].id == answered["id"]


def test_denied_person_who_writes_again_is_back_in_requests(
    shop: Sandbox, synced: Archive, budget: RateBudget
) -> None:
    thread = next(t for t in shop.world()["threads"] if t["listed"] and t["is_request"])
    synced.threads.set_folder(thread["id"], Folder.DENIED)
    run_sync(shop, synced, budget=budget)
    assert synced.threads.get(thread["id"]).folder is Folder.DENIED  # type: ignore[union-attr]
    shop.customer_writes(customer_id=thread["customer"]["id"], text="Halo? Masih ada stok?")
    run_sync(shop, synced, budget=budget)
    assert synced.threads.get(thread["id"]).folder is Folder.REQUESTS  # type: ignore[union-attr]


def test_new_customer_gets_a_new_thread_by_the_rules(
    shop: Sandbox, synced: Archive, budget: RateBudget
) -> None:
    follower = shop.customer_writes(username="baru.follower", follows_business=True, text="Halo")
    stranger = shop.customer_writes(username="baru.stranger", text="<b>hi</b>")
    summary, _ = run_sync(shop, synced, budget=budget)
    assert summary.threads_created == 2
    assert synced.threads.get(follower["thread_id"]).folder is Folder.PRIMARY  # type: ignore[union-attr]
    assert synced.threads.get(stranger["thread_id"]).folder is Folder.REQUESTS  # type: ignore[union-attr]
    contact = synced.contacts.get(stranger["customer_id"])
    assert contact is not None and contact.username == "baru.stranger"


def test_archive_file_is_sound(synced: Archive, tmp_path: Path) -> None:
    assert synced.integrity_check() == []
