"""Attention by hand: softmax, scores, weights, context vectors (notebooks 02 and 03).

Every function takes torch tensors and also accepts numpy arrays and nested lists. Results are
torch tensors in the floating dtype of the input: a float32 tensor gives float32, a nested list of
Python floats (numpy's default) gives float64. When queries and keys differ in dtype, the wider
one wins. Shapes: n tokens with d-dimensional embeddings; m queries.

The functions read as the formulas they implement; speed is the job of `tiled_attention`
(helpers/tiled.py, notebook 07), which computes the same thing without the n x n matrix.
"""

import math
from contextlib import contextmanager

import numpy as np
import torch

from helpers._validate import as_tensor, describe_shape, positive_int, scalar
from helpers._validate import seed as _seed

# Any rank from a single vector of scores up to (batch, heads, m, n).
_SCORE_RANKS = (1, 2, 3, 4)


def _scores(scores, dim) -> torch.Tensor:
    """`scores` as a checked float tensor of rank 1 to 4, with `dim` a valid axis of it.

    -inf entries are allowed (a masked position gets weight 0), in a list as in an array or a
    tensor, as long as every slice along `dim` keeps at least one finite score; NaN and +inf are
    rejected.
    """
    if not isinstance(scores, (torch.Tensor, np.ndarray, str, bytes)):
        try:
            scores = np.asarray(scores)
        except ValueError:  # ragged: as_tensor explains
            pass
    if isinstance(scores, np.ndarray) and scores.dtype.kind == "f":
        scores = torch.from_numpy(scores)
    masked = None
    if isinstance(scores, torch.Tensor) and scores.is_floating_point() and scores.numel():
        if torch.isneginf(scores.amin()):  # some positions are masked: check the others
            masked = torch.isneginf(scores)
    checked = as_tensor(
        scores if masked is None else scores.masked_fill(masked, 0.0),
        "scores",
        _SCORE_RANKS,
        "(..., n)",
    )
    dim = scalar(dim)
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"dim must be an int (the axis to normalize over), got {type(dim).__name__}"
        )
    dim = int(dim)
    if not -checked.dim() <= dim < checked.dim():
        raise ValueError(
            f"dim={dim} is out of range for scores of shape {tuple(checked.shape)}: "
            f"use a value from {-checked.dim()} to {checked.dim() - 1}"
        )
    if masked is None:
        return checked
    if masked.all(dim=dim).any():
        raise ValueError(
            f"every slice of scores along dim={dim} needs at least one score that is not "
            "-inf: softmax over nothing but masked positions is undefined"
        )
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


def _finite(result: torch.Tensor, what: str, inputs: str) -> torch.Tensor:
    """`result`, after checking that no entry overflowed to inf (or inf - inf = nan)."""
    if not torch.isfinite(result).all():
        raise ValueError(
            f"the {what} overflowed: {inputs} hold values too large for {result.dtype} "
            "arithmetic; scale them down first (e.g. divide by their largest entry)"
        )
    return result


def attention_scores(queries, keys) -> torch.Tensor:
    """Dot products of every query with every key: shape (n,) for one query, else (m, n).

    queries: (d,) or (m, d); keys: (n, d). Entry [i, j] is queries[i] · keys[j], so the whole
    matrix is queries @ keys.T.
    """
    queries, keys = _queries_and_keys(queries, keys)
    return _finite(queries @ keys.T, "scores", "queries and keys")


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
    return _finite(weights.to(dtype) @ values.to(dtype), "context vectors", "weights and values")


def self_attention(inputs) -> torch.Tensor:
    """Weight-free self-attention: every token is query, key and value at once.

    inputs: (n, d) embeddings. Returns the (n, d) context vectors softmax(X Xᵀ) X. Nothing is
    learned; notebook 03 adds trainable projections W_q, W_k, W_v.
    """
    inputs = as_tensor(inputs, "inputs", 2, "(n, d)")
    scores = _finite(inputs @ inputs.T, "scores", "inputs")
    return context_vectors(softmax(scores, dim=-1), inputs)


