"""Execute notebooks in a fresh kernel, top to bottom, and store their outputs in place.

Deterministic: no timing metadata is recorded, notebook metadata is reduced to the kernel spec,
and cells tagged `timing` keep no output (their numbers change on every run), so running it
twice on an unchanged notebook changes nothing. Used by `make execute`.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def notebook_client(nb: nbformat.NotebookNode, path: Path) -> NotebookClient:
    """A client that runs `nb` (read from `path`) in a fresh python3 kernel in path's folder."""
    return NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )


def execute(path: Path) -> None:
    """Run every cell of the notebook at `path` with its folder as working directory."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook_client(nb, path).execute()
    nb.metadata = nbformat.NotebookNode(kernelspec=KERNELSPEC, language_info=LANGUAGE_INFO)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
        if "timing" in cell.metadata.get("tags", []):
            cell.outputs = []  # times differ on every run and machine: the learner sees their own
    nbformat.validate(nb)
    nbformat.write(nb, path)


def coalesce_streams(outputs: list) -> list:
    """Merge adjacent stdout (or stderr) outputs: how the kernel happened to chunk one cell's
    printing depends on machine load, and must not change the stored notebook."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit("execute.py: name the notebooks to run")
    for name in paths:
        start = time.perf_counter()
        execute(Path(name))
        print(f"executed {name} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
