"""ProfileLock: one long-running igdesk per profile; a crashed holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from igdesk.single_instance import ProfileLock, channel_name

HOLD = """
import sys, time
from pathlib import Path
from igdesk.single_instance import ProfileLock
lock = ProfileLock(Path(sys.argv[1]))
assert lock.acquire(sys.argv[2])
print("locked", flush=True)
time.sleep(120)
"""


@contextmanager
def held_by_another_process(profile: Path, what: str = "window") -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(profile), what], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(30)
        if holder.stdout is not None:
            holder.stdout.close()


def test_acquire_release_and_holder(tmp_path: Path) -> None:
    lock = ProfileLock(tmp_path / "profile")
    assert lock.holder() is None
    assert lock.acquire("window") and lock.held
    holder = lock.holder()
    assert holder is not None and (holder.pid, holder.what) == (os.getpid(), "window")
    assert lock.acquire("window")  # already ours
    lock.release()
    assert not lock.held
    with ProfileLock(tmp_path / "profile") as again:
        assert again.acquire("sync --watch")


@pytest.mark.slow
def test_another_process_holds_it_then_crashes(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    with held_by_another_process(profile, "sync --watch") as other:
        lock = ProfileLock(profile)
        waited: list[float] = []
        now = [0.0]

        def sleep(seconds: float) -> None:
            waited.append(seconds)
            now[0] += seconds

        assert not lock.acquire("window", wait=1.0, clock=lambda: now[0], sleep=sleep)
        assert sum(waited) >= 1.0  # it waited as long as asked, on the given clock
        holder = lock.holder()
        assert holder is not None and (holder.pid, holder.what) == (other.pid, "sync --watch")
        other.send_signal(signal.SIGKILL)  # a crash: no clean-up runs
        other.wait(30)
        assert lock.acquire("window")  # the OS dropped the dead process's lock
        holder = lock.holder()
        assert holder is not None and holder.pid == os.getpid()
        lock.release()


def test_channel_names_differ_per_profile(tmp_path: Path) -> None:
    one, two = channel_name(tmp_path / "a"), channel_name(tmp_path / "b")
    assert one != two and one == channel_name(tmp_path / "a" / ".." / "a")
    assert one.startswith("igdesk-") and len(one) < 40
