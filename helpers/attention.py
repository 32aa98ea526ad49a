"""Attention by hand: softmax, scores, weights, context vectors (notebooks 02 and 03).

Every function takes torch tensors and also accepts numpy arrays and nested lists. Results are
torch tensors in the floating dtype of the input: a float32 tensor gives float32, a nested list of
Python floats (numpy's default) gives float64. When queries and keys differ in dtype, the wider
one wins. Shapes: n tokens with d-dimensional embeddings; m queries.
"""

from contextlib import contextmanager

import numpy as np
import torch

from helpers._validate import as_tensor, describe_shape, positive_int

# Any rank from a single vector of scores up to (batch, heads, m, n).
_SCORE_RANKS = (1, 2, 3, 4)


def _scores(scores, dim: int) -> torch.Tensor:
    """`scores` as a checked float tensor of rank 1 to 4, with `dim` a valid axis of it.

    -inf entries in a tensor or array are allowed (a masked position gets weight 0), as long as
    every slice along `dim` keeps at least one finite score; NaN and +inf are rejected.
    """
    if isinstance(scores, np.ndarray) and scores.dtype.kind == "f":
        scores = torch.from_numpy(scores)
    masked = None
    if isinstance(scores, torch.Tensor) and scores.is_floating_point():
        masked = torch.isneginf(scores)
        scores = scores.masked_fill(masked, 0.0)
    scores = as_tensor(scores, "scores", _SCORE_RANKS, "(..., n)")
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(
            f"dim must be an int (the axis to normalize over), got {type(dim).__name__}"
        )
    if not -scores.dim() <= dim < scores.dim():
        raise ValueError(
            f"dim={dim} is out of range for scores of shape {tuple(scores.shape)}: "
            f"use a value from {-scores.dim()} to {scores.dim() - 1}"
        )
    if masked is not None and masked.any():
        if masked.all(dim=dim).any():
            raise ValueError(
                f"every slice of scores along dim={dim} needs at least one score that is not "
                "-inf: softmax over nothing but masked positions is undefined"
            )
        scores = scores.masked_fill(masked, float("-inf"))
    return scores


