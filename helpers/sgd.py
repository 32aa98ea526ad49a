"""Stochastic gradient descent for the one-weight model y_hat = w * x (notebook 01).

Loss for one sample: (w x - y)^2; its gradient: dL/dw = 2 x (w x - y). For several samples the
loss and gradient are the means over them. Arrays x and y have shape (n,); scalars count as n = 1.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers._validate import as_array, positive_int, positive_number

# Beyond this size |w| is no longer a weight but a divergence; training stops there.
DIVERGENCE_LIMIT = 1e12


def _samples(x, y) -> tuple[np.ndarray, np.ndarray]:
    """x, y as float arrays of shape (n,), checked to be non-empty, finite and of equal length."""
    x = np.atleast_1d(as_array(x, "x", (0, 1), "(n,)", allow_int=True))
    y = np.atleast_1d(as_array(y, "y", (0, 1), "(n,)", allow_int=True))
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same length (one target per input), got "
            f"{len(x)} inputs and {len(y)} targets"
        )
    return x, y


def _weight(w) -> float:
    if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)):
        raise TypeError(f"w must be a single number, got {type(w).__name__}")
    if not np.isfinite(w):
        raise ValueError(f"w must be finite, got {w}")
    return float(w)


def predict(w, x) -> np.ndarray:
    """Predictions w * x, shape (n,)."""
    x = np.atleast_1d(as_array(x, "x", (0, 1), "(n,)", allow_int=True))
    return _weight(w) * x


def squared_loss(w, x, y) -> float:
    """Mean squared error of y_hat = w x over the samples."""
    x, y = _samples(x, y)
    return float(np.mean((_weight(w) * x - y) ** 2))


def gradient(w, x, y) -> float:
    """dL/dw of the mean squared error: mean of 2 x (w x - y)."""
    x, y = _samples(x, y)
    return float(np.mean(2 * x * (_weight(w) * x - y)))


def sgd_step(w, x, y, lr) -> float:
    """One gradient step on the samples (x, y): w - lr * dL/dw."""
    return _weight(w) - positive_number(lr, "lr") * gradient(w, x, y)


def max_stable_learning_rate(x) -> float:
    """Largest lr for which a step on the samples x shrinks the distance to their best w.

    A step maps the error e = w - w* to (1 - 2 lr mean(x^2)) e, so it shrinks iff
    0 < lr < 1 / mean(x^2). Pass one sample for stochastic steps, a batch or all data otherwise.
    """
    x = np.atleast_1d(as_array(x, "x", (0, 1), "(n,)", allow_int=True))
    mean_square = float(np.mean(x**2))
    if mean_square == 0:
        raise ValueError("x is all zeros: every learning rate leaves w where it is")
    return 1.0 / mean_square


def sgd_trace(x, y, w0, lr) -> pd.DataFrame:
    """One stochastic step per sample, in order, as a table (one row per sample).

    Columns: sample (1-based), w_old, x, y, y_hat, dL/dw, w_new.
    """
    x, y = _samples(x, y)
    w = _weight(w0)
    lr = positive_number(lr, "lr")
    rows = []
    for i, (xi, yi) in enumerate(zip(x, y, strict=True), start=1):
        grad = gradient(w, xi, yi)
        w_new = w - lr * grad
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
    diverged: True if |w| passed DIVERGENCE_LIMIT and training stopped early.
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

    batch_size=1 is stochastic gradient descent, batch_size=len(x) is (full) batch gradient
    descent. With `shuffle`, each epoch visits the samples in a new order drawn from `seed`.
    """
    x, y = _samples(x, y)
    w = _weight(w0)
    lr = positive_number(lr, "lr")
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > len(x):
        raise ValueError(
            f"batch_size must be at most the number of samples ({len(x)}), got {batch_size}"
        )
    rng = np.random.default_rng(seed)
    weights, losses = [w], [squared_loss(w, x, y)]
    starts = range(0, len(x), batch_size)
    for _ in range(epochs):
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        for start in starts:
            batch = order[start : start + batch_size]
            w = w - lr * gradient(w, x[batch], y[batch])
            if abs(w) > DIVERGENCE_LIMIT:
                return TrainingRun(np.array(weights), np.array(losses), len(starts), True)
            weights.append(w)
            losses.append(squared_loss(w, x, y))
    return TrainingRun(np.array(weights), np.array(losses), len(starts), False)


def least_squares(x, y, intercept=False):
    """Closed-form least-squares fit.

    Without intercept: the slope w = sum(x y) / sum(x^2) of y_hat = w x (a float).
    With intercept: (slope, intercept) of y_hat = w x + b.
    """
    x, y = _samples(x, y)
    if not intercept:
        denominator = float(np.sum(x**2))
        if denominator == 0:
            raise ValueError("x is all zeros: the slope of y_hat = w x is undefined")
        return float(np.sum(x * y) / denominator)
    spread = float(np.sum((x - x.mean()) ** 2))
    if spread == 0:
        raise ValueError("all x are equal: a line with an intercept is not determined")
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / spread)
    return slope, float(y.mean() - slope * x.mean())
