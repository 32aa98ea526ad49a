"""The benchmark tool's pure parts: targets, tables, extrapolation, the floor's notebook.

Timings themselves are never asserted (they depend on the machine): see tools/bench.py.
"""

import math
import re

import nbformat
import pytest
import torch

from tools import bench


@pytest.mark.parametrize(
    ("target", "value", "verdict"),
    [
        (bench.TARGETS["nbval"], 1.99, "PASS"),
        (bench.TARGETS["nbval"], 2.0, "PASS"),
        (bench.TARGETS["nbval"], 2.01, "MISS"),
        (bench.TARGETS["vs_loop"], 50.0, "PASS"),
        (bench.TARGETS["vs_loop"], 49.9, "MISS"),
        (bench.TARGETS["bow_peak"], None, "n/a"),
        (bench.TARGETS["notebook"], math.nan, "n/a"),
    ],
)
def test_a_target_passes_up_to_its_limit_in_its_own_direction(target, value, verdict):
    assert target.verdict(value) == verdict


def test_ratio_is_none_without_both_numbers():
    assert bench.ratio(3.0, 2.0) == 1.5
    assert bench.ratio(None, 2.0) is None
    assert bench.ratio(3.0, 0.0) is None


def test_extrapolation_is_linear_in_the_number_of_queries():
    assert bench.extrapolate(0.5, 16, 4096) == pytest.approx(128.0)
    assert bench.extrapolate(0.5, 16, 16) == 0.5
    with pytest.raises(ValueError, match="measured <= total"):
        bench.extrapolate(0.5, 32, 16)


def test_markdown_table_has_a_separator_and_one_line_per_row():
    table = bench.markdown_table(["n", "time (s)"], [["128", "0.10"], ["512", "1.00"]])
    assert table.splitlines() == [
        "| n | time (s) |",
        "| --- | --- |",
        "| 128 | 0.10 |",
        "| 512 | 1.00 |",
    ]
    with pytest.raises(ValueError, match="has 1 cells, the header has 2"):
        bench.markdown_table(["n", "time (s)"], [["128"]])


def test_numbers_are_printed_at_fixed_precision_or_as_na():
    assert bench.fmt(1.23456) == "1.23"
    assert bench.fmt(534.4, 0, " MB") == "534 MB"
    assert bench.fmt(None) == "n/a"
    assert bench.plural(1, "run") == "1 run"
    assert bench.plural(3, "run") == "3 runs"


def test_the_floor_notebook_is_valid_and_only_imports_the_stack():
    nb = bench.trivial_notebook()
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    imports = {line.split()[1] for line in code[0].splitlines() if line.startswith("import")}
    assert imports == {"matplotlib.pyplot", "numpy", "pandas", "torch"}
    assert code[0].count("plt.plot(") == 1 and code[0].rstrip().endswith("plt.show()")


def test_the_nbval_command_is_the_makefiles():
    makefile = re.sub(r"\s*\\\n\s*", " ", (bench.ROOT / "Makefile").read_text())
    recipe = re.search(r"^nbval:.*\n\t(.*)$", makefile, re.MULTILINE)[1]
    assert recipe == " ".join(["$(BIN)/pytest", *bench.nbval_command(["notebooks"])[1:]])


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
    assert bench.sample_size_in(source) == size


def test_the_pair_loop_and_the_row_loop_agree_with_torch():
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 5, 4, generator=generator) for _ in range(3))
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(bench.loop_attention(q, k, v, 3), expected[:, :3])
    torch.testing.assert_close(bench.row_loop_attention(q, k, v), expected)


def test_report_says_what_is_not_measured_and_shows_each_target():
    env = {
        "date": "2026-01-01 00:00 UTC",
        "cpus": 2,
        "platform": "Linux x86_64",
        "python": "3.11.7",
        "torch": "2.13.0",
        "numpy": "2.4.6",
        "torch_threads": 1,
        "load_average": 0.1,
    }
    floor = {"seconds": 10.0}
    results = {
        "nbval": {
            "seconds": 25.0,
            "ok": True,
            "floor": floor,
            "runs": 3,
            "notebooks": 5,
            "summary": "12 passed",
            "environment": env,
        },
        "attention": {"unavailable": "helpers.attention is missing", "environment": env},
        "notebooks": {
            "runs": 3,
            "environment": env,
            "rows": [
                {
                    "notebook": bench.FLOOR_NAME,
                    "cells_s": 9.0,
                    "start_s": 1.0,
                    "peak_mb": 380.0,
                    "slowest_cell": [1, 9.0],
                    "error": None,
                },
                {
                    "notebook": "05_bag_of_words.ipynb",
                    "cells_s": 4.5,
                    "start_s": 1.0,
                    "peak_mb": 612.0,
                    "slowest_cell": [17, 1.5],
                    "error": None,
                },
            ],
        },
    }
    report = bench.render(results, {**env, "torch": "2.14.0"})
    assert "| nbval over all notebooks ≤ 2 × floor | 2.50 × | MISS |" in report
    assert "| every notebook ≤ 5 s | slowest, 05_bag_of_words.ipynb: 4.50 s | PASS |" in report
    assert "| bag-of-words notebook peak ≤ 600 MB | 612 MB | MISS |" in report
    assert (
        "| 05_bag_of_words.ipynb | 4.50 | 1.00 | 612 (MISS ≤ 600 MB) | cell 17: 1.50 s |" in report
    )
    assert "Not measured yet: `python tools/bench.py --only bow`." in report
    assert "Not available: helpers.attention is missing." in report
    assert "a different setup from the header's: torch 2.13.0" in report