def softmax(scores, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax of `scores`, shape (..., n), along `dim`; same shape out.

    Subtracting the largest score along `dim` first changes nothing mathematically (softmax
    ignores a constant shift) but keeps every exp() at most 1, so it cannot overflow. A score of
    -inf (a masked position) gets weight exactly 0.
    """
    scores = _scores(scores, dim)
    shifted = scores - scores.amax(dim=dim, keepdim=True)
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)


def naive_softmax(scores, dim: int = -1) -> torch.Tensor:
    """Textbook softmax exp(s) / sum(exp(s)) along `dim`, for teaching only.

    Same shape as `scores`. exp() overflows to inf for scores above about 88 (float32) or 709
    (float64), and inf / inf gives nan: use `softmax` instead.
    """
    scores = _scores(scores, dim)
    exps = torch.exp(scores)
    return exps / exps.sum(dim=dim, keepdim=True)


def _queries_and_keys(queries, keys) -> tuple[torch.Tensor, torch.Tensor]:
    """Checked queries (d,) or (m, d) and keys (n, d) of one common float dtype."""
    queries = as_tensor(queries, "queries", (1, 2), "(d,) for one query or (m, d) for m queries")
    keys = as_tensor(keys, "keys", 2, "(n, d)")
    if queries.shape[-1] != keys.shape[-1]:
        raise ValueError(
            f"queries and keys must have the same embedding size d: queries have shape "
            f"{tuple(queries.shape)} (d={queries.shape[-1]}), keys have shape "
            f"{tuple(keys.shape)} (d={keys.shape[-1]})"
        )
    dtype = torch.promote_types(queries.dtype, keys.dtype)
    return queries.to(dtype), keys.to(dtype)


def attention_scores(queries, keys) -> torch.Tensor:
    """Dot products of every query with every key: shape (n,) for one query, else (m, n).

    queries: (d,) or (m, d); keys: (n, d). Entry [i, j] is queries[i] · keys[j], so the whole
    matrix is queries @ keys.T.
    """
    queries, keys = _queries_and_keys(queries, keys)
    return queries @ keys.T


def attention_weights(queries, keys) -> torch.Tensor:
    """Softmax of the attention scores over the keys: shape (n,) or (m, n), each row sums to 1."""
    return softmax(attention_scores(queries, keys), dim=-1)


def context_vectors(weights, values) -> torch.Tensor:
    """Weighted sums of the value vectors: shape (d_v,) for weights (n,), else (m, d_v).

    weights: (n,) or (m, n), one weight per value (rows normally sum to 1); values: (n, d_v).
    Row i of the result is sum over j of weights[i, j] * values[j].
    """
    weights = as_tensor(weights, "weights", (1, 2), "(n,) for one query or (m, n) for m queries")
    values = as_tensor(values, "values", 2, "(n, d_v)")
    if weights.shape[-1] != values.shape[0]:
        raise ValueError(
            f"there must be one weight per value vector: weights have shape "
            f"{tuple(weights.shape)} (n={weights.shape[-1]}), values have shape "
            f"{tuple(values.shape)} (n={values.shape[0]})"
        )
    dtype = torch.promote_types(weights.dtype, values.dtype)
    return weights.to(dtype) @ values.to(dtype)


def self_attention(inputs) -> torch.Tensor:
    """Weight-free self-attention: every token is query, key and value at once.

    inputs: (n, d) embeddings. Returns the (n, d) context vectors softmax(X Xᵀ) X. Nothing is
    learned; notebook 03 adds trainable projections W_q, W_k, W_v.
    """
    inputs = as_tensor(inputs, "inputs", 2, "(n, d)")
    return context_vectors(attention_weights(inputs, inputs), inputs)


def cosine_similarity(a, b) -> torch.Tensor:
    """Cosine of the angle between vectors a and b, both (d,) or both (m, d) (row by row).

    Returns a 0-d tensor for two vectors, else shape (m,). Values lie in [-1, 1]: 1 for the same
    direction, 0 for perpendicular. Raises ValueError for a zero vector (it has no direction).
    """
    a = as_tensor(a, "a", (1, 2), "(d,) or (m, d)")
    b = as_tensor(b, "b", (1, 2), "(d,) or (m, d)")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, (d,) or (m, d): got {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )
    dtype = torch.promote_types(a.dtype, b.dtype)
    a, b = a.to(dtype), b.to(dtype)
    norms = torch.linalg.vector_norm(a, dim=-1) * torch.linalg.vector_norm(b, dim=-1)
    if (norms == 0).any():
        raise ValueError("cosine similarity is undefined for a zero vector (it has no direction)")
    return (a * b).sum(dim=-1) / norms


# --- Scaled, masked and multi-head attention (notebook 03) ---

# Batched inputs: (n, d), (batch, n, d) or (batch, heads, n, d).
_BATCH_RANKS = (2, 3, 4)


def causal_mask(n_queries: int, n_keys: int | None = None) -> torch.Tensor:
    """Boolean mask of shape (n_queries, n_keys): True where query i may attend to key j <= i.

    Token i sees itself and the tokens before it, never the ones after. Square when n_keys is
    omitted; aligned at the top left like torch's `is_causal=True`.
    """
    n_queries = positive_int(n_queries, "n_queries")
    n_keys = n_queries if n_keys is None else positive_int(n_keys, "n_keys")
    return torch.ones(n_queries, n_keys, dtype=torch.bool).tril()


def scaled_attention_weights(q, k, mask=None, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d_k) over the keys, shape (..., n_q, n_k); masked keys get weight 0.

    q: (..., n_q, d_k); k: (..., n_k, d_k); leading (batch) dimensions broadcast. `mask`:
    boolean, broadcastable to (..., n_q, n_k), True where a query may attend to a key (torch's
    convention in `scaled_dot_product_attention`). `causal=True` also hides every key after its
    query (see `causal_mask`). A query left with no key at all raises ValueError: softmax over
    nothing is undefined, and a silent nan or zero row would hide the bug. So do scores that
    overflow to infinity.
    """
    exps = _shifted_exps(q, k, mask, causal)
    return exps / exps.sum(dim=-1, keepdim=True)


def _shifted_exps(q, k, mask, causal: bool) -> torch.Tensor:
    """exp(scores - row max) for the scaled, masked scores q kᵀ / √d_k, shape (..., n_q, n_k).

    Checked as described in `scaled_attention_weights`. Dividing each row by its sum gives the
    attention weights; the max is subtracted so that exp() cannot overflow (stable softmax).
    Every step after the matrix product works in place on the one (n_q, n_k) buffer: on long
    sequences, allocating fresh n x n buffers costs as much as the arithmetic.
    """
    q = as_tensor(q, "q", _BATCH_RANKS, "(..., n_q, d_k)")
    k = as_tensor(k, "k", _BATCH_RANKS, "(..., n_k, d_k)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same last dimension d_k: q has shape {describe_shape(q.shape)}"
            f" = (..., n_q, d_k={q.shape[-1]}), k has shape {describe_shape(k.shape)}"
            f" = (..., n_k, d_k={k.shape[-1]})"
        )
    dtype = torch.promote_types(q.dtype, k.dtype)
    batch = _batch_shape("q", q, "k", k)
    # Scaling q (n_q x d_k numbers) rather than the scores (n_q x n_k) saves a pass.
    q, k = q.to(dtype) / q.shape[-1] ** 0.5, k.to(dtype)
    scores = q @ k.transpose(-2, -1)
    allowed = _allowed(mask, causal, (*batch, q.shape[-2], k.shape[-2]))
    if allowed is not None:
        scores.masked_fill_(~allowed, float("-inf"))
    # Every row keeps an allowed key (checked above), so its max is finite unless a score
    # overflowed, which only norms too large to rule it out (Cauchy-Schwarz) can cause.
    row_max = scores.detach().amax(dim=-1, keepdim=True)
    if _may_overflow(q, k) and not torch.isfinite(row_max).all():
        raise ValueError(
            f"the scores overflowed: q and k hold values too large for {dtype} dot products"
        )
    # Softmax ignores a constant shift, so the max may be treated as a constant (detached).
    return scores.sub_(row_max).exp_()


def scaled_dot_product_attention(q, k, v, mask=None, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d_k) v: for every query, a weighted average of the value vectors.

    q: (..., n_q, d_k); k: (..., n_k, d_k); v: (..., n_k, d_v); leading dimensions broadcast.
    Returns (..., n_q, d_v). `mask` and `causal` as in `scaled_attention_weights` (True = may
    attend). Equals `torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
    is_causal=causal)`, except that a fully masked row raises ValueError here where torch
    quietly returns zeros (or nan, depending on its version).
    """
    exps = _shifted_exps(q, k, mask, causal)
    v = as_tensor(v, "v", _BATCH_RANKS, "(..., n_k, d_v)")
    if v.shape[-2] != exps.shape[-1]:
        raise ValueError(
            f"k and v must hold the same number of tokens n_k: k has n_k={exps.shape[-1]}, "
            f"v has shape {describe_shape(v.shape)} = (..., n_k={v.shape[-2]}, d_v)"
        )
    _batch_shape("q and k", exps, "v", v)
    dtype = torch.promote_types(exps.dtype, v.dtype)
    exps = exps.to(dtype)
    # (exps / row sums) @ v == (exps @ v) / row sums: dividing the (n_q, d_v) result instead of
    # the (n_q, n_k) weights gives the same numbers for less work (FlashAttention does this too).
    return (exps @ v.to(dtype)).div_(exps.sum(dim=-1, keepdim=True))


class SelfAttention(torch.nn.Module):
    """One attention head with trainable projections: x (..., n, d_in) -> (..., n, d_v).

    `W_query`, `W_key` (d_in -> d_k) and `W_value` (d_in -> d_v) are bias-free linear layers;
    each `.weight` has shape (d_out, d_in), so the queries are x @ W_query.weight.T. With an int
    `seed` the initial weights are the same on every run (torch's global random state is left as
    it was); with None they come from the global generator, like any torch layer.
    """

    def __init__(self, d_in: int, d_k: int, d_v: int, causal: bool = False, seed=None):
        super().__init__()
        d_in, d_k, d_v = (
            positive_int(d, name) for d, name in ((d_in, "d_in"), (d_k, "d_k"), (d_v, "d_v"))
        )
        self.causal = _flag(causal, "causal")
        with _seeded(seed):
            self.W_query = torch.nn.Linear(d_in, d_k, bias=False)
            self.W_key = torch.nn.Linear(d_in, d_k, bias=False)
            self.W_value = torch.nn.Linear(d_in, d_v, bias=False)

    def attention_weights(self, x, mask=None) -> torch.Tensor:
        """The (..., n, n) attention weights for x of shape (..., n, d_in); rows sum to 1."""
        x = _layer_input(x, self.W_query)
        return scaled_attention_weights(self.W_query(x), self.W_key(x), mask, self.causal)

    def forward(self, x, mask=None) -> torch.Tensor:
        """Context vectors (..., n, d_v) for x of shape (..., n, d_in); `mask` True = may attend."""
        x = _layer_input(x, self.W_value)
        q, k, v = self.W_query(x), self.W_key(x), self.W_value(x)
        return scaled_dot_product_attention(q, k, v, mask, self.causal)


class MultiHeadAttention(torch.nn.Module):
    """num_heads heads side by side: x (..., n, d_model) -> (..., n, d_model).

    Queries, keys and values are projected (`W_query`, `W_key`, `W_value`, each d_model ->
    d_model with bias), then split into num_heads slices of d_head = d_model // num_heads; each
    head attends on its own slice, the heads are concatenated and mixed by `W_out`. Same
    parameters as torch.nn.MultiheadAttention: 4 d_model² + 4 d_model, whatever num_heads is.
    `seed` as in `SelfAttention`.
    """

    def __init__(self, d_model: int, num_heads: int, causal: bool = False, seed=None):
        super().__init__()
        d_model = positive_int(d_model, "d_model")
        num_heads = positive_int(num_heads, "num_heads")
        if d_model % num_heads:
            raise ValueError(
                f"d_model must be divisible by num_heads, so that each head gets d_model // "
                f"num_heads dimensions: got d_model={d_model}, num_heads={num_heads}"
            )
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.causal = _flag(causal, "causal")
        with _seeded(seed):
            self.W_query = torch.nn.Linear(d_model, d_model)
            self.W_key = torch.nn.Linear(d_model, d_model)
            self.W_value = torch.nn.Linear(d_model, d_model)
            self.W_out = torch.nn.Linear(d_model, d_model)

    def attention_weights(self, x, mask=None) -> torch.Tensor:
        """Every head's weights, shape (..., num_heads, n, n), for x of shape (..., n, d_model).

        `mask`: boolean, broadcastable to (..., n, n), True = may attend; shared by all heads.
        """
        x = _layer_input(x, self.W_query)
        return scaled_attention_weights(
            self._heads(self.W_query(x)), self._heads(self.W_key(x)), _per_head(mask), self.causal
        )

    def forward(self, x, mask=None) -> torch.Tensor:
        """Outputs (..., n, d_model) for x of shape (..., n, d_model); `mask` True = may attend."""
        x = _layer_input(x, self.W_value)
        q, k, v = (self._heads(layer(x)) for layer in (self.W_query, self.W_key, self.W_value))
        heads = scaled_dot_product_attention(q, k, v, _per_head(mask), self.causal)
        return self.W_out(heads.transpose(-3, -2).flatten(-2))

    def _heads(self, projected: torch.Tensor) -> torch.Tensor:
        """(..., n, d_model) -> (..., num_heads, n, d_head): one slice of features per head."""
        return projected.unflatten(-1, (self.num_heads, self.d_head)).transpose(-3, -2)


def _per_head(mask):
    """A mask broadcastable to (..., n, n) made to broadcast over a heads dimension too."""
    if mask is None:
        return None
    mask = torch.as_tensor(mask)
    return mask.unsqueeze(-3) if mask.dim() >= 2 else mask  # the same for every head


def _may_overflow(q: torch.Tensor, k: torch.Tensor) -> bool:
    """False when no score q_i · k_j can overflow: |q_i · k_j| <= |q_i| |k_j| (Cauchy-Schwarz).

    Costs O((n_q + n_k) d) instead of a pass over the n_q x n_k weights, which is only needed
    when the norms are too large to rule an overflow out.
    """
    bound = q.norm(dim=-1).amax() * k.norm(dim=-1).amax()
    return not bool(bound < torch.finfo(q.dtype).max)


def _batch_shape(name_a: str, a: torch.Tensor, name_b: str, b: torch.Tensor) -> tuple[int, ...]:
    """The broadcast batch shape of a and b (all but their last two dimensions), checked."""
    try:
        return tuple(torch.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    except RuntimeError:
        raise ValueError(
            f"the leading (batch) dimensions of {name_a} and {name_b} must match or be 1: got "
            f"shapes {describe_shape(a.shape)} and {describe_shape(b.shape)}"
        ) from None


def _allowed(mask, causal: bool, shape: tuple[int, ...]) -> torch.Tensor | None:
    """`mask` (True = may attend) and, if `causal`, the causal mask; None when neither applies."""
    causal = _flag(causal, "causal")
    expected = f"(..., n_q, n_k) = {describe_shape(shape)}"
    allowed = None
    if mask is not None:
        allowed = torch.as_tensor(mask)
        if allowed.dtype != torch.bool:
            raise TypeError(
                f"mask must be a boolean tensor broadcastable to {expected}, True where a query "
                f"may attend; got dtype {allowed.dtype} (turn a 0/1 mask into one with .bool())"
            )
        try:
            fits = torch.broadcast_shapes(allowed.shape, shape) == torch.Size(shape)
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"mask must broadcast to the scores' shape {expected}, got shape "
                f"{describe_shape(allowed.shape)}"
            )
    if causal:
        triangle = causal_mask(shape[-2], shape[-1])
        allowed = triangle if allowed is None else allowed & triangle
    if allowed is not None and not allowed.any(dim=-1).all():
        *batch, row = (~allowed.any(dim=-1)).nonzero()[0].tolist()
        where = f" of batch entry {tuple(batch)}" if batch else ""
        raise ValueError(
            f"the mask lets query {row}{where} attend to no key at all: every query needs at "
            "least one True in its row of the mask, since softmax over no keys is undefined"
        )
    return allowed


def _layer_input(x, layer: torch.nn.Linear) -> torch.Tensor:
    """x as a checked tensor (n, d_in) or (batch, n, d_in) of the layer's dtype and width."""
    d_in = layer.in_features
    x = as_tensor(x, "x", (2, 3), f"(n, {d_in}) or (batch, n, {d_in})")
    if x.shape[-1] != d_in:
        raise ValueError(
            f"x must have shape (..., n, d_in={d_in}), got shape {describe_shape(x.shape)}"
        )
    if x.dtype != layer.weight.dtype:
        raise TypeError(
            f"x has dtype {x.dtype} but the layer's weights are "
            f"{layer.weight.dtype}: convert one, e.g. x.to({layer.weight.dtype})"
        )
    return x


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


@contextmanager
def _seeded(seed):
    """Inside, new layers draw their weights after torch.manual_seed(seed); None: no change.

    Torch's global random state is restored on exit, so a seeded layer leaves it alone.
    """
    if seed is None:
        yield
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TypeError(f"seed must be None or a whole number >= 0, got {seed!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