def cosine_similarity(a, b) -> torch.Tensor:
    """Cosine of the angle between vectors a and b, both (d,) or both (m, d) (row by row).

    Returns a 0-d tensor for two vectors, else shape (m,). Values lie in [-1, 1]: 1 for the same
    direction, 0 for perpendicular. Raises ValueError for a zero vector (it has no direction).
    Each vector is first divided by its largest entry: the angle stays the same, and neither
    huge (1e20 in float32) nor tiny (1e-200 in float64) entries can overflow or underflow.
    """
    a = as_tensor(a, "a", (1, 2), "(d,) or (m, d)")
    b = as_tensor(b, "b", (1, 2), "(d,) or (m, d)")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, (d,) or (m, d): got {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )
    dtype = torch.promote_types(a.dtype, b.dtype)
    a, b = _unit_scale(a.to(dtype), "a"), _unit_scale(b.to(dtype), "b")
    norms = torch.linalg.vector_norm(a, dim=-1) * torch.linalg.vector_norm(b, dim=-1)
    return ((a * b).sum(dim=-1) / norms).clamp(-1.0, 1.0)


def _unit_scale(x: torch.Tensor, name: str) -> torch.Tensor:
    """x (..., d) divided row by row by its largest absolute entry; refuses a zero vector."""
    largest = x.abs().amax(dim=-1, keepdim=True)
    if (largest == 0).any():
        raise ValueError(
            f"{name} holds a zero vector: cosine similarity is undefined for it (a zero vector "
            "has no direction)"
        )
    return x / largest


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


def padding_mask(lengths, n: int) -> torch.Tensor:
    """Boolean mask of shape (batch, 1, n): entry [b, 0, j] is True when j < lengths[b].

    A batch of sentences of different lengths is padded to a common length n; key j of sentence
    b is a real token (True, may be attended to) or padding (False). The middle dimension of 1
    broadcasts over the queries, so the mask fits scores of shape (batch, n_q, n).
    lengths: list, array or tensor of `batch` whole numbers, each from 1 to n.
    """
    n = positive_int(n, "n")
    if isinstance(lengths, (str, bytes)) or lengths is None:
        raise TypeError(f"lengths must be a list of whole numbers, got {type(lengths).__name__}")
    array = np.asarray(lengths.cpu() if isinstance(lengths, torch.Tensor) else lengths)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"lengths must have shape (batch,), one length per sequence, got shape "
            f"{describe_shape(array.shape)}"
        )
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"lengths must hold whole numbers (one length per sequence), got dtype {array.dtype}"
        )
    if array.min() < 1 or array.max() > n:
        raise ValueError(
            f"every length must lie between 1 and n={n} (a sequence needs at least one real "
            f"token and fits in n), got lengths {array.tolist()}"
        )
    return (torch.arange(n) < torch.from_numpy(array.astype(np.int64))[:, None])[:, None, :]


def _checked_qk(q, k) -> tuple[torch.Tensor, torch.Tensor]:
    """q (..., n_q, d_k) and k (..., n_k, d_k) checked, of one float dtype.

    Ranks 2 to 4; q and k share d_k, and their leading (batch) dimensions broadcast.
    """
    q = as_tensor(q, "q", _BATCH_RANKS, "(..., n_q, d_k)")
    k = as_tensor(k, "k", _BATCH_RANKS, "(..., n_k, d_k)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same last dimension d_k: q has shape {describe_shape(q.shape)}"
            f" = (..., n_q, d_k={q.shape[-1]}), k has shape {describe_shape(k.shape)}"
            f" = (..., n_k, d_k={k.shape[-1]})"
        )
    _batch_shape("q", q.shape, "k", k.shape)
    dtype = torch.promote_types(q.dtype, k.dtype)
    return q.to(dtype), k.to(dtype)


