"""helpers.training: the optimizers against torch.optim, the loop against the least-squares
solution."""

import numpy as np
import pytest
import torch

from helpers.training import (
    SGD,
    Adam,
    batches,
    train,
)


def regression_problem(n=96, d=3, seed=0):
    """y = X w + b exactly (no noise), in float64: least squares recovers w and b."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=generator, dtype=torch.float64)
    w, b = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64), 0.25
    return X, X @ w + b


def linear_model(d=3):
    model = torch.nn.Linear(d, 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    return model


def squared_loss(output, target):
    return ((output.squeeze(-1) - target) ** 2).mean()


def test_batches_visit_every_row_once_per_pass_in_a_seeded_order():
    generator = torch.Generator().manual_seed(3)
    first = list(batches(10, 4, generator))
    assert [len(b) for b in first] == [4, 4, 2]
    assert sorted(torch.cat(first).tolist()) == list(range(10))
    second = torch.cat(list(batches(10, 4, generator)))
    again = torch.Generator().manual_seed(3)
    assert torch.equal(torch.cat(list(batches(10, 4, again))), torch.cat(first))
    assert not torch.equal(second, torch.cat(first))  # a new order at every pass


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (
            lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
            lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
        ),
    ],
    ids=["SGD", "Adam", "Adam-options"],
)
def test_optimizers_equal_torch_optim_step_after_step(ours, theirs):
    X, y = regression_problem()
    models = linear_model(), linear_model()
    optimizers = ours(models[0].parameters()), theirs(models[1].parameters())
    for step in range(5):
        rows = slice(16 * step, 16 * step + 16)
        for model, optimizer in zip(models, optimizers, strict=True):
            model.zero_grad()
            squared_loss(model(X[rows]), y[rows]).backward()
            optimizer.step()
        for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_train_equals_a_loop_with_torch_optim_sgd_on_the_same_batches():
    X, y = regression_problem()
    ours, theirs = linear_model(), linear_model()
    history = train(ours, X, y, squared_loss, SGD(ours.parameters(), 0.05), 3, 16, seed=7)
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.05)
    generator = torch.Generator().manual_seed(7)
    losses = []
    for _ in range(3):
        order, total = torch.randperm(len(y), generator=generator), 0.0
        for rows in order.split(16):
            optimizer.zero_grad()
            loss = squared_loss(theirs(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        losses.append(total / len(y))
    np.testing.assert_allclose(history.loss, losses, rtol=1e-12)
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_train_reduces_the_loss_to_the_least_squares_solution():
    X, y = regression_problem()
    model = linear_model()
    history = train(model, X, y, squared_loss, SGD(model.parameters(), 0.05), 200, 16)
    assert history.loss[-1] < 1e-12 < history.loss[0]
    design = np.column_stack([X.numpy(), np.ones(len(y))])
    solution, *_ = np.linalg.lstsq(design, y.numpy(), rcond=None)
    learned = np.append(model.weight.detach().numpy().ravel(), model.bias.item())
    np.testing.assert_allclose(learned, solution, atol=1e-8)


def test_validation_runs_after_every_epoch_in_evaluation_mode_without_gradients():
    X, y = regression_problem()
    model = torch.nn.Sequential(linear_model(), torch.nn.Dropout(0.5))
    seen = []

    def validate(m):
        seen.append((m.training, torch.is_grad_enabled()))
        return squared_loss(m(X), y).item()

    optimizer = SGD(model.parameters(), lr=0.01)
    history = train(model, X, y, squared_loss, optimizer, 2, 32, validate=validate)
    assert seen == [(False, False), (False, False)] and len(history.validation) == 2
    assert not model.training


def test_train_refuses_inputs_and_targets_of_different_lengths():
    X, y = regression_problem()
    model = linear_model()
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"inputs\[0\] must be a tensor with n = 95 rows"):
        train(model, X, y[:-1], squared_loss, optimizer, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train(model, X, y, squared_loss, optimizer, epochs=0, batch_size=8)
    with pytest.raises(TypeError, match="step"):
        train(model, X, y, squared_loss, 0.1, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="lr must be a finite number greater than 0"):
        SGD(model.parameters(), lr=-1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(model.parameters(), betas=(0.9, 1.0))


def test_adam_reduces_the_loss_where_one_sgd_learning_rate_cannot_serve_all_weights():
    """Columns of very different sizes: SGD's safe rate is set by the large one, and the small
    column's weight hardly moves; Adam steps every weight at about the same rate."""
    X, y = regression_problem()
    X = X * torch.tensor([10.0, 1.0, 0.01], dtype=torch.float64)
    y = X @ torch.tensor([0.2, -1.0, 50.0], dtype=torch.float64)
    losses = {}
    for name, make in [("SGD", lambda p: SGD(p, 0.005)), ("Adam", lambda p: Adam(p, 0.1))]:
        model = linear_model()
        losses[name] = train(model, X, y, squared_loss, make(model.parameters()), 300, 16).loss
    assert losses["Adam"][-1] < 1e-3 * losses["Adam"][0]
    assert losses["Adam"][-1] < 1e-2 * losses["SGD"][-1]
