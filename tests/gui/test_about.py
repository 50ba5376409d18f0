"""About (igdesk menu): the version from the package metadata, where the logs are, and the
bundled libraries with their licences; Settings shows the "On this computer" group."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from igdesk.logsetup import log_path
from igdesk.ui.about import AboutDialog
from igdesk.ui.main_window import MainWindow
from igdesk.ui.settings_app_page import AppSettingsPage
from igdesk.ui.settings_dialog import SettingsDialog
from igdesk.version import libraries, version


def _menu_action(window: MainWindow, text: str) -> None:
    menu = window.menuBar().actions()[0].menu()
    action = next(a for a in menu.actions() if a.text() == text)
    action.trigger()


def _open(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_about_shows_version_logs_and_licences(window: MainWindow, qtbot: QtBot) -> None:
    assert version() == importlib.metadata.version("igdesk")
    _menu_action(window, "&About igdesk")
    qtbot.waitUntil(lambda: len(_open(AboutDialog)) == 1, timeout=3000)
    about = _open(AboutDialog)[0]
    assert f"igdesk {version()}" in about.version_label.text()
    assert str(log_path(window.app.profile)) in about.logs_label.text()
    rows = {
        about.table.item(row, 0).text(): about.table.item(row, 2).text()
        for row in range(about.table.rowCount())
    }
    assert rows["Qt"] == "LGPL-3.0-only" and rows["PySide6"] == "LGPL-3.0-only"
    assert rows["httpx"] == "BSD-3-Clause" and rows["Python"] == "PSF-2.0"
    assert len(rows) == len(libraries())
    about.reject()


def test_settings_has_the_on_this_computer_group(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    window.dialogs.open_settings()
    qtbot.waitUntil(lambda: len(_open(SettingsDialog)) == 1, timeout=3000)
    dialog = _open(SettingsDialog)[0]
    assert isinstance(dialog.app_page, AppSettingsPage)
    assert not dialog.app_page.autostart_box.isChecked()  # off by default
    # On a test server (this window talks to the sandbox) it is not even offered: the next
    # login would open a profile pointed at a server that is gone.
    assert dialog.app_page.autostart_box.isHidden()
    assert dialog.app_page.cache_spin.value() == window.app.settings.image_cache_mb
    dialog.reject()
