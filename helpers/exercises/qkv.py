"""Self-checks for notebook 03 (query, key and value projections)."""

import numpy as np
import torch

from helpers import attention
from helpers.exercises._core import Case, Mistake, Verdict, run_check


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
            "large 3 x 3 scores (about 1000): is your softmax stable?",
            (_random(11, 3, 3, scale=1000.0),),
        ),
    ]

    def future(scores):
        return torch.ones_like(scores, dtype=torch.bool).triu(1)

    return run_check(
        "causal_attention_weights",
        your_weights,
        _causal_reference,
        cases,
        hint="set the scores above the diagonal (the future) to -inf, then softmax each row; "
        "torch.tril or torch.triu build the triangle.",
        mistakes=[
            Mistake(
                lambda s: _plain_softmax(s.masked_fill(future(s), 0.0)),
                "a masked score of 0 still gets weight (exp(0) = 1): use -inf, so that "
                "exp(-inf) = 0.",
            ),
            Mistake(
                lambda s: _plain_softmax(s) * ~future(s),
                "zeroing weights after the softmax leaves rows that no longer sum to 1: mask "
                "the scores with -inf before the softmax (or renormalize each row).",
            ),
            Mistake(
                lambda s: _plain_softmax(s.masked_fill(future(s).T, float("-inf"))),
                "you hid the past and kept the future: query i may attend to keys 0..i, so "
                "mask the entries above the diagonal (j > i).",
            ),
            Mistake(
                lambda s: _plain_softmax(s),
                "nothing was masked: the entries above the diagonal must get weight 0.",
            ),
        ],
    )


def _causal_reference(scores):
    return attention.softmax(scores.masked_fill(~attention.causal_mask(len(scores)), float("-inf")))


def check_multi_head_parameter_count(your_count) -> Verdict:
    """your_count(d_model, num_heads) -> the number of parameters of a multi-head layer.

    The layer is torch.nn.MultiheadAttention(d_model, num_heads): query, key, value and output
    projections, each with weights and biases.
    """
    cases = [
        Case(f"d_model={d}, num_heads={h}", (d, h)) for d, h in [(4, 1), (16, 4), (64, 2), (512, 8)]
    ]
    return run_check(
        "multi_head_parameter_count",
        your_count,
        _torch_parameter_count,
        cases,
        hint="count the four d_model -> d_model projections (query, key, value, output), each "
        "with a weight matrix and a bias vector.",
        mistakes=[
            Mistake(
                lambda d, h: h * (4 * d * d + 4 * d),
                "the heads do not each get full-size projections: they split d_model into "
                "num_heads slices, so the count does not depend on num_heads.",
            ),
            Mistake(
                lambda d, h: 4 * d * d,
                "each of the four projections also has a bias vector of d_model entries.",
            ),
            Mistake(
                lambda d, h: 3 * d * d + 3 * d,
                "the output projection, which mixes the concatenated heads, has parameters too.",
            ),
            Mistake(
                lambda d, h: 4 * (d // h) ** 2 + 4 * (d // h),
                "that counts one head's slice of size d_model // num_heads; the projections "
                "map all d_model features to all d_model features.",
            ),
        ],
    )


def _torch_parameter_count(d_model: int, num_heads: int) -> int:
    # On the "meta" device torch builds the layer without memory or random numbers.
    layer = torch.nn.MultiheadAttention(d_model, num_heads, device="meta")
    return sum(p.numel() for p in layer.parameters())
