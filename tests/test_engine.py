"""The Value engine: every op's derivative against finite differences, accumulation, deep graphs, arrays."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

from gradcli.autograd import engine, ops
from gradcli.autograd.engine import Value, topological_order
from gradcli.errors import DomainError

H = 1e-6

# name -> (build from input Values, plain float function, points to test at)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, [-1.3, 0.4, 2.0]),
    "exp": (Value.exp, math.exp, [-2.0, 0.3, 1.5]),
    "log": (Value.log, math.log, [0.2, 1.0, 7.5]),
    "tanh": (Value.tanh, math.tanh, [-1.2, 0.0, 0.8812]),
    "sigmoid": (Value.sigmoid, lambda x: 1 / (1 + math.exp(-x)), [-3.0, 0.0, 2.5]),
    "relu": (Value.relu, lambda x: max(x, 0.0), [-1.5, 0.7, 3.0]),
    "sin": (Value.sin, math.sin, [-2.0, 0.5, 3.0]),
    "cos": (Value.cos, math.cos, [-2.0, 0.5, 3.0]),
    "sqrt": (Value.sqrt, math.sqrt, [0.3, 2.0, 9.0]),
    "abs": (Value.abs, abs, [-2.5, 0.6, 4.0]),
    "**3": (lambda x: x**3, lambda x: x**3, [-1.5, 0.5, 2.0]),
    "**-0.5": (lambda x: x**-0.5, lambda x: x**-0.5, [0.5, 1.0, 4.0]),
    "2**x": (lambda x: 2**x, lambda x: 2**x, [-1.0, 0.5, 3.0]),
}
BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b, lambda a, b: a * b),
    "/": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, lambda a, b: a**b),
}
BINARY_POINTS = [(1.7, 0.6), (0.4, -2.2), (3.0, 1.5)]


def central(f, x):
    return (f(x + H) - f(x - H)) / (2 * H)


@pytest.mark.parametrize("name", UNARY)
def test_unary_derivative_matches_finite_difference(name):
    build, plain, points = UNARY[name]
    for x0 in points:
        x = Value(x0)
        build(x).backward()
        assert x.grad == pytest.approx(central(plain, x0), rel=1e-6, abs=1e-8), (name, x0)


@pytest.mark.parametrize("name", BINARY)
def test_binary_derivatives_match_finite_differences(name):
    build, plain = BINARY[name]
    for a0, b0 in BINARY_POINTS:
        if name == "pow" and a0 <= 0:
            continue
        a, b = Value(a0), Value(b0)
        build(a, b).backward()
        assert a.grad == pytest.approx(central(lambda t: plain(t, b0), a0), rel=1e-6, abs=1e-8)
        assert b.grad == pytest.approx(central(lambda t: plain(a0, t), b0), rel=1e-6, abs=1e-8)


def test_value_exponent_derivative_is_a_pow_b_log_a():
    a, b = Value(2.0), Value(3.0)
    out = a**b
    out.backward()
    assert out.op == "pow"
    assert b.grad == pytest.approx(8 * math.log(2))
    assert a.grad == pytest.approx(3 * 4)


def test_python_numbers_mix_in_from_both_sides():
    x = Value(3.0)
    assert (2 * x).data == 6 and (x * 2).data == 6
    assert (1 - x).data == -2 and (x - 1).data == 2
    assert (x / 3).data == 1 and (6 / x).data == 2
    assert (2**x).data == 8 and (x**2).data == 9
    assert (1 + x).data == 4


def test_reused_value_accumulates_every_path():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()  # a set of children would lose one edge: the gradient would be 3, not 6
    assert b.grad == 6.0
    c = Value(2.0)
    ((c * 3) + (c * c) + c.tanh()).backward()
    assert c.grad == pytest.approx(3 + 4 + (1 - math.tanh(2) ** 2))


def test_backward_twice_accumulates_and_zero_grad_resets():
    x = Value(2.0)
    y = x * x + x
    y.backward()
    assert x.grad == 5.0
    y.backward()
    assert x.grad == 10.0  # leaves accumulate, as in PyTorch; inner nodes count each path once
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    y.backward()
    assert x.grad == 5.0


def test_inputs_keep_their_order_and_traces_are_deterministic():
    def build():
        a, b = Value(2.0, "a"), Value(-3.0, "b")
        return (a * b + b * a).tanh()

    first = [(n.op, n.label, n.data) for n in topological_order(build())]
    second = [(n.op, n.label, n.data) for n in topological_order(build())]
    assert first == second
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (b - a).inputs == (b, a)


def test_topological_order_puts_inputs_first_and_each_node_once():
    x = Value(1.0)
    shared = x * 2
    out = shared + shared * shared + x
    order = topological_order(out)
    assert len(order) == len({id(n) for n in order})
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node.inputs:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is out


def test_a_million_node_chain_runs_backward_without_recursion():
    x = Value(1.0)
    out = x
    for _ in range(1_000_000):
        out = out + 1.0
    out.backward()
    assert x.grad == 1.0
    assert out.data == 1_000_001.0
    assert len(topological_order(out)) == 2_000_001  # a constant leaf per step


def test_backward_restores_the_garbage_collector():
    x = Value(0.5)
    out = x.tanh()
    assert gc.isenabled()
    out.backward()
    assert gc.isenabled()


def test_domain_errors_are_raised_as_domain_error():
    with pytest.raises(DomainError, match="log needs a positive number"):
        Value(-1.0).log()
    with pytest.raises(DomainError, match="division by zero"):
        Value(1.0) / 0
    with pytest.raises(DomainError, match="sqrt needs a number >= 0"):
        Value(-4.0).sqrt()
    with pytest.raises(DomainError, match="overflows"):
        Value(1000.0).exp()
    out = Value(0.0).sqrt()
    with pytest.raises(DomainError, match="infinite slope"):
        out.backward()


# -- ops.local_derivatives and the engine's backward rules are two spellings of one rule set


def _nodes_for_every_op():
    a, b = Value(1.3, "a"), Value(0.7, "b")
    arr = Value(np.array([0.5, 1.5, 2.0]))
    return [a + b, a - b, a * b, a / b, a**3, a**b, -a, a.exp(), a.log(), a.tanh(), a.sigmoid(), a.relu(),
            a.sin(), a.cos(), a.sqrt(), abs(Value(-1.3)), Value.sum([a, b, a]), arr.mean()]


def test_every_engine_op_has_a_table_entry_and_a_backward_rule():
    covered = {node.op for node in _nodes_for_every_op()}
    assert covered == set(engine._BACKWARD)
    assert covered <= set(ops.FUNCTIONS) | set(ops.OPERATORS)


@pytest.mark.parametrize("index", range(18))
def test_local_derivatives_agree_with_the_backward_rule(index):
    node = _nodes_for_every_op()[index]
    for child in node.inputs:
        child.grad = 0.0
    node.grad = 1.0
    engine._BACKWARD[node.op](node)  # one step of the chain rule with upstream gradient 1
    locals_ = ops.local_derivatives(node)
    # an input used twice (sum of a, b, a) receives the sum of its local derivatives
    expected = {}
    for child, local in zip(node.inputs, locals_):
        expected[id(child)] = expected.get(id(child), 0.0) + local
    for child in node.inputs:
        assert np.allclose(child.grad, expected[id(child)]), (node.op, child.grad, expected[id(child)])


def test_a_wrong_local_derivative_would_be_caught(monkeypatch):
    """The agreement test can fail: break one spelling and it disagrees."""
    node = Value(0.4).sin()
    node.grad = 1.0
    monkeypatch.setitem(engine._BACKWARD, "sin", lambda out: setattr(out.inputs[0], "grad", 42.0))
    engine._BACKWARD["sin"](node)
    assert not np.allclose(node.inputs[0].grad, ops.local_derivatives(node)[0])


# -- NumPy batches: elementwise data, float parameters' gradients summed over the batch


def test_array_data_is_elementwise_and_float_parameter_grads_sum_over_the_batch():
    xs = np.array([0.5, -1.0, 2.0])
    x = Value(xs)
    w, b = Value(0.3), Value(-0.2)
    out = ((w * x + b).tanh()).mean()
    out.backward()
    t = np.tanh(0.3 * xs - 0.2)
    assert out.data == pytest.approx(t.mean())
    assert isinstance(w.grad, float) and isinstance(b.grad, float)
    assert w.grad == pytest.approx(float(np.sum((1 - t**2) * xs) / 3))
    assert b.grad == pytest.approx(float(np.sum(1 - t**2) / 3))
    assert np.allclose(x.grad, (1 - t**2) * 0.3 / 3)


def test_array_batch_matches_the_scalar_graph_point_by_point():
    xs = [0.1, -0.7, 1.9]
    batched_w = Value(0.8)
    Value.sum([(batched_w * Value(np.array(xs))).sigmoid().mean() * len(xs)]).backward()
    scalar_w = Value(0.8)
    Value.sum([(scalar_w * x).sigmoid() for x in xs]).backward()
    assert batched_w.grad == pytest.approx(scalar_w.grad)


def test_local_derivatives_work_on_array_data():
    a, b = Value(np.array([0.5, 2.0])), Value(np.array([1.5, 3.0]))
    node = a**b
    da, db = ops.local_derivatives(node)
    assert np.allclose(da, [1.5 * 0.5**0.5, 3.0 * 2.0**2.0])
    assert np.allclose(db, [0.5**1.5 * math.log(0.5), 8.0 * math.log(2.0)])
    (local,) = ops.local_derivatives(Value(np.array([4.0, 9.0])).sqrt())
    assert np.allclose(local, [0.25, 1 / 6])
