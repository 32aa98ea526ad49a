"""SVD as "concepts" (notebook 04): truncate, reconstruct, measure what is kept, project.

A matrix X of shape (m, n) (m people rating n movies) factors as X = U diag(s) Vt with U of shape
(m, r), s of shape (r,) sorted from largest to smallest, Vt of shape (r, n), r = min(m, n). Row j
of Vt is concept j written in movie space; keeping the first k rows gives the best rank-k
approximation of X (Eckart–Young). Everything is built on `numpy.linalg.svd`.

Sign convention. Each singular pair (u_j, v_j) may be flipped to (-u_j, -v_j) without changing
X, and different LAPACK builds choose differently. `truncated_svd` therefore flips every pair so
that the entry of largest absolute value in each right singular vector v_j (row j of Vt) is
positive; among entries within SIGN_TIE of that largest absolute value, the first (lowest index)
one decides, so rounding noise in a tie cannot change the choice. The same rule as scikit-learn's
`svd_flip(u, v, u_based_decision=False)`, plus the tie rule.
"""

from dataclasses import dataclass

import numpy as np

from helpers._validate import as_array, positive_int

# Entries of a unit vector closer than this to its largest absolute value count as tied.
SIGN_TIE = 1e-8


@dataclass(frozen=True)
class SVD:
    """A (possibly truncated) SVD: X ≈ U @ diag(s) @ Vt.

    U: shape (m, k), columns are the people's side of each concept.
    s: shape (k,), singular values from largest to smallest.
    Vt: shape (k, n), rows are the concepts in movie space.
    """

    U: np.ndarray
    s: np.ndarray
    Vt: np.ndarray

    @property
    def k(self) -> int:
        """The number of concepts kept."""
        return len(self.s)


def _matrix(X) -> np.ndarray:
    return as_array(X, "X", 2, "(m, n)", allow_int=True)


def _rank_k(k, limit: int, limit_name: str) -> int:
    k = positive_int(k, "k")
    if k > limit:
        raise ValueError(f"k must be between 1 and {limit} ({limit_name}), got k = {k}")
    return k


def flip_signs(U, Vt) -> tuple[np.ndarray, np.ndarray]:
    """Apply the module's sign convention to U, shape (m, r), and Vt, shape (r, n).

    Returns new (U, Vt): pair j flipped when needed so the first entry of row j of Vt whose
    absolute value is within SIGN_TIE of the row's largest is positive.
    """
    U = as_array(U, "U", 2, "(m, r)")
    Vt = as_array(Vt, "Vt", 2, "(r, n)")
    if U.shape[1] != Vt.shape[0]:
        raise ValueError(
            f"U of shape (m, r) and Vt of shape (r, n) must agree on r, got U "
            f"{U.shape} and Vt {Vt.shape}"
        )
    size = np.abs(Vt)
    leader = np.argmax(size >= size.max(axis=1, keepdims=True) - SIGN_TIE, axis=1)
    signs = np.where(Vt[np.arange(len(Vt)), leader] < 0, -1.0, 1.0)
    return U * signs, Vt * signs[:, None]


def truncated_svd(X, k=None) -> SVD:
    """The first k singular triplets of X, shape (m, n), with the module's sign convention.

    k: 1 to min(m, n); None keeps all r = min(m, n). Returns SVD with U (m, k), s (k,), Vt (k, n).
    Note: singular vectors whose singular value is 0 (or repeated) are not unique; only their
    span is, so do not read meaning into them.
    """
    X = _matrix(X)
    limit = min(X.shape)
    k = limit if k is None else _rank_k(k, limit, f"min(m, n) for X of shape {X.shape}")
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    U, Vt = flip_signs(U[:, :k], Vt[:k])
    return SVD(U, s[:k], Vt)


def reconstruct(X, k) -> np.ndarray:
    """The best rank-k approximation of X, shape (m, n): U_k @ diag(s_k) @ Vt_k, shape (m, n)."""
    svd = truncated_svd(X, k)
    return (svd.U * svd.s) @ svd.Vt


def reconstruction_error(X, k) -> float:
    """Frobenius norm of X - reconstruct(X, k), computed from the matrices themselves."""
    return float(np.linalg.norm(_matrix(X) - reconstruct(X, k)))


def _singular_values(s) -> np.ndarray:
    s = as_array(s, "s", 1, "(r,)", allow_int=True)
    if (s < 0).any():
        raise ValueError("singular values s must all be >= 0")
    if (np.diff(s) > 0).any():
        raise ValueError(
            "singular values s must be sorted from largest to smallest, as "
            "numpy.linalg.svd returns them"
        )
    return s


def truncation_error(s, k) -> float:
    """What Eckart–Young predicts for reconstruction_error: the norm of the dropped values.

    s: singular values, shape (r,), largest first; k: 1 to r. Returns sqrt(sum(s[k:] ** 2)).
    """
    s = _singular_values(s)
    k = _rank_k(k, len(s), "r, the length of s, shape (r,)")
    return float(np.sqrt(np.sum(s[k:] ** 2)))


def energy_kept(s) -> np.ndarray:
    """Fraction of the energy sum(s ** 2) kept by the first k concepts, for k = 1 … r.

    s: singular values, shape (r,), largest first. Returns shape (r,), non-decreasing, ending at
    1. (The energy of X is its squared Frobenius norm, which equals sum(s ** 2).)
    """
    s = _singular_values(s)
    total = np.sum(s**2)
    if total == 0:
        raise ValueError("all singular values are 0 (X is all zeros): there is no energy to keep")
    return np.cumsum(s**2) / total


def k_for_energy(s, fraction) -> int:
    """The smallest k whose first k concepts keep at least `fraction` (0 < fraction <= 1) of
    the energy of singular values s, shape (r,)."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.floating)):
        raise TypeError(f"fraction must be a number in (0, 1], got {type(fraction).__name__}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], e.g. 0.95 for 95 %, got {fraction}")
    kept = energy_kept(s)
    # The last entry is 1 up to rounding; never ask for more than it holds.
    return int(np.argmax(kept >= min(fraction, kept[-1]))) + 1


def project(rows, Vt) -> np.ndarray:
    """Coordinates of `rows` in concept space: rows @ Vt.T.

    rows: one person's ratings, shape (n,), or several, shape (p, n); Vt: the concepts, shape
    (k, n), e.g. `truncated_svd(X, k).Vt`. Returns shape (k,) or (p, k). For the rows of X
    itself this equals U_k @ diag(s_k).
    """
    Vt = as_array(Vt, "Vt", 2, "(k, n)")
    n = Vt.shape[1]
    rows = as_array(rows, "rows", (1, 2), f"({n},) or (p, {n})", allow_int=True)
    if rows.shape[-1] != n:
        raise ValueError(
            f"rows must have shape ({n},) or (p, {n}), one rating for each of the "
            f"n = {n} columns of Vt, got shape {rows.shape}"
        )
    return rows @ Vt.T
