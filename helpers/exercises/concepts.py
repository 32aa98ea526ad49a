"""Self-checks for notebook 04 (SVD and the intuition behind keys and queries)."""

import numpy as np

from helpers import concepts, data
from helpers.exercises._core import Case, Mistake, Verdict, run_check


def _ratings_svd(k: int) -> concepts.SVD:
    return concepts.truncated_svd(data.load_ratings().to_numpy(), k)


def _random_svd(k: int) -> concepts.SVD:
    rng = np.random.default_rng(4)
    return concepts.truncated_svd(rng.integers(0, 6, size=(9, 6)), k)


def check_to_concepts(your_to_concepts) -> Verdict:
    """your_to_concepts(ratings, Vt_k) -> concept coordinates, shape (k,), of one person's
    ratings, shape (n,), given the concepts Vt_k, shape (k, n)."""
    two, three = _ratings_svd(2).Vt, _ratings_svd(3).Vt
    cases = [
        Case("P8 = [5, 0, 0, 0, 0] with k = 2", (np.array([5.0, 0, 0, 0, 0]), two)),
        Case("P9 = [0, 4, 5, 0, 0] with k = 2", (np.array([0.0, 4, 5, 0, 0]), two)),
        Case("[0, 0, 1, 5, 3] with k = 3", (np.array([0.0, 0, 1, 5, 3]), three)),
        Case(
            "a person rating 6 movies, k = 4", (np.array([5.0, 1, 0, 2, 4, 3]), _random_svd(4).Vt)
        ),
    ]
    return run_check(
        "to_concepts",
        your_to_concepts,
        concepts.project,
        cases,
        hint="each concept coordinate is the dot product of the ratings with one row of Vt_k: "
        "ratings (n,) times Vt_k transposed (n, k) gives (k,).",
        mistakes=[
            Mistake(
                lambda x, Vt_k: x @ Vt_k.T @ Vt_k,
                "that is the projection taken back into movie space (n numbers); the "
                "concept coordinates are the k numbers before multiplying by Vt_k again.",
            ),
            Mistake(
                lambda x, Vt_k: x / np.linalg.norm(x) @ Vt_k.T,
                "do not normalize the ratings first: project them as they are (cosine "
                "similarity normalizes later, when it compares two people).",
            ),
            Mistake(
                lambda x, Vt_k: np.abs(x @ Vt_k.T),
                "keep the signs: a negative coordinate means the person leans away from "
                "that concept.",
            ),
        ],
    )


def check_k_for_energy(your_k_for_energy) -> Verdict:
    """your_k_for_energy(s, fraction) -> the smallest k whose first k singular values keep at
    least `fraction` of the energy sum(s ** 2); s has shape (r,), largest first."""
    ratings_s = _ratings_svd(5).s
    cases = [
        Case("the ratings' singular values, 95 %", (ratings_s, 0.95)),
        Case("the ratings' singular values, 50 %", (ratings_s, 0.5)),
        Case("s = [1, 1, 1, 1], 50 % (kept exactly by k = 2)", (np.ones(4), 0.5)),
        Case("s = [10, 3, 2, 1], 90 %", (np.array([10.0, 3, 2, 1]), 0.9)),
        Case("the ratings' singular values, 100 %", (ratings_s, 1.0)),
    ]
    return run_check(
        "k_for_energy",
        your_k_for_energy,
        concepts.k_for_energy,
        cases,
        hint="compute the cumulative sum of s ** 2 divided by the total, then find the first k "
        "(counting from 1) where it reaches the fraction.",
        mistakes=[
            Mistake(
                lambda s, f: int(np.argmax(np.cumsum(s) / np.sum(s) >= f - 1e-12)) + 1,
                "energy is the sum of squared singular values: square s before summing.",
            ),
            Mistake(
                lambda s, f: concepts.k_for_energy(s, f) - 1,
                "off by one: np.argmax gives a 0-based index, and k counts concepts from 1.",
            ),
            Mistake(
                lambda s, f: int(np.argmax(np.cumsum(s**2) / np.sum(s**2) > f)) + 1,
                "'at least' the fraction means >=, not >: a k that keeps exactly the "
                "fraction is enough.",
            ),
        ],
    )


def check_truncation_error(your_truncation_error) -> Verdict:
    """your_truncation_error(s, k) -> the Frobenius norm of X - X_k predicted from the singular
    values s, shape (r,), largest first, when the first k are kept."""
    cases = [
        Case("the ratings' singular values, k = 2", (_ratings_svd(5).s, 2)),
        Case("s = [5, 4, 3, 2], k = 1", (np.array([5.0, 4, 3, 2]), 1)),
        Case("s = [5, 4, 3, 2], k = 2", (np.array([5.0, 4, 3, 2]), 2)),
        Case("s = [5, 4, 3, 2], k = 4 (nothing dropped)", (np.array([5.0, 4, 3, 2]), 4)),
    ]
    return run_check(
        "truncation_error",
        your_truncation_error,
        concepts.truncation_error,
        cases,
        hint="the error of the best rank-k approximation comes from the singular values you "
        "drop, s[k:]: every one of them, each in its own perpendicular direction.",
        mistakes=[
            Mistake(
                lambda s, k: s[k] if k < len(s) else 0.0,
                "the first dropped singular value is the error only when it is the only "
                "nonzero one dropped (as for the ratings); in general every dropped one "
                "counts, combined as perpendicular lengths are.",
            ),
            Mistake(
                lambda s, k: np.sum(s[k:] ** 2), "that is the squared error: take the square root."
            ),
            Mistake(
                lambda s, k: np.sum(s[k:]),
                "singular values combine like the sides of a right triangle (they measure "
                "perpendicular pieces), not by plain addition.",
            ),
            Mistake(
                lambda s, k: np.sqrt(np.sum(s[k + 1 :] ** 2)),
                "off by one: with k kept, the dropped ones are s[k:] (Python counts from 0).",
            ),
            Mistake(
                lambda s, k: np.sqrt(np.sum(s[k - 1 :] ** 2)),
                "s[k-1:] also drops the k-th singular value, which you keep: Python counts "
                "from 0, so the first k kept ones are s[0] … s[k-1] and the dropped ones start "
                "at s[k].",
            ),
        ],
    )
