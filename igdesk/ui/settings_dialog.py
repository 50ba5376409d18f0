"""Settings dialog: notifications, sound, read receipts, Human Agent, the composer's keys and typing
indicator, saved replies, language and polling.

Open it with `open()` (or `await dialog.ask()`), never `exec()`: a nested loop inside a qasync
slot re-enters the event loop. OK saves the profile's settings file, updates the `Settings`
object in place (so the tray and the poller see the change) and emits `saved(settings)`; Cancel
changes nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from igdesk.config import Settings
from igdesk.domain import Folder
from igdesk.i18n import N_, Words, available_languages, choose_language, language_name
from igdesk.ui import aio, saved_replies
from igdesk.ui.aio import run_dialog
from igdesk.ui.buttons import ok_cancel
from igdesk.ui.saved_replies import SavedRepliesEditor

if TYPE_CHECKING:
    from igdesk.ui.settings_app_page import AppSettingsPage

POLL_MIN_S = 30
POLL_MAX_S = 15 * 60
POLL_STEP_S = 30
NOTIFY_FOLDERS = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS)
NOTIFY_LABELS = {
    Folder.PRIMARY: N_("&Primary"),
    Folder.GENERAL: N_("&General"),
    Folder.REQUESTS: N_("&Requests"),
}


def _plain(label: str) -> str:
    """A label without its mnemonic marker, for accessible names."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":")


