"""The maintainer command that re-points every badge and Colab install line."""

import shutil
import sys
import types

import nbformat
import pytest

from tools import colab


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of pyproject.toml and two minimal notebooks that the command may rewrite."""
    shutil.copy(colab.PYPROJECT, tmp_path / "pyproject.toml")
    (tmp_path / "notebooks").mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("# Title\n\nSome words."),
            nbformat.v4.new_code_cell("print('old setup')"),
            nbformat.v4.new_code_cell("x = 1"),
        ]
        nbformat.write(nb, tmp_path / "notebooks" / name)
    monkeypatch.setattr(colab, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(colab, "NOTEBOOKS", tmp_path / "notebooks")
    return tmp_path


def run(monkeypatch, *args):
    monkeypatch.setattr("sys.argv", ["colab.py", *args])
    colab.main()


def test_restamping_points_badges_and_installs_at_a_fork(project, monkeypatch, capsys):
    run(monkeypatch, "--repo", "someone/fork", "--ref", "v1.0")
    assert colab.location() == ("someone/fork", "v1.0")
    for path in sorted((project / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        expected_badge = (
            "[![Open In Colab](https://colab.research.google.com/assets/colab-badge"
            ".svg)](https://colab.research.google.com/github/someone/fork/blob/v1.0/"
            f"notebooks/{path.name})"
        )
        assert nb.cells[0].source == f"# Title\n\nSome words.\n\n{expected_badge}"
        assert 'repo, ref = "someone/fork", "v1.0"' in nb.cells[1].source
        assert 'if "google.colab" in sys.modules:' in nb.cells[1].source
        assert nb.cells[2].source == "x = 1"
    assert "re-stamped 2 notebook(s)" in capsys.readouterr().out


def test_restamping_twice_changes_nothing_and_replaces_old_badges(project, monkeypatch, capsys):
    run(monkeypatch, "--repo", "a/b")
    run(monkeypatch, "--repo", "c/d")
    nb = nbformat.read(project / "notebooks" / "01_a.ipynb", as_version=4)
    assert nb.cells[0].source.count("Open In Colab") == 1 and "c/d" in nb.cells[0].source
    capsys.readouterr()
    run(monkeypatch)
    assert "re-stamped 0 notebook(s)" in capsys.readouterr().out


def test_a_malformed_repo_is_refused(project, monkeypatch):
    with pytest.raises(SystemExit, match="owner/name"):
        run(monkeypatch, "--repo", "not a repo")


def test_the_setup_cell_installs_the_stamped_version_on_colab_only(monkeypatch):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda args, check: calls.append(args))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    source = colab.setup_source("someone/fork", "v1.0")
    exec(compile(source.replace("import helpers", ""), "setup", "exec"), {"helpers": _Stub()})
    assert calls == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "attention-by-hand[reviews] @ git+https://github.com/someone/fork.git@v1.0",
        ]
    ]


class _Stub:
    def setup_notebook(self):
        pass


def test_the_setup_cell_installs_nothing_outside_colab():
    namespace = {}
    source = colab.setup_source("a/b", "main").replace("helpers.setup_notebook()", "")
    exec(compile(source.replace("import helpers", ""), "setup", "exec"), namespace)
    assert "subprocess" not in namespace, "the install branch must only run on Colab"
