"""One table of every operation: its name, how to apply it, its local derivative.

The parser reads ``FUNCTIONS`` and ``CONSTANTS`` to know which names exist; the
trace uses ``local_derivatives`` to show the chain rule; the docs and the
``--help`` texts quote ``derivative``.  The engine (``engine.py``) holds the
arithmetic itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .engine import Value, _np


@dataclass(frozen=True)
class Op:
    """An operation of the expression language."""

    name: str  # as written in an expression (functions) or as recorded in Value.op
    symbol: str  # as shown in traces and pictures
    derivative: str  # the local derivative, in words a student can check
    apply: Callable | None = None  # for functions: Value -> Value


FUNCTIONS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("exp", "exp", "d/dx exp(x) = exp(x)", Value.exp),
        Op("log", "log", "d/dx log(x) = 1/x  (natural log, x > 0)", Value.log),
        Op("tanh", "tanh", "d/dx tanh(x) = 1 - tanh(x)**2", Value.tanh),
        Op("sigmoid", "sigmoid", "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))", Value.sigmoid),
        Op("relu", "relu", "d/dx relu(x) = 1 if x > 0 else 0  (0 at x = 0)", Value.relu),
        Op("sin", "sin", "d/dx sin(x) = cos(x)", Value.sin),
        Op("cos", "cos", "d/dx cos(x) = -sin(x)", Value.cos),
        Op("sqrt", "sqrt", "d/dx sqrt(x) = 1 / (2 sqrt(x))  (x >= 0; undefined at 0)", Value.sqrt),
        Op("abs", "abs", "d/dx abs(x) = sign(x)  (0 at x = 0)", Value.abs),
    )
}

OPERATORS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("+", "+", "d/da (a + b) = 1,  d/db (a + b) = 1"),
        Op("-", "-", "d/da (a - b) = 1,  d/db (a - b) = -1"),
        Op("*", "*", "d/da (a * b) = b,  d/db (a * b) = a"),
        Op("/", "/", "d/da (a / b) = 1/b,  d/db (a / b) = -a/b**2"),
        Op("**", "**n", "d/dx x**n = n * x**(n-1)  (n a constant)"),
        Op("pow", "**", "d/da a**b = b * a**(b-1),  d/db a**b = a**b * log(a)"),
        Op("neg", "-", "d/dx (-x) = -1"),
        Op("sum", "sum", "d/dx_i (x_1 + ... + x_n) = 1"),
        Op("mean", "mean", "d/dx_i mean(x) = 1/n"),
    )
}

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}


def op_symbol(node: Value) -> str:
    """How a node's operation is shown: ``+``, ``tanh``, ``**2`` (leaves: ``""``)."""
    if not node.op:
        return ""
    if node.op == "**":
        n = node.arg
        return f"**{int(n)}" if float(n).is_integer() else f"**{n:g}"
    op = FUNCTIONS.get(node.op) or OPERATORS.get(node.op)
    return op.symbol if op else node.op


def local_derivatives(node: Value) -> list:
    """d node / d input for each input, at the current values (floats or arrays).

    The same rules as the engine's backward pass, spelled out for traces: the
    contribution of input i is ``local_derivatives(node)[i] * node.grad``.
    """
    op, ins, y = node.op, node.inputs, node.data
    if op in ("+", "sum"):
        return [1.0] * len(ins)
    if op == "mean":
        x = ins[0].data
        return [1.0 if isinstance(x, float) else 1.0 / x.size]
    if op == "-":
        return [1.0, -1.0]
    if op == "*":
        return [ins[1].data, ins[0].data]
    if op == "/":
        return [1.0 / ins[1].data, -y / ins[1].data]
    if op == "neg":
        return [-1.0]
    if op == "**":
        n = node.arg
        return [0.0 if n == 0 else n * ins[0].data ** (n - 1.0)]
    if op == "pow":
        a, b = ins[0].data, ins[1].data
        if isinstance(a, float) and isinstance(b, float):
            return [0.0 if b == 0 else b * a ** (b - 1.0), 0.0 if a == 0 else y * math.log(a)]
        np = _np()
        with np.errstate(divide="ignore", invalid="ignore"):  # the engine's rule: 0 where a is 0
            return [b * np.power(a, b - 1.0), np.where(a > 0, y * np.log(np.where(a > 0, a, 1.0)), 0.0)]
    x = ins[0].data
    scalar = isinstance(x, float)
    if op == "exp":
        return [y]
    if op == "log":
        return [1.0 / x]
    if op == "tanh":
        return [1.0 - y * y]
    if op == "sigmoid":
        return [y * (1.0 - y)]
    if op == "relu":
        return [(1.0 if x > 0 else 0.0) if scalar else (x > 0).astype(float)]
    if op == "sin":
        return [math.cos(x) if scalar else _np().cos(x)]
    if op == "cos":
        return [-math.sin(x) if scalar else -_np().sin(x)]
    if op == "sqrt":
        if not scalar:
            return [0.5 / y]
        return [0.5 / y if y != 0 else math.inf]
    if op == "abs":
        return [(1.0 if x > 0 else -1.0 if x < 0 else 0.0) if scalar else _np().sign(x)]
    raise KeyError(f"no local derivative known for op {op!r}")
