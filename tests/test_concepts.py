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


# --- rank_by_cosine -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_rank_by_cosine_matches_scikit_learn_and_scipy_ranks(seed):
    from scipy.stats import rankdata
    from sklearn.metrics.pairwise import cosine_similarity

    rng = np.random.default_rng(seed)
    rows, query = rng.normal(size=(9, 4)), rng.normal(size=4)
    names = [f"r{i}" for i in range(9)]
    ranking = concepts.rank_by_cosine(query, rows, names)
    theirs = cosine_similarity(rows, query[None])[:, 0]
    np.testing.assert_allclose(ranking.loc[names, "cosine"], theirs, atol=1e-10)
    expected_ranks = rankdata(-np.round(theirs, 10), method="min")
    np.testing.assert_array_equal(ranking.loc[names, "rank"], expected_ranks)
    assert list(ranking.index) == [names[i] for i in np.argsort(-theirs, kind="stable")]


def test_rank_by_cosine_ties_collinear_rows_and_keeps_their_order():
    # The ratings' P1 to P4 are multiples of one another, and so are P5 and P7: exact ties,
    # whatever the last bits of their cosines.
    names = [f"P{i}" for i in range(1, 8)]
    ranking = concepts.rank_by_cosine([0, 5, 0, 0, 2], RATINGS, names)
    assert list(ranking.index) == ["P5", "P7", "P1", "P2", "P3", "P4", "P6"]
    assert ranking["rank"].tolist() == [1, 1, 3, 3, 3, 3, 7]


# --- fitting the observed entries only ----------------------------------------------------------


def loss_by_loops(X, mask, P, Q, weight_decay):
    """The observed-entries loss written out cell by cell, independently of the helper."""
    cells = list(zip(*np.nonzero(mask), strict=True))
    squared = sum((P[i] @ Q[j] - X[i, j]) ** 2 for i, j in cells)
    return squared / len(cells) + weight_decay * (np.sum(P**2) + np.sum(Q**2))


def alternating_least_squares(X, mask, k, weight_decay, seed=0, tol=1e-13, max_rounds=20_000):
    """A direct solver: each row of P (then of Q) is the exact ridge-regression solution for the
    other factor held fixed; rounds repeat until the factors stop changing."""
    rng = np.random.default_rng(seed)
    P, Q = rng.normal(size=(X.shape[0], k)), rng.normal(size=(X.shape[1], k))
    ridge = mask.sum() * weight_decay * np.eye(k)  # N λ: the loss is a mean over N entries
    for _ in range(max_rounds):
        old = P @ Q.T
        for i, seen in enumerate(mask):
            P[i] = np.linalg.solve(Q[seen].T @ Q[seen] + ridge, Q[seen].T @ X[i, seen])
        for j, seen in enumerate(mask.T):
            Q[j] = np.linalg.solve(P[seen].T @ P[seen] + ridge, P[seen].T @ X[seen, j])
        if np.abs(P @ Q.T - old).max() < tol:
            return P, Q
    raise AssertionError("alternating least squares did not converge")


def test_observed_loss_matches_the_loss_written_cell_by_cell():
    rng = np.random.default_rng(3)
    X, mask = rng.normal(size=(6, 4)), rng.random((6, 4)) < 0.6
    P, Q = rng.normal(size=(6, 2)), rng.normal(size=(4, 2))
    expected = loss_by_loops(X, mask, P, Q, 0.1)
    assert concepts.observed_loss(X, mask, P, Q, 0.1) == pytest.approx(expected, rel=1e-13)


def test_fit_observed_reaches_the_minimum_alternating_least_squares_finds():
    mask = RATINGS > 0
    fit = concepts.fit_observed(RATINGS, mask, 2, weight_decay=0.02)
    P, Q = alternating_least_squares(RATINGS, mask, 2, 0.02)
    assert fit.losses[-1] == pytest.approx(loss_by_loops(RATINGS, mask, P, Q, 0.02), abs=1e-10)
    np.testing.assert_allclose(fit.predictions, P @ Q.T, atol=1e-5)
    assert fit.losses[-1] == pytest.approx(loss_by_loops(RATINGS, mask, fit.P, fit.Q, 0.02))


def loss_and_gradient(X, mask, weight_decay):
    """The loss of P and Q flattened into z, with its gradient, for scipy.optimize."""
    m, n = X.shape

    def f(z):
        P, Q = z[: m * 2].reshape(m, 2), z[m * 2 :].reshape(n, 2)
        R = np.where(mask, P @ Q.T - X, 0.0) / mask.sum()
        loss = np.sum(R * (P @ Q.T - X)) + weight_decay * np.sum(z**2)
        gradient = np.concatenate([(2 * R @ Q).ravel(), (2 * R.T @ P).ravel()])
        return loss, gradient + 2 * weight_decay * z

    return f


