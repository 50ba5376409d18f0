"""One sign-in at a time per profile: a lock file every window (and `igdesk login`) takes
before it stores a token, so two windows finishing at once cannot interleave their writes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import IO

from igdesk.config import Profile
from igdesk.signin.texts import BUSY, SignInError

LOCK_FILE = "signin.lock"


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.asynccontextmanager
async def signin_lock(
    profile: Profile,
    *,
    wait: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[None]:
    """Hold the profile's sign-in lock; waits up to `wait` seconds for another holder (in this
    process or another), then refuses with a sentence. The OS drops it if igdesk dies."""
    profile.ensure()
    handle = open(profile.directory / LOCK_FILE, "a+b")  # noqa: SIM115 (held across awaits)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise SignInError(BUSY, technical="sign-in lock held by another window")
            await sleep(0.05)
        try:
            yield
        finally:
            if sys.platform == "win32":
                import msvcrt

                with contextlib.suppress(OSError):
                    msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    finally:
        handle.close()  # closing releases a flock


def lock_path(profile: Profile) -> os.PathLike[str]:
    return profile.directory / LOCK_FILE
