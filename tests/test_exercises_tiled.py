"""The notebook 07 self-checks: right answers pass, usual wrong answers get their own hint."""

import math

import numpy as np
import pytest
import torch

from helpers.exercises import (
    check_causal_blocks,
    check_merge_softmax_states,
    check_tiled_attention,
)


def not_attempted(*args):
    raise NotImplementedError


# --- merging two online-softmax states ------------------------------------------------------


def merge_by_logsumexp(max_a, sum_a, max_b, sum_b):
    """Independent: log(sum_a) + max_a is the logsumexp of part a; add the parts' exponentials."""
    total = torch.logsumexp(
        torch.tensor(
            [
                max_a + math.log(sum_a) if sum_a else -math.inf,
                max_b + math.log(sum_b) if sum_b else -math.inf,
            ],
            dtype=torch.float64,
        ),
        0,
    )
    new_max = max(max_a, max_b)
    return new_max, math.exp(total.item() - new_max)


def numpy_merge(max_a, sum_a, max_b, sum_b):
    new_max = np.maximum(max_a, max_b)
    return np.array([new_max, sum_a * np.exp(max_a - new_max) + sum_b * np.exp(max_b - new_max)])


@pytest.mark.parametrize("answer", [merge_by_logsumexp, numpy_merge])
def test_merge_right_answers_pass(answer):
    verdict = check_merge_softmax_states(answer)
    assert verdict.passed, verdict.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda ma, sa, mb, sb: (max(ma, mb), sa + sb), "the sums are added as they are"),
        (
            lambda ma, sa, mb, sb: (
                max(ma, mb),
                sa * math.exp(max(ma, mb) - ma) + sb * math.exp(max(ma, mb) - mb),
            ),
            "upside down",
        ),
        (lambda ma, sa, mb, sb: (min(ma, mb), sa + sb), "Hint: the row's max is the larger"),
    ],
)
def test_merge_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_merge_softmax_states(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


# --- which blocks causal attention needs -----------------------------------------------------


def needed_by_pairs(n_q, n_k, b):
    """Brute force: a block is needed if any of its (query, key) pairs has key <= query."""
    allowed = torch.ones(n_q, n_k).tril().bool()
    return torch.tensor(
        [
            [allowed[i : i + b, j : j + b].any().item() for j in range(0, n_k, b)]
            for i in range(0, n_q, b)
        ]
    )


def test_causal_blocks_right_answer_passes():
    verdict = check_causal_blocks(needed_by_pairs)
    assert verdict.passed, verdict.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda n_q, n_k, b: needed_by_pairs(n_q, n_k, b).tril(-1), "on the diagonal are missing"),
        (
            lambda n_q, n_k, b: torch.ones_like(needed_by_pairs(n_q, n_k, b)),
            "every block is marked",
        ),
        (lambda n_q, n_k, b: needed_by_pairs(n_q, n_k, b).T, "that is the upper triangle"),
    ],
)
def test_causal_blocks_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_causal_blocks(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


# --- tiled attention -------------------------------------------------------------------------


def blockwise(q, k, v, block_size):
    """Two passes over the key blocks: the row max and normalizer first, then the output."""
    scale = 1 / math.sqrt(q.shape[-1])
    blocks = range(0, len(k), block_size)
    row_max = torch.stack([(q @ k[j : j + block_size].T * scale).amax(-1) for j in blocks]).amax(0)
    exps = [torch.exp(q @ k[j : j + block_size].T * scale - row_max[:, None]) for j in blocks]
    total = sum(e.sum(-1) for e in exps)
    output = sum(e @ v[j : j + block_size] for e, j in zip(exps, blocks, strict=True))
    return output / total[:, None]


def test_tiled_attention_right_answers_pass():
    for answer in (
        blockwise,
        lambda q, k, v, b: torch.nn.functional.scaled_dot_product_attention(q, k, v),
    ):
        verdict = check_tiled_attention(answer)
        assert verdict.passed, verdict.message


def unscaled(q, k, v, b):
    return torch.softmax(q @ k.T, -1) @ v


def mean_of_block_softmaxes(q, k, v, b):
    scores = q @ k.T / math.sqrt(q.shape[-1])
    parts = [torch.softmax(scores[:, j : j + b], -1) @ v[j : j + b] for j in range(0, len(k), b)]
    return sum(parts) / len(parts)


def never_rescaled(q, k, v, b):
    running, total, output = torch.full((len(q), 1), -math.inf, dtype=q.dtype), 0.0, 0.0
    for j in range(0, len(k), b):
        scores = q @ k[j : j + b].T / math.sqrt(q.shape[-1])
        running = torch.maximum(running, scores.amax(-1, keepdim=True))
        total = total + torch.exp(scores - running).sum(-1, keepdim=True)
        output = output + torch.exp(scores - running) @ v[j : j + b]
    return output / total


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (never_rescaled, "are not rescaled when the max grows"),
        (mean_of_block_softmaxes, "blocks must share one normalizer"),
        (unscaled, "the scores are not scaled"),
    ],
)
def test_tiled_attention_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_tiled_attention(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


@pytest.mark.parametrize(
    "check", [check_merge_softmax_states, check_causal_blocks, check_tiled_attention]
)
def test_not_attempted(check):
    verdict = check(not_attempted)
    assert verdict.status == "not attempted" and verdict.message.startswith("⏳")
