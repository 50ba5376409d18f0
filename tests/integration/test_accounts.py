"""The account book (one profile folder per Instagram account) and each account's unread
count read from its archive file, as the Accounts menu shows them; real files, a real sync
against the sandbox."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from igdesk.accounts import COUNTED, AccountBook, KnownAccount, unread_threads
from igdesk.app import App
from igdesk.config import Profile
from tests.integration.conftest import Sandbox


def book_in(folder: Path) -> AccountBook:
    return AccountBook(folder / "config" / "accounts.json", folder / "data" / "accounts")


def test_accounts_are_remembered_named_and_forgotten(tmp_path: Path) -> None:
    book = book_in(tmp_path)
    assert book.accounts() == []
    first = tmp_path / "shop"
    first.mkdir()
    book.remember(first)
    book.remember(first, "toko.batik")
    book.remember(first)  # a later start before the sign-in is read keeps the name
    second = book.new_profile()
    third = book.new_profile()
    assert second.name == "account-1" and third.name == "account-2" and second.is_dir()
    assert book.accounts() == [
        KnownAccount(first.resolve(), "toko.batik"),
        KnownAccount(second),
        KnownAccount(third),
    ]
    assert [a.label for a in book.accounts()] == ["@toko.batik", "account-1", "account-2"]
    book.forget(third)
    third.rmdir()
    assert [a.profile for a in book_in(tmp_path).accounts()] == [first.resolve(), second]
    saved = json.loads(book.path.read_text())
    assert saved == {
        "accounts": [
            {"profile": str(first.resolve()), "username": "toko.batik"},
            {"profile": str(second), "username": ""},
        ]
    }


def test_a_folder_that_is_gone_or_a_damaged_book_is_no_crash(tmp_path: Path) -> None:
    book = book_in(tmp_path)
    gone = book.new_profile()
    gone.rmdir()
    assert book.accounts() == []
    book.path.write_text("{not json", encoding="utf-8")
    assert book.accounts() == []
    book.path.write_text('{"accounts": [{"profile": 7}, "x", {"profile": "/nowhere"}]}')
    assert book.accounts() == []
    kept = book.new_profile()  # a damaged book is started again, not a crash
    assert book.accounts() == [KnownAccount(kept)]


def test_an_accounts_unread_count_comes_from_its_archive(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    assert unread_threads(tmp_path / "never-synced") is None

    async def sync() -> int:
        app = App(Profile(tmp_path), graph_url=tiny_sandbox.url, token=tiny_sandbox.token)
        try:
            await app.sync_once()
            counts = await app.inbox.unread_counts()
            return sum(counts[folder] for folder in COUNTED)
        finally:
            await app.aclose()

    expected = asyncio.run(sync())
    assert expected > 0
    assert unread_threads(tmp_path) == expected
    Profile(tmp_path).archive_path.write_bytes(b"not an archive at all" * 100)
    assert unread_threads(tmp_path) is None
