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


# Tokens of very different lengths: their scores run from 0 to 900, so a softmax that does not
# subtract each row's own maximum overflows (exp(900) = inf) or underflows (exp(-900) = 0).
_LOUD_AND_QUIET = torch.tensor([[30.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=torch.float64)


def _exp_over_plain_sum(s):
    return torch.exp(s - s.max()) / torch.exp(s).sum()


def _shifted_softmax(shift):
    """A softmax that subtracts shift(scores) instead of the largest score."""

    def softmax(s):
        exps = torch.exp(s - shift(s))
        return exps / exps.sum()

    return softmax


def _global_max_softmax(scores):
    """Subtracts the largest score of the whole matrix, then normalizes each row."""
    exps = torch.exp(scores - scores.max())
    return exps / exps.sum(dim=1, keepdim=True)


def _scores(values) -> tuple[torch.Tensor]:
    return (torch.tensor(values, dtype=torch.float64),)


def check_softmax(your_softmax) -> Verdict:
    """your_softmax(scores) -> softmax weights, for a float64 tensor of scores of shape (n,)."""
    journey = _journey()
    cases = [
        Case("the scores of 'journey'", (journey @ journey[1],)),
        Case("scores [1.0, 2.0, 3.0]", _scores([1.0, 2.0, 3.0])),
        Case("a single score [0.7]", _scores([0.7])),
        Case("negative scores [-3.0, -1.0, -2.0, -5.0]", _scores([-3.0, -1.0, -2.0, -5.0])),
        Case("large scores [1000.0, 999.0, 990.0]", _scores([1000.0, 999.0, 990.0])),
        Case("very negative scores [-1000.0, -1001.0]", _scores([-1000.0, -1001.0])),
        Case("widely spread scores [1000.0, 0.0]", _scores([1000.0, 0.0])),
        Case("widely spread scores [0.0, 1000.0]", _scores([0.0, 1000.0])),
        Case("widely spread scores [1000.0, -1000.0, 0.0]", _scores([1000.0, -1000.0, 0.0])),
    ]
    unstable = (
        " exp() of the largest score minus that number can still be huge: on these scores it "
        "overflows to inf, and inf / inf is nan. Only subtracting the largest score keeps every "
        "exp() at most 1."
    )
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
            Mistake(
                _shifted_softmax(lambda s: s[0]),
                "you subtracted the first score." + unstable,
            ),
            Mistake(
                _shifted_softmax(lambda s: s.min()),
                "you subtracted the smallest score." + unstable,
            ),
            Mistake(
                _shifted_softmax(lambda s: s.mean()),
                "you subtracted the mean score." + unstable,
            ),
            Mistake(
                lambda s: torch.exp(s) / torch.exp(s).sum(),
                "that is the naive softmax: exp(s) overflows to inf for large scores (and "
                "inf / inf gives nan), or underflows to 0 for very negative ones (0 / 0). "
                "Subtract the largest score first.",
            ),
        ],
        returns="tensor",
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
        Case(
            "the query [30, 0] against tokens of very different lengths (scores up to 900)",
            (_LOUD_AND_QUIET[0], _LOUD_AND_QUIET),
        ),
        Case(
            "the query [0, 1] against the same tokens (scores from 0 to 1)",
            (_LOUD_AND_QUIET[1], _LOUD_AND_QUIET),
        ),
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
            Mistake(
                lambda q, x: (torch.exp(x @ q) / torch.exp(x @ q).sum()) @ x,
                "the naive softmax exp(s) / sum(exp(s)) overflows to inf for a score of 900, "
                "and inf / inf is nan: subtract the largest score before exp().",
            ),
        ],
        returns="tensor",
    )


def check_self_attention(your_self_attention) -> Verdict:
    """your_self_attention(inputs) -> all (n, d) context vectors of inputs (n, d) at once."""
    journey, police = _journey(), _police_fine()
    cases = [
        Case("'Your journey starts with one step'", (journey,)),
        Case("'The police man gave me a fine'", (police,)),
        Case("5 random 4-d inputs", (_RANDOM,)),
        Case("a single token", (_RANDOM[:1],)),
        Case(
            "tokens of very different lengths [[30, 0], [0, 1], [0.5, 0.5]] (scores up to 900)",
            (_LOUD_AND_QUIET,),
        ),
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
            Mistake(
                lambda x: (torch.exp(x @ x.T) / torch.exp(x @ x.T).sum(dim=1, keepdim=True)) @ x,
                "the naive softmax overflows: exp(900) is inf, and inf / inf is nan. Subtract "
                "each row's largest score before exp().",
            ),
            Mistake(
                lambda x: _global_max_softmax(x @ x.T) @ x,
                "you subtracted the largest score of the whole matrix, then normalized each row. "
                "A row far below that maximum underflows: every exp() is 0, and 0 / 0 is nan. "
                "Subtract each row's own maximum: scores.amax(dim=1, keepdim=True).",
            ),
        ],
        returns="tensor",
    )
