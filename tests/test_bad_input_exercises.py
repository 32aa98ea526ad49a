"""Bad answers to the self-checks of notebooks 01 and 02 fail with a hint; never a pass.

For each check, the right answer is turned into each class of wrong kind (complex, boolean,
object, text, None, a list or tuple where a tensor is asked for, a wrong shape, NaN) and must
fail with a hint that names the problem; its valid twins (numpy or torch, float32 or float64,
a 0-d array for one number, a tuple or list for two numbers) must pass.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import exercises
from helpers.exercises._core import Case, run_check


def gradient(w, x, y):
    return 2 * x * (w * x - y)


def sgd_step(w, x, y, lr):
    return w - lr * gradient(w, x, y)


def line_fit(x, y):
    return tuple(np.polyfit(x, y, 1))


def softmax(scores):
    return torch.softmax(scores, dim=0)


def context_vector(query, inputs):
    return torch.softmax(inputs @ query, dim=0) @ inputs


def self_attention(inputs):
    return torch.softmax(inputs @ inputs.T, dim=-1) @ inputs


# check name -> (check, a right answer, what the exercise asks for)
CHECKS = {
    "gradient": (exercises.check_gradient, gradient, "number"),
    "sgd_step": (exercises.check_sgd_step, sgd_step, "number"),
    "line_fit": (exercises.check_line_fit, line_fit, "two numbers"),
    "softmax": (exercises.check_softmax, softmax, "tensor"),
    "context_vector": (exercises.check_context_vector, context_vector, "tensor"),
    "self_attention": (exercises.check_self_attention, self_attention, "tensor"),
}


def as_numpy(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


# Each class of wrong kind: (how to spoil a right answer, a phrase the hint must contain).
WRONG_KINDS = {
    "complex": (lambda a: as_numpy(a) + 0j, "complex"),
    "complex, tiny imaginary part": (lambda a: as_numpy(a) + 1e-12j, "complex"),
    "complex tensor": (lambda a: torch.as_tensor(as_numpy(a) + 0j), "complex"),
    "boolean": (lambda a: as_numpy(a) > 0, "True/False"),
    "boolean tensor": (lambda a: torch.as_tensor(as_numpy(a) > 0), "True/False"),
    "object": (lambda a: as_numpy(a).astype(object), "not numbers"),
    "text": (lambda a: str(as_numpy(a).tolist()), "text"),
    "None": (lambda a: None, "forget `return`"),
    "a dict": (lambda a: {"answer": a}, "not numbers"),
    "ragged": (lambda a: [[1.0, 2.0], [3.0]], "rectangular"),
    "an extra dimension": (lambda a: as_numpy(a)[None, ...], "shape"),
    "NaN": (lambda a: as_numpy(a) * np.nan, "nan"),
}


@pytest.mark.parametrize("kind", list(WRONG_KINDS))
@pytest.mark.parametrize("check_name", list(CHECKS))
def test_every_wrong_kind_of_answer_fails_with_a_hint_that_names_it(check_name, kind):
    check, right, _ = CHECKS[check_name]
    spoil, phrase = WRONG_KINDS[kind]
    verdict = check(lambda *args: spoil(right(*args)))
    assert verdict.status == "failed"
    assert phrase in verdict.message, verdict.message
    assert "Hint:" in verdict.message or "None" in verdict.message


@pytest.mark.parametrize("container", [list, tuple])
@pytest.mark.parametrize("check_name", [n for n, c in CHECKS.items() if c[2] == "tensor"])
def test_a_list_or_tuple_is_refused_where_a_tensor_is_asked_for(check_name, container):
    check, right, _ = CHECKS[check_name]
    verdict = check(lambda *args: container(right(*args).tolist()))
    assert verdict.status == "failed"
    assert "return a tensor (or numpy array)" in verdict.message


@pytest.mark.parametrize("container", [list, tuple, np.array])
@pytest.mark.parametrize("check_name", [n for n, c in CHECKS.items() if c[2] == "number"])
def test_a_sequence_is_refused_where_one_number_is_asked_for(check_name, container):
    check, right, _ = CHECKS[check_name]
    verdict = check(lambda *args: container([right(*args)]))
    assert verdict.status == "failed"
    assert "return one number" in verdict.message


# The valid twins of each kind of answer.
TWINS = {
    "number": [
        float,
        np.float64,
        np.float32,
        np.array,
        lambda a: torch.tensor(a, dtype=torch.float64),
        lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True),
    ],
    "two numbers": [tuple, list, np.array, lambda a: torch.tensor(a), lambda a: np.float32(a)],
    "tensor": [
        lambda a: a,
        lambda a: a.float(),
        lambda a: a.numpy(),
        lambda a: a.numpy().astype(np.float32),
        lambda a: a.clone().requires_grad_(True),
    ],
}


@pytest.mark.parametrize("check_name", list(CHECKS))
def test_every_accepted_form_of_the_right_answer_passes(check_name):
    check, right, kind = CHECKS[check_name]
    for twin in TWINS[kind]:
        verdict = check(lambda *args, twin=twin: twin(right(*args)))
        assert verdict.passed, verdict.message


@settings(max_examples=30, deadline=None)
@given(
    real=st.floats(-1e6, 1e6, allow_nan=False),
    imag=st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v != 0),
)
def test_a_complex_answer_never_passes_whatever_its_parts(real, imag):
    """Even when the real part is exactly right, the imaginary part is not silently dropped."""
    verdict = run_check(
        "demo", lambda v: complex(v, imag), lambda v: v, [Case("v", (real,))], hint="h"
    )
    assert verdict.status == "failed" and "complex" in verdict.message
    verdict = run_check("demo", lambda v: complex(v, 0), lambda v: v, [Case("v", (real,))], "h")
    assert verdict.status == "failed" and "complex" in verdict.message


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3))
def test_an_answer_of_any_other_shape_fails_and_says_which_shape_is_wanted(shape):
    expected = np.ones((2, 3))
    verdict = run_check("demo", lambda: np.ones(shape), lambda: expected, [Case("c", ())], hint="h")
    if tuple(shape) == (2, 3):
        assert verdict.passed
    else:
        assert verdict.status == "failed"
        assert "has shape (2, 3)" in verdict.message


def test_run_check_refuses_an_unknown_kind_of_answer_naming_the_argument():
    with pytest.raises(ValueError, match="returns must be one of"):
        run_check("demo", lambda: 1.0, lambda: 1.0, [Case("c", ())], hint="h", returns="float")


def test_a_mistake_that_cannot_run_on_a_case_is_skipped_not_raised():
    from helpers.exercises._core import Mistake

    verdict = run_check(
        "demo",
        lambda v: v + 1,
        lambda v: v,
        [Case("v", (1.0,))],
        hint="general",
        mistakes=[Mistake(lambda v: 1 / 0, "never"), Mistake(lambda v: v + 1, "off by one")],
    )
    assert verdict.status == "failed" and "off by one" in verdict.message


def test_a_mask_exercise_takes_booleans_and_refuses_numbers():
    from helpers.exercises._core import Case, run_check

    def reference(n):
        return torch.ones(n, n, dtype=torch.bool).tril()

    cases = [Case("n = 3", (3,))]
    passed = run_check("mask", reference, reference, cases, hint="h", returns="mask")
    assert passed.passed
    as_numbers = run_check(
        "mask", lambda n: reference(n).float(), reference, cases, hint="h", returns="mask"
    )
    assert not as_numbers.passed
    assert "boolean mask" in as_numbers.message
