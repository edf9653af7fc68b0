"""Derivatives beyond the first: second and higher derivatives, Hessians and Jacobians.

All of them come from the engine's own backward pass run with
``create_graph=True``: the first derivatives are Value graphs built from the
op records' rules, and differentiating those graphs again gives the next
order.  Nothing here is a separate rule set::

    >>> from gradcli.autograd.engine import Value
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> f = x * x * y
    >>> hessian(f, [x, y])                      # d2f/dx2 = 2y, d2f/dxdy = 2x, d2f/dy2 = 0
    [[6.0, 4.0], [4.0, 0.0]]
    >>> [d.data for d in derivatives(x ** 4, x, 4)]    # 4x^3, 12x^2, 24x, 24 at x = 2
    [32.0, 48.0, 48.0, 24.0]
    >>> jacobian([x * y, x + y], [x, y])
    [[3.0, 2.0], [1.0, 1.0]]
"""

from __future__ import annotations

from .engine import Value, grad

__all__ = ["derivatives", "hessian", "jacobian", "MAX_ORDER"]

MAX_ORDER = 4  # f' to f'''' of one variable: beyond that the graphs grow fast and teach little


def derivatives(output: Value, variable: Value, order: int) -> list[Value]:
    """d output / d variable, d2, ... up to ``order``, each a Value graph (its ``data`` is the number).

    Each one is the derivative of the one before it, through the engine's
    backward pass with ``create_graph=True``.
    """
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must lie in 1..{MAX_ORDER}, got {order}")
    results = []
    current = output
    for _ in range(order):
        (current,) = grad(current, [variable], create_graph=True)
        results.append(current)
    return results


def hessian(output: Value, inputs: list[Value]) -> list[list[float]]:
    """The matrix of d2 output / d input_i d input_j at the current values (symmetric)."""
    first = grad(output, inputs, create_graph=True)
    return [[_number(g) for g in grad(d, inputs)] for d in first]


def jacobian(outputs: list[Value], inputs: list[Value]) -> list[list[float]]:
    """The matrix of d output_i / d input_j: one row per output (one backward pass each)."""
    return [[_number(g) for g in grad(out, inputs)] for out in outputs]


def _number(g):
    return g.data if isinstance(g, Value) else g
