"""Stochastic gradient descent for the one-weight model y_hat = w * x (notebook 01).

Loss for one sample: (w x - y)^2; its gradient: dL/dw = 2 x (w x - y). For several samples the
loss and gradient are the means over them. Arrays x and y have shape (n,); scalars count as n = 1.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers._validate import as_array, positive_int, positive_number, scalar
from helpers._validate import seed as _seed

# Beyond this size |w| is no longer a weight but a divergence; training stops there.
DIVERGENCE_LIMIT = 1e12


def _samples(x, y) -> tuple[np.ndarray, np.ndarray]:
    """x, y as float arrays of shape (n,), checked to be non-empty, finite and of equal length."""
    x = _inputs(x)
    y = np.atleast_1d(as_array(y, "y", (0, 1), "(n,)", allow_int=True))
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same length (one target per input), got "
            f"{len(x)} inputs and {len(y)} targets"
        )
    return x, y


def _inputs(x) -> np.ndarray:
    return np.atleast_1d(as_array(x, "x", (0, 1), "(n,)", allow_int=True))


def _weight(w, name: str = "w") -> float:
    """`w` (a Python, numpy or torch scalar) as a finite float."""
    w = scalar(w)
    if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a single real number, got {type(w).__name__}")
    if not np.isfinite(w):
        raise ValueError(f"{name} must be finite, got {w}")
    return float(w)


def _finite(value: float, what: str) -> float:
    """`value` if finite; else the computation overflowed float64 and the caller is told why."""
    if not np.isfinite(value):
        raise ValueError(
            f"{what} overflows float64 (it would be larger than about 1e308): x, y, w or lr "
            "are too large in magnitude; rescale them (e.g. measure in thousands)"
        )
    return float(value)


def _loss(w: float, x: np.ndarray, y: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean((w * x - y) ** 2))


def _gradient(w: float, x: np.ndarray, y: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(2 * x * (w * x - y)))


def predict(w, x) -> np.ndarray:
    """Predictions w * x, shape (n,), for a number w and inputs x of shape (n,)."""
    w, x = _weight(w), _inputs(x)
    with np.errstate(over="ignore"):
        prediction = w * x
    _finite(float(np.abs(prediction).max()), "the prediction w * x")
    return prediction


def squared_loss(w, x, y) -> float:
    """Mean squared error of y_hat = w x over the samples x, y of shape (n,)."""
    x, y = _samples(x, y)
    return _finite(_loss(_weight(w), x, y), "the squared error")


def gradient(w, x, y) -> float:
    """dL/dw of the mean squared error over x, y of shape (n,): mean of 2 x (w x - y)."""
    x, y = _samples(x, y)
    return _finite(_gradient(_weight(w), x, y), "the gradient")


def sgd_step(w, x, y, lr) -> float:
    """One gradient step on the samples x, y of shape (n,): w - lr * dL/dw."""
    lr = positive_number(scalar(lr), "lr")
    return _finite(_weight(w) - lr * gradient(w, x, y), "the new weight")


def max_stable_learning_rate(x) -> float:
    """Largest lr for which a step on the samples x, shape (n,), shrinks the distance to their
    best w.

    A step maps the error e = w - w* to (1 - 2 lr mean(x^2)) e, so it shrinks iff
    0 < lr < 1 / mean(x^2). Pass one sample for stochastic steps, a batch or all data otherwise.
    """
    x = _inputs(x)
    largest = float(np.abs(x).max())
    if largest == 0:
        raise ValueError("x is all zeros: every learning rate leaves w where it is")
    # 1 / mean(x^2) = 1 / (largest^2 mean((x / largest)^2)): no x^2 can overflow or underflow.
    with np.errstate(over="ignore"):
        bound = 1.0 / float(np.mean((x / largest) ** 2)) / largest / largest
    if not np.finfo(float).tiny <= bound < np.inf:  # not even a full-precision float64
        raise ValueError(
            f"x is too extreme in magnitude (largest |x| = {largest:.3g}): 1 / mean(x^2) "
            "is outside the range of float64; rescale x"
        )
    return bound


def sgd_trace(x, y, w0, lr) -> pd.DataFrame:
    """One stochastic step per sample of x, y (shape (n,)), in order, as a table of n rows.

    Columns: sample (1-based), w_old, x, y, y_hat, dL/dw, w_new.
    """
    x, y = _samples(x, y)
    w = _weight(w0, "w0")
    lr = positive_number(scalar(lr), "lr")
    rows = []
    for i, (xi, yi) in enumerate(zip(x, y, strict=True), start=1):
        grad = _finite(_gradient(w, xi, yi), f"the gradient at sample {i}")
        w_new = _finite(w - lr * grad, f"the new weight at sample {i}")
        rows.append(
            {
                "sample": i,
                "w_old": w,
                "x": xi,
                "y": yi,
                "y_hat": w * xi,
                "dL/dw": grad,
                "w_new": w_new,
            }
        )
        w = w_new
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TrainingRun:
    """The record of a training run.

    weights: shape (steps + 1,), w before the first step and after every step.
    losses: shape (steps + 1,), mean squared error over all the data at each of those weights.
    steps_per_epoch: number of steps in one pass over the data.
    diverged: True if |w| passed DIVERGENCE_LIMIT (or the loss overflowed float64) and training
        stopped early. The step that did so is not recorded: it was step number len(weights).
    """

    weights: np.ndarray
    losses: np.ndarray
    steps_per_epoch: int
    diverged: bool

    @property
    def w(self) -> float:
        """The final weight."""
        return float(self.weights[-1])

    @property
    def epoch_losses(self) -> np.ndarray:
        """Loss before training and after each complete epoch, shape (epochs + 1,)."""
        return self.losses[:: self.steps_per_epoch]


def train(x, y, w0, lr, epochs, batch_size=1, shuffle=False, seed=0) -> TrainingRun:
    """Mini-batch SGD on y_hat = w x for `epochs` passes over the data.

    x, y: shape (n,). batch_size=1 is stochastic gradient descent, batch_size=n is (full)
    batch gradient descent; the last batch of an epoch holds the n % batch_size samples left
    over, if any. With `shuffle`, each epoch visits the samples in a new order drawn from
    `seed` (a whole number of at least 0); without it, always in the order given. Training
    stops early, with `diverged` set, once |w| passes DIVERGENCE_LIMIT.
    """
    x, y = _samples(x, y)
    w = _weight(w0, "w0")
    lr = positive_number(scalar(lr), "lr")
    epochs = positive_int(scalar(epochs), "epochs")
    batch_size = positive_int(scalar(batch_size), "batch_size")
    shuffle = scalar(shuffle)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {type(shuffle).__name__}")
    seed = _seed(seed)
    if batch_size > len(x):
        raise ValueError(
            f"batch_size must be at most the number of samples ({len(x)}), got {batch_size}"
        )
    rng = np.random.default_rng(seed)
    weights, losses = [w], [_finite(_loss(w, x, y), "the squared error at w0")]
    starts = range(0, len(x), batch_size)
    for _ in range(epochs):
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        for start in starts:
            batch = order[start : start + batch_size]
            w = w - lr * _gradient(w, x[batch], y[batch])
            loss = _loss(w, x, y)
            if not abs(w) <= DIVERGENCE_LIMIT or not np.isfinite(loss):  # also catches nan
                return TrainingRun(np.array(weights), np.array(losses), len(starts), True)
            weights.append(w)
            losses.append(loss)
    return TrainingRun(np.array(weights), np.array(losses), len(starts), False)


def least_squares(x, y, intercept=False):
    """Closed-form least-squares fit to x, y of shape (n,).

    Without intercept: the slope w = sum(x y) / sum(x^2) of y_hat = w x (a float).
    With intercept: (slope, intercept) of y_hat = w x + b, a tuple of two floats.
    """
    x, y = _samples(x, y)
    if not np.any(x):
        raise ValueError("x is all zeros: the slope of y_hat = w x is undefined")
    # Fit x / sx and y / sy (sx, sy: their largest magnitudes), then scale the slope back:
    # the same numbers, but no square or product can overflow or underflow.
    sx, sy = float(np.abs(x).max()), float(np.abs(y).max()) or 1.0
    u, v = x / sx, y / sy
    if not intercept:
        return _finite(sy / sx * float(np.sum(u * v) / np.sum(u**2)), "the slope")
    spread = float(np.sum((u - u.mean()) ** 2))
    if spread == 0:
        raise ValueError("all x are equal: a line with an intercept is not determined")
    slope = _finite(sy / sx * float(np.sum((u - u.mean()) * (v - v.mean())) / spread), "the slope")
    return slope, _finite(float(y.mean() - slope * x.mean()), "the intercept")
