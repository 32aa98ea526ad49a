"""The machinery behind every self-check: run the learner's function, compare, give a hint.

A check runs the learner's function on several cases, compares each answer with a reference
implementation, and when an answer is wrong, compares it with the answers of the usual mistakes
to give a hint aimed at the one the learner most likely made.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

NOT_ATTEMPTED = (
    "⏳ {name}: not attempted yet. Replace `raise NotImplementedError` with your code, "
    "then run this cell again."
)


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


def run_check(
    name: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[Case],
    hint: str,
    mistakes: Sequence[Mistake] = (),
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> Verdict:
    """Compare `learner(*case.args)` with `reference(*case.args)` on every case.

    Returns a passed Verdict, a not-attempted one (the learner's function raised
    NotImplementedError), or a failed one whose message names the case, the expected and the
    actual answer, and the hint of the first matching mistake (else the general `hint`).
    """
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
        got_array = _as_array(got)
        if _close(got_array, expected, atol, rtol):
            continue
        reason = hint
        for mistake in mistakes:
            if _close(got_array, _as_array(mistake.answer(*_copy(case.args))), atol, rtol):
                reason = mistake.hint
                break
        return Verdict(
            name,
            "failed",
            f"❌ {name}: wrong on {case.label}.\n"
            f"   expected {_fmt(expected)}\n"
            f"   got      {_fmt(got_array)}\n"
            f"   Hint: {reason}",
        )
    return Verdict(name, "passed", f"✅ {name}: correct on all {len(cases)} test inputs.")


def _copy(args: tuple) -> tuple:
    """Fresh copies of array arguments, so a learner's in-place edit cannot leak between calls."""
    return tuple(
        a.clone() if isinstance(a, torch.Tensor) else a.copy() if isinstance(a, np.ndarray) else a
        for a in args
    )


def _as_array(value) -> np.ndarray | None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _close(got, expected, atol: float, rtol: float) -> bool:
    if got is None or expected is None or got.shape != expected.shape:
        return False
    return bool(np.allclose(got, expected, atol=atol, rtol=rtol, equal_nan=False))


def _fmt(array: np.ndarray | None) -> str:
    if array is None:
        return "something that is not a number or array"
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
