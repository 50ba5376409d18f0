"""A keyring backend that keeps passwords in a JSON file named by IGDESK_TEST_KEYRING_FILE:
for `igdesk` run as a subprocess in tests (PYTHON_KEYRING_BACKEND=tests.file_keyring.FileKeyring),
so one command stores a token and the next finds it, with no OS keyring."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["IGDESK_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._load()
        items[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(items), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        items = self._load()
        items.pop(f"{service}/{username}", None)
        self._path.write_text(json.dumps(items), encoding="utf-8")
