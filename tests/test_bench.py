"""The benchmark's pure parts: targets, tables, extrapolation, the floor's notebook, the report.

Timings themselves are never asserted (they depend on the machine): see tools/bench.py.
"""

import math
import os
import re

import nbformat
import pytest
import torch

from tools import bench, bench_attention, bench_bow, bench_common, bench_notebooks, bench_suites


@pytest.mark.parametrize(
    ("target", "value", "verdict"),
    [
        (bench_suites.TARGETS["nbval"], 1.99, "PASS"),
        (bench_suites.TARGETS["nbval"], 2.0, "PASS"),
        (bench_suites.TARGETS["nbval"], 2.01, "MISS"),
        (bench_attention.TARGETS["vs_loop"], 50.0, "PASS"),
        (bench_attention.TARGETS["vs_loop"], 49.9, "MISS"),
        (bench_notebooks.peak_target("05_bag_of_words.ipynb"), None, "n/a"),
        (bench_notebooks.time_target("01_sgd_by_hand.ipynb"), math.nan, "n/a"),
    ],
)
def test_a_target_passes_up_to_its_limit_in_its_own_direction(target, value, verdict):
    assert target.verdict(value) == verdict


def test_ratio_is_none_without_both_numbers():
    assert bench_common.ratio(3.0, 2.0) == 1.5
    assert bench_common.ratio(None, 2.0) is None
    assert bench_common.ratio(3.0, 0.0) is None


def test_extrapolation_is_linear_in_the_number_of_queries():
    assert bench_attention.extrapolate(0.5, 16, 4096) == pytest.approx(128.0)
    assert bench_attention.extrapolate(0.5, 16, 16) == 0.5
    with pytest.raises(ValueError, match="measured <= total"):
        bench_attention.extrapolate(0.5, 32, 16)


def test_markdown_table_has_a_separator_and_one_line_per_row():
    table = bench_common.markdown_table(["n", "time (s)"], [["128", "0.10"], ["512", "1.00"]])
    assert table.splitlines() == [
        "| n | time (s) |",
        "| --- | --- |",
        "| 128 | 0.10 |",
        "| 512 | 1.00 |",
    ]
    with pytest.raises(ValueError, match="has 1 cells, the header has 2"):
        bench_common.markdown_table(["n", "time (s)"], [["128"]])


def test_numbers_are_printed_at_fixed_precision_or_as_na():
    assert bench_common.fmt(1.23456) == "1.23"
    assert bench_common.fmt(534.4, 0, " MB") == "534 MB"
    assert bench_common.fmt(None) == "n/a"
    assert bench_common.plural(1, "run") == "1 run"
    assert bench_common.plural(3, "run") == "3 runs"


def test_the_floor_notebook_is_valid_and_only_imports_the_stack():
    nb = bench_suites.trivial_notebook()
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    imports = {line.split()[1] for line in code[0].splitlines() if line.startswith("import")}
    assert imports == {"matplotlib.pyplot", "numpy", "pandas", "torch"}
    assert code[0].count("plt.plot(") == 1 and code[0].rstrip().endswith("plt.show()")


def test_the_nbval_command_is_the_makefiles():
    makefile = re.sub(r"\s*\\\n\s*", " ", (bench_common.ROOT / "Makefile").read_text())
    recipe = re.search(r"^nbval:.*\n\t(.*)$", makefile, re.MULTILINE)[1]
    assert recipe == " ".join(["$(BIN)/pytest", *bench_suites.nbval_command(["notebooks"])[1:]])


@pytest.mark.parametrize(
    ("source", "size"),
    [
        ("SAMPLE_SIZE = 5_000  # reviews to use", 5000),
        ("import x\nN_REVIEWS = 4000\n", 4000),
        ("sample = 10", None),
        ("SAMPLE_SIZE = len(reviews)", None),
    ],
)
def test_the_default_sample_size_is_read_from_an_uppercase_setting(source, size):
    assert bench_bow.sample_size_in(source) == size


def test_the_pair_loop_and_the_row_loop_agree_with_torch():
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 5, 4, generator=generator) for _ in range(3))
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(bench_attention.loop_attention(q, k, v, 3), expected[:, :3])
    torch.testing.assert_close(bench_attention.row_loop_attention(q, k, v), expected)


def notebook(name, cells_s, free_s, peak_mb):
    return {
        "notebook": name,
        "cells_s": cells_s,
        "free_s": free_s,
        "start_s": 1.0,
        "peak_mb": peak_mb,
        "slowest_cell": [17, 1.5],
        "error": None,
    }


