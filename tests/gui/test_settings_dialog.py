"""SettingsDialog: defaults, saving on OK only, both languages, accessibility and the keyboard."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.ui import aio
from igdesk.ui.settings_dialog import SettingsDialog


def make(qtbot: QtBot, tmp_path: Path, settings: Settings | None = None, lang: str = "en") -> Any:
    dialog = SettingsDialog(settings or Settings(), tmp_path / "settings.json", lang=lang)
    qtbot.addWidget(dialog)
    return dialog


def ok(dialog: SettingsDialog) -> QAbstractButton:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_defaults_have_every_notification_off(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    assert not any(box.isChecked() for box in dialog.folder_boxes.values())
    assert set(dialog.folder_boxes) == {Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS}
    assert not dialog.sound_box.isChecked()
    assert dialog.receipts_box.isChecked()
    assert not dialog.human_agent_box.isChecked()
    assert dialog.language_combo.currentData() == ""
    assert dialog.poll_spin.value() == 60
    assert (dialog.poll_spin.minimum(), dialog.poll_spin.maximum()) == (30, 900)
    assert dialog.enter_sends_box.isChecked()
    assert not dialog.typing_box.isChecked()
    assert dialog.saved_replies.replies() == []
    assert dialog.saved_replies.empty_label.isVisibleTo(dialog)  # with an example
    assert "/harga" in dialog.saved_replies.empty_label.text()
    assert dialog.saved_replies.shortcut_edit.placeholderText() == "harga"


def test_ok_saves_to_the_file_and_updates_settings(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings()
    dialog = make(qtbot, tmp_path, settings)
    dialog.open()
    qtbot.keyClick(dialog.folder_boxes[Folder.PRIMARY], Qt.Key.Key_Space)
    dialog.folder_boxes[Folder.REQUESTS].setChecked(True)
    dialog.sound_box.setChecked(True)
    dialog.receipts_box.setChecked(False)
    dialog.human_agent_box.setChecked(True)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("id"))
    dialog.poll_spin.setValue(300)
    dialog.enter_sends_box.setChecked(False)
    dialog.typing_box.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=1000) as blocker:
        qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    assert blocker.args == [settings]
    assert not dialog.isVisible()
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert saved["notify_folders"] == ["primary", "requests"]
    assert saved["notify_sound"] is True
    assert saved["send_read_receipts"] is False
    assert saved["human_agent_allowed"] is True
    assert saved["language"] == "id"
    assert saved["poll_interval_seconds"] == 300.0
    assert saved["enter_sends"] is False
    assert saved["typing_indicator"] is True
    assert saved["saved_replies"] == []
    assert settings.notify_folders == ["primary", "requests"]  # edited in place
    assert Settings.load(tmp_path / "settings.json") == settings


def test_cancel_discards(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings()
    dialog = make(qtbot, tmp_path, settings)
    dialog.open()
    dialog.folder_boxes[Folder.GENERAL].setChecked(True)
    dialog.poll_spin.setValue(600)
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not (tmp_path / "settings.json").exists()
    assert settings == Settings()


def test_existing_settings_are_shown(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(notify_folders=["general"], language="en", poll_interval_seconds=5.0)
    dialog = make(qtbot, tmp_path, settings)
    assert dialog.folder_boxes[Folder.GENERAL].isChecked()
    assert not dialog.folder_boxes[Folder.PRIMARY].isChecked()
    assert dialog.language_combo.currentData() == "en"
    assert dialog.poll_spin.value() == 30  # out-of-range values are clamped


def test_failed_save_keeps_the_dialog_open_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    dialog = SettingsDialog(Settings(), blocker_file / "settings.json", lang="en")
    qtbot.addWidget(dialog)
    dialog.open()
    with qtbot.waitSignal(aio.messages().message, timeout=1000) as blocker:
        dialog.accept()
    assert blocker.args[0] == "error" and "Could not save" in blocker.args[1]
    assert dialog.isVisible()


@pytest.mark.parametrize("lang", ["en", "id"])
def test_accessible_names_and_unique_mnemonics(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    dialog = make(qtbot, tmp_path, lang=lang)
    for control in dialog.controls():
        assert control.accessibleName(), control
        assert "&" not in control.accessibleName()
    labels = [box.text() for box in dialog.findChildren(QCheckBox)]
    labels += [label.text() for label in dialog.findChildren(QLabel) if label.buddy()]
    keys = [m.group(1).lower() for t in labels for m in [re.search(r"&(\w)", t)] if m]
    assert len(keys) == len(labels) == 12
    assert len(set(keys)) == len(keys), keys


def test_labels_in_indonesian(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path, lang="id")
    assert dialog.windowTitle() == "Pengaturan"
    assert dialog.folder_boxes[Folder.PRIMARY].accessibleName() == "Utama"
    assert ok(dialog).text() == "OK"
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Batal"
    assert dialog.language_combo.itemText(0) == "Sistem"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_language_choice_names_each_language_in_its_own_words_and_says_restart(
    qtbot: QtBot, tmp_path: Path, lang: str
) -> None:
    dialog = make(qtbot, tmp_path, lang=lang)
    combo = dialog.language_combo
    choices = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    system = "System" if lang == "en" else "Sistem"
    assert choices == [("", system), ("en", "English"), ("id", "Bahasa Indonesia")]
    restart = "next time igdesk starts" if lang == "en" else "saat igdesk dibuka lagi"
    assert restart in dialog.language_hint.text()
    assert dialog.language_hint.isVisibleTo(dialog)


def test_tab_reaches_every_control_in_order(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    controls = [control for control in dialog.controls() if control.isEnabled()]
    assert len(controls) == len(dialog.controls()) - 2  # Update/Remove wait for a selection
    controls[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is controls[0], timeout=1000)
    reached = [QApplication.focusWidget()]
    for _ in range(len(controls) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == controls


def test_mnemonic_toggles_a_switch(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=1000)
    qtbot.keyClick(dialog, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert dialog.folder_boxes[Folder.REQUESTS].hasFocus()


def test_ask_awaits_the_dialog_without_a_nested_loop(
    qtbot: QtBot, tmp_path: Path, run_until: Any
) -> None:
    dialog = make(qtbot, tmp_path)
    task = asyncio.get_running_loop().create_task(dialog.ask())
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    dialog.folder_boxes[Folder.GENERAL].setChecked(True)
    ok(dialog).click()
    assert run_until(qtbot, task, 1000) is True
    assert (tmp_path / "settings.json").exists()
    task = asyncio.get_running_loop().create_task(dialog.ask())
    qtbot.waitUntil(dialog.isVisible, timeout=1000)
    dialog.reject()
    assert run_until(qtbot, task, 1000) is False


# --- saved replies ------------------------------------------------------------------------


def fill(dialog: SettingsDialog, shortcut: str, text: str) -> None:
    dialog.saved_replies.shortcut_edit.setText(shortcut)
    dialog.saved_replies.text_edit.setPlainText(text)


def saved_file(tmp_path: Path) -> Any:
    return json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))["saved_replies"]


def test_saved_replies_add_edit_remove_are_saved(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings()
    dialog = make(qtbot, tmp_path, settings)
    dialog.open()
    editor = dialog.saved_replies
    fill(dialog, "/harga", "Rp 85.000 kak")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    fill(dialog, "rek", "BCA 123\na.n. Toko Maju")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    fill(dialog, "jam", "Buka 09.00–17.00")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.list.count() == 3 and editor.error() == ""
    assert editor.list.item(0).text() == "/harga — Rp 85.000 kak"
    assert not editor.empty_label.isVisibleTo(dialog)

    editor.list.setCurrentRow(0)  # selecting fills the fields
    assert editor.shortcut_edit.text() == "harga"
    assert editor.update_button.isEnabled() and editor.remove_button.isEnabled()
    editor.text_edit.setPlainText("Rp 90.000 kak")
    qtbot.mouseClick(editor.update_button, Qt.MouseButton.LeftButton)
    editor.list.setCurrentRow(2)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert [r.shortcut for r in editor.replies()] == ["harga", "rek"]

    with qtbot.waitSignal(dialog.saved, timeout=1000):
        ok(dialog).click()
    expected = [
        {"shortcut": "harga", "text": "Rp 90.000 kak"},
        {"shortcut": "rek", "text": "BCA 123\na.n. Toko Maju"},
    ]
    assert saved_file(tmp_path) == expected
    assert settings.saved_replies == expected
    assert Settings.load(tmp_path / "settings.json").saved_replies == expected
    again = make(qtbot, tmp_path, Settings.load(tmp_path / "settings.json"))
    assert again.saved_replies.list.count() == 2


@pytest.mark.parametrize(
    ("shortcut", "text", "sentence"),
    [
        ("har ga", "x", "can't contain spaces"),
        ("rek", "x", "/rek is already used"),
        ("", "x", "Type a shortcut"),
        ("baru", " ", "Type the text"),
    ],
)
def test_saved_reply_validation_says_why(
    qtbot: QtBot, tmp_path: Path, shortcut: str, text: str, sentence: str
) -> None:
    dialog = make(qtbot, tmp_path, Settings(saved_replies=[{"shortcut": "rek", "text": "BCA"}]))
    dialog.open()
    editor = dialog.saved_replies
    fill(dialog, shortcut, text)
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert sentence in editor.error()
    assert editor.error_label.isVisibleTo(dialog)
    assert editor.error_label.accessibleName() == editor.error()
    assert len(editor.replies()) == 1
    with qtbot.assertNotEmitted(dialog.saved):
        ok(dialog).click()  # what is typed is not dropped: OK refuses and stays open
    assert dialog.isVisible()


def test_ok_keeps_a_reply_typed_but_not_added(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path)
    dialog.open()
    fill(dialog, "ok", "Siap kak")
    with qtbot.waitSignal(dialog.saved, timeout=1000):
        ok(dialog).click()
    assert saved_file(tmp_path) == [{"shortcut": "ok", "text": "Siap kak"}]


def test_saved_replies_in_indonesian(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make(qtbot, tmp_path, lang="id")
    editor = dialog.saved_replies
    assert editor.add_button.text() == "Tambah"
    assert editor.list.accessibleName() == "Balasan tersimpan"
    assert "Contoh: /harga" in editor.empty_label.text()
    fill(dialog, "a b", "x")
    editor.add()
    assert "tidak boleh berisi spasi" in editor.error()
