"""The student edition takes out every solution and nothing else (tools/student.py)."""

import json
from pathlib import Path

import nbformat
import pytest

from tools import colab, student

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


def test_exercise_sections_and_cells_that_use_a_learner_function_lose_their_outputs():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell
    nb.cells = [
        code("print(2)", execution_count=1),
        nbformat.v4.new_markdown_cell("**Exercise 1.** Write `my_step`."),
        code(EXERCISE, execution_count=2),
        code("helpers.exercises.check_step(my_step)", execution_count=3),
        code("print(answer)", execution_count=4),  # the exercise's answer, printed
        nbformat.v4.new_markdown_cell("### Exercise 2\n\nStill an exercise."),
        code("print(answer_2)", execution_count=5),
        nbformat.v4.new_markdown_cell("## Summary"),
        code("my_pair_count = 1", execution_count=6),
        code("my_step(1, 2)", execution_count=7),
    ]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="shown\n")]
    edition = student.student_edition(nb)
    code_cells = [c for c in edition.cells if c.cell_type == "code"]
    assert [len(c.outputs) for c in code_cells] == [1, 0, 0, 0, 0, 1, 0]
    assert [c.execution_count for c in code_cells] == [1, None, None, None, None, 6, None]
    assert nb.cells[2].source == EXERCISE and nb.cells[3].outputs, "the answer key is untouched"


def test_the_badge_points_to_the_published_student_edition_or_is_left_out():
    nb = nbformat.v4.new_notebook()
    key_badge = colab.badge("01_x.ipynb", *colab.location())
    nb.cells = [nbformat.v4.new_markdown_cell(f"# 01 · X\n\n{key_badge}"), *exercise_cells()]
    published = student.student_edition(nb, "01_x.ipynb", ("school/course-student", "fall"))
    assert published.cells[0].source == (
        "# 01 · X\n\n" + colab.badge("01_x.ipynb", "school/course-student", "fall")
    )
    assert student.student_edition(nb, "01_x.ipynb", None).cells[0].source == "# 01 · X"


def exercise_cells():
    return [nbformat.v4.new_code_cell("import helpers"), nbformat.v4.new_code_cell(EXERCISE)]


@pytest.mark.parametrize("location", [None, ("school/course-student", "fall")])
def test_make_student_never_links_a_student_notebook_to_the_answer_key(
    tmp_path, monkeypatch, location
):
    args = ["--repo", location[0], "--ref", location[1]] if location else []
    monkeypatch.setattr("sys.argv", ["student.py", "--out", str(tmp_path), *args])
    student.main()
    key_repo, _ = colab.location()
    for path in sorted(tmp_path.glob("*.ipynb")):
        title = nbformat.read(path, as_version=4).cells[0].source
        assert key_repo not in title, f"{path.name}: its badge opens the answer key"
        if location:
            assert colab.badge(path.name, *location) in title, f"{path.name}: no badge"
        else:
            assert "Open In Colab" not in title, f"{path.name}: a badge with nowhere to go"


def test_publishing_the_student_edition_over_the_answer_key_is_refused(tmp_path, monkeypatch):
    key_repo, _ = colab.location()
    monkeypatch.setattr("sys.argv", ["student.py", "--out", str(tmp_path), "--repo", key_repo])
    with pytest.raises(SystemExit, match="holds the answer key"):
        student.main()


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
