"""The picture cache on disk: a size cap (oldest out first), its figures and "Clear" in Settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from igdesk.config import Settings
from igdesk.i18n import Words
from igdesk.ui import image_cache, image_decode
from igdesk.ui.aio import TaskOwner
from igdesk.ui.images import ImageStore
from igdesk.ui.settings_app_page import MB, AppSettingsPage
from igdesk.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import RunUntil
from tests.gui.test_images import ImageServer, make_png


@pytest.fixture
def cdn() -> Iterator[ImageServer]:
    server = ImageServer(make_png(400, 300))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _file(directory: Path, name: str, size: int, age: int) -> Path:
    path = directory / f"{name}.img"
    path.write_bytes(b"x" * size)
    os.utime(path, (1_700_000_000 + age, 1_700_000_000 + age))
    return path


def test_trim_removes_the_oldest_until_under_the_cap(tmp_path: Path) -> None:
    for age, name in enumerate("abcdef"):
        _file(tmp_path, name, 1000, age)  # a is the oldest
    (tmp_path / ".tmp-writing.img").write_bytes(b"y" * 5000)  # a download in progress
    assert image_cache.usage(tmp_path) == image_cache.Usage(6, 6000)
    assert image_cache.trim(tmp_path, 10_000) == 6000  # under the cap: nothing goes
    left = image_cache.trim(tmp_path, 4000)  # over: down to 90 % of the cap
    assert left == 3000
    assert sorted(p.name for p in tmp_path.glob("[!.]*.img")) == ["d.img", "e.img", "f.img"]
    assert (tmp_path / ".tmp-writing.img").exists()
    assert image_cache.clear(tmp_path) == 3000
    assert image_cache.usage(tmp_path) == image_cache.Usage(0, 0)
    assert image_cache.usage(tmp_path / "never made") == image_cache.Usage(0, 0)


def test_a_picture_read_from_the_cache_is_the_last_to_go(tmp_path: Path) -> None:
    """Trimming goes by last use, not by download time: the pictures the owner keeps
    looking at (whose Instagram links may have expired) stay."""
    viewed = tmp_path / "viewed.img"
    viewed.write_bytes(make_png(40, 30))
    os.utime(viewed, (1_700_000_000, 1_700_000_000))  # downloaded long ago
    for age, name in enumerate("abc", start=1):
        _file(tmp_path, name, len(viewed.read_bytes()), age)
    assert image_decode.load_cached(viewed) is not None  # shown again today
    image_cache.trim(tmp_path, 3 * len(viewed.read_bytes()))
    assert viewed.exists() and not (tmp_path / "a.img").exists()


def test_image_store_over_its_cap_drops_the_oldest(
    qtbot: QtBot, qloop: object, run_until: RunUntil, cdn: ImageServer, tmp_path: Path
) -> None:
    png_size = len(cdn.png)
    cache = tmp_path / "images"
    cache.mkdir()
    old = _file(cache, "old", 3 * png_size, 0)  # an old picture from an earlier run
    store = ImageStore(cache, disk_cap=4 * png_size)
    try:
        for i in range(3):
            url = f"{cdn.url}/img/{i}.png"
            with qtbot.waitSignal(store.ready, timeout=5000):
                store.state(url)
            run_until(qtbot, store.trimmed(), 5000)
        usage = run_until(qtbot, store.disk_usage(), 5000)
        assert usage.bytes <= 4 * png_size
        assert not old.exists()  # the oldest went first
        assert usage.files == 3  # the three new pictures stayed
        store.set_disk_cap(png_size)
        run_until(qtbot, store.trimmed(), 5000)
        assert run_until(qtbot, store.disk_usage(), 5000).files <= 1
    finally:
        run_until(qtbot, store.aclose(), 5000)


def test_settings_show_the_cache_and_clear_it(
    qtbot: QtBot,
    qloop: object,
    run_until: RunUntil,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cache = tmp_path / "images"
    cache.mkdir()
    for i in range(3):
        _file(cache, f"p{i}", MB // 2, i)
    store = ImageStore(cache)
    tasks = TaskOwner("test")
    settings = Settings()
    page = AppSettingsPage(settings, Words("en"), images=store, tasks=tasks)
    dialog = SettingsDialog(settings, tmp_path / "settings.json", lang="en", app_page=page)
    qtbot.addWidget(dialog)
    try:
        qtbot.waitUntil(lambda: page.cache_label.text() == "Now 1.5 MB, 3 pictures.", timeout=3000)
        page.clear_button.click()
        qtbot.waitUntil(lambda: page.cache_label.text() == "Now 0 KB, 0 pictures.", timeout=3000)
        assert list(cache.glob("*.img")) == []
        # Quiet hours, the cap and start at login are saved with OK.
        page.quiet_box.setChecked(True)
        page.cache_spin.setValue(500)
        page.autostart_box.setChecked(True)
        dialog.accept()
        assert (settings.quiet_hours_from, settings.quiet_hours_until) == ("22:00", "07:00")
        assert settings.image_cache_mb == 500
        assert store.disk_cap == 500 * MB
        assert (tmp_path / "config" / "autostart" / "igdesk.desktop").is_file()
        assert page in dialog.findChildren(AppSettingsPage)
        assert page.clear_button in dialog.controls()
    finally:
        run_until(qtbot, tasks.cancel_all(), 5000)
        run_until(qtbot, store.aclose(), 5000)
