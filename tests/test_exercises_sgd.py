"""Notebook 01's self-checks: right answers pass, typical wrong ones get their own hint."""

import numpy as np
import pytest
import torch

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


def test_sgd_step_missing_factor_two_gets_its_own_hint():
    verdict = exercises.check_sgd_step(lambda w, x, y, lr: w - lr * x * (w * x - y))
    assert verdict.status == "failed"
    assert "factor 2 is missing" in verdict.message


@pytest.mark.parametrize(
    "right",
    [
        lambda x, y: tuple(np.polyfit(x, y, 1)),
        lambda x, y: np.polyfit(x, y, 1),
        lambda x, y: list(np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y)[0]),
        lambda x, y: np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y)[0],
        lambda x, y: (
            np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2),
            y.mean()
            - np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2) * x.mean(),
        ),
    ],
)
def test_line_fit_right_answers_pass(right):
    verdict = exercises.check_line_fit(right)
    assert verdict.passed, verdict.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, y: (x @ y / (x @ x), 0.0), "line through the origin"),
        (
            lambda x, y: (x @ y / (x @ x), y.mean() - x @ y / (x @ x) * x.mean()),
            "measured from their means",
        ),
        (lambda x, y: np.polyfit(x, y, 1)[::-1], "wrong order"),
        (lambda x, y: (np.polyfit(x, y, 1)[0], y.mean()), "point of means"),
        (lambda x, y: x @ y / (x @ x), "has shape (2,), yours has shape ()"),
        (lambda x, y: np.polyfit(x, y, 1).astype(complex), "complex"),
        (lambda x, y: {"w": 1.0, "b": 2.0}, "not numbers"),
    ],
)
def test_line_fit_wrong_answers_get_their_hint(wrong, hint):
    verdict = exercises.check_line_fit(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


def gradient(w, x, y):
    return 2 * x * (w * x - y)


@pytest.mark.parametrize(
    "right",
    [
        gradient,
        lambda w, x, y: np.float64(gradient(w, x, y)),
        lambda w, x, y: np.float32(gradient(w, x, y)),
        lambda w, x, y: torch.tensor(gradient(w, x, y), dtype=torch.float64),
        lambda w, x, y: np.array(gradient(w, x, y)),
    ],
)
def test_gradient_accepts_every_form_of_one_number(right):
    assert exercises.check_gradient(right).passed


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda w, x, y: complex(gradient(w, x, y), 1e-9), "complex"),
        (lambda w, x, y: np.complex128(gradient(w, x, y)), "complex"),
        (lambda w, x, y: gradient(w, x, y) + 0j, "complex"),
        (lambda w, x, y: torch.tensor(gradient(w, x, y) + 0j), "complex"),
        (lambda w, x, y: gradient(w, x, y) > 0, "True/False"),
        (lambda w, x, y: torch.tensor(True), "True/False"),
        (lambda w, x, y: str(gradient(w, x, y)), "text"),
        (lambda w, x, y: np.array(gradient(w, x, y), dtype=object), "not numbers"),
        (lambda w, x, y: [gradient(w, x, y)], "return one number"),
        (lambda w, x, y: (gradient(w, x, y),), "return one number"),
        (lambda w, x, y: np.array([gradient(w, x, y)]), "shape (1,)"),
        (lambda w, x, y: torch.tensor([[gradient(w, x, y)]]), "shape (1, 1)"),
    ],
)
def test_gradient_refuses_answers_of_the_wrong_kind(wrong, hint):
    verdict = exercises.check_gradient(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


def test_a_learner_editing_inputs_in_place_cannot_corrupt_later_cases():
    def destructive(x, y):
        fit = np.polyfit(x, y, 1)
        x[:] = 0
        return fit

    assert exercises.check_line_fit(destructive).passed


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
