"""The Instagram accounts this computer's igdesk knows: one profile folder each.

A shop with two brands keeps two accounts. Profiles already keep everything apart (archive,
settings, keyring entries under the profile's key); the `AccountBook` only lists them, in
`accounts.json` (folder and username, never a secret), so the window can offer to switch and
show each account's unread count. A new account gets a fresh folder under `new_profiles`.
Qt-free.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from igdesk.config import APP_NAME, Profile
from igdesk.domain import Folder
from igdesk.store import Archive
from igdesk.store.errors import ArchiveError

log = logging.getLogger("igdesk.accounts")

#: Folders whose unread threads count for an account's badge (Denied is out of sight).
COUNTED = (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS)


@dataclass(frozen=True)
class KnownAccount:
    """One profile folder and the username signed in there ("" before the first sign-in)."""

    profile: Path
    username: str = ""

    @property
    def label(self) -> str:
        return f"@{self.username}" if self.username else self.profile.name


class AccountBook:
    """`accounts.json` at `path`; new profiles are made under `new_profiles`."""

    def __init__(self, path: Path, new_profiles: Path) -> None:
        self.path = path
        self.new_profiles = new_profiles

    @classmethod
    def default(cls) -> AccountBook:
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "accounts.json",
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "accounts",
        )

    def accounts(self) -> list[KnownAccount]:
        """The known accounts whose folder still exists, in the order they were added."""
        return [account for account in self._read() if account.profile.is_dir()]

    def remember(self, profile: Path, username: str = "") -> None:
        """Add the profile, or set its username (a known name is never replaced by "")."""
        folder = profile.resolve()
        accounts = self._read()
        for index, account in enumerate(accounts):
            if account.profile == folder:
                if username and username != account.username:
                    accounts[index] = KnownAccount(folder, username)
                    self._write(accounts)
                return
        accounts.append(KnownAccount(folder, username))
        self._write(accounts)

    def forget(self, profile: Path) -> None:
        folder = profile.resolve()
        self._write([account for account in self._read() if account.profile != folder])

    def new_profile(self) -> Path:
        """A new, empty profile folder for another account (remembered, no username yet)."""
        self.new_profiles.mkdir(parents=True, exist_ok=True)
        number = 1
        while (self.new_profiles / f"account-{number}").exists():
            number += 1
        folder = self.new_profiles / f"account-{number}"
        folder.mkdir()
        self.remember(folder)
        return folder.resolve()

    def _read(self) -> list[KnownAccount]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            log.warning("the accounts list is unreadable; starting a new one")
            return []
        entries = data.get("accounts") if isinstance(data, dict) else None
        known = []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("profile"), str):
                username = entry.get("username")
                known.append(
                    KnownAccount(
                        Path(entry["profile"]), username if isinstance(username, str) else ""
                    )
                )
        return known

    def _write(self, accounts: list[KnownAccount]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        records = [{"profile": str(a.profile), "username": a.username} for a in accounts]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"accounts": records}, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)


def unread_threads(profile: Path) -> int | None:
    """How many of the account's conversations have unread messages (None when its archive
    cannot be read: not made yet, from a newer igdesk, damaged). Reads only."""
    path = Profile(profile).archive_path
    if not path.exists():
        return None
    try:
        with Archive.open(path, reader=True) as archive:
            counts = archive.threads.unread_counts()
    except (ArchiveError, sqlite3.DatabaseError, OSError) as error:
        log.info("unread count of another account not read: %s", type(error).__name__)
        return None
    return sum(counts[folder] for folder in COUNTED)
