"""Self-checks for notebook 07 (attention without the n × n matrix)."""

import math

import torch

from helpers import tiled
from helpers.exercises._core import Case, Mistake, Verdict, run_check


def _random(seed: int, *shape: int, scale: float = 1.0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=generator, dtype=torch.float64) * scale


def _scores(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _halves(*scores: float, split: int) -> tuple:
    """(max_a, sum_a, max_b, sum_b): the online softmax's state after each half of a row."""
    row = torch.tensor(scores, dtype=torch.float64)
    states = []
    for half in (row[:split], row[split:]):
        top = half.max().item() if len(half) else -math.inf
        states += [top, torch.exp(half - top).sum().item() if len(half) else 0.0]
    return tuple(states)


def _merged(max_a, sum_a, max_b, sum_b):
    """The reference: both sums brought to the larger max, then added."""
    new_max = max(max_a, max_b)
    return new_max, sum_a * math.exp(max_a - new_max) + sum_b * math.exp(max_b - new_max)


def check_merge_softmax_states(your_merge) -> Verdict:
    """your_merge(max_a, sum_a, max_b, sum_b) -> (max, sum) of the whole row.

    (max_a, sum_a) and (max_b, sum_b), floats: the running max and running sum of
    exp(score - max) after reading two separate parts of one row of scores.
    """
    cases = [
        Case("two halves with the same max", _halves(1.0, 3.0, 3.0, 0.5, split=2)),
        Case("the first half holds the max", _halves(5.0, 1.0, 2.0, 0.0, 1.5, split=2)),
        Case("the second half holds the max", _halves(0.5, -1.0, 4.0, 2.0, split=2)),
        Case(
            "an empty first half (max -inf, sum 0)",
            _halves(2.0, 1.0, split=0),
        ),
        Case("large scores (around 1000)", _halves(1000.0, 998.0, 1003.0, 1001.0, split=2)),
    ]
    return run_check(
        "merge_softmax_states",
        your_merge,
        _merged,
        cases,
        hint="the row's max is the larger of the two; each sum was computed against its own max, "
        "so multiply sum_a by exp(max_a - new_max) and sum_b by exp(max_b - new_max), then add. "
        "Return two numbers.",
        mistakes=[
            Mistake(
                lambda max_a, sum_a, max_b, sum_b: (max(max_a, max_b), sum_a + sum_b),
                "the sums are added as they are, but each was computed against its own max: "
                "bring both to the larger max first (multiply by exp(own max - new max)).",
            ),
            Mistake(
                lambda max_a, sum_a, max_b, sum_b: (
                    max(max_a, max_b),
                    sum_a * math.exp(max(max_a, max_b) - max_a)
                    + sum_b * math.exp(max(max_a, max_b) - max_b),
                ),
                "the rescale factors are upside down: exp(own max - new max) is at most 1, "
                "since a sum computed against a smaller max is too large.",
            ),
        ],
    )


def _needed(n_q, n_k, block_size):
    """Reference: block (I, J) holds a pair with key j <= query i iff its first key J·b is at
    most its last query min((I + 1)·b, n_q) - 1."""
    first_keys = torch.arange(0, n_k, block_size)
    last_queries = (torch.arange(0, n_q, block_size) + block_size).clamp(max=n_q) - 1
    return first_keys[None, :] <= last_queries[:, None]


def _blocks(n_q, n_k, block_size):
    return math.ceil(n_q / block_size), math.ceil(n_k / block_size)


def check_causal_blocks(your_needed) -> Verdict:
    """your_needed(n_q, n_k, block_size) -> boolean (query blocks, key blocks) tensor.

    True where the block of queries I and the block of keys J contain at least one pair
    (query i, key j) with j <= i, so that causal tiled attention must compute it.
    """
    cases = [
        Case("n_q = n_k = 8, blocks of 4", (8, 8, 4)),
        Case("n_q = n_k = 10, blocks of 4 (the last block is short)", (10, 10, 4)),
        Case("n_q = 3, n_k = 9 (fewer queries than keys), blocks of 2", (3, 9, 2)),
        Case("n_q = 9, n_k = 4 (more queries than keys), blocks of 2", (9, 4, 2)),
        Case("blocks of 1: every block is a single (query, key) pair", (5, 5, 1)),
    ]
    return run_check(
        "causal_blocks",
        your_needed,
        _needed,
        cases,
        hint="block (I, J) starts at key J·b and ends at query min((I + 1)·b, n_q) - 1; it is "
        "needed when that first key is at most that last query. The result has "
        "ceil(n_q / b) rows and ceil(n_k / b) columns.",
        returns="mask",
        mistakes=[
            Mistake(
                lambda n_q, n_k, b: torch.ones(*_blocks(n_q, n_k, b), dtype=torch.bool).tril(-1),
                "the blocks on the diagonal are missing: each holds query i with key i itself "
                "(and the keys before it), so it must be computed, with the future masked.",
            ),
            Mistake(
                lambda n_q, n_k, b: torch.ones(*_blocks(n_q, n_k, b), dtype=torch.bool),
                "every block is marked needed: with a causal mask, the blocks whose first key "
                "comes after their last query can be skipped.",
            ),
            Mistake(
                lambda n_q, n_k, b: torch.ones(*_blocks(n_q, n_k, b), dtype=torch.bool).triu(),
                "that is the upper triangle: query i sees keys 0..i, the blocks at and below "
                "the diagonal.",
            ),
        ],
        atol=0.0,
        rtol=0.0,
    )


def _tiled_without_rescale(q, k, v, block_size):
    running_max = torch.full((len(q), 1), -math.inf, dtype=q.dtype)
    total, output = 0.0, 0.0
    for j0 in range(0, len(k), block_size):
        scores = q @ k[j0 : j0 + block_size].T / math.sqrt(q.shape[-1])
        running_max = torch.maximum(running_max, scores.amax(-1, keepdim=True))
        exps = torch.exp(scores - running_max)
        total = total + exps.sum(-1, keepdim=True)
        output = output + exps @ v[j0 : j0 + block_size]
    return output / total


def _average_of_block_softmaxes(q, k, v, block_size):
    scores = q @ k.T / math.sqrt(q.shape[-1])
    blocks = range(0, len(k), block_size)
    parts = [
        torch.softmax(scores[:, j : j + block_size], -1) @ v[j : j + block_size] for j in blocks
    ]
    return sum(parts) / len(parts)


def check_tiled_attention(your_attention) -> Verdict:
    """your_attention(q, k, v, block_size) -> softmax(q kᵀ / √d_k) v, shape (n_q, d_v).

    q: (n_q, d_k), k: (n_k, d_k), v: (n_k, d_v), float64; keys and values in blocks of
    `block_size`, never all the scores of a query at once.
    """
    cases = [
        Case(
            "4 queries, 8 keys, blocks of 4",
            (_random(1, 4, 3), _random(2, 8, 3), _random(3, 8, 2), 4),
        ),
        Case(
            "10 keys in blocks of 4 (the last block is short)",
            (_random(4, 6, 5), _random(5, 10, 5), _random(6, 10, 3), 4),
        ),
        Case("blocks of 1", (_random(7, 3, 2), _random(8, 5, 2), _random(9, 5, 4), 1)),
        Case(
            "large scores (up to about 100), blocks of 3",
            (_random(10, 3, 4, scale=8.0), _random(11, 9, 4, scale=8.0), _random(12, 9, 2), 3),
        ),
    ]
    return run_check(
        "tiled_attention",
        your_attention,
        lambda q, k, v, b: tiled.tiled_attention(q, k, v, block_size=b),
        cases,
        hint="for each block of keys: scores = q @ k_block.T / sqrt(d_k); new max = max(old "
        "max, the block's row max); rescale = exp(old max - new max); sum = sum * rescale + "
        "exps.sum(-1); output = output * rescale + exps @ v_block. Divide by the sum at the end.",
        mistakes=[
            Mistake(
                _tiled_without_rescale,
                "the running sum and output are not rescaled when the max grows: multiply both "
                "by exp(old max - new max) before adding the block.",
            ),
            Mistake(
                _average_of_block_softmaxes,
                "that averages each block's own softmax: blocks must share one normalizer, the "
                "running sum over all keys, not get equal shares.",
            ),
            Mistake(
                lambda q, k, v, b: torch.softmax(q @ k.T, -1) @ v,
                "the scores are not scaled: divide q @ k_block.T by sqrt(d_k).",
            ),
        ],
    )
