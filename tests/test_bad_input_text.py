"""Bad input to helpers.text and plot_top_words: a clear error naming the argument, never a
silent answer; and the valid twin of every case (lists, numpy, torch, numpy scalars) works.

Classes: wrong type or rank, mismatched lengths, empty, NaN/inf, wrong dtype, None, numpy and
torch scalars, extreme magnitudes.
"""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import text  # noqa: E402
from helpers.plotting import plot_top_words  # noqa: E402

NAN_OR_INF = st.sampled_from([math.nan, math.inf, -math.inf])


def counts(shape=(4, 6), seed=0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    return sp.csr_matrix(rng.integers(0, 3, size=shape) * (rng.random(shape) < 0.5))


def corpus(n=20) -> pd.DataFrame:
    return pd.DataFrame(
        {"text": [f"review {i}" for i in range(n)], "label": [i % 2 for i in range(n)]}
    )


def raises(error, *names):
    """pytest.raises(error) whose message must mention every name in `names`."""
    return pytest.raises(error, match=".*".join(names))


# --- the corpus: strip_markup, drop_duplicate_reviews, stratified_sample, review_split -----------


@pytest.mark.parametrize("review", [None, 3, b"<br />", ["a"]])
def test_strip_markup_wants_one_string(review):
    with raises(TypeError, "review must be a string"):
        text.strip_markup(review)


def bad_tables():
    good = corpus()
    return {
        "a list": (list(good["text"]), TypeError, "reviews must be a DataFrame"),
        "a dict": (good.to_dict("list"), TypeError, "reviews must be a DataFrame"),
        "no label column": (good[["text"]], ValueError, r"reviews must have columns.*label"),
        "no text column": (good.rename(columns={"text": "body"}), ValueError, "text"),
        "NaN text": (
            good.assign(text=[math.nan] + list(good["text"][1:])),
            TypeError,
            "document 0",
        ),
        "float labels": (good.assign(label=good["label"] * 0.5), TypeError, "labels"),
        "NaN labels": (good.assign(label=[math.nan] * 20), TypeError, "labels"),
        "empty": (good.iloc[:0], ValueError, "empty"),
    }


@pytest.mark.parametrize("case", sorted(bad_tables()))
@pytest.mark.parametrize(
    "call",
    [
        text.drop_duplicate_reviews,
        lambda reviews: text.stratified_sample(reviews, 4),
        lambda reviews: text.review_split(10, reviews=reviews),
    ],
    ids=["drop_duplicate_reviews", "stratified_sample", "review_split"],
)
def test_a_bad_table_of_reviews_is_refused_naming_it(case, call):
    reviews, error, message = bad_tables()[case]
    with raises(error, message):
        call(reviews)


@pytest.mark.parametrize(
    "call", [text.drop_duplicate_reviews, lambda reviews: text.stratified_sample(reviews, 4)]
)
def test_no_table_is_refused_naming_it(call):
    with raises(TypeError, "reviews must be a DataFrame"):
        call(None)


def test_valid_twin_review_split_without_reviews_reads_the_bundled_ones():
    parts = text.review_split(10)
    assert [len(p) for p in parts] == [6, 2, 2]


@pytest.mark.parametrize(
    ("n", "seed", "error", "names"),
    [
        (0, 0, ValueError, ("n", "at least 1")),
        (2.0, 0, TypeError, ("n",)),
        (None, 0, TypeError, ("n",)),
        (21, 0, ValueError, ("n=21", "corpus of 20")),
        (4, -1, ValueError, ("seed", "0 or more")),
        (4, 0.5, TypeError, ("seed",)),
        (4, None, TypeError, ("seed",)),
        (4, True, TypeError, ("seed",)),
    ],
)
def test_stratified_sample_refuses_bad_n_and_seed(n, seed, error, names):
    with raises(error, *names):
        text.stratified_sample(corpus(), n, seed)


@pytest.mark.parametrize(
    ("n", "seed"), [(1, 0), (np.int64(3), np.int64(2)), (np.int32(20), np.uint8(7))]
)
def test_valid_twin_stratified_sample_takes_numpy_integers_and_n_of_1(n, seed):
    sample = text.stratified_sample(corpus(), n, seed)
    assert len(sample) == n and sample.index.is_unique
    assert abs(sample["label"].mean() - 0.5) <= 0.5 / n + 1e-12


@given(st.integers(min_value=5, max_value=40), st.integers(min_value=0, max_value=2**32))
@settings(max_examples=25, deadline=None)
def test_review_split_is_disjoint_for_any_valid_size_and_seed(size, seed):
    parts = text.review_split(size, seed, reviews=corpus(40))
    assert sum(len(p) for p in parts) == size
    assert len(set(pd.concat(parts)["text"])) == size


# --- document-term matrices and their memory -----------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "error", "names"),
    [
        (np.ones((3, 3)), TypeError, ("scipy sparse matrix",)),
        (None, TypeError, ("scipy sparse matrix",)),
        (torch.ones(3, 3), TypeError, ("scipy sparse matrix",)),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda m: text.count_histogram(m, 0),
        text.sparse_nbytes,
        text.memory_comparison,
        text.to_torch_sparse,
        lambda m: text.sparse_batches(m, [0, 1, 0], 2),
        lambda m: text.as_table(m, ["a", "b", "c"]),
    ],
    ids=[
        "count_histogram",
        "sparse_nbytes",
        "memory_comparison",
        "to_torch_sparse",
        "sparse_batches",
        "as_table",
    ],
)
def test_a_dense_or_missing_matrix_is_refused(matrix, error, names, call):
    with raises(error, *names):
        call(matrix)


