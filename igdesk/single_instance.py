"""One running igdesk per profile: an OS file lock on `<profile>/igdesk.lock`.

The window and `sync --watch` (the long-running ones: they poll, send the outbox and may
receive webhooks) hold the lock while they run, so two of them never work one archive or bind
its webhook port. The lock is the operating system's (flock on Linux and macOS, a locked byte
on Windows): it dies with its process, so a crash never leaves a stale lock behind; the file
stays, and only says who held it last (pid, what, since when) for the sentence a refused start
shows. Short commands (`sync --once`, `export`) do not take it: they share the archive through
SQLite's own write lock, which they wait for (igdesk/store/archive.py).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_FILE = "igdesk.lock"
#: Where the Windows lock byte sits: past the text, which other processes must still read.
_WINDOWS_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a profile: a process id and what it runs ("window", ...)."""

    pid: int
    what: str
    since: float


class ProfileLock:
    """The lock of one profile folder; `acquire` once, `release` (or process exit) frees it."""

    def __init__(self, profile_dir: Path) -> None:
        self.path = profile_dir / LOCK_FILE
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(
        self,
        what: str,
        *,
        wait: float = 0.0,
        poll: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Take the lock for `what`; False when another process holds it after `wait` seconds."""
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = clock() + wait
        while True:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while locked)
            if _try_lock(handle):
                break
            handle.close()
            if clock() >= deadline:
                return False
            sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "what": what, "since": time.time()}))
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> Holder | None:
        """Who wrote the lock file last (the holder, while `acquire` fails); None if unknown."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return Holder(int(data["pid"]), str(data["what"]), float(data["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def release(self) -> None:
        if self._file is None:
            return
        handle, self._file = self._file, None
        with contextlib.suppress(OSError):
            _unlock(handle)
        handle.close()

    def __enter__(self) -> ProfileLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def channel_name(profile_dir: Path) -> str:
    """The local socket name a profile's window listens on for later launches (per user)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (some containers): the profile path suffices
        user = ""
    key = f"{user}\0{profile_dir.resolve()}".encode()
    return "igdesk-" + hashlib.sha256(key).hexdigest()[:16]
