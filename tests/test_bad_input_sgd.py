"""Bad input to helpers.sgd and its two plots: a clear error naming the argument, never a
silent answer; the same input in every accepted form (list, numpy, torch, numpy or torch
scalar) gives the same answer.

Classes of bad input, for every public function and each of its arguments: wrong rank,
mismatched lengths, empty, NaN/inf, wrong dtype (complex, bool, object, str), None, numpy and
torch scalars (valid twins), extreme magnitudes.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import sgd
from helpers.plotting import plot_loss_curve, plot_weight_trajectories

X = [1.0, 2.0, 3.0, 4.0]
Y = [2.0, 4.1, 5.9, 8.2]

# Every public function of helpers.sgd, called with valid keyword arguments: `call(**changes)`
# replaces some of them.
VALID = {
    "predict": (sgd.predict, {"w": 0.5, "x": X}),
    "squared_loss": (sgd.squared_loss, {"w": 0.5, "x": X, "y": Y}),
    "gradient": (sgd.gradient, {"w": 0.5, "x": X, "y": Y}),
    "sgd_step": (sgd.sgd_step, {"w": 0.5, "x": X, "y": Y, "lr": 1e-2}),
    "max_stable_learning_rate": (sgd.max_stable_learning_rate, {"x": X}),
    "sgd_trace": (sgd.sgd_trace, {"x": X, "y": Y, "w0": 0.5, "lr": 1e-2}),
    "train": (
        sgd.train,
        {
            "x": X,
            "y": Y,
            "w0": 0.5,
            "lr": 1e-2,
            "epochs": 2,
            "batch_size": 2,
            "shuffle": True,
            "seed": 3,
        },
    ),
    "least_squares": (sgd.least_squares, {"x": X, "y": Y, "intercept": True}),
}

ARRAY_ARGS = [(f, a) for f, (_, kw) in VALID.items() for a in kw if a in ("x", "y")]
NUMBER_ARGS = [(f, a) for f, (_, kw) in VALID.items() for a in kw if a in ("w", "w0", "lr")]
COUNT_ARGS = [(f, a) for f, (_, kw) in VALID.items() for a in kw if a in ("epochs", "batch_size")]


def call(function: str, **changes):
    fn, kwargs = VALID[function]
    return fn(**{**kwargs, **changes})


def same(a, b) -> bool:
    """Equal results of any of the functions: floats, arrays, tuples, tables or runs."""
    if isinstance(a, sgd.TrainingRun):
        return same(a.weights, b.weights) and same(a.losses, b.losses)
    if hasattr(a, "to_numpy"):
        return same(a.to_numpy(dtype=float), b.to_numpy(dtype=float))
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12))


def raises_naming(exception, name, function, **changes):
    with pytest.raises(exception) as info:
        call(function, **changes)
    # The message opens with the argument's name ("x must ...", "lr must ..."): a bare "x"
    # anywhere in it would prove nothing.
    assert str(info.value).startswith(f"{name} "), f"{function}: {info.value}"


# --- arrays x and y ------------------------------------------------------------------------

# (bad value, exception) pairs for an argument of shape (n,), n = len(X).
wrong_rank = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=2, max_dims=3, min_side=1), elements=st.floats(-9, 9)
).map(lambda a: (a, ValueError))
wrong_dtype = st.sampled_from(
    [
        (np.array(X) + 1j, TypeError),
        (np.array(X, dtype=complex), TypeError),
        (torch.tensor(X, dtype=torch.complex64), TypeError),
        ([True, False, True, True], TypeError),
        (torch.ones(4, dtype=torch.bool), TypeError),
        (np.array(X, dtype=object), TypeError),
        (["1", "2", "3", "4"], TypeError),
        ("1234", TypeError),
        (None, TypeError),
        ({"a": 1.0}, TypeError),
    ]
)
not_finite = st.tuples(st.integers(0, len(X) - 1), st.sampled_from([np.nan, np.inf, -np.inf])).map(
    lambda p: ([*X[: p[0]], p[1], *X[p[0] + 1 :]], ValueError)
)
empty = st.sampled_from([([], ValueError), (np.zeros(0), ValueError), (torch.zeros(0), ValueError)])
ragged = st.just(([[1.0, 2.0], [3.0]], ValueError))
bad_array = st.one_of(wrong_rank, wrong_dtype, not_finite, empty, ragged)


@pytest.mark.parametrize(("function", "argument"), ARRAY_ARGS)
@settings(max_examples=25, deadline=None)
@given(bad=bad_array)
def test_bad_arrays_raise_naming_the_argument(function, argument, bad):
    value, exception = bad
    raises_naming(exception, argument, function, **{argument: value})


@pytest.mark.parametrize(("function", "argument"), [a for a in ARRAY_ARGS if a[1] == "y"])
@given(n=st.integers(1, 8).filter(lambda n: n != len(X)))
@settings(max_examples=10, deadline=None)
def test_mismatched_lengths_raise_naming_x_and_y(function, argument, n):
    with pytest.raises(ValueError, match="x and y must have the same length"):
        call(function, y=np.linspace(1.0, 2.0, n))


finite_samples = st.lists(
    st.tuples(st.integers(1, 200), st.floats(-500, 500, allow_nan=False)), min_size=2, max_size=9
).filter(lambda rows: len({r[0] for r in rows}) > 1)


@pytest.mark.parametrize("function", list(VALID))
@settings(max_examples=15, deadline=None)
@given(rows=finite_samples)
def test_arrays_in_every_accepted_form_give_the_same_answer(function, rows):
    x = np.array([r[0] for r in rows], dtype=np.int64)
    y = np.array([r[1] for r in rows])
    arrays = {"x": x.astype(float), "y": y}
    if function == "train":
        arrays["batch_size"] = 1
    # 1e-6 keeps every step small for these x: no run diverges, so all forms take equal paths.
    lr = {"lr": 1e-6} if "lr" in VALID[function][1] else {}
    wanted = {a: v for a, v in arrays.items() if a in VALID[function][1] or a == "batch_size"}
    expected = call(function, **wanted, **lr)
    for form in (
        lambda a: a.tolist(),
        lambda a: torch.from_numpy(a),
        lambda a: torch.from_numpy(a).clone().requires_grad_(True),
    ):
        twins = {a: form(v) if a in ("x", "y") else v for a, v in wanted.items()}
        assert same(call(function, **twins, **lr), expected)
    twins = {**wanted, "x": x} if "x" in wanted else wanted  # integer counts for x
    assert same(call(function, **twins, **lr), expected)


# --- numbers w, w0, lr and counts epochs, batch_size, and seed ---------------------------------

bad_number = st.sampled_from(
    [
        (None, TypeError),
        ("0.5", TypeError),
        (0.5 + 0j, TypeError),
        (np.complex128(0.5), TypeError),
        (torch.tensor(0.5 + 1j), TypeError),
        (True, TypeError),
        (np.bool_(True), TypeError),
        (torch.tensor(True), TypeError),
        ([0.5], TypeError),
        (np.array([0.5, 0.6]), TypeError),
        (torch.tensor([0.5]), TypeError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (np.float32("-inf"), ValueError),
        (torch.tensor(float("nan")), ValueError),
    ]
)


@pytest.mark.parametrize(("function", "argument"), NUMBER_ARGS)
@settings(max_examples=20, deadline=None)
@given(bad=bad_number)
def test_bad_numbers_raise_naming_the_argument(function, argument, bad):
    value, exception = bad
    raises_naming(exception, argument, function, **{argument: value})


@pytest.mark.parametrize(("function", "argument"), [a for a in NUMBER_ARGS if a[1] == "lr"])
@given(lr=st.floats(max_value=0.0, allow_nan=False))
@settings(max_examples=10, deadline=None)
def test_a_learning_rate_of_zero_or_less_is_refused(function, argument, lr):
    raises_naming(ValueError, "lr", function, lr=lr)


@pytest.mark.parametrize(("function", "argument"), NUMBER_ARGS)
@given(value=st.floats(1e-3, 1e-2))
@settings(max_examples=10, deadline=None)
def test_numbers_as_numpy_and_torch_scalars_give_the_same_answer(function, argument, value):
    expected = call(function, **{argument: value})
    for twin in (
        np.float64(value),
        np.array(value),
        torch.tensor(value, dtype=torch.float64),
    ):
        assert same(call(function, **{argument: twin}), expected)


bad_count = st.sampled_from(
    [
        (None, TypeError),
        (2.0, TypeError),
        (np.float64(2.0), TypeError),
        ("2", TypeError),
        (True, TypeError),
        (2 + 0j, TypeError),
        (torch.tensor(2.0), TypeError),
        ([2], TypeError),
        (0, ValueError),
        (-1, ValueError),
        (np.int64(-3), ValueError),
    ]
)


@pytest.mark.parametrize("argument", ["epochs", "batch_size"])
@settings(max_examples=15, deadline=None)
@given(bad=bad_count)
def test_bad_counts_raise_naming_the_argument(argument, bad):
    value, exception = bad
    raises_naming(exception, argument, "train", **{argument: value})


@pytest.mark.parametrize("argument", ["epochs", "batch_size", "seed"])
@given(value=st.integers(1, 4))
@settings(max_examples=8, deadline=None)
def test_counts_as_numpy_and_torch_integers_give_the_same_answer(argument, value):
    expected = call("train", **{argument: value})
    for twin in (np.int64(value), np.int32(value), np.uint8(value), torch.tensor(value)):
        assert same(call("train", **{argument: twin}), expected)


def test_a_batch_larger_than_the_data_is_refused():
    raises_naming(ValueError, "batch_size", "train", batch_size=len(X) + 1)


@settings(max_examples=15, deadline=None)
@given(seed=st.one_of(st.integers(max_value=-1), st.sampled_from([np.int64(-1), -(2**70)])))
def test_a_negative_seed_is_refused_by_the_helper_not_by_numpy(seed):
    with pytest.raises(ValueError, match="seed must be a whole number of at least 0"):
        call("train", seed=seed)


@pytest.mark.parametrize("seed", [None, 1.5, "0", True, np.float64(1.0), [0]])
def test_a_seed_that_is_not_a_whole_number_is_refused(seed):
    raises_naming(TypeError, "seed", "train", seed=seed)


@pytest.mark.parametrize("shuffle", [None, 1, "yes", 0.0])
def test_shuffle_must_be_true_or_false(shuffle):
    raises_naming(TypeError, "shuffle", "train", shuffle=shuffle)


def test_numpy_and_torch_truth_values_shuffle_alike():
    expected = call("train", shuffle=True)
    assert same(call("train", shuffle=np.bool_(True)), expected)
    assert same(call("train", shuffle=torch.tensor(True)), expected)


# --- extreme magnitudes ----------------------------------------------------------------------

scales = st.integers(-150, 150).map(lambda k: 10.0**k)


@settings(max_examples=40, deadline=None)
@given(rows=finite_samples, scale=scales)
def test_least_squares_is_exact_at_any_scale_against_numpy(rows, scale):
    """The slope of (s x, s y) is the slope of (x, y), for s from 1e-150 to 1e150."""
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    reference = np.linalg.lstsq(x[:, None], y)[0][0]
    slope = sgd.least_squares(x * scale, y * scale)
    assert slope == pytest.approx(reference, rel=1e-9, abs=1e-12)
    with_intercept = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y)[0][0]
    assert sgd.least_squares(x * scale, y * scale, intercept=True)[0] == pytest.approx(
        with_intercept, rel=1e-8, abs=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(rows=finite_samples, k=st.integers(-200, 200))
def test_stability_bound_at_any_scale_or_a_clear_error(rows, k):
    """1 / mean((s x)^2) = 1 / (s^2 mean(x^2)) when float64 can hold it; else a ValueError."""
    x = np.array([r[0] for r in rows], dtype=float)
    scale = 10.0**k
    exponent = -2 * k - np.log10(np.mean(x**2))  # log10 of the true bound
    if abs(exponent) < 300:
        expected = 1.0 / np.mean(x**2) / scale / scale
        assert sgd.max_stable_learning_rate(x * scale) == pytest.approx(expected, rel=1e-12)
    elif abs(exponent) > 309:
        with pytest.raises(ValueError, match="x is too extreme"):
            sgd.max_stable_learning_rate(x * scale)


@pytest.mark.parametrize("function", ["squared_loss", "gradient", "sgd_step", "predict"])
def test_overflowing_loss_or_gradient_is_an_error_not_inf(function):
    huge = [1e200, 2e200, 3e200, 4e200]
    with pytest.raises(ValueError, match="overflows float64.*x, y, w or lr"):
        call(function, x=huge, w=1e200)


def test_overflowing_data_in_a_trace_or_training_is_an_error_not_inf():
    huge = np.array(X) * 1e200
    with pytest.raises(ValueError, match="overflows float64"):
        sgd.sgd_trace(huge, Y, w0=0.5, lr=1e-2)
    with pytest.raises(ValueError, match="overflows float64"):
        sgd.train(huge, Y, w0=0.5, lr=1e-2, epochs=1)


def test_a_run_whose_gradient_overflows_is_reported_as_diverged_without_nan():
    run = sgd.train([1e150, 1.0], [0.0, 0.0], w0=1e-150, lr=1.0, epochs=3)
    assert run.diverged
    assert np.isfinite(run.weights).all() and np.isfinite(run.losses).all()


# --- the two plots of notebook 01 ------------------------------------------------------------


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "exception", "name"),
    [
        ({"losses": [[1.0, 2.0], [3.0, 4.0]]}, ValueError, "^losses "),
        ({"losses": np.ones((3, 2))}, ValueError, "^losses "),
        ({"losses": []}, ValueError, "^losses "),
        ({"losses": [1.0, np.nan]}, ValueError, "^losses "),
        ({"losses": [1.0, np.inf]}, ValueError, "^losses "),
        ({"losses": [1.0, 0.0, 2.0]}, ValueError, "losses must all be greater than 0"),
        ({"losses": [1.0, -2.0]}, ValueError, "log=False"),
        ({"losses": [1.0 + 1j, 2.0]}, TypeError, "^losses "),
        ({"losses": [True, False]}, TypeError, "^losses "),
        ({"losses": ["1", "2"]}, TypeError, "^losses "),
        ({"losses": None}, TypeError, "^losses "),
        ({"losses": 3.0}, ValueError, "^losses "),
        ({"losses": [1.0, 2.0], "x": [0.0]}, ValueError, "x must give one position per loss"),
        ({"losses": [1.0, 2.0], "ax": "axes"}, TypeError, "^ax "),
        ({"losses": [1.0, 2.0], "label": 3}, TypeError, "^label "),
        ({"losses": [1.0, 2.0], "log": "yes"}, TypeError, "^log "),
    ],
)
def test_plot_loss_curve_refuses_bad_input(kwargs, exception, name):
    with pytest.raises(exception, match=name):
        plot_loss_curve(**kwargs)
    assert not plt.get_fignums(), "a figure was drawn before the input was refused"


@pytest.mark.parametrize(
    "losses", [[3.0, 2.0, 1.5], np.array([3, 2, 1]), torch.tensor([3.0, 2.0, 1.5])]
)
def test_plot_loss_curve_draws_one_line_from_any_form(losses):
    ax = plot_loss_curve(losses, x=[0, 0.5, 1.0])
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), np.asarray(losses, dtype=float))
    np.testing.assert_allclose(line.get_xdata(), [0, 0.5, 1.0])
    assert ax.get_yscale() == "log"


def test_plot_loss_curve_draws_zero_and_negative_losses_on_a_linear_axis():
    ax = plot_loss_curve([1.0, 0.0, -1.0], log=False)
    assert ax.get_yscale() == "linear"


@pytest.mark.parametrize(
    ("kwargs", "exception", "name"),
    [
        ({"runs": None}, TypeError, "runs must be a non-empty dict"),
        ({"runs": [[1.0, 2.0]]}, TypeError, "runs must be a non-empty dict"),
        ({"runs": np.ones((2, 3))}, TypeError, "runs must be a non-empty dict"),
        ({"runs": {}}, TypeError, "empty"),
        ({"runs": {"a": [[1.0, 2.0]]}}, ValueError, r"runs\['a'\]"),
        ({"runs": {"a": []}}, ValueError, r"runs\['a'\]"),
        ({"runs": {"a": [1.0, np.nan]}}, ValueError, r"runs\['a'\]"),
        ({"runs": {"a": None}}, TypeError, r"runs\['a'\]"),
        ({"runs": {"a": [1j, 2.0]}}, TypeError, r"runs\['a'\]"),
        ({"runs": {1: [1.0, 2.0]}}, TypeError, "^every label of runs "),
        ({"runs": {"a": [1.0, 2.0]}, "target": "3.8"}, TypeError, "^target "),
        ({"runs": {"a": [1.0, 2.0]}, "target": [3.8, 1.0]}, ValueError, "^target "),
        ({"runs": {"a": [1.0, 2.0]}, "target": np.nan}, ValueError, "^target "),
        ({"runs": {"a": [1.0, 2.0]}, "ax": 1}, TypeError, "^ax "),
    ],
)
def test_plot_weight_trajectories_refuses_bad_input(kwargs, exception, name):
    with pytest.raises(exception, match=name):
        plot_weight_trajectories(**kwargs)
    assert not plt.get_fignums(), "a figure was drawn before the input was refused"


def test_plot_weight_trajectories_draws_each_run_and_the_target_from_any_form():
    runs = {"list": [0.5, 2.0, 3.0], "torch": torch.tensor([0.5, 1.0]), "int": np.arange(4)}
    ax = plot_weight_trajectories(runs, target=np.float32(3.5))
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["list", "torch", "int", "best w = 3.5000"]
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 1.0])
    assert plot_weight_trajectories(runs, target=torch.tensor(3.5)).get_lines()[-1].get_ydata()[
        0
    ] == pytest.approx(3.5)


def test_steps_are_whole_numbers_on_the_horizontal_axis():
    ax = plot_weight_trajectories({"a": np.linspace(0.0, 1.0, 21)})
    ax.figure.canvas.draw()
    ticks = ax.get_xticks()
    np.testing.assert_array_equal(ticks, np.round(ticks))
    ax = plot_loss_curve(np.linspace(2.0, 1.0, 21))
    ax.figure.canvas.draw()
    ticks = ax.get_xticks()
    np.testing.assert_array_equal(ticks, np.round(ticks))
