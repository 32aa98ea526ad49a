"""Notebook 03's self-checks: right answers pass, typical wrong ones get their own hint."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers import exercises


def not_attempted(*args):
    raise NotImplementedError


def scores(q, k, scale=True):
    return q @ k.T / (q.shape[-1] ** 0.5 if scale else 1.0)


def test_scaled_dot_product_attention_check():
    assert exercises.check_scaled_dot_product_attention(F.scaled_dot_product_attention).passed
    by_hand = lambda q, k, v: torch.softmax(scores(q, k), dim=-1) @ v  # noqa: E731
    assert exercises.check_scaled_dot_product_attention(by_hand).passed
    verdict = exercises.check_scaled_dot_product_attention(not_attempted)
    assert verdict.status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda q, k, v: torch.softmax(scores(q, k, scale=False), -1) @ v, "not scaled"),
        (lambda q, k, v: torch.softmax(q @ k.T / q.shape[-1], -1) @ v, "not by d_k itself"),
        (lambda q, k, v: torch.softmax(q @ k.T / len(k) ** 0.5, -1) @ v, "number of tokens"),
        (lambda q, k, v: torch.softmax(scores(q, k), 0) @ v, "wrong dimension"),
        (lambda q, k, v: torch.softmax(scores(q, k), -1) @ k, "not the keys"),
        (
            lambda q, k, v: (
                torch.exp(scores(q, k)) / torch.exp(scores(q, k)).sum(-1, keepdim=True) @ v
            ),
            "wrong on large scores (over 1000)",
        ),  # a naive softmax overflows to nan on the large scores
        (lambda q, k, v: torch.softmax(scores(q, k), -1), "sqrt(d_k)"),  # returns the weights
        (lambda q, k, v: q @ k, "raised RuntimeError"),
    ],
)
def test_scaled_dot_product_attention_hints(wrong, hint):
    verdict = exercises.check_scaled_dot_product_attention(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message


def causal_by_hand(s):
    future = torch.triu(torch.ones(len(s), len(s), dtype=torch.bool), diagonal=1)
    return torch.softmax(s.masked_fill(future, float("-inf")), dim=-1)


def test_causal_attention_weights_check():
    assert exercises.check_causal_attention_weights(causal_by_hand).passed

    # torch's own causal attention with the identity as values returns exactly the weights:
    # scaled_dot_product_attention divides by sqrt(d_k), so feed it scores * sqrt(d_k).
    def via_torch(s):
        n = len(s)
        return F.scaled_dot_product_attention(
            s * n**0.5, torch.eye(n, dtype=s.dtype), torch.eye(n, dtype=s.dtype), is_causal=True
        )

    assert exercises.check_causal_attention_weights(via_torch).passed
    assert exercises.check_causal_attention_weights(not_attempted).status == "not attempted"


def future(s):
    return torch.ones_like(s).triu(1).bool()


def renormalized(s):
    kept = torch.softmax(s, -1).tril()
    return kept / kept.sum(-1, keepdim=True)


def naive_causal(s):
    exps = torch.exp(s.masked_fill(future(s), float("-inf")))
    return exps / exps.sum(-1, keepdim=True)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s: torch.softmax(s.masked_fill(future(s), 0.0), -1), "use -inf"),
        (lambda s: torch.softmax(s, -1).tril(), "no longer sum to 1"),
        (
            lambda s: torch.softmax(
                s.masked_fill(torch.ones_like(s).tril(-1).bool(), float("-inf")), -1
            ),
            "hid the past",
        ),
        (lambda s: torch.softmax(s, -1), "nothing was masked"),
        (lambda s: torch.ones_like(s).tril().bool(), "above the diagonal (the future)"),
        # filling where tril is True: the last row is all -inf, so the answer holds nan
        (
            lambda s: torch.softmax(
                s.masked_fill(torch.ones_like(s).tril().bool(), float("-inf")), -1
            ),
            "the mask is inverted",
        ),
        (
            lambda s: torch.softmax(s.masked_fill(torch.ones_like(s).triu().bool(), -math.inf), -1),
            "the diagonal is masked too",
        ),
        (lambda s: torch.softmax(s.masked_fill(future(s), float("-inf")), 0), "dim=0"),
        (naive_causal, "overflows to inf"),
        (renormalized, "divide 0 by 0"),
    ],
)
def test_causal_attention_weights_hints(wrong, hint):
    verdict = exercises.check_causal_attention_weights(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


def test_the_renormalizing_answer_is_right_on_the_small_cases():
    """Renormalizing is not wrong on paper: only the large case (a 0/0) rejects it."""
    verdict = exercises.check_causal_attention_weights(renormalized)
    assert "wrong on large 3 x 3 scores" in verdict.message


def split_by_hand(x, num_heads):
    return x.view(*x.shape[:-1], num_heads, x.shape[-1] // num_heads).transpose(-3, -2)


def merge_by_hand(heads):
    return heads.transpose(-3, -2).flatten(-2)


def test_split_and_merge_checks_pass_the_view_transpose_form_and_torchs_own():
    assert exercises.check_split_heads(split_by_hand).passed
    assert exercises.check_merge_heads(merge_by_hand).passed
    # An independent way to cut the features into num_heads consecutive slices:
    chunked = lambda x, h: torch.stack(x.chunk(h, dim=-1), dim=-3)  # noqa: E731
    assert exercises.check_split_heads(chunked).passed
    assert exercises.check_split_heads(not_attempted).status == "not attempted"
    assert exercises.check_merge_heads(not_attempted).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda x, h: x.reshape(*x.shape[:-2], h, x.shape[-2], x.shape[-1] // h),
            "reshape without the transpose",
        ),
        (lambda x, h: x.unflatten(-1, (h, x.shape[-1] // h)), "heads must come before"),
        (
            lambda x, h: x.unflatten(-1, (x.shape[-1] // h, h)).transpose(-1, -2).transpose(-3, -2),
            "not (d_head, num_heads)",
        ),
        (lambda x, h: x, "h*d_head"),
    ],
)
def test_split_heads_hints(wrong, hint):
    verdict = exercises.check_split_heads(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda heads: heads.reshape(
                *heads.shape[:-3], heads.shape[-2], heads.shape[-3] * heads.shape[-1]
            ),
            "reshape without the transpose",
        ),
        (
            lambda heads: heads.transpose(-3, -2).transpose(-1, -2).flatten(-2),
            "not (d_head, num_heads)",
        ),
        (lambda heads: heads.flatten(-2), "undo the split"),
    ],
)
def test_merge_heads_hints(wrong, hint):
    verdict = exercises.check_merge_heads(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


def test_multi_row_arrays_line_up_in_a_verdict():
    verdict = exercises.check_merge_heads(lambda heads: heads.flatten(-2) * 0)
    lines = verdict.message.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("   expected [["))
    assert lines[first + 1].startswith(" " * 12 + " [")
