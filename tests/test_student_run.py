"""Run All on every student edition goes through, and the solutions put back pass every check.

One kernel run per notebook: the student edition top to bottom (each check must say "not
attempted"), then, in the same kernel, the answer key's solution cells and the checks again
(each must pass). tests/test_student.py shows the restored cells are the answer key's exactly.
"""

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tools import student

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
CHECK_CALL = "exercises.check_"  # helpers.exercises.check_…(fn), however imported


def output_text(cell) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) for o in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_edition_runs_all_then_solutions_pass(path, tmp_path):
    key = nbformat.read(path, as_version=4)
    nb = student.student_edition(key)
    solutions = [
        c for c in key.cells if c.cell_type == "code" and student.solution_blocks(c.source)
    ]
    learner = set().union(*(student.learner_functions(c.source) for c in solutions))
    checks = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and CHECK_CALL in c.source and student.uses(c.source, learner)
    ]
    assert len(checks) >= 2, "every notebook has at least two self-checked exercises"
    first_extra = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(c.source) for c in solutions]
    nb.cells += [nbformat.v4.new_code_cell(nb.cells[i].source) for i in checks]

    # A copy of the notebook folder, so whatever a notebook reads next to itself is there.
    workdir = tmp_path / "notebooks"
    shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns("*.ipynb", ".*"))
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(workdir)}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(
            f"Run All stopped in the student edition of {path.name}. Only a check cell may call "
            f"a learner's function ({', '.join(sorted(learner))}).\n{err}"
        )

    for i in checks:
        text = output_text(nb.cells[i])
        assert "not attempted" in text and "✅" not in text, f"cell {i}: {text[:300]}"
    for index, cell in enumerate(nb.cells[first_extra + len(solutions) :]):
        text = output_text(cell)
        assert "✅" in text, f"check {index} with the solutions put back: {text[:300]}"
