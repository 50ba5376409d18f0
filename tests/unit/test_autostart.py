"""Start at login on Linux: an XDG autostart entry under $XDG_CONFIG_HOME, off by default."""

from __future__ import annotations

import configparser
import shlex
import sys
from pathlib import Path

import pytest

from igdesk import resources
from igdesk.ui import autostart

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="the XDG autostart entry is the Linux way"
)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_off_by_default_then_on_and_off(xdg: Path, tmp_path: Path) -> None:
    assert not autostart.is_enabled()
    profile = tmp_path / "my shop's profile"
    autostart.set_enabled(True, profile)
    entry = xdg / "autostart" / "igdesk.desktop"
    assert autostart.is_enabled() and entry.is_file()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(entry.read_text(encoding="utf-8"))
    desktop = parser["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Icon"] == str(resources.path("icons", "igdesk.png"))
    assert Path(desktop["Icon"]).is_file()
    argv = shlex.split(desktop["Exec"].replace("%%", "%"))
    assert argv == [sys.executable, "-m", "igdesk", "--profile", str(profile.resolve())]
    autostart.set_enabled(False)
    assert not autostart.is_enabled() and not entry.exists()
    autostart.set_enabled(False)  # already off: nothing to do, no error


def test_frozen_runs_the_bundle_binary(
    xdg: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert autostart.command() == [sys.executable]


def test_an_unwritable_config_folder_raises_oserror(xdg: Path) -> None:
    xdg.mkdir()
    (xdg / "autostart").write_text("a file where the folder should be")
    with pytest.raises(OSError):
        autostart.set_enabled(True)
    assert not autostart.is_enabled()
