"""Shared test set-up: Qt offscreen, the `gui` marker, no keyring or token from the machine, and
an in-memory keyring for tests that store secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the real keyring or a token from the developer's environment.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
for _variable in (
    "IGDESK_ACCESS_TOKEN",
    "IGDESK_APP_SECRET",
    "IGDESK_META_APP_SECRET",
    "IGDESK_VERIFY_TOKEN",
    "IGDESK_NGROK_AUTHTOKEN",
    "IGDESK_CLOUDFLARE_TUNNEL_TOKEN",
    "NGROK_AUTHTOKEN",
    "TUNNEL_TOKEN",
):
    os.environ.pop(_variable, None)

GUI_DIR = Path(__file__).parent / "gui"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if GUI_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A keyring in memory for this test (secrets.put/get work; nothing reaches the machine)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
