"""A small training loop with a history (notebook 06).

`train` is notebook 01's mini-batch loop for any torch model: shuffle the n training rows with a
seeded generator, and for every batch compute the loss, its gradient, and a step: `SGD`, notebook
01's w <- w - lr * dL/dw, or `Adam`, which scales the step of every parameter entry by the size of
its recent gradients. Both are written out, and equal torch.optim's. Shapes: `inputs` is a tuple of
tensors that all have n rows (for reviews: ids (n, L) and lengths (n,)), `targets` has shape
(n,), and `model(*inputs)` returns one output per row.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

from helpers._validate import positive_int, positive_number


@dataclass
class History:
    """What happened during training, one entry per epoch.

    loss: the mean training loss over the epoch's batches (weighted by batch size);
    validation: what `validate(model)` returned after the epoch (empty without `validate`).
    """

    loss: list[float] = field(default_factory=list)
    validation: list[float] = field(default_factory=list)


def batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Row indices for one pass over n rows: shuffled by `generator`, batch_size at a time.

    Each yielded tensor is int64 of shape (batch_size,), the last one (n % batch_size,) if
    shorter. Every row appears exactly once per pass; a seeded generator gives the same batches
    on every run and a new order at every pass.
    """
    n, batch_size = positive_int(n, "n"), positive_int(batch_size, "batch_size")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    order = torch.randperm(n, generator=generator)
    yield from order.split(batch_size)


class SGD:
    """Plain stochastic gradient descent, notebook 01's update: p <- p - lr * dL/dp.

    parameters: the tensors to train (e.g. model.parameters()); lr: the learning rate > 0.
    `step()` updates every parameter that has a gradient, in place, like torch.optim.SGD.
    """

    def __init__(self, parameters, lr: float):
        self.parameters = list(parameters)
        self.lr = positive_number(lr, "lr")

    def step(self) -> None:
        with torch.no_grad():
            for p in self.parameters:
                if p.grad is not None:
                    p -= self.lr * p.grad


class Adam:
    """SGD with a step size per parameter entry (Kingma and Ba, 2015), like torch.optim.Adam.

    It keeps running averages of each entry's gradient, m, and squared gradient, v, and steps
    p <- p - lr * m̂ / (√v̂ + eps), where m̂ and v̂ undo the averages' bias towards their zero
    start. Dividing by √v̂ makes the step about lr for every entry, whatever the size of its
    gradients: rare words, whose embedding rows get tiny gradients, learn as fast as the rest.
    """

    def __init__(self, parameters, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.parameters = list(parameters)
        self.lr, self.eps = positive_number(lr, "lr"), positive_number(eps, "eps")
        if not all(0 <= b < 1 for b in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        self.betas, self.t = tuple(float(b) for b in betas), 0
        self.m = [torch.zeros_like(p) for p in self.parameters]
        self.v = [torch.zeros_like(p) for p in self.parameters]

    def step(self) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        with torch.no_grad():
            for p, m, v in zip(self.parameters, self.m, self.v, strict=True):
                if p.grad is None:
                    continue
                m.mul_(beta1).add_((1 - beta1) * p.grad)  # m <- b1 m + (1 - b1) g
                v.mul_(beta2).add_((1 - beta2) * p.grad**2)  # v <- b2 v + (1 - b2) g²
                m_hat, v_hat = m / (1 - beta1**self.t), v / (1 - beta2**self.t)
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)


def train(
    model: torch.nn.Module,
    inputs,
    targets,
    loss_fn: Callable,
    optimizer,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    validate: Callable | None = None,
) -> History:
    """Train `model` in place by mini-batches; return the History of its epochs.

    inputs: a tensor or tuple of tensors with n rows each; targets: (n,). Each step computes
    `loss_fn(model(*inputs[rows]), targets[rows])` on a batch of rows, its gradients, and
    `optimizer.step()` (`SGD`, `Adam` or a torch.optim optimizer over model's parameters). The
    batch order comes from a generator seeded with `seed`. The model is in training mode while
    it learns; `validate(model)`, if given, runs after every epoch in evaluation mode without
    gradients, and its result is recorded. The model is left in evaluation mode (dropout off),
    ready to be used.
    """
    inputs = _rows(inputs, targets)
    epochs = positive_int(epochs, "epochs")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError("optimizer must have a step() method, e.g. SGD(model.parameters(), lr)")
    generator = torch.Generator().manual_seed(seed)
    history = History()
    for _ in range(epochs):
        model.train()
        total = 0.0
        for rows in batches(len(targets), batch_size, generator):
            loss = loss_fn(model(*(x[rows] for x in inputs)), targets[rows])
            model.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        history.loss.append(total / len(targets))
        if validate is not None:
            model.eval()
            with torch.no_grad():
                history.validation.append(float(validate(model)))
    model.eval()
    return history


def _rows(inputs, targets) -> tuple[torch.Tensor, ...]:
    """`inputs` as a tuple of tensors with as many rows as `targets` (n,), checked."""
    inputs = (inputs,) if isinstance(inputs, torch.Tensor) else tuple(inputs)
    if not isinstance(targets, torch.Tensor) or targets.dim() != 1:
        raise TypeError("targets must be a 1-d torch tensor of shape (n,)")
    for index, x in enumerate(inputs):
        if not isinstance(x, torch.Tensor) or x.dim() == 0 or len(x) != len(targets):
            raise ValueError(
                f"inputs[{index}] must be a tensor with n = {len(targets)} rows, one per target"
            )
    return inputs