def _checked_qkv(q, k, v) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q (..., n_q, d_k), k (..., n_k, d_k) and v (..., n_k, d_v) checked, of one float dtype.

    As `_checked_qk`, and k and v share n_k; all leading (batch) dimensions broadcast.
    """
    q, k = _checked_qk(q, k)
    v = as_tensor(v, "v", _BATCH_RANKS, "(..., n_k, d_v)")
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"k and v must hold the same number of tokens n_k: k has n_k={k.shape[-2]}, "
            f"v has shape {describe_shape(v.shape)} = (..., n_k={v.shape[-2]}, d_v)"
        )
    _batch_shape("q and k", _scores_shape(q, k), "v", v.shape)
    dtype = torch.promote_types(q.dtype, v.dtype)
    return q.to(dtype), k.to(dtype), v.to(dtype)


def _scores_shape(q: torch.Tensor, k: torch.Tensor) -> tuple[int, ...]:
    """The shape (..., n_q, n_k) of the scores q kᵀ, batch dimensions broadcast."""
    return (*_batch_shape("q", q.shape, "k", k.shape), q.shape[-2], k.shape[-2])


def scaled_attention_weights(q, k, mask=None, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d_k) over the keys, shape (..., n_q, n_k); masked keys get weight 0.

    q: (..., n_q, d_k); k: (..., n_k, d_k); leading (batch) dimensions broadcast. `mask`:
    boolean, broadcastable to (..., n_q, n_k), True where a query may attend to a key (torch's
    convention in `scaled_dot_product_attention`). `causal=True` also hides every key after its
    query (see `causal_mask`). A query left with no key at all raises ValueError: softmax over
    nothing is undefined, and a silent nan or zero row would hide the bug. So do scores that
    overflow to infinity.
    """
    q, k = _checked_qk(q, k)
    allowed = _allowed(mask, causal, _scores_shape(q, k))
    d_k = q.shape[-1]
    scores = _finite(q @ k.transpose(-2, -1) / math.sqrt(d_k), "scores", "q and k")
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))  # exp(-inf) = 0: no weight
    return softmax(scores, dim=-1)


