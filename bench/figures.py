"""The table of bench/run.py: one row per figure, with its floor, ratio, target and verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 10 values is the 10th): never better than measured."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Row:
    figure: str
    value: float | None
    floor: float | None
    target: str
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    def as_json(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "value": self.value,
            "floor": self.floor,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
            "note": self.note,
        }


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def table_lines(rows: list[Row]) -> list[str]:
    """The table as Markdown lines (the README's figures are this, pasted)."""
    lines = [
        "| figure | igdesk | floor | ratio | target | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        met = {True: "yes", False: "**NO**", None: "-"}[row.met]
        value = row.note if row.value is None else _number(row.value)
        if row.note and row.value is not None:
            value += f" ({row.note})"
        lines.append(
            f"| {row.figure} | {value} | {_number(row.floor)} | {ratio} | {row.target} | {met} |"
        )
    return lines


def print_table(rows: list[Row]) -> None:
    print("\n".join(table_lines(rows)))
