"""Optimisers against hand-computed steps; learning-rate schedules."""

from __future__ import annotations

import math

import pytest

from gradcli.autograd.engine import Value
from gradcli.errors import UsageError
from gradcli.learn.optim import Adam, Momentum, SGD, learning_rate, make_optimizer


def param(data: float, grad: float) -> Value:
    p = Value(data)
    p.grad = grad
    return p


def test_sgd_step():
    p = param(1.0, 0.5)
    SGD([p]).step(0.1)
    assert p.data == pytest.approx(1.0 - 0.1 * 0.5)


def test_momentum_two_steps():
    p = param(1.0, 0.5)
    opt = Momentum([p], mu=0.9)
    opt.step(0.1)  # v = 0.5
    assert p.data == pytest.approx(0.95)
    p.grad = -0.2
    opt.step(0.1)  # v = 0.9 * 0.5 - 0.2 = 0.25
    assert p.data == pytest.approx(0.95 - 0.1 * 0.25)


def test_adam_first_and_second_step():
    p = param(1.0, 0.5)
    opt = Adam([p])
    opt.step(0.01)
    # t=1: m = 0.05, v = 0.00025; bias-corrected m^ = 0.5, v^ = 0.25 -> step lr * 0.5 / (0.5 + 1e-8)
    assert p.data == pytest.approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-8), rel=1e-14)
    first = p.data
    p.grad = -1.0
    opt.step(0.01)
    m = 0.9 * 0.05 + 0.1 * -1.0  # -0.055
    v = 0.999 * 0.00025 + 0.001 * 1.0  # 0.00124975
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert p.data == pytest.approx(first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-14)


def test_make_optimizer_names():
    assert isinstance(make_optimizer("momentum", []), Momentum)
    assert isinstance(make_optimizer("adam", []), Adam)
    with pytest.raises(UsageError, match="unknown optimizer 'rmsprop': choose one of sgd, momentum, adam"):
        make_optimizer("rmsprop", [])


def test_schedules():
    # micrograd's demo: lr 1.0 at step 0 down to 0.1 + 0.009 at step 99 of 100
    assert learning_rate("linear", 1.0, 0, 100) == 1.0
    assert learning_rate("linear", 1.0, 99, 100) == pytest.approx(1.0 - 0.9 * 99 / 100)
    assert learning_rate("constant", 0.3, 57, 100) == 0.3
    assert learning_rate("cosine", 1.0, 0, 100) == pytest.approx(1.0)
    assert learning_rate("cosine", 1.0, 50, 100) == pytest.approx(0.55)
    assert learning_rate("cosine", 1.0, 100, 100) == pytest.approx(0.1)
    with pytest.raises(UsageError, match="unknown schedule"):
        learning_rate("step", 1.0, 0, 10)
