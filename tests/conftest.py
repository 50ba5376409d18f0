"""Shared test set-up: Qt offscreen, the `gui` marker, no keyring or token from the machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the real keyring or a token from the developer's environment.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
for _variable in ("IGDESK_ACCESS_TOKEN", "IGDESK_APP_SECRET", "IGDESK_VERIFY_TOKEN"):
    os.environ.pop(_variable, None)

GUI_DIR = Path(__file__).parent / "gui"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if GUI_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
