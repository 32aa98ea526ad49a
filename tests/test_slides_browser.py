"""`make slides` decks open offline, and every slide fits a 1280 × 720 screen.

Builds every deck into build/slides/ (as `make slides` does), opens each in headless Chromium
with every host name unresolvable, checks that reveal.js started and that the first slide shows
the notebook's title, and saves a screenshot to build/slides/screenshots/ for a person to look at.
Then it shows every slide of every deck (the lecture decks and the answers decks) in a 1280 × 720
window and measures it: no slide may be taller or wider than the screen, and no code line or
output may be clipped.
"""

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from tools import slides

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
    "--virtual-time-budget=15000",
    "--enable-logging=stderr",
    "--v=0",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed, so the slide decks are not opened: "
    "`apt-get install chromium` (.ci/run does this) to run these tests",
)


@pytest.fixture(scope="module")
def decks() -> dict[str, Path]:
    assert slides.vendor_complete(), (
        f"reveal.js and MathJax are not in {slides.VENDOR_CACHE}: run `make vendor` "
        "(`make test` does it first, once, while the network is on)"
    )
    built = slides.build(NOTEBOOKS, slides.OUT)
    return {path.name: deck for path, deck in zip(NOTEBOOKS, built, strict=True)}


@pytest.fixture(scope="module")
def answer_decks(decks) -> dict[str, Path]:
    built = slides.build(NOTEBOOKS, slides.OUT, answers=True)
    return {path.name: deck for path, deck in zip(NOTEBOOKS, built, strict=True)}


def chromium(url: str, *flags: str, profile: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *flags, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


class FirstSlide(HTMLParser):
    """The class attribute and the text of the first top-level <section> of a page."""

    def __init__(self):
        super().__init__()
        self.depth, self.done, self.classes, self.parts = 0, False, "", []

    def handle_starttag(self, tag, attrs):
        if tag == "section" and not self.done:
            if self.depth == 0:
                self.classes = dict(attrs).get("class") or ""
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.depth and not self.done:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


class Assets(HTMLParser):
    """Every script and stylesheet a page loads."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])


@pytest.mark.parametrize("name", IDS)
def test_deck_loads_every_script_and_stylesheet_from_local_files(decks, name):
    assets = Assets()
    assets.feed(decks[name].read_text())
    assert len(assets.urls) >= 5, assets.urls  # reveal.js (css, theme), require.js, jQuery, MathJax
    for url in assets.urls:
        assert not re.match(r"^[a-z]+:|^//", url), f"{url} is not a local file"
        assert (decks[name].parent / url.split("?")[0]).is_file(), f"{url} is missing"


@pytest.mark.parametrize("name", IDS)
def test_deck_starts_offline_and_opens_on_the_title(decks, probed, name, tmp_path):
    deck = decks[name]
    url = deck.resolve().as_uri()
    result, _ = probed[name]
    dom = result.stdout
    assert re.search(r'<div class="reveal [^"]*\bready\b', dom), "reveal.js did not start"
    errors = [
        line for line in result.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line
    ]
    assert not errors, errors

    first = FirstSlide()
    first.feed(dom)
    nb = nbformat.read(NOTEBOOKS[IDS.index(name)], as_version=4)
    title = nb.cells[0].source.splitlines()[0].removeprefix("# ").strip()
    assert "present" in first.classes.split(), "the deck does not open on its first slide"
    assert title in " ".join("".join(first.parts).split()), f"first slide lacks {title!r}"
    if any("$" in c.source for c in nb.cells if c.cell_type == "markdown"):
        assert "MathJax_CHTML" in dom, "MathJax did not typeset the formulas"

    shots = deck.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    shot = shots / f"{Path(name).stem}.png"
    shot.unlink(missing_ok=True)
    flags = ["--hide-scrollbars", "--window-size=1280,720", f"--screenshot={shot}"]
    chromium(url, *flags, profile=tmp_path / "profile")
    assert shot.stat().st_size > 10_000, "the screenshot is (nearly) blank"


# Shows every slide in turn once reveal.js and MathJax are done, measures it, and writes the
# measurements into the page as JSON, for `--dump-dom` to return.
MEASURE = """
<script>
require(["%(reveal)s"], function (Reveal) {
  function longest(text) {
    return text.split("\\n").reduce(function (a, b) { return b.length > a.length ? b : a; }, "");
  }
  function measure() {
    Reveal.configure({transition: "none", backgroundTransition: "none"});
    var results = Reveal.getSlides().map(function (slide) {
      var where = Reveal.getIndices(slide);
      Reveal.slide(where.h, where.v);
      var box = slide.getBoundingClientRect(), clipped = [], outside = [];
      slide.querySelectorAll("pre, .jp-OutputArea-output").forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1) clipped.push(longest(el.textContent));
      });
      slide.querySelectorAll("img, table, .MathJax_CHTML, .MathJax_Display").forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.right > box.right + 1) outside.push(el.tagName.toLowerCase());
      });
      return {
        h: where.h, v: where.v, height: box.height, width: box.width,
        natural: Number(slide.dataset.naturalHeight), zoom: Number(slide.style.zoom || 1),
        clipped: clipped, outside: outside,
        cells: Array.prototype.map.call(slide.querySelectorAll(".jp-Cell"), function (c) {
          return c.id.replace("cell-id=", "");
        }),
      };
    });
    Reveal.slide(0, 0);  // back to the title, where the deck opens
    var out = document.createElement("pre");
    out.id = "slide-measurements";
    out.textContent = JSON.stringify(results);
    document.body.appendChild(out);
  }
  function afterMath() { MathJax.Hub.Queue(measure); }
  if (Reveal.isReady()) { afterMath(); } else { Reveal.on("ready", afterMath); }
});
</script>
"""


def probe(deck: Path, profile: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Open `deck` in Chromium at the slide size; return the run (its DOM on stdout) and every
    slide's size on the screen and before shrinking, its shrink factor, its clipped lines and
    out-of-slide elements, and its cells."""
    reveal = f"vendor/reveal.js-{slides.VENDOR['reveal.js'][0]}/dist/reveal.js"
    probe_deck = deck.with_name(deck.name.replace(".slides.html", ".probe.html"))
    probe_deck.write_text(
        deck.read_text().replace("</html>", MEASURE % {"reveal": reveal} + "</html>")
    )
    try:
        size = f"--window-size={slides.WIDTH},{slides.HEIGHT}"
        result = chromium(probe_deck.resolve().as_uri(), "--dump-dom", size, profile=profile)
    finally:
        probe_deck.unlink()
    found = re.search(r'<pre id="slide-measurements">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found, f"{deck.name}: the slides were not measured (reveal.js or MathJax did not finish)"
    return result, json.loads(html.unescape(found[1]))


@pytest.fixture(scope="module")
def probed(decks, tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, list[dict]]]:
    """Every lecture deck opened once: its DOM, console and slide measurements."""
    profile = tmp_path_factory.mktemp("chromium")
    return {name: probe(deck, profile) for name, deck in decks.items()}


