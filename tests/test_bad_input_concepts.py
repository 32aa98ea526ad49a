"""Bad input to helpers.concepts and its two plots: a clear error naming the argument, never a
silent answer; and the valid twin of every bad input works.

For each public function, every array argument is tried with each class of bad input (wrong
rank, empty, NaN, inf, complex, bool, object, strings, None), each scalar argument with the
wrong kinds and out-of-range values, plus the mismatches between arguments; the valid twins
(lists, tensors, numpy and torch scalars, extreme but finite magnitudes) must work.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, arrays  # noqa: E402

from helpers import concepts, data  # noqa: E402
from helpers.plotting import plot_concept_space, plot_singular_values  # noqa: E402

RATINGS = data.load_ratings().to_numpy().astype(float)
MASK = RATINGS > 0
SVD = concepts.truncated_svd(RATINGS)
S = SVD.s
VT2 = SVD.Vt[:2]
NAMES = [f"P{i}" for i in range(1, 8)]
RNG = np.random.default_rng(0)
P, Q = RNG.normal(size=(7, 2)), RNG.normal(size=(5, 2))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# function name -> (function, valid keyword arguments)
CALLS = {
    "flip_signs": (concepts.flip_signs, {"U": SVD.U, "Vt": SVD.Vt}),
    "truncated_svd": (concepts.truncated_svd, {"X": RATINGS, "k": 2}),
    "reconstruct": (concepts.reconstruct, {"X": RATINGS, "k": 2}),
    "reconstruction_error": (concepts.reconstruction_error, {"X": RATINGS, "k": 2}),
    "truncation_error": (concepts.truncation_error, {"s": S, "k": 2}),
    "energy_kept": (concepts.energy_kept, {"s": S}),
    "k_for_energy": (concepts.k_for_energy, {"s": S, "fraction": 0.95}),
    "project": (concepts.project, {"rows": RATINGS[:2], "Vt": VT2}),
    "rank_by_cosine": (
        concepts.rank_by_cosine,
        {"query": RATINGS[0], "rows": RATINGS, "names": NAMES},
    ),
    "observed_loss": (
        concepts.observed_loss,
        {"X": RATINGS, "observed": MASK, "P": P, "Q": Q, "weight_decay": 0.02},
    ),
    "fit_observed": (concepts.fit_observed, {"X": RATINGS, "observed": MASK, "k": 2}),
    "sgd_observed": (
        concepts.sgd_observed,
        {"X": RATINGS, "observed": MASK, "k": 2, "epochs": 2, "batch_size": 4},
    ),
    "plot_singular_values": (plot_singular_values, {"s": S}),
    "plot_concept_space": (plot_concept_space, {"points": RATINGS[:, :2], "labels": NAMES}),
}

# every numeric array argument, by function
ARRAYS = [
    (function, name)
    for function, names in {
        "flip_signs": ["U", "Vt"],
        "truncated_svd": ["X"],
        "reconstruct": ["X"],
        "reconstruction_error": ["X"],
        "truncation_error": ["s"],
        "energy_kept": ["s"],
        "k_for_energy": ["s"],
        "project": ["rows", "Vt"],
        "rank_by_cosine": ["query", "rows"],
        "observed_loss": ["X", "P", "Q"],
        "fit_observed": ["X"],
        "sgd_observed": ["X"],
        "plot_singular_values": ["s"],
        "plot_concept_space": ["points"],
    }.items()
    for name in names
]


def call(function, **changes):
    fn, kwargs = CALLS[function]
    return fn(**{**kwargs, **changes})


def valid(function, name):
    return CALLS[function][1][name]


def wrong_rank(value):
    return np.ones((2, 2, 2)) if np.ndim(value) == 2 else np.ones((3, 3))


def with_entry(value, entry):
    broken = np.array(value, dtype=float)
    broken.flat[-1] = entry
    return broken


BAD_ARRAYS = {
    "wrong rank": (wrong_rank, ValueError),
    "empty": (lambda v: np.ones((0,) * np.ndim(v)), ValueError),
    "NaN": (lambda v: with_entry(v, np.nan), ValueError),
    "inf": (lambda v: with_entry(v, np.inf), ValueError),
    "complex": (lambda v: np.asarray(v) + 0j, TypeError),
    "bool": (lambda v: np.ones(np.shape(v), dtype=bool), TypeError),
    "object": (lambda v: np.asarray(v).astype(object), TypeError),
    "strings": (lambda v: np.asarray(v).astype(str), TypeError),
    "None": (lambda v: None, TypeError),
    "torch complex": (lambda v: torch.as_tensor(np.asarray(v, dtype=float) + 0j), TypeError),
}


@pytest.mark.parametrize("kind", BAD_ARRAYS)
@pytest.mark.parametrize(("function", "name"), ARRAYS)
def test_bad_arrays_are_refused_naming_the_argument(function, name, kind):
    make_bad, error = BAD_ARRAYS[kind]
    with pytest.raises(error, match=rf"\b{name}\b"):
        call(function, **{name: make_bad(valid(function, name))})


def twin_cases():
    """(function, argument, form) for every array argument and every form it can take: int
    only for integer-valued arrays; float32 moves flip_signs' U and Vt off exact factors."""
    for function, name in ARRAYS:
        value = valid(function, name)
        for form in ["list", "tensor", "float32", "int"]:
            if form == "int" and not np.array_equal(value, np.round(value)):
                continue
            if form == "float32" and function == "flip_signs":
                continue
            yield function, name, form


