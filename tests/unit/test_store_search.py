"""Full-text search: words, prefixes, emoji, Indonesian, hostile input, index kept in step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from igdesk.domain import Folder, Message
from igdesk.store import HIGHLIGHT_END, HIGHLIGHT_START, Archive
from igdesk.store.search import parse_query

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
H0, H1 = HIGHLIGHT_START, HIGHLIGHT_END

TEXTS = {
    "m1": "Halo kak, apakah baju batik ini masih tersedia?",
    "m2": "Terima kasih 👍",
    "m3": "mantap👍👍 kirim besok ya",
    "m4": "<b>promo</b> diskon 50% <script>alert(1)</script>",
    "m5": 'Ukuran "XL" AND (panjang) * OR NOT harga?',
    "m6": "Café crème à Bandung ❤️",
    "m7": "Pengiriman ke Surabaya berapa hari?",
}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive.sqlite3") as opened:
        opened.threads.create("t1", "c1", Folder.PRIMARY, T0)
        opened.threads.create("t2", "c2", Folder.REQUESTS, T0)
        opened.messages.upsert(
            "t1",
            [
                Message(mid, "t1", "c1", T0 + timedelta(minutes=i), text=text)
                for i, (mid, text) in enumerate(TEXTS.items())
            ],
        )
        opened.messages.upsert(
            "t2", [Message("n1", "t2", "c2", T0 + timedelta(hours=1), text="Baju batik ukuran L")]
        )
        yield opened


def ids(archive: Archive, query: str) -> list[str]:
    return [hit.message_id for hit in archive.search.find(query)]


def test_words_are_case_and_accent_insensitive(archive: Archive) -> None:
    assert ids(archive, "SURABAYA") == ["m7"]
    assert ids(archive, "cafe creme") == ["m6"]
    assert ids(archive, "bandung café") == ["m6"]


def test_all_terms_must_match_newest_first(archive: Archive) -> None:
    assert ids(archive, "baju batik") == ["n1", "m1"]
    assert ids(archive, "baju tersedia") == ["m1"]
    assert ids(archive, "baju surabaya") == []


def test_last_word_is_a_prefix(archive: Archive) -> None:
    assert ids(archive, "pengir") == ["m7"]
    assert ids(archive, "terse") == ["m1"]
    assert ids(archive, "terse ") == []  # a finished word is matched whole
    assert ids(archive, "ters baju") == []  # only the last word is a prefix


def test_hit_fields_and_snippet(archive: Archive) -> None:
    [hit] = archive.search.find("surabaya")
    assert hit.thread_id == "t1" and hit.created_time == T0 + timedelta(minutes=6)
    assert f"{HIGHLIGHT_START}Surabaya{HIGHLIGHT_END}" in hit.snippet
    assert hit.plain_snippet == TEXTS["m7"]


def test_html_looking_text_is_plain_text(archive: Archive) -> None:
    [hit] = archive.search.find("promo")
    assert hit.message_id == "m4"
    assert f"<b>{HIGHLIGHT_START}promo{HIGHLIGHT_END}</b>" in hit.snippet
    assert ids(archive, "<script>") == ["m4"]
    assert ids(archive, "alert(1)") == ["m4"]


def test_emoji(archive: Archive) -> None:
    assert ids(archive, "👍") == ["m3", "m2"]  # also glued to a word
    assert ids(archive, "❤️") == ["m6"]
    assert ids(archive, "❤") == ["m6"]  # without the variation selector
    assert ids(archive, "mantap👍") == ["m3"]
    assert ids(archive, "kirim 👍") == ["m3"]
    [hit] = archive.search.find("❤️")
    assert HIGHLIGHT_START in hit.snippet and hit.plain_snippet.startswith("Café")
    assert ids(archive, "🐈") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"XL',
        "*",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "( panjang",
        "NEAR(ukuran harga)",
        "text:ukuran",
        "^ukuran",
        "ukuran -harga",
        "+",
        "'",
        "\\",
        "%",
        "_",
        "ukuran AND",
        "AND ukuran",
        "*ukuran*",
        "{text}: ukuran",
        "\x00",
        "a\x00b",
        "\ud800",
        "baju \udfff",
        "👍\ud83d",
        "",
        "   ",
        "a" * 5000,
    ],
)
def test_fts_syntax_in_user_input_never_raises(archive: Archive, query: str) -> None:
    archive.search.find(query)


def test_fts_syntax_characters_are_searched_as_text(archive: Archive) -> None:
    assert ids(archive, '"XL"') == ["m5"]
    assert ids(archive, "(panjang)") == ["m5"]
    assert ids(archive, "AND") == ["m5"]  # the word, not the operator
    assert ids(archive, "ukuran AND harga") == ["m5"]
    assert ids(archive, "NOT") == ["m5"]
    assert ids(archive, "*") == []
    assert ids(archive, "50%") == ["m4"]


def test_edit_and_unsend_update_results(archive: Archive) -> None:
    archive.messages.upsert(
        "t1", [Message("m7", "t1", "c1", T0, text="Pengiriman ke Medan berapa hari?")]
    )
    assert ids(archive, "surabaya") == []
    assert ids(archive, "medan") == ["m7"]
    archive.messages.upsert("t1", [Message("m7", "t1", "", T0, deleted=True)])
    assert ids(archive, "medan") == []
    assert archive.integrity_check() == []


def test_snippet_marks_prefix_and_accent_matches(archive: Archive) -> None:
    [hit] = archive.search.find("cafe bandu")
    assert hit.snippet == f"{H0}Café{H1} crème à {H0}Bandung{H1} ❤️"
    [hit] = archive.search.find("kirim 👍")
    assert hit.snippet == f"mantap{H0}👍{H1}{H0}👍{H1} {H0}kirim{H1} besok ya"


def test_long_text_snippet_is_cut_around_the_match(archive: Archive) -> None:
    text = " ".join(["lorem"] * 100) + " pembayaran via transfer " + " ".join(["ipsum"] * 100)
    archive.messages.upsert("t2", [Message("long", "t2", "c2", T0 + timedelta(days=1), text=text)])
    [hit] = archive.search.find("pembayaran")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert f"{H0}pembayaran{H1} via transfer" in hit.snippet
    assert len(hit.plain_snippet) < 140


def test_limit(archive: Archive) -> None:
    assert len(archive.search.find("baju", limit=1)) == 1
    assert archive.search.find("baju", limit=0) == []


def test_parse_query_quotes_everything() -> None:
    parsed = parse_query('say "hi" AND (x)')
    assert parsed.match == '"say" """hi""" "AND" "(x)"*'
    assert parsed.symbols == ()
    assert parse_query("👍🏽 ❤️ ok").symbols == ("👍🏽", "❤")
    assert parse_query("( ) * -").match == ""
