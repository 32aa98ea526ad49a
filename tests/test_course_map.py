"""The README's course map: a row per notebook with its time and a live Colab badge, and Binder."""

import re
import shutil

import pytest

from tools import colab

README = colab.PYPROJECT.with_name("README.md")
NOTEBOOKS = sorted(colab.NOTEBOOKS.glob("*.ipynb"))


def table_rows(text: str) -> dict[str, str]:
    """The course map's rows, keyed by the notebook file each one links to."""
    rows = {}
    for line in text.splitlines():
        link = re.match(r"\| \d\d \| \[[^]]+\]\(notebooks/([\w.-]+\.ipynb)\) \|", line)
        if link:
            assert link[1] not in rows, f"two rows for {link[1]}"
            rows[link[1]] = line
    return rows


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_a_row_with_time_and_its_colab_badge(path):
    row = table_rows(README.read_text()).get(path.name)
    assert row, f"README's course map has no row for {path.name}"
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[0] == path.name[:2]
    assert re.fullmatch(r"\d+ min", cells[3]), f"time to work through: {cells[3]!r}"
    assert cells[4] == colab.badge(path.name, *colab.location()), "run `make colab`"


def test_every_row_links_to_an_existing_notebook():
    assert set(table_rows(README.read_text())) <= {p.name for p in NOTEBOOKS}


def test_the_binder_badge_points_at_the_course_location():
    text = README.read_text()
    assert colab.binder_badge(*colab.location()) in text, "run `make colab`"
    assert len(colab.BINDER_PATTERN.findall(text)) == 1


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of pyproject.toml and README.md, and no notebooks."""
    shutil.copy(colab.PYPROJECT, tmp_path / "pyproject.toml")
    shutil.copy(README, tmp_path / "README.md")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(colab, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(colab, "NOTEBOOKS", tmp_path / "notebooks")
    return tmp_path


def test_make_colab_repoints_the_readme_badges_at_a_fork(project, monkeypatch, capsys):
    before = (project / "README.md").read_text()
    old_repo, old_ref = colab.location()
    # A fork that differs from whatever the README points to now, even after a real re-point.
    fork, ref = f"{old_repo.replace('/', '-')}-test/fork", f"{old_ref}-test"
    monkeypatch.setattr("sys.argv", ["colab.py", "--repo", fork, "--ref", ref])
    colab.main()
    after = (project / "README.md").read_text()
    assert f"README badges now point to {fork}@{ref}" in capsys.readouterr().out
    rows = table_rows(after)
    assert rows and all(colab.badge(name, fork, ref) in row for name, row in rows.items())
    assert colab.binder_badge(fork, ref) in after
    assert f"github/{old_repo}/blob" not in after and f"gh/{old_repo}/" not in after
    # Everything but the badges is untouched.
    strip = re.compile(r"\[!\[(Open In Colab|Launch on Binder)\]\([^)]*\)\]\([^)]*\)")
    assert strip.sub("BADGE", after) == strip.sub("BADGE", before)


def test_stamping_the_readme_twice_changes_nothing(project):
    readme = project / "README.md"
    colab.stamp_readme(readme, "a/b", "main")
    text = readme.read_text()
    assert colab.stamp_readme(readme, "a/b", "main") is False
    assert readme.read_text() == text
