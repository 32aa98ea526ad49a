"""Benchmark 1: each notebook in a fresh kernel, under `make` and with no thread variables.

Under `make` means the Makefile's OMP_NUM_THREADS=1 and MKL_NUM_THREADS=1; "no thread variables"
is how Colab and a plain `jupyter lab` run a notebook. Both runs of a notebook alternate, so a
change in the machine's load hits them alike; medians of `--runs` runs. Peak memory is the
kernel's peak resident set, from the run under `make`.
"""

import os
import re
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat

from tools.bench_common import MAKE_ENV, MB, THREAD_VARIABLES, Target, fmt, markdown_table, plural
from tools.bench_suites import trivial_notebook

TITLE = "1. Notebooks: under `make` and with no thread variables"
KEYS = ("notebooks",)
FLOOR_NAME = "floor: a trivial notebook"
SLOWDOWN = Target("every notebook without thread variables ≤ 2 × its time under `make`", 2.0)


def time_target(name: str) -> Target:
    """≤ 5 s under `make`; the capstone (notebook 06) ≤ 15 s."""
    if name.startswith("06_"):
        return Target("capstone notebook 06 ≤ 15 s under `make`", 15.0)
    return Target("every notebook ≤ 5 s under `make` (06 excepted)", 5.0)


def peak_target(name: str) -> Target | None:
    """Notebook 05 ≤ 600 MB, the capstone ≤ 800 MB of peak memory; None for the others."""
    limits = {"05_": 600.0, "06_": 800.0}
    limit = limits.get(name[:3])
    return None if limit is None else Target(f"notebook {name[:2]} peak ≤ {limit:.0f} MB", limit)


class PeakRSS:
    """A process's peak resident memory in bytes: VmHWM on Linux, else psutil every 20 ms."""

    def __init__(self, pid: int):
        self.pid, self.status = pid, Path(f"/proc/{pid}/status")
        self.polled, self._stop = 0, threading.Event()
        self._thread = None if self.status.exists() else threading.Thread(target=self._poll)
        if self._thread:
            self._thread.start()

    def _poll(self) -> None:
        import psutil

        process = psutil.Process(self.pid)
        while not self._stop.wait(0.02):
            self.polled = max(self.polled, process.memory_info().rss)

    def read(self) -> int:
        """The peak so far; call it before the process exits."""
        if self._thread is None:
            match = re.search(r"^VmHWM:\s+(\d+) kB", self.status.read_text(), re.MULTILINE)
            return int(match[1]) * 1024
        self._stop.set()
        self._thread.join()
        return self.polled


@contextmanager
def thread_variables(set_them: bool):
    """Inside, the Makefile's thread variables are set (True) or absent (False); then restored."""
    saved = {key: os.environ.get(key) for key in THREAD_VARIABLES}
    for key in THREAD_VARIABLES:
        if set_them:
            os.environ[key] = MAKE_ENV[key]
        else:
            os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_notebook(path: Path, store: bool = False) -> dict:
    """Run every cell of `path` in a fresh kernel; times in s and the kernel's peak memory.

    The kernel inherits this process's environment. The notebook is not written back unless
    `store` (used only for the floor's own notebooks).
    """
    from tools.execute import notebook_client

    nb = nbformat.read(path, as_version=4)
    client = notebook_client(nb, path)
    start = time.perf_counter()
    with client.setup_kernel():
        peak = PeakRSS(client.km.provisioner.pid)
        ready = time.perf_counter()
        cell_s = []
        for index, cell in enumerate(nb.cells):
            begin = time.perf_counter()
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            cell_s.append(time.perf_counter() - begin)
        done = time.perf_counter()
        peak_bytes = peak.read()
    if store:
        nbformat.write(nb, path)
    slowest = max(range(len(cell_s)), key=cell_s.__getitem__)
    return {
        "cells_s": done - ready,
        "start_s": ready - start,
        "peak_mb": peak_bytes / MB,
        "slowest_cell": [slowest, cell_s[slowest]],
    }


def _error(err: Exception) -> str:
    last_line = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()[-1]
    return f"{type(err).__name__}: {last_line[:200]}".replace("|", "\\|")


