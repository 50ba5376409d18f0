"""Composer: send keys, the byte counter and split offer, blank text, the window, drafts, typing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.domain import MAX_TEXT_BYTES, Window, WindowState, messaging_window
from igdesk.i18n import Words
from igdesk.ui.composer import Composer

NOW = datetime(2024, 11, 25, 14, 0, tzinfo=UTC)
OPEN = Window(WindowState.OPEN, NOW + timedelta(hours=3))
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 25 bytes, one user-perceived character


def make(qtbot: QtBot, settings: Settings | None = None, lang: str = "en") -> Composer:
    composer = Composer(Words(lang), settings or Settings())
    qtbot.addWidget(composer)
    composer.set_thread("t1", "")
    composer.set_window(OPEN, NOW, human_agent=False)
    composer.show()
    qtbot.waitExposed(composer)
    return composer


def sent(qtbot: QtBot, composer: Composer) -> list[str]:
    """Collects what `send_requested` carries."""
    texts: list[str] = []
    composer.send_requested.connect(texts.append)
    return texts


def test_enter_sends_and_shift_enter_adds_a_line(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    qtbot.keyClicks(composer.editor, "Halo kak")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer.editor, "Stok ada")
    assert composer.text() == "Halo kak\nStok ada"
    assert texts == []
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert texts == ["Halo kak\nStok ada"]
    assert composer.text() == ""
    qtbot.keyClicks(composer.editor, "lagi")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert texts == ["Halo kak\nStok ada", "lagi"]


def test_ctrl_enter_sends_when_enter_adds_lines(qtbot: QtBot) -> None:
    composer = make(qtbot, Settings(enter_sends=False))
    texts = sent(qtbot, composer)
    qtbot.keyClicks(composer.editor, "baris satu")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(composer.editor, "baris dua")
    assert texts == []
    assert composer.text() == "baris satu\nbaris dua"
    assert "Ctrl+Enter" in composer.send_button.toolTip()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert texts == ["baris satu\nbaris dua"]


def test_the_setting_is_read_live(qtbot: QtBot) -> None:
    settings = Settings()
    composer = make(qtbot, settings)
    texts = sent(qtbot, composer)
    settings.enter_sends = False  # the settings dialog edits the shared object in place
    qtbot.keyClicks(composer.editor, "a")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert texts == [] and composer.text() == "a\n"


@pytest.mark.parametrize("text", ["", " ", "  \n\t \n"])
def test_blank_text_is_never_sent(qtbot: QtBot, text: str) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    composer.set_text(text)
    assert not composer.can_send()
    assert not composer.send_button.isEnabled()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert texts == []
    assert composer.text() == text  # nothing typed disappears either


def test_outer_whitespace_is_trimmed_on_send(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    composer.set_text("\n  Terima kasih 🙏  \n")
    assert composer.byte_count() == len("Terima kasih 🙏".encode())
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert texts == ["Terima kasih 🙏"]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("é", 2),
        ("😀", 4),
        (FAMILY, 25),
        ("👍🏽", 8),
        ("Barang sudah dikirim, kak!", 26),
        ("Rp 85.000 — ongkir gratis", 27),
    ],
)
def test_counter_counts_utf8_bytes(qtbot: QtBot, text: str, size: int) -> None:
    composer = make(qtbot)
    composer.set_text(text)
    assert composer.byte_count() == size
    assert composer.counter_label.text() == f"{size} / {MAX_TEXT_BYTES} bytes"
    assert composer.counter_label.property("level") == "ok"


def test_counter_in_indonesian(qtbot: QtBot) -> None:
    composer = make(qtbot, lang="id")
    composer.set_text("é")
    assert composer.counter_label.text() == "2 / 1000 byte"


def test_exactly_the_limit_is_allowed_with_a_warning_colour(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    composer.set_text("😀" * 250)  # 1000 bytes, 250 characters
    assert composer.byte_count() == MAX_TEXT_BYTES
    assert composer.counter_label.property("level") == "near"
    assert composer.can_send() and not composer.over_bar.isVisible()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert texts == ["😀" * 250]


def test_one_byte_over_is_refused_with_a_split_offer(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    text = "😀" * 250 + "!"  # 1001 bytes
    composer.set_text(text)
    assert composer.byte_count() == 1001
    assert composer.counter_label.property("level") == "over"
    assert not composer.can_send() and not composer.send_button.isEnabled()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert texts == [] and composer.text() == text  # refused, never cut silently
    assert composer.over_bar.isVisible()
    assert "1001 bytes" in composer.over_label.text()
    assert composer.split_button.text() == "Split into 2 messages"
    assert composer.split_button.accessibleName() == "Split into 2 messages"
    qtbot.mouseClick(composer.split_button, Qt.MouseButton.LeftButton)
    assert texts == ["😀" * 250, "!"]
    assert composer.text() == "" and not composer.over_bar.isVisible()


def test_split_of_family_emoji_keeps_each_one_whole(qtbot: QtBot) -> None:
    composer = make(qtbot, lang="id")
    texts = sent(qtbot, composer)
    text = FAMILY * 41  # 1025 bytes
    composer.set_text(text)
    assert composer.split_button.text() == "Bagi menjadi 2 pesan"
    composer.split_and_send()
    assert texts == [FAMILY * 40, FAMILY]
    assert all(len(part.encode()) <= MAX_TEXT_BYTES for part in texts)


def test_long_indonesian_text_splits_between_words(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    words = "Terima kasih sudah berbelanja di toko kami, pesanan kakak segera dikirim 🙏"
    text = " ".join([words] * 40)
    composer.set_text(text)
    parts = composer.split_parts()
    composer.split_and_send()
    assert texts == parts and len(parts) == 4
    assert all(len(part.encode()) <= MAX_TEXT_BYTES for part in parts)
    assert " ".join(parts).split() == text.split()  # every word, in order, none cut


def test_paste_of_rich_text_becomes_plain(qtbot: QtBot) -> None:
    composer = make(qtbot)
    mime = QMimeData()
    mime.setHtml("<b>Promo</b> <img src='x.png'> <a href='https://x.test'>link</a>")
    mime.setText("Promo link")
    composer.editor.insertFromMimeData(mime)
    assert composer.text() == "Promo link"
    body = composer.editor.document().toHtml().split("<body", 1)[1]
    assert "font-weight:700" not in body.split(">", 1)[1]
    assert "<img" not in body and "x.test" not in body


def test_closed_window_disables_and_explains(qtbot: QtBot) -> None:
    composer = make(qtbot)
    texts = sent(qtbot, composer)
    composer.set_text("draft kept")
    last = NOW - timedelta(hours=30)
    window = messaging_window(last, NOW, human_agent_allowed=False)
    composer.set_window(window, NOW, human_agent=False)
    assert window.closes_at is not None
    local = window.closes_at.astimezone()
    when = f"{local.day} Nov {local:%H:%M}"
    sentence = composer.window_label.text()
    assert sentence.startswith(
        "You can't reply: Instagram allows replies only within 24 hours of the customer's "
        f"last message (closed {when}). Wait for them to write again."
    )
    assert "Human Agent" in sentence  # within 7 days: says what would let them reply
    assert composer.window_label.isVisible()
    assert composer.editor.isReadOnly() and not composer.editor.isEnabled()
    for button in (composer.send_button, composer.heart_button, composer.attach_button):
        assert not button.isEnabled()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    composer.send()
    assert texts == [] and composer.text() == "draft kept"


def test_closed_after_seven_days_in_indonesian(qtbot: QtBot) -> None:
    composer = make(qtbot, lang="id")
    window = messaging_window(NOW - timedelta(days=8), NOW, human_agent_allowed=True)
    composer.set_window(window, NOW, human_agent=True)
    text = composer.window_label.text()
    assert text.startswith("Anda tidak bisa membalas: Instagram hanya mengizinkan balasan dalam 7")
    assert "(ditutup " in text and "Tunggu sampai mereka menulis lagi." in text
    assert not composer.can_reply()


def test_human_agent_line_and_reopening(qtbot: QtBot) -> None:
    composer = make(qtbot)
    window = messaging_window(NOW - timedelta(days=2), NOW, human_agent_allowed=True)
    composer.set_window(window, NOW, human_agent=True)
    assert composer.window_label.text() == (
        "Replies go as a human agent (7-day window) — 5d 0h left"
    )
    assert composer.editor.isEnabled()
    composer.set_window(OPEN, NOW, human_agent=True)
    assert not composer.window_label.isVisible() and composer.editor.isEnabled()


def test_window_moves_on_by_itself(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.window_check_ms = 20
    soon = Window(WindowState.OPEN, datetime.now(UTC) + timedelta(milliseconds=50))
    composer.set_window(soon, datetime.now(UTC), human_agent=False)
    assert composer.can_reply()
    qtbot.waitUntil(lambda: not composer.can_reply(), timeout=2000)
    assert "24 hours" in composer.window_label.text()


def test_no_thread_disables(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.set_thread(None, "")
    assert not composer.editor.isEnabled() and not composer.send_button.isEnabled()
    assert composer.window_label.text() == "Choose a conversation to reply."
    composer.set_thread("t2", "")
    composer.set_window(None, NOW, human_agent=False)
    assert not composer.can_reply()


def test_draft_is_debounced_and_flushed_on_switch(qtbot: QtBot) -> None:
    composer = make(qtbot)
    drafts: list[tuple[str, str]] = []
    composer.draft_changed.connect(lambda thread, text: drafts.append((thread, text)))
    composer.set_thread("t1", "tersimpan")
    assert composer.text() == "tersimpan" and drafts == []  # loading is not an edit
    qtbot.keyClicks(composer.editor, " lagi")
    assert drafts == []  # debounced
    with qtbot.waitSignal(composer.draft_changed, timeout=2000):
        pass
    assert drafts == [("t1", "tersimpan lagi")]
    qtbot.keyClicks(composer.editor, "!")
    composer.set_thread("t2", "")  # switching before the debounce loses nothing
    assert drafts[-1] == ("t1", "tersimpan lagi!")
    assert composer.text() == ""
    composer.set_thread("t1", "tersimpan lagi!")
    assert composer.text() == "tersimpan lagi!"
    qtbot.wait(composer.draft_delay_ms + 100)
    assert len(drafts) == 2  # no echo of the loaded draft


def test_send_clears_the_draft(qtbot: QtBot) -> None:
    composer = make(qtbot)
    drafts: list[tuple[str, str]] = []
    composer.draft_changed.connect(lambda thread, text: drafts.append((thread, text)))
    qtbot.keyClicks(composer.editor, "ok kak")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert drafts == [("t1", "")]
    qtbot.wait(composer.draft_delay_ms + 100)
    assert drafts == [("t1", "")]


def test_typing_signal_only_when_enabled(qtbot: QtBot) -> None:
    quiet = make(qtbot)
    with qtbot.assertNotEmitted(quiet.typing):
        qtbot.keyClicks(quiet.editor, "halo")
        quiet.send()
    composer = make(qtbot, Settings(typing_indicator=True))
    composer.typing_idle_ms = 100
    states: list[bool] = []
    composer.typing.connect(states.append)
    qtbot.keyClicks(composer.editor, "halo")
    assert states == [True]  # once, at the first keystroke
    qtbot.waitUntil(lambda: states == [True, False], timeout=2000)  # idle
    qtbot.keyClicks(composer.editor, " kak")
    assert states == [True, False, True]
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert states == [True, False, True, False]  # sent


def test_reply_to_bar(qtbot: QtBot) -> None:
    composer = make(qtbot)
    ids: list[str | None] = []
    composer.send_requested.connect(lambda _text: ids.append(composer.reply_to()))
    composer.set_reply_to("m7", "<b>Ada ukuran XL?</b>\nwarna hitam")
    assert composer.reply_bar.isVisible() and composer.reply_to() == "m7"
    assert composer.reply_label.text() == "Replying to: <b>Ada ukuran XL?</b> warna hitam"
    assert composer.reply_label.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(composer.reply_cancelled, timeout=1000):
        qtbot.mouseClick(composer.cancel_reply_button, Qt.MouseButton.LeftButton)
    assert composer.reply_to() is None and not composer.reply_bar.isVisible()
    composer.set_reply_to("m8", "Ada")
    composer.editor.setFocus()
    with qtbot.waitSignal(composer.reply_cancelled, timeout=1000):
        qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    composer.set_reply_to("m9", "Ada")
    composer.set_text("Ada kak")
    composer.send()
    assert ids == ["m9"] and composer.reply_to() is None  # cleared after the send
    assert not composer.reply_bar.isVisible()


def test_heart_and_attach_buttons(qtbot: QtBot) -> None:
    composer = make(qtbot)
    with qtbot.waitSignal(composer.heart_requested, timeout=1000):
        qtbot.mouseClick(composer.heart_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(composer.attach_requested, timeout=1000):
        qtbot.mouseClick(composer.attach_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_accessible_names_and_tooltips(qtbot: QtBot, lang: str) -> None:
    composer = make(qtbot, lang=lang)
    composer.set_reply_to("m1", "x")
    composer.set_text("😀" * 300)
    names = [control.accessibleName() for control in composer.controls()]
    assert all(names), names
    assert len(set(names)) == len(names)
    for button in (composer.emoji_button, composer.saved_button, composer.attach_button):
        assert "Ctrl+" in button.toolTip()
    assert "Enter" in composer.send_button.toolTip()


def test_tab_order(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.activateWindow()
    composer.set_text("halo")
    composer.editor.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is composer.editor, timeout=1000)
    reached = [QApplication.focusWidget()]
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == [
        composer.editor,
        composer.emoji_button,
        composer.saved_button,
        composer.attach_button,
        composer.heart_button,
        composer.send_button,
    ]
    assert composer.text() == "halo"  # Tab moved on, it typed nothing