ENV = {
    "date": "2026-01-01 00:00 UTC",
    "cpus": 2,
    "platform": "Linux x86_64",
    "python": "3.11.7",
    "torch": "2.13.0",
    "numpy": "2.4.6",
    "torch_threads": 1,
    "load_average": 0.1,
}


def test_report_says_what_is_not_measured_and_shows_each_target():
    results = {
        "nbval": {
            "seconds": 25.0,
            "ok": True,
            "floor": {"seconds": 10.0},
            "runs": 3,
            "notebooks": 5,
            "summary": "12 passed",
            "environment": ENV,
        },
        "attention": {"unavailable": "helpers.attention is missing", "environment": ENV},
        "notebooks": {
            "runs": 3,
            "environment": ENV,
            "rows": [
                notebook(bench_notebooks.FLOOR_NAME, 9.0, 9.5, 380.0),
                notebook("05_bag_of_words.ipynb", 4.5, 9.5, 612.0),
                notebook("06_capstone.ipynb", 12.0, 13.0, 700.0),
            ],
        },
    }
    report = bench.render(results, {**ENV, "torch": "2.14.0"})
    rows = [
        "| nbval over all notebooks ≤ 2 × floor | 2.50 × | MISS |",
        "| every notebook ≤ 5 s under `make` (06 excepted) | slowest, 05_bag_of_words.ipynb: "
        "4.50 s | PASS |",
        "| capstone notebook 06 ≤ 15 s under `make` | slowest, 06_capstone.ipynb: 12.00 s | PASS |",
        "| every notebook without thread variables ≤ 2 × its time under `make` | largest, "
        "05_bag_of_words.ipynb: 2.11 × | MISS |",
        "| notebook 05 peak ≤ 600 MB | 612 MB | MISS |",
        "| notebook 06 peak ≤ 800 MB | 700 MB | PASS |",
        "| 05_bag_of_words.ipynb | 4.50 (PASS) | 9.50 | 2.11 (MISS) | 1.00 | 612 (MISS ≤ 600) |",
        "Not measured yet: `python tools/bench.py --only bow`.",
        "Not available: helpers.attention is missing.",
        "a different setup from the header's: torch 2.13.0",
    ]
    for row in rows:
        assert row in report


def attention_row(n, fused_s, tiled_s, causal_s, tiled_mb):
    return {
        "n": n,
        "seconds": {"fused": fused_s, "tiled": tiled_s, "tiled_causal": causal_s, "plain": 1.0},
        "peak_mb": {"fused": 8.0, "tiled": tiled_mb, "plain": 1000.0},
    }


def test_attention_targets_take_the_worst_n_and_the_named_lengths():
    rows = [
        attention_row(2048, 1.0, 1.6, 0.8, 3.0),
        attention_row(4096, 2.0, 2.6, 1.3, 5.0),
        attention_row(8192, 8.0, 10.0, 5.0, 10.0),
    ]
    results = {"attention": {"rows": rows, "quick": False, "heads": 4, "d": 64, "environment": ENV}}
    targets = {row[0]: row[1:] for row in bench.target_rows(results)}
    text = bench_attention.TARGETS
    assert targets[text["vs_fused"].text] == ["worst, n = 2048: 1.60 ×", "MISS"]
    assert targets[text["causal"].text] == ["0.50 ×", "PASS"]
    assert targets[text["linear"].text] == ["largest, to n = 8192: 2.00 ×", "PASS"]
    assert targets[text["vs_plain_memory"].text] == ["100.00 ×", "PASS"]
    assert targets[text["vs_fused_memory"].text] == ["1.25 ×", "PASS"]
    assert "| 4096 | 2000.0 | 2600.0 | 1.30 PASS | 1300.0 | 0.50 |" in bench.render(results, ENV)


def test_thread_variables_are_set_or_removed_and_then_restored(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    with bench_notebooks.thread_variables(False):
        assert "OMP_NUM_THREADS" not in os.environ and "MKL_NUM_THREADS" not in os.environ
    with bench_notebooks.thread_variables(True):
        assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "7" and "MKL_NUM_THREADS" not in os.environ


def test_every_notebook_is_benchmarked_by_default():
    args = bench.parse(["--only", "notebooks"])
    assert args.notebooks == sorted((bench_common.ROOT / "notebooks").glob("*.ipynb"))
    assert any(p.name.startswith("07_") for p in args.notebooks)
