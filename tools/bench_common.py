"""What every benchmark section shares: targets, ratios, tables, the environment, timing.

Each section lives in its own module (tools/bench_notebooks.py, bench_suites.py,
bench_attention.py, bench_bow.py) with the same four names: TITLE, KEYS (its entries in
results.json), `measure(args)` and `render(results)`, plus `targets(results)`, its rows of the
targets table. tools/bench.py runs the sections and writes the report.
"""

import math
import os
import platform
import statistics
import timeit
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MB = 1e6
# The same seeds and thread counts as every Makefile target.
MAKE_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Target:
    """A limit a measurement must stay under (`at_most`) or reach (not `at_most`)."""

    text: str
    limit: float
    at_most: bool = True

    def verdict(self, value) -> str:
        """ "PASS" or "MISS" for a measured value; "n/a" when there is none."""
        if value is None or not math.isfinite(value):
            return "n/a"
        ok = value <= self.limit if self.at_most else value >= self.limit
        return "PASS" if ok else "MISS"

    def row(self, value, shown: str) -> list[str]:
        """The targets table's row: the target, the measured value as shown, the verdict."""
        return [self.text, shown, self.verdict(value)]


class Unavailable(Exception):
    """A part cannot be measured yet; the message says what is missing."""


def ratio(numerator, denominator):
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def plural(count: int, noun: str) -> str:
    """ "1 run", "3 runs"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def fmt(value, digits: int = 2, suffix: str = "") -> str:
    """A number at fixed precision, or "n/a" when there is none."""
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub Markdown table; every row must have one cell per header column."""
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {row} has {len(row)} cells, the header has {len(header)}")
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def median_time(function, repeat: int, warm_up: bool = False) -> float:
    """Median wall time of `repeat` calls (after one untimed call if `warm_up`), in seconds."""
    if warm_up:
        function()
    return statistics.median(timeit.repeat(function, number=1, repeat=repeat))


def environment() -> dict:
    """CPU count, versions, thread count, date and load: what a reader needs to compare runs."""
    import numpy
    import torch

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "torch_threads": torch.get_num_threads(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