def scaled_dot_product_attention(q, k, v, mask=None, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d_k) v: for every query, a weighted average of the value vectors.

    q: (..., n_q, d_k); k: (..., n_k, d_k); v: (..., n_k, d_v); leading dimensions broadcast.
    Returns (..., n_q, d_v). `mask` and `causal` as in `scaled_attention_weights` (True = may
    attend). Equals `torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask,
    is_causal=causal)`, except that a fully masked row raises ValueError here, where torch's
    function quietly returns a row of zeros.
    """
    q, k, v = _checked_qkv(q, k, v)
    weights = scaled_attention_weights(q, k, mask, causal)
    return weights @ v


class SelfAttention(torch.nn.Module):
    """One attention head with trainable projections: x (..., n, d_in) -> (..., n, d_v).

    `W_query`, `W_key` (d_in -> d_k) and `W_value` (d_in -> d_v) are linear layers, without a
    bias unless `bias=True`; each `.weight` has shape (d_out, d_in), so the queries are
    x @ W_query.weight.T (+ W_query.bias). With an int `seed` the initial weights are the same on
    every run (torch's global random state is left as it was); with None they come from the
    global generator, like any torch layer.
    """

    def __init__(self, d_in: int, d_k: int, d_v: int, causal: bool = False, bias=False, seed=None):
        super().__init__()
        d_in, d_k, d_v = (
            positive_int(d, name) for d, name in ((d_in, "d_in"), (d_k, "d_k"), (d_v, "d_v"))
        )
        self.causal = _flag(causal, "causal")
        bias = _flag(bias, "bias")
        with _seeded(seed):
            self.W_query = torch.nn.Linear(d_in, d_k, bias=bias)
            self.W_key = torch.nn.Linear(d_in, d_k, bias=bias)
            self.W_value = torch.nn.Linear(d_in, d_v, bias=bias)

    def attention_weights(self, x, mask=None) -> torch.Tensor:
        """The (..., n, n) attention weights for x of shape (..., n, d_in); rows sum to 1."""
        x = _layer_input(x, self.W_query, "x")
        return scaled_attention_weights(self.W_query(x), self.W_key(x), mask, self.causal)

    def forward(self, x, mask=None) -> torch.Tensor:
        """Context vectors (..., n, d_v) for x of shape (..., n, d_in); `mask` True = may attend."""
        x = _layer_input(x, self.W_value, "x")
        q, k, v = self.W_query(x), self.W_key(x), self.W_value(x)
        return scaled_dot_product_attention(q, k, v, mask, self.causal)


class MultiHeadAttention(torch.nn.Module):
    """num_heads heads side by side: query (..., n_q, d_model) -> output (..., n_q, d_model).

    Queries, keys and values are projected to d_model features (`W_query`: d_model -> d_model,
    `W_key`: kdim -> d_model, `W_value`: vdim -> d_model; kdim and vdim default to d_model), then
    split into num_heads slices of d_head = d_model // num_heads. Each head attends on its own
    slice, the heads are concatenated and mixed by `W_out` (d_model -> d_model). In training
    mode, `dropout` zeroes each attention weight with that probability (and scales the rest by
    1 / (1 - dropout)), as torch's `dropout_p` does; in eval mode it does nothing.

    Equals torch.nn.MultiheadAttention(d_model, num_heads, dropout, bias, kdim=kdim, vdim=vdim,
    batch_first=True) given the same weights. Parameters: 4 d_model² + 4 d_model (with bias and
    kdim = vdim = d_model), whatever num_heads is.

    Initialisation: every projection is a plain `nn.Linear`, so weights and biases are uniform
    in ±1/√fan_in. torch's layer differs: it draws W_query, W_key, W_value with Xavier-uniform
    initialisation (over the stacked (3 d_model, d_model) matrix when kdim = vdim = d_model) and
    starts every bias at 0. `seed` as in `SelfAttention`.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        causal: bool = False,
        dropout=0.0,
        bias: bool = True,
        kdim=None,
        vdim=None,
        seed=None,
    ):
        super().__init__()
        d_model = positive_int(d_model, "d_model")
        num_heads = positive_int(num_heads, "num_heads")
        if d_model % num_heads:
            raise ValueError(
                f"d_model must be divisible by num_heads, so that each head gets d_model // "
                f"num_heads dimensions: got d_model={d_model}, num_heads={num_heads}"
            )
        kdim, vdim = (
            d_model if dim is None else positive_int(dim, name)
            for dim, name in ((kdim, "kdim"), (vdim, "vdim"))
        )
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.causal = _flag(causal, "causal")
        bias = _flag(bias, "bias")
        self.dropout = torch.nn.Dropout(_probability(dropout, "dropout"))
        with _seeded(seed):
            self.W_query = torch.nn.Linear(d_model, d_model, bias=bias)
            self.W_key = torch.nn.Linear(kdim, d_model, bias=bias)
            self.W_value = torch.nn.Linear(vdim, d_model, bias=bias)
            self.W_out = torch.nn.Linear(d_model, d_model, bias=bias)

    def attention_weights(self, query, key=None, mask=None) -> torch.Tensor:
        """Every head's weights (..., num_heads, n_q, n_k), before dropout; rows sum to 1.

        query: (..., n_q, d_model); key: (..., n_k, kdim), the query when omitted. `mask`:
        boolean, broadcastable to (..., n_q, n_k), True = may attend; shared by all heads.
        """
        query, key = self._query_key(query, key)
        q, k = self._heads(self.W_query(query)), self._heads(self.W_key(key))
        return scaled_attention_weights(q, k, _per_head(mask), self.causal)

    def forward(self, query, key=None, value=None, mask=None) -> torch.Tensor:
        """Outputs (..., n_q, d_model) for query (..., n_q, d_model), key (..., n_k, kdim) and
        value (..., n_k, vdim); key and value default to the query (self-attention).

        `mask`: boolean, broadcastable to (..., n_q, n_k), True = may attend (e.g.
        `padding_mask(lengths, n_k)` for a padded batch).
        """
        query, key = self._query_key(query, key)
        value = self._value(value, key)
        q, k = self._heads(self.W_query(query)), self._heads(self.W_key(key))
        v = self._heads(self.W_value(value))
        weights = self.dropout(scaled_attention_weights(q, k, _per_head(mask), self.causal))
        heads = weights @ v  # (..., num_heads, n_q, d_head)
        return self.W_out(heads.transpose(-3, -2).flatten(-2))

    def _query_key(self, query, key):
        """query and key checked against their projections' widths and dtype; the key defaults
        to the query."""
        query = _layer_input(query, self.W_query, "query")
        key = query if key is None else _layer_input(key, self.W_key, "key")
        if query.shape[:-2] != key.shape[:-2]:
            raise ValueError(
                f"query and key must have the same batch shape: got query "
                f"{describe_shape(query.shape)} and key {describe_shape(key.shape)}"
            )
        return query, key

    def _value(self, value, key):
        """value (..., n_k, vdim) checked against the key's tokens; it defaults to the key."""
        value = _layer_input(key if value is None else value, self.W_value, "value")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(
                f"key and value must have the same leading shape (..., n_k): got key "
                f"{describe_shape(key.shape)} and value {describe_shape(value.shape)}"
            )
        return value

    def _heads(self, projected: torch.Tensor) -> torch.Tensor:
        """(..., n, d_model) -> (..., num_heads, n, d_head): one slice of features per head."""
        return projected.unflatten(-1, (self.num_heads, self.d_head)).transpose(-3, -2)


