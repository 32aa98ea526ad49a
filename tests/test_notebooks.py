"""Notebook hygiene: what a learner opens must look freshly executed, clean and portable."""

import getpass
import json
import re
from pathlib import Path

import nbformat
import pytest

from tools import colab

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
MAX_OUTPUT_BYTES = 50_000
# A figure is a retina PNG (960 px wide for the default size, see helpers/setup.py), stored as
# base64: a busy one (a heat map, two panels of noisy curves) needs more room than text.
MAX_IMAGE_BYTES = 150_000
MAX_FILE_BYTES = 1_000_000
# Cells whose output nbval ignores must say why with one of these tags.
IGNORE_REASONS = {"timing", "versions"}
# Account names that are also ordinary words (or CI defaults) are not searched for on their own.
COMMON_USER_NAMES = {"root", "user", "admin", "runner", "jovyan"}
USER = getpass.getuser()
LEAKS = {
    "a memory address": re.compile(r"\bat 0x[0-9a-fA-F]{4,}"),
    "an absolute path": re.compile(r"(/home/|/Users/|/root/|/tmp/|/work/|[A-Z]:\\\\)"),
    "a site-packages path": re.compile(r"site-packages"),
}
if len(USER) >= 3 and USER not in COMMON_USER_NAMES:
    LEAKS["the user name"] = re.compile(rf"\b{re.escape(USER)}\b")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def output_text(output) -> str:
    return json.dumps({k: v for k, v in output.items() if k != "metadata"}, ensure_ascii=False)


def test_the_notebooks_are_numbered_01_02_03_in_order():
    assert NOTEBOOKS, "no notebooks found"
    numbers = [p.name[:3] for p in NOTEBOOKS]
    assert numbers == [f"{i:02d}_" for i in range(1, len(NOTEBOOKS) + 1)], numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_badge_and_setup_cell_match_the_course_location(path):
    nb = load(path)
    repo, ref = colab.location()
    first_markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0] is first_markdown, "the notebook must open with its title and badge"
    assert first_markdown.source.startswith("# "), "the first cell must start with the title"
    assert colab.badge(path.name, repo, ref) in first_markdown.source, (
        "badge out of date: run `make colab`"
    )
    assert code_cells(nb)[0].source == colab.setup_source(repo, ref, colab.reads_reviews(nb)), (
        "setup cell out of date: run `make colab`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_top_to_bottom_in_a_fresh_kernel(path):
    counts = [c.execution_count for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), "re-run it with `make execute`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_errors_only_where_tagged_as_raising(path):
    for index, cell in enumerate(load(path).cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        assert not errors or tagged, f"cell {index} shows {errors[0].ename} but is not tagged"
        assert not tagged or errors, f"cell {index} is tagged raises-exception but does not raise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_are_clean_and_small(path):
    for index, cell in enumerate(code_cells(load(path))):
        for output in cell.outputs:
            text = output_text(output)
            for what, pattern in LEAKS.items():
                match = pattern.search(text)
                assert not match, f"code cell {index} output shows {what}: {match.group(0)!r}"
            limit = MAX_IMAGE_BYTES if "image/png" in output.get("data", {}) else MAX_OUTPUT_BYTES
            assert len(text) <= limit, f"code cell {index}: an output of {len(text)} B"
            assert "stderr" != output.get("name"), f"code cell {index} writes to stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_timing_and_version_cells_ignore_their_output(path):
    for index, cell in enumerate(code_cells(load(path))):
        tags = set(cell.metadata.get("tags", []))
        ignored = "nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in cell.source
        assert not ignored or tags & IGNORE_REASONS, (
            f"code cell {index} ignores its output but is tagged neither timing nor versions"
        )
        assert "timing" not in tags or not cell.outputs, (
            f"code cell {index} is a timing cell with stored output: run `make execute`"
        )
        assert "nbval-skip" not in tags and "NBVAL_SKIP" not in cell.source, (
            f"code cell {index} is skipped by nbval"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_metadata_and_size(path):
    nb = load(path)
    assert nb.metadata.kernelspec.name == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "stray notebook metadata"
    assert path.stat().st_size <= MAX_FILE_BYTES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_solution_markers_and_checks(path):
    cells = code_cells(load(path))
    solutions = [c for c in cells if "### BEGIN SOLUTION" in c.source]
    assert solutions, "every notebook ends with exercises"
    for cell in solutions:
        assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION")
    checks = [c for c in cells if "helpers.exercises.check_" in c.source]
    assert len(checks) >= len(solutions) >= 2
    for cell in checks:
        assert any("✅" in output_text(o) for o in cell.outputs), "a solved check must pass"