@given(hnp.arrays(np.float64, (3, 5), elements=st.floats(0.01, 20).filter(lambda x: x != round(x))))
@settings(max_examples=25, deadline=None)
def test_count_histogram_refuses_anything_that_is_not_a_count(values):
    with raises(ValueError, "matrix must hold counts"):
        text.count_histogram(sp.csr_matrix(values), 0)


@given(hnp.arrays(np.int64, (3, 8), elements=st.integers(0, 6)))
@settings(max_examples=25, deadline=None)
def test_valid_twin_float_counts_give_the_histogram_of_the_integers(values):
    expected = np.bincount(values[1])
    as_float = text.count_histogram(sp.csr_matrix(values.astype(np.float64)), np.int64(1))
    np.testing.assert_array_equal(as_float, expected)


@pytest.mark.parametrize(
    ("row", "error"),
    [(True, TypeError), (0.0, TypeError), (None, TypeError), (-1, ValueError), (4, ValueError)],
)
def test_count_histogram_refuses_a_bad_row(row, error):
    with raises(error, "row"):
        text.count_histogram(counts(), row)


def test_count_histogram_refuses_negative_counts_and_nan():
    with raises(ValueError, "counts of at least 0"):
        text.count_histogram(sp.csr_matrix(np.array([[1, -2, 0]])), 0)
    with raises(ValueError, "matrix must hold counts"):
        text.count_histogram(sp.csr_matrix(np.array([[1.0, math.nan, 0.0]])), 0)


@given(
    st.lists(st.integers(0, 6), min_size=0, max_size=3).map(tuple),
    st.sampled_from(
        [np.int8, np.int64, np.float16, np.float32, np.complex128, np.bool_, "float64", "<i4"]
    ),
)
def test_dense_nbytes_is_numpys_nbytes_for_any_small_shape(shape, dtype):
    assert text.dense_nbytes(shape, dtype) == np.empty(shape, dtype).nbytes


def test_dense_nbytes_of_a_scalar_and_of_numpy_sizes():
    assert text.dense_nbytes((), np.float64) == np.empty(()).nbytes == 8
    assert text.dense_nbytes(np.int64(5), np.int32) == 20
    assert text.dense_nbytes((np.int64(3), np.uint16(4)), "float32") == 48


def test_dense_nbytes_is_exact_for_shapes_beyond_memory():
    assert text.dense_nbytes((10**6, 10**6, 10**6), np.float64) == 8 * 10**18
    assert text.dense_nbytes((2**40, 2**40), np.int8) == 2**80  # beyond int64: exact all the same


@pytest.mark.parametrize(
    ("shape", "dtype", "error", "name"),
    [
        ((3.0, 4), np.int64, TypeError, "shape"),
        ((3, 4.5), np.int64, TypeError, "shape"),
        (3.0, np.int64, TypeError, "shape"),
        ("34", np.int64, TypeError, "shape"),
        (None, np.int64, TypeError, "shape"),
        ((True, 2), np.int64, TypeError, "shape"),
        ((3, -1), np.int64, ValueError, "shape"),
        ((3, 4), None, TypeError, "dtype"),
        ((3, 4), "no such type", TypeError, "dtype"),
        ((3, 4), 3.5, TypeError, "dtype"),
    ],
)
def test_dense_nbytes_refuses_a_bad_shape_or_dtype(shape, dtype, error, name):
    with raises(error, name):
        text.dense_nbytes(shape, dtype)


@pytest.mark.parametrize(
    ("n", "error"), [(-1, ValueError), (1.5, TypeError), (None, TypeError), (True, TypeError)]
)
def test_format_bytes_refuses_what_is_not_a_byte_count(n, error):
    with raises(error, "n"):
        text.format_bytes(n)


