"""Measure what the course costs to run; write bench/RESULTS.md and bench/results.json.

`make bench` measures every part. One part alone: `python tools/bench.py --only attention`
(parts: notebooks, nbval, test, attention, bow); the parts not measured keep their last results.
Nothing here runs in `make test`: timings depend on the machine and its load, so they are
reported next to the course's targets, never asserted. Run it on a quiet machine.
"""

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "bench"
PARTS = ("notebooks", "nbval", "test", "attention", "bow")
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
# The same seeds and thread counts as every Makefile target, unless the caller set them.
MAKE_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TRIVIAL_SOURCE = """\
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

x = np.linspace(0.0, 1.0, 11)
table = pd.DataFrame({"x": x, "y": torch.from_numpy(x).square().numpy()})
plt.plot(table["x"], table["y"])
plt.show()"""
ATTENTION_LENGTHS = (128, 512, 1024, 2048)
ATTENTION_HEADS, ATTENTION_DIM = 4, 64
FLOOR_NAME = "floor: a trivial notebook"
BOW_MAX_FEATURES = 10_000
BOW_FALLBACK_SAMPLE = 5_000
MB = 1e6


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


TARGETS = {
    "nbval": Target("nbval over all notebooks ≤ 2 × floor", 2.0),
    "test": Target("`make test` ≤ 4 × floor", 4.0),
    "notebook": Target("every notebook ≤ 5 s", 5.0),
    "bow_peak": Target("bag-of-words notebook peak ≤ 600 MB", 600.0),
    "vs_torch": Target("helpers' attention ≤ 1.5 × torch fused at n = 1024", 1.5),
    "vs_loop": Target("helpers' attention ≥ 50 × faster than the loop at n = 1024", 50.0, False),
}


class Unavailable(Exception):
    """A part cannot be measured yet; the message says what is missing."""


# --- Small pure pieces (tested in tests/test_bench.py) ---


def ratio(numerator, denominator):
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def extrapolate(seconds: float, measured: int, total: int) -> float:
    """Time for `total` independent queries from the time for `measured` of them (linear)."""
    if measured <= 0 or total < measured:
        raise ValueError(f"need 0 < measured <= total, got measured={measured}, total={total}")
    return seconds * total / measured


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


def sample_size_in(source: str):
    """The default sample size a notebook sets, e.g. `SAMPLE_SIZE = 5_000`, or None."""
    match = re.search(
        r"^[A-Z_]*(?:SAMPLE|REVIEWS)[A-Z_]*\s*=\s*([\d_]+)\s*(?:#.*)?$", source, re.MULTILINE
    )
    return int(match[1]) if match else None


# --- Environment ---


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


# --- 1. Notebooks in a fresh kernel ---


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


