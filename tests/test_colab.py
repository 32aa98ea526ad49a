"""The maintainer command that re-points every badge and Colab install line."""

import shutil
import subprocess
import sys
import tomllib
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
    urls = tomllib.loads((project / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == "https://github.com/someone/fork"
    for path in sorted((project / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        expected_badge = (
            "[![Open In Colab](https://colab.research.google.com/assets/colab-badge"
            ".svg)](https://colab.research.google.com/github/someone/fork/blob/v1.0/"
            f"notebooks/{path.name})"
        )
        assert nb.cells[0].source == f"# Title\n\nSome words.\n\n{expected_badge}"
        assert 'repo, ref = "someone/fork", "v1.0"' in nb.cells[1].source
        assert "[reviews]" not in nb.cells[1].source, "these notebooks read no reviews"
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


def test_repointing_changes_only_the_location_and_the_repository_url(project, monkeypatch):
    before = (project / "pyproject.toml").read_text()
    run(monkeypatch, "--repo", "someone/fork", "--ref", "v1.0")
    after = tomllib.loads((project / "pyproject.toml").read_text())
    after["project"]["urls"]["Repository"] = tomllib.loads(before)["project"]["urls"]["Repository"]
    after["tool"]["attention-by-hand"] = tomllib.loads(before)["tool"]["attention-by-hand"]
    assert after == tomllib.loads(before)


def test_only_a_notebook_that_reads_the_reviews_installs_the_reviews_extra(project, monkeypatch):
    path = project / "notebooks" / "02_b.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = "reviews = text.load_movie_reviews()"
    nbformat.write(nb, path)
    run(monkeypatch, "--repo", "a/b")
    setups = {
        p.name: nbformat.read(p, as_version=4).cells[1].source
        for p in (project / "notebooks").glob("*.ipynb")
    }
    assert 'f"attention-by-hand[reviews] @ git+' in setups["02_b.ipynb"]
    assert 'f"attention-by-hand @ git+' in setups["01_a.ipynb"]


def test_a_helper_that_calls_the_reviews_loader_reads_the_reviews_too(tmp_path):
    (tmp_path / "text.py").write_text(
        "def load_movie_reviews():\n    return 1\n\n"
        "def review_split():\n    return load_movie_reviews() + 1\n\n"
        "def capstone_data():\n    return text.review_split()\n\n"
        "def unrelated():\n    return 2\n"
    )
    readers = colab.review_readers(tmp_path)
    assert readers == {"load_movie_reviews", "review_split", "capstone_data"}
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("setup"), nbformat.v4.new_code_cell("capstone_data()")]
    assert colab.reads_reviews(nb, readers)
    nb.cells[1].source = "unrelated()"
    assert not colab.reads_reviews(nb, readers)


def test_a_malformed_repo_is_refused(project, monkeypatch):
    with pytest.raises(SystemExit, match="owner/name"):
        run(monkeypatch, "--repo", "not a repo")


def test_the_setup_cell_installs_the_stamped_version_on_colab_only(monkeypatch):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda args, check: calls.append(args))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    for reviews in (False, True):
        source = colab.setup_source("someone/fork", "v1.0", reviews)
        exec(compile(source.replace("import helpers", ""), "setup", "exec"), {"helpers": _Stub()})
    package = "attention-by-hand{} @ git+https://github.com/someone/fork.git@v1.0"
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    assert calls == [[*pip, package.format("")], [*pip, package.format("[reviews]")]]


class _Stub:
    def setup_notebook(self):
        pass


def test_the_setup_cell_installs_nothing_outside_colab():
    namespace = {}
    source = colab.setup_source("a/b", "main").replace("helpers.setup_notebook()", "")
    exec(compile(source.replace("import helpers", ""), "setup", "exec"), namespace)
    assert "subprocess" not in namespace, "the install branch must only run on Colab"


def environment_inputs(folder) -> str:
    """What the Makefile's environment stamp depends on in pyproject.toml, as `make` writes it."""
    subprocess.run(
        ["make", "--no-print-directory", "build/pyproject-deps.json", f"PYTHON={sys.executable}"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return (folder / "build" / "pyproject-deps.json").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_repointing_does_not_touch_what_the_environment_is_built_from(project, monkeypatch):
    shutil.copy(colab.ROOT / "Makefile", project / "Makefile")
    before = environment_inputs(project)
    run(monkeypatch, "--repo", "someone/fork", "--ref", "v1.0")
    assert environment_inputs(project) == before, "make colab would rebuild .venv/"
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"torch>=', '"rich>=13", "torch>='))
    assert environment_inputs(project) != before, "a dependency change must rebuild .venv/"
