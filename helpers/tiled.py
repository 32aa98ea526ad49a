"""Attention without the n × n matrix: online softmax and tiled attention (notebook 07).

`helpers.attention.scaled_dot_product_attention` is the readable formula: it builds every score
q_i · k_j / √d_k at once, an (n_q, n_k) matrix per head. This module computes the same result a
block at a time, the way FlashAttention does, so that no more than one block of scores exists at
any moment:

- `online_softmax_stats` reads a vector of scores in chunks and keeps a running max and a running
  sum of exponentials, rescaling the sum whenever the max grows;
- `online_softmax_update` does the same for the weighted sum of values: the running output is
  rescaled by the same factor;
- `tiled_attention` loops over blocks of queries and, for each, over blocks of keys and values,
  applying that update; with `causal=True` it skips every block that lies wholly above the
  diagonal.

Memory grows like n instead of n²; the arithmetic is nearly the same, plus one rescale per
block (about half of it with a causal mask).
"""

import math
import weakref
from typing import NamedTuple

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves

from helpers._validate import as_tensor, positive_int

# Queries and keys per block. Measured (bench/RESULTS.md) on a 2-core CPU with one thread: one
# block of scores per head is 256 x 256 float32 = 256 kB, which stays in the L2 cache, and a
# block is large enough that Python's per-block overhead stays small against the arithmetic.
DEFAULT_BLOCK_SIZE = 256


class RunningSoftmax(NamedTuple):
    """The state of a one-pass softmax after some blocks of scores.

    max: (..., m, 1) the largest score seen so far in each row; sum: (..., m, 1) the sum of
    exp(score - max) over those scores; output: (..., m, d_v) the sum of exp(score - max) times
    the matching value vectors (None when there are no values). output / sum is the softmax-
    weighted average of the values seen so far.
    """

    max: torch.Tensor
    sum: torch.Tensor
    output: torch.Tensor | None = None


def online_softmax_update(state: RunningSoftmax | None, scores, values=None) -> RunningSoftmax:
    """Fold one block of scores (..., m, b), and its values (..., b, d_v), into `state`.

    `state` None starts a new pass. When the max grows from M to M', everything summed so far was
    exp(s - M) = exp(s - M') · exp(M' - M) too large: multiply the sum, and the output, by
    exp(M - M') < 1 before adding the new block.
    """
    block_max = scores.amax(dim=-1, keepdim=True)
    new_max = block_max if state is None else torch.maximum(state.max, block_max)
    exps = torch.exp(scores - new_max)
    block_sum = exps.sum(dim=-1, keepdim=True)
    block_output = None if values is None else exps @ values
    if state is None:
        return RunningSoftmax(new_max, block_sum, block_output)
    rescale = torch.exp(state.max - new_max)
    output = None if values is None else state.output * rescale + block_output
    return RunningSoftmax(new_max, state.sum * rescale + block_sum, output)


def online_softmax_stats(scores, chunk_size: int) -> RunningSoftmax:
    """Max and sum of exp(score - max) of scores (..., n), read in chunks of `chunk_size`.

    One pass over the scores, never more than one chunk in hand: softmax(scores) is then
    exp(scores - max) / sum. Equal to the stable softmax's shift and normalizer.
    """
    scores = as_tensor(scores, "scores", (1, 2, 3, 4), "(..., n)")
    chunk_size = positive_int(chunk_size, "chunk_size")
    state = None
    for start in range(0, scores.shape[-1], chunk_size):
        state = online_softmax_update(state, scores[..., start : start + chunk_size])
    return state


