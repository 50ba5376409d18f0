"""The growth plot of bench/run.py: each window figure against the archive's size (matplotlib,
from the `bench` extra; without it, the plot is skipped with a word saying so)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from figures import percentile


def plot_growth(sizes: list[dict[str, Any]], path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install -e '.[bench]')"
    ok = [s for s in sizes if "error" not in s]
    threads = [s["threads"] for s in ok]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("start_s", "igdesk"), ("floor_start_s", "floor (bare QListView)")):
        left.plot(threads, [statistics.median(s[key]) * 1000 for s in ok], "o-", label=label)
    left.set_title("Cold start to a painted inbox (median)")
    left.set_ylabel("ms")
    series = (
        ("switch_ms", "big_thread", "switch, 5,000-message thread"),
        ("switch_ms", "small_thread", "switch, small thread"),
        ("resize_ms", "big_thread", "resize, 5,000-message thread"),
    )
    for key, which, label in series:
        right.plot(threads, [percentile(s[key][s[which]], 95) for s in ok], "o-", label=label)
    right.plot(
        threads, [percentile([t for ts in s["search_ms"].values() for t in ts], 95) for s in ok],
        "o-",
        label="search, first page shown",
    )  # fmt: skip
    right.axhline(50, color="grey", linestyle="--", linewidth=1, label="target 50 ms")
    right.set_title("Window figures (p95)")
    right.set_ylabel("ms")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_xlabel("threads in the archive")
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"plot: {path}"
