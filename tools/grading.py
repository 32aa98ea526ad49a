"""nbgrader metadata for every exercise: solution cells, and autograded check cells with points.

`python tools/grading.py --stamp [notebooks]` (run by `make execute`) gives each cell the
`nbgrader` metadata of `nbgrader_cells`: a cell holding `### BEGIN SOLUTION` becomes an nbgrader
solution cell, and the cell that checks its function (`helpers.exercises.check_…(fn)`) a locked,
autograded test cell worth POINTS. In grading mode the check raises on a wrong or missing answer
(helpers/exercises/_grading.py), so nbgrader scores it. Every other cell carries no nbgrader
metadata. The stamp is idempotent; tests/test_grading.py fails when a notebook disagrees.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import slides, student  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHECK = re.compile(r"\bexercises\.(check_\w+)\(")  # helpers.exercises.check_…(fn)
POINTS = 1
SCHEMA_VERSION = 3  # nbgrader's cell metadata format since nbgrader 0.6


def metadata(grade_id: str, solution: bool) -> dict:
    """The nbgrader metadata of a solution cell, or of an autograded test cell."""
    fields = {"grade": not solution, "grade_id": grade_id, "locked": not solution}
    if not solution:
        fields["points"] = POINTS
    return {**fields, "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}


def nbgrader_cells(nb: nbformat.NotebookNode) -> list[dict | None]:
    """The nbgrader metadata every cell of `nb` should carry (None: not part of grading).

    A solution cell's grade_id is `solution-<its first function>`; a check cell's is
    `<the check's name>`, for a cell that calls a check on a function a solution cell defines.
    """
    learner: set[str] = set()
    cells: list[dict | None] = []
    for cell in nb.cells:
        check = CHECK.search(cell.source) if cell.cell_type == "code" else None
        if student.is_solution_cell(cell):
            names = sorted(student.learner_functions(cell.source)) or ["code"]
            learner.update(names)
            cells.append(metadata(f"solution-{names[0]}", solution=True))
        elif check and student.uses(cell.source, learner):
            cells.append(metadata(check[1], solution=False))
        else:
            cells.append(None)
    return cells


def stamp(nb: nbformat.NotebookNode) -> bool:
    """Set or remove the `nbgrader` metadata of every cell of `nb`; True if any changed."""
    changed = False
    for cell, wanted in zip(nb.cells, nbgrader_cells(nb), strict=True):
        if cell.metadata.get("nbgrader") == wanted:
            continue
        if wanted is None:
            del cell.metadata["nbgrader"]
        else:
            cell.metadata["nbgrader"] = wanted
        changed = True
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--stamp", action="store_true", help="set nbgrader metadata (required)")
    args = parser.parse_args()
    if not args.stamp:
        parser.error("nothing to do: pass --stamp")
    changed = slides.stamp_files(args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")), stamp)
    names = ", ".join(p.name for p in changed)
    print(f"grading.py: stamped nbgrader metadata into {len(changed)} notebook(s) {names}".rstrip())


if __name__ == "__main__":
    main()
