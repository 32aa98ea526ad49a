"""helpers.attention (first part) against torch built-ins and plain matrix products."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers import attention

# Seed numbers from the issue: the query "journey" (row 1) and "starts" (row 2).
JOURNEY = torch.tensor(
    [
        [0.43, 0.15, 0.89],
        [0.55, 0.87, 0.66],
        [0.57, 0.85, 0.64],
        [0.22, 0.58, 0.33],
        [0.77, 0.25, 0.10],
        [0.05, 0.80, 0.55],
    ]
)

moderate = st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=64)


def shapes(min_dims=1, max_dims=3):
    return st.lists(st.integers(1, 6), min_size=min_dims, max_size=max_dims).map(tuple)


def random_tensor(*shape, seed=0, dtype=torch.float64):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# --- softmax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dim"),
    [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 2, 3, 5), -1)],
)
def test_softmax_matches_torch_softmax(shape, dim):
    scores = random_tensor(*shape, seed=len(shape)) * 5
    torch.testing.assert_close(attention.softmax(scores, dim=dim), torch.softmax(scores, dim=dim))


def test_softmax_defaults_to_the_last_axis():
    scores = random_tensor(3, 4)
    torch.testing.assert_close(attention.softmax(scores), torch.softmax(scores, dim=1))


def test_naive_softmax_matches_torch_on_small_scores():
    scores = random_tensor(4, 6, seed=3)
    for dim in (0, 1):
        torch.testing.assert_close(
            attention.naive_softmax(scores, dim=dim), torch.softmax(scores, dim=dim)
        )


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, shapes(), elements=moderate), st.integers(0, 2))
def test_softmax_slices_are_positive_and_sum_to_one(scores, dim):
    dim = dim % scores.ndim
    weights = attention.softmax(scores, dim=dim)
    assert torch.all(weights >= 0)
    torch.testing.assert_close(
        weights.sum(dim=dim), torch.ones(np.delete(scores.shape, dim).tolist(), dtype=torch.float64)
    )


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, shapes(), elements=moderate), st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_shift(scores, shift):
    torch.testing.assert_close(
        attention.softmax(scores + shift), attention.softmax(scores), atol=1e-9, rtol=1e-7
    )


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, shapes(), elements=st.sampled_from([-1e4, 1e4, 0.0, 3.5, -7.0])))
def test_softmax_stays_finite_and_correct_for_huge_scores(scores):
    weights = attention.softmax(scores)
    assert torch.isfinite(weights).all()
    torch.testing.assert_close(weights, torch.softmax(torch.from_numpy(scores), dim=-1))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_naive_softmax_overflows_where_the_stable_one_does_not(dtype):
    scores = torch.tensor([1.0, 1000.0, 999.0], dtype=dtype)
    assert torch.isnan(attention.naive_softmax(scores)).any()
    torch.testing.assert_close(attention.softmax(scores), torch.softmax(scores, dim=0))


def test_softmax_gives_masked_scores_zero_weight():
    scores = torch.tensor([[0.5, float("-inf"), 1.0], [2.0, 1.0, float("-inf")]])
    expected = torch.softmax(scores, dim=-1)
    torch.testing.assert_close(attention.softmax(scores), expected)
    assert attention.softmax(scores)[0, 1] == 0


def test_softmax_refuses_a_slice_that_is_all_masked():
    scores = torch.tensor([[float("-inf"), float("-inf")], [1.0, 2.0]])
    with pytest.raises(ValueError, match="at least one score that is not -inf"):
        attention.softmax(scores)


# --- scores, weights, context vectors --------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "d"), [(1, 1, 1), (3, 5, 4), (6, 6, 3), (7, 2, 8)])
def test_scores_weights_and_context_match_plain_matmuls(m, n, d):
    queries, keys = random_tensor(m, d, seed=1), random_tensor(n, d, seed=2)
    values = random_tensor(n, 5, seed=3)
    scores = attention.attention_scores(queries, keys)
    torch.testing.assert_close(scores, torch.matmul(queries, keys.transpose(0, 1)))
    weights = attention.attention_weights(queries, keys)
    torch.testing.assert_close(weights, torch.softmax(queries @ keys.T, dim=1))
    torch.testing.assert_close(
        attention.context_vectors(weights, values), torch.einsum("mn,nv->mv", weights, values)
    )


def test_one_query_gives_vectors_not_matrices():
    scores = attention.attention_scores(JOURNEY[1], JOURNEY)
    assert scores.shape == (6,)
    torch.testing.assert_close(scores, torch.mv(JOURNEY, JOURNEY[1]))
    weights = attention.attention_weights(JOURNEY[1], JOURNEY)
    context = attention.context_vectors(weights, JOURNEY)
    assert context.shape == (3,)
    torch.testing.assert_close(context, (weights[:, None] * JOURNEY).sum(dim=0))


def test_self_attention_matches_torch_scaled_dot_product_attention_without_scaling():
    inputs = random_tensor(5, 4, seed=4)
    expected = F.scaled_dot_product_attention(inputs, inputs, inputs, scale=1.0)
    torch.testing.assert_close(attention.self_attention(inputs), expected)


def test_seed_numbers_for_journey_and_starts():
    weights = attention.attention_weights(JOURNEY, JOURNEY)
    context = attention.self_attention(JOURNEY)
    expected_weights = {
        1: [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581],
        2: [0.1390, 0.2369, 0.2326, 0.1242, 0.1108, 0.1565],
    }
    expected_context = {1: [0.4419, 0.6515, 0.5683], 2: [0.4431, 0.6496, 0.5671]}
    for row in (1, 2):
        np.testing.assert_allclose(weights[row], expected_weights[row], atol=5e-5)
        np.testing.assert_allclose(context[row], expected_context[row], atol=5e-5)
    assert JOURNEY.dtype == weights.dtype == context.dtype == torch.float32
    assert int(weights[2].argmin()) == 4, "the query 'starts' attends least to 'one'"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 4), st.randoms(use_true_random=False))
def test_self_attention_is_permutation_equivariant(n, d, rng):
    inputs = random_tensor(n, d, seed=rng.randrange(10_000))
    order = torch.tensor(rng.sample(range(n), n))
    torch.testing.assert_close(
        attention.self_attention(inputs[order]), attention.self_attention(inputs)[order]
    )


def test_weight_free_scores_are_symmetric():
    scores = attention.attention_scores(JOURNEY, JOURNEY)
    torch.testing.assert_close(scores, scores.T)


def test_inputs_may_be_numpy_arrays_or_nested_lists():
    as_list = JOURNEY.double().tolist()
    from_list = attention.self_attention(as_list)
    from_array = attention.self_attention(np.array(as_list))
    assert from_list.dtype == from_array.dtype == torch.float64
    torch.testing.assert_close(from_list, attention.self_attention(JOURNEY.double()))
    torch.testing.assert_close(from_array, from_list)
    float32_array = attention.softmax(np.array([1.0, 2.0], dtype=np.float32))
    assert float32_array.dtype == torch.float32


def test_mixed_float_dtypes_are_promoted():
    scores = attention.attention_scores(JOURNEY[1], JOURNEY.double())
    assert scores.dtype == torch.float64


# --- cosine similarity -----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2,), (3,), (4, 5)])
def test_cosine_similarity_matches_torch(shape):
    a, b = random_tensor(*shape, seed=5), random_tensor(*shape, seed=6)
    torch.testing.assert_close(attention.cosine_similarity(a, b), F.cosine_similarity(a, b, dim=-1))


def test_cosine_similarity_of_the_two_fines():
    fine_police = [0.41482016, 0.22562172]
    fine_feeling = [0.23577608, 0.52729733]
    assert f"{attention.cosine_similarity(fine_police, fine_feeling):.4f}" == "0.7948"


def test_cosine_similarity_of_a_zero_vector_is_refused():
    with pytest.raises(ValueError, match="zero vector"):
        attention.cosine_similarity([0.0, 0.0], [1.0, 2.0])


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: attention.softmax(torch.tensor(1.0)), ValueError, r"\(\.\.\., n\)"),
        (lambda: attention.softmax(torch.ones(1, 1, 1, 1, 1)), ValueError, r"\(\.\.\., n\)"),
        (lambda: attention.softmax([]), ValueError, "must not be empty"),
        (lambda: attention.softmax([1.0, float("nan")]), ValueError, "NaN or infinite"),
        (lambda: attention.softmax(torch.tensor([1.0, float("inf")])), ValueError, "NaN or inf"),
        (lambda: attention.softmax(torch.tensor([1, 2])), TypeError, "float tensor"),
        (lambda: attention.softmax([True, False]), TypeError, "torch.bool"),
        (lambda: attention.softmax(["a", "b"]), TypeError, "numbers"),
        (lambda: attention.softmax([1.0, 2.0], dim=1), ValueError, "out of range"),
        (lambda: attention.softmax([1.0, 2.0], dim=0.5), TypeError, "dim must be an int"),
        (lambda: attention.naive_softmax(torch.ones(2, 2), dim=2), ValueError, "out of range"),
        (
            lambda: attention.attention_scores(torch.ones(3), torch.ones(4, 2)),
            ValueError,
            r"same embedding size d.*\(3,\).*\(4, 2\)",
        ),
        (
            lambda: attention.attention_scores(torch.ones(2, 2, 3), torch.ones(4, 3)),
            ValueError,
            r"\(m, d\)",
        ),
        (lambda: attention.attention_scores(torch.ones(3), torch.ones(3)), ValueError, r"\(n, d\)"),
        (
            lambda: attention.attention_scores(torch.ones(3), torch.ones(0, 3)),
            ValueError,
            "must not be empty",
        ),
        (
            lambda: attention.attention_scores(torch.ones(3, dtype=torch.int64), torch.ones(2, 3)),
            TypeError,
            "queries must be a float tensor",
        ),
        (
            lambda: attention.context_vectors(torch.ones(4), torch.ones(3, 2)),
            ValueError,
            r"one weight per value.*\(4,\).*\(3, 2\)",
        ),
        (
            lambda: attention.context_vectors(torch.ones(3), torch.ones(3)),
            ValueError,
            r"\(n, d_v\)",
        ),
        (lambda: attention.self_attention(torch.ones(3)), ValueError, r"\(n, d\)"),
        (lambda: attention.self_attention([[1.0, 2.0], [3.0]]), ValueError, "rectangular"),
        (
            lambda: attention.self_attention(torch.ones(2, 2, dtype=torch.bool)),
            TypeError,
            "torch.bool",
        ),
        (lambda: attention.self_attention([[1.0, float("inf")]]), ValueError, "NaN or infinite"),
        (
            lambda: attention.cosine_similarity([1.0, 2.0], [1.0, 2.0, 3.0]),
            ValueError,
            "same shape",
        ),
        (lambda: attention.cosine_similarity(1.0, 2.0), ValueError, r"\(d,\)"),
    ],
)
def test_bad_input_raises_an_error_naming_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()
