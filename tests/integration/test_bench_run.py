"""bench/run.py --quick runs end to end on a tiny archive: every figure, its floor, the JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_quick(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    out = tmp_path / "results.json"
    env = dict(os.environ, IGDESK_BENCH_CACHE=str(tmp_path / "archives"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(out), *extra],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done, json.loads(out.read_text())


@pytest.mark.slow
def test_quick_run_measures_every_window_figure_against_its_floor(tmp_path: Path) -> None:
    done, report = run_quick(tmp_path, "--no-others")
    figures = {row["figure"]: row for row in report["rows"]}
    expected = ("cold start", "thread switch", "resize", "search, 30 queries", "peak RSS")
    for name in expected:
        assert any(f.startswith(name) for f in figures), f"no {name} row: {list(figures)}"
    for row in figures.values():
        assert row["value"] is not None, row
        assert row["met"] in (True, False)
        if row["floor"]:
            assert row["ratio"] == pytest.approx(row["value"] / row["floor"])
    assert "| figure | igdesk | floor | ratio | target | met? |" in done.stdout
    assert report["machine"]["cores"] and report["quick"] is True
    assert (tmp_path / "archives").is_dir()  # generated once, kept for the next run
