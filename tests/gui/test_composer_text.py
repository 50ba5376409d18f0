"""Composer text rules: grapheme clusters (checked against Qt's), splitting, window sentences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QTextBoundaryFinder

from igdesk.domain import MAX_TEXT_BYTES, Window, WindowState, messaging_window, text_bytes
from igdesk.i18n import Words
from igdesk.ui.composer_text import graphemes, split_message, window_later, window_sentence

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
SAMPLES = [
    "Halo kak, ada ukuran XL? Terima kasih 🙏",
    "e\u0301 café naïve",
    FAMILY + "👍🏽👩🏻\u200d💻🫶🏾",
    "🇮🇩🇲🇾🇸🇬 🇮🇩",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f 1️⃣ ❤️ ✌️",
    "line one\r\nline two\n\nline three",
    "한국어 각 \u1100\u1161\u11a8",
    "zero\u200bwidth soft\u00adhyphen",
]


def qt_graphemes(text: str) -> list[str]:
    """Qt's own grapheme segmentation, as Python strings."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Grapheme, text)
    units = text.encode("utf-16-le")
    clusters, previous = [], 0
    position = finder.toNextBoundary()
    while position != -1:
        clusters.append(units[previous * 2 : position * 2].decode("utf-16-le"))
        previous, position = position, finder.toNextBoundary()
    return clusters


@pytest.mark.parametrize("text", SAMPLES)
def test_graphemes_agree_with_qt(text: str) -> None:
    assert graphemes(text) == qt_graphemes(text)
    assert "".join(graphemes(text)) == text


def test_a_fitting_text_is_one_part() -> None:
    assert split_message("  halo  ") == ["halo"]
    assert split_message("😀" * 250) == ["😀" * 250]
    assert split_message("   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "😀" * 251,
        FAMILY * 100,
        "👍🏽" * 300,
        "🇮🇩" * 200,
        "e\u0301" * 700,
        "Terima kasih sudah order kak 🙏 " * 80,
        ("Pesanan " + FAMILY + " ") * 90,
        "x" * 2500,
        "Barisan pertama.\n" * 90,
    ],
)
def test_split_parts_fit_and_keep_everything(text: str) -> None:
    parts = split_message(text)
    assert len(parts) > 1
    assert all(0 < text_bytes(part) <= MAX_TEXT_BYTES for part in parts)
    assert all(part == part.strip() for part in parts)
    clusters = graphemes(text)
    for part in parts:  # every part is made of whole clusters of the original
        assert graphemes(part) == [c for c in graphemes(part) if c in clusters]
        part.encode("utf-8")  # no lone surrogate or broken character
    if any(c.isspace() for c in text):
        assert " ".join(parts).split() == text.split()
    else:
        assert "".join(parts) == text


def test_split_prefers_a_space_then_a_line_break() -> None:
    words = ["kata"] * 300  # 1499 bytes with spaces
    parts = split_message(" ".join(words))
    assert all(not part.startswith(" ") and not part.endswith(" ") for part in parts)
    assert all(set(part.split()) == {"kata"} for part in parts)
    paragraphs = "a" * 600 + "\n" + "b" * 300 + " " + "c" * 300
    assert split_message(paragraphs) == ["a" * 600, "b" * 300 + " " + "c" * 300]


def test_a_cluster_bigger_than_a_message_is_cut_between_code_points() -> None:
    zalgo = "a" + "\u0301" * 600  # one cluster of 1201 bytes
    parts = split_message(zalgo)
    assert "".join(parts) == zalgo
    assert all(text_bytes(part) <= MAX_TEXT_BYTES for part in parts)


NOW = datetime(2024, 11, 25, 14, 0, tzinfo=UTC)


def test_window_sentences_in_both_languages() -> None:
    en, id_ = Words("en"), Words("id")
    open_ = messaging_window(NOW - timedelta(hours=1), NOW, human_agent_allowed=False)
    assert window_sentence(open_, NOW, en, human_agent=False) == ""
    never = Window(WindowState.CLOSED, None)
    assert "after the customer writes" in window_sentence(never, NOW, en, human_agent=False)
    assert "setelah pelanggan menulis" in window_sentence(never, NOW, id_, human_agent=False)
    agent = messaging_window(NOW - timedelta(hours=30), NOW, human_agent_allowed=True)
    assert window_sentence(agent, NOW, id_, human_agent=True) == (
        "Balasan dikirim sebagai agen manusia (batas 7 hari) — sisa 5 hr 18 j"
    )
    old = messaging_window(NOW - timedelta(days=9), NOW, human_agent_allowed=False)
    sentence = window_sentence(old, NOW, en, human_agent=False)
    assert "24 hours" in sentence and "Human Agent" not in sentence  # too old for it anyway
    last_year = Window(WindowState.CLOSED, datetime(2023, 6, 1, 12, 0, tzinfo=UTC))
    assert " 2023 " in window_sentence(last_year, NOW, en, human_agent=False)


def test_window_later_follows_the_rules() -> None:
    last = NOW - timedelta(hours=23, minutes=59)
    open_ = messaging_window(last, NOW, human_agent_allowed=True)
    later = NOW + timedelta(minutes=2)
    assert window_later(open_, later, human_agent=True).state is WindowState.HUMAN_AGENT
    assert window_later(open_, later, human_agent=False).state is WindowState.CLOSED
    closed = Window(WindowState.CLOSED, NOW)
    assert window_later(closed, later, human_agent=True) is closed