def _per_head(mask):
    """A mask broadcastable to (..., n_q, n_k) made to broadcast over a heads dimension too."""
    if mask is None:
        return None
    mask = _mask_tensor(mask)
    return mask.unsqueeze(-3) if mask.dim() >= 2 else mask  # the same for every head


def _batch_shape(name_a: str, a: tuple[int, ...], name_b: str, b: tuple[int, ...]) -> tuple:
    """The broadcast batch shape of shapes a and b (all but their last two sizes), checked."""
    try:  # numpy's, not torch's: torch.broadcast_shapes imports sympy on first use (0.2-1 s)
        return np.broadcast_shapes(tuple(a[:-2]), tuple(b[:-2]))
    except ValueError:
        raise ValueError(
            f"the leading (batch) dimensions of {name_a} and {name_b} must match or be 1: got "
            f"shapes {describe_shape(a)} and {describe_shape(b)}"
        ) from None


def _mask_tensor(mask) -> torch.Tensor:
    """`mask` (tensor, array or nested list of booleans) as a boolean tensor, else TypeError."""
    hint = "a boolean tensor, True where a query may attend"
    if isinstance(mask, (str, bytes, dict, set)) or mask is None:
        raise TypeError(f"mask must be {hint}, got {type(mask).__name__}")
    if not isinstance(mask, torch.Tensor):
        try:
            array = np.asarray(mask)
        except ValueError as err:
            raise ValueError(f"mask must be a rectangular array of booleans: {err}") from None
        if array.dtype == object or array.dtype.kind in "USV":
            raise TypeError(f"mask must be {hint}, got {type(mask).__name__} of {array.dtype}")
        mask = torch.from_numpy(array) if array.dtype.kind in "biuf" else torch.as_tensor(array)
    if mask.dtype != torch.bool:
        raise TypeError(
            f"mask must be {hint}; got dtype {mask.dtype} (turn a 0/1 mask into one with .bool())"
        )
    return mask


def _allowed(mask, causal: bool, shape: tuple[int, ...]) -> torch.Tensor | None:
    """`mask` (True = may attend) and, if `causal`, the causal mask, for scores of `shape`
    (..., n_q, n_k); None when neither applies. Raises if a query is left with no key."""
    causal = _flag(causal, "causal")
    expected = f"(..., n_q, n_k) = {describe_shape(shape)}"
    allowed = None
    if mask is not None:
        try:
            allowed = _mask_tensor(mask)
        except TypeError as err:
            raise TypeError(f"{err}; expected a shape broadcastable to {expected}") from None
        try:
            fits = np.broadcast_shapes(tuple(allowed.shape), tuple(shape)) == tuple(shape)
        except ValueError:
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


def _layer_input(x, layer: torch.nn.Linear, name: str) -> torch.Tensor:
    """x as a checked tensor (n, d_in) or (batch, n, d_in) of the layer's dtype and width."""
    d_in = layer.in_features
    x = as_tensor(x, name, (2, 3), f"(n, {d_in}) or (batch, n, {d_in})")
    if x.shape[-1] != d_in:
        raise ValueError(
            f"{name} must have shape (..., n, d_in={d_in}), got shape {describe_shape(x.shape)}"
        )
    if x.dtype != layer.weight.dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but the layer's weights are "
            f"{layer.weight.dtype}: convert one, e.g. {name}.to({layer.weight.dtype})"
        )
    return x


def _flag(value, name: str) -> bool:
    if isinstance(value, np.bool_):
        return bool(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def _probability(value, name: str) -> float:
    """A number in [0, 1): the chance that dropout zeroes an attention weight."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a probability (a float in [0, 1)), got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a probability in [0, 1), got {value}")
    return float(value)


@contextmanager
def _seeded(seed):
    """Inside, new layers draw their weights after torch.manual_seed(seed); None: no change.

    Torch's global random state is restored on exit, so a seeded layer leaves it alone.
    """
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_seed(seed))
        yield


# The fast, explained implementation (notebook 07) lives in its own module; offered here too.
from helpers.tiled import tiled_attention  # noqa: E402, F401
