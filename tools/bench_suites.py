"""Benchmark 2: nbval over the notebooks and `make test`, each against its floor.

The floor is the same nbval invocation on as many trivial notebooks as there are real ones
(they only import numpy, torch, pandas and matplotlib and draw one plot): what any notebook
costs at least. Every run times the floor too, so each ratio compares runs under one load.
"""

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tools.bench_common import ROOT, Target, fmt, markdown_table, ratio

TITLE = "2. nbval and `make test` against the floor"
KEYS = ("nbval", "test")
# The exact nbval invocation of `make nbval` and `make test`, minus the paths.
NBVAL_ARGS = [
    "-n",
    "2",
    "--dist",
    "loadfile",
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
]
TRIVIAL_SOURCE = """\
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

x = np.linspace(0.0, 1.0, 11)
table = pd.DataFrame({"x": x, "y": torch.from_numpy(x).square().numpy()})
plt.plot(table["x"], table["y"])
plt.show()"""
TARGETS = {
    "nbval": Target("nbval over all notebooks ≤ 2 × floor", 2.0),
    "test": Target("`make test` ≤ 4 × floor", 4.0),
}


def trivial_notebook() -> nbformat.NotebookNode:
    """The floor's notebook: imports numpy, torch, pandas and matplotlib and draws one plot."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Floor"), nbformat.v4.new_code_cell(TRIVIAL_SOURCE)]
    nb.metadata.kernelspec = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    return nb


def nbval_command(paths: list[str]) -> list[str]:
    """The nbval run of `make nbval` (same pytest, same options) over `paths`."""
    return [str(Path(sys.executable).with_name("pytest")), *NBVAL_ARGS, *paths]


def time_command(command: list[str]) -> dict:
    """Wall time of `command` run from the repository root, its exit code and pytest's summary."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summaries = re.findall(r"=+ (.*(?:passed|failed|error).*) =+", done.stdout)
    return {
        "seconds": seconds,
        "returncode": done.returncode,
        "summary": summaries[-1] if summaries else done.stderr.strip()[-200:],
    }


def floor_notebooks(count: int, folder: Path) -> list[str]:
    """Write `count` trivial notebooks into `folder`, each executed once so nbval can compare."""
    from tools.bench_notebooks import run_notebook

    paths = []
    for index in range(1, count + 1):
        path = folder / f"{index:02d}_floor.ipynb"
        nbformat.write(trivial_notebook(), path)
        run_notebook(path, store=True)
        paths.append(str(path.relative_to(ROOT)))
    return paths


def measure(args) -> dict:
    """Each run: the floor, then nbval over the notebooks and/or `make test`; medians."""
    commands = {"floor": None}
    if "nbval" in args.parts:
        commands["nbval"] = nbval_command([str(p.relative_to(ROOT)) for p in args.notebooks])
    if "test" in args.parts:
        commands["test"] = ["make", "--no-print-directory", "test"]
    (ROOT / "build").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=ROOT / "build"))
    samples = {name: [] for name in commands}
    try:
        commands["floor"] = nbval_command(floor_notebooks(len(args.notebooks), folder))
        for run in range(args.runs):
            for name, command in commands.items():
                samples[name].append(result := time_command(command))
                print(
                    f"  {name} run {run + 1}/{args.runs}: {result['seconds']:.1f} s "
                    f"({result['summary']})",
                    flush=True,
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = {
        name: {
            "seconds": statistics.median(r["seconds"] for r in results),
            "all_seconds": [r["seconds"] for r in results],
            "ok": all(r["returncode"] == 0 for r in results),
            "summary": results[-1]["summary"],
        }
        for name, results in samples.items()
    }
    floor = summary.pop("floor")
    return {
        name: {**entry, "floor": floor, "runs": args.runs, "notebooks": len(args.notebooks)}
        for name, entry in summary.items()
    }


def _status(name: str, part: dict) -> tuple[float | None, str]:
    value = ratio(part["seconds"], part["floor"]["seconds"])
    return value, TARGETS[name].verdict(value) if part["ok"] else "MISS (failed)"


def render(parts: dict) -> str:
    rows = []
    for name, part in parts.items():
        value, status = _status(name, part)
        rows.append(
            [
                "nbval over the notebooks" if name == "nbval" else "`make test`",
                fmt(part["seconds"], 1),
                fmt(part["floor"]["seconds"], 1),
                fmt(value),
                f"≤ {TARGETS[name].limit:.0f} ×",
                status,
                part["summary"],
                f"{part['runs']}, {part['environment']['date']}",
            ]
        )
    header = ["run", "time (s)", "floor (s)", "× floor", "target", "status", "pytest says"]
    table = markdown_table([*header, "runs, measured"], rows)
    count = next(iter(parts.values()))["notebooks"]
    return (
        f"Medians, each run interleaved with the floor: the same nbval invocation "
        f"(`pytest {' '.join(NBVAL_ARGS)}`) on as many trivial notebooks as real ones "
        f"({count}), which only import numpy, torch, pandas and matplotlib and draw one plot. "
        f"`make test` runs with the environment already built.\n\n{table}"
    )


def targets(results: dict) -> list[list[str]]:
    rows = []
    for name in KEYS:
        if "seconds" in results.get(name, {}):
            value, status = _status(name, results[name])
            rows.append([TARGETS[name].text, fmt(value, 2, " ×"), status])
    return rows
