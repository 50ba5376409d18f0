"""The picture cache on disk: its size, a cap with the oldest files going first, and clearing.

Qt-free file work for igdesk/ui/images.py, run on its worker thread. Only finished cache files
(`*.img`) count; a download being written (`.tmp-*`) is left alone. "Oldest" is the time a file
was last used: `touch` marks a picture read from the cache, so the ones the owner keeps looking
at (whose Instagram links may have expired) are the last to go.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".img"
#: After trimming, the cache holds at most this share of the cap (so it is not trimmed again
#: at the very next picture).
TRIM_TO = 0.9


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int


def _entries(directory: Path) -> list[tuple[float, int, Path]]:
    """(written, size, path) of each cache file, oldest first."""
    found = []
    try:
        with os.scandir(directory) as scan:
            for entry in scan:
                if entry.name.endswith(SUFFIX) and not entry.name.startswith("."):
                    with contextlib.suppress(OSError):
                        stat = entry.stat()
                        found.append((stat.st_mtime, stat.st_size, Path(entry.path)))
    except FileNotFoundError:
        return []
    found.sort(key=lambda item: (item[0], item[2].name))
    return found


def touch(path: Path) -> None:
    """Mark a cached picture as just used (best effort)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def usage(directory: Path) -> Usage:
    entries = _entries(directory)
    return Usage(len(entries), sum(size for _, size, _ in entries))


def trim(directory: Path, cap_bytes: int) -> int:
    """Remove the oldest files until the cache fits `cap_bytes` (to TRIM_TO of it when over);
    returns the bytes it holds afterwards."""
    entries = _entries(directory)
    total = sum(size for _, size, _ in entries)
    if total <= cap_bytes:
        return total
    target = int(cap_bytes * TRIM_TO)
    for _, size, path in entries:
        if total <= target:
            break
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # gone already: it holds nothing
        except OSError:
            continue  # in use elsewhere (Windows): the next one goes instead
        total -= size
    return total


def clear(directory: Path) -> int:
    """Remove every cached picture; returns the bytes freed."""
    freed = 0
    for _, size, path in _entries(directory):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            freed += size
    return freed
