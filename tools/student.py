"""The student edition: every notebook with its exercise solutions taken out.

`python tools/student.py [--repo owner/name --ref branch]` (`make student REPO=… REF=…`) writes
build/student/NN_*.ipynb from the committed notebooks, which stay the answer key. In each
exercise, the lines from `### BEGIN SOLUTION` to `### END SOLUTION` become one
`raise NotImplementedError(...)` line at the same indentation. Every code cell of an exercise
section (from a solution cell to the next `## ` section) and every cell that uses a learner's
function lose their stored outputs, so neither the code nor the answers it printed survive. Run
All still goes through: a check given an unwritten function says "not attempted yet".

The "Open in Colab" badge of a student notebook never opens the answer key: it points to where
the instructor publishes the student edition (`--repo`, `--ref`: its notebooks/ folder), or is
left out when no place is given.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import colab  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "student"
PLACEHOLDER = 'raise NotImplementedError("Exercise: replace this line with your code")'
SOLUTION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^(?P=indent)### END SOLUTION[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
SLOT = re.compile(rf"^(?P<indent>[ \t]*){re.escape(PLACEHOLDER)}$", re.MULTILINE)
SECTION = re.compile(r"^## ", re.MULTILINE)


def solution_blocks(source: str) -> list[str]:
    """The solution blocks of one cell's source, markers and indentation included, in order."""
    return [m.group(0) for m in SOLUTION.finditer(source)]


def strip_solutions(source: str) -> str:
    """`source` with every solution block replaced by the placeholder, indented like the block."""
    return SOLUTION.sub(lambda m: f"{m['indent']}{PLACEHOLDER}", source)


def restore_solutions(source: str, blocks: list[str]) -> str:
    """Put `blocks` back, in order, in place of the placeholders of a student cell."""
    slots = SLOT.findall(source)
    if len(slots) != len(blocks):
        raise ValueError(f"{len(slots)} placeholder(s) for {len(blocks)} solution block(s)")
    remaining = iter(blocks)
    return SLOT.sub(lambda _: next(remaining), source)


def learner_functions(source: str) -> set[str]:
    """Names of the functions a solution cell defines (the ones the learner writes)."""
    tree = ast.parse(source)
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def uses(source: str, names: set[str]) -> bool:
    """True if code `source` mentions any of `names` as a whole word."""
    return any(re.search(rf"\b{re.escape(name)}\b", source) for name in names)


def is_solution_cell(cell) -> bool:
    """True for a code cell holding at least one solution block."""
    return cell.cell_type == "code" and bool(solution_blocks(cell.source))


def exercise_sections(nb: nbformat.NotebookNode) -> list[bool]:
    """For every cell of `nb`, True if it lies in an exercise: from a solution cell up to the
    next Markdown cell that opens a `## ` section (whose text is not part of the exercise)."""
    inside, flags = False, []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and SECTION.search(cell.source):
            inside = False
        inside = inside or is_solution_cell(cell)
        flags.append(inside)
    return flags


def student_edition(
    nb: nbformat.NotebookNode, name: str | None = None, location: tuple[str, str] | None = None
) -> nbformat.NotebookNode:
    """A copy of answer-key notebook `nb` without solutions or the outputs that reveal them.

    With `name` (the notebook's file name), its Colab badge points to notebooks/<name> of the
    student edition's `location` (repo, ref), or is taken out when `location` is None.
    """
    nb = copy.deepcopy(nb)
    learner: set[str] = set()
    for cell, in_exercise in zip(nb.cells, exercise_sections(nb), strict=True):
        if cell.cell_type != "code":
            continue
        if solution_blocks(cell.source):
            learner |= learner_functions(cell.source)
            cell.source = strip_solutions(cell.source)
        if in_exercise or uses(cell.source, learner):
            cell.outputs, cell.execution_count = [], None
    if name is not None:
        first = nb.cells[0]
        badge = colab.badge(name, *location) if location else ""
        first.source = colab.BADGE_PATTERN.sub(lambda _: badge, first.source).rstrip()
    return nb


def write_student_editions(
    paths: list[Path], out: Path = OUT, location: tuple[str, str] | None = None
) -> list[Path]:
    """Write the student edition of every notebook in `paths` into `out`; return the new files.

    `location` (repo, ref) is where the student edition is published, for its Colab badges.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not any(is_solution_cell(c) for c in nb.cells):
            raise ValueError(f"{path.name}: no `### BEGIN SOLUTION` block, nothing to take out")
        target = out / path.name
        nbformat.write(student_edition(nb, path.name, location), target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/student")
    parser.add_argument("--repo", help="GitHub owner/name where the student edition is published")
    parser.add_argument("--ref", default="main", help="its branch or tag (default: main)")
    args = parser.parse_args()
    if args.repo and not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
        sys.exit(f"student.py: --repo must look like owner/name, got {args.repo!r}")
    if args.repo and args.repo == colab.location()[0]:
        sys.exit(
            f"student.py: {args.repo} holds the answer key; publish the student edition elsewhere"
        )
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    location = (args.repo, args.ref) if args.repo else None
    try:
        written = write_student_editions(paths, args.out, location)
    except ValueError as err:
        sys.exit(f"student.py: {err}")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    badges = f"Colab badges open {args.repo}@{args.ref}" if location else "no Colab badges"
    print(f"student.py: wrote {len(written)} student notebook(s) to {shown}/ ({badges})")


if __name__ == "__main__":
    main()
