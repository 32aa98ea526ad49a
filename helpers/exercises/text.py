"""Self-checks for notebook 05 (bag of words)."""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from helpers import text
from helpers.exercises._core import Case, Mistake, Verdict, run_check


def _counts(documents, vocabulary) -> np.ndarray:
    """Reference: scikit-learn's counts with words = document.lower().split()."""
    vectorizer = CountVectorizer(vocabulary=vocabulary, tokenizer=str.split, token_pattern=None)
    return vectorizer.fit_transform(documents).toarray()


def _by_rows(count):
    """A wrong answer built one (document, word) cell at a time with `count(document, word)`."""
    return lambda documents, vocabulary: np.array(
        [[count(d, w) for w in vocabulary] for d in documents]
    )


def check_document_term_matrix(your_function) -> Verdict:
    """your_function(documents, vocabulary) -> counts of shape (len(documents), len(vocabulary))."""
    cases = [
        Case(
            "['dog bites man', 'man bites dog'] with vocabulary [bites, dog, man]",
            (["dog bites man", "man bites dog"], ["bites", "dog", "man"]),
        ),
        Case(
            "['The cat saw the other cat', 'a dog', ''] with vocabulary [the, cat, dog, a]",
            (["The cat saw the other cat", "a dog", ""], ["the", "cat", "dog", "a"]),
        ),
        Case(
            "['Life is short eat dessert first'] with vocabulary [dessert, life, short, long]",
            (["Life is short eat dessert first"], ["dessert", "life", "short", "long"]),
        ),
    ]
    return run_check(
        "document_term_matrix",
        your_function,
        _counts,
        cases,
        hint="row i is document i, column j is vocabulary[j]; the entry counts how often that "
        "word occurs among document.lower().split().",
        mistakes=[
            Mistake(
                lambda d, v: (_counts(d, v) > 0).astype(int),
                "you recorded whether a word occurs (0 or 1); count how many times it does.",
            ),
            Mistake(
                lambda d, v: _counts(d, v).T,
                "the matrix is transposed: one row per document, one column per word.",
            ),
            Mistake(
                _by_rows(lambda d, w: d.split().count(w)),
                "'The' and 'the' are the same word here: lowercase the document first.",
            ),
            Mistake(
                _by_rows(lambda d, w: d.lower().count(w)),
                "str.count counts substrings ('a' inside 'cat'); split the document into "
                "words and count whole words.",
            ),
        ],
    )


def check_dense_memory(your_function) -> Verdict:
    """your_function(shape, dtype) -> bytes of a dense numpy array of that shape and dtype."""
    cases = [
        Case("shape (35000, 10000), int64 (the seed's matrix)", ((35000, 10000), np.int64)),
        Case("shape (3, 4), float32", ((3, 4), np.float32)),
        Case("shape (1000,), bool", ((1000,), np.bool_)),
        Case("shape (2, 3, 4), float16", ((2, 3, 4), np.float16)),
        Case("shape (), float64: a single number", ((), np.float64)),
    ]
    return run_check(
        "dense_memory",
        your_function,
        text.dense_nbytes,
        cases,
        hint="multiply all sizes in the shape, then the bytes per entry: np.dtype(dtype).itemsize.",
        mistakes=[
            Mistake(
                lambda shape, dtype: int(np.prod(shape)),
                "that is the number of entries; multiply by the bytes per entry "
                "(np.dtype(dtype).itemsize).",
            ),
            Mistake(
                lambda shape, dtype: int(np.prod(shape)) * np.dtype(dtype).itemsize * 8,
                "that is bits; a byte has 8 bits, and itemsize is already in bytes.",
            ),
            Mistake(
                lambda shape, dtype: int(np.prod(shape)) * 8,
                "not every dtype takes 8 bytes: use np.dtype(dtype).itemsize.",
            ),
            Mistake(
                lambda shape, dtype: shape[0] * np.dtype(dtype).itemsize,
                "use every dimension of the shape, not only the first.",
            ),
        ],
    )


def _csr_bytes(n_rows, nnz, data_dtype, index_dtype):
    data, index = np.dtype(data_dtype).itemsize, np.dtype(index_dtype).itemsize
    return nnz * (data + index) + (n_rows + 1) * index


def check_csr_memory(your_function) -> Verdict:
    """your_function(n_rows, nnz, data_dtype, index_dtype) -> bytes of a CSR matrix's arrays."""
    cases = [
        Case("3 rows, 5 stored counts, int64 data, int32 indices", (3, 5, np.int64, np.int32)),
        Case(
            "4000 rows, 502911 stored, int64 data, int32 indices",
            (4000, 502911, np.int64, np.int32),
        ),
        Case("1 row, 0 stored, float32 data, int32 indices", (1, 0, np.float32, np.int32)),
    ]
    return run_check(
        "csr_memory",
        your_function,
        _csr_bytes,
        cases,
        hint="CSR keeps three arrays: data (nnz values), indices (nnz column numbers) and indptr "
        "(n_rows + 1 offsets); add up their bytes.",
        mistakes=[
            Mistake(
                lambda n, nnz, d, i: nnz * (np.dtype(d).itemsize + np.dtype(i).itemsize),
                "indptr is missing: n_rows + 1 offsets, each of index_dtype.",
            ),
            Mistake(
                lambda n, nnz, d, i: _csr_bytes(n, nnz, d, i) - np.dtype(i).itemsize,
                "indptr has n_rows + 1 entries (it starts with 0), not n_rows.",
            ),
            Mistake(
                lambda n, nnz, d, i: nnz * np.dtype(d).itemsize,
                "the values are not enough: CSR also stores each one's column (indices) "
                "and where each row starts (indptr).",
            ),
            Mistake(
                lambda n, nnz, d, i: _csr_bytes(n, nnz, i, d),
                "data and index dtypes are swapped: the counts use data_dtype, the "
                "positions index_dtype.",
            ),
        ],
    )
