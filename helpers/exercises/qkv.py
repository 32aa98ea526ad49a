"""Self-checks for notebook 03 (query, key and value projections)."""

import numpy as np
import torch

from helpers import attention
from helpers.exercises._core import Case, Mistake, Verdict, _as_array, run_check


def _tensor(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float64)


def _random(seed: int, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return (
        torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        * scale
    )


def _seed_002() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Queries, keys and values of the four one-hot words (seed 002), as float64 tensors."""
    words = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    w_q = np.array([[2, 0, 2], [2, 0, 0], [2, 1, 2]])
    w_k = np.array([[2, 2, 2], [0, 2, 1], [0, 1, 1]])
    w_v = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]])
    return tuple(_tensor((words @ w).tolist()) for w in (w_q, w_k, w_v))


def _large_scores() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q (2, 3), k (4, 3), v (4, 3) where each query meets itself as a key: scores over 1000."""
    q = _random(7, 2, 3, scale=30.0)
    return q, torch.cat([q, _random(8, 2, 3, scale=30.0)]), _random(9, 4, 3)


def _plain_softmax(scores: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.softmax(scores, dim=dim)


def check_scaled_dot_product_attention(your_attention) -> Verdict:
    """your_attention(q, k, v) -> softmax(q kᵀ / √d_k) v, shape (n_q, d_v).

    q: (n_q, d_k), k: (n_k, d_k), v: (n_k, d_v), float64 tensors.
    """
    cases = [
        Case("the four one-hot words of the integer example", _seed_002()),
        Case(
            "3 queries, 5 keys, d_k=4, d_v=2",
            (_random(1, 3, 4), _random(2, 5, 4), _random(3, 5, 2)),
        ),
        Case(
            "one query and 4 keys, d_k=d_v=16 (scaling matters more as d_k grows)",
            (_random(4, 1, 16), _random(5, 4, 16), _random(6, 4, 16)),
        ),
        Case("large scores (over 1000): is your softmax stable?", _large_scores()),
    ]

    def scores(q, k):
        return q @ k.T

    return run_check(
        "scaled_dot_product_attention",
        your_attention,
        lambda q, k, v: attention.scaled_dot_product_attention(q, k, v),
        cases,
        hint="scores = q @ k.T / sqrt(d_k), with d_k = q.shape[-1]; softmax over the keys "
        "(the last dimension); then weights @ v.",
        mistakes=[
            Mistake(
                lambda q, k, v: _plain_softmax(scores(q, k)) @ v,
                "the scores are not scaled: divide q @ k.T by sqrt(d_k) before the softmax.",
            ),
            Mistake(
                lambda q, k, v: _plain_softmax(scores(q, k) / q.shape[-1]) @ v,
                "divide by the square root of d_k, not by d_k itself.",
            ),
            Mistake(
                lambda q, k, v: _plain_softmax(scores(q, k) / k.shape[0] ** 0.5) @ v,
                "scale by sqrt(d_k), the length of one query or key vector "
                "(q.shape[-1]), not by the number of tokens.",
            ),
            Mistake(
                lambda q, k, v: _plain_softmax(scores(q, k) / q.shape[-1] ** 0.5, 0) @ v,
                "the softmax runs over the wrong dimension: each query's weights (a row) "
                "must sum to 1, so use dim=-1 (the keys).",
            ),
            Mistake(
                lambda q, k, v: _plain_softmax(scores(q, k) / q.shape[-1] ** 0.5) @ k,
                "the weights average the values v, not the keys k.",
            ),
        ],
    )


def check_causal_attention_weights(your_weights) -> Verdict:
    """your_weights(scores) -> causal attention weights (n, n) from raw scores (n, n)."""
    seed_scores = _seed_002()[0] @ _seed_002()[1].T / 3**0.5
    cases = [
        Case("the 4 x 4 scaled scores of the integer example", (seed_scores,)),
        Case("random 5 x 5 scores", (_random(10, 5, 5),)),
        Case("a single token (1 x 1)", (_tensor([[2.5]]),)),
        Case(
            "large 3 x 3 scores (about 1000) whose largest entries lie in the future: is your "
            "softmax stable?",
            (_large_future_scores(),),
        ),
    ]
    verdict = run_check(
        "causal_attention_weights",
        your_weights,
        _causal_reference,
        cases,
        hint="set the scores above the diagonal (the future) to -inf, then softmax each row; "
        "torch.tril or torch.triu build the triangle.",
        mistakes=[
            Mistake(
                lambda s: _plain_softmax(s.masked_fill(_future(s), 0.0)),
                "a masked score of 0 still gets weight (exp(0) = 1): use -inf, so that "
                "exp(-inf) = 0.",
            ),
            Mistake(
                lambda s: _plain_softmax(s) * ~_future(s),
                "zeroing weights after the softmax leaves rows that no longer sum to 1: mask "
                "the scores with -inf before the softmax.",
            ),
            Mistake(
                lambda s: _plain_softmax(s.masked_fill(_future(s).T, float("-inf"))),
                "you hid the past and kept the future: query i may attend to keys 0..i, so "
                "mask the entries above the diagonal (j > i).",
            ),
            Mistake(
                lambda s: _plain_softmax(s.masked_fill(_future(s), float("-inf")), 0),
                "the softmax runs over the wrong dimension: each query's weights (a row) must "
                "sum to 1, so use dim=-1 (the keys), not dim=0.",
            ),
            Mistake(
                lambda s: _plain_softmax(s),
                "nothing was masked: the entries above the diagonal must get weight 0.",
            ),
        ],
    )
    return _with_nan_hints(verdict, your_weights, cases, _CAUSAL_NAN_MISTAKES)


def _future(scores: torch.Tensor) -> torch.Tensor:
    """True above the diagonal: the keys after each query."""
    return torch.ones_like(scores, dtype=torch.bool).triu(1)


def _large_future_scores() -> torch.Tensor:
    """3 x 3 scores of about 1000 whose largest entry in rows 0 and 1 lies above the diagonal:
    a softmax taken before masking underflows every visible weight of those rows to 0."""
    return _tensor([[0.0, 1000.0, 900.0], [-500.0, 0.0, 1000.0], [300.0, 200.0, 1000.0]])


def _causal_reference(scores):
    return attention.softmax(scores.masked_fill(~attention.causal_mask(len(scores)), float("-inf")))


def _renormalized(scores: torch.Tensor) -> torch.Tensor:
    kept = _plain_softmax(scores) * ~_future(scores)
    return kept / kept.sum(dim=-1, keepdim=True)


def _naive_causal(scores: torch.Tensor) -> torch.Tensor:
    exps = torch.exp(scores.masked_fill(_future(scores), float("-inf")))
    return exps / exps.sum(dim=-1, keepdim=True)


# Usual mistakes whose answer holds NaN (0/0 or inf/inf): recognised by comparing with NaN
# counted as equal to NaN, which the general comparison rightly never does.
_CAUSAL_NAN_MISTAKES = [
    Mistake(
        lambda s: _plain_softmax(s.masked_fill(~_future(s), float("-inf"))),
        "the mask is inverted: torch.tril(...) is True on the past and the diagonal, the keys a "
        "query MAY see. Fill -inf where it is False (masked_fill(~allowed, -inf)), or where "
        "torch.triu(..., diagonal=1) is True.",
    ),
    Mistake(
        lambda s: _plain_softmax(s.masked_fill(torch.ones_like(s).triu().bool(), float("-inf"))),
        "the diagonal is masked too: a token may attend to itself, so use "
        "torch.triu(..., diagonal=1), which keeps the diagonal (query 0 has no other key).",
    ),
    Mistake(
        _renormalized,
        "renormalizing after zeroing is right on paper, but it fails when a row's largest "
        "score lies in the future: the softmax then rounds every visible weight to 0 and you "
        "divide 0 by 0. Mask the scores with -inf before the softmax instead.",
    ),
    Mistake(
        _naive_causal,
        "exp() of scores near 1000 overflows to inf (inf / inf = nan): subtract each row's "
        "largest visible score before exp(), or use torch.softmax.",
    ),
]


def _with_nan_hints(verdict: Verdict, learner, cases, mistakes) -> Verdict:
    """The verdict, with the hint of a NaN-producing mistake when the learner's answer on the
    first failing case matches it (NaN where it has NaN, the same numbers elsewhere)."""
    if verdict.status != "failed" or "\n   Hint: " not in verdict.message:
        return verdict
    failing = [c for c in cases if f"wrong on {c.label}." in verdict.message]
    if not failing:  # the learner's function raised: that message stands
        return verdict
    case = failing[0]
    try:
        got = _as_array(learner(*case.args))
    except Exception:  # the learner's error is already reported
        return verdict
    for mistake in mistakes:
        expected = _as_array(mistake.answer(*case.args))
        if got is not None and got.shape == expected.shape and np.isnan(got).any():
            if np.allclose(got, expected, atol=1e-6, rtol=1e-5, equal_nan=True):
                head = verdict.message.split("\n   Hint: ")[0]
                return Verdict(verdict.name, "failed", f"{head}\n   Hint: {mistake.hint}")
    return verdict


def _split_reference(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Head h takes features h * d_head .. (h + 1) * d_head - 1, as in the loop by hand."""
    d_head = x.shape[-1] // num_heads
    return torch.stack([x[..., h * d_head : (h + 1) * d_head] for h in range(num_heads)], dim=-3)


def _merge_reference(heads: torch.Tensor) -> torch.Tensor:
    """The heads' outputs side by side again: torch.cat over the heads, as in the loop."""
    return torch.cat(heads.unbind(dim=-3), dim=-1)


def _split_cases() -> list[Case]:
    return [
        Case("x of shape (4, 6), 2 heads", (_random(20, 4, 6), 2)),
        Case("a batch: x of shape (2, 3, 8), 4 heads", (_random(21, 2, 3, 8), 4)),
        Case("one head: x of shape (3, 4)", (_random(22, 3, 4), 1)),
        Case("d_head = 1: x of shape (5, 3), 3 heads", (_random(23, 5, 3), 3)),
    ]


def check_split_heads(your_split) -> Verdict:
    """your_split(x, num_heads): x (..., n, d_model) -> heads (..., num_heads, n, d_head)."""

    def shape(x, h):
        return (*x.shape[:-2], h, x.shape[-2], x.shape[-1] // h)

    return run_check(
        "split_heads",
        your_split,
        _split_reference,
        _split_cases(),
        hint="head h takes the features h*d_head to (h+1)*d_head - 1 of every token: "
        "x.view(..., n, num_heads, d_head), then .transpose(-3, -2).",
        mistakes=[
            Mistake(
                lambda x, h: x.reshape(shape(x, h)),
                "reshape without the transpose: the shape is right, but the numbers are "
                "regrouped row by row across tokens. View as (..., n, num_heads, d_head) first, "
                "then transpose(-3, -2).",
            ),
            Mistake(
                lambda x, h: x.unflatten(-1, (h, x.shape[-1] // h)),
                "the heads must come before the tokens: (..., num_heads, n, d_head). Add "
                ".transpose(-3, -2).",
            ),
            Mistake(
                lambda x, h: (
                    x.unflatten(-1, (x.shape[-1] // h, h)).transpose(-1, -2).transpose(-3, -2)
                ),
                "each head's features are next to each other: split the last dimension into "
                "(num_heads, d_head), not (d_head, num_heads).",
            ),
        ],
    )


def check_merge_heads(your_merge) -> Verdict:
    """your_merge(heads): heads (..., num_heads, n, d_head) -> (..., n, num_heads * d_head)."""
    cases = [
        Case(c.label.replace("x of", "heads split from x of"), (_split_reference(*c.args),))
        for c in _split_cases()
    ]

    def flat(heads):
        *batch, h, n, d_head = heads.shape
        return (*batch, n, h * d_head)

    return run_check(
        "merge_heads",
        your_merge,
        _merge_reference,
        cases,
        hint="undo the split: .transpose(-3, -2) back to (..., n, num_heads, d_head), then "
        ".flatten(-2) (or .reshape(..., n, d_model)).",
        mistakes=[
            Mistake(
                lambda heads: heads.reshape(flat(heads)),
                "reshape without the transpose: right shape, wrong numbers. Transpose the "
                "heads and tokens back (transpose(-3, -2)) before flattening.",
            ),
            Mistake(
                lambda heads: heads.transpose(-3, -2).transpose(-1, -2).flatten(-2),
                "the features of each head must stay together: flatten (num_heads, d_head) "
                "in that order, not (d_head, num_heads).",
            ),
        ],
    )