@pytest.mark.parametrize(("function", "name", "form"), list(twin_cases()))
def test_valid_twins_of_the_arrays_give_the_same_answer(function, name, form):
    twin = {
        "list": lambda v: np.asarray(v).tolist(),
        "tensor": torch.as_tensor,
        "float32": lambda v: np.asarray(v, dtype=np.float32),
        "int": lambda v: np.asarray(v).astype(int),
    }[form](valid(function, name))
    expected, got = call(function), call(function, **{name: twin})
    assert_same(expected, got, rtol=1e-5 if form == "float32" else 1e-12)


def assert_same(expected, got, rtol):
    if isinstance(expected, plt.Axes):
        return
    if isinstance(expected, concepts.Factorization):
        expected, got = expected.predictions, got.predictions
    if hasattr(expected, "to_numpy"):  # a ranking
        assert list(expected.index) == list(got.index)
        expected, got = expected.to_numpy(float), got.to_numpy(float)
    if isinstance(expected, tuple):
        for e, g in zip(expected, got, strict=True):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=1e-6 if rtol > 1e-12 else 1e-12)
        return
    if isinstance(expected, concepts.SVD):
        expected, got = (expected.U * expected.s) @ expected.Vt, (got.U * got.s) @ got.Vt
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-5 if rtol > 1e-12 else 1e-12)


# --- mismatches between arguments ---------------------------------------------------------------

MISMATCHES = [
    ("flip_signs", {"U": np.ones((7, 3))}, "U"),
    ("project", {"rows": np.ones(4)}, "rows"),
    ("project", {"rows": np.ones((2, 6))}, "rows"),
    ("rank_by_cosine", {"query": np.ones(4)}, "query"),
    ("rank_by_cosine", {"names": NAMES[:3]}, "names"),
    ("observed_loss", {"observed": MASK[:, :4]}, "observed"),
    ("observed_loss", {"P": np.ones((6, 2))}, "P"),
    ("observed_loss", {"Q": np.ones((5, 3))}, "Q"),
    ("fit_observed", {"observed": MASK.T}, "observed"),
    ("plot_concept_space", {"labels": NAMES[:3]}, "labels"),
    ("plot_concept_space", {"points": np.ones((7, 3))}, "points"),
]