def tiled_attention(q, k, v, causal: bool = False, block_size: int = DEFAULT_BLOCK_SIZE):
    """softmax(q kᵀ / √d_k) v computed block by block, never holding the (n_q, n_k) scores.

    q: (..., n_q, d_k); k: (..., n_k, d_k); v: (..., n_k, d_v), with ranks 2 to 4 and leading
    (batch, heads) dimensions that broadcast. Returns (..., n_q, d_v), equal to
    `helpers.attention.scaled_dot_product_attention(q, k, v, causal=causal)` and to torch's
    `scaled_dot_product_attention(q, k, v, is_causal=causal)` up to rounding. `causal=True` lets
    query i attend to keys 0..i (aligned at the top left, like torch) and skips the blocks above
    the diagonal. `block_size`: queries, and keys, per block. The extra memory is the output plus
    one (block_size, block_size) block of scores per batch entry and head.

    Scores that overflow raise ValueError, as in the reference. Unlike the reference, this first
    version takes no boolean `mask`: only `causal`.
    """
    from helpers.attention import _checked_qkv, _finite, _flag  # here: attention imports us

    q, k, v = _checked_qkv(q, k, v)
    causal = _flag(causal, "causal")
    block_size = positive_int(block_size, "block_size")
    batch = np.broadcast_shapes(tuple(q.shape[:-2]), tuple(k.shape[:-2]), tuple(v.shape[:-2]))
    q, k, v = (t.expand(*batch, *t.shape[-2:]).reshape(-1, *t.shape[-2:]) for t in (q, k, v))
    n_q, n_k, scale = q.shape[-2], k.shape[-2], 1.0 / math.sqrt(q.shape[-1])
    out = q.new_empty(q.shape[0], n_q, v.shape[-1])
    for i0 in range(0, n_q, block_size):
        i1 = min(i0 + block_size, n_q)
        # Causal: query i sees keys 0..i, so this block of queries needs keys below i1 only.
        keys_needed = min(i1, n_k) if causal else n_k
        row_max = _attend_block(
            q[:, i0:i1], k, v, out[:, i0:i1], i0, keys_needed, causal, block_size, scale
        )
        _finite(row_max, "scores", "q and k")  # an inf or nan score makes its row's max one
    return out.reshape(*batch, n_q, v.shape[-1])


def _attend_block(q, k, v, out, i0, keys_needed, causal, block_size, scale) -> torch.Tensor:
    """One block of queries q (B, m, d_k) against k, v in blocks: writes out (B, m, d_v).

    The same update as `online_softmax_update`, done in place on the block's buffers: the scores
    become their exponentials, and the output accumulates in `out` itself. Returns the (B, m, 1)
    max score of each query's row.
    """
    running_max = running_sum = None
    for j0 in range(0, keys_needed, block_size):
        j1 = min(j0 + block_size, keys_needed)
        scores = torch.baddbmm(q.new_empty(()), q, k[:, j0:j1].transpose(1, 2), beta=0, alpha=scale)
        if causal and j1 - 1 > i0:  # the block straddles the diagonal: some key j > query i
            scores.masked_fill_(_future(i0, q.shape[1], j0, j1), float("-inf"))
        block_max = scores.amax(dim=-1, keepdim=True)
        new_max = block_max if running_max is None else torch.maximum(running_max, block_max)
        exps = scores.sub_(new_max).exp_()
        if running_max is None:
            running_sum = exps.sum(dim=-1, keepdim=True)
            out.baddbmm_(exps, v[:, j0:j1], beta=0)
        else:
            rescale = running_max.sub_(new_max).exp_()
            running_sum.mul_(rescale).add_(exps.sum(dim=-1, keepdim=True))
            out.mul_(rescale).baddbmm_(exps, v[:, j0:j1])
        running_max = new_max
        del scores, exps  # free this block before the next one is computed: one at a time
    out.div_(running_sum)
    return running_max


def peak_extra_bytes(function, *args, **kwargs) -> int:
    """The most memory held at once by tensors that `function(*args, **kwargs)` creates, in bytes.

    Every torch function called inside is watched (a TorchFunctionMode): each new block of
    memory a function returns is counted until it is released; views and in-place results share
    their input's memory and are not counted again. The result counts too. The same figure on
    every run, thread count and CPU. Not seen: scratch space a function allocates and frees
    inside itself (torch's fused attention keeps some per thread) and memory outside torch
    (BLAS's own buffers).
    """
    with _Allocations() as allocations:
        result = function(*args, **kwargs)
        del result
    return allocations.peak


class _Allocations(TorchFunctionMode):
    """Counts the bytes held by the new storages that torch functions return, and their peak."""

    def __init__(self):
        super().__init__()
        self.held = self.peak = 0
        self.live = set()  # data pointers of the storages counted and not yet released

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        inputs = {_pointer(t) for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)}
        for tensor in tree_leaves(result):
            if isinstance(tensor, torch.Tensor) and _pointer(tensor) not in inputs | self.live:
                storage = tensor.untyped_storage()
                self.live.add(storage.data_ptr())
                self.held += storage.nbytes()
                self.peak = max(self.peak, self.held)
                weakref.finalize(storage, self._release, storage.data_ptr(), storage.nbytes())
        return result

    def _release(self, pointer: int, nbytes: int) -> None:
        self.live.discard(pointer)
        self.held -= nbytes


def _pointer(tensor: torch.Tensor) -> int:
    return tensor.untyped_storage().data_ptr()


def _future(i0: int, m: int, j0: int, j1: int) -> torch.Tensor:
    """(m, j1 - j0) boolean: True where key j0 + c comes after query i0 + r (hidden if causal)."""
    rows = torch.arange(i0, i0 + m).unsqueeze(1)
    return torch.arange(j0, j1) > rows
