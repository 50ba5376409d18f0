"""Settings, "On this computer": start at login, quiet hours, and the picture cache.

A group the Settings dialog adds under its own (igdesk/ui/settings_dialog.py). `edited()` gives
the settings it changes; `apply()` runs after the dialog saved them: it switches starting at
login in the operating system (igdesk/ui/autostart.py) and gives the picture cache its cap.
"Clear" empties the picture cache at once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from igdesk.config import Settings
from igdesk.i18n import Words
from igdesk.ui import aio, autostart
from igdesk.ui.aio import TaskOwner
from igdesk.ui.image_cache import Usage
from igdesk.ui.images import MB, ImageStore
from igdesk.ui.notify_rules import parse_clock

CACHE_MIN_MB = 20
CACHE_MAX_MB = 10_000

DEFAULT_QUIET = ("22:00", "07:00")


class AppSettingsPage(QGroupBox):
    """See the module docstring. `images` and `tasks` may be None (no picture cache figures)."""

    def __init__(
        self,
        settings: Settings,
        words: Words,
        *,
        images: ImageStore | None = None,
        tasks: TaskOwner | None = None,
        profile_dir: Path | None = None,
        autostart_allowed: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(words("On this computer"), parent)
        self._words = words
        self._images = images
        self._tasks = tasks
        self._profile_dir = profile_dir
        layout = QVBoxLayout(self)

        self.autostart_box = QCheckBox(words("Start igdesk when I &log in"))
        self.autostart_box.setChecked(autostart.is_enabled())
        # Not offered on the sandbox or another test server: the next login would open a
        # throwaway profile that is gone by then.
        self.autostart_box.setVisible(autostart_allowed)
        layout.addWidget(self.autostart_box)

        quiet_row = QHBoxLayout()
        start = parse_clock(settings.quiet_hours_from)
        end = parse_clock(settings.quiet_hours_until)
        self.quiet_box = QCheckBox(words("&Quiet hours, no notifications from"))
        self.quiet_box.setChecked(start is not None and end is not None)
        self.quiet_from = self._time_edit(settings.quiet_hours_from or DEFAULT_QUIET[0])
        self.quiet_until = self._time_edit(settings.quiet_hours_until or DEFAULT_QUIET[1])
        quiet_row.addWidget(self.quiet_box)
        quiet_row.addWidget(self.quiet_from)
        quiet_row.addWidget(QLabel(words("to")))
        quiet_row.addWidget(self.quiet_until)
        quiet_row.addStretch(1)
        layout.addLayout(quiet_row)
        self.quiet_box.toggled.connect(self._quiet_toggled)
        self._quiet_toggled(self.quiet_box.isChecked())

        cache_row = QHBoxLayout()
        cache_text = words("Keep &pictures on this computer up to")
        cache_label = QLabel(cache_text)
        self.cache_spin = QSpinBox()
        self.cache_spin.setRange(CACHE_MIN_MB, CACHE_MAX_MB)
        self.cache_spin.setSingleStep(50)
        # TRANSLATORS: after the picture cache size, with its leading space.
        self.cache_spin.setSuffix(words(" MB"))
        self.cache_spin.setValue(settings.image_cache_mb)
        self.cache_spin.setAccessibleName(cache_text.replace("&", ""))
        cache_label.setBuddy(self.cache_spin)
        self.clear_button = QPushButton(words("&Clear"))
        self.clear_button.clicked.connect(self._clear)
        cache_row.addWidget(cache_label)
        cache_row.addWidget(self.cache_spin)
        cache_row.addWidget(self.clear_button)
        cache_row.addStretch(1)
        layout.addLayout(cache_row)
        self.cache_label = QLabel()
        self.cache_label.setEnabled(False)  # drawn as secondary text
        layout.addWidget(self.cache_label)
        self.clear_button.setEnabled(images is not None and tasks is not None)
        self.refresh_usage()

    def _time_edit(self, text: str) -> QTimeEdit:
        parsed = parse_clock(text) or parse_clock(DEFAULT_QUIET[0])
        assert parsed is not None
        edit = QTimeEdit(QTime(parsed.hour, parsed.minute))
        edit.setDisplayFormat("HH:mm")
        return edit

    def _quiet_toggled(self, on: bool) -> None:
        self.quiet_from.setEnabled(on)
        self.quiet_until.setEnabled(on)

    def controls(self) -> list[QWidget]:
        return [
            self.autostart_box,
            self.quiet_box,
            self.quiet_from,
            self.quiet_until,
            self.cache_spin,
            self.clear_button,
        ]

    def edited(self, settings: Settings) -> Settings:
        """`settings` with this page's choices."""
        quiet = self.quiet_box.isChecked()
        return dataclasses.replace(
            settings,
            quiet_hours_from=self.quiet_from.time().toString("HH:mm") if quiet else "",
            quiet_hours_until=self.quiet_until.time().toString("HH:mm") if quiet else "",
            image_cache_mb=self.cache_spin.value(),
        )

    def apply(self, settings: Settings) -> None:
        """After the settings were saved: start at login, and the cache's cap."""
        wanted = self.autostart_box.isChecked()
        if self.autostart_box.isVisibleTo(self) and wanted != autostart.is_enabled():
            try:
                autostart.set_enabled(wanted, self._profile_dir)
            except OSError as error:
                aio.error(
                    self._words(
                        "igdesk could not change starting at login ({detail}). "
                        "Check your system's startup settings.",
                        detail=error.strerror or type(error).__name__,
                    )
                )
        if self._images is not None:
            self._images.set_disk_cap(settings.image_cache_mb * MB)

    # --- the picture cache ----------------------------------------------------------------

    def refresh_usage(self) -> None:
        if self._images is None or self._tasks is None:
            self.cache_label.setText("")
            return
        self._tasks.start(self._show_usage(), name="cache-usage")

    async def _show_usage(self) -> None:
        assert self._images is not None
        self.show_usage(await self._images.disk_usage())

    def show_usage(self, usage: Usage) -> None:
        size = f"{usage.bytes / MB:.1f} MB" if usage.bytes >= MB else f"{usage.bytes // 1024} KB"
        self.cache_label.setText(
            self._words.plural(
                "Now {size}, {n} picture.", "Now {size}, {n} pictures.", usage.files, size=size
            )
        )

    def _clear(self) -> None:
        if self._images is None or self._tasks is None:
            return
        self._tasks.start(self._clear_now(), name="cache-clear")

    async def _clear_now(self) -> None:
        assert self._images is not None
        self.clear_button.setEnabled(False)
        try:
            await self._images.clear_disk()
        finally:
            self.clear_button.setEnabled(True)
        await self._show_usage()
