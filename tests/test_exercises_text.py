"""Notebook 05's self-checks: right answers pass, typical wrong ones get their own hint."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from helpers import exercises


def not_attempted(*args):
    raise NotImplementedError


def counts_by_hand(documents, vocabulary):
    rows = [Counter(d.lower().split()) for d in documents]
    return np.array([[row[w] for w in vocabulary] for row in rows])


def test_document_term_matrix_check():
    assert exercises.check_document_term_matrix(counts_by_hand).passed
    assert exercises.check_document_term_matrix(not_attempted).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda d, v: (counts_by_hand(d, v) > 0).astype(int), "whether a word occurs"),
        (lambda d, v: counts_by_hand(d, v).T, "transposed"),
        (lambda d, v: np.array([[x.split().count(w) for w in v] for x in d]), "lowercase"),
        (lambda d, v: np.array([[x.lower().count(w) for w in v] for x in d]), "substrings"),
        (lambda d, v: counts_by_hand(d, v) + 1, "row i is document i"),
    ],
)
def test_document_term_matrix_hints(wrong, hint):
    verdict = exercises.check_document_term_matrix(wrong)
    assert verdict.status == "failed" and hint in verdict.message


def test_dense_memory_check():
    assert exercises.check_dense_memory(
        lambda shape, dtype: np.prod(shape) * np.dtype(dtype).itemsize
    ).passed
    assert exercises.check_dense_memory(not_attempted).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s, d: np.prod(s), "number of entries"),
        (lambda s, d: np.prod(s) * np.dtype(d).itemsize * 8, "that is bits"),
        (lambda s, d: np.prod(s) * 8, "not every dtype"),
        (lambda s, d: s[0] * np.dtype(d).itemsize, "every dimension"),
        (lambda s, d: np.prod(s) * np.dtype(d).itemsize / 1e9, "multiply all sizes"),
    ],
)
def test_dense_memory_hints(wrong, hint):
    verdict = exercises.check_dense_memory(wrong)
    assert verdict.status == "failed" and hint in verdict.message


def scipy_csr_bytes(n_rows, nnz, data_dtype, index_dtype):
    """Build a real CSR matrix of that size and ask scipy how many bytes its arrays hold."""
    data = np.ones(nnz, dtype=data_dtype)
    indices = np.zeros(nnz, dtype=index_dtype)
    indptr = np.zeros(n_rows + 1, dtype=index_dtype)
    indptr[1:] = nnz
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n_rows, 1))
    assert matrix.indices.dtype == index_dtype
    return matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes


def test_csr_memory_check_agrees_with_scipy():
    assert exercises.check_csr_memory(scipy_csr_bytes).passed
    assert exercises.check_csr_memory(not_attempted).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda n, z, d, i: z * (np.dtype(d).itemsize + np.dtype(i).itemsize), "indptr is missing"),
        (
            lambda n, z, d, i: scipy_csr_bytes(n, z, d, i) - np.dtype(i).itemsize,
            "n_rows + 1 entries",
        ),
        (lambda n, z, d, i: z * np.dtype(d).itemsize, "values are not enough"),
        (
            lambda n, z, d, i: (
                z * (np.dtype(d).itemsize + np.dtype(i).itemsize) + (n + 1) * np.dtype(d).itemsize
            ),
            "swapped",
        ),
    ],
)
def test_csr_memory_hints(wrong, hint):
    verdict = exercises.check_csr_memory(wrong)
    assert verdict.status == "failed" and hint in verdict.message