class SettingsDialog(QDialog):
    """Edits one profile's `Settings`; see the module docstring. Signal: `saved(Settings)`."""

    saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        path: Path,
        *,
        lang: str = "",
        app_page: AppSettingsPage | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.app_page = app_page  # "On this computer" (igdesk/ui/settings_app_page.py)
        self._path = path
        self._words = words = Words(lang or choose_language(settings.language))
        self.setWindowTitle(words("Settings"))
        self.setAccessibleName(words("Settings"))

        self.folder_boxes: dict[Folder, QCheckBox] = {}
        notify_group = QGroupBox(words("Notifications"))
        notify_layout = QVBoxLayout(notify_group)
        notify_hint = words("Show a desktop notification for new messages in:")
        hint = QLabel(notify_hint)
        hint.setWordWrap(True)
        notify_layout.addWidget(hint)
        for folder in NOTIFY_FOLDERS:
            box = self._check(words(NOTIFY_LABELS[folder]), folder.value in settings.notify_folders)
            box.setAccessibleDescription(notify_hint)
            self.folder_boxes[folder] = box
            notify_layout.addWidget(box)
        self.sound_box = self._check(words("Play a &sound"), settings.notify_sound)
        notify_layout.addWidget(self.sound_box)

        messages_group = QGroupBox(words("Messages"))
        messages_layout = QVBoxLayout(messages_group)
        self.receipts_box = self._check(words("Send read re&ceipts"), settings.send_read_receipts)
        self.human_agent_box = self._check(
            words("I have the &Human Agent permission"), settings.human_agent_allowed
        )
        human_agent_hint = words(
            "Lets you reply up to 7 days after a customer's last message. "
            "Turn it on only if Meta approved this permission for your app."
        )
        self.human_agent_box.setAccessibleDescription(human_agent_hint)
        explanation = QLabel(human_agent_hint)
        explanation.setWordWrap(True)
        explanation.setEnabled(False)  # drawn as secondary text
        messages_layout.addWidget(self.receipts_box)
        messages_layout.addWidget(self.human_agent_box)
        messages_layout.addWidget(explanation)
        self.enter_sends_box = self._check(
            words("Enter &key sends (Shift+Enter adds a line; off: Ctrl+Enter sends)"),
            settings.enter_sends,
        )
        self.typing_box = self._check(
            words("Show &typing to the customer while I write"), settings.typing_indicator
        )
        messages_layout.addWidget(self.enter_sends_box)
        messages_layout.addWidget(self.typing_box)

        saved_group = QGroupBox(words("Saved replies"))
        saved_layout = QVBoxLayout(saved_group)
        saved_hint = QLabel(
            words(
                "Type / and a shortcut in the reply box (for example /harga) to insert one "
                "of these."
            )
        )
        saved_hint.setWordWrap(True)
        saved_layout.addWidget(saved_hint)
        self.saved_replies = SavedRepliesEditor(
            saved_replies.from_settings(settings.saved_replies), words
        )
        saved_layout.addWidget(self.saved_replies)

        app_group = QGroupBox(words("App"))
        form = QFormLayout(app_group)
        self.language_combo = QComboBox()
        self.language_combo.addItem(words("System"), "")
        for code in available_languages():
            self.language_combo.addItem(language_name(code), code)  # each in its own words
        index = self.language_combo.findData(settings.language)
        self.language_combo.setCurrentIndex(max(index, 0))
        language_text = words("&Language:")
        self.language_combo.setAccessibleName(_plain(language_text))
        restart_hint = words("A new language shows the next time igdesk starts.")
        self.language_combo.setAccessibleDescription(restart_hint)
        self.language_hint = QLabel(restart_hint)
        self.language_hint.setWordWrap(True)
        self.language_hint.setEnabled(False)  # drawn as secondary text
        self.poll_spin = QSpinBox()
        self.poll_spin.setRange(POLL_MIN_S, POLL_MAX_S)
        self.poll_spin.setSingleStep(POLL_STEP_S)
        # TRANSLATORS: after the number of seconds between checks, with its leading space.
        self.poll_spin.setSuffix(words(" s"))
        self.poll_spin.setValue(round(settings.poll_interval_seconds))  # clamped to the range
        poll_text = words("Check for new messages &every:")
        self.poll_spin.setAccessibleName(_plain(poll_text))
        language_label = QLabel(language_text)
        language_label.setBuddy(self.language_combo)
        poll_label = QLabel(poll_text)
        poll_label.setBuddy(self.poll_spin)
        form.addRow(language_label, self.language_combo)
        form.addRow("", self.language_hint)
        form.addRow(poll_label, self.poll_spin)

        self.buttons = ok_cancel(words)
        for role in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel):
            button = self.buttons.button(role)
            button.setAccessibleName(button.text())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        for group in (notify_group, messages_group, saved_group, app_group, app_page):
            if group is not None:
                body.addWidget(group)
        # Taller than a small screen: the groups scroll, OK and Cancel stay in view.
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._fit(content)

        chain = self.controls()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        chain[0].setFocus()

    def _fit(self, content: QWidget) -> None:
        """As tall as the groups need, up to 80 % of the screen's free height."""
        screen = self.screen().availableGeometry()
        hint = content.sizeHint()
        extra = self.buttons.sizeHint().height() + 48
        self.resize(hint.width() + 40, min(hint.height() + extra, int(screen.height() * 0.8)))

    def _check(self, label: str, checked: bool) -> QCheckBox:
        box = QCheckBox(label)
        box.setChecked(checked)
        box.setAccessibleName(_plain(label))
        return box

    def controls(self) -> list[QWidget]:
        """Every control, in tab order."""
        return [
            *self.folder_boxes.values(),
            self.sound_box,
            self.receipts_box,
            self.human_agent_box,
            self.enter_sends_box,
            self.typing_box,
            *self.saved_replies.controls(),
            self.language_combo,
            self.poll_spin,
            *(self.app_page.controls() if self.app_page is not None else []),
            self.buttons.button(QDialogButtonBox.StandardButton.Ok),
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ]

    def edited(self) -> Settings:
        """The settings as the dialog shows them now (a copy; nothing saved)."""
        chosen = dataclasses.replace(
            self._settings,
            notify_folders=[f.value for f, box in self.folder_boxes.items() if box.isChecked()],
            notify_sound=self.sound_box.isChecked(),
            send_read_receipts=self.receipts_box.isChecked(),
            human_agent_allowed=self.human_agent_box.isChecked(),
            language=str(self.language_combo.currentData() or ""),
            poll_interval_seconds=float(self.poll_spin.value()),
            enter_sends=self.enter_sends_box.isChecked(),
            typing_indicator=self.typing_box.isChecked(),
            saved_replies=saved_replies.to_settings(self.saved_replies.replies()),
        )
        return chosen if self.app_page is None else self.app_page.edited(chosen)

    def accept(self) -> None:
        """Save, then apply to the shared Settings and close; a failed save keeps it open.

        A saved reply typed but not added yet is added first; if it is refused, the dialog
        stays open with the reason shown under the saved replies.
        """
        if not self.saved_replies.commit_pending():
            self.saved_replies.shortcut_edit.setFocus()
            return
        chosen = self.edited()
        try:
            chosen.save(self._path)
        except OSError:
            aio.error(
                self._words(
                    "Could not save the settings: the profile folder is not writable. "
                    "Check the disk space and the folder's permissions, then try again."
                )
            )
            return
        for item in dataclasses.fields(Settings):
            setattr(self._settings, item.name, getattr(chosen, item.name))
        if self.app_page is not None:
            self.app_page.apply(self._settings)
        self.saved.emit(self._settings)
        super().accept()

    async def ask(self) -> bool:
        """Open the dialog (window-modal, no nested loop) and wait until it closes; True on OK."""
        return await run_dialog(self)
