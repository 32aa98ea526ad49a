"""Claims are checked: a sentence about a computed result is backed by a check in the same cell.

`claim(condition, statement)` prints `✓ statement` when the condition holds and raises
`ClaimError` when it does not. A change to a helper, a seed or a library that makes the
notebook's text false then fails `make test` (nbval re-runs every cell), instead of leaving a
sentence that contradicts the numbers above it.
"""

import numpy as np
import torch


class ClaimError(AssertionError):
    """A sentence of the notebook no longer matches the numbers it describes."""


def claim(condition, statement: str) -> None:
    """Print `✓ statement` if `condition` is true; raise ClaimError if it is false.

    `condition`: one truth value (a Python, numpy or one-element torch bool), never an array,
    whose truth would be ambiguous. `statement`: the sentence it backs, in the text's words.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement must be the sentence being checked, got {statement!r}")
    if isinstance(condition, torch.Tensor):
        if condition.numel() != 1 or condition.dtype != torch.bool:
            raise TypeError(
                "condition must be a single truth value; got a tensor of shape "
                f"{tuple(condition.shape)} and dtype {condition.dtype} (use .all() or .any())"
            )
        condition = bool(condition.item())
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(
            "condition must be a single truth value (True or False), got "
            f"{type(condition).__name__}; compare first, e.g. claim(a < b, ...) or "
            "claim(bool(np.allclose(a, b)), ...)"
        )
    if not condition:
        raise ClaimError(f"The text says: {statement!r}, but the computation above disagrees.")
    print(f"✓ {statement}")
