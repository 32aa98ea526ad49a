"""`make slides` decks open offline: headless Chromium, network off, reveal.js starts.

Builds every deck into build/slides/ (as `make slides` does), opens each in headless Chromium
with every host name unresolvable, checks that reveal.js started and that the first slide shows
the notebook's title, and saves a screenshot to build/slides/screenshots/ for a person to look at.
"""

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
    if shutil.which("npm") is None and not all(
        (slides.OUT / "vendor" / f"{name}-{version}" / ".verified").exists()
        for name, (version, _) in slides.VENDOR.items()
    ):
        pytest.skip("npm is not installed, so reveal.js cannot be fetched for the decks")
    built = slides.build(NOTEBOOKS, slides.OUT)
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
def test_deck_starts_offline_and_opens_on_the_title(decks, name, tmp_path):
    deck = decks[name]
    url = deck.resolve().as_uri()
    result = chromium(url, "--dump-dom", profile=tmp_path / "profile")
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