def run_notebook(path: Path, store: bool = False) -> dict:
    """Run every cell of `path` in a fresh kernel; times in s and the kernel's peak memory.

    The notebook is not written back unless `store` (used only for the floor's own notebooks).
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


def notebook_row(path: Path, runs: int, name: str) -> dict:
    """Medians over `runs` fresh kernels of one notebook; an error is reported, not raised."""
    samples, error = [], None
    for run in range(runs):
        try:
            samples.append(run_notebook(path))
        except Exception as err:  # a notebook still being written: report it and go on
            last_line = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()[-1]
            error = f"{type(err).__name__}: {last_line[:200]}".replace("|", "\\|")
            break
        print(
            f"  {name} run {run + 1}/{runs}: {samples[-1]['cells_s']:.2f} s, "
            f"{samples[-1]['peak_mb']:.0f} MB",
            flush=True,
        )
    row = {"notebook": name, "runs": len(samples), "error": error}
    for key in ("cells_s", "start_s", "peak_mb"):
        row[key] = statistics.median(s[key] for s in samples) if samples else None
    row["cells_all_s"] = [s["cells_s"] for s in samples]
    row["slowest_cell"] = max(
        (s["slowest_cell"] for s in samples), key=lambda c: c[1], default=None
    )
    return row


def bench_notebooks(paths: list[Path], runs: int) -> dict:
    """Each notebook's time and peak memory, after the floor's trivial notebook for scale."""
    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder) / "floor.ipynb"
        nbformat.write(trivial_notebook(), floor)
        rows = [notebook_row(floor, runs, FLOOR_NAME)]
    rows += [notebook_row(path, runs, path.name) for path in paths]
    return {"runs": runs, "rows": rows}


# --- 2. nbval and make test against the floor ---


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
    paths = []
    for index in range(1, count + 1):
        path = folder / f"{index:02d}_floor.ipynb"
        nbformat.write(trivial_notebook(), path)
        run_notebook(path, store=True)
        paths.append(str(path.relative_to(ROOT)))
    return paths


def bench_suites(parts: list[str], notebooks: list[Path], runs: int) -> dict:
    """Each run: the floor, then nbval over `notebooks` and/or `make test`; medians, one entry each.

    Every entry keeps the floor measured in the same runs, so its ratio never mixes two runs.
    """
    commands = {"floor": None}
    if "nbval" in parts:
        commands["nbval"] = nbval_command([str(p.relative_to(ROOT)) for p in notebooks])
    if "test" in parts:
        commands["test"] = ["make", "--no-print-directory", "test"]
    (ROOT / "build").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=ROOT / "build"))
    samples = {name: [] for name in commands}
    try:
        commands["floor"] = nbval_command(floor_notebooks(len(notebooks), folder))
        for run in range(runs):
            for name, command in commands.items():
                samples[name].append(time_command(command))
                print(
                    f"  {name} run {run + 1}/{runs}: {samples[name][-1]['seconds']:.1f} s "
                    f"({samples[name][-1]['summary']})",
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
        name: {**entry, "floor": floor, "runs": runs, "notebooks": len(notebooks)}
        for name, entry in summary.items()
    }


# --- 3. Attention: loops, the helpers' matrices, torch's fused kernel ---


def loop_attention(q, k, v, queries: int):
    """By hand, one (query, key) pair at a time, as in notebook 02, for the first `queries`.

    q, k: (heads, n, d); v: (heads, n, d_v). Returns (heads, queries, d_v): for each query, the
    scaled dot product with every key, a softmax, then the weighted sum of the values.
    """
    import torch

    scale = 1.0 / math.sqrt(q.shape[-1])
    out = torch.empty(q.shape[0], queries, v.shape[-1], dtype=v.dtype)
    for head in range(q.shape[0]):
        for i in range(queries):
            scores = torch.stack([torch.dot(q[head, i], key) for key in k[head]]) * scale
            weights = torch.softmax(scores, dim=0)
            out[head, i] = sum(w * value for w, value in zip(weights, v[head], strict=True))
    return out


def row_loop_attention(q, k, v):
    """One query at a time, each against all keys at once, as in notebook 03; shapes as above."""
    import torch

    scale = 1.0 / math.sqrt(q.shape[-1])
    return torch.stack(
        [
            torch.stack([torch.softmax(k[h] @ query * scale, dim=0) @ v[h] for query in q[h]])
            for h in range(q.shape[0])
        ]
    )


def helpers_attention():
    """helpers.attention.scaled_dot_product_attention, imported only when needed."""
    try:
        from helpers.attention import scaled_dot_product_attention
    except ImportError as err:
        raise Unavailable(
            f"helpers.attention.scaled_dot_product_attention cannot be imported "
            f"({err}); it comes with notebook 03's helpers"
        ) from None
    return scaled_dot_product_attention


def median_time(function, repeat: int, warm_up: bool = False) -> float:
    """Median of `repeat` timed calls (after one untimed call if `warm_up`), in seconds."""
    if warm_up:
        function()
    return statistics.median(timeit.repeat(function, number=1, repeat=repeat))


def attention_at(n: int, generator, quick: bool) -> dict:
    """Check, then time, the four versions on (1, heads, n, d) float32 inputs; seconds."""
    import torch
    import torch.nn.functional as F
    from torch.utils.benchmark import Timer

    helpers_sdpa = helpers_attention()
    per_head = min(4 if quick else 16, n)  # queries per head that the pair loop really runs
    repeat, min_run_time = (1, 0.2) if quick else (3, 1.0)
    q, k, v = (
        torch.randn(1, ATTENTION_HEADS, n, ATTENTION_DIM, generator=generator) for _ in range(3)
    )
    fused = F.scaled_dot_product_attention(q, k, v)
    if not torch.allclose(helpers_sdpa(q, k, v), fused, atol=1e-5):
        raise AssertionError(f"helpers' attention disagrees with torch at n={n}")
    if not torch.allclose(
        loop_attention(q[0], k[0], v[0], per_head), fused[0, :, :per_head], atol=1e-5
    ):
        raise AssertionError(f"the pair loop disagrees with torch at n={n}")

    def timed(function) -> float:
        timer = Timer(
            "f(q, k, v)",
            globals={"f": function, "q": q, "k": k, "v": v},
            num_threads=torch.get_num_threads(),
        )
        function(q, k, v)  # warm-up
        return timer.blocked_autorange(min_run_time=min_run_time).median

    subset = median_time(lambda: loop_attention(q[0], k[0], v[0], per_head), repeat, True)
    return {
        "n": n,
        "loop_s": extrapolate(subset, per_head, n),
        "loop_queries": per_head * ATTENTION_HEADS,
        "row_loop_s": median_time(lambda: row_loop_attention(q[0], k[0], v[0]), repeat, True),
        "helpers_s": timed(helpers_sdpa),
        "torch_s": timed(F.scaled_dot_product_attention),
    }


def bench_attention(quick: bool) -> dict:
    """Times at each sequence length; the pair loop on a subset of queries, extrapolated."""
    import torch

    helpers_attention()  # fail at once, with the reason, if the helpers are not there
    generator = torch.Generator().manual_seed(0)
    rows = []
    for n in ATTENTION_LENGTHS:
        rows.append(row := attention_at(n, generator, quick))
        print(
            f"  n={n}: pair loop {row['loop_s'] * 1e3:.1f} ms (from {row['loop_queries']} "
            f"queries), row loop {row['row_loop_s'] * 1e3:.1f} ms, helpers "
            f"{row['helpers_s'] * 1e3:.2f} ms, torch {row['torch_s'] * 1e3:.2f} ms",
            flush=True,
        )
    return {"quick": quick, "heads": ATTENTION_HEADS, "d": ATTENTION_DIM, "rows": rows}


# --- 4. Bag of words ---


def default_sample_size() -> tuple[int, str]:
    """The sample size notebook 05 uses by default, and where that number came from."""
    for path in sorted(NOTEBOOKS.glob("05_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and (size := sample_size_in(cell.source)):
                return size, path.name
    return BOW_FALLBACK_SAMPLE, "no notebook 05 yet: the bench's fallback"


def text_helpers():
    """helpers.text with the functions the bench needs, imported only when needed."""
    try:
        from helpers import text
    except ImportError as err:
        raise Unavailable(f"helpers.text cannot be imported ({err})") from None
    needed = (
        "load_movie_reviews",
        "stratified_sample",
        "sparse_nbytes",
        "dense_nbytes",
        "sparse_batches",
    )
    if missing := [name for name in needed if not hasattr(text, name)]:
        raise Unavailable(f"helpers.text has no {', '.join(missing)} yet")
    return text


def sgd_epoch(X, y, seed: int = 0) -> None:
    """One epoch of notebook 05's torch model: nn.Linear(V, 1), SGD lr 0.1, sparse batches of 32.

    X: sparse (n, V) log counts; y: (n,) labels 0 or 1.
    """
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = torch.Generator().manual_seed(seed)
    for xb, yb in text_helpers().sparse_batches(X, y, 32, generator=order):
        loss = loss_fn(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def bow_at(reviews, size: int, runs: int) -> dict:
    """Notebook 05's pipeline on a stratified sample of `size` reviews (80 % train, 20 % test)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    text = text_helpers()
    chosen = text.stratified_sample(reviews, size, seed=0)
    train, test = train_test_split(chosen, test_size=0.2, stratify=chosen["label"], random_state=0)
    y_train, y_test = train["label"].to_numpy(), test["label"].to_numpy()
    vectorizer = CountVectorizer(max_features=BOW_MAX_FEATURES)
    vectorizer_s = median_time(lambda: vectorizer.fit_transform(train["text"]), runs)
    X_train, X_test = vectorizer.fit_transform(train["text"]), vectorizer.transform(test["text"])
    model = LogisticRegression(max_iter=1000)
    logistic_s = median_time(lambda: model.fit(X_train, y_train), runs)
    logs = X_train.astype(np.float64)
    logs.data = np.log1p(logs.data)
    return {
        "reviews": size,
        "train_shape": list(X_train.shape),
        "stored": int(X_train.nnz),
        "sparse_mb": text.sparse_nbytes(X_train) / MB,
        "dense_mb": text.dense_nbytes(X_train.shape, X_train.dtype) / MB,
        "dtype": str(X_train.dtype),
        "vectorizer_s": vectorizer_s,
        "logistic_s": logistic_s,
        "accuracy": float(model.score(X_test, y_test)),
        "sgd_epoch_s": median_time(lambda: sgd_epoch(logs, y_train), runs),
    }


