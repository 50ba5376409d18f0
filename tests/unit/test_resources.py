"""igdesk/resources.py: one rule finds resources in a checkout and in the PyInstaller bundle."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from igdesk import i18n, resources
from igdesk.sandbox import media, scenario

CHECKOUT = Path(__file__).resolve().parents[2] / "resources"


def test_in_a_checkout_resources_sit_beside_the_package() -> None:
    assert not resources.frozen()
    assert resources.root() == CHECKOUT
    assert resources.missing() == []
    assert i18n.locale_dir() == CHECKOUT / "locale"
    assert scenario.DEFAULT_SCENARIO == CHECKOUT / "sandbox" / "scenario.json"
    assert media.RESOURCES == CHECKOUT / "sandbox"


def test_frozen_resources_are_found_under_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "_internal"
    shutil.copytree(CHECKOUT, bundle / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources.frozen()
    assert resources.root() == bundle / "resources"
    assert resources.path("sandbox", "scenario.json").is_file()
    assert i18n.locale_dir() == bundle / "resources" / "locale"
    assert "id" in i18n.available_languages()
    assert resources.missing() == []


def test_a_damaged_bundle_names_what_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "_internal"
    shutil.copytree(CHECKOUT, bundle / "resources")
    shutil.rmtree(bundle / "resources" / "locale")
    (bundle / "resources" / "sandbox" / "scenario.json").unlink()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources.missing() == ["locale", "sandbox/scenario.json"]
