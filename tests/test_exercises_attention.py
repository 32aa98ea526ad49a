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


def test_context_vector_not_attempted():
    assert check_context_vector(not_attempted).status == "not attempted"


# --- self-attention --------------------------------------------------------------------------


def test_self_attention_right_answer_passes():
    assert check_self_attention(lambda x: torch.softmax(x @ x.T, dim=1) @ x).passed


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