def bench_bow(runs: int, quick: bool, sample: int | None) -> dict:
    """Sparse vs dense memory, vectorizer and training times: the default sample, then all."""
    text = text_helpers()
    try:
        reviews = text.load_movie_reviews()
    except RuntimeError as err:
        raise Unavailable(f"the movie reviews cannot be loaded ({err})") from None
    source = "--bow-sample"
    if sample is None:
        sample, source = default_sample_size()
    rows = []
    for size in [sample] if quick else sorted({sample, len(reviews)}):
        rows.append(row := bow_at(reviews, size, runs))
        print(
            f"  {size} reviews: sparse {row['sparse_mb']:.1f} MB vs dense "
            f"{row['dense_mb']:.1f} MB, vectorizer {row['vectorizer_s']:.2f} s, logistic "
            f"regression {row['logistic_s']:.2f} s (accuracy {row['accuracy']:.4f}), torch SGD "
            f"{row['sgd_epoch_s']:.2f} s per epoch",
            flush=True,
        )
    return {"runs": runs, "sample_source": source, "rows": rows}


# --- Report ---


def section_note(part: dict, current: dict) -> str:
    """The italic line under a section heading: when, how loaded, which environment if different."""
    env = part["environment"]
    note = f"_Measured {env['date']}; load average {fmt(env['load_average'])} at the start"
    changed = [
        f"{key} {env[key]}"
        for key in ("cpus", "python", "torch", "numpy", "torch_threads")
        if env[key] != current[key]
    ]
    if changed:
        note += f"; a different setup from the header's: {', '.join(changed)}"
    return note + "._"