# A slide too tall for the screen is shrunk to fit; below this factor its text is too small.
MIN_ZOOM = 0.8


def offenders(nb, slides_measured: list[dict]) -> list[str]:
    """A line per slide that does not fit, naming its slide, notebook cells and the cause."""
    index_of = {cell.get("id"): i for i, cell in enumerate(nb.cells)}
    lines = []
    for slide in slides_measured:
        causes = []
        if slide["height"] > slides.HEIGHT + 1 or slide["width"] > slides.WIDTH + 1:
            causes.append(f"{slide['width']:.0f} × {slide['height']:.0f} px on the screen")
        if slide["zoom"] < MIN_ZOOM:
            causes.append(
                f"{slide['natural']} px tall, shrunk to {slide['zoom']:.2f} to fit after its "
                f"figures shrank (below {MIN_ZOOM}: too small to read; shorten or split the cell)"
            )
        causes += [f"clips {line.strip()[:60]!r}" for line in slide["clipped"]]
        causes += [f"a wide {tag} runs off the slide" for tag in slide["outside"]]
        if causes:
            cells = ", ".join(str(index_of.get(c, "?")) for c in slide["cells"])
            where = f"slide {slide['h'] + 1}.{slide['v'] + 1} (cells {cells})"
            lines.append(f"{where}: {'; '.join(causes)}")
    return lines


@pytest.mark.parametrize("answers", [False, True], ids=["lecture", "answers"])
@pytest.mark.parametrize("name", IDS)
def test_every_slide_fits_the_screen(probed, answer_decks, name, answers, tmp_path):
    deck = answer_decks[name] if answers else None
    measured = probe(deck, tmp_path / "profile")[1] if answers else probed[name][1]
    assert len(measured) > 5, "too few slides: did the deck load?"
    nb = slides.deck_notebook(NOTEBOOKS[IDS.index(name)], answers=answers)
    bad = offenders(nb, measured)
    kind = "answers deck" if answers else "lecture deck"
    assert not bad, f"{name} {kind}: {len(bad)} slide(s) do not fit {slides.WIDTH} × " + (
        f"{slides.HEIGHT}:\n" + "\n".join(bad)
    )


def test_a_cell_too_tall_for_any_slide_is_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    long_cell = nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(45)))
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 · Tall"),
        nbformat.v4.new_code_cell("import helpers"),
        nbformat.v4.new_markdown_cell("## A section"),
        long_cell,
    ]
    path = tmp_path / "01_tall.ipynb"
    nbformat.write(nb, path)
    [deck] = slides.build([path], tmp_path / "out")
    _, measured = probe(deck, tmp_path / "profile")
    bad = offenders(slides.deck_notebook(path), measured)
    assert len(bad) == 1 and bad[0].startswith("slide 2.2 (cells 3): "), bad
    assert f"below {MIN_ZOOM}" in bad[0]
