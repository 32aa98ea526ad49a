"""Colab, proven: the wheel alone, without the repository, runs the helpers and a notebook.

On Colab, the setup cell pip-installs the course package and nothing of the repository is there.
This test builds the wheel, installs it into a fresh virtual environment that sees the course's
third-party packages but not the repository (nor its editable install), and from a folder
outside the repository imports the helpers, loads every bundled data set and executes a copy
of a notebook, whose printed outputs must match the stored ones.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The issue asks for notebook 02; more numbers cost about one notebook run each.
PROVEN = ("02",)
NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.name[:2] in PROVEN]
KERNEL = "attention-by-hand-wheel"

IMPORT_AND_LOAD = """
import inspect, json, sys
import helpers, helpers.data as data
loaders = sorted(n for n, f in inspect.getmembers(data, inspect.isfunction)
                 if n.startswith("load_") and f.__module__ == data.__name__)
for name in data.CHECKSUMS:
    data.read_bundled(name)
for name in loaders:
    getattr(data, name)()
print(json.dumps({"helpers": helpers.__file__, "prefix": sys.prefix,
                  "files": sorted(data.CHECKSUMS), "loaders": loaders}))
"""

EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name=sys.argv[2], timeout=600, record_timing=False,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> dict:
    """A fresh venv with only the wheel installed; its python, environment and a work folder."""
    base = tmp_path_factory.mktemp("colab")
    source = base / "source"  # built from a copy, so the build leaves nothing in the repository
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    # Offline when setuptools is at hand; otherwise pip fetches it into an isolated build.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--quiet", "--no-deps", *isolation, "-w", str(base / "dist"), str(source)])
    wheels = list((base / "dist").glob("attention_by_hand-*.whl"))
    assert len(wheels) == 1, wheels

    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())  # fmt: skip
    # The course's third-party packages, as Colab has its own: a plain path entry, so .venv's
    # .pth files (among them the editable install of this repository) are not processed.
    (site / "course-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = base / "work"
    work.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(base),
        "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheels[0])], env=env, cwd=work)
    kernel = venv / "share" / "jupyter" / "kernels" / KERNEL
    kernel.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "wheel only", "language": "python"}
    (kernel / "kernel.json").write_text(json.dumps(spec))
    return {"python": python, "env": env, "work": work, "venv": venv}


def test_the_wheel_alone_imports_the_helpers_and_loads_every_data_set(colab):
    result = run([colab["python"], "-c", IMPORT_AND_LOAD], env=colab["env"], cwd=colab["work"])
    report = json.loads(result.stdout)
    assert Path(report["prefix"]) == colab["venv"]
    assert Path(report["helpers"]).is_relative_to(colab["venv"]), report["helpers"]
    assert not Path(report["helpers"]).is_relative_to(ROOT)
    from helpers import data

    assert report["files"] == sorted(data.CHECKSUMS)
    assert "load_swedish_auto_insurance" in report["loaders"]


def sanitized(outputs) -> tuple[str, list[str]]:
    """What a reader sees in a cell's outputs: all printed text (however the kernel split it
    into messages), then the text form of every other output, figure sizes left out."""
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    others = [
        o.get("data", {}).get("text/plain", o.get("ename", ""))
        for o in outputs
        if o.output_type != "stream"
    ]
    return printed, [re.sub(r"<Figure size [^>]*>", "<FIGURE>", text) for text in others]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_copy_of_the_notebook_runs_outside_the_repository(colab, path):
    copy = colab["work"] / path.name
    shutil.copy(path, copy)
    command = [colab["python"], "-c", EXECUTE, str(copy), KERNEL, str(colab["work"])]
    run(command, env=colab["env"], cwd=colab["work"])
    fresh = nbformat.read(copy, as_version=4)
    stored = nbformat.read(path, as_version=4)
    for index, (new, old) in enumerate(zip(fresh.cells, stored.cells, strict=True)):
        if new.cell_type != "code" or "nbval-ignore-output" in new.metadata.get("tags", []):
            continue
        assert sanitized(new.outputs) == sanitized(old.outputs), f"code cell {index} differs"
