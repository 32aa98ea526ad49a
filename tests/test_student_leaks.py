"""No text or output of the student edition gives an exercise's answer away.

Two kinds of answers are taken from the answer key (the committed notebook):
- printed: every number an exercise section prints (from a solution cell to the next `## `
  section: its check and any cell that answers the exercise's question), unless the notebook
  already shows it before its first exercise or in an exercise's statement (a target to reach);
- declared: the strings a solution cell lists in its metadata, `"exercise": {"answers": [...]}`
  (a formula as the notebook writes it, a value, a name: see CONTRIBUTING.md). From the exercise's
  statement (the Markdown cell above the solution cell) to the end of the notebook, none may
  appear, compared without spaces, `$`, braces, `*`, `\\,` or `\\cdot`; the lesson before the
  exercise may teach it.
Instructions must suit both editions: no cell outside a solution block names the solution
markers or the student edition's placeholder.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

from tools import student

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
# A number worth hiding: a decimal with two or more decimals, or an integer of three or more digits.
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d{2,}|\d{3,})(?![\w.])")
EDITION_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "NotImplementedError")


def cell_text(cell) -> str:
    """A cell's source and its outputs' text (no images), as one string."""
    parts = [cell.source]
    for output in cell.get("outputs", []):
        data = {k: v for k, v in output.get("data", {}).items() if k.startswith("text/")}
        parts.append(json.dumps([output.get("text", ""), data], ensure_ascii=False))
    return "\n".join(parts)


def output_text(cell) -> str:
    return cell_text(cell).removeprefix(cell.source)


def printed_answers(key) -> dict[str, int]:
    """Numbers printed in the key's exercise sections that it shows nowhere else first.

    Returns {number: index of the answer-key cell that printed it}.
    """
    flags = student.exercise_sections(key)
    first = flags.index(True) if True in flags else len(key.cells)
    known = "\n".join(cell_text(c) for c in key.cells[:first])
    known += "\n".join(
        c.source for c, inside in zip(key.cells, flags, strict=True) if inside
    )  # exercise statements and code give targets and inputs, not answers
    answers = {}
    for index, (cell, inside) in enumerate(zip(key.cells, flags, strict=True)):
        if inside and cell.cell_type == "code":
            for number in NUMBER.findall(output_text(cell)):
                if not re.search(rf"(?<![\w.]){re.escape(number)}(?![\w.])", known):
                    answers.setdefault(number, index)
    return answers


def printed_leaks(key, edition) -> list[str]:
    """Every place where the student edition shows a number from `printed_answers(key)`."""
    answers, leaks = printed_answers(key), []
    for index, cell in enumerate(edition.cells):
        for number in NUMBER.findall(cell_text(cell)):
            if number in answers:
                leaks.append(
                    f"cell {index} ({cell.cell_type}) shows {number}, which answer-key cell "
                    f"{answers[number]} prints in an exercise"
                )
    return leaks


def squeezed(text: str) -> str:
    """`text` without what varies between ways of writing one formula."""
    text = text.replace("−", "-").replace("\\left", "").replace("\\right", "")
    return re.sub(r"\\cdot|\\[,;!]|[\s$*{}·]", "", text).lower()


def declared_answers(cell) -> list[str]:
    """The answers a solution cell declares in its metadata (see CONTRIBUTING.md)."""
    answers = cell.metadata.get("exercise", {}).get("answers", [])
    assert isinstance(answers, list) and all(isinstance(a, str) and a.strip() for a in answers), (
        f'metadata "exercise": {{"answers": ...}} must be a list of non-empty strings: {answers!r}'
    )
    return answers


def declared_leaks(key, edition) -> list[str]:
    """Every place, from an exercise's statement on, where the edition shows a declared answer."""
    leaks = []
    for index, cell in enumerate(key.cells):
        answers = declared_answers(cell) if student.is_solution_cell(cell) else []
        statement = max(
            (i for i in range(index) if key.cells[i].cell_type == "markdown"), default=index
        )
        for later in range(statement, len(edition.cells)):
            text = squeezed(cell_text(edition.cells[later]))
            leaks += [
                f"cell {later} ({edition.cells[later].cell_type}) gives the answer «{answer}» "
                f"declared by solution cell {index}"
                for answer in answers
                if squeezed(answer) in text
            ]
    return leaks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_printed_answer_survives_in_the_student_edition(path):
    key = nbformat.read(path, as_version=4)
    leaks = printed_leaks(key, student.student_edition(key))
    assert not leaks, f"{path.name}, student edition:\n" + "\n".join(leaks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_declared_answer_appears_from_its_exercise_on(path):
    key = nbformat.read(path, as_version=4)
    leaks = declared_leaks(key, student.student_edition(key))
    assert not leaks, f"{path.name}, student edition:\n" + "\n".join(leaks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_instructions_suit_both_editions(path):
    key = nbformat.read(path, as_version=4)
    for index, cell in enumerate(key.cells):
        outside = student.SOLUTION.sub("", cell.source)
        named = [word for word in EDITION_WORDS if word in outside]
        assert not named, (
            f"{path.name} cell {index} ({cell.cell_type}) names {named}, which only one edition "
            "shows: say 'complete the function below' instead"
        )


def lesson(summary: str, answers=()):
    """A notebook with a lesson, one exercise that prints its answer, and a summary."""
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell(
        "def area(r):\n    ### BEGIN SOLUTION\n    return 3.1416 * r**2\n    ### END SOLUTION"
    )
    if answers:
        solution.metadata["exercise"] = {"answers": list(answers)}
    answer = nbformat.v4.new_code_cell("print(area(2))")
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="12.5664\n")]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 · Circles\n\nThe area is $\\pi r^2$, π = 3.1416."),
        nbformat.v4.new_markdown_cell("## Exercises\n\nWrite `area(r)`. What is area(2)?"),
        solution,
        answer,
        nbformat.v4.new_markdown_cell(f"## Summary\n\n{summary}"),
    ]
    return nb


def test_a_summary_that_quotes_a_printed_answer_is_caught():
    nb = lesson("A circle of radius 2 covers 12.5664, and π is 3.1416.")
    leaks = printed_leaks(nb, student.student_edition(nb))
    assert leaks == [
        "cell 4 (markdown) shows 12.5664, which answer-key cell 3 prints in an exercise"
    ]
    clean = lesson("Areas grow with the square of the radius.")
    assert printed_leaks(clean, student.student_edition(clean)) == []


def test_a_declared_formula_is_caught_however_it_is_spaced_but_not_in_the_lesson():
    nb = lesson("The area is $\\pi \\, r^{2}$.", answers=["\\pi r^2"])
    assert declared_leaks(nb, student.student_edition(nb)) == [
        "cell 4 (markdown) gives the answer «\\pi r^2» declared by solution cell 2"
    ]
    nb = lesson("Areas grow with the square of the radius.", answers=["\\pi r^2"])
    assert declared_leaks(nb, student.student_edition(nb)) == []


def test_a_malformed_declaration_is_refused():
    nb = lesson("Words.", answers=[""])
    with pytest.raises(AssertionError, match="list of non-empty strings"):
        declared_leaks(nb, student.student_edition(nb))
