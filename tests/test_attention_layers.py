"""Scaled, masked and multi-head attention (helpers.attention, second part) against torch.

References: torch.nn.functional.scaled_dot_product_attention, torch.nn.MultiheadAttention with
copied weights, and autograd through both; seed 002 and seed 003's numbers.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import attention

ATOL = 1e-6
SIZE = st.integers(1, 5)


def random(generator, *shape):
    return torch.randn(*shape, generator=generator, dtype=torch.float64)


@st.composite
def qkv_shapes(draw):
    """Random (batch, heads) prefix, possibly empty, then n_q, n_k, d_k, d_v."""
    prefix = tuple(draw(st.lists(SIZE, max_size=2)))
    n_q, n_k, d_k, d_v = (draw(SIZE) for _ in range(4))
    return prefix, n_q, n_k, d_k, d_v


def draw_qkv(shapes, seed):
    prefix, n_q, n_k, d_k, d_v = shapes
    g = torch.Generator().manual_seed(seed)
    return (
        random(g, *prefix, n_q, d_k) * 3,
        random(g, *prefix, n_k, d_k) * 3,
        random(g, *prefix, n_k, d_v),
    )


@settings(max_examples=60, deadline=None)
@given(shapes=qkv_shapes(), seed=st.integers(0, 2**31), causal=st.booleans())
def test_matches_torch_with_and_without_causal(shapes, seed, causal):
    q, k, v = draw_qkv(shapes, seed)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    got = attention.scaled_dot_product_attention(q, k, v, causal=causal)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


@settings(max_examples=60, deadline=None)
@given(shapes=qkv_shapes(), seed=st.integers(0, 2**31), data=st.data())
def test_matches_torch_with_a_boolean_mask(shapes, seed, data):
    q, k, v = draw_qkv(shapes, seed)
    n_q, n_k = shapes[1], shapes[2]
    # Broadcast over the batch (n_q, n_k), or one mask per batch entry.
    mask_shape = data.draw(st.sampled_from([(n_q, n_k), (*shapes[0], n_q, n_k), (1, n_k)]))
    mask = torch.rand(mask_shape, generator=torch.Generator().manual_seed(seed)) < 0.6
    mask[..., data.draw(st.integers(0, n_k - 1))] = True  # no fully masked row: see below
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    got = attention.scaled_dot_product_attention(q, k, v, mask=mask)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    weights = attention.scaled_attention_weights(q, k, mask=mask)
    assert (weights[~mask.expand_as(weights)] == 0).all(), "a masked key got some weight"
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1], dtype=q.dtype))


@settings(max_examples=30, deadline=None)
@given(shapes=qkv_shapes(), seed=st.integers(0, 2**31))
def test_mask_and_causal_combine_like_torch_with_both_masks_anded(shapes, seed):
    q, k, v = draw_qkv(shapes, seed)
    n_q, n_k = shapes[1], shapes[2]
    mask = torch.rand(n_q, n_k, generator=torch.Generator().manual_seed(seed)) < 0.7
    mask[:, 0] = True  # key 0 is visible to every query under the causal mask too
    causal = torch.ones(n_q, n_k, dtype=torch.bool).tril()
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask & causal)
    got = attention.scaled_dot_product_attention(q, k, v, mask=mask, causal=True)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


def test_causal_mask_is_torchs_top_left_lower_triangle():
    expected = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=torch.bool)
    assert torch.equal(attention.causal_mask(3, 4), expected)
    assert torch.equal(attention.causal_mask(4), torch.tril(torch.ones(4, 4)).bool())


@settings(max_examples=30, deadline=None)
@given(shapes=qkv_shapes(), seed=st.integers(0, 2**31), causal=st.booleans())
def test_gradients_match_torch(shapes, seed, causal):
    ours = [t.clone().requires_grad_() for t in draw_qkv(shapes, seed)]
    theirs = [t.detach().clone().requires_grad_() for t in ours]
    upstream = random(
        torch.Generator().manual_seed(seed + 1), *ours[0].shape[:-1], ours[2].shape[-1]
    )
    (attention.scaled_dot_product_attention(*ours, causal=causal) * upstream).sum().backward()
    (F.scaled_dot_product_attention(*theirs, is_causal=causal) * upstream).sum().backward()
    for mine, reference in zip(ours, theirs, strict=True):
        torch.testing.assert_close(mine.grad, reference.grad, atol=ATOL, rtol=0)


def test_unbatched_queries_broadcast_against_batched_keys():
    q = random(torch.Generator().manual_seed(0), 5, 4)
    g = torch.Generator().manual_seed(1)
    k, v = random(g, 2, 6, 4), random(g, 2, 6, 3)
    got = attention.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(got, F.scaled_dot_product_attention(q.expand(2, 5, 4), k, v))


def test_numpy_and_float32_inputs_and_dtype_promotion():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 5))
    got = attention.scaled_dot_product_attention(q, k, v)
    assert got.dtype == torch.float64 and got.shape == (3, 5)
    expected = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)))
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    mixed = attention.scaled_dot_product_attention(torch.tensor(q, dtype=torch.float32), k, v)
    assert mixed.dtype == torch.float64


def test_large_scores_do_not_overflow():
    q = torch.tensor([[1000.0, 0.0]])
    k = torch.tensor([[1000.0, 0.0], [0.0, 1000.0]])
    v = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    got = attention.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(got, torch.tensor([[1.0, 2.0]]))


# --- errors that name the expected shapes ---------------------------------------------------

Q, K, V = torch.ones(2, 5, 4), torch.ones(2, 6, 4), torch.ones(2, 6, 3)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: attention.scaled_dot_product_attention(Q, K[..., :3], V),
            ValueError,
            ["same last dimension d_k", "(2, 5, 4)", "(2, 6, 3)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(Q, K, V[:, :5]),
            ValueError,
            ["same number of tokens n_k", "n_k=6", "(2, 5, 3)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(Q, K, V, mask=torch.ones(5, 6)),
            TypeError,
            ["boolean", "(..., n_q, n_k) = (2, 5, 6)", "float32"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(
                Q, K, V, mask=torch.ones(5, 5, dtype=torch.bool)
            ),
            ValueError,
            ["(..., n_q, n_k) = (2, 5, 6)", "got shape (5, 5)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(Q[0], K[0], V[0], mask=[[True]] * 4),
            ValueError,
            ["(5, 6)", "got shape (4, 1)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(Q[0], K, V, causal=1),
            TypeError,
            ["causal must be True or False"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(torch.ones(3, 5, 4), K, V),
            ValueError,
            ["batch", "(3, 5, 4)", "(2, 6, 4)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(torch.ones(4), K, V),
            ValueError,
            ["(..., n_q, d_k)"],
        ),
        (
            lambda: attention.scaled_dot_product_attention(
                torch.ones(2, 5, 4, dtype=torch.int64), K, V
            ),
            TypeError,
            ["float", "int64"],
        ),
        (
            lambda: attention.MultiHeadAttention(10, 3),
            ValueError,
            ["divisible by num_heads", "d_model=10", "num_heads=3"],
        ),
        (lambda: attention.SelfAttention(3, 2, 0), ValueError, ["d_v must be at least 1"]),
        (lambda: attention.SelfAttention(3, 2, 2, seed=1.5), TypeError, ["seed"]),
        (
            lambda: attention.SelfAttention(3, 2, 2)(torch.ones(4, 5)),
            ValueError,
            ["(..., n, d_in=3)", "(4, 5)"],
        ),
        (
            lambda: attention.SelfAttention(3, 2, 2)(torch.ones(4, 3, dtype=torch.float64)),
            TypeError,
            ["float64", "float32"],
        ),
        (
            lambda: attention.MultiHeadAttention(4, 2)(torch.ones(3, 4), mask=torch.ones(3, 3)),
            TypeError,
            ["boolean"],
        ),
    ],
)
def test_bad_input_names_the_expected_shape(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("causal", [False, True])
def test_a_fully_masked_row_raises_instead_of_returning_nan(causal):
    mask = torch.ones(5, 6, dtype=torch.bool)
    mask[3] = False
    with pytest.raises(ValueError, match="query 3 attend to no key"):
        attention.scaled_dot_product_attention(Q, K, V, mask=mask, causal=causal)
    batched = torch.ones(2, 5, 6, dtype=torch.bool)
    batched[1, :, :2] = False  # with causal=True, query 0 of entry 1 now sees nothing
    call = lambda: attention.scaled_dot_product_attention(Q, K, V, mask=batched, causal=causal)  # noqa: E731
    if causal:
        with pytest.raises(ValueError, match=r"query 0 of batch entry \(1,\)"):
            call()
    else:
        assert torch.isfinite(call()).all()


def test_overflowing_scores_raise_instead_of_returning_nan():
    huge = torch.full((2, 3), 1e20)
    with pytest.raises(ValueError, match="overflowed"):
        attention.scaled_dot_product_attention(huge, huge, huge)


# --- the modules ------------------------------------------------------------------------------


def copy_into_torch(ours: attention.MultiHeadAttention, theirs: torch.nn.MultiheadAttention):
    """torch keeps W_q, W_k, W_v stacked in one (3 d_model, d_model) in_proj_weight, or in three
    q/k/v_proj_weight matrices when kdim or vdim differs from d_model; the biases stay stacked."""
    projections = (ours.W_query, ours.W_key, ours.W_value)
    with torch.no_grad():
        if theirs.in_proj_weight is not None:
            theirs.in_proj_weight.copy_(torch.cat([p.weight for p in projections]))
        else:
            for name, p in zip(("q", "k", "v"), projections, strict=True):
                getattr(theirs, f"{name}_proj_weight").copy_(p.weight)
        if theirs.in_proj_bias is not None:
            theirs.in_proj_bias.copy_(torch.cat([p.bias for p in projections]))
            theirs.out_proj.bias.copy_(ours.W_out.bias)
        theirs.out_proj.weight.copy_(ours.W_out.weight)


def torch_twin(ours: attention.MultiHeadAttention, **options) -> torch.nn.MultiheadAttention:
    """torch.nn.MultiheadAttention with the same sizes, options and weights, in float64."""
    d_model = ours.num_heads * ours.d_head
    theirs = torch.nn.MultiheadAttention(
        d_model, ours.num_heads, batch_first=True, dtype=torch.float64, **options
    )
    copy_into_torch(ours, theirs)
    return theirs


@settings(max_examples=40, deadline=None)
@given(
    batch=st.sampled_from([(), (1,), (3,)]),
    n=SIZE,
    d_head=st.integers(1, 4),
    num_heads=st.integers(1, 4),
    seed=st.integers(0, 2**31),
    causal=st.booleans(),
)
def test_multi_head_matches_torch_multihead_attention_and_its_gradients(
    batch, n, d_head, num_heads, seed, causal
):
    d_model = d_head * num_heads
    ours = attention.MultiHeadAttention(d_model, num_heads, causal=causal, seed=seed % 1000)
    ours = ours.double()
    theirs = torch_twin(ours)
    g = torch.Generator().manual_seed(seed)
    x = random(g, *batch, n, d_model).requires_grad_()
    x_theirs = x.detach().clone().requires_grad_()
    # nn.MultiheadAttention's boolean mask means the opposite: True = may NOT attend.
    blocked = ~attention.causal_mask(n) if causal else None
    expected, _ = theirs(x_theirs, x_theirs, x_theirs, attn_mask=blocked, need_weights=False)
    got = ours(x)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    upstream = random(g, *got.shape)
    (got * upstream).sum().backward()
    (expected * upstream).sum().backward()
    torch.testing.assert_close(x.grad, x_theirs.grad, atol=ATOL, rtol=0)
    in_proj_grad = torch.cat(
        [ours.W_query.weight.grad, ours.W_key.weight.grad, ours.W_value.weight.grad]
    )
    torch.testing.assert_close(in_proj_grad, theirs.in_proj_weight.grad, atol=ATOL, rtol=0)
    torch.testing.assert_close(
        ours.W_out.weight.grad, theirs.out_proj.weight.grad, atol=ATOL, rtol=0
    )


def test_multi_head_mask_matches_torch_with_the_inverted_convention():
    ours = attention.MultiHeadAttention(6, 3, seed=0).double()
    theirs = torch_twin(ours)
    x = random(torch.Generator().manual_seed(1), 2, 4, 6)
    allowed = torch.tensor([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]]).bool()
    expected, _ = theirs(x, x, x, attn_mask=~allowed, need_weights=False)
    torch.testing.assert_close(ours(x, mask=allowed), expected, atol=ATOL, rtol=0)
    weights = ours.attention_weights(x, mask=allowed)
    assert weights.shape == (2, 3, 4, 4)
    assert (weights[..., ~allowed] == 0).all()


@pytest.mark.parametrize(("d_model", "num_heads"), [(4, 1), (16, 4), (512, 8)])
def test_multi_head_has_as_many_parameters_as_torchs(d_model, num_heads):
    ours = attention.MultiHeadAttention(d_model, num_heads)
    theirs = torch.nn.MultiheadAttention(d_model, num_heads)
    assert (
        sum(p.numel() for p in ours.parameters())
        == sum(p.numel() for p in theirs.parameters())
        == 4 * d_model**2 + 4 * d_model
    )


@settings(max_examples=30, deadline=None)
@given(
    batch=st.sampled_from([(), (2,)]),
    n=SIZE,
    d_in=SIZE,
    d_k=SIZE,
    d_v=SIZE,
    seed=st.integers(0, 2**31),
    causal=st.booleans(),
)
def test_self_attention_matches_torch_on_its_own_projections(
    batch, n, d_in, d_k, d_v, seed, causal
):
    layer = attention.SelfAttention(d_in, d_k, d_v, causal=causal, seed=seed % 1000).double()
    x = random(torch.Generator().manual_seed(seed), *batch, n, d_in)
    q, k, v = x @ layer.W_query.weight.T, x @ layer.W_key.weight.T, x @ layer.W_value.weight.T
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    torch.testing.assert_close(layer(x), expected, atol=ATOL, rtol=0)
    weights = layer.attention_weights(x)
    assert weights.shape == (*batch, n, n)
    if causal:
        assert (weights.triu(1) == 0).all()


def test_seed_makes_initial_weights_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(7)
    before = torch.random.get_rng_state()
    first = attention.MultiHeadAttention(8, 2, seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    second = attention.MultiHeadAttention(8, 2, seed=3)
    other = attention.MultiHeadAttention(8, 2, seed=4)
    for a, b, c in zip(first.parameters(), second.parameters(), other.parameters(), strict=True):
        assert torch.equal(a, b)
        assert not torch.equal(a, c)
    torch.manual_seed(3)
    expected = torch.nn.Linear(8, 8).weight  # the first layer drawn after manual_seed(3)
    assert torch.equal(first.W_query.weight, expected)
    unseeded = [attention.SelfAttention(3, 2, 2).W_query.weight for _ in range(2)]
    assert not torch.equal(*unseeded)


# --- the seeds' numbers -------------------------------------------------------------------------


def test_seed_002_four_one_hot_words():
    np.random.seed(42)  # noqa: NPY002 (the seed notebook's legacy generator, on purpose)
    w_q, w_k, w_v = (np.random.randint(3, size=(3, 3)) for _ in range(3))  # noqa: NPY002
    words = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
    got = attention.scaled_dot_product_attention(words @ w_q, words @ w_k, words @ w_v)
    np.testing.assert_allclose(got[0].numpy(), [0.98522025, 1.74174051, 0.75652026], atol=1e-8)
    np.testing.assert_allclose(got[1].numpy(), [0.90965265, 1.40965265, 0.5], atol=1e-8)


def test_seed_003_life_is_short_as_a_self_attention_layer():
    torch.manual_seed(123)
    embedded = torch.nn.Embedding(6, 16)(torch.tensor([0, 4, 5, 2, 1, 3])).detach()
    np.testing.assert_allclose(embedded[0, :3].numpy(), [0.3374, -0.1778, -0.3035], atol=5e-5)
    torch.manual_seed(123)
    w_q, w_k, w_v = torch.rand(24, 16), torch.rand(24, 16), torch.rand(28, 16)
    layer = attention.SelfAttention(16, 24, 28)
    with torch.no_grad():
        layer.W_query.weight.copy_(w_q)
        layer.W_key.weight.copy_(w_k)
        layer.W_value.weight.copy_(w_v)
    context = layer(embedded)
    assert context.shape == (6, 28)
    queries, keys, values = embedded @ w_q.T, embedded @ w_k.T, embedded @ w_v.T
    weights_2 = torch.softmax(queries[1] @ keys.T / 24**0.5, dim=0)
    torch.testing.assert_close(context[1], weights_2 @ values, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(
        weights_2.numpy(), [0.2912, 0.0106, 0.0982, 0.0625, 0.4917, 0.0458], atol=5e-5
    )


# --- the options of MultiHeadAttention, each against torch.nn.MultiheadAttention ----------------


@settings(max_examples=30, deadline=None)
@given(
    batch=st.sampled_from([(), (2,)]),
    n_q=SIZE,
    n_k=SIZE,
    d_head=st.integers(1, 3),
    num_heads=st.integers(1, 3),
    kdim=st.one_of(st.none(), SIZE),
    vdim=st.one_of(st.none(), SIZE),
    bias=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_cross_attention_with_kdim_vdim_and_bias_matches_torch(
    batch, n_q, n_k, d_head, num_heads, kdim, vdim, bias, seed
):
    d_model = d_head * num_heads
    ours = attention.MultiHeadAttention(
        d_model, num_heads, bias=bias, kdim=kdim, vdim=vdim, seed=seed % 1000
    ).double()
    theirs = torch_twin(ours, bias=bias, kdim=kdim, vdim=vdim)
    g = torch.Generator().manual_seed(seed)
    query = random(g, *batch, n_q, d_model)
    key = random(g, *batch, n_k, kdim or d_model)
    value = random(g, *batch, n_k, vdim or d_model)
    expected, expected_weights = theirs(query, key, value, average_attn_weights=False)
    torch.testing.assert_close(ours(query, key, value), expected, atol=ATOL, rtol=0)
    weights = ours.attention_weights(query, key)
    assert weights.shape == (*batch, num_heads, n_q, n_k)
    torch.testing.assert_close(weights, expected_weights, atol=ATOL, rtol=0)


def test_bias_false_has_no_bias_and_counts_like_torch():
    ours = attention.MultiHeadAttention(8, 2, bias=False)
    theirs = torch.nn.MultiheadAttention(8, 2, bias=False)
    assert all(layer.bias is None for layer in (ours.W_query, ours.W_key, ours.W_value, ours.W_out))
    count = sum(p.numel() for p in ours.parameters())
    assert count == sum(p.numel() for p in theirs.parameters()) == 4 * 8 * 8


def test_self_attention_bias_switch_adds_a_bias_to_each_projection():
    layer = attention.SelfAttention(4, 3, 5, bias=True, seed=0).double()
    x = random(torch.Generator().manual_seed(2), 6, 4)
    q, k, v = (F.linear(x, p.weight, p.bias) for p in (layer.W_query, layer.W_key, layer.W_value))
    torch.testing.assert_close(layer(x), F.scaled_dot_product_attention(q, k, v), atol=ATOL, rtol=0)
    assert attention.SelfAttention(4, 3, 5).W_query.bias is None  # the default is unchanged


@settings(max_examples=30, deadline=None)
@given(lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4), seed=st.integers(0, 2**31))
def test_key_padding_mask_matches_torch_and_each_sequence_alone(lengths, seed):
    n, d_model = max(lengths), 6
    ours = attention.MultiHeadAttention(d_model, 2, seed=seed % 1000).double().eval()
    theirs = torch_twin(ours).eval()
    g = torch.Generator().manual_seed(seed)
    x = random(g, len(lengths), n, d_model)
    mask = attention.padding_mask(lengths, n)
    assert mask.shape == (len(lengths), 1, n) and mask.dtype == torch.bool
    got = ours(x, mask=mask)
    # torch's key_padding_mask is (batch, n) with True = padding, the other way round.
    expected, _ = theirs(x, x, x, key_padding_mask=~mask[:, 0], need_weights=False)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    for b, length in enumerate(lengths):  # the real tokens see nothing of the padding
        alone = ours(x[b, :length])
        torch.testing.assert_close(got[b, :length], alone, atol=ATOL, rtol=0)


def test_padding_mask_is_true_on_the_real_tokens():
    expected = torch.tensor([[[1, 1, 1, 0]], [[1, 0, 0, 0]], [[1, 1, 1, 1]]], dtype=torch.bool)
    for lengths in ([3, 1, 4], np.array([3, 1, 4]), torch.tensor([3, 1, 4])):
        assert torch.equal(attention.padding_mask(lengths, 4), expected)
    one = attention.padding_mask([np.int64(2)], np.int64(2))
    assert torch.equal(one, torch.ones(1, 1, 2, dtype=torch.bool))


def test_dropout_is_off_in_eval_mode_like_torch():
    ours = attention.MultiHeadAttention(8, 2, dropout=0.5, seed=0).double().eval()
    theirs = torch_twin(ours, dropout=0.5).eval()
    x = random(torch.Generator().manual_seed(3), 2, 5, 8)
    expected, _ = theirs(x, x, x, need_weights=False)
    torch.testing.assert_close(ours(x), expected, atol=ATOL, rtol=0)


def test_dropout_in_training_zeroes_weights_and_rescales_the_rest():
    """In training mode the output is W_out((dropout(weights)) @ v): rebuild it with the same
    random draws from F.dropout and compare."""
    ours = attention.MultiHeadAttention(8, 2, dropout=0.25, seed=0).double().train()
    x = random(torch.Generator().manual_seed(4), 3, 7, 8)
    torch.manual_seed(11)
    got = ours(x)
    torch.manual_seed(11)
    weights = F.dropout(ours.attention_weights(x), p=0.25, training=True)
    v = ours.W_value(x).unflatten(-1, (2, 4)).transpose(-3, -2)
    expected = ours.W_out((weights @ v).transpose(-3, -2).flatten(-2))
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    dropped = (weights == 0).double().mean().item()
    assert 0.1 < dropped < 0.4, "about a quarter of the weights should be zeroed"
    assert not torch.allclose(got, ours.eval()(x)), "dropout changed nothing in training mode"


def test_numpy_integers_are_accepted_as_sizes_and_seeds():
    layer = attention.MultiHeadAttention(np.int64(8), np.int32(2), seed=np.int64(5))
    same = attention.MultiHeadAttention(8, 2, seed=5)
    assert torch.equal(layer.W_query.weight, same.W_query.weight)
    assert torch.equal(attention.causal_mask(np.int64(3)), attention.causal_mask(3))


def test_initialisation_is_nn_linears_and_differs_from_torchs_as_documented():
    ours = attention.MultiHeadAttention(64, 4, kdim=16, seed=0)
    for layer in (ours.W_query, ours.W_key, ours.W_value, ours.W_out):
        bound = 1 / layer.in_features**0.5  # nn.Linear: uniform in ±1/√fan_in, bias included
        assert layer.weight.abs().max() <= bound and layer.bias.abs().max() <= bound
        assert layer.bias.abs().max() > 0
    theirs = torch.nn.MultiheadAttention(64, 4)
    assert (theirs.in_proj_bias == 0).all() and (theirs.out_proj.bias == 0).all()
    xavier = (6 / (64 + 3 * 64)) ** 0.5  # Xavier-uniform over the stacked (3 d, d) matrix
    assert theirs.in_proj_weight.abs().max() <= xavier
