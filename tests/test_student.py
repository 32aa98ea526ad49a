"""The student edition takes out every solution and nothing else (tools/student.py)."""

import json
from pathlib import Path

import nbformat
import pytest

from tools import student

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]

EXERCISE = '''\
def my_step(w, x):
    """One step."""
    ### BEGIN SOLUTION
    grad = 2 * x
    return w - grad
    ### END SOLUTION


def my_pair(a):
    if a > 0:
        ### BEGIN SOLUTION
        return a, -a
        ### END SOLUTION
    return 0, 0'''


def test_each_solution_block_becomes_one_placeholder_at_its_indentation():
    assert student.strip_solutions(EXERCISE) == (
        "def my_step(w, x):\n"
        '    """One step."""\n'
        f"    {student.PLACEHOLDER}\n"
        "\n\n"
        "def my_pair(a):\n"
        "    if a > 0:\n"
        f"        {student.PLACEHOLDER}\n"
        "    return 0, 0"
    )


def test_putting_the_blocks_back_gives_the_original_source():
    blocks = student.solution_blocks(EXERCISE)
    assert len(blocks) == 2 and blocks[1].startswith("        ### BEGIN SOLUTION")
    assert student.restore_solutions(student.strip_solutions(EXERCISE), blocks) == EXERCISE


def test_restoring_the_wrong_number_of_blocks_is_refused():
    stripped = student.strip_solutions(EXERCISE)
    with pytest.raises(ValueError, match="2 placeholder"):
        student.restore_solutions(stripped, student.solution_blocks(EXERCISE)[:1])


def test_cells_that_use_a_learner_function_lose_their_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print(2)", execution_count=1),
        nbformat.v4.new_code_cell(EXERCISE, execution_count=2),
        nbformat.v4.new_code_cell("helpers.exercises.check_step(my_step)", execution_count=3),
        nbformat.v4.new_code_cell("my_pair_count = 1", execution_count=4),
    ]
    for cell in nb.cells:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="shown\n")]
    edition = student.student_edition(nb)
    assert [len(c.outputs) for c in edition.cells] == [1, 0, 0, 1]
    assert [c.execution_count for c in edition.cells] == [1, None, None, 4]
    assert nb.cells[1].source == EXERCISE and nb.cells[2].outputs, "the answer key is untouched"


def test_a_notebook_without_exercises_is_refused(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="01_x.ipynb: no `### BEGIN SOLUTION`"):
        student.write_student_editions([path], tmp_path / "out")


def test_make_student_writes_one_edition_per_notebook(tmp_path):
    written = student.write_student_editions(NOTEBOOKS, tmp_path)
    assert [p.name for p in written] == IDS
    for path in written:
        code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert not any("### BEGIN SOLUTION" in source for source in code)
        assert sum(source.count(student.PLACEHOLDER) for source in code) >= 2


def solution_lines(nb) -> set[str]:
    """Every non-blank line inside a solution block, without markers or indentation."""
    lines = set()
    for cell in nb.cells:
        for block in student.solution_blocks(cell.source) if cell.cell_type == "code" else []:
            lines |= {line.strip() for line in block.splitlines()[1:-1] if line.strip()}
    return lines


def all_text(nb) -> str:
    """Sources and outputs of every cell, as one string."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        parts.extend(json.dumps(o, ensure_ascii=False) for o in cell.get("outputs", []))
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_solution_text_survives(path):
    key = nbformat.read(path, as_version=4)
    edition = student.student_edition(key)
    # A solution line that the answer key also shows outside its solutions is course text.
    without_solutions = "\n".join(student.SOLUTION.sub("", c.source) for c in key.cells)
    secret = {line for line in solution_lines(key) if line not in without_solutions}
    assert secret, "the answer key's solutions should not all be shown elsewhere"
    text = all_text(edition)
    survivors = sorted(line for line in secret if line in text)
    assert not survivors, f"solution lines left in the student edition: {survivors}"
    for cell in edition.cells:
        if cell.cell_type == "code" and student.PLACEHOLDER in cell.source:
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_putting_the_solutions_back_gives_the_answer_key(path):
    key = nbformat.read(path, as_version=4)
    edition = student.student_edition(key)
    assert len(edition.cells) == len(key.cells)
    for index, (mine, theirs) in enumerate(zip(edition.cells, key.cells, strict=True)):
        assert mine.cell_type == theirs.cell_type and mine.metadata == theirs.metadata, index
        blocks = student.solution_blocks(theirs.source)
        restored = student.restore_solutions(mine.source, blocks) if blocks else mine.source
        assert restored == theirs.source, f"cell {index} differs from the answer key"
        if not blocks and mine.get("outputs"):
            assert mine.outputs == theirs.outputs, f"cell {index}: a kept output changed"
