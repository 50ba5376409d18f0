"""Composer: saved replies by "/shortcut" and from the menu, and the emoji picker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.domain import Window, WindowState
from igdesk.i18n import Words
from igdesk.ui.composer import Composer
from igdesk.ui.emoji_picker import EMOJI
from igdesk.ui.saved_replies import SavedRepliesModel, from_settings

NOW = datetime(2024, 11, 25, 14, 0, tzinfo=UTC)
REPLIES = [
    {"shortcut": "harga", "text": "Harga kaos Rp 85.000 kak"},
    {"shortcut": "rek", "text": "BCA 123 456 7890\na.n. Toko Maju"},
    {"shortcut": "jam", "text": "Buka jam 09.00–17.00 😊"},
]


def make(qtbot: QtBot, replies: list[dict[str, str]] | None = None) -> Composer:
    settings = Settings(saved_replies=list(REPLIES if replies is None else replies))
    composer = Composer(Words("en"), settings)
    qtbot.addWidget(composer)
    composer.set_thread("t1", "")
    composer.set_window(Window(WindowState.OPEN, NOW + timedelta(hours=5)), NOW, human_agent=False)
    composer.show()
    qtbot.waitExposed(composer)
    composer.activateWindow()
    composer.editor.setFocus()
    return composer


def test_typing_slash_and_a_prefix_offers_matching_replies(qtbot: QtBot) -> None:
    composer = make(qtbot)
    popup = composer.editor.popup()
    qtbot.keyClicks(composer.editor, "Halo kak /")
    qtbot.waitUntil(popup.isVisible, timeout=1000)
    assert composer.editor.completer.completionCount() == 3
    qtbot.keyClicks(composer.editor, "har")
    assert composer.editor.completer.completionCount() == 1
    assert popup.currentIndex().data() == "/harga — Harga kaos Rp 85.000 kak"
    texts: list[str] = []
    composer.send_requested.connect(texts.append)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # chooses; does not send
    assert composer.text() == "Halo kak Harga kaos Rp 85.000 kak"
    assert texts == [] and not popup.isVisible()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert texts == ["Halo kak Harga kaos Rp 85.000 kak"]


def test_prefix_is_case_insensitive_and_multiline_text_is_kept(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.editor.insertPlainText("😀 ")  # an emoji before: UTF-16 positions differ
    qtbot.keyClicks(composer.editor, "/RE")
    popup = composer.editor.popup()
    qtbot.waitUntil(popup.isVisible, timeout=1000)
    qtbot.keyClick(popup, Qt.Key.Key_Tab)
    assert composer.text() == "😀 BCA 123 456 7890\na.n. Toko Maju"


def test_slash_inside_a_word_or_no_match_opens_nothing(qtbot: QtBot) -> None:
    composer = make(qtbot)
    popup = composer.editor.popup()
    qtbot.keyClicks(composer.editor, "https://x")
    assert not popup.isVisible()
    composer.set_text("")
    qtbot.keyClicks(composer.editor, "/zzz")
    assert not popup.isVisible()
    empty = make(qtbot, replies=[])
    qtbot.keyClicks(empty.editor, "/")
    assert not empty.editor.popup().isVisible()


def test_escape_closes_the_popup_and_keeps_the_text(qtbot: QtBot) -> None:
    composer = make(qtbot)
    popup = composer.editor.popup()
    qtbot.keyClicks(composer.editor, "/j")
    qtbot.waitUntil(popup.isVisible, timeout=1000)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible() and composer.text() == "/j"


def test_menu_lists_every_reply_and_inserts_at_the_cursor(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.set_text("Info: ")
    qtbot.mouseClick(composer.saved_button, Qt.MouseButton.LeftButton)
    menu = composer.saved_menu
    qtbot.waitUntil(menu.isVisible, timeout=1000)
    labels = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert labels[:3] == [
        "/harga — Harga kaos Rp 85.000 kak",
        "/rek — BCA 123 456 7890 a.n. Toko Maju",
        "/jam — Buka jam 09.00–17.00 😊",
    ]
    menu.actions()[2].trigger()
    menu.close()
    assert composer.text() == "Info: Buka jam 09.00–17.00 😊"
    with qtbot.waitSignal(composer.edit_saved_replies_requested, timeout=1000):
        composer.show_saved_replies_menu()
        composer.saved_menu.actions()[-1].trigger()
    composer.saved_menu.close()


def test_menu_without_replies_says_where_to_add_them(qtbot: QtBot) -> None:
    composer = make(qtbot, replies=[])
    composer.show_saved_replies_menu()
    first = composer.saved_menu.actions()[0]
    assert "Settings" in first.text() and not first.isEnabled()
    composer.saved_menu.close()


def test_settings_changes_are_seen_without_rewiring(qtbot: QtBot) -> None:
    composer = make(qtbot, replies=[])
    composer._settings.saved_replies = [{"shortcut": "ok", "text": "Siap kak"}]
    qtbot.keyClicks(composer.editor, "/o")
    qtbot.waitUntil(composer.editor.popup().isVisible, timeout=1000)
    qtbot.keyClick(composer.editor.popup(), Qt.Key.Key_Return)
    assert composer.text() == "Siap kak"


def test_emoji_picker_inserts_at_the_cursor(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.set_text("Makasih ")
    qtbot.mouseClick(composer.emoji_button, Qt.MouseButton.LeftButton)
    picker = composer.emoji_picker
    qtbot.waitUntil(picker.isVisible, timeout=1000)
    assert len(picker.buttons()) == len(EMOJI) == 60
    heart = picker.buttons()[EMOJI.index("❤️")]
    assert heart.accessibleName() == "heavy black heart"
    qtbot.mouseClick(heart, Qt.MouseButton.LeftButton)
    assert not picker.isVisible()
    assert composer.text() == "Makasih ❤️"
    assert composer.byte_count() == len("Makasih ❤️".encode())


def test_emoji_grid_moves_with_arrow_keys(qtbot: QtBot) -> None:
    composer = make(qtbot)
    composer.emoji_button.click()
    picker = composer.emoji_picker
    qtbot.waitUntil(picker.isVisible, timeout=1000)
    buttons = picker.buttons()
    buttons[0].setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Right)
    qtbot.keyClick(picker, Qt.Key.Key_Down)
    assert picker.grid.focusWidget() is buttons[11]
    picker.close()


def test_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = SavedRepliesModel()
    model.set_replies(from_settings(REPLIES))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 3
