"""Notebook 06's self-checks: right answers pass, typical wrong ones get their own hint."""

import numpy as np
import pytest
import torch

from helpers import exercises


def not_attempted(*args):
    raise NotImplementedError


def mean_with_numpy(vectors, lengths):
    """An independent answer: numpy's masked arrays average the unmasked entries."""
    vectors = vectors.numpy()
    padding = np.arange(vectors.shape[1])[None, :] >= np.asarray(lengths)[:, None]
    masked = np.ma.masked_array(vectors, np.broadcast_to(padding[:, :, None], vectors.shape))
    return torch.from_numpy(masked.mean(axis=1).filled(np.nan))


def weights_with_torch_attention(scores, lengths):
    """An independent answer: torch's attention with one query whose scores are `scores`."""
    lengths = torch.as_tensor(lengths)
    batch, n = scores.shape
    keys = torch.eye(n, dtype=scores.dtype).expand(batch, n, n)
    query = (scores * n**0.5)[:, None, :]  # q·k_j / √n recovers scores[:, j]
    mask = (torch.arange(n)[None, :] < lengths[:, None])[:, None, :]
    values = torch.eye(n, dtype=scores.dtype).expand(batch, n, n)
    return torch.nn.functional.scaled_dot_product_attention(query, keys, values, mask)[:, 0]


def cut_or_pad_with_nn_utils(id_lists, max_length, pad=0):
    """An independent answer: torch's pad_sequence, then a cut to max_length columns."""
    tensors = [torch.tensor(ids[:max_length], dtype=torch.int64) for ids in id_lists]
    padded = torch.nn.utils.rnn.pad_sequence(tensors, batch_first=True, padding_value=pad)
    ids = torch.full((len(id_lists), max_length), pad, dtype=torch.int64)
    ids[:, : padded.shape[1]] = padded
    return ids, torch.tensor([len(t) for t in tensors])


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (exercises.check_masked_mean, mean_with_numpy),
        (exercises.check_pooling_weights, weights_with_torch_attention),
        (exercises.check_cut_or_pad, cut_or_pad_with_nn_utils),
    ],
)
def test_independent_answers_pass_and_unwritten_ones_are_not_attempted(check, answer):
    assert check(answer).passed, check(answer).message
    assert check(not_attempted).status == "not attempted"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda v, k: v.mean(dim=1), "all n positions"),
        (lambda v, k: v.sum(dim=1) / k[:, None], "summed the padding"),
        (lambda v, k: mean_with_numpy(v, k) * k[:, None], "divide it by the length"),
        (lambda v, k: mean_with_numpy(v, k) + 1, "sum the vectors of the real tokens"),
    ],
)
def test_masked_mean_hints(wrong, hint):
    verdict = exercises.check_masked_mean(wrong)
    assert verdict.status == "failed" and hint in verdict.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s, k: torch.softmax(s, dim=-1), "the padding got weight"),
        (
            lambda s, k: (
                torch.softmax(s, -1) * (torch.arange(s.shape[1]) < torch.as_tensor(k)[:, None])
            ),
            "no longer sum to 1",
        ),
        (lambda s, k: torch.softmax(s, dim=0), "over the batch"),
        (lambda s, k: torch.zeros_like(s), "-inf"),
    ],
)
def test_pooling_weights_hints(wrong, hint):
    verdict = exercises.check_pooling_weights(wrong)
    assert verdict.status == "failed" and hint in verdict.message


def test_the_large_scores_catch_a_softmax_without_the_max_subtracted():
    def naive(scores, lengths):
        real = torch.arange(scores.shape[1]) < torch.as_tensor(lengths)[:, None]
        exps = torch.exp(scores) * real
        return exps / exps.sum(dim=-1, keepdim=True)

    verdict = exercises.check_pooling_weights(naive)
    assert verdict.status == "failed" and "large scores" in verdict.message


def padded_before(id_lists, max_length, pad=0):
    ids, lengths = cut_or_pad_with_nn_utils(id_lists, max_length, pad)
    return torch.stack(
        [torch.roll(r, max_length - int(k)) for r, k in zip(ids, lengths, strict=True)]
    ), lengths


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (padded_before, "after the real ids"),
        (
            lambda x, m, pad=0: (
                cut_or_pad_with_nn_utils(x, m, pad)[0],
                torch.tensor([len(i) for i in x]),
            ),
            "its length is max_length",
        ),
        (lambda x, m, pad=0: cut_or_pad_with_nn_utils(x, m, 0), "row i holds the first"),
        (lambda x, m, pad=0: None, "forget `return`"),
        (lambda x, m, pad=0: (torch.zeros(2), torch.zeros(3)), "return (ids, lengths)"),
    ],
)
def test_cut_or_pad_hints(wrong, hint):
    verdict = exercises.check_cut_or_pad(wrong)
    assert verdict.status == "failed" and hint in verdict.message, verdict.message
