"""Optimisers and learning-rate schedules: how gradients become parameter updates.

Usage, as in PyTorch::

    optimizer = make_optimizer("adam", model.parameters())
    for k in range(steps):
        model.zero_grad()
        loss = ...; loss.backward()
        optimizer.step(learning_rate("linear", lr, k, steps))

Update rules (g is the gradient, k counts steps from 0, t = k + 1):

- ``sgd``:      p -= lr * g
- ``momentum``: v = mu * v + g;  p -= lr * v                    (mu = 0.9, PyTorch's form)
- ``adam``:     m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
                p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)   (b1 0.9, b2 0.999, eps 1e-8)

Parameters may hold floats (``nn.MLP``) or arrays (``tensor_nn.TensorMLP``):
each update gives ``p.data`` a new value and never changes an array in place,
so the parameters a caller saved before a step (to roll it back) stay as they were.

Schedules give the learning rate of step k out of ``steps``:
``linear`` lr * (1 - 0.9 k / steps) (micrograd's moons demo: from lr down to
lr/10), ``constant`` lr, ``cosine`` lr/10 + (lr - lr/10) (1 + cos(pi k / steps)) / 2.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.engine import Value
from ..errors import UsageError
from .config import Optimizer, Schedule

__all__ = ["OPTIMIZERS", "SCHEDULES", "learning_rate", "make_optimizer", "SGD", "Momentum", "Adam"]

OPTIMIZERS = tuple(Optimizer)
SCHEDULES = tuple(Schedule)


def learning_rate(schedule: str, lr: float, step: int, steps: int) -> float:
    """The learning rate of step ``step`` (0-based) out of ``steps``."""
    fraction = step / steps if steps else 0.0
    if schedule == "linear":
        return lr * (1.0 - 0.9 * fraction)
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        floor = lr / 10.0  # the same end point as linear, reached smoothly
        return floor + (lr - floor) * 0.5 * (1.0 + math.cos(math.pi * fraction))
    raise UsageError(f"unknown schedule '{schedule}': choose one of {', '.join(SCHEDULES)}", setting="schedule",
                     value=schedule)


class SGD:
    """Plain gradient descent: p -= lr * g."""

    name = "sgd"

    def __init__(self, params: list[Value]):
        self.params = list(params)

    def step(self, lr: float) -> None:
        for p in self.params:
            p.data = p.data - lr * p.grad


class Momentum(SGD):
    """Gradient descent with a velocity: v = mu * v + g; p -= lr * v."""

    name = "momentum"

    def __init__(self, params: list[Value], mu: float = 0.9):
        super().__init__(params)
        self.mu = mu
        self.velocity = [0.0] * len(self.params)

    def step(self, lr: float) -> None:
        mu, velocity = self.mu, self.velocity
        for i, p in enumerate(self.params):
            v = mu * velocity[i] + p.grad
            velocity[i] = v
            p.data = p.data - lr * v


class Adam(SGD):
    """Adam (Kingma & Ba 2015) with bias-corrected first and second moments."""

    name = "adam"

    def __init__(self, params: list[Value], beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(params)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2, eps = self.beta1, self.beta2, self.eps
        correction1 = 1.0 - b1**self.t  # early moments are biased towards their zero start
        correction2 = 1.0 - b2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            second = v[i] / correction2
            root = math.sqrt(second) if second.__class__ is float else np.sqrt(second)
            p.data = p.data - lr * (m[i] / correction1) / (root + eps)


def make_optimizer(name: str, params: list[Value], *, momentum: float = 0.9,
                   beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> SGD:
    """The optimiser called ``name`` over ``params``."""
    if name == "sgd":
        return SGD(params)
    if name == "momentum":
        return Momentum(params, momentum)
    if name == "adam":
        return Adam(params, beta1, beta2, eps)
    raise UsageError(f"unknown optimizer '{name}': choose one of {', '.join(OPTIMIZERS)}", setting="optimizer",
                     value=name)
