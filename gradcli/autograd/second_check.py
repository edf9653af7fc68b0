"""``check --order 2``: second derivatives against finite differences of the gradient, and of f.

    >>> from gradcli.autograd.expr import parse
    >>> report = check_second_derivatives(parse("x**3*y + sin(y)"), {"x": 2.0, "y": 0.5})
    >>> [(c.pair, c.check.status) for c in report.checks]
    [(('x', 'x'), 'pass'), (('x', 'y'), 'pass'), (('y', 'y'), 'pass')]
    >>> round(report.checks[0].check.autograd, 9), report.checks[0].from_f.status   # 6xy = 6
    (6.0, 'pass')

Each entry d2f/du dv of the Hessian (from ``create_graph``, ``higher.py``)
is checked as the derivative in v of the gradient's u component: the
gradient, computed by the engine's backward pass, is the function whose
central differences ``gradcheck.check_partial`` takes, with the
same step rule, tolerance, kink detection and Ridders' extrapolation as a
first-order check.  A diagonal entry d2f/dv2 is also checked against the
second difference of f itself, (f(x+h) - 2 f(x) + f(x-h)) / h**2: a wrong
*first*-derivative rule differentiates consistently into a wrong second
derivative, which only f can catch.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import DomainError, UsageError
from .gradcheck import (DEFAULT_ATOL, DEFAULT_RTOL, FAIL, KINK, PASS, UNCHECKED, Check, Coordinate, check_partial,
                        coordinates, graph_point)
from .higher import hessian_matrix

EPS = sys.float_info.epsilon
REFINE_START = 0.05  # Richardson's first step, times max(1, |x|) (or |x|): round-off stays far below the tolerance


@dataclass
class SecondCheck:
    """One Hessian entry: the check against differences of the gradient, and (diagonal) of f."""

    pair: tuple  # (u, v): d2f / du dv
    check: Check  # autograd = the entry; numeric = central difference of df/du along v
    from_f: Check | None = None  # diagonal only: numeric = the second difference of f

    @property
    def ok(self) -> bool:
        return self.check.ok and (self.from_f is None or self.from_f.ok)


@dataclass
class SecondReport:
    expression: str
    point: dict
    value: float
    checks: list  # SecondCheck, the upper triangle of the Hessian row by row
    rtol: float
    atol: float
    h: float | None
    output: str = "f"
    title: tuple = ("", "")
    warnings: tuple = ()

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


class GradientOf:
    """d f / d ``name`` (a variable, or a ``Coordinate``: an array's entry) as a function of the point, by the
    engine's backward pass (``value_at``)."""

    def __init__(self, expression, name: str | Coordinate):
        self.expression = expression
        self.coordinate = name if isinstance(name, Coordinate) else Coordinate(name, name)

    def value_at(self, point: dict) -> float:
        graph = self.expression.evaluate(point, labelled=False)
        graph.backward()
        return self.coordinate.value(graph.gradients())


def check_order(order: int) -> None:
    if order not in (1, 2):
        raise UsageError(f"{{setting}} must be 1 or 2 for a check, got {order}", setting="order", value=order)


def check_second_derivatives(expression, point: dict, *, h: float | None = None, rtol: float = DEFAULT_RTOL,
                             atol: float = DEFAULT_ATOL, names=None) -> SecondReport:
    """Check the Hessian of ``expression`` at ``point`` (the variables ``names``, or all of them)."""
    names = list(names or expression.variables)
    graph = expression.evaluate(point)
    matrix = hessian_matrix(graph, names, setting="order")
    point = {**point, **graph_point(graph, point)}  # arrays as the graph holds them
    coords = coordinates(point, names)  # the matrix's rows and columns: numbers, and each entry of an array
    checks = []
    for i, u in enumerate(coords):
        for j in range(i, len(coords)):
            v = coords[j]
            entry = matrix.numbers[i][j]
            check = check_partial(GradientOf(expression, u), point, v, entry, h=h, rtol=rtol, atol=atol)
            from_f = None
            if u == v and check.status not in (KINK, UNCHECKED):
                from_f = second_difference_check(expression, point, v, entry, h=h, rtol=rtol, atol=atol)
            checks.append(SecondCheck((u.label, v.label), check, from_f))
    return SecondReport(expression.source, dict(point), graph.output.data, checks, rtol, atol, h,
                        graph.output_name, expression.title(), tuple(graph.warnings()))


def second_step(x: float) -> float:
    """h = eps**(1/4) * max(1, |x|): balances the second difference's truncation (~h**2) and round-off (~eps/h**2)."""
    return EPS ** 0.25 * max(1.0, abs(x))


def second_difference_check(expression, point: dict, name: str | Coordinate, exact: float, *,
                            h: float | None = None, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> Check:
    """d2f/d name2 = ``exact`` against (f(x+h) - 2 f(x) + f(x-h)) / h**2, refined by Richardson if it disagrees.

    ``name`` is a variable, or a ``Coordinate``: one entry of an array.
    """
    coordinate = name if isinstance(name, Coordinate) else Coordinate(name, name)
    check = _second_difference_check(expression, point, coordinate, exact, h, rtol, atol)
    if coordinate.index is not None:
        check.variable, check.entry = coordinate.name, coordinate.index
    return check


def _second_difference_check(expression, point: dict, coordinate: Coordinate, exact: float, h: float | None,
                             rtol: float, atol: float) -> Check:
    name = coordinate.label
    x = coordinate.value(point)
    step = h if h is not None else second_step(x)
    estimate, failure = _second_difference(expression, point, coordinate, step)
    if estimate is None:
        return Check(name, x, exact, None, None, None, False, UNCHECKED, step, "none", note=failure)
    error = abs(exact - estimate)
    tolerance = atol + rtol * abs(estimate)
    if error > tolerance and h is None:
        starts = sorted({REFINE_START * max(1.0, abs(x)), REFINE_START * abs(x), 0.1 * REFINE_START * abs(x)} - {0.0},
                        reverse=True)  # as Ridders' first steps: a start too wide for the domain just drops out
        found = [r for r in (_richardson(expression, point, coordinate, start) for start in starts) if r is not None]
        refined = min(found, key=lambda r: r[1]) if found else None
        if refined is not None:
            better, uncertainty = refined
            if uncertainty <= 0.1 * (atol + rtol * abs(better)) and abs(exact - better) <= atol + rtol * abs(better):
                note = (f"the second difference at h = {step:.2g} gives {estimate:.10g}, off by round-off; "
                        f"Richardson's extrapolation gives {better:.10g} (± {uncertainty:.1g})")
                return Check(name, x, exact, better, abs(exact - better), _relative(abs(exact - better), better),
                             True, PASS, step, "richardson", note=note)
    ok = error <= tolerance
    return Check(name, x, exact, estimate, error, _relative(error, estimate), ok, PASS if ok else FAIL, step,
                 "second difference")


def _second_difference(expression, point, coordinate: Coordinate, step):
    x = coordinate.value(point)
    try:
        up = expression.value_at(coordinate.moved(point, x + step))
        down = expression.value_at(coordinate.moved(point, x - step))
        middle = expression.value_at(point)
    except DomainError as error:
        return None, f"x+h or x-h leaves the domain ({error.message}): no second difference"
    return (up - 2.0 * middle + down) / (step * step), ""


def _richardson(expression, point, coordinate: Coordinate, start):
    """Second differences at start, start/2, start/4 with the h**2 error term cancelled twice; (estimate, error)."""
    estimates = []
    for k in range(3):
        value, _ = _second_difference(expression, point, coordinate, start / 2 ** k)
        if value is None:
            return None
        estimates.append(value)
    first = [(4 * estimates[k + 1] - estimates[k]) / 3 for k in range(2)]
    best = (16 * first[1] - first[0]) / 15
    return best, abs(best - first[1])


def _relative(error: float, numeric: float) -> float:
    return error / abs(numeric) if numeric != 0 else (0.0 if error == 0 else float("inf"))
