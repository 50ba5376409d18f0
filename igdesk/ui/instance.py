"""One window per profile: the first launch claims the profile, a later one hands over and exits.

`claim(args, lang)` runs before the window's loop starts. It takes the profile's lock
(igdesk/single_instance.py) and starts the hand-off server (igdesk/ui/handoff.py); when another
window holds the lock it sends its request there (bring the window forward, open `--thread`)
and gives the exit code instead. A `sync --watch` holding the profile, or a window that does not
answer, is a sentence. The sandbox without `--profile` runs on a throwaway profile: nothing to
claim.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from igdesk.config import Profile
from igdesk.i18n import Words
from igdesk.single_instance import ProfileLock, channel_name
from igdesk.ui.handoff import HandoffServer, Request, hand_off

log = logging.getLogger("igdesk.ui.instance")

#: How long a later launch keeps trying to reach a window that is still starting.
HANDOFF_WAIT_S = 10.0
EXIT_OK, EXIT_FAILED = 0, 1


@dataclass
class Claim:
    """What the first window holds while it runs; `release` at the end."""

    lock: ProfileLock | None = None
    server: HandoffServer | None = None

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.lock is not None:
            self.lock.release()


def profile_dir(args: argparse.Namespace) -> Path | None:
    if args.profile is not None:
        return Path(args.profile)
    return None if args.sandbox else Profile.default().directory


def claim(args: argparse.Namespace, lang: str, *, wait_s: float = HANDOFF_WAIT_S) -> Claim | int:
    """The profile for this window, or the exit code of a launch that handed over (or could
    not)."""
    directory = profile_dir(args)
    if directory is None:
        return Claim()
    lock = ProfileLock(directory)
    request = Request(args.thread, tuple(sys.argv[1:]))
    words = Words(lang)
    deadline = time.monotonic() + wait_s
    while True:
        if lock.acquire("window"):
            server = HandoffServer(channel_name(directory))
            server.listen()
            return Claim(lock, server)
        holder = lock.holder()
        if getattr(args, "screenshot", None) is not None:  # a picture of this run's window
            return tell(
                words(
                    "igdesk is already open on this profile (process {pid}). Close it to take "
                    "a screenshot, or use another --profile.",
                    pid=holder.pid if holder is not None else "?",
                ),
                failed=True,
            )
        if holder is not None and holder.what != "window":
            return tell(
                words(
                    "igdesk {what} (process {pid}) is already working on this profile. "
                    "Stop it first, then open igdesk again.",
                    what=holder.what,
                    pid=holder.pid,
                ),
                failed=True,
            )
        if hand_off(channel_name(directory), request, timeout_ms=1000):
            print(words("igdesk is already open: its window was brought to the front."))
            return EXIT_OK
        if time.monotonic() >= deadline:
            pid = holder.pid if holder is not None else "?"
            return tell(
                words(
                    "igdesk is already running for this profile (process {pid}) but does not "
                    "answer. If it is stuck, end that process, then open igdesk again.",
                    pid=pid,
                ),
                failed=True,
            )
        time.sleep(0.2)


def tell(text: str, *, failed: bool) -> int:
    """The sentence on stderr, and in a message box on a real desktop (the owner may have
    clicked an icon: no terminal to read)."""
    print(text, file=sys.stderr, flush=True)
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        QMessageBox.warning(None, "igdesk", text)
    return EXIT_FAILED if failed else EXIT_OK
