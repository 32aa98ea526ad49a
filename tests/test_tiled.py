"""Tiled attention and the online softmax, against torch's own attention and softmax."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import attention, tiled

TOLERANCE = {torch.float32: {"atol": 2e-5, "rtol": 1e-4}, torch.float64: {}}


def randn(*shape, seed=0, dtype=torch.float64, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=generator, dtype=dtype) * scale


@settings(max_examples=60, deadline=None)
@given(
    batch=st.integers(1, 2),
    heads=st.integers(1, 3),
    n_q=st.integers(1, 40),
    n_k=st.integers(1, 40),
    d_k=st.integers(1, 9),
    d_v=st.integers(1, 9),
    block_size=st.integers(1, 17),
    causal=st.booleans(),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    seed=st.integers(0, 2**16),
)
def test_equals_torch_on_random_4d_shapes(
    batch, heads, n_q, n_k, d_k, d_v, block_size, causal, dtype, seed
):
    q = randn(batch, heads, n_q, d_k, seed=seed, dtype=dtype)
    k = randn(batch, heads, n_k, d_k, seed=seed + 1, dtype=dtype)
    v = randn(batch, heads, n_k, d_v, seed=seed + 2, dtype=dtype)
    got = tiled.tiled_attention(q, k, v, causal=causal, block_size=block_size)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    assert got.dtype == dtype
    torch.testing.assert_close(got, expected, **TOLERANCE[dtype])


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(
    ("n_q", "n_k", "block_size"),
    [(1, 1, 4), (1, 9, 4), (300, 300, 64), (257, 130, 128), (70, 300, 32)],
)
def test_equals_torch_on_long_sequences_and_the_default_block(n_q, n_k, block_size, causal):
    q, k, v = (
        randn(1, 4, n, 16, seed=s, dtype=torch.float32) for s, n in enumerate((n_q, n_k, n_k))
    )
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    for size in (block_size, tiled.DEFAULT_BLOCK_SIZE):
        got = tiled.tiled_attention(q, k, v, causal=causal, block_size=size)
        torch.testing.assert_close(got, expected, **TOLERANCE[torch.float32])


def test_large_scores_do_not_overflow():
    q = randn(2, 50, 8, scale=40.0)
    k, v = torch.cat([q, randn(2, 30, 8, seed=1, scale=40.0)], dim=1), randn(2, 80, 3, seed=2)
    got = tiled.tiled_attention(q, k, v, block_size=7)
    torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k, v))


def test_lower_ranks_broadcast_and_mixed_inputs_like_the_reference():
    q = randn(3, 5, 4)  # (batch, n_q, d_k)
    k, v = randn(1, 7, 4, seed=1), randn(7, 2, seed=2)  # batch 1 broadcasts; v has no batch
    expected = F.scaled_dot_product_attention(q, k.expand(3, 7, 4), v.expand(3, 7, 2))
    torch.testing.assert_close(tiled.tiled_attention(q, k, v, block_size=3), expected)
    as_lists = tiled.tiled_attention(q[0].tolist(), k[0].numpy(), v.numpy(), block_size=2)
    torch.testing.assert_close(as_lists, expected[0])
    assert tiled.tiled_attention(q.float(), k, v).dtype == torch.float64  # the wider dtype wins


def test_offered_by_the_attention_module_too():
    assert attention.tiled_attention is tiled.tiled_attention


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"q": torch.ones(5, 4, dtype=torch.int64)}, TypeError, "q must be a float tensor"),
        ({"q": randn(4)}, ValueError, "q must have shape"),
        ({"k": randn(6, 3)}, ValueError, "d_k"),
        ({"v": randn(5, 2)}, ValueError, "n_k"),
        ({"v": randn(3, 6, 2)}, ValueError, "batch"),
        ({"q": [[1.0, float("nan"), 0.0, 0.0]]}, ValueError, "q contains NaN"),
        (
            {"q": randn(2, 5, 4, scale=1e200), "k": randn(2, 6, 4, scale=1e200)},
            ValueError,
            "scores overflowed",
        ),
        ({"causal": 1}, TypeError, "causal must be True or False"),
        ({"block_size": 0}, ValueError, "block_size must be at least 1"),
        ({"block_size": 2.5}, TypeError, "block_size must be a whole number"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, message):
    args = {"q": randn(2, 5, 4), "k": randn(2, 6, 4), "v": randn(2, 6, 2)} | kwargs
    with pytest.raises(error, match=message):
        tiled.tiled_attention(**args)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), chunk=st.integers(1, 60), scale=st.sampled_from([1.0, 300.0]))
def test_online_stats_give_torch_softmax_in_one_pass(n, chunk, scale):
    scores = randn(3, n, seed=n, scale=scale)
    state = tiled.online_softmax_stats(scores, chunk)
    torch.testing.assert_close(state.max, scores.amax(-1, keepdim=True))
    torch.testing.assert_close(torch.exp(scores - state.max) / state.sum, torch.softmax(scores, -1))
    assert state.output is None


def test_online_updates_over_blocks_equal_softmax_times_values():
    scores, values = randn(4, 23, scale=10.0), randn(23, 5, seed=1)
    state = None
    for start in range(0, 23, 6):
        state = tiled.online_softmax_update(
            state, scores[:, start : start + 6], values[start : start + 6]
        )
    torch.testing.assert_close(state.output / state.sum, torch.softmax(scores, -1) @ values)


def test_online_stats_reject_bad_input():
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        tiled.online_softmax_stats(np.ones(3), 0)
    with pytest.raises(TypeError, match="scores must hold numbers"):
        tiled.online_softmax_stats(["a", "b"], 1)


def test_peak_extra_bytes_counts_what_is_held_at_once():
    def two_then_one():
        a, b = torch.empty(1000), torch.empty(500, dtype=torch.float64)  # 4000 + 4000 bytes
        del a, b
        return torch.empty(250)  # 1000 bytes, the result

    assert tiled.peak_extra_bytes(two_then_one) == 8000
    assert tiled.peak_extra_bytes(torch.empty, 10, dtype=torch.float64) == 80


def test_tiled_attention_holds_one_block_of_scores_and_the_output():
    q, k, v = (randn(2, 3, 300, 8, seed=s, dtype=torch.float32) for s in range(3))
    output, block = 2 * 3 * 300 * 8 * 4, 2 * 3 * 64 * 64 * 4
    plain = tiled.peak_extra_bytes(attention.scaled_dot_product_attention, q, k, v)
    tiled_peak = tiled.peak_extra_bytes(tiled.tiled_attention, q, k, v, block_size=64)
    assert output + block <= tiled_peak < output + 2 * block
    assert plain >= 2 * 3 * 300 * 300 * 4  # the reference holds all the scores
