"""The student edition: every notebook with its exercise solutions taken out.

`python tools/student.py` (`make student`) writes build/student/NN_*.ipynb from the committed
notebooks, which stay the answer key. In each exercise, the lines from `### BEGIN SOLUTION` to
`### END SOLUTION` become one `raise NotImplementedError(...)` line at the same indentation, and
every cell that uses a learner's function loses its stored outputs, so neither the code nor the
answers it printed survive. Run All still goes through: a check given an unwritten function says
"not attempted yet" instead of raising.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "student"
PLACEHOLDER = 'raise NotImplementedError("Exercise: replace this line with your code")'
SOLUTION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^(?P=indent)### END SOLUTION[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
SLOT = re.compile(rf"^(?P<indent>[ \t]*){re.escape(PLACEHOLDER)}$", re.MULTILINE)


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


def student_edition(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of answer-key notebook `nb` without solutions or the outputs that use them."""
    nb = copy.deepcopy(nb)
    learner: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if solution_blocks(cell.source):
            learner |= learner_functions(cell.source)
            cell.source = strip_solutions(cell.source)
        if SLOT.search(cell.source) or uses(cell.source, learner):
            cell.outputs, cell.execution_count = [], None
    return nb


def write_student_editions(paths: list[Path], out: Path = OUT) -> list[Path]:
    """Write the student edition of every notebook in `paths` into `out`; return the new files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not any(solution_blocks(c.source) for c in nb.cells if c.cell_type == "code"):
            raise ValueError(f"{path.name}: no `### BEGIN SOLUTION` block, nothing to take out")
        target = out / path.name
        nbformat.write(student_edition(nb), target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/student")
    args = parser.parse_args()
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    try:
        written = write_student_editions(paths, args.out)
    except ValueError as err:
        sys.exit(f"student.py: {err}")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"student.py: wrote {len(written)} student notebook(s) to {shown}/")


if __name__ == "__main__":
    main()
