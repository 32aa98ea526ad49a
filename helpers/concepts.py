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

Missing ratings. The SVD reads every entry of X, so a 0 meant as "not rated" counts as a rating
of zero. `fit_observed` instead fits X ≈ P Qᵀ to the observed entries only, by gradient descent
(notebook 01's update, w ← w − α ∂L/∂w, on a new loss).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from helpers._validate import as_array, positive_int, positive_number, scalar
from helpers._validate import seed as _seed

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
    k = positive_int(scalar(k), "k")
    if k > limit:
        raise ValueError(f"k must be between 1 and {limit} ({limit_name}), got k = {k}")
    return k


def _finite(result: np.ndarray, what: str) -> np.ndarray:
    """`result`, after checking that it did not overflow (its inputs were finite)."""
    if not np.isfinite(result).all():
        raise ValueError(f"{what} is too large for float64 (it overflowed); rescale it first")
    return result


def _norm(values: np.ndarray) -> float:
    """Euclidean (Frobenius) norm of `values`, scaled first so 1e200 does not overflow to inf
    and 1e-200 does not underflow to 0."""
    scale = np.abs(values).max()
    return 0.0 if scale == 0 else float(scale * np.sqrt(np.sum((values / scale) ** 2)))


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
    scale = np.abs(X).max() or 1.0  # the SVD of X / scale, then s * scale: no overflow inside
    U, s, Vt = np.linalg.svd(X / scale, full_matrices=False)
    U, Vt = flip_signs(U[:, :k], Vt[:k])
    with np.errstate(over="ignore"):  # reported by _finite
        return SVD(U, _finite(s[:k] * scale, "X"), Vt)


def reconstruct(X, k) -> np.ndarray:
    """The best rank-k approximation of X, shape (m, n): U_k @ diag(s_k) @ Vt_k, shape (m, n)."""
    svd = truncated_svd(X, k)
    return _finite((svd.U * svd.s) @ svd.Vt, "X")


def reconstruction_error(X, k) -> float:
    """Frobenius norm of X - reconstruct(X, k), computed from the matrices themselves."""
    return _norm(_matrix(X) - reconstruct(X, k))


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
    return _norm(s[k:]) if k < len(s) else 0.0


def energy_kept(s) -> np.ndarray:
    """Fraction of the energy sum(s ** 2) kept by the first k concepts, for k = 1 … r.

    s: singular values, shape (r,), largest first. Returns shape (r,), non-decreasing, ending at
    1. (The energy of X is its squared Frobenius norm, which equals sum(s ** 2).)
    """
    s = _singular_values(s)
    if s[0] == 0:
        raise ValueError("all singular values are 0 (X is all zeros): there is no energy to keep")
    shares = (s / s[0]) ** 2  # the same fractions as s ** 2, without overflow or underflow
    return np.cumsum(shares) / np.sum(shares)


def k_for_energy(s, fraction) -> int:
    """The smallest k whose first k concepts keep at least `fraction` (0 < fraction <= 1) of
    the energy of singular values s, shape (r,)."""
    fraction = scalar(fraction)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.number)):
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
    with np.errstate(over="ignore", invalid="ignore"):  # reported by _finite
        return _finite(rows @ Vt.T, "rows @ Vt.T")


def rank_by_cosine(query, rows, names, decimals: int = 10) -> pd.DataFrame:
    """The rows, shape (p, d), ranked by cosine similarity with `query`, shape (d,).

    `names`: p labels. Returns a DataFrame indexed by name with columns `cosine` and `rank`,
    most similar first. Cosines equal to `decimals` places count as tied (rounding noise must
    not decide): tied rows share the best rank (1, 1, 3, …) and keep the order of `rows`.
    """
    rows = as_array(rows, "rows", 2, "(p, d)", allow_int=True)
    d = rows.shape[1]
    query = as_array(query, "query", 1, f"({d},), one entry per column of rows", allow_int=True)
    if len(query) != d:
        raise ValueError(f"query must have shape ({d},) like each row of rows, got {query.shape}")
    if not isinstance(names, (list, tuple, np.ndarray, pd.Index)):
        raise TypeError(f"names must be a list of {len(rows)} labels, got {type(names).__name__}")
    if len(names) != len(rows):
        raise ValueError(f"names must be {len(rows)} labels, one per row of rows, got {names!r}")
    decimals = positive_int(scalar(decimals), "decimals")
    norms = np.array([_norm(row) for row in rows])
    if _norm(query) == 0 or (norms == 0).any():
        raise ValueError("query and every row of rows must be nonzero: a zero vector has no angle")
    unit = rows / norms[:, None]
    cosine = np.clip(np.round(unit @ (query / _norm(query)), decimals), -1.0, 1.0)
    order = np.lexsort((np.arange(len(rows)), -cosine))  # by cosine, then by position
    ranks = pd.Series(cosine).rank(method="min", ascending=False).astype(int).to_numpy()
    return pd.DataFrame(
        {"cosine": cosine[order], "rank": ranks[order]},
        index=pd.Index([names[i] for i in order], name="name"),
    )


