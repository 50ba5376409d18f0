"""Saved replies: reading them from settings, validation sentences, "/shortcut" detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from igdesk.config import Settings
from igdesk.i18n import Words
from igdesk.ui.saved_replies import (
    SavedReply,
    from_settings,
    matching,
    normalize_shortcut,
    problem,
    to_settings,
    typed_shortcut,
)

EN, ID = Words("en"), Words("id")
EXISTING = [SavedReply("harga", "Rp 85.000"), SavedReply("rek", "BCA 123")]


def test_round_trip_and_damaged_entries() -> None:
    raw = [
        {"shortcut": "/harga", "text": "Rp 85.000"},
        {"shortcut": "HARGA", "text": "duplicate, first wins"},
        {"shortcut": "rek"},
        "nonsense",
        {"shortcut": "", "text": "no shortcut"},
        {"shortcut": "jam", "text": "  "},
        {"shortcut": "rek", "text": "BCA 123"},
    ]
    assert from_settings(raw) == EXISTING
    assert to_settings(EXISTING) == [
        {"shortcut": "harga", "text": "Rp 85.000"},
        {"shortcut": "rek", "text": "BCA 123"},
    ]


def test_settings_file_keeps_good_entries_and_drops_damaged_ones(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    data = {
        "saved_replies": [{"shortcut": "jam", "text": "09-17"}, {"shortcut": 3}, "x"],
        "enter_sends": False,
        "typing_indicator": "yes",  # wrong type: the default stays
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    settings = Settings.load(path)
    assert settings.saved_replies == [{"shortcut": "jam", "text": "09-17"}]
    assert settings.enter_sends is False and settings.typing_indicator is False
    path.write_text(json.dumps({"saved_replies": {"not": "a list"}}), encoding="utf-8")
    assert Settings.load(path).saved_replies == []
    assert Settings() == Settings(enter_sends=True, typing_indicator=False, saved_replies=[])


@pytest.mark.parametrize(
    ("shortcut", "text", "words", "expected"),
    [
        ("", "x", EN, "Type a shortcut"),
        ("ha rga", "x", EN, "can't contain spaces"),
        ("ha/rga", "x", ID, "tidak boleh berisi spasi"),
        ("x" * 31, "x", EN, "too long"),
        ("Harga", "x", EN, "/Harga is already used"),
        ("rek", "x", ID, "/rek sudah dipakai"),
        ("jam", "  \n", EN, "Type the text"),
        ("jam", "😀" * 251, EN, "1004 bytes"),
    ],
)
def test_problems_are_sentences(shortcut: str, text: str, words: Words, expected: str) -> None:
    sentence = problem(shortcut, text, EXISTING, words)
    assert sentence is not None and expected in sentence
    assert sentence.endswith(".")


def test_valid_and_editing_itself() -> None:
    assert problem("jam", "Buka 09.00", EXISTING, EN) is None
    assert problem("harga", "Rp 90.000", EXISTING, EN, replacing=0) is None
    assert problem("rek", "Rp 90.000", EXISTING, EN, replacing=0) is not None
    assert normalize_shortcut("  /harga ") == "harga"


@pytest.mark.parametrize(
    ("before", "typed"),
    [
        ("/", "/"),
        ("/har", "/har"),
        ("Halo kak /rek", "/rek"),
        ("baris\t/jam", "/jam"),
        ("https://x", None),
        ("a/b", None),
        ("/har ", None),
        ("", None),
    ],
)
def test_typed_shortcut(before: str, typed: str | None) -> None:
    assert typed_shortcut(before) == typed


def test_matching_is_by_prefix_any_case() -> None:
    assert matching(EXISTING, "/") == EXISTING
    assert matching(EXISTING, "/HAR") == [EXISTING[0]]
    assert matching(EXISTING, "/z") == []
    assert SavedReply("x", "a\nb " + "c" * 80).label().startswith("/x — a b ccc")
    assert SavedReply("x", "c" * 80).label().endswith("…")
