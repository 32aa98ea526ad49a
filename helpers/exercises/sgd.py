"""Self-checks for notebook 01 (SGD by hand)."""

import numpy as np

from helpers import sgd
from helpers.exercises._core import Case, Mistake, Verdict, run_check

_SAMPLES = [
    Case("w=0.5, x=108, y=392.5 (the first zone)", (0.5, 108.0, 392.5)),
    Case("w=7.8116, x=19, y=46.2", (7.8116, 19.0, 46.2)),
    Case("w=-2.0, x=3, y=4.4 (a negative weight)", (-2.0, 3.0, 4.4)),
    Case("w=4.0, x=0, y=0 (a zone with no claims)", (4.0, 0.0, 0.0)),
]


def check_gradient(your_gradient) -> Verdict:
    """your_gradient(w, x, y) -> dL/dw of the loss (w x - y)^2 for one sample."""
    return run_check(
        "gradient",
        your_gradient,
        sgd.gradient,
        _SAMPLES,
        hint="differentiate (w x - y)^2 with the chain rule: outer derivative times inner.",
        mistakes=[
            Mistake(
                lambda w, x, y: x * (w * x - y),
                "the derivative of u^2 is 2u: a factor 2 is missing.",
            ),
            Mistake(
                lambda w, x, y: 2 * x * (y - w * x),
                "the sign is flipped: the inner term is (w x - y), not (y - w x).",
            ),
            Mistake(
                lambda w, x, y: 2 * (w * x - y),
                "chain rule: the inner derivative d(w x)/dw = x is missing.",
            ),
        ],
    )


def check_sgd_step(your_step) -> Verdict:
    """your_step(w, x, y, lr) -> the weight after one SGD step on one sample."""
    cases = [Case(c.label + ", lr=1e-4", (*c.args, 1e-4)) for c in _SAMPLES]
    cases.append(Case("w=1.0, x=2, y=10, lr=0.1", (1.0, 2.0, 10.0, 0.1)))
    return run_check(
        "sgd_step",
        your_step,
        sgd.sgd_step,
        cases,
        hint="new w = old w - lr * gradient, with gradient 2 x (w x - y).",
        mistakes=[
            Mistake(
                lambda w, x, y, lr: w + lr * 2 * x * (w * x - y),
                "you walked uphill: subtract the gradient, do not add it.",
            ),
            Mistake(
                lambda w, x, y, lr: w - 2 * x * (w * x - y),
                "the learning rate is missing: scale the gradient by lr.",
            ),
            Mistake(
                lambda w, x, y, lr: lr * 2 * x * (w * x - y),
                "return the new weight, w - lr * gradient, not only the step.",
            ),
        ],
    )


def check_least_squares_slope(your_slope) -> Verdict:
    """your_slope(x, y) -> the w minimizing sum (w x - y)^2, for arrays x, y of shape (n,)."""
    rng = np.random.default_rng(1)
    x_random = rng.uniform(0, 50, size=20)
    cases = [
        Case(
            "x=[1, 2, 3], y=[2, 4, 6] (a perfect line)",
            (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])),
        ),
        Case("x=[1, 2, 3], y=[3, 3, 7]", (np.array([1.0, 2.0, 3.0]), np.array([3.0, 3.0, 7.0]))),
        Case("20 random points", (x_random, 3 * x_random + rng.normal(0, 5, size=20))),
    ]
    return run_check(
        "least_squares_slope",
        your_slope,
        sgd.least_squares,
        cases,
        hint="set the derivative of sum (w x - y)^2 to zero and solve for w.",
        mistakes=[
            Mistake(
                lambda x, y: np.sum(y) / np.sum(x),
                "sum(y) / sum(x) is the ratio of totals; the least-squares slope weights "
                "each point by its x: sum(x y) / sum(x^2).",
            ),
            Mistake(
                lambda x, y: np.mean(y / np.where(x == 0, np.nan, x)),
                "averaging the ratios y / x treats every point alike; minimize the squared "
                "error instead: sum(x y) / sum(x^2).",
            ),
            Mistake(
                lambda x, y: sgd.least_squares(x, y, intercept=True)[0],
                "that is the slope of a line with an intercept; here y_hat = w x has none.",
            ),
        ],
    )