# --- missing ratings: fit the observed entries only ---------------------------------------------


@dataclass(frozen=True)
class Factorization:
    """X ≈ P @ Q.T fitted to the observed entries of X, shape (m, n).

    P: shape (m, k), one row per person; Q: shape (n, k), one row per movie; losses: shape
    (epochs + 1,), the training loss before the first step and after every step.
    """

    P: np.ndarray
    Q: np.ndarray
    losses: np.ndarray

    @property
    def predictions(self) -> np.ndarray:
        """Every entry of X, observed or not, as the model predicts it: P @ Q.T, shape (m, n)."""
        return self.P @ self.Q.T


def _mask(observed, shape: tuple[int, int]) -> np.ndarray:
    if isinstance(observed, torch.Tensor):
        observed = observed.detach().cpu().numpy()
    mask = np.asarray(observed)
    if mask.dtype != bool:
        raise TypeError(
            f"observed must be a boolean array of shape {shape} (True where X holds a rating), "
            f"e.g. X > 0; got dtype {mask.dtype}"
        )
    if mask.shape != shape:
        raise ValueError(f"observed must have the shape of X, {shape}, got {mask.shape}")
    if not mask.any():
        raise ValueError("observed must mark at least one entry of X as observed (all False)")
    return mask


def observed_loss(X, observed, P, Q, weight_decay) -> float:
    """Mean squared error of P @ Q.T on the observed entries of X, plus the weight decay.

    X: shape (m, n); observed: booleans, shape (m, n); P: shape (m, k); Q: shape (n, k).
    Returns mean((P Qᵀ − X)² over observed) + weight_decay · (‖P‖² + ‖Q‖²).
    """
    X = _matrix(X)
    mask = _mask(observed, X.shape)
    P = as_array(P, "P", 2, f"({X.shape[0]}, k)")
    Q = as_array(Q, "Q", 2, f"({X.shape[1]}, k)")
    if P.shape[0] != X.shape[0] or Q.shape[0] != X.shape[1] or P.shape[1] != Q.shape[1]:
        raise ValueError(
            f"P must have shape ({X.shape[0]}, k) and Q shape ({X.shape[1]}, k) for X of shape "
            f"{X.shape}, got P {P.shape} and Q {Q.shape}"
        )
    weight_decay = _weight_decay(weight_decay)
    return _loss(X, mask, P, Q, weight_decay)


