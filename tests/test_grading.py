"""Autograding with nbgrader: every exercise carries nbgrader metadata, and nbgrader grades it.

The metadata is stamped by tools/grading.py (`make execute`); the self-checks raise
AssertionError in grading mode (helpers/exercises/_grading.py). The last test runs the real
nbgrader on a temporary course: generate_assignment from the answer key, then autograde a right,
a wrong and a not-attempted submission.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import _grading
from helpers.exercises._core import Case, run_check
from tools import grading, student

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_exercise_has_a_solution_cell_and_an_autograded_check(path):
    nb = nbformat.read(path, as_version=4)
    wanted = grading.nbgrader_cells(nb)
    for index, (cell, meta) in enumerate(zip(nb.cells, wanted, strict=True)):
        assert cell.metadata.get("nbgrader") == meta, (
            f"{path.name} cell {index}: nbgrader metadata out of date, run "
            "`.venv/bin/python tools/grading.py --stamp` (make execute does)"
        )
    solutions = [m for m in wanted if m and m["solution"]]
    checks = [m for m in wanted if m and m["grade"]]
    assert len(solutions) >= 2 and len(checks) == len(solutions), (
        f"{path.name}: {len(solutions)} solution cell(s) but {len(checks)} autograded check(s); "
        "each solution cell needs a cell below it calling helpers.exercises.check_…(its function)"
    )
    ids = [m["grade_id"] for m in solutions + checks]
    assert len(set(ids)) == len(ids), f"{path.name}: nbgrader grade_ids repeat: {ids}"


def lesson():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 · X"),
        nbformat.v4.new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell("helpers.exercises.check_identity(f)"),
        nbformat.v4.new_code_cell("helpers.exercises.check_other(g)"),  # not a learner function
    ]
    return nb


def test_stamping_marks_solutions_and_checks_and_clears_stale_metadata():
    nb = lesson()
    nb.cells[3].metadata["nbgrader"] = {"grade": True}
    assert grading.stamp(nb) is True
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[0] is None and meta[3] is None
    assert meta[1]["solution"] and not meta[1]["grade"] and meta[1]["grade_id"] == "solution-f"
    assert meta[2]["grade"] and meta[2]["locked"] and meta[2]["points"] == grading.POINTS
    assert meta[2]["grade_id"] == "check_identity"
    assert grading.stamp(nb) is False


def check_identity(fn):
    return run_check("identity", fn, lambda x: x, [Case("x = 2", (2.0,))], hint="return x")


def not_written(x):
    raise NotImplementedError


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_in_grading_mode_a_check_that_does_not_pass_raises(monkeypatch, mode):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    assert _grading.grading()
    assert check_identity(lambda x: x).passed
    with pytest.raises(AssertionError, match="wrong on x = 2"):
        check_identity(lambda x: x + 1)
    with pytest.raises(AssertionError, match="not attempted"):
        check_identity(not_written)


def test_for_a_learner_a_check_never_raises(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not _grading.grading()
    assert check_identity(lambda x: x + 1).status == "failed"
    assert check_identity(not_written).status == "not attempted"


def nbgrader(course: Path, *args: str) -> None:
    """Run one nbgrader command in `course`; nbgrader calls `alembic` from this environment."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-3000:]}"


def submission(released, key, wrong: bool):
    """The released notebook with the key's solutions typed in; with `wrong`, the first solution
    returns None instead."""
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in key.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = nbformat.from_dict(released)
    typed = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in solutions]
    for index, cell in enumerate(typed):
        cell.source = solutions[cell.metadata["nbgrader"]["grade_id"]]
        if wrong and index == 0:
            cell.source = student.SOLUTION.sub(lambda m: f"{m['indent']}return None", cell.source)
    return nb


def test_nbgrader_grades_right_wrong_and_unattempted_submissions(tmp_path):
    # In the course environment (requirements.lock) nbgrader is installed and this runs.
    Gradebook = pytest.importorskip("nbgrader.api", reason="nbgrader is not installed").Gradebook

    path = NOTEBOOKS[0]
    key = nbformat.read(path, as_version=4)
    grading.stamp(key)  # as `make execute` leaves it
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copytree(
        path.parent,
        course / "source" / "ps1",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.ipynb", ".*"),
    )
    nbformat.write(key, course / "source" / "ps1" / path.name)
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "test"\n'
    )
    nbgrader(course, "generate_assignment", "ps1")
    released = nbformat.read(course / "release" / "ps1" / path.name, as_version=4)
    assert "### BEGIN SOLUTION" not in "".join(c.source for c in released.cells)

    submissions = {
        "right": submission(released, key, wrong=False),
        "wrong": submission(released, key, wrong=True),
        "unattempted": nbformat.from_dict(released),
    }
    for name, nb in submissions.items():
        folder = course / "submitted" / name / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / path.name)
    nbgrader(course, "autograde", "ps1")

    checks = sum(1 for m in grading.nbgrader_cells(key) if m and m["grade"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {name: gradebook.find_submission("ps1", name).score for name in submissions}
        assert gradebook.find_assignment("ps1").max_score == checks * grading.POINTS
    assert scores == {
        "right": checks * grading.POINTS,
        "wrong": (checks - 1) * grading.POINTS,
        "unattempted": 0,
    }, f"{path.name}: nbgrader's scores"
