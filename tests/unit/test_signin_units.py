"""The Qt-free pieces of signing in on their own: when a token is due, the record file, the
redirect comparison, the once-only "sign in again", and the lock."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.config import Profile
from igdesk.events import Event, SignInNeeded, SyncStatus
from igdesk.graph.errors import OAuthExchangeError, SignInDeniedError, TransientError
from igdesk.i18n import Text, Words
from igdesk.signin import SignInError, SignInHub, texts
from igdesk.signin import record as records
from igdesk.signin.cli_login import read_paste
from igdesk.signin.flow import same_place
from igdesk.signin.lock import signin_lock
from igdesk.signin.record import TokenRecord
from igdesk.signin.refresh import next_refresh

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_next_refresh() -> None:
    known = TokenRecord("instagram", "1", "shop", T0, expires_at=T0 + timedelta(days=60))
    assert next_refresh(known) == T0 + timedelta(days=53)
    unknown = TokenRecord("instagram", "1", "shop", T0)
    assert next_refresh(unknown) == T0 + timedelta(hours=24)
    failed = TokenRecord(
        "instagram",
        "1",
        "shop",
        T0,
        expires_at=T0 + timedelta(days=60),
        refresh_failed_at=T0 + timedelta(days=55),
    )
    assert next_refresh(failed) == T0 + timedelta(days=56)
    short = TokenRecord("instagram", "1", "shop", T0, expires_at=T0 + timedelta(hours=30))
    assert next_refresh(short) == T0 + timedelta(hours=24)  # never before 24 h
    assert next_refresh(TokenRecord("facebook", "1", "shop", T0)) is None


def test_record_round_trip_and_damage(tmp_path: Path) -> None:
    profile = Profile(tmp_path)
    assert records.load(profile) is None
    saved = TokenRecord("instagram", "17841", "shop", T0, T0 + timedelta(days=60), page_id="")
    records.save(profile, saved)
    assert records.load(profile) == saved
    (tmp_path / records.RECORD_FILE).write_text("{not json", encoding="utf-8")
    assert records.load(profile) is None
    (tmp_path / records.RECORD_FILE).write_text('{"kind": "instagram"}', encoding="utf-8")
    assert records.load(profile) is None
    records.forget(profile)
    assert not (tmp_path / records.RECORD_FILE).exists()


def test_same_place() -> None:
    assert same_place("https://a.example/cb/?code=1#_", "https://a.example/cb")
    assert same_place("HTTPS://A.example/cb?x", "https://a.example/cb/")
    assert not same_place("https://a.example:8443/cb", "https://a.example/cb")
    assert not same_place("https://b.example/cb", "https://a.example/cb")
    assert not same_place("https://a.example:99999/cb", "https://a.example/cb")


def test_sign_in_needed_is_said_once_per_spell() -> None:
    hub = SignInHub()
    seen: list[Event] = []
    hub.subscribe(seen.append)
    needed = SignInNeeded(Text("Your Instagram sign-in has expired. Sign in again."))
    status = SyncStatus(False, None, None, None, False)
    for event in (needed, status, needed, needed):
        hub.emit(event)
    assert seen == [needed, status]
    hub.signed_in()
    hub.emit(needed)
    assert seen == [needed, status, needed]


def test_exchange_failures_become_sentences() -> None:
    cases = {
        OAuthExchangeError("HTTP 400 OAuthException: Invalid platform app"): texts.WRONG_APP_ID,
        OAuthExchangeError("HTTP 400 OAuthException: Error validating client secret"): (
            texts.WRONG_SECRET
        ),
        OAuthExchangeError(
            "HTTP 400 OAuthException: Matching code was not found or was already used"
        ): texts.CODE_USED,
        SignInDeniedError("cancelled"): texts.CANCELLED,
        TransientError("ConnectError"): texts.OFFLINE,
    }
    for error, wanted in cases.items():
        assert texts.exchange_failure(error, "https://x.example/cb").text == wanted
    odd = texts.exchange_failure(OAuthExchangeError("HTTP 400: weird", code=400), "u")
    assert "code 400" in odd.sentence()


def test_lock_refuses_a_second_holder_with_a_sentence(tmp_path: Path) -> None:
    async def go() -> None:
        profile = Profile(tmp_path)
        async with signin_lock(profile):
            with pytest.raises(SignInError) as caught:
                async with signin_lock(profile, wait=0.1):
                    pass
            assert caught.value.text == texts.BUSY
        async with signin_lock(profile, wait=0.1):  # free again
            pass

    asyncio.run(go())


def test_a_paste_on_a_terminal_is_read_without_echo() -> None:
    """`igdesk login` on a terminal reads the paste as a password prompt does (a token must
    not stay on the screen); from a pipe it reads one line."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def hidden(prompt: str) -> str:
        prompts.append(prompt)
        return "IGAAtokenFromTheDashboard"

    words = Words("en")
    assert read_paste(Terminal("never read\n"), hidden, words) == "IGAAtokenFromTheDashboard"
    assert prompts == ["(what you paste is not shown) > "]
    assert read_paste(io.StringIO("https://x/?code=1\n"), hidden, words) == "https://x/?code=1\n"
    assert len(prompts) == 1