def test_valid_twin_format_bytes_takes_numpy_integers():
    assert text.format_bytes(np.int64(2_800_000_000)) == "2.80 GB"
    assert text.format_bytes(0) == "0 B"


# --- top words and their plot --------------------------------------------------------------------

VOCABULARY = [f"w{i}" for i in range(8)]


@given(st.integers(0, 7), NAN_OR_INF)
def test_top_words_refuses_nan_and_inf_weights(position, bad):
    weights = np.linspace(-1, 1, 8)
    weights[position] = bad
    with raises(ValueError, "weights", "NaN or infinite"):
        text.top_words(weights, VOCABULARY, k=2)


@pytest.mark.parametrize(
    ("weights", "vocabulary", "k", "error", "name"),
    [
        (np.zeros((2, 8)), VOCABULARY, 2, ValueError, "weights"),
        (np.zeros((8, 1, 1)), VOCABULARY, 2, ValueError, "weights"),
        (np.zeros(0), [], 1, ValueError, "weights"),
        (np.array([True] * 8), VOCABULARY, 2, TypeError, "weights"),
        (None, VOCABULARY, 2, TypeError, "weights"),
        (np.zeros(7), VOCABULARY, 2, ValueError, "weights and vocabulary"),
        (np.zeros(8), "w0 w1 w2 w3 w4 w5 w6 w7", 2, TypeError, "vocabulary"),
        (np.zeros(8), VOCABULARY, 0, ValueError, "k"),
        (np.zeros(8), VOCABULARY, 2.0, TypeError, "k"),
        (np.zeros(8), VOCABULARY, 5, ValueError, "k=5"),
    ],
)
def test_top_words_refuses_bad_shapes_types_and_k(weights, vocabulary, k, error, name):
    with raises(error, name):
        text.top_words(weights, vocabulary, k)


@pytest.mark.parametrize(
    "form",
    [
        lambda w: w.tolist(),
        lambda w: w[None, :],  # (1, V), like coef_
        lambda w: torch.from_numpy(w),
        lambda w: torch.nn.Parameter(torch.from_numpy(w)),  # requires_grad
        lambda w: (w * 1000).astype(np.int64) / 1000,
    ],
    ids=["list", "row", "tensor", "parameter", "rounded"],
)
def test_valid_twin_top_words_are_the_same_in_every_form(form):
    weights = np.round(np.linspace(-1, 1, 8) ** 3, 3)
    expected = text.top_words(weights, VOCABULARY, k=np.int64(2))
    pd.testing.assert_frame_equal(text.top_words(form(weights), VOCABULARY, k=2), expected)


def test_top_words_handles_extreme_magnitudes_and_breaks_ties_by_the_word():
    weights = np.array([1e300, -1e300, 1e-300, 0.0, 0.0, 0.0, -1e-300, 5.0])
    table = text.top_words(weights, list("hgfedcba"), k=3)
    assert list(table["word"]) == ["h", "a", "f", "e", "b", "g"]  # zeros c < d < e by word


def test_plot_top_words_draws_one_bar_per_word():
    table = text.top_words(np.linspace(-1, 1, 8), VOCABULARY, k=2)
    ax = plot_top_words(table)
    widths = [bar.get_width() for bar in ax.patches]
    np.testing.assert_allclose(widths, table["weight"])
    plt.close("all")


@pytest.mark.parametrize(
    ("table", "error", "names"),
    [
        (None, TypeError, ("table must be a DataFrame",)),
        ([("good", 1.0)], TypeError, ("table must be a DataFrame",)),
        (pd.DataFrame({"word": ["a"]}), TypeError, ("table must be a DataFrame",)),
        (pd.DataFrame({"word": ["a", "b"], "weight": [1.0, math.nan]}), ValueError, ("weight",)),
        (pd.DataFrame({"word": [], "weight": []}), ValueError, ("weight", "empty")),
        (pd.DataFrame({"word": ["a"], "weight": ["1"]}), TypeError, ("weight",)),
    ],
)
def test_plot_top_words_refuses_garbage(table, error, names):
    with raises(error, *names):
        plot_top_words(table)
    plt.close("all")


def test_plot_top_words_refuses_a_bad_axes_or_title():
    table = pd.DataFrame({"word": ["a", "b"], "weight": [1.0, -1.0]})
    with raises(TypeError, "ax must be a matplotlib Axes"):
        plot_top_words(table, ax="left")
    with raises(TypeError, "title must be a string"):
        plot_top_words(table, title=3)
    plt.close("all")


# --- torch tensors and batches -------------------------------------------------------------------


