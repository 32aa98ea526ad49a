"""SVD concepts against numpy.linalg and scikit-learn, on the ratings and on random matrices."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.decomposition import TruncatedSVD
from sklearn.utils.extmath import randomized_svd, svd_flip

from helpers import concepts, data

RATINGS = data.load_ratings().to_numpy()


def matrices(min_side=1, max_side=8):
    """Random finite (m, n) float matrices with entries in [-10, 10]."""
    shapes = st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side))
    elements = st.floats(-10, 10, allow_nan=False, width=64)
    return shapes.flatmap(lambda shape: arrays(np.float64, shape, elements=elements))


def random_matrix(seed, shape=(9, 6)):
    return np.random.default_rng(seed).normal(size=shape)


# --- the numbers notebook 04 prints -------------------------------------------------------------


def test_ratings_singular_values_match_the_seed():
    svd = concepts.truncated_svd(RATINGS)
    assert np.round(svd.s, 2).tolist() == [12.48, 9.51, 1.35, 0.0, 0.0]
    assert np.linalg.matrix_rank(RATINGS) == 3


def test_ratings_concepts_are_science_fiction_then_romance():
    Vt = concepts.truncated_svd(RATINGS, 2).Vt
    science_fiction, romance = Vt
    assert set(np.argsort(science_fiction)[-3:]) == {0, 1, 2}  # the three sci-fi films
    assert (science_fiction > 0).all()
    assert romance[3] == pytest.approx(romance[4]) and romance[3] > 0.69
    assert (romance[[0, 2]] < 0).all()


def test_new_users_are_orthogonal_in_movie_space_but_aligned_in_concept_space():
    p8, p9 = np.array([5.0, 0, 0, 0, 0]), np.array([0.0, 4, 5, 0, 0])
    assert p8 @ p9 == 0
    a, b = concepts.project(np.stack([p8, p9]), concepts.truncated_svd(RATINGS, 2).Vt)
    cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert cosine == pytest.approx(0.992579, abs=1e-6)


# --- against numpy.linalg and scikit-learn ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(matrices(), st.data())
def test_reconstruction_error_is_the_norm_of_the_dropped_singular_values(X, draw):
    k = draw.draw(st.integers(1, min(X.shape)))
    s = np.linalg.svd(X, compute_uv=False)
    expected = np.sqrt(np.sum(s[k:] ** 2))
    assert concepts.reconstruction_error(X, k) == pytest.approx(expected, abs=1e-8)
    assert concepts.truncation_error(s, k) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices())
def test_full_svd_reconstructs_the_matrix_and_matches_numpy(X):
    svd = concepts.truncated_svd(X)
    np.testing.assert_allclose((svd.U * svd.s) @ svd.Vt, X, atol=1e-9)
    np.testing.assert_allclose(svd.s, np.linalg.svd(X, compute_uv=False), atol=1e-12)
    np.testing.assert_allclose(concepts.reconstruct(X, min(X.shape)), X, atol=1e-9)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 2, 4])
def test_projection_agrees_with_scikit_learn_up_to_sign(seed, k):
    X = random_matrix(seed)
    ours = concepts.project(X, concepts.truncated_svd(X, k).Vt)
    theirs = TruncatedSVD(n_components=k, algorithm="arpack", random_state=0).fit_transform(X)
    signs = np.sign(np.sum(ours * theirs, axis=0))
    np.testing.assert_allclose(ours, theirs * signs, atol=1e-8)
    assert set(signs) <= {-1.0, 1.0}


@pytest.mark.parametrize("seed", range(5))
def test_truncated_svd_matches_randomized_svd(seed):
    X = random_matrix(seed)
    U, s, Vt = randomized_svd(X, n_components=3, n_iter=20, random_state=seed)
    U, Vt = svd_flip(U, Vt, u_based_decision=False)  # largest |entry| of each row of Vt > 0
    ours = concepts.truncated_svd(X, 3)
    np.testing.assert_allclose(ours.s, s, atol=1e-8)
    np.testing.assert_allclose(ours.Vt, Vt, atol=1e-6)
    np.testing.assert_allclose(ours.U, U, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_energy_kept_matches_the_squared_frobenius_norm(seed):
    X = random_matrix(seed)
    kept = concepts.energy_kept(np.linalg.svd(X, compute_uv=False))
    for k in range(1, 7):
        low_rank = TruncatedSVD(n_components=k, algorithm="arpack", random_state=0)
        if k < 6:
            approx = low_rank.fit(X).inverse_transform(low_rank.transform(X))
        else:
            approx = X
        assert kept[k - 1] == pytest.approx(
            np.linalg.norm(approx) ** 2 / np.linalg.norm(X) ** 2, abs=1e-9
        )


def test_k_for_energy():
    s = np.array([4.0, 2.0, 1.0, 1.0])  # energy 16, 4, 1, 1 of 22
    assert [concepts.k_for_energy(s, f) for f in (0.5, 16 / 22, 0.73, 0.95, 1.0)] == [1, 1, 2, 3, 4]
    assert concepts.k_for_energy(np.ones(4), 0.5) == 2  # exactly half is enough
    assert concepts.k_for_energy(np.linalg.svd(RATINGS, compute_uv=False), 1.0) == 3  # the rank


# --- the sign convention ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(matrices(min_side=2), st.integers(0, 2**32 - 1))
def test_sign_convention_ignores_the_signs_lapack_chose(X, seed):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    flips = np.random.default_rng(seed).choice([-1.0, 1.0], size=len(s))
    from_flipped = concepts.flip_signs(U * flips, Vt * flips[:, None])
    from_original = concepts.flip_signs(U, Vt)
    np.testing.assert_array_equal(from_flipped[0], from_original[0])
    np.testing.assert_array_equal(from_flipped[1], from_original[1])


def test_sign_convention_makes_the_largest_entry_of_each_right_vector_positive():
    Vt = concepts.truncated_svd(random_matrix(7, (20, 10))).Vt
    assert (Vt[np.arange(len(Vt)), np.argmax(np.abs(Vt), axis=1)] > 0).all()


def test_sign_convention_breaks_ties_by_the_first_entry():
    # Rows with two entries of the same absolute value: the first of them must end up positive,
    # even when rounding noise makes the second look a little larger.
    noise = 1e-12
    Vt = np.array([[-0.6, 0.0, 0.6 + noise, 0.53], [0.0, 0.6, 0.0, -0.6 - noise]])
    _, flipped = concepts.flip_signs(np.ones((3, 2)), Vt)
    assert flipped[0, 0] > 0 and flipped[1, 1] > 0


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.ones(5), ValueError, r"shape \(m, n\)"),
        (np.ones((2, 3, 4)), ValueError, r"shape \(m, n\)"),
        (np.ones((0, 5)), ValueError, r"must not be empty.*\(m, n\)"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "NaN or infinite"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), ValueError, "NaN or infinite"),
        ([["a", "b"]], TypeError, r"shape \(m, n\)"),
        (np.ones((2, 2), dtype=bool), TypeError, r"shape \(m, n\)"),
    ],
)
def test_bad_matrices_are_refused(X, error, message):
    with pytest.raises(error, match=message):
        concepts.truncated_svd(X)
    with pytest.raises(error, match=message):
        concepts.reconstruction_error(X, 1)


@pytest.mark.parametrize(("k", "error"), [(0, ValueError), (6, ValueError), (2.0, TypeError)])
def test_k_out_of_range_is_refused(k, error):
    with pytest.raises(error, match="k must be"):
        concepts.truncated_svd(RATINGS, k)
    with pytest.raises(error, match="k must be"):
        concepts.truncation_error([3.0, 2.0, 1.0, 0.5, 0.1], k)


def test_k_message_names_the_limit_and_the_shape():
    with pytest.raises(ValueError, match=r"between 1 and 5 \(min\(m, n\) for X of shape \(7, 5\)"):
        concepts.reconstruct(RATINGS, 6)


def test_integer_ratings_are_accepted():
    assert concepts.truncated_svd(RATINGS).s.dtype == np.float64


@pytest.mark.parametrize(
    ("s", "message"),
    [([1.0, 2.0], "sorted from largest"), ([2.0, -1.0], ">= 0"), ([0.0, 0.0], "no energy")],
)
def test_bad_singular_values_are_refused(s, message):
    with pytest.raises(ValueError, match=message):
        concepts.energy_kept(s)


@pytest.mark.parametrize(
    ("fraction", "error"),
    [(0, ValueError), (1.5, ValueError), ("95%", TypeError), (True, TypeError)],
)
def test_bad_fraction_is_refused(fraction, error):
    with pytest.raises(error, match="fraction"):
        concepts.k_for_energy([2.0, 1.0], fraction)


def test_projection_refuses_mismatched_rows():
    Vt = concepts.truncated_svd(RATINGS, 2).Vt
    with pytest.raises(ValueError, match=r"shape \(5,\) or \(p, 5\)"):
        concepts.project([5, 0, 0, 0], Vt)
    with pytest.raises(ValueError, match=r"shape \(k, n\)"):
        concepts.project([5, 0, 0, 0, 0], Vt[0])


def test_flip_signs_refuses_mismatched_factors():
    with pytest.raises(ValueError, match="agree on r"):
        concepts.flip_signs(np.ones((4, 2)), np.ones((3, 5)))
