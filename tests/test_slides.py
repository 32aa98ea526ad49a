"""Slide types: every notebook reads as a deck in RISE, by the rules of tools/slides.py."""

import shutil
from pathlib import Path

import nbformat
import pytest

from tools import slides

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
            f"cell {index}: slide type out of date, run `.venv/bin/python tools/slides.py --stamp`"
        )


def test_integrity_is_npm_style_sha512():
    assert slides.integrity(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_a_package_whose_checksum_differs_is_refused(tmp_path, monkeypatch):
    version, _ = slides.VENDOR["jquery"]
    monkeypatch.setattr(slides, "VENDOR", {"jquery": (version, slides.integrity(b"other"))})
    with pytest.raises(RuntimeError, match=f"jquery-{version}.tgz: SHA-512 is sha512-"):
        slides.fetch_vendor(tmp_path)
    assert not (tmp_path / f"jquery-{version}").exists()
