"""Slides: slide types in every notebook (for RISE in JupyterLab) and offline reveal.js decks.

`python tools/slides.py --stamp` sets each cell's `slideshow.slide_type` by the rules of
`slide_types`, so every notebook reads as a deck in JupyterLab's RISE extension; it is
idempotent and tests/test_slides.py fails when a notebook disagrees. `python tools/slides.py`
(`make slides`) writes build/slides/NN_*.slides.html, one reveal.js deck per notebook, which
loads reveal.js, require.js, jQuery and MathJax from build/slides/vendor/: npm packages of pinned
versions, fetched at build time and checked against their SHA-512, so a deck works offline.
"""

import argparse
import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import colab  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "slides"
CHECK_CALL = "exercises.check_"  # helpers.exercises.check_…(fn), however imported
SECTION = re.compile(r"^## ", re.MULTILINE)

# npm package -> (pinned version, SHA-512 integrity of its tarball as the npm registry gives it).
VENDOR = {
    "reveal.js": (
        "4.6.1",
        "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaDwKQiGmfqcoGQ74HUHCMw==",
    ),
    "requirejs": (
        "2.3.7",
        "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==",
    ),
    "jquery": (
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
    ),
    "mathjax": (  # version 2: nbconvert's reveal template calls the MathJax 2 API
        "2.7.7",
        "sha512-OOl0B2/0tSJAtAZarXnQuLDBLgTNRqiI9VqHTQzPsxf4okT2iIpDrvaklK9x2QEMD1sDj4yRn11Ygci41DxMAQ==",
    ),
}
# Parts of the packages a deck never loads: MathJax's unminified copy, its tests, and the fonts
# and output modes other than CommonHTML with TeX fonts (60 MB unpacked, 10 MB kept).
VENDOR_SKIP = re.compile(
    r"package/(unpacked|test|docs)/"
    r"|package/fonts/HTML-CSS/(?!TeX/woff/)"
    r"|package/jax/output/(?!CommonHTML/)"
)

# nbconvert's reveal template, without the Mermaid module it would otherwise import from a CDN
# (no notebook of the course draws Mermaid diagrams).
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


def slide_types(nb: nbformat.NotebookNode) -> list[str]:
    """The RISE/reveal.js slide type of every cell of `nb`, by rule.

    The title cell and every Markdown cell with a `## ` section heading open a new slide; the
    setup cell is skipped; a code cell appears as a fragment under the text that introduces it;
    a code cell right after another code cell gets its own sub-slide (so a slide never stacks
    two outputs), except an exercise's check, which stays with its exercise; text that follows
    code starts a sub-slide, one idea per slide.
    """
    setup = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)
    types, previous = [], None
    for index, cell in enumerate(nb.cells):
        if index == 0:
            kind = "slide"
        elif index == setup:
            types.append("skip")
            continue
        elif cell.cell_type == "markdown":
            kind = "slide" if SECTION.search(cell.source) else "-"
            if kind == "-" and previous == "code":
                kind = "subslide"
        elif cell.cell_type == "code":
            alone = previous == "code" and CHECK_CALL not in cell.source
            kind = "subslide" if alone else "fragment"
        else:
            kind = "-"
        types.append(kind)
        previous = cell.cell_type
    return types


def stamp(nb: nbformat.NotebookNode) -> bool:
    """Set `slideshow.slide_type` in every cell of `nb` by `slide_types`; True if any changed."""
    changed = False
    for cell, kind in zip(nb.cells, slide_types(nb), strict=True):
        if cell.metadata.get("slideshow") != {"slide_type": kind}:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


def stamp_files(paths: list[Path]) -> list[Path]:
    """Stamp slide types into the notebooks at `paths`; return those that changed."""
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if stamp(nb):
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def integrity(data: bytes) -> str:
    """The npm-style SHA-512 integrity string of `data`."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_vendor(dest: Path) -> dict[str, Path]:
    """Unpack every VENDOR package into dest/<name>-<version>/ (once); return their folders.

    Uses `npm pack` and refuses a tarball whose SHA-512 differs from the pinned one.
    """
    folders = {}
    for name, (version, expected) in VENDOR.items():
        folder = dest / f"{name}-{version}"
        folders[name] = folder
        if (folder / ".verified").exists():
            continue
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed once to fetch reveal.js and MathJax for the slides")
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(
                [npm, "pack", "--json", "--pack-destination", tmp, f"{name}@{version}"],
                check=True,
                capture_output=True,
                text=True,
            )
            tarball = Path(tmp) / json.loads(result.stdout)[0]["filename"]
            data = tarball.read_bytes()
            if integrity(data) != expected:
                raise RuntimeError(f"{tarball.name}: SHA-512 is {integrity(data)}, not {expected}")
            shutil.rmtree(folder, ignore_errors=True)
            with tarfile.open(tarball) as archive:
                members = [
                    m
                    for m in archive.getmembers()
                    if m.name.startswith("package/") and not VENDOR_SKIP.match(m.name)
                ]
                for member in members:
                    member.name = member.name.removeprefix("package/")
                archive.extractall(folder, members=members, filter="data")
        (folder / ".verified").write_text(f"{name}@{version} {expected}\n")
    return folders


def exporter(vendor: dict[str, Path], out: Path) -> SlidesExporter:
    """nbconvert's slides exporter, loading every script from `vendor` (relative to `out`)."""
    rel = {name: folder.relative_to(out).as_posix() for name, folder in vendor.items()}
    config = Config()
    config.SlidesExporter.update(
        reveal_url_prefix=rel["reveal.js"],
        reveal_scroll=True,
        require_js_url=f"{rel['requirejs']}/require.js",
        jquery_url=f"{rel['jquery']}/dist/jquery.min.js",
        mathjax_url=f"{rel['mathjax']}/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    slides = SlidesExporter(
        config=config, extra_loaders=[DictLoader({"offline": OFFLINE_TEMPLATE})]
    )
    slides.template_file = "offline"
    return slides


def deck_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path` as a deck shows it: slide types by rule, Colab badge as a link."""
    nb = copy.deepcopy(nbformat.read(path, as_version=4))
    stamp(nb)
    link = f"[Open in Colab]({colab.colab_url(path.name, *colab.location())})"
    nb.cells[0].source = colab.BADGE_PATTERN.sub(lambda _: link, nb.cells[0].source)
    return nb


def build(paths: list[Path], out: Path = OUT) -> list[Path]:
    """Write one offline deck per notebook into `out`; return the deck files."""
    out.mkdir(parents=True, exist_ok=True)
    slides = exporter(fetch_vendor(out / "vendor"), out)
    decks = []
    for path in paths:
        html, _ = slides.from_notebook_node(
            deck_notebook(path), resources={"metadata": {"name": path.stem}}
        )
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(html)
        decks.append(deck)
    return decks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--stamp", action="store_true", help="set slide types in the notebooks")
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/slides")
    args = parser.parse_args()
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.stamp:
        changed = stamp_files(paths)
        names = ", ".join(p.name for p in changed)
        print(f"slides.py: stamped slide types into {len(changed)} notebook(s) {names}".rstrip())
        return
    out = args.out.resolve()
    try:
        decks = build(paths, out)
    except (RuntimeError, subprocess.CalledProcessError) as err:
        sys.exit(f"slides.py: {err}")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"slides.py: wrote {len(decks)} deck(s) to {shown}/ (open them in any browser)")


if __name__ == "__main__":
    main()
