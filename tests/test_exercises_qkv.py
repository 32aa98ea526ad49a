"""Notebook 03's self-checks: right answers pass, typical wrong ones get their own hint."""

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


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            lambda s: torch.softmax(s.masked_fill(torch.ones_like(s).triu(1).bool(), 0.0), -1),
            "use -inf",
        ),
        (lambda s: torch.softmax(s, -1).tril(), "no longer sum to 1"),
        (
            lambda s: torch.softmax(
                s.masked_fill(torch.ones_like(s).tril(-1).bool(), float("-inf")), -1
            ),
            "hid the past",
        ),
        (lambda s: torch.softmax(s, -1), "nothing was masked"),
        (lambda s: torch.ones_like(s).tril().bool(), "above the diagonal (the future)"),
    ],
)
def test_causal_attention_weights_hints(wrong, hint):
    verdict = exercises.check_causal_attention_weights(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message


def test_multi_head_parameter_count_check():
    assert exercises.check_multi_head_parameter_count(lambda d, h: 4 * d * d + 4 * d).passed
    verdict = exercises.check_multi_head_parameter_count(not_attempted)
    assert verdict.status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda d, h: h * (4 * d * d + 4 * d), "does not depend on num_heads"),
        (lambda d, h: 4 * d * d, "bias vector"),
        (lambda d, h: 3 * d * d + 3 * d, "output projection"),
        (lambda d, h: 4 * (d // h) ** 2 + 4 * (d // h), "one head's slice"),
        (lambda d, h: 4 * d * d + d, "four d_model -> d_model projections"),
        (lambda d, h: None, "forget `return`"),
    ],
)
def test_multi_head_parameter_count_hints(wrong, hint):
    verdict = exercises.check_multi_head_parameter_count(wrong)
    assert verdict.status == "failed"
    assert hint in verdict.message
