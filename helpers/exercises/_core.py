"""The machinery behind every self-check: run the learner's function, compare, give a hint.

A check runs the learner's function on several cases, compares each answer with a reference
implementation, and when an answer is wrong, compares it with the answers of the usual mistakes
to give a hint aimed at the one the learner most likely made. An answer of the wrong kind
(complex, boolean, text, ragged, a list where a tensor is asked for, the wrong shape) fails
with a hint that says so; it is never converted until it happens to match.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.exercises._grading import graded

NOT_ATTEMPTED = (
    "⏳ {name}: not attempted yet. Replace `raise NotImplementedError` with your code, "
    "then run this cell again."
)

# What the learner's function may return, by the `returns` argument of run_check.
_CONTAINERS = {
    "any": (),
    "tensor": (torch.Tensor, np.ndarray),
    "number": (int, float, np.number, torch.Tensor, np.ndarray),
    "mask": (torch.Tensor, np.ndarray),
}


@dataclass(frozen=True)
class Case:
    """One input to try: `args` passed to the learner's function, `label` shown on failure."""

    label: str
    args: tuple


@dataclass(frozen=True)
class Mistake:
    """A usual wrong answer: `answer(*args)` computes it, `hint` explains how to fix it."""

    answer: Callable
    hint: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check; it displays as its message, so a check can end a cell."""

    name: str
    status: str  # "passed", "failed" or "not attempted"
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        return self.message


class _WrongKind(Exception):
    """The learner's answer is not a real number or array of numbers of the kind asked for."""


@graded  # under nbgrader's autograder, a check that does not pass raises AssertionError
def run_check(
    name: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[Case],
    hint: str,
    mistakes: Sequence[Mistake] = (),
    atol: float = 1e-6,
    rtol: float = 1e-5,
    returns: str = "any",
) -> Verdict:
    """Compare `learner(*case.args)` with `reference(*case.args)` on every case.

    `returns` says what the exercise asks for: "tensor" (a torch tensor or numpy array),
    "number" (one number, or a 0-d tensor or array), "mask" (a boolean tensor or array) or
    "any" (anything that converts to an array of real numbers, such as a tuple of two numbers).
    Returns a passed Verdict, a not-attempted one (the learner's function raised
    NotImplementedError), or a failed one whose message names the case, the expected and the
    actual answer, and the hint of the first matching mistake (else a hint about the answer's
    kind or shape, else the general `hint`).
    """
    if returns not in _CONTAINERS:
        raise ValueError(f"returns must be one of {sorted(_CONTAINERS)}, got {returns!r}")
    if not callable(learner):
        return Verdict(
            name,
            "failed",
            f"❌ {name}: pass your function itself (no parentheses), got {type(learner).__name__}.",
        )
    for case in cases:
        expected = _as_array(reference(*_copy(case.args)))
        try:
            got = learner(*_copy(case.args))
        except NotImplementedError:
            return Verdict(name, "not attempted", NOT_ATTEMPTED.format(name=name))
        except Exception as err:  # the learner's code may fail in any way: report it kindly
            return Verdict(
                name,
                "failed",
                f"❌ {name}: on {case.label}, your function raised "
                f"{type(err).__name__}: {err}\n   Hint: {hint}",
            )
        if got is None:
            return Verdict(
                name, "failed", f"❌ {name}: your function returned None; did you forget `return`?"
            )
        try:
            got_array = _answer(got, returns)
        except _WrongKind as problem:
            return Verdict(
                name,
                "failed",
                f"❌ {name}: on {case.label}, your function returned {_describe(got)}.\n"
                f"   Hint: {problem} {hint}",
            )
        if _close(got_array, expected, atol, rtol):
            continue
        reason = _diagnose(got_array, expected, case, hint, mistakes, atol, rtol)
        return Verdict(
            name,
            "failed",
            f"❌ {name}: wrong on {case.label}.\n"
            f"   expected {_fmt(expected)}\n"
            f"   got      {_fmt(got_array)}\n"
            f"   Hint: {reason}",
        )
    return Verdict(name, "passed", f"✅ {name}: correct on all {len(cases)} test inputs.")


