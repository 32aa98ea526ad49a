"""Self-checks for notebook 06 (attention on real reviews): pooling over padded batches."""

import torch

from helpers.exercises._core import Case, Mistake, Verdict, run_check

_HARD_LENGTHS = torch.tensor([1, 4, 2])  # one review of a single token, one with no padding


def _vectors(batch: int, n: int, d: int, seed: int) -> torch.Tensor:
    """(batch, n, d) float64 standard normal vectors drawn with `seed`."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, n, d, generator=generator, dtype=torch.float64)


def _real(lengths, n: int) -> torch.Tensor:
    """(batch, n) booleans, True on the first lengths[b] positions of row b."""
    return torch.arange(n)[None, :] < torch.as_tensor(lengths)[:, None]


def _masked_mean(vectors, lengths) -> torch.Tensor:
    """Reference: the mean of each row's real vectors, one row at a time."""
    return torch.stack([v[: int(k)].mean(dim=0) for v, k in zip(vectors, lengths, strict=True)])


def check_masked_mean(your_function) -> Verdict:
    """your_function(vectors (batch, n, d), lengths (batch,)) -> (batch, d) means of real tokens."""
    padded = _vectors(3, 4, 5, seed=1)
    padded[~_real(_HARD_LENGTHS, 4)] = 0.0  # zero padding, as nn.Embedding(padding_idx) gives
    cases = [
        Case("3 reviews of lengths [1, 4, 2], zero padding", (padded, _HARD_LENGTHS)),
        Case(
            "3 reviews of lengths [1, 4, 2], padding that is not zero",
            (_vectors(3, 4, 5, seed=2), _HARD_LENGTHS),
        ),
        Case("one review of length 6, no padding", (_vectors(1, 6, 2, seed=3), torch.tensor([6]))),
    ]
    return run_check(
        "masked_mean",
        your_function,
        _masked_mean,
        cases,
        hint="sum the vectors of the real tokens only (positions j < lengths[b]) and divide by "
        "lengths[b]; the result has shape (batch, d).",
        mistakes=[
            Mistake(
                lambda v, k: v.mean(dim=1),
                "you averaged over all n positions, padding included: divide by each review's "
                "length, and leave the padding out of the sum.",
            ),
            Mistake(
                lambda v, k: v.sum(dim=1) / k[:, None],
                "you divided by the length but summed the padding too: when padding vectors are "
                "not zero, mask them out before summing.",
            ),
            Mistake(
                lambda v, k: (v * _real(k, v.shape[1])[:, :, None]).sum(dim=1),
                "that is the sum of the real vectors: divide it by the length.",
            ),
        ],
    )


def _pooling_weights(scores, lengths) -> torch.Tensor:
    """Reference: a softmax over each row's real scores, zeros after them, one row at a time."""
    rows = []
    for row, k in zip(scores, lengths, strict=True):
        real = row[: int(k)]
        weights = torch.exp(real - real.max())
        rows.append(torch.cat([weights / weights.sum(), torch.zeros(len(row) - int(k))]))
    return torch.stack(rows)


def _zeroed_after_softmax(scores, lengths) -> torch.Tensor:
    return torch.softmax(scores, dim=-1) * _real(lengths, scores.shape[1])


