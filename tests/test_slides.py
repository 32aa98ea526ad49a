"""Slide types: every notebook reads as a deck in RISE, by the rules of tools/slides.py."""

import base64
import json
import re
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat
import pytest

from tools import colab, slides, student

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def deck(*cells):
    nb = nbformat.v4.new_notebook()
    make = {"md": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [make[kind](source) for kind, source in cells]
    return nb


LESSON = deck(
    ("md", "# 01 · Title\n\nbadge"),
    ("code", "import helpers"),
    ("md", "## Goals\n\n- one"),
    ("md", "Some words."),
    ("code", "x = 1"),
    ("code", "plot(x)"),
    ("md", "What the plot shows."),
    ("md", "Closing words.\n\n## Exercises\n\n**Exercise 1.**"),
    ("code", "def f(x):\n    return x"),
    ("code", "helpers.exercises.check_f(f)"),
    ("md", "**Exercise 2.**"),
)


def test_the_rules_make_one_slide_per_section_with_code_as_fragments():
    assert slides.slide_types(LESSON) == [
        "slide",  # title
        "skip",  # setup cell
        "slide",  # a section
        "-",  # text continuing the section
        "fragment",  # code under the text that introduces it
        "subslide",  # a second code cell in a row gets its own slide
        "subslide",  # text after code: a new idea
        "slide",  # a cell holding a section heading opens a slide, wherever the heading sits
        "fragment",  # the exercise's function
        "fragment",  # its check stays with it
        "subslide",
    ]


def test_stamping_is_idempotent_and_overrides_stale_types():
    nb = nbformat.from_dict(LESSON)
    nb.cells[4].metadata["slideshow"] = {"slide_type": "notes"}
    assert slides.stamp(nb) is True
    assert nb.cells[4].metadata["slideshow"] == {"slide_type": "fragment"}
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == slides.slide_types(LESSON)
    assert slides.stamp(nb) is False


def test_stamp_files_rewrites_only_notebooks_that_change(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(LESSON, path)
    assert slides.stamp_files([path]) == [path]
    before = path.read_bytes()
    assert slides.stamp_files([path]) == []
    assert path.read_bytes() == before


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_cell_has_the_slide_type_of_the_rules(path):
    nb = nbformat.read(path, as_version=4)
    for index, (cell, kind) in enumerate(zip(nb.cells, slides.slide_types(nb), strict=True)):
        assert cell.metadata.get("slideshow") == {"slide_type": kind}, (
            f"{path.name} cell {index}: slide type out of date (the rules read outputs too): run "
            "`.venv/bin/python tools/slides.py --stamp` after executing it (make execute does)"
        )


def test_integrity_is_npm_style_sha512():
    assert slides.integrity(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


def fake_tarball(folder: Path, name: str, version: str) -> Path:
    """A small npm-style tarball (package/…) standing in for name@version."""
    source = folder / "package"
    source.mkdir(parents=True)
    (source / "index.js").write_text("// not the real package\n")
    tarball = folder / f"{name}-{version}.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(source, arcname="package")
    return tarball


def test_a_package_whose_checksum_differs_is_refused(tmp_path, monkeypatch):
    version, _ = slides.VENDOR["jquery"]
    monkeypatch.setattr(slides, "VENDOR", {"jquery": (version, slides.integrity(b"other"))})
    monkeypatch.setattr(slides, "npm_pack", lambda name, v, folder: fake_tarball(folder, name, v))
    with pytest.raises(RuntimeError, match=f"jquery-{version}.tgz: SHA-512 is sha512-"):
        slides.fetch_vendor(tmp_path / "cache")
    assert not (tmp_path / "cache" / f"jquery-{version}").exists()


def test_a_package_whose_checksum_matches_is_unpacked_once_and_copied(tmp_path, monkeypatch):
    made = tmp_path / "made"
    tarball = fake_tarball(made, "jquery", "3.7.1")
    monkeypatch.setattr(
        slides, "VENDOR", {"jquery": ("3.7.1", slides.integrity(tarball.read_bytes()))}
    )
    calls = []
    monkeypatch.setattr(slides, "npm_pack", lambda *args: calls.append(args) or tarball)
    cache = tmp_path / "cache"
    copied = slides.copy_vendor(tmp_path / "deck", cache)
    assert (copied["jquery"] / "index.js").read_text() == "// not the real package\n"
    assert slides.vendor_complete(cache)
    slides.copy_vendor(tmp_path / "deck", cache)
    assert len(calls) == 1, "a verified package is never fetched again"


def png(width: int, height: int) -> str:
    """A base64 PNG header of the given size (enough for png_size)."""
    ihdr = b"IHDR" + struct.pack(">II", width, height) + bytes(5)
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr).decode()


def figure(width, height, shown=None):
    meta = {"image/png": {"width": shown}} if shown else {}
    return nbformat.v4.new_output(
        "display_data", data={"image/png": png(width, height)}, metadata=meta
    )


def test_figures_are_shown_at_twice_their_notebook_size_within_the_slide():
    assert slides.figure_size(figure(960, 600, shown=480)) == (800, 500)  # retina, capped in height
    assert slides.figure_size(figure(960, 300, shown=480)) == (960, 300)  # retina: its own pixels
    assert slides.figure_size(figure(400, 200)) == (800, 400)  # 72 dpi: scaled up
    assert slides.figure_size(figure(2000, 400)) == (1200, 240)  # never wider than the slide


def test_a_cell_that_would_overflow_its_slide_starts_a_sub_slide():
    nb = deck(
        ("md", "# 01 · Title"),
        ("code", "import helpers"),
        ("md", "## A section\n\n" + "Some words. " * 60),
        ("code", "plot(x)"),
        ("code", "helpers.exercises.check_f(f)"),
    )
    nb.cells[3].outputs = [figure(960, 1000, shown=480)]
    nb.cells[4].outputs = [figure(960, 1000, shown=480)]
    assert slides.slide_types(nb) == ["slide", "skip", "slide", "subslide", "subslide"]
    nb.cells[3].outputs = nb.cells[4].outputs = []
    assert slides.slide_types(nb) == ["slide", "skip", "slide", "fragment", "fragment"]


EXERCISE_DECK = deck(
    ("md", "# 01 · Title\n\n[![Open In Colab](x)](y)"),
    ("code", "import helpers"),
    ("md", "## Exercises\n\nWrite f."),
    ("code", "def f(x):\n    ### BEGIN SOLUTION\n    return x + 9136\n    ### END SOLUTION"),
    ("code", "print(f(1))"),
)


def test_the_lecture_deck_shows_tasks_and_the_answers_deck_shows_solutions(tmp_path):
    EXERCISE_DECK.cells[4].outputs = [nbformat.v4.new_output("stream", text="9137\n")]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(EXERCISE_DECK, path)
    lecture = slides.deck_notebook(path)
    text = json.dumps(lecture)
    assert "return x + 9136" not in text and "9137" not in text and "Open In Colab" not in text
    assert student.PLACEHOLDER in lecture.cells[3].source
    answers = slides.deck_notebook(path, answers=True)
    assert "return x + 9136" in answers.cells[3].source and answers.cells[4].outputs
    assert answers.cells[0].source.endswith(
        "[Open in Colab](" + colab.colab_url("01_x.ipynb", *colab.location()) + ")"
    )


def test_the_only_labextension_flagged_as_outdated_is_rises_redundant_mathjax3():
    """README: JupyterLab 4 renders math itself; jupyterlab-rise still requires the JupyterLab 3
    build of jupyterlab-mathjax3, which `jupyter labextension list` flags. Any other flag fails."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed in this environment")
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run(
        [str(jupyter), "labextension", "list"], capture_output=True, text=True, timeout=120
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    flagged = text.partition("version of jupyterlab:")[2].partition("If you are a user")[0].split()
    assert flagged == ["@jupyterlab/mathjax3-extension"], text
    core = Path(sys.prefix, "share", "jupyter", "lab", "static", "package.json")
    assert "@jupyterlab/mathjax-extension" in json.loads(core.read_text())["dependencies"]
