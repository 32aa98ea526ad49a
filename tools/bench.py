"""Measure what the course costs to run; write bench/RESULTS.md and bench/results.json.

`make bench` measures every section. One section alone: `python tools/bench.py --only attention`
(parts: notebooks, nbval, test, attention, bow); the parts not measured keep their last results.
`--quick` is a smoke test of the chosen sections (short runs; not numbers to publish). Each
section lives in its own module, tools/bench_<section>.py; tools/bench_common.py holds what they
share. Nothing here runs in `make test`: timings depend on the machine and its load, so they are
reported next to the course's targets, never asserted. Run it on a quiet machine.
"""

import argparse
import json
import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the tools package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import bench_attention, bench_bow, bench_notebooks, bench_suites  # noqa: E402
from tools.bench_common import (  # noqa: E402
    MAKE_ENV,
    NOTEBOOKS,
    ROOT,
    Unavailable,
    environment,
    fmt,
    markdown_table,
    plural,
)

OUT = ROOT / "bench"
SECTIONS = (bench_notebooks, bench_suites, bench_attention, bench_bow)
# --only parts -> the section that measures them
PARTS = {"notebooks": bench_notebooks, "nbval": bench_suites, "test": bench_suites}
PARTS |= {"attention": bench_attention, "bow": bench_bow}


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


def target_rows(results: dict) -> list[list[str]]:
    """One row per target, section by section: the target, the deciding value, PASS or MISS."""
    rows = []
    for section in SECTIONS:
        measured = {key: results[key] for key in section.KEYS if key in results}
        if measured and not any("unavailable" in part for part in measured.values()):
            rows += section.targets(results)
    return rows


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
    for section in SECTIONS:
        lines += ["", f"## {section.TITLE}", ""]
        measured = {key: results[key] for key in section.KEYS if key in results}
        if not measured:
            parts = ",".join(part for part, owner in PARTS.items() if owner is section)
            lines.append(f"Not measured yet: `python tools/bench.py --only {parts}`.")
            continue
        notes = [section_note(part, current) for part in measured.values()]
        lines += list(dict.fromkeys(notes))  # parts measured together share one note
        if unavailable := [p["unavailable"] for p in measured.values() if "unavailable" in p]:
            lines += ["", *(f"Not available: {message}." for message in unavailable)]
        else:
            lines += [
                "",
                section.render(measured if len(section.KEYS) > 1 else measured[section.KEYS[0]]),
            ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
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
        help="a smoke test, not numbers to publish: attention at n = 512 and 1024 only with "
        "short runs, the pair loop on fewer queries, bag of words on the default sample only",
    )
    parser.add_argument(
        "--notebooks",
        nargs="+",
        type=Path,
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
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(args.parts) - set(PARTS):
        parser.error(
            f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}"
        )
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.notebooks = (
        [p.resolve() for p in args.notebooks]
        if args.notebooks
        else sorted(NOTEBOOKS.glob("*.ipynb"))
    )
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    for key, value in MAKE_ENV.items():  # before torch is imported; inherited by every kernel
        os.environ.setdefault(key, value)
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for section in SECTIONS:
        chosen = [part for part in args.parts if PARTS[part] is section]
        if not chosen:
            continue
        print(f"{section.TITLE} ...", flush=True)
        env = environment()
        try:
            results.update(
                {key: {**part, "environment": env} for key, part in section.measure(args).items()}
            )
        except Unavailable as err:
            print(f"  not available: {err}", flush=True)
            keys = [key for key in section.KEYS if key in chosen or len(section.KEYS) == 1]
            results.update({key: {"unavailable": str(err), "environment": env} for key in keys})
    args.out.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "RESULTS.md").write_text(render(results, environment()))
    for row in target_rows(results):
        print(f"{row[2]:>4}  {row[0]}: {row[1]}")
    print(f"wrote {args.out / 'RESULTS.md'} and {results_path}")


if __name__ == "__main__":
    main()