def check_pooling_weights(your_function) -> Verdict:
    """your_function(scores (batch, n), lengths (batch,)) -> (batch, n) weights, 0 on padding."""
    generator = torch.Generator().manual_seed(4)
    scores = torch.randn(3, 4, generator=generator, dtype=torch.float64)
    large = scores * 400  # exp() of these overflows unless the maximum is subtracted
    cases = [
        Case("scores (3, 4) with lengths [1, 4, 2]", (scores, _HARD_LENGTHS)),
        Case("large scores (up to about ±1000) with lengths [1, 4, 2]", (large, _HARD_LENGTHS)),
        Case(
            "one row of 5 scores, length 5",
            (scores.new_tensor([[3.0, 1, 0, -1, 2]]), torch.tensor([5])),
        ),
    ]
    return run_check(
        "pooling_weights",
        your_function,
        _pooling_weights,
        cases,
        hint="set the scores of the padding (positions j >= lengths[b]) to -inf, then take a "
        "softmax over the last dimension: each row sums to 1 over its real tokens.",
        mistakes=[
            Mistake(
                lambda s, k: torch.softmax(s, dim=-1),
                "the padding got weight: mask its scores with -inf before the softmax.",
            ),
            Mistake(
                _zeroed_after_softmax,
                "zeroing the padding after the softmax leaves rows that no longer sum to 1: "
                "mask the scores before the softmax instead.",
            ),
            Mistake(
                lambda s, k: torch.softmax(s, dim=0),
                "the softmax ran over the batch (dim 0); it must run over the tokens (dim -1).",
            ),
        ],
    )


def _cut_or_pad(id_lists, max_length, pad=0):
    """Reference: the first max_length ids of each list, then `pad`; and the counts kept."""
    lengths = [min(len(ids), max_length) for ids in id_lists]
    rows = [
        ids[:max_length] + [pad] * (max_length - k)
        for ids, k in zip(id_lists, lengths, strict=True)
    ]
    return torch.tensor(rows, dtype=torch.int64), torch.tensor(lengths, dtype=torch.int64)


def _as_pair(answer):
    """A learner's (ids, lengths) as one float tensor, so run_check can compare it."""
    if answer is None:
        return None  # run_check then asks whether `return` was forgotten
    ids, lengths = answer
    ids, lengths = torch.as_tensor(ids), torch.as_tensor(lengths)
    if ids.dim() != 2 or lengths.shape != (ids.shape[0],):
        raise ValueError(
            f"return (ids, lengths) with ids (batch, max_length) and lengths (batch,), got "
            f"shapes {tuple(ids.shape)} and {tuple(lengths.shape)}"
        )
    return torch.cat([ids, lengths[:, None]], dim=1).double()


def _padded_before(id_lists, max_length, pad=0):
    ids, lengths = _cut_or_pad(id_lists, max_length, pad)
    rows = [torch.cat([row[k:], row[:k]]) for row, k in zip(ids, lengths, strict=True)]
    return torch.stack(rows), lengths


def _uncut_lengths(id_lists, max_length, pad=0):
    ids, _ = _cut_or_pad(id_lists, max_length, pad)
    return ids, torch.tensor([len(x) for x in id_lists])


def check_cut_or_pad(your_function) -> Verdict:
    """your_function(id_lists, max_length, pad=0) -> (ids (batch, max_length), lengths (batch,))."""
    cases = [
        Case(
            "[[5, 6, 7], [8], [2, 3, 4, 5, 6, 9]] with max_length 4",
            ([[5, 6, 7], [8], [2, 3, 4, 5, 6, 9]], 4),
        ),
        Case("[[4, 4], [7, 8, 9]] with max_length 3 and pad=1", ([[4, 4], [7, 8, 9]], 3, 1)),
        Case("[[3, 1, 4, 1, 5]] with max_length 2", ([[3, 1, 4, 1, 5]], 2)),
    ]
    learner = (lambda *args: _as_pair(your_function(*args))) if callable(your_function) else None
    return run_check(
        "cut_or_pad",
        learner if learner is not None else your_function,
        lambda *args: _as_pair(_cut_or_pad(*args)),
        cases,
        hint="row i holds the first max_length ids of id_lists[i], then `pad` up to max_length; "
        "lengths[i] counts the real ids kept (at most max_length).",
        mistakes=[
            Mistake(
                lambda *args: _as_pair(_padded_before(*args)),
                "the padding goes after the real ids, not before them: the mask of notebook 03 "
                "marks the first lengths[b] positions as real.",
            ),
            Mistake(
                lambda *args: _as_pair(_uncut_lengths(*args)),
                "a cut review keeps only max_length real ids: its length is max_length, not the "
                "length of the original list.",
            ),
        ],
    )
