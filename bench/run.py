"""Every igdesk figure against its floor, in one command: prints a table and writes JSON.

    .venv/bin/python bench/run.py            # 1k, 10k, 100k threads (archives cached in /tmp)
    .venv/bin/python bench/run.py --quick    # a small archive, one round: a smoke run

Each window figure is measured beside its floor in the same run, alternating the two, because
a shared machine is noisy: the table gives medians (p95 where the target is a p95) and the
ratio to the floor. The floors are bare scripts (bench/floor_probe.py) doing the least work
that shows the same rows of the same SQLite file; igdesk's figures come from the real window
(bench/window_probe.py). The webhook, sync and event-loop figures come from their own benches
(bench_webhooks.py, bench_sync.py, bench_loop_lag.py), run here as they are; the figures of
the parts (bench_models.py, bench_store.py) go into the JSON as they print them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from archive_gen import big_thread_ids, profile_dir, small_thread_id  # noqa: E402
from figures import Row, percentile, print_table  # noqa: E402

from igdesk.config import Profile  # noqa: E402

#: Realistic searches: words, prefixes (typed so far), phrases, Indonesian and English, emoji,
#: customers' names.
QUERIES = (
    "ongkir", "ongkir bandung", "ready", "kak", "transfer", "resi", "diskon", "gamis",
    "batik merah", "ukuran XL", "COD", "paket", "makasih", "sudah sampai", "dikirim",
    "shipping", "available", "tracking", "discount", "love it", "ong", "trans", "kebay",
    "😍", "🙏", "❤️", "Siti", "Budi", "Sarah", "pesanan kak Dewi",
)  # fmt: skip
TARGET_RATIO = 1.5
TARGET_FLAT = 1.2  # cold start at the largest size over the smallest, as a ratio of floors
TARGET_MS = 50.0
TARGET_RSS_MB = 300.0


def probe(script: str, target: str, *extra: str) -> dict[str, Any]:
    """One child process; its JSON line (or {"error": ...})."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.time()
    done = subprocess.run(
        [sys.executable, str(BENCH / script), target, repr(t0), *extra],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def window_figures(threads: int, big: int, rounds: int, repeat: int) -> dict[str, Any]:
    """Cold start, thread switch, resize, search and memory of one archive size."""
    folder = profile_dir(threads, big=big)
    archive = str(Profile(folder).archive_path)
    big_id, small_id = big_thread_ids()[0], small_thread_id()
    away = big_thread_ids()[1]
    full = ("--switch", big_id, small_id, "--repeat", str(repeat), "--search", *QUERIES)
    apps: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    for round_ in range(rounds):
        # The floor first in even rounds, igdesk first in odd ones: drift hits both alike.
        order = [("floor", archive), ("app", str(folder))]
        for kind, target in order if round_ % 2 == 0 else reversed(order):
            if kind == "floor":
                floors.append(probe("floor_probe.py", target, *full))
            else:
                apps.append(probe("window_probe.py", target, *full, "--away", away))
    errors = [r["error"] for r in apps + floors if "error" in r]
    if errors:
        return {"threads": threads, "error": errors[0]}
    return {
        "threads": threads,
        "start_s": [r["start_s"] for r in apps],
        "floor_start_s": [r["start_s"] for r in floors],
        "phases_s": {  # where the cold start goes: medians over the rounds
            phase: statistics.median(r["phases_s"][phase] for r in apps)
            for phase in apps[0].get("phases_s", {})
        },
        "switch_ms": _merged(apps, "switch_ms"),
        "floor_switch_ms": _merged(floors, "switch_ms"),
        "resize_ms": _merged(apps, "resize_ms"),
        "floor_resize_ms": _merged(floors, "resize_ms"),
        "search_ms": _merged(apps, "search_ms"),
        "floor_search_ms": _merged(floors, "search_ms"),
        "search_stall_ms": {  # the worst round's
            "p99": max(r["search_stall_ms"]["p99"] for r in apps),
            "max": max(r["search_stall_ms"]["max"] for r in apps),
        },
        "rss_mb": max(r.get("rss_after_switch_mb", r["rss_mb"]) for r in apps),
        "floor_rss_mb": max(r["rss_mb"] for r in floors),
        "big_thread": big_id,
        "big_messages": big,
        "small_thread": small_id,
    }


def _merged(results: list[dict[str, Any]], key: str) -> dict[str, list[float]]:
    """Per thread (or query), the timings of every round together."""
    merged: dict[str, list[float]] = {}
    for result in results:
        for name, values in result[key].items():
            merged.setdefault(name, []).extend(values if isinstance(values, list) else [values])
    return merged


def window_rows(size: dict[str, Any], largest: bool) -> list[Row]:
    label = f"{size['threads']:,} threads"
    if "error" in size:
        return [Row(f"window @ {label}", None, None, "", note=f"failed: {size['error']}")]
    start, floor = statistics.median(size["start_s"]), statistics.median(size["floor_start_s"])
    rows = [
        Row(f"cold start @ {label} (s)", start, floor, f"<= {TARGET_RATIO}x floor",
            met=start <= TARGET_RATIO * floor),
    ]  # fmt: skip
    big = f"{size['big_messages']:,}-message"
    for name, key in ((big, "big_thread"), ("small", "small_thread")):
        thread = size[key]
        for figure in ("switch", "resize"):
            p95 = percentile(size[f"{figure}_ms"][thread], 95)
            floor_p95 = percentile(size[f"floor_{figure}_ms"][thread], 95)
            what = "thread switch" if figure == "switch" else "resize"
            rows.append(
                Row(f"{what}, {name} thread @ {label} (p95 ms)", p95, floor_p95,
                    f"p95 <= {TARGET_MS:g} ms", met=p95 <= TARGET_MS)
            )  # fmt: skip
    search = percentile([t for ts in size["search_ms"].values() for t in ts], 95)
    floor_search = percentile([t for ts in size["floor_search_ms"].values() for t in ts], 95)
    rows.append(
        Row(f"search, {len(size['search_ms'])} queries @ {label} (p95 ms)", search, floor_search,
            f"p95 <= {TARGET_MS:g} ms", met=search <= TARGET_MS)
    )  # fmt: skip
    stall, longest = size["search_stall_ms"]["p99"], size["search_stall_ms"]["max"]
    rows.append(
        Row(f"search while typing: loop lag p99 @ {label} (ms)", stall, None,
            f"p99 <= {TARGET_MS:g} ms", met=stall <= TARGET_MS,
            note=f"longest {longest:.0f} ms")
    )  # fmt: skip
    if largest:
        rss = size["rss_mb"]
        rows.append(
            Row(f"peak RSS, largest thread open @ {label} (MB)", rss, size["floor_rss_mb"],
                f"<= {TARGET_RSS_MB:g} MB", met=rss <= TARGET_RSS_MB)
        )  # fmt: skip
    return rows


def flat_row(sizes: list[dict[str, Any]]) -> Row | None:
    """Cold start at the largest size over the smallest, each relative to its floor."""
    ok = [s for s in sizes if "error" not in s]
    if len(ok) < 2:
        return None
    first, last = ok[0], ok[-1]
    ratios = [
        statistics.median(s["start_s"]) / statistics.median(s["floor_start_s"])
        for s in (first, last)
    ]
    growth = ratios[1] / ratios[0]
    label = f"cold start growth {first['threads']:,} -> {last['threads']:,} (ratio of ratios)"
    return Row(label, growth, 1.0, f"<= {TARGET_FLAT}", met=growth <= TARGET_FLAT)


# --- the other issues' benches, run as they are -----------------------------------------------


def external(script: str, *args: str, timeout: float = 900) -> str:
    try:
        done = subprocess.run(
            [sys.executable, str(BENCH / script), *args],
            capture_output=True, text=True, timeout=timeout,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"ERROR: timed out after {timeout:.0f} s"
    if done.returncode:
        return "ERROR: " + (done.stderr.strip().splitlines() or ["failed"])[-1]
    return done.stdout


def _number(pattern: str, text: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def external_rows(quick: bool) -> tuple[list[Row], dict[str, str]]:
    rows: list[Row] = []
    outputs = {
        "webhooks": external("bench_webhooks.py", "--seconds", "2" if quick else "20"),
        "sync": external("bench_sync.py", "--threads", "40" if quick else "1000"),
        "loop_lag": external("bench_loop_lag.py", "--threads", "40" if quick else "1000"),
    }
    hooks = outputs["webhooks"]
    p99 = _number(r"p99 ([\d.]+) ms", hooks)
    lost = _number(r"lost: (\d+)", hooks)
    if p99 is None:
        rows.append(Row("webhook to screen", None, None, "", note=_why(hooks)))
    else:
        rows.append(Row("webhook to thread list model (p99 ms)", p99, None,
                        f"p99 <= {TARGET_MS:g} ms", met=p99 <= TARGET_MS))  # fmt: skip
        rows.append(Row("webhook deliveries lost", lost, None, "0", met=lost == 0))
    sync = outputs["sync"]
    found_sync = False
    for found in re.finditer(r"== (.+?):.*?ratio ([\d.]+) \(target <= 1.05\)", sync, re.S):
        found_sync = True
        ratio = float(found.group(2))
        rows.append(Row(f"first sync requests, {found.group(1)} (ratio to floor)", ratio, 1.0,
                        "<= 1.05", met=ratio <= 1.05))  # fmt: skip
    if not found_sync:
        rows.append(Row("first sync requests", None, None, "", note=_why(sync)))
    lag = outputs["loop_lag"]
    found_lag = False
    for found in re.finditer(r"^(.+?): \d+ ticks; .*?p99 ([\d.]+) ms", lag, re.M):
        found_lag = True
        value = float(found.group(2))
        rows.append(Row(f"event-loop lag, {found.group(1).strip()} (p99 ms)", value, None,
                        f"p99 <= {TARGET_MS:g} ms", met=value <= TARGET_MS))  # fmt: skip
    if not found_lag:
        rows.append(Row("event-loop lag", None, None, "", note=_why(lag)))
    return rows, outputs


def _why(output: str) -> str:
    if output.startswith("ERROR:"):
        return "not measured: " + output.removeprefix("ERROR: ")[:80]
    return "not measured: no figure in its output"


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small archive, one round")
    parser.add_argument("--sizes", type=int, nargs="+", help="thread counts of the archives")
    parser.add_argument("--rounds", type=int, help="cold starts of each (and of its floor)")
    parser.add_argument("--json", type=Path, default=BENCH / "results.json")
    parser.add_argument("--plot", type=Path, default=BENCH / "growth.png")
    parser.add_argument("--no-others", action="store_true", help="skip the other benches")
    args = parser.parse_args()
    sizes = args.sizes or ([300] if args.quick else [1_000, 10_000, 100_000])
    big = 400 if args.quick else 5_000
    rounds = args.rounds or (1 if args.quick else 5)
    repeat = 3 if args.quick else 20
    started = time.perf_counter()
    measured = [window_figures(n, big, rounds, repeat) for n in sizes]
    rows = [row for i, s in enumerate(measured) for row in window_rows(s, i == len(sizes) - 1)]
    flat = flat_row(measured)
    if flat is not None:
        rows.append(flat)
    outputs: dict[str, str] = {}
    if not args.no_others:
        others, outputs = external_rows(args.quick)
        rows += others
        if not args.quick:  # figures of the parts, kept in the JSON for a closer look
            outputs["models"] = external("bench_models.py")
            outputs["store"] = external("bench_store.py")
    print_table(rows)
    for size in measured:
        if size.get("phases_s"):
            parts = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in size["phases_s"].items())
            print(f"\ncold start at {size['threads']:,} threads, median phases: {parts}", end="")
    print()
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "quick": args.quick,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": [row.as_json() for row in rows],
        "sizes": measured,
        "other_benches": outputs,
    }
    args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"\nJSON: {args.json}")
    if len(measured) > 1:
        from plot import plot_growth

        print(plot_growth(measured, args.plot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
