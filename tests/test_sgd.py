"""helpers.sgd against independent references: torch autograd, torch.optim.SGD, numpy lstsq."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import sgd
from helpers.data import load_swedish_auto_insurance

finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)


def torch_loss_and_grad(w, x, y):
    """Mean squared error of w x and its gradient, computed by torch autograd."""
    weight = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    xs = torch.as_tensor(np.atleast_1d(x), dtype=torch.float64)
    ys = torch.as_tensor(np.atleast_1d(y), dtype=torch.float64)
    loss = torch.mean((weight * xs - ys) ** 2)
    loss.backward()
    return loss.item(), weight.grad.item()


@settings(max_examples=50, deadline=None)
@given(w=finite, data=st.lists(st.tuples(finite, finite), min_size=1, max_size=20))
def test_loss_and_gradient_match_autograd(w, data):
    x, y = np.array(data).T
    loss, grad = torch_loss_and_grad(w, x, y)
    assert sgd.squared_loss(w, x, y) == pytest.approx(loss, rel=1e-9, abs=1e-9)
    assert sgd.gradient(w, x, y) == pytest.approx(grad, rel=1e-9, abs=1e-9)


def test_step_matches_torch_optim_sgd():
    x, y, w0, lr = 108.0, 392.5, 0.5, 1e-4
    weight = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=lr)
    ((weight * x - y) ** 2).backward()
    optimizer.step()
    assert sgd.sgd_step(w0, x, y, lr) == pytest.approx(weight.item(), rel=1e-12)


def test_trace_replays_stochastic_steps_of_torch_optim_sgd():
    x = np.array([108.0, 19.0, 13.0])
    y = np.array([392.5, 46.2, 15.7])
    weight = torch.nn.Parameter(torch.tensor(0.5, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=1e-4)
    expected = []
    for xi, yi in zip(x, y, strict=True):
        optimizer.zero_grad()
        ((weight * xi - yi) ** 2).backward()
        grad = weight.grad.item()
        optimizer.step()
        expected.append((grad, weight.item()))
    table = sgd.sgd_trace(x, y, w0=0.5, lr=1e-4)
    assert list(table.columns) == ["sample", "w_old", "x", "y", "y_hat", "dL/dw", "w_new"]
    np.testing.assert_allclose(table[["dL/dw", "w_new"]].to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(table["w_old"].iloc[1:], table["w_new"].iloc[:-1])


@pytest.mark.parametrize("batch_size", [1, 7, 63])
def test_training_matches_torch_minibatch_sgd(batch_size):
    data = load_swedish_auto_insurance()
    x, y = data.X.to_numpy(float), data.Y.to_numpy(float)
    run = sgd.train(x, y, w0=0.5, lr=2e-5, epochs=3, batch_size=batch_size, shuffle=True, seed=4)
    weight = torch.nn.Parameter(torch.tensor(0.5, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=2e-5)
    rng = np.random.default_rng(4)
    weights = [0.5]
    for _ in range(3):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            xb, yb = torch.from_numpy(x[batch]), torch.from_numpy(y[batch])
            torch.mean((weight * xb - yb) ** 2).backward()
            optimizer.step()
            weights.append(weight.item())
    np.testing.assert_allclose(run.weights, weights, rtol=1e-10)
    assert run.epoch_losses.shape == (4,)
    assert not run.diverged


def test_full_batch_descent_converges_to_numpy_least_squares():
    data = load_swedish_auto_insurance()
    x, y = data.X.to_numpy(float), data.Y.to_numpy(float)
    best = np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]
    lr = 0.4 * sgd.max_stable_learning_rate(x)  # the error shrinks by |1 - 0.8| = 0.2 a step
    run = sgd.train(x, y, w0=0.5, lr=lr, epochs=50, batch_size=len(x))
    assert run.w == pytest.approx(best, rel=1e-9)
    assert sgd.least_squares(x, y) == pytest.approx(best, rel=1e-12)


def test_least_squares_with_intercept_matches_numpy_lstsq():
    data = load_swedish_auto_insurance()
    x, y = data.X.to_numpy(float), data.Y.to_numpy(float)
    slope, intercept = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]
    assert sgd.least_squares(x, y, intercept=True) == pytest.approx((slope, intercept))


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(0.1, 50), min_size=1, max_size=10), factor=st.floats(0.05, 3))
def test_stability_bound_separates_shrinking_from_growing_steps(x, factor):
    x = np.array(x)
    y = 3.0 * x  # best weight is 3
    lr = factor * sgd.max_stable_learning_rate(x)
    w1 = sgd.sgd_step(0.0, x, y, lr)
    shrinks = abs(w1 - 3.0) < 3.0
    if factor < 0.99:
        assert shrinks
    elif factor > 1.01:
        assert not shrinks


def test_a_too_large_learning_rate_diverges_and_stops():
    run = sgd.train([124.0, 108.0], [422.2, 392.5], w0=0.5, lr=1e-3, epochs=100)
    assert run.diverged
    assert np.isfinite(run.weights).all() and np.isfinite(run.losses).all()
    assert len(run.weights) < 201


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sgd.gradient(0.5, [], []), "must not be empty"),
        (lambda: sgd.gradient(0.5, [1.0, 2.0], [1.0]), "same length"),
        (lambda: sgd.gradient(0.5, [1.0, np.nan], [1.0, 2.0]), "NaN or infinite"),
        (lambda: sgd.gradient(0.5, [1.0], [np.inf]), "NaN or infinite"),
        (lambda: sgd.gradient(np.nan, [1.0], [1.0]), "w must be finite"),
        (lambda: sgd.gradient(0.5, [[1.0, 2.0]], [[1.0, 2.0]]), r"shape \(n,\)"),
        (lambda: sgd.sgd_step(0.5, 1.0, 2.0, lr=0), "greater than 0"),
        (lambda: sgd.sgd_step(0.5, 1.0, 2.0, lr=-1e-4), "greater than 0"),
        (lambda: sgd.train([1.0], [2.0], 0.5, lr=1e-3, epochs=0), "at least 1"),
        (lambda: sgd.train([1.0], [2.0], 0.5, lr=1e-3, epochs=1, batch_size=2), "at most"),
        (lambda: sgd.least_squares([0.0, 0.0], [1.0, 2.0]), "all zeros"),
        (lambda: sgd.least_squares([2.0, 2.0], [1.0, 2.0], intercept=True), "all x are equal"),
    ],
)
def test_bad_input_raises_value_error_saying_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: sgd.gradient(0.5, ["1"], [1.0]),
        lambda: sgd.gradient(0.5, [True], [1.0]),
        lambda: sgd.gradient("0.5", [1.0], [1.0]),
        lambda: sgd.sgd_step(0.5, 1.0, 2.0, lr="big"),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError, match="must"):
        call()


def test_a_diverged_run_stops_at_the_step_that_passed_the_limit():
    """Replays the run by hand: step len(weights) is the first whose |w| exceeds the limit."""
    x, y, lr = np.array([124.0, 108.0]), np.array([422.2, 392.5]), 1e-3
    run = sgd.train(x, y, w0=0.5, lr=lr, epochs=100)
    w, step = 0.5, 0
    while abs(w) <= sgd.DIVERGENCE_LIMIT:
        xi, yi = x[step % 2], y[step % 2]
        w -= lr * 2 * xi * (w * xi - yi)
        step += 1
    assert run.diverged and step == len(run.weights)
