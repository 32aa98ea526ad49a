"""Self-checks for notebook 02 (dot-product attention without weights)."""

import torch

from helpers import attention
from helpers.data import load_fine_sentences, load_journey_embeddings
from helpers.exercises._core import Case, Mistake, Verdict, run_check


def _journey() -> torch.Tensor:
    """The embeddings of "Your journey starts with one step", (6, 3), in float64."""
    return load_journey_embeddings().embeddings.double()


def _police_fine() -> torch.Tensor:
    """The embeddings of "The police man gave me a fine", (7, 2), in float64."""
    return load_fine_sentences()[0].embeddings.double()


_RANDOM = torch.randn(5, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)


def _exp_over_plain_sum(s):
    return torch.exp(s - s.max()) / torch.exp(s).sum()


def check_softmax(your_softmax) -> Verdict:
    """your_softmax(scores) -> softmax weights, for a float64 tensor of scores of shape (n,)."""
    journey = _journey()
    cases = [
        Case("the scores of 'journey'", (journey @ journey[1],)),
        Case("scores [1.0, 2.0, 3.0]", (torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),)),
        Case("a single score [0.7]", (torch.tensor([0.7], dtype=torch.float64),)),
        Case(
            "negative scores [-3.0, -1.0, -2.0, -5.0]",
            (torch.tensor([-3.0, -1.0, -2.0, -5.0], dtype=torch.float64),),
        ),
        Case(
            "large scores [1000.0, 999.0, 990.0]",
            (torch.tensor([1000.0, 999.0, 990.0], dtype=torch.float64),),
        ),
        Case(
            "very negative scores [-1000.0, -1001.0]",
            (torch.tensor([-1000.0, -1001.0], dtype=torch.float64),),
        ),
    ]
    return run_check(
        "softmax",
        your_softmax,
        attention.softmax,
        cases,
        hint="exp(s_i - max(s)) / sum_j exp(s_j - max(s)). Subtracting the largest score keeps "
        "exp() at most 1: without it, exp(1000) overflows to inf and inf / inf gives nan.",
        mistakes=[
            Mistake(
                lambda s: s / s.sum(),
                "that divides the scores by their sum; softmax exponentiates them first, "
                "so the weights are positive even for negative scores.",
            ),
            Mistake(
                lambda s: torch.exp(s - s.max()),
                "after exp(), divide by the sum so that the weights add up to 1.",
            ),
            Mistake(
                _exp_over_plain_sum,
                "shift the scores in the denominator too: divide by the sum of "
                "exp(s_j - max(s)), not of exp(s_j).",
            ),
        ],
    )


def check_context_vector(your_context_vector) -> Verdict:
    """your_context_vector(query, inputs) -> context vector (d,) of query (d,) over inputs (n, d).

    Weight-free attention: scores are dot products with every input, weights their softmax, and
    the context vector the weighted sum of the inputs.
    """
    journey, police = _journey(), _police_fine()
    cases = [
        Case("the query 'with' in 'Your journey starts with one step'", (journey[3], journey)),
        Case("the query 'step'", (journey[5], journey)),
        Case("'fine' in 'The police man gave me a fine'", (police[6], police)),
        Case("a random query against 5 random 4-d inputs", (_RANDOM[0] * 3, _RANDOM)),
    ]
    return run_check(
        "context_vector",
        your_context_vector,
        lambda q, x: attention.context_vectors(attention.attention_weights(q, x), x),
        cases,
        hint="scores = inputs @ query (one per token), weights = softmax(scores), then "
        "sum over i of weights[i] * inputs[i] (that is, weights @ inputs).",
        mistakes=[
            Mistake(
                lambda q, x: attention.softmax(x @ q),
                "those are the attention weights; the context vector is their weighted "
                "sum of the inputs: weights @ inputs.",
            ),
            Mistake(
                lambda q, x: (x @ q) @ x,
                "the raw scores were used as weights: apply softmax to them first.",
            ),
            Mistake(
                lambda q, x: ((x @ q) / (x @ q).sum()) @ x,
                "the scores were divided by their sum; use softmax, as attention does.",
            ),
            Mistake(
                lambda q, x: x.mean(dim=0),
                "that is the plain average of the inputs (equal weights); weight each input "
                "by the softmax of its score with the query.",
            ),
        ],
    )


def check_self_attention(your_self_attention) -> Verdict:
    """your_self_attention(inputs) -> all (n, d) context vectors of inputs (n, d) at once."""
    journey, police = _journey(), _police_fine()
    cases = [
        Case("'Your journey starts with one step'", (journey,)),
        Case("'The police man gave me a fine'", (police,)),
        Case("5 random 4-d inputs", (_RANDOM,)),
        Case("a single token", (_RANDOM[:1],)),
    ]
    return run_check(
        "self_attention",
        your_self_attention,
        attention.self_attention,
        cases,
        hint="scores = X @ X.T (n x n), weights = softmax over each row (dim=1), "
        "context = weights @ X.",
        mistakes=[
            Mistake(
                lambda x: attention.softmax(x @ x.T, dim=0) @ x,
                "the softmax ran down the columns (dim=0); each row, one query, must sum "
                "to 1: use dim=1 (or dim=-1).",
            ),
            Mistake(
                lambda x: attention.softmax(x @ x.T, dim=1),
                "those are the attention weights; multiply them by X to get the context vectors.",
            ),
            Mistake(
                lambda x: (x @ x.T) @ x,
                "the raw scores were used as weights: apply softmax to each row first.",
            ),
        ],
    )