def _weight_decay(value) -> float:
    value = scalar(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"weight_decay must be a number >= 0, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"weight_decay must be a finite number >= 0, got {value}")
    return float(value)


def _loss(X, mask, P, Q, weight_decay) -> float:
    errors = (P @ Q.T - X)[mask]
    return float(np.mean(errors**2) + weight_decay * (np.sum(P**2) + np.sum(Q**2)))


def _start(X, observed, k, lr, weight_decay, seed):
    """The checked inputs of a fit, and its seeded random generator and starting factors."""
    X = _matrix(X)
    mask = _mask(observed, X.shape)
    k = _rank_k(k, min(X.shape), f"min(m, n) for X of shape {X.shape}")
    lr = positive_number(scalar(lr), "lr")
    weight_decay = _weight_decay(weight_decay)
    seed = _seed(seed)
    with np.errstate(over="ignore"):
        if not np.isfinite(_loss(X, mask, np.zeros((len(X), 1)), np.zeros((X.shape[1], 1)), 0)):
            raise ValueError("X is too large: its squared ratings overflow float64; rescale it")
    rng = np.random.default_rng(int(seed))
    P, Q = rng.normal(scale=0.1, size=(X.shape[0], k)), rng.normal(scale=0.1, size=(X.shape[1], k))
    return X, mask, lr, weight_decay, rng, P, Q


def _step(X, weight, P, Q, lr, weight_decay):
    """One gradient step on the loss sum(weight * (P Qᵀ − X)²) + weight_decay (‖P‖² + ‖Q‖²).

    `weight`, shape (m, n): 1 / (entries in the batch) on the batch's entries, 0 elsewhere, so
    the first term is the batch's mean squared error. Returns new P, Q and the gradient's norm.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the caller
        residual = weight * (P @ Q.T - X)
        grad_P = 2 * residual @ Q + 2 * weight_decay * P
        grad_Q = 2 * residual.T @ P + 2 * weight_decay * Q
        norm = np.sqrt(np.sum(grad_P**2) + np.sum(grad_Q**2))
        return P - lr * grad_P, Q - lr * grad_Q, norm


def _record(losses, X, mask, P, Q, lr, weight_decay) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        losses.append(_loss(X, mask, P, Q, weight_decay))
    if not np.isfinite(losses[-1]):
        raise ValueError(f"training diverged with lr = {lr}: try a smaller learning rate lr")


def fit_observed(
    X, observed, k, lr=0.5, weight_decay=0.02, seed=0, tol=1e-8, max_epochs=50_000
) -> Factorization:
    """Fit X ≈ P Qᵀ, shape (m, n), to the entries where `observed` (booleans, (m, n)) is True.

    Minimizes observed_loss by gradient descent from small random factors (seeded, so the result
    is the same on every run): every epoch takes one step on all observed entries,
    P ← P − lr ∂L/∂P and Q ← Q − lr ∂L/∂Q, until the gradient's norm is below `tol`.
    Returns a Factorization with P (m, k), Q (n, k) and the loss history. Raises ValueError if
    training diverges (lr too large) or has not converged after `max_epochs`.
    """
    X, mask, lr, weight_decay, _, P, Q = _start(X, observed, k, lr, weight_decay, seed)
    tol = positive_number(scalar(tol), "tol")
    max_epochs = positive_int(scalar(max_epochs), "max_epochs")
    weight = mask / mask.sum()  # the mean over all observed entries
    losses = [_loss(X, mask, P, Q, weight_decay)]
    for _ in range(max_epochs):
        P, Q, gradient_norm = _step(X, weight, P, Q, lr, weight_decay)
        _record(losses, X, mask, P, Q, lr, weight_decay)
        if gradient_norm < tol:
            return Factorization(P, Q, np.array(losses))
    raise ValueError(
        f"not converged after max_epochs = {max_epochs} (gradient norm still above tol = {tol}): "
        "raise max_epochs or lr"
    )


def sgd_observed(
    X, observed, k, lr=0.05, weight_decay=0.02, epochs=300, batch_size=1, seed=0
) -> Factorization:
    """Stochastic gradient descent on observed_loss, for X, shape (m, n), and `observed`
    (booleans, (m, n)): notebook 01's update with a mini-batch of the observed entries.

    Starts like fit_observed (the same seeded factors). Every epoch shuffles the observed
    entries (with the same seeded generator, so runs repeat exactly) and steps on `batch_size`
    of them at a time, on their mean squared error plus the weight decay. With a constant lr it
    hovers near a minimum instead of settling there. Returns a Factorization with P (m, k),
    Q (n, k) and losses, shape (epochs + 1,): the full observed_loss before training and after
    every epoch. Raises ValueError if training diverges (lr too large).
    """
    X, mask, lr, weight_decay, rng, P, Q = _start(X, observed, k, lr, weight_decay, seed)
    epochs = positive_int(scalar(epochs), "epochs")
    cells = np.argwhere(mask)  # (rows, cols) of the observed entries, in row-major order
    batch_size = positive_int(scalar(batch_size), "batch_size")
    if batch_size > len(cells):
        raise ValueError(
            f"batch_size must be at most the {len(cells)} observed entries, got {batch_size}"
        )
    losses = [_loss(X, mask, P, Q, weight_decay)]
    for _ in range(epochs):
        order = cells[rng.permutation(len(cells))]
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            weight = np.zeros(X.shape)
            weight[batch[:, 0], batch[:, 1]] = 1 / len(batch)
            P, Q, _ = _step(X, weight, P, Q, lr, weight_decay)
        _record(losses, X, mask, P, Q, lr, weight_decay)
    return Factorization(P, Q, np.array(losses))