@pytest.mark.parametrize(("function", "changes", "name"), MISMATCHES)
def test_mismatched_arguments_are_refused_naming_the_argument(function, changes, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call(function, **changes)


# --- scalar and non-array arguments -------------------------------------------------------------

BAD_SCALARS = [
    # (function, argument, bad value, error)
    *[
        (function, "k", bad, error)
        for function in [
            "truncated_svd",
            "reconstruct",
            "reconstruction_error",
            "fit_observed",
            "sgd_observed",
        ]
        for bad, error in [
            (2.0, TypeError),
            (True, TypeError),
            ("2", TypeError),
            (torch.tensor(2.0), TypeError),
            (np.array([2]), TypeError),
            (0, ValueError),
            (-1, ValueError),
            (6, ValueError),
        ]
    ],
    ("fit_observed", "k", None, TypeError),
    ("truncation_error", "k", 6, ValueError),
    ("truncation_error", "k", None, TypeError),
    ("k_for_energy", "fraction", "95%", TypeError),
    ("k_for_energy", "fraction", None, TypeError),
    ("k_for_energy", "fraction", True, TypeError),
    ("k_for_energy", "fraction", 1.5, ValueError),
    ("k_for_energy", "fraction", 0, ValueError),
    ("k_for_energy", "fraction", float("nan"), ValueError),
    ("rank_by_cosine", "names", None, TypeError),
    ("rank_by_cosine", "names", "P1", TypeError),
    ("rank_by_cosine", "decimals", 0, ValueError),
    ("rank_by_cosine", "decimals", 2.5, TypeError),
    ("observed_loss", "observed", RATINGS, TypeError),
    ("observed_loss", "observed", None, TypeError),
    ("observed_loss", "observed", np.zeros((7, 5), bool), ValueError),
    ("observed_loss", "weight_decay", -0.1, ValueError),
    ("observed_loss", "weight_decay", float("inf"), ValueError),
    ("observed_loss", "weight_decay", None, TypeError),
    ("observed_loss", "weight_decay", np.array([0.1, 0.2]), TypeError),
    ("fit_observed", "observed", MASK.astype(int), TypeError),
    ("fit_observed", "lr", 0, ValueError),
    ("fit_observed", "lr", None, TypeError),
    ("fit_observed", "lr", float("nan"), ValueError),
    ("fit_observed", "seed", -1, ValueError),
    ("fit_observed", "seed", 1.5, TypeError),
    ("fit_observed", "seed", None, TypeError),
    ("fit_observed", "tol", 0, ValueError),
    ("fit_observed", "max_epochs", 0, ValueError),
    ("fit_observed", "max_epochs", 10.0, TypeError),
    ("sgd_observed", "observed", None, TypeError),
    ("sgd_observed", "observed", MASK[:4], ValueError),
    ("sgd_observed", "lr", -0.1, ValueError),
    ("sgd_observed", "weight_decay", -1, ValueError),
    ("sgd_observed", "epochs", 0, ValueError),
    ("sgd_observed", "epochs", 2.0, TypeError),
    ("sgd_observed", "batch_size", 0, ValueError),
    ("sgd_observed", "batch_size", 21, ValueError),
    ("sgd_observed", "batch_size", None, TypeError),
    ("sgd_observed", "seed", -1, ValueError),
    ("plot_singular_values", "s", np.array([3.0, -1.0]), ValueError),
    ("plot_singular_values", "s", np.zeros(3), ValueError),
    ("plot_singular_values", "target", 1.5, ValueError),
    ("plot_singular_values", "target", "95%", TypeError),
    ("plot_concept_space", "labels", None, TypeError),
    ("plot_concept_space", "labels", {"P1": 1}, TypeError),
    ("plot_concept_space", "arrows", None, TypeError),
    ("plot_concept_space", "arrows", "P1", TypeError),
]


@pytest.mark.parametrize(("function", "name", "bad", "error"), BAD_SCALARS)
def test_bad_scalars_are_refused_naming_the_argument(function, name, bad, error):
    with pytest.raises(error, match=rf"\b{name}\b"):
        call(function, **{name: bad})


SCALAR_TWINS = [
    (np.int64(2), "numpy int64"),
    (np.int32(2), "numpy int32"),
    (np.uint8(2), "numpy uint8"),
    (torch.tensor(2), "torch int"),
    (np.array(2), "0-d array"),
]


@pytest.mark.parametrize(("k", "label"), SCALAR_TWINS)
@pytest.mark.parametrize(
    "function", ["truncated_svd", "reconstruct", "reconstruction_error", "truncation_error"]
)
def test_numpy_and_torch_integers_are_accepted_as_k(function, k, label):
    assert_same(call(function), call(function, k=k), rtol=0)


@pytest.mark.parametrize(("k", "label"), SCALAR_TWINS)
@pytest.mark.parametrize("function", ["fit_observed", "sgd_observed"])
def test_numpy_and_torch_integers_are_accepted_by_the_fits(function, k, label):
    expected = call(function).predictions
    np.testing.assert_array_equal(call(function, k=k, seed=k - 2).predictions, expected)
    if function == "sgd_observed":
        same = call(function, epochs=k, batch_size=k + 2).predictions
        np.testing.assert_array_equal(same, expected)


@pytest.mark.parametrize(
    "fraction", [np.float64(0.95), np.float32(0.95), torch.tensor(0.95), np.array(0.95), 1]
)
def test_numpy_and_torch_fractions_are_accepted(fraction):
    assert call("k_for_energy", fraction=fraction) == call("k_for_energy", fraction=float(fraction))


@pytest.mark.parametrize("decay", [0, 0.0, np.float32(0.02), torch.tensor(0.02), np.int64(0)])
def test_numpy_and_torch_weight_decays_are_accepted(decay):
    got = call("observed_loss", weight_decay=decay)
    assert got == pytest.approx(call("observed_loss", weight_decay=float(decay)), rel=1e-7)


def test_valid_twins_of_the_non_array_arguments():
    call("plot_concept_space", labels=tuple(NAMES), arrows=["P1"])
    call("plot_concept_space", labels=np.array(NAMES), arrows=np.array(["P1"]))
    call("plot_singular_values", target=np.float64(0.95))
    call("observed_loss", observed=torch.from_numpy(MASK))
    ranking = call("rank_by_cosine", names=tuple(NAMES), decimals=np.int64(6))
    assert list(ranking.index)[:2] == ["P1", "P2"]


# --- extreme magnitudes: scaled, never NaN, inf or a wrong "zero" --------------------------------


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_extreme_but_finite_magnitudes_give_scaled_answers(scale):
    X = RATINGS * scale
    s = concepts.truncated_svd(X).s
    np.testing.assert_allclose(s / scale, S, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(concepts.reconstruct(X, 2) / scale, concepts.reconstruct(RATINGS, 2))
    error = concepts.reconstruction_error(X, 2) / scale
    assert error == pytest.approx(concepts.reconstruction_error(RATINGS, 2), rel=1e-9)
    assert concepts.truncation_error(s, 2) / scale == pytest.approx(S[2], rel=1e-9)
    np.testing.assert_allclose(concepts.energy_kept(s), concepts.energy_kept(S), rtol=1e-12)
    assert concepts.k_for_energy(s, 0.95) == 2
    np.testing.assert_allclose(concepts.project(X, VT2) / scale, concepts.project(RATINGS, VT2))
    ranking = concepts.rank_by_cosine(X[4], X, NAMES)
    assert list(ranking.index) == list(concepts.rank_by_cosine(RATINGS[4], RATINGS, NAMES).index)
    energy = plot_singular_values(s).figure.axes[1].get_lines()[0].get_ydata()
    assert np.isfinite(energy).all()


def test_magnitudes_beyond_float64_are_refused_not_returned_as_inf():
    huge = np.full((3, 3), 1e308)
    with pytest.raises(ValueError, match=r"\bX\b.*overflow"):
        concepts.truncated_svd(huge)
    with pytest.raises(ValueError, match=r"rows.*overflow"):
        concepts.project(np.full(5, 1e308), np.full((1, 5), 0.9))
    with pytest.raises(ValueError, match=r"\bX\b.*overflow"):
        concepts.fit_observed(RATINGS * 1e200, MASK, 2)


# --- property: any shape and dtype is either answered correctly or refused clearly ---------------


@settings(max_examples=80, deadline=None)
@given(
    arrays(
        dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
        shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    )
)
def test_any_array_as_X_is_answered_or_refused_naming_X(X):
    try:
        svd = concepts.truncated_svd(X)
    except (TypeError, ValueError) as err:
        assert "X" in str(err)
        return
    assert X.ndim == 2 and X.dtype.kind in "fi" and X.size > 0
    expected = np.linalg.svd(X.astype(float), compute_uv=False)
    np.testing.assert_allclose(svd.s, expected, rtol=1e-10, atol=1e-10 * max(1.0, expected[0]))
