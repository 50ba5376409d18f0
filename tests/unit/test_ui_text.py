"""ui.text: previews, relative times, day labels, window badges, links, initials (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from igdesk.domain import Attachment, Window, WindowState, messaging_window
from igdesk.ui.text import (
    Badge,
    card_title_of,
    day_label,
    highlight_runs,
    initials,
    is_right_to_left,
    link_ranges,
    linkify,
    preview_text,
    relative_time,
    window_badge,
)

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=WIB)  # a Thursday
UNSUPPORTED_EN = "Unsupported message — open Instagram"
UNSUPPORTED_ID = "Pesan tidak didukung — buka Instagram"


@pytest.mark.parametrize(
    ("kinds", "en", "id_"),
    [
        (["image"], "📷 Photo", "📷 Foto"),
        (["image", "image"], "📷 2 photos", "📷 2 foto"),
        (["video"], "🎥 Video", "🎥 Video"),
        (["audio"], "🎤 Voice message", "🎤 Pesan suara"),
        (["file"], "📄 File", "📄 File"),
        (["share"], "Shared a post", "Membagikan postingan"),
        (["ig_post"], "Shared a post", "Membagikan postingan"),
        (["reel"], "Shared a reel", "Membagikan reel"),
        (["story_reply"], "Replied to your story", "Membalas story Anda"),
        (["story_mention"], "Mentioned you in their story", "Menyebut Anda di story mereka"),
        (["sticker"], "Sticker", "Stiker"),
        (["template"], "Card", "Kartu"),
        (
            ["hologram"],
            "Unsupported message — open Instagram",
            "Pesan tidak didukung — buka Instagram",
        ),
        ([], "Unsupported message — open Instagram", "Pesan tidak didukung — buka Instagram"),
    ],
)
def test_preview_describes_attachments(kinds: list[str], en: str, id_: str) -> None:
    assert preview_text("", kinds, False, "en") == en
    assert preview_text("", kinds, False, "id") == id_


def test_preview_prefixes_shop_and_keeps_one_line() -> None:
    assert preview_text("Halo\n\n  kak", (), True, "en") == "You: Halo kak"
    assert preview_text("Halo", (), True, "id") == "Anda: Halo"
    assert preview_text("", ("image",), True, "en") == "You: 📷 Photo"
    assert preview_text("nice!", ("story_reply",), False, "en") == "Replied to your story: nice!"
    assert preview_text("look", ("image",), False, "en") == "look"
    assert len(preview_text("x" * 10_000, (), False, "en")) <= 200


def test_preview_names_a_template_card_by_its_title() -> None:
    cards = (Attachment("image", "u"), Attachment("template", title="Batik\nshirt"))
    title = card_title_of(cards)
    assert title == "Batik\nshirt" and card_title_of(cards[:1]) == ""
    kinds = ["template"]
    assert preview_text("", kinds, False, "en", card_title=title) == "Card: Batik shirt"
    assert preview_text("", kinds, True, "id", card_title=title) == "Anda: Kartu: Batik shirt"
    assert preview_text("Promo!", kinds, False, "en", card_title=title) == "Promo!"


def test_preview_reactions_unsent_and_no_message() -> None:
    assert preview_text("", (), False, "en", reaction="❤️") == "❤️ reacted to your message"
    assert preview_text("", (), False, "id", reaction="❤️") == "❤️ menanggapi pesan Anda"
    assert preview_text("hi", (), False, "en", deleted=True) == "Message unsent"
    assert preview_text("", (), False, "en", unsupported=True).startswith("Unsupported")
    assert preview_text("", (), None, "en") == ""
    assert preview_text("<b>x</b>", (), False, "en") == "<b>x</b>"  # plain, untouched


@pytest.mark.parametrize(
    ("delta", "en", "id_"),
    [
        (timedelta(seconds=20), "now", "sekarang"),
        (timedelta(minutes=5), "5m", "5m"),
        (timedelta(hours=3), "3h", "3j"),
        (timedelta(hours=20), "Yesterday", "Kemarin"),  # 19:00 the day before
        (timedelta(days=3), "Mon", "Sen"),
        (timedelta(days=30), "10 Feb", "10 Feb"),
        (timedelta(days=400), "5 Feb 2025", "5 Feb 2025"),
    ],
)
def test_relative_time(delta: timedelta, en: str, id_: str) -> None:
    assert relative_time(NOW - delta, NOW, "en", WIB) == en
    assert relative_time(NOW - delta, NOW, "id", WIB) == id_


def test_relative_time_uses_local_day_boundaries() -> None:
    # 23:30 UTC on the 11th is already the 12th in Jakarta: "today" there, hours not "Yesterday".
    moment = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)
    now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
    assert relative_time(moment, now, "en", WIB) == "12h"
    assert relative_time(moment, now, "en", timezone(timedelta(hours=-5))) == "Yesterday"


def test_day_label() -> None:
    today = date(2026, 3, 12)
    assert day_label(today, today, "en") == "Today"
    assert day_label(today, today, "id") == "Hari ini"
    assert day_label(date(2026, 3, 11), today, "id") == "Kemarin"
    assert day_label(date(2026, 3, 2), today, "en") == "Monday, 2 March"
    assert day_label(date(2026, 3, 2), today, "id") == "Senin, 2 Maret"
    assert day_label(date(2025, 8, 17), today, "id") == "Minggu, 17 Agustus 2025"


def test_window_badge() -> None:
    now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
    open_long = messaging_window(now - timedelta(hours=1), now, human_agent_allowed=False)
    assert window_badge(open_long, now, "en") is None
    closing = messaging_window(now - timedelta(hours=22), now, human_agent_allowed=False)
    assert window_badge(closing, now, "en") == Badge("2h 0m left", "closing")
    almost = Window(WindowState.OPEN, now + timedelta(minutes=12))
    assert window_badge(almost, now, "id") == Badge("sisa 12m", "closing")
    closed = messaging_window(now - timedelta(days=2), now, human_agent_allowed=False)
    assert window_badge(closed, now, "en") == Badge("Closed", "closed")
    assert window_badge(Window(WindowState.CLOSED, None), now, "id") == Badge("Ditutup", "closed")
    agent = messaging_window(now - timedelta(days=2), now, human_agent_allowed=True)
    assert window_badge(agent, now, "en") is None


def test_linkify_round_trips_and_finds_urls() -> None:
    text = "See https://shop.example/p?id=1, or www.example.com/x). <script>alert(1)</script>"
    runs = linkify(text)
    assert "".join(run for run, _ in runs) == text
    urls = [url for _, url in runs if url]
    assert urls == ["https://shop.example/p?id=1", "https://www.example.com/x"]
    assert linkify("") == [("", None)]
    assert linkify("javascript:alert(1)") == [("javascript:alert(1)", None)]
    assert linkify("(see https://en.wikipedia.org/wiki/Foo_(bar))")[1][1] == (
        "https://en.wikipedia.org/wiki/Foo_(bar)"
    )
    assert link_ranges("go http://a.b now") == [(3, 10, "http://a.b")]


def test_highlight_runs() -> None:
    assert highlight_runs("a \x02b\x03 c") == [("a ", False), ("b", True), (" c", False)]
    assert highlight_runs("") == []


def test_initials_and_direction() -> None:
    assert initials("Siti Nur Aisyah", "siti") == "SA"
    assert initials("", "_budi.shop") == "B"
    assert initials("🌸 Rina", "") == "R"
    assert initials("", "") == "?"
    assert is_right_to_left("مرحبا hello")
    assert not is_right_to_left("hello مرحبا")
    assert not is_right_to_left("123 😀")