def render_notebooks(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        peak = fmt(row["peak_mb"], 0)
        if "bag_of_words" in row["notebook"]:
            peak += f" ({TARGETS['bow_peak'].verdict(row['peak_mb'])} ≤ 600 MB)"
        slowest = row["slowest_cell"]
        floor = row["notebook"] == FLOOR_NAME
        rows.append(
            [
                row["notebook"],
                fmt(row["cells_s"]),
                fmt(row["start_s"]),
                peak,
                f"cell {slowest[0]}: {slowest[1]:.2f} s" if slowest else "n/a",
                "" if floor else TARGETS["notebook"].verdict(row["cells_s"]),
                row["error"] or "",
            ]
        )
    table = markdown_table(
        [
            "notebook",
            "run all cells (s)",
            "kernel start (s)",
            "kernel peak memory (MB)",
            "slowest cell",
            "≤ 5 s",
            "error",
        ],
        rows,
    )
    return (
        "Each notebook in a fresh kernel, not written back; median of "
        f"{plural(part['runs'], 'run')}."
        ' "Run all cells" is what a learner waits for once the kernel is up; the kernel start is '
        "Jupyter's own cost. Peak memory is the kernel's peak resident set (VmHWM). The floor "
        "only imports numpy, torch, pandas and matplotlib and draws one plot: what any notebook "
        "of this course costs at least. Slowest cell: its index among all cells (0 = the title)."
        f"\n\n{table}"
    )


def render_suites(parts: dict) -> str:
    rows = []
    for name, part in parts.items():
        value = ratio(part["seconds"], part["floor"]["seconds"])
        status = TARGETS[name].verdict(value) if part["ok"] else "MISS (failed)"
        label = "nbval over the notebooks" if name == "nbval" else "`make test`"
        rows.append(
            [
                label,
                fmt(part["seconds"], 1),
                fmt(part["floor"]["seconds"], 1),
                fmt(value),
                f"≤ {TARGETS[name].limit:.0f} ×",
                status,
                part["summary"],
                f"{part['runs']}, {part['environment']['date']}",
            ]
        )
    table = markdown_table(
        [
            "run",
            "time (s)",
            "floor (s)",
            "× floor",
            "target",
            "status",
            "pytest says",
            "runs, measured",
        ],
        rows,
    )
    count = next(iter(parts.values()))["notebooks"]
    return (
        f"Medians, each run interleaved with the floor: the same nbval invocation "
        f"(`pytest {' '.join(NBVAL_ARGS)}`) on as many trivial notebooks as real ones "
        f"({count}), which only import numpy, torch, pandas and matplotlib and draw one plot. "
        f"`make test` runs with the environment already built.\n\n{table}"
    )


def render_attention(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        vs_torch, vs_loop = (
            ratio(row["helpers_s"], row["torch_s"]),
            ratio(row["loop_s"], row["helpers_s"]),
        )
        at_target = row["n"] == 1024
        rows.append(
            [
                str(row["n"]),
                fmt(row["loop_s"] * 1e3, 1),
                fmt(row["row_loop_s"] * 1e3, 1),
                fmt(row["helpers_s"] * 1e3),
                fmt(row["torch_s"] * 1e3),
                fmt(vs_torch) + (f" {TARGETS['vs_torch'].verdict(vs_torch)}" if at_target else ""),
                fmt(vs_loop, 0) + (f" {TARGETS['vs_loop'].verdict(vs_loop)}" if at_target else ""),
                fmt(ratio(row["row_loop_s"], row["helpers_s"]), 1),
                f"{row['loop_queries']} of {row['n'] * part['heads']}",
            ]
        )
    table = markdown_table(
        [
            "n",
            "pair loop (ms)",
            "row loop (ms)",
            "helpers (ms)",
            "torch fused (ms)",
            "helpers / torch",
            "pair loop / helpers",
            "row loop / helpers",
            "pair loop measured on queries",
        ],
        rows,
    )
    return (
        f"Batch 1 × {part['heads']} heads, d = {part['d']}, float32, no mask. The pair loop "
        "takes one (query, key) pair at a time (notebook 02); it runs on the first queries of "
        "each head only and is extrapolated linearly to all of them (every query costs the "
        "same: one pass over the n keys). The row loop takes one query at a time against all "
        "keys (notebook 03). Helpers: `helpers.attention.scaled_dot_product_attention`; "
        "torch: `torch.nn.functional.scaled_dot_product_attention`; both timed with "
        "`torch.utils.benchmark` (median)"
        + (", quick mode" if part["quick"] else "")
        + f".\n\n{table}"
    )


def render_bow(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        n, v = row["train_shape"]
        rows.append(
            [
                str(row["reviews"]),
                f"{n} × {v}",
                str(row["stored"]),
                fmt(row["sparse_mb"], 1),
                f"{fmt(row['dense_mb'], 1)} ({row['dtype']})",
                fmt(ratio(row["dense_mb"], row["sparse_mb"]), 0),
                fmt(row["vectorizer_s"]),
                f"{fmt(row['logistic_s'])} ({fmt(row['accuracy'], 4)})",
                fmt(row["sgd_epoch_s"]),
            ]
        )
    table = markdown_table(
        [
            "reviews",
            "training matrix",
            "stored counts",
            "sparse CSR (MB)",
            "dense would be (MB)",
            "dense / sparse",
            "vectorizer (s)",
            "logistic regression (s) (test accuracy)",
            "torch SGD, one epoch (s)",
        ],
        rows,
    )
    return (
        "Notebook 05's pipeline on a stratified sample: 80 % for training, "
        f"`CountVectorizer(max_features={BOW_MAX_FEATURES})` fitted on it (the training matrix), "
        "scikit-learn's `LogisticRegression(max_iter=1000)` on the counts, and one epoch of the "
        "torch linear layer on log counts (SGD, learning rate 0.1, sparse batches of 32; the "
        "notebook trains 2 + 8 epochs). The dense size is computed, never allocated. Median of "
        f"{plural(part['runs'], 'run')}; default sample size from {part['sample_source']}."
        f"\n\n{table}"
    )


def target_rows(results: dict) -> list[list[str]]:
    """One row per target: the measured value that decides it and PASS/MISS."""
    rows = []
    for name in ("nbval", "test"):
        if "seconds" in results.get(name, {}):
            value = ratio(results[name]["seconds"], results[name]["floor"]["seconds"])
            status = TARGETS[name].verdict(value) if results[name]["ok"] else "MISS (failed)"
            rows.append([TARGETS[name].text, fmt(value, 2, " ×"), status])
    timed = [
        r
        for r in results.get("notebooks", {}).get("rows", [])
        if r["cells_s"] is not None and r["notebook"] != FLOOR_NAME
    ]
    if timed:
        slowest = max(timed, key=lambda r: r["cells_s"])
        rows.append(
            [
                TARGETS["notebook"].text,
                f"slowest, {slowest['notebook']}: {slowest['cells_s']:.2f} s",
                TARGETS["notebook"].verdict(slowest["cells_s"]),
            ]
        )
    for row in timed:
        if "bag_of_words" in row["notebook"]:
            rows.append(
                [
                    TARGETS["bow_peak"].text,
                    fmt(row["peak_mb"], 0, " MB"),
                    TARGETS["bow_peak"].verdict(row["peak_mb"]),
                ]
            )
    for row in results.get("attention", {}).get("rows", []):
        if row["n"] == 1024:
            for name, value in (
                ("vs_torch", ratio(row["helpers_s"], row["torch_s"])),
                ("vs_loop", ratio(row["loop_s"], row["helpers_s"])),
            ):
                rows.append([TARGETS[name].text, fmt(value, 2, " ×"), TARGETS[name].verdict(value)])
    return rows


# (heading, keys in results.json, the --only parts that measure them, renderer)
SECTIONS = (
    ("1. Notebooks", ("notebooks",), "notebooks", render_notebooks),
    ("2. nbval and `make test` against the floor", ("nbval", "test"), "nbval,test", render_suites),
    ("3. Attention at growing sequence lengths", ("attention",), "attention", render_attention),
    ("4. Bag of words: sparse versus dense", ("bow",), "bow", render_bow),
)


def render(results: dict, current: dict) -> str:
    """bench/RESULTS.md from all results measured so far; `current`: this machine's environment."""
    targets = target_rows(results)
    lines = [
        "# What the course costs to run",
        "",
        "Written by `make bench` ([tools/bench.py](../tools/bench.py)); raw numbers in "
        "[results.json](results.json). Seconds depend on the machine and on what else runs on "
        "it: compare the ratios, each measured within one run, rather than seconds across "
        "machines. Nothing here is asserted by `make test`.",
        "",
        f"Machine: {current['cpus']} CPUs ({current['platform']}); Python {current['python']}, "
        f"torch {current['torch']} ({plural(current['torch_threads'], 'thread')}), numpy "
        f"{current['numpy']}. Report written {current['date']}.",
        "",
        "## Targets",
        "",
        markdown_table(["target", "measured", "status"], targets)
        if targets
        else "Nothing measured yet.",
    ]
    for title, keys, parts, renderer in SECTIONS:
        lines += ["", f"## {title}", ""]
        measured = {key: results[key] for key in keys if key in results}
        if not measured:
            lines.append(f"Not measured yet: `python tools/bench.py --only {parts}`.")
            continue
        notes = [section_note(part, current) for part in measured.values()]
        lines += list(dict.fromkeys(notes))  # parts measured together share one note
        if unavailable := [p["unavailable"] for p in measured.values() if "unavailable" in p]:
            lines += ["", *(f"Not available: {message}." for message in unavailable)]
        else:
            lines += ["", renderer(measured if len(keys) > 1 else measured[keys[0]])]
    return "\n".join(lines) + "\n"


# --- Command line ---


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to measure, from {', '.join(PARTS)} (all)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke test, not numbers to publish: short attention timings, the pair loop on "
        "fewer queries, bag of words on the default sample only",
    )
    parser.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NOTEBOOK",
        help="notebooks to run (default: every notebooks/*.ipynb)",
    )
    parser.add_argument(
        "--bow-sample", type=int, help="bag-of-words sample size (default: notebook 05's)"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="folder for RESULTS.md and results.json (bench/)"
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(
            f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}"
        )
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    notebooks = (
        [Path(p).resolve() for p in args.notebooks]
        if args.notebooks
        else sorted(NOTEBOOKS.glob("*.ipynb"))
    )
    for key, value in MAKE_ENV.items():  # before torch is imported; inherited by every kernel
        os.environ.setdefault(key, value)

    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    measure = {
        "notebooks": lambda: {"notebooks": bench_notebooks(notebooks, args.runs)},
        "nbval,test": lambda: bench_suites(parts, notebooks, args.runs),
        "attention": lambda: {"attention": bench_attention(args.quick)},
        "bow": lambda: {"bow": bench_bow(args.runs, args.quick, args.bow_sample)},
    }
    for title, keys, section_parts, _ in SECTIONS:
        chosen = [key for key in keys if key in parts]
        if not chosen:
            continue
        print(f"{title} ...", flush=True)
        env = environment()
        try:
            results.update(
                {
                    key: {**part, "environment": env}
                    for key, part in measure[section_parts]().items()
                }
            )
        except Unavailable as err:
            print(f"  not available: {err}", flush=True)
            results.update({key: {"unavailable": str(err), "environment": env} for key in chosen})
    args.out.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "RESULTS.md").write_text(render(results, environment()))
    for row in target_rows(results):
        print(f"{row[2]:>4}  {row[0]}: {row[1]}")
    print(f"wrote {args.out / 'RESULTS.md'} and {results_path}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # run as a script: make the tools package importable
    main()
