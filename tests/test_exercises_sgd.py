"""Notebook 01's self-checks: right answers pass, typical wrong ones get their own hint."""

import numpy as np
import pytest

from helpers import exercises


def not_attempted(*args):
    raise NotImplementedError


def test_gradient_check():
    assert exercises.check_gradient(lambda w, x, y: 2 * x * (w * x - y)).passed
    verdict = exercises.check_gradient(not_attempted)
    assert verdict.status == "not attempted" and "NotImplementedError" in verdict.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda w, x, y: x * (w * x - y), "factor 2 is missing"),
        (lambda w, x, y: 2 * x * (y - w * x), "sign is flipped"),
        (lambda w, x, y: 2 * (w * x - y), "inner derivative"),
        (lambda w, x, y: w * x - y, "chain rule: outer derivative"),
        (lambda w, x, y: int("w"), "raised ValueError"),
        (lambda w, x, y: None, "forget `return`"),
    ],
)
def test_gradient_check_hints(wrong, hint):
    verdict = exercises.check_gradient(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message
    assert repr(verdict) == verdict.message


def test_sgd_step_check():
    assert exercises.check_sgd_step(lambda w, x, y, lr: w - lr * 2 * x * (w * x - y)).passed
    hints = {
        "walked uphill": lambda w, x, y, lr: w + lr * 2 * x * (w * x - y),
        "learning rate is missing": lambda w, x, y, lr: w - 2 * x * (w * x - y),
        "not only the step": lambda w, x, y, lr: lr * 2 * x * (w * x - y),
    }
    for hint, wrong in hints.items():
        assert hint in exercises.check_sgd_step(wrong).message


def test_least_squares_check():
    assert exercises.check_least_squares_slope(lambda x, y: x @ y / (x @ x)).passed
    hints = {
        "ratio of totals": lambda x, y: y.sum() / x.sum(),
        "averaging the ratios": lambda x, y: np.mean(y / x),
        "has none": lambda x, y: np.polyfit(x, y, 1)[0],
    }
    for hint, wrong in hints.items():
        assert hint in exercises.check_least_squares_slope(wrong).message


def test_a_learner_editing_inputs_in_place_cannot_corrupt_later_cases():
    def destructive(x, y):
        slope = x @ y / (x @ x)
        x[:] = 0
        return slope

    assert exercises.check_least_squares_slope(destructive).passed


def test_passing_a_call_result_instead_of_the_function_is_explained():
    verdict = exercises.check_gradient(3.0)
    assert verdict.status == "failed" and "no parentheses" in verdict.message


def test_every_check_listed_by_the_package_exists_in_its_module():
    import inspect

    for name in exercises.__all__:
        assert callable(getattr(exercises, name)), name
    for module in ("sgd", "attention", "qkv", "concepts", "text"):
        defined = {
            n
            for n, _ in inspect.getmembers(
                __import__(f"helpers.exercises.{module}", fromlist=["_"]), inspect.isfunction
            )
            if n.startswith("check_")
        }
        assert defined <= set(exercises.__all__), defined - set(exercises.__all__)
