"""Grading mode: under nbgrader, a self-check that does not pass raises AssertionError.

nbgrader sets the environment variable NBGRADER_EXECUTION to "autograde" while it grades a
submission, and to "validate" when a learner presses Validate. An autograded test cell earns its
points only if it runs without an error, so in those two modes a check whose Verdict is not
"passed" (wrong, or not attempted) raises AssertionError carrying the Verdict's message.
Everywhere else a check returns its friendly Verdict and never raises.
"""

import functools
import os
from collections.abc import Callable

GRADING_MODES = frozenset({"autograde", "validate"})


def grading() -> bool:
    """True while nbgrader autogrades or validates the notebook."""
    return os.environ.get("NBGRADER_EXECUTION") in GRADING_MODES


def graded(check: Callable) -> Callable:
    """Wrap `check` (which returns a Verdict) to raise AssertionError on a non-passing one while
    grading; the Verdict is returned unchanged otherwise."""

    @functools.wraps(check)
    def run(*args, **kwargs):
        verdict = check(*args, **kwargs)
        if grading() and not verdict.passed:
            raise AssertionError(verdict.message)
        return verdict

    return run