def _diagnose(got, expected, case, hint, mistakes, atol, rtol) -> str:
    """The hint for a wrong answer: its mistake's, else what is off about its shape, else `hint`."""
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                usual = _as_array(mistake.answer(*_copy(case.args)))
        except Exception:  # a mistake that cannot even run on this case is not the one made
            continue
        if _close(got, usual, atol, rtol, equal_nan=True):
            return mistake.hint
    if got.shape != expected.shape:
        if expected.ndim == 0:
            return f"return one number; your answer has shape {tuple(got.shape)}. {hint}"
        return (
            f"the answer has shape {tuple(expected.shape)}, yours has shape "
            f"{tuple(got.shape)}. {hint}"
        )
    if not np.isfinite(got).all():
        return f"your answer contains nan or inf where every entry should be finite. {hint}"
    return hint


def _copy(args: tuple) -> tuple:
    """Fresh copies of array arguments, so a learner's in-place edit cannot leak between calls."""
    return tuple(
        a.clone() if isinstance(a, torch.Tensor) else a.copy() if isinstance(a, np.ndarray) else a
        for a in args
    )


def _answer(value, returns: str) -> np.ndarray:
    """The learner's answer as a float64 array, or _WrongKind saying what is wrong with it."""
    array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
    try:
        array = np.asarray(array)
    except (TypeError, ValueError):  # ragged lists, objects numpy cannot read
        raise _WrongKind("return numbers in a rectangular array (or a single number).") from None
    kind = array.dtype.kind
    if kind == "c":
        raise _WrongKind(
            "your answer is complex (it has an imaginary part); the answer is real. Did a "
            "square root or power of a negative number sneak in?"
        )
    if returns == "mask":
        if kind != "b":
            raise _WrongKind(f"return True/False values (a boolean mask), not {array.dtype}.")
    elif kind == "b":
        raise _WrongKind("your answer is True/False values (a mask?); return numbers.")
    if kind in "USa":
        raise _WrongKind("your answer is text; return numbers.")
    if kind not in "iufb":
        raise _WrongKind(f"your answer holds {array.dtype} values, not numbers.")
    allowed = _CONTAINERS[returns]
    if allowed and not isinstance(value, allowed):
        wanted = {"tensor": "a tensor (or numpy array)", "number": "one number"}.get(
            returns, "a boolean tensor (or numpy array)"
        )
        raise _WrongKind(f"return {wanted}, not {_describe(value)}.")
    if returns == "number" and array.ndim != 0:
        raise _WrongKind(
            f"return one number, not an array of shape {tuple(array.shape)} "
            "(take it out, e.g. with float(...) or .item())."
        )
    return array.astype(np.float64)


def _as_array(value) -> np.ndarray:
    """A reference's (or a usual mistake's) answer as a float64 array."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _close(got, expected, atol: float, rtol: float, equal_nan: bool = False) -> bool:
    if got.shape != expected.shape:
        return False
    return bool(np.allclose(got, expected, atol=atol, rtol=rtol, equal_nan=equal_nan))


def _describe(value) -> str:
    if isinstance(value, (torch.Tensor, np.ndarray)):
        kind = "tensor" if isinstance(value, torch.Tensor) else "numpy array"
        return f"a {kind} of dtype {value.dtype} and shape {tuple(value.shape)}"
    return f"a value of type {type(value).__name__}"


def _fmt(array: np.ndarray) -> str:
    # prefix: later rows line up under the first, after "   expected " or "   got      ".
    text = np.array2string(
        array,
        precision=4,
        floatmode="fixed",
        suppress_small=True,
        max_line_width=88,
        prefix="   expected ",
    )
    return text if array.ndim == 0 else f"{text} (shape {tuple(array.shape)})"