def test_fit_observed_on_the_ratings_reaches_the_best_of_many_scipy_starts():
    from scipy.optimize import minimize

    mask = RATINGS > 0
    fit = concepts.fit_observed(RATINGS, mask, 2, weight_decay=0.02)
    f = loss_and_gradient(RATINGS, mask, 0.02)
    starts = np.random.default_rng(0).normal(size=(10, 24))
    best = min(minimize(f, z, jac=True, method="BFGS", options={"gtol": 1e-11}).fun for z in starts)
    assert fit.losses[-1] == pytest.approx(best, abs=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_fit_observed_stops_at_a_minimum_scipy_cannot_improve(seed):
    # The loss is not convex: on other matrices gradient descent may stop in a local minimum.
    # It must at least be one: zero gradient, and nothing lower nearby.
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    X = rng.integers(1, 6, size=(6, 5)).astype(float)
    mask = rng.random(X.shape) < 0.7
    fit = concepts.fit_observed(X, mask, 2, lr=0.2, weight_decay=0.05, max_epochs=200_000)
    f = loss_and_gradient(X, mask, 0.05)
    z = np.concatenate([fit.P.ravel(), fit.Q.ravel()])
    loss, gradient = f(z)
    assert loss == pytest.approx(fit.losses[-1], abs=1e-12)
    assert np.linalg.norm(gradient) < 1e-7
    nearby = z + np.random.default_rng(seed).normal(scale=1e-3, size=z.shape)
    result = minimize(f, nearby, jac=True, method="BFGS", options={"gtol": 1e-11})
    assert result.fun >= loss - 1e-10


def test_fit_observed_on_a_full_matrix_without_weight_decay_is_the_truncated_svd():
    X = random_matrix(5, (6, 4))
    fit = concepts.fit_observed(X, np.ones(X.shape, bool), 2, lr=0.3, weight_decay=0)
    U, s, Vt = np.linalg.svd(X)
    np.testing.assert_allclose(fit.predictions, (U[:, :2] * s[:2]) @ Vt[:2], atol=1e-6)


def test_fit_observed_is_deterministic_and_descends():
    mask = RATINGS > 0
    first, second = (concepts.fit_observed(RATINGS, mask, 2) for _ in range(2))
    np.testing.assert_array_equal(first.P, second.P)
    np.testing.assert_array_equal(first.losses, second.losses)
    assert np.diff(first.losses).max() < 1e-12 and first.losses[-1] < first.losses[0] / 10


def test_fit_observed_ignores_what_the_unobserved_entries_hold():
    mask = RATINGS > 0
    noisy = np.where(mask, RATINGS, 99.0)
    np.testing.assert_array_equal(
        concepts.fit_observed(noisy, mask, 2).predictions,
        concepts.fit_observed(RATINGS, mask, 2).predictions,
    )


def test_fit_observed_reports_divergence_and_slow_convergence():
    with pytest.raises(ValueError, match="diverged.*lr"):
        concepts.fit_observed(RATINGS, RATINGS > 0, 2, lr=5.0)
    with pytest.raises(ValueError, match="max_epochs = 10"):
        concepts.fit_observed(RATINGS, RATINGS > 0, 2, max_epochs=10)


# --- stochastic gradient descent on the observed entries ----------------------------------------


def test_sgd_observed_takes_the_steps_torch_optim_sgd_takes():
    # The same start, the same shuffles (the contract: seeded factors first, then one
    # permutation of the observed entries per epoch), autograd for the gradient.
    import torch

    mask = RATINGS > 0
    ours = concepts.sgd_observed(RATINGS, mask, 2, lr=0.05, epochs=3, batch_size=3, seed=7)
    rng = np.random.default_rng(7)
    P = torch.tensor(rng.normal(scale=0.1, size=(7, 2)), requires_grad=True)
    Q = torch.tensor(rng.normal(scale=0.1, size=(5, 2)), requires_grad=True)
    X = torch.from_numpy(RATINGS.astype(float))
    optimizer = torch.optim.SGD([P, Q], lr=0.05)
    cells = np.argwhere(mask)
    for _ in range(3):
        order = cells[rng.permutation(len(cells))]
        for start in range(0, len(order), 3):
            rows, cols = torch.from_numpy(order[start : start + 3].T.copy())
            optimizer.zero_grad()
            errors = (P[rows] * Q[cols]).sum(dim=1) - X[rows, cols]
            loss = (errors**2).mean() + 0.02 * ((P**2).sum() + (Q**2).sum())
            loss.backward()
            optimizer.step()
    np.testing.assert_allclose(ours.P, P.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.Q, Q.detach().numpy(), atol=1e-12)


def test_sgd_observed_with_the_whole_batch_is_fit_observed():
    mask = RATINGS > 0
    full = concepts.sgd_observed(RATINGS, mask, 2, lr=0.5, epochs=40, batch_size=int(mask.sum()))
    np.testing.assert_allclose(
        full.losses, concepts.fit_observed(RATINGS, mask, 2).losses[:41], rtol=1e-12
    )


def test_sgd_observed_hovers_near_the_minimum_closer_for_a_smaller_lr():
    mask = RATINGS > 0
    minimum = concepts.fit_observed(RATINGS, mask, 2).losses[-1]
    gaps = [
        concepts.sgd_observed(RATINGS, mask, 2, lr=lr, epochs=300).losses[-50:] - minimum
        for lr in (0.01, 0.1)
    ]
    assert (gaps[0] > -1e-12).all() and (gaps[1] > -1e-12).all()  # never below the minimum
    assert gaps[0].max() < 0.002 < gaps[1].mean()


def test_sgd_observed_reports_divergence_and_bad_batches():
    with pytest.raises(ValueError, match="diverged.*lr"):
        concepts.sgd_observed(RATINGS, RATINGS > 0, 2, lr=10.0, epochs=5)
    with pytest.raises(ValueError, match="batch_size must be at most the 20 observed"):
        concepts.sgd_observed(RATINGS, RATINGS > 0, 2, batch_size=21)