@given(st.integers(0, 3), NAN_OR_INF)
def test_to_torch_sparse_and_sparse_batches_refuse_nan_and_inf_values(row, bad):
    matrix = sp.csr_matrix(np.ones((4, 3)))
    matrix[row, 1] = bad
    with raises(ValueError, "matrix", "NaN or infinite"):
        text.to_torch_sparse(matrix)
    with raises(ValueError, "matrix", "NaN or infinite"):
        text.sparse_batches(matrix, [0, 1, 0, 1], 2)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float16, np.float64, "float64", None])
def test_to_torch_sparse_refuses_other_dtypes(dtype):
    with raises(TypeError, "dtype"):
        text.to_torch_sparse(counts(), dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_valid_twin_to_torch_sparse_in_both_float_dtypes(dtype):
    tensor = text.to_torch_sparse(counts(), dtype=dtype)
    assert tensor.dtype == dtype
    np.testing.assert_array_equal(tensor.to_dense().numpy(), counts().toarray())


@pytest.mark.parametrize(
    ("labels", "batch_size", "generator", "error", "name"),
    [
        ([0, 1, 0, 1], 0, None, ValueError, "batch_size"),
        ([0, 1, 0, 1], -3, None, ValueError, "batch_size"),
        ([0, 1, 0, 1], 2.0, None, TypeError, "batch_size"),
        ([0, 1, 0, math.nan], 2, None, ValueError, "labels"),
        ([0, 1, 0], 2, None, ValueError, "labels"),
        ([[0, 1], [0, 1]], 2, None, ValueError, "labels"),
        (["a", "b", "c", "d"], 2, None, TypeError, "labels"),
        (None, 2, None, TypeError, "labels"),
        ([0, 1, 0, 1], 2, 0, TypeError, "generator"),
        ([0, 1, 0, 1], 2, np.random.default_rng(0), TypeError, "generator"),
    ],
)
def test_sparse_batches_refuses_bad_arguments_at_the_call(
    labels, batch_size, generator, error, name
):
    with raises(error, name):  # no next(): the error must come before the first batch
        text.sparse_batches(counts(), labels, batch_size, generator)


@pytest.mark.parametrize(
    "labels",
    [
        [0, 1, 0, 1],
        np.array([0, 1, 0, 1], dtype=np.int8),
        np.array([0.0, 1.0, 0.0, 1.0]),
        torch.tensor([0, 1, 0, 1]),
    ],
)
def test_valid_twin_sparse_batches_take_labels_in_any_form(labels):
    batches = list(text.sparse_batches(counts(), labels, np.int64(3), dtype=torch.float64))
    assert [len(y) for _, y in batches] == [3, 1]
    assert torch.cat([y for _, y in batches]).tolist() == [0.0, 1.0, 0.0, 1.0]
    assert all(x.dtype == y.dtype == torch.float64 for x, y in batches)


# --- intervals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "confidence", "error", "name"),
    [
        ([], 0.95, ValueError, "correct"),
        ([1, 0, 2], 0.95, ValueError, "correct"),
        ([1.0, math.nan], 0.95, ValueError, "correct"),
        ([[1, 0]], 0.95, ValueError, "correct"),
        (None, 0.95, TypeError, "correct"),
        ([1, 0], 1.0, ValueError, "confidence"),
        ([1, 0], 0, ValueError, "confidence"),
        ([1, 0], math.nan, ValueError, "confidence"),
        ([1, 0], "95 %", TypeError, "confidence"),
    ],
)
def test_accuracy_interval_refuses_bad_input(correct, confidence, error, name):
    with raises(error, name):
        text.accuracy_interval(correct, confidence)


def test_valid_twin_accuracy_interval_is_the_same_for_every_form():
    right = [True, True, False, True, True]
    expected = text.accuracy_interval(np.array(right))
    for form in (right, np.array(right, dtype=np.int64), torch.tensor(right), [1.0, 1, 0, 1, 1]):
        assert text.accuracy_interval(form) == expected
    low, high = expected
    assert 0 <= low < 0.8 < high <= 1


@pytest.mark.parametrize(
    ("a", "b", "keywords", "error", "name"),
    [
        ([1, 0, 1], [1, 0], {}, ValueError, "correct_a and correct_b"),
        ([1, 0, 1], None, {}, TypeError, "correct_b"),
        ([1, 0, 1], [1, 0, 1], {"n_resamples": 0}, ValueError, "n_resamples"),
        ([1, 0, 1], [1, 0, 1], {"seed": -2}, ValueError, "seed"),
        ([1, 0, 1], [1, 0, 1], {"confidence": 95}, ValueError, "confidence"),
    ],
)
def test_difference_interval_refuses_bad_input(a, b, keywords, error, name):
    with raises(error, name):
        text.difference_interval(a, b, **keywords)
