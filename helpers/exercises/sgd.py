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
        returns="number",
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
            Mistake(
                lambda w, x, y, lr: w - lr * x * (w * x - y),
                "a factor 2 is missing from the gradient: d/dw (w x - y)^2 = 2 x (w x - y).",
            ),
            Mistake(
                lambda w, x, y, lr: w - lr * 2 * (w * x - y),
                "the gradient lacks its inner derivative x: use 2 x (w x - y).",
            ),
        ],
        returns="number",
    )


def check_line_fit(your_line_fit) -> Verdict:
    """your_line_fit(x, y) -> (w, b) minimizing sum (w x + b - y)^2, for x, y of shape (n,).

    Two numbers in that order: a tuple, a list or an array of shape (2,).
    """
    rng = np.random.default_rng(1)
    x_random = rng.uniform(0, 50, size=20)
    cases = [
        Case(
            "x=[1, 2, 3], y=[3, 5, 7] (the line y = 2x + 1)",
            (np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.0, 7.0])),
        ),
        Case("x=[1, 2, 3], y=[3, 3, 7]", (np.array([1.0, 2.0, 3.0]), np.array([3.0, 3.0, 7.0]))),
        Case(
            "x=[-2, 0, 1, 5], y=[1, 0, 2, 9]", (np.array([-2.0, 0, 1, 5]), np.array([1.0, 0, 2, 9]))
        ),
        Case("20 random points", (x_random, 3 * x_random + 20 + rng.normal(0, 5, size=20))),
    ]
    return run_check(
        "line_fit",
        your_line_fit,
        lambda x, y: sgd.least_squares(x, y, intercept=True),
        cases,
        hint="set both derivatives of sum (w x + b - y)^2 to zero, d/db and d/dw, and solve "
        "the two equations for b and w.",
        mistakes=[
            Mistake(
                lambda x, y: (np.sum(x * y) / np.sum(x * x), 0.0),
                "that is the best line through the origin; with b free, the line no longer has "
                "to pass through 0, and the slope changes too.",
            ),
            Mistake(
                lambda x, y: (
                    np.sum(x * y) / np.sum(x * x),
                    np.mean(y) - np.sum(x * y) / np.sum(x * x) * np.mean(x),
                ),
                "b = mean(y) - w mean(x) is right, but w = sum(x y) / sum(x^2) is the slope of "
                "the line through the origin. Put b into the w equation: the slope uses x and y "
                "measured from their means.",
            ),
            Mistake(
                lambda x, y: sgd.least_squares(x, y, intercept=True)[::-1],
                "those are the right numbers in the wrong order: return (w, b).",
            ),
            Mistake(
                lambda x, y: (sgd.least_squares(x, y, intercept=True)[0], np.mean(y)),
                "the slope is right; the intercept is not mean(y) but mean(y) - w mean(x) "
                "(the line passes through the point of means).",
            ),
        ],
    )
