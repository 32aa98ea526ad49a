"""Slides: slide types in every notebook (for RISE in JupyterLab) and offline reveal.js decks.

`python tools/slides.py --stamp` sets each cell's `slideshow.slide_type` by the rules of
`slide_types`, so every notebook reads as a deck in JupyterLab's RISE extension; it is
idempotent and tests/test_slides.py fails when a notebook disagrees. `python tools/slides.py`
(`make slides`) writes build/slides/NN_*.slides.html, one 1280 × 720 reveal.js deck per notebook
for the lecture: each exercise shows its task, never its solution (the student edition's cells,
tools/student.py). `--answers` (`make slides ANSWERS=1`) writes NN_*.answers.slides.html with
the solutions and their outputs, for the instructor. Decks load reveal.js, require.js, jQuery and
MathJax from build/slides/vendor/: npm packages of pinned versions, fetched once by
`--vendor` (`make vendor`, which `make test` runs first) into .cache/slides-vendor/, checked
against their SHA-512, and copied from there; so decks and their tests work offline.
"""

import argparse
import base64
import copy
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import colab, student  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "slides"
# Fetched once while the network is on (`make vendor`); build/ may be wiped, this is kept.
VENDOR_CACHE = ROOT / ".cache" / "slides-vendor"
WIDTH, HEIGHT = 1280, 720  # a 16:9 slide; reveal.js scales it to the screen
# The deck's layout, in slide pixels, as OFFLINE_TEMPLATE styles it; `cell_height` estimates from
# these how tall a cell is, so that `slide_types` can start a sub-slide before a slide overflows.
SLIDE_BUDGET = HEIGHT - 40
CODE_LINE, CODE_CHARS = 22, 100  # 19 px monospace: line height, characters per line
TEXT_LINE, TEXT_CHARS = 25, 115  # 20 px text
IMAGE_MAX_WIDTH, IMAGE_MAX_HEIGHT = 1200, 500
FIGURE_SCALE = 2  # a figure is shown at twice its notebook size (a retina PNG: at its own size)
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
# It also styles the slides for a room: code wraps instead of running off the slide (the end of a
# clipped line cannot be reached); figures, stored as retina PNGs at twice their notebook size,
# are shown at that size, shrunk only to fit; on a slide taller than the screen (one cell too
# tall to split), its figures shrink first, down to their notebook size, then the whole slide
# shrinks to fit (zoom); its height before either is kept in data-natural-height.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block html_head_css %}
<style type="text/css">
.reveal pre, .reveal .jp-OutputArea-output pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  overflow-x: visible;
}
.reveal .jp-OutputArea-output img {
  max-width: IMAGE_MAX_WIDTHpx;
  max-height: IMAGE_MAX_HEIGHTpx;
  object-fit: contain;
  object-position: left top;
}
</style>
{% endblock html_head_css %}
{% block footer_js %}
{{ super() }}
<script>
require(["{{ resources.reveal.url_prefix }}/dist/reveal.js"], function (Reveal) {
  function fit(slide) {
    if (!slide) return;
    var figures = Array.prototype.slice.call(slide.querySelectorAll(".jp-OutputArea-output img"));
    slide.style.zoom = "";
    figures.forEach(function (img) { img.style.maxHeight = ""; });
    var natural = slide.scrollHeight, excess = natural - SLIDE_HEIGHT;
    slide.dataset.naturalHeight = natural;
    if (excess > 0 && figures.length) {
      // Figures give way first, down to their size in the notebook (1 / FIGURE_SCALE).
      var heights = figures.map(function (img) { return img.getBoundingClientRect().height; });
      var total = heights.reduce(function (a, b) { return a + b; }, 0);
      figures.forEach(function (img, i) {
        var height = Math.max(heights[i] / FIGURE_SCALE, heights[i] - excess * heights[i] / total);
        img.style.maxHeight = Math.floor(height) + "px";
      });
    }
    var fitted = slide.scrollHeight;
    if (fitted > SLIDE_HEIGHT) slide.style.zoom = (SLIDE_HEIGHT / fitted).toFixed(4);
    Reveal.layout();
  }
  function fitCurrent() { fit(Reveal.getCurrentSlide()); }
  Reveal.on("slidechanged", fitCurrent);
  Reveal.on("ready", function () { fitCurrent(); MathJax.Hub.Queue(fitCurrent); });
  if (Reveal.isReady()) { fitCurrent(); MathJax.Hub.Queue(fitCurrent); }
});
</script>
{% endblock footer_js %}
"""


def png_size(data: str) -> tuple[int, int]:
    """(width, height) in pixels of a base64-encoded PNG, read from its header."""
    header = base64.b64decode(data[:64])
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def figure_size(output) -> tuple[int, int]:
    """(width, height) in slide pixels at which a deck shows a PNG output: FIGURE_SCALE times its
    size in the notebook (a retina PNG's metadata halves its pixel size there), shrunk to fit
    IMAGE_MAX_WIDTH × IMAGE_MAX_HEIGHT."""
    width, height = png_size(output["data"]["image/png"])
    shown = output.get("metadata", {}).get("image/png", {}).get("width", width)
    scale = FIGURE_SCALE * shown / width
    scale = min(scale, IMAGE_MAX_WIDTH / width, IMAGE_MAX_HEIGHT / height)
    return round(width * scale), round(height * scale)


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes when lines longer than `width` characters wrap."""
    return sum(max(1, -(-len(line) // width)) for line in text.splitlines() or [""])


def output_height(output) -> float:
    """Estimated height in slide pixels of one output of a code cell."""
    data = output.get("data", {})
    if "image/png" in data:
        return figure_size(output)[1] + 10
    if "text/html" in data and "<table" in data["text/html"]:
        return 36 * data["text/html"].count("<tr") + 20
    if "text/latex" in data or "text/markdown" in data:
        return 60
    text = output.get("text") or data.get("text/plain") or "\n".join(output.get("traceback", []))
    return CODE_LINE * wrapped_lines(text.rstrip("\n"), CODE_CHARS) + 16


def cell_height(cell) -> float:
    """Estimated height in slide pixels of one cell as a deck shows it (input and outputs)."""
    if cell.cell_type == "code":
        inputs = CODE_LINE * wrapped_lines(cell.source, CODE_CHARS) + 30
        return inputs + sum(output_height(o) for o in cell.get("outputs", []))
    height = 20.0
    for line in cell.source.splitlines():
        if line.startswith("# "):
            height += 90
        elif line.startswith("## "):
            height += 75
        elif line.startswith("#"):
            height += 55
        elif line.startswith(("$$", "\\[")) or line.startswith("|"):
            height += 40
        elif line.strip():
            height += TEXT_LINE * wrapped_lines(line, TEXT_CHARS)
        else:
            height += 12
    return height


def slide_types(nb: nbformat.NotebookNode) -> list[str]:
    """The RISE/reveal.js slide type of every cell of `nb`, by rule.

    The title cell and every Markdown cell with a `## ` section heading open a new slide; the
    setup cell is skipped; a code cell appears as a fragment under the text that introduces it;
    a code cell right after another code cell gets its own sub-slide (so a slide never stacks
    two outputs), except an exercise's check, which stays with its exercise; text that follows
    code starts a sub-slide, one idea per slide. Whatever the rules, a cell that would make its
    slide taller than the screen (by `cell_height`, outputs included) starts a sub-slide; a
    single cell taller than the screen is shrunk to fit by the deck.
    """
    setup = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)
    types, previous, used = [], None, 0.0
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
        height = cell_height(cell)
        if kind in ("-", "fragment") and used + height > SLIDE_BUDGET:
            kind = "subslide"
        used = height if kind in ("slide", "subslide") else used + height
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


def stamp_files(paths: list[Path], stamper: Callable | None = None) -> list[Path]:
    """Apply `stamper` (`stamp`: slide types, by default; it returns True if it changed the
    notebook) to the notebooks at `paths`, and rewrite those that changed; return them."""
    stamper = stamper or stamp
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if stamper(nb):
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def integrity(data: bytes) -> str:
    """The npm-style SHA-512 integrity string of `data`."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_pack(name: str, version: str, folder: Path) -> Path:
    """Download the npm tarball of name@version into `folder` with `npm pack`; return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to fetch reveal.js and MathJax for the slides")
    result = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(folder), f"{name}@{version}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return folder / json.loads(result.stdout)[0]["filename"]


def fetch_vendor(dest: Path = VENDOR_CACHE) -> dict[str, Path]:
    """Unpack every VENDOR package into dest/<name>-<version>/ (once); return their folders.

    Fetches with `npm_pack` and refuses a tarball whose SHA-512 differs from the pinned one.
    """
    folders = {}
    for name, (version, expected) in VENDOR.items():
        folder = dest / f"{name}-{version}"
        folders[name] = folder
        if (folder / ".verified").exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            tarball = npm_pack(name, version, Path(tmp))
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


def vendor_complete(cache: Path = VENDOR_CACHE) -> bool:
    """True if every VENDOR package is unpacked and verified in `cache` (no network needed)."""
    return all((cache / f"{n}-{v}" / ".verified").exists() for n, (v, _) in VENDOR.items())


def copy_vendor(out: Path, cache: Path = VENDOR_CACHE) -> dict[str, Path]:
    """Copy the verified packages from `cache` (fetching what is missing) into out/vendor/."""
    folders = {}
    for name, source in fetch_vendor(cache).items():
        target = out / "vendor" / source.name
        stamp_file = target / ".verified"
        if not stamp_file.exists() or stamp_file.read_text() != (source / ".verified").read_text():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
        folders[name] = target
    return folders


def template() -> str:
    """OFFLINE_TEMPLATE with the deck's sizes filled in."""
    sizes = {
        "IMAGE_MAX_WIDTH": IMAGE_MAX_WIDTH,
        "IMAGE_MAX_HEIGHT": IMAGE_MAX_HEIGHT,
        "SLIDE_HEIGHT": HEIGHT,
        "FIGURE_SCALE": FIGURE_SCALE,
    }
    return re.sub("|".join(sizes), lambda m: str(sizes[m[0]]), OFFLINE_TEMPLATE)


def exporter(vendor: dict[str, Path], out: Path) -> SlidesExporter:
    """nbconvert's slides exporter, loading every script from `vendor` (relative to `out`)."""
    rel = {name: folder.relative_to(out).as_posix() for name, folder in vendor.items()}
    config = Config()
    config.SlidesExporter.update(
        reveal_url_prefix=rel["reveal.js"],
        reveal_scroll=False,  # a slide fits the screen (the deck shrinks it if needed)
        reveal_width=str(WIDTH),
        reveal_height=str(HEIGHT),
        require_js_url=f"{rel['requirejs']}/require.js",
        jquery_url=f"{rel['jquery']}/dist/jquery.min.js",
        mathjax_url=f"{rel['mathjax']}/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    slides = SlidesExporter(config=config, extra_loaders=[DictLoader({"offline": template()})])
    slides.template_file = "offline"
    return slides


def deck_notebook(path: Path, answers: bool = False) -> nbformat.NotebookNode:
    """The notebook at `path` as a deck shows it, slide types by rule.

    The lecture deck shows the student edition (tasks without solutions, no link to the answer
    key); the answers deck shows the answer key, its Colab badge turned into a link. Figures get
    the size `figure_size` gives them.
    """
    nb = nbformat.read(path, as_version=4)
    if answers:
        nb = copy.deepcopy(nb)
        link = f"[Open in Colab]({colab.colab_url(path.name, *colab.location())})"
        nb.cells[0].source = colab.BADGE_PATTERN.sub(lambda _: link, nb.cells[0].source)
    else:
        nb = student.student_edition(nb, path.name, None)
    stamp(nb)  # first: the rules read the figures' notebook sizes
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                width, height = figure_size(output)
                output.setdefault("metadata", {})["image/png"] = {"width": width, "height": height}
    return nb


def deck_name(path: Path, answers: bool = False) -> str:
    """The file name of the deck of the notebook at `path`."""
    return f"{path.stem}{'.answers' if answers else ''}.slides.html"


def build(paths: list[Path], out: Path = OUT, answers: bool = False) -> list[Path]:
    """Write one offline deck per notebook into `out` (with solutions if `answers`); return them."""
    out.mkdir(parents=True, exist_ok=True)
    slides = exporter(copy_vendor(out), out)
    decks = []
    for path in paths:
        html, _ = slides.from_notebook_node(
            deck_notebook(path, answers), resources={"metadata": {"name": path.stem}}
        )
        deck = out / deck_name(path, answers)
        deck.write_text(html)
        decks.append(deck)
    return decks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--stamp", action="store_true", help="set slide types in the notebooks")
    parser.add_argument("--out", type=Path, default=OUT, help="default: build/slides")
    parser.add_argument("--answers", action="store_true", help="decks with the solutions")
    parser.add_argument("--vendor", action="store_true", help="only fetch reveal.js and MathJax")
    args = parser.parse_args()
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.vendor:
        try:
            fetch_vendor()
        except (RuntimeError, subprocess.CalledProcessError) as err:
            sys.exit(f"slides.py: {err}")
        print(f"slides.py: reveal.js, MathJax, require.js and jQuery are in {VENDOR_CACHE}")
        return
    if args.stamp:
        changed = stamp_files(paths)
        names = ", ".join(p.name for p in changed)
        print(f"slides.py: stamped slide types into {len(changed)} notebook(s) {names}".rstrip())
        return
    out = args.out.resolve()
    try:
        decks = build(paths, out, args.answers)
    except (RuntimeError, subprocess.CalledProcessError) as err:
        sys.exit(f"slides.py: {err}")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    kind = "answers deck(s), solutions shown," if args.answers else "deck(s)"
    print(f"slides.py: wrote {len(decks)} {kind} to {shown}/ (open them in any browser)")


if __name__ == "__main__":
    main()
