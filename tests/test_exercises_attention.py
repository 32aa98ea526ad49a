"""The notebook 02 self-checks: right answers pass, usual wrong answers get their own hint."""

import numpy as np
import pytest
import torch

from helpers.exercises import check_context_vector, check_self_attention, check_softmax


def not_attempted(*args):
    raise NotImplementedError


# --- softmax ---------------------------------------------------------------------------------


def stable_softmax(scores):
    exps = torch.exp(scores - scores.max())
    return exps / exps.sum()


def numpy_softmax(scores):
    s = scores.numpy()
    return np.exp(s - s.max()) / np.exp(s - s.max()).sum()


@pytest.mark.parametrize(
    "answer", [stable_softmax, numpy_softmax, lambda s: torch.softmax(s, dim=0)]
)
def test_softmax_right_answers_pass(answer):
    verdict = check_softmax(answer)
    assert verdict.passed, verdict.message
    assert verdict.message.startswith("✅")


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda s: s / s.sum(), "divides the scores by their sum"),
        (lambda s: torch.exp(s - s.max()), "divide by the sum"),
        (lambda s: torch.exp(s - s.max()) / torch.exp(s).sum(), "in the denominator too"),
    ],
)
def test_softmax_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_softmax(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


def shifted_softmax(shift):
    def softmax(scores):
        exps = torch.exp(scores - shift(scores))
        return exps / exps.sum()

    return softmax


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (shifted_softmax(lambda s: s.min()), "subtracted the smallest score"),
        (shifted_softmax(lambda s: s.mean()), "subtracted the mean score"),
        (shifted_softmax(lambda s: s[0]), "subtracted the first score"),
        (shifted_softmax(lambda s: 0.0), "naive softmax"),
    ],
)
def test_softmax_that_subtracts_anything_but_the_max_fails_with_its_hint(answer, hint):
    verdict = check_softmax(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message
    assert "nan" in verdict.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda s: torch.softmax(s, dim=0).tolist(), "return a tensor (or numpy array)"),
        (lambda s: tuple(torch.softmax(s, dim=0).tolist()), "return a tensor (or numpy array)"),
        (lambda s: torch.softmax(s, dim=0).to(torch.complex128), "complex"),
        (lambda s: torch.softmax(s, dim=0).numpy() + 0j, "complex"),
        (lambda s: torch.softmax(s, dim=0) > 0.1, "True/False"),
        (lambda s: torch.softmax(s, dim=0).numpy().astype(object), "not numbers"),
        (lambda s: torch.softmax(s, dim=0)[None, :], "yours has shape (1, 6)"),
        (lambda s: float(torch.softmax(s, dim=0).max()), "return a tensor (or numpy array)"),
    ],
)
def test_softmax_refuses_answers_of_the_wrong_kind(answer, hint):
    verdict = check_softmax(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message, verdict.message


def test_naive_softmax_fails_on_large_scores_with_the_overflow_hint():
    verdict = check_softmax(lambda s: torch.exp(s) / torch.exp(s).sum())
    assert verdict.status == "failed"
    assert "large scores" in verdict.message
    assert "overflows" in verdict.message and "nan" in verdict.message


def test_softmax_not_attempted():
    verdict = check_softmax(not_attempted)
    assert verdict.status == "not attempted"
    assert verdict.message.startswith("⏳")


# --- context vector --------------------------------------------------------------------------


def loop_context_vector(query, inputs):
    scores = torch.stack([torch.dot(query, x) for x in inputs])
    weights = torch.softmax(scores, dim=0)
    return sum(w * x for w, x in zip(weights, inputs, strict=True))


def test_context_vector_right_answers_pass():
    assert check_context_vector(loop_context_vector).passed
    assert check_context_vector(lambda q, x: torch.softmax(x @ q, dim=0) @ x).passed


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda q, x: torch.softmax(x @ q, dim=0), "those are the attention weights"),
        (lambda q, x: (x @ q) @ x, "raw scores were used as weights"),
        (lambda q, x: ((x @ q) / (x @ q).sum()) @ x, "divided by their sum"),
        (lambda q, x: x.mean(dim=0), "plain average"),
    ],
)
def test_context_vector_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_context_vector(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


def test_context_vector_naive_softmax_fails_on_large_scores():
    verdict = check_context_vector(lambda q, x: (torch.exp(x @ q) / torch.exp(x @ q).sum()) @ x)
    assert verdict.status == "failed"
    assert "naive softmax" in verdict.message and "900" in verdict.message


def test_context_vector_not_attempted():
    assert check_context_vector(not_attempted).status == "not attempted"


# --- self-attention --------------------------------------------------------------------------


def row_max_softmax(scores):
    exps = torch.exp(scores - scores.amax(dim=1, keepdim=True))
    return exps / exps.sum(dim=1, keepdim=True)


@pytest.mark.parametrize(
    "answer",
    [
        lambda x: torch.softmax(x @ x.T, dim=1) @ x,
        lambda x: row_max_softmax(x @ x.T) @ x,
        lambda x: torch.softmax(x @ x.T, dim=-1) @ x,
    ],
)
def test_self_attention_right_answers_pass(answer):
    verdict = check_self_attention(answer)
    assert verdict.passed, verdict.message


def global_max_softmax(scores):
    """Seed 000's softmax: one maximum for the whole matrix, then a sum per row."""
    exps = torch.exp(scores - scores.max())
    return exps / exps.sum(dim=1, keepdim=True)


def test_self_attention_global_max_softmax_fails_with_its_hint():
    verdict = check_self_attention(lambda x: global_max_softmax(x @ x.T) @ x)
    assert verdict.status == "failed"
    assert "largest score of the whole matrix" in verdict.message
    assert "each row's own maximum" in verdict.message


def test_self_attention_naive_softmax_fails_with_the_overflow_hint():
    naive = lambda x: (torch.exp(x @ x.T) / torch.exp(x @ x.T).sum(dim=1, keepdim=True)) @ x  # noqa: E731
    verdict = check_self_attention(naive)
    assert verdict.status == "failed"
    assert "naive softmax overflows" in verdict.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda x: torch.softmax(x @ x.T, dim=0) @ x, "ran down the columns"),
        (lambda x: torch.softmax(x @ x.T, dim=1), "multiply them by X"),
        (lambda x: (x @ x.T) @ x, "raw scores were used as weights"),
    ],
)
def test_self_attention_usual_mistakes_get_their_hint(answer, hint):
    verdict = check_self_attention(answer)
    assert verdict.status == "failed"
    assert hint in verdict.message


def test_self_attention_not_attempted():
    assert check_self_attention(not_attempted).status == "not attempted"


def test_a_check_refuses_a_call_instead_of_a_function():
    verdict = check_self_attention(torch.zeros(2, 2))
    assert verdict.status == "failed"
    assert "no parentheses" in verdict.message