def notebook_row(path: Path, runs: int, name: str) -> dict:
    """Medians over `runs` pairs of fresh kernels (under make, then without thread variables)."""
    samples, free, error = [], [], None
    for run in range(runs):
        try:
            with thread_variables(True):
                samples.append(run_notebook(path))
            with thread_variables(False):
                free.append(run_notebook(path)["cells_s"])
        except Exception as err:  # a notebook still being written: report it and go on
            error = _error(err)
            break
        print(
            f"  {name} run {run + 1}/{runs}: {samples[-1]['cells_s']:.2f} s under make, "
            f"{free[-1]:.2f} s without thread variables, {samples[-1]['peak_mb']:.0f} MB",
            flush=True,
        )
    row = {"notebook": name, "runs": len(free), "error": error}
    for key in ("cells_s", "start_s", "peak_mb"):
        row[key] = statistics.median(s[key] for s in samples) if samples else None
    row["free_s"] = statistics.median(free) if free else None
    row["cells_all_s"], row["free_all_s"] = [s["cells_s"] for s in samples], free
    row["slowest_cell"] = max(
        (s["slowest_cell"] for s in samples), key=lambda c: c[1], default=None
    )
    return row


def measure(args) -> dict:
    """Each notebook's times and peak memory, after the floor's trivial notebook for scale."""
    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder) / "floor.ipynb"
        nbformat.write(trivial_notebook(), floor)
        rows = [notebook_row(floor, args.runs, FLOOR_NAME)]
    rows += [notebook_row(path, args.runs, path.name) for path in args.notebooks]
    return {"notebooks": {"runs": args.runs, "rows": rows}}


def _timed(results: dict) -> list[dict]:
    rows = results.get("notebooks", {}).get("rows", [])
    return [r for r in rows if r["cells_s"] is not None and r["notebook"] != FLOOR_NAME]


def render(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        floor = row["notebook"] == FLOOR_NAME
        slowdown = row["free_s"] / row["cells_s"] if row["cells_s"] and row["free_s"] else None
        peak, limit = fmt(row["peak_mb"], 0), peak_target(row["notebook"])
        if limit:
            peak += f" ({limit.verdict(row['peak_mb'])} ≤ {limit.limit:.0f})"
        slowest = row["slowest_cell"]
        rows.append(
            [
                row["notebook"],
                fmt(row["cells_s"])
                + ("" if floor else f" ({time_target(row['notebook']).verdict(row['cells_s'])})"),
                fmt(row["free_s"]),
                fmt(slowdown) + ("" if floor else f" ({SLOWDOWN.verdict(slowdown)})"),
                fmt(row["start_s"]),
                peak,
                f"cell {slowest[0]}: {slowest[1]:.2f} s" if slowest else "n/a",
                row["error"] or "",
            ]
        )
    header = [
        "notebook",
        "under make (s)",
        "no thread variables (s)",
        "× make",
        "kernel start (s)",
        "peak memory (MB)",
        "slowest cell",
        "error",
    ]
    table = markdown_table(header, rows)
    return (
        "Each notebook in a fresh kernel, not written back; median of "
        f"{plural(part['runs'], 'run')}, the two settings alternating. Times are for running all "
        "cells once the kernel is up (what a learner waits for); the kernel start is Jupyter's "
        "own cost. Targets: ≤ 5 s under `make` (the capstone 06 ≤ 15 s), ≤ 2 × that without "
        "thread variables; peak memory (VmHWM, under `make`) ≤ 600 MB for 05 and ≤ 800 MB for "
        "06. The floor only imports numpy, torch, pandas and matplotlib and draws one plot. "
        f"Slowest cell: its index among all cells (0 = the title).\n\n{table}"
    )


def targets(results: dict) -> list[list[str]]:
    """Slowest notebook against its time limit, the largest slowdown, and the memory limits."""
    timed = _timed(results)
    if not timed:
        return []
    rows = []
    for capstone in (False, True):
        group = [r for r in timed if r["notebook"].startswith("06_") == capstone]
        if group:
            slowest = max(group, key=lambda r: r["cells_s"])
            target = time_target(slowest["notebook"])
            shown = f"slowest, {slowest['notebook']}: {slowest['cells_s']:.2f} s"
            rows.append(target.row(slowest["cells_s"], shown))
    slowdowns = [(r["free_s"] / r["cells_s"], r["notebook"]) for r in timed if r["free_s"]]
    if slowdowns:
        worst, name = max(slowdowns)
        rows.append(SLOWDOWN.row(worst, f"largest, {name}: {worst:.2f} ×"))
    for row in timed:
        if limit := peak_target(row["notebook"]):
            rows.append(limit.row(row["peak_mb"], fmt(row["peak_mb"], 0, " MB")))
    return rows
