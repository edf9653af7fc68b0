"""A function and its derivatives sampled over a range of one variable: what ``gradcli plot`` draws.

    >>> from gradcli.autograd.expr import parse
    >>> curves = sample(parse("3*x**2 - 4*x + 5"), "x", -5.0, 5.0, step=0.25)   # seed 004: np.arange(-5, 5, 0.25)
    >>> len(curves.xs), curves.xs[:3], curves.values[0][:3]
    (40, [-5.0, -4.75, -4.5], [100.0, 91.6875, 83.75])
    >>> curves.values[1][32]                      # f'(3) = 6*3 - 4
    14.0
    >>> t = sample(parse("x**2"), "x", -2.0, 2.0, points=5, tangent=1.0).tangent
    >>> t.value, t.slope, t.at(2.0)               # y = 1 + 2 (x - 1)
    (1.0, 2.0, 3.0)

Each point is evaluated by the engine and differentiated with
``create_graph`` (``higher.derivatives``), so f', f'' are the engine's own
derivatives.  Nothing here crashes on a point where the function is not
defined or not differentiable; those are gaps (``None``), each with a note:

- outside the domain (``log(x)`` at x <= 0): every curve is ``None`` there;
- at a kink (``relu`` at 0, a tie of ``max``): the derivatives that do not
  exist there are ``None`` (f stays);
- between two samples a curve may jump (``floor``, ``sign``, ``1/x`` across
  0, ``relu``'s slope at 0): ``jumps[k]`` holds the indices i where curve k
  must not be joined from point i-1 to point i.  A jump is found, not guessed
  from the numbers: the graph of the curve takes another branch (a rule's
  ``where`` picks another side, a ``step`` or ``floor`` node changes value, a
  divisor changes sign).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import DomainError, UsageError
from ..numbers import plain
from .engine import Value, topological_order
from .gradcheck import kinks_at
from .higher import MAX_ORDER, derivatives

__all__ = ["Curves", "Tangent", "sample", "grid", "MAX_POINTS", "DEFAULT_POINTS"]

DEFAULT_POINTS = 200  # enough for a smooth picture in a terminal or a file
MAX_POINTS = 100_000  # each point is a forward and a backward pass (with create_graph): more is never needed


@dataclass
class Tangent:
    """The tangent line at ``x``: y = value + slope * (x' - x)."""

    x: float
    value: float
    slope: float
    note: str = ""  # at a kink: the slope is the engine's choice among the one-sided slopes

    def at(self, x: float) -> float:
        return self.value + self.slope * (x - self.x)


@dataclass
class Curves:
    """f, f', ... over ``xs``: ``values[k][i]`` is the k-th derivative at ``xs[i]`` (None: a gap)."""

    expression: str
    output: str  # the output's name (f)
    variable: str  # the variable that runs over the range
    held: dict  # the other variables' values
    xs: list
    values: list  # [f, f', f'', ...], each a list over xs
    notes: list  # per point: "" or why some curve has a gap there
    jumps: list = field(default_factory=list)  # per curve: the indices i not joined to i - 1
    tangent: Tangent | None = None
    title: tuple = ("", "")  # Expression.title(): the output's formula and the steps before it

    @property
    def order(self) -> int:
        return len(self.values) - 1

    def gaps(self) -> list:
        """(curve, first x, last x, note) for each run of missing points of a curve."""
        runs = []
        for k, curve in enumerate(self.values):
            start = None
            for i, value in enumerate(curve + [0.0]):
                if value is None and start is None:
                    start = i
                elif value is not None and start is not None:
                    runs.append((k, self.xs[start], self.xs[i - 1], self.notes[start]))
                    start = None
        return runs


def grid(low: float, high: float, points: int | None = None, step: float | None = None,
         variable: str = "x") -> list:
    """The x values: ``points`` evenly from low to high (both included), or low, low + step, ... below high."""
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise UsageError(f"{{setting}} {plain(low)}:{plain(high)} is empty: LO must be below HI, e.g. -5:5",
                         setting=variable, value=(low, high))
    if not math.isfinite(high - low):
        raise UsageError(f"{{setting}} {plain(low)}:{plain(high)} is too wide: HI - LO overflows a float",
                         hint="give a narrower range, e.g. -1e300:1e300", setting=variable, value=(low, high))
    if step is not None:
        if not (step > 0 and math.isfinite(step)):
            raise UsageError(f"the step of {{setting}} must be positive, not {plain(step)}", setting=variable)
        count = math.ceil((high - low) / step)  # as NumPy's arange: high itself is left out
        _check_count(count, "step")
        return [low + i * step for i in range(count)]
    points = DEFAULT_POINTS if points is None else points
    _check_count(points, "points")
    spacing = (high - low) / (points - 1)  # as NumPy's linspace; (high - low) * i could overflow
    return [low + i * spacing for i in range(points - 1)] + [high]


def _check_count(count: int, setting: str) -> None:
    if not 2 <= count <= MAX_POINTS:
        what = f"{{setting}} must lie in 2..{MAX_POINTS:,}, got {count:,}" if setting == "points" else \
            f"the step gives {count:,} points; at most {MAX_POINTS:,} are drawn"
        raise UsageError(what, setting=setting, value=count, limit=(2, MAX_POINTS))


def sample(expression, variable: str, low: float, high: float, *, points: int | None = None,
           step: float | None = None, held: dict | None = None, order: int = 1,
           tangent: float | None = None) -> Curves:
    """f and its derivatives up to ``order`` at every x of the grid; the other variables at ``held``."""
    held = dict(held or {})
    if variable not in expression.variables:
        known = ", ".join(expression.variables) or "none"
        raise UsageError(f"{variable} is not a variable of the expression (its variables: {known})",
                         setting=variable)
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"{{setting}} must lie in 1..{MAX_ORDER}, got {order}", setting="order", value=order)
    xs = grid(low, high, points, step, variable)
    held.pop(variable, None)
    missing = [name for name in expression.variables if name != variable and name not in held]
    if missing:
        from ..errors import MissingValuesError

        noun = "variable" if len(missing) == 1 else "variables"
        raise MissingValuesError(f"no value for {noun} {', '.join(missing)} (held while {variable} runs)",
                                 names=missing)
    values = [[None] * len(xs) for _ in range(order + 1)]
    notes = [""] * len(xs)
    signatures = [[None] * len(xs) for _ in range(order + 1)]
    for i, x in enumerate(xs):
        _one_point(expression, variable, x, held, order, i, values, notes, signatures)
    jumps = _jumps(signatures, values)
    line = None
    if tangent is not None:
        line = _tangent(expression, variable, tangent, held, low, high)
    return Curves(expression.source, expression.output_name, variable, held, xs, values, notes, jumps, line,
                  expression.title())


def _one_point(expression, variable, x, held, order, i, values, notes, signatures) -> None:
    """Fill column i: f and its derivatives at x (None where they do not exist), and their signatures."""
    try:
        graph = expression.evaluate({**held, variable: x})  # labelled: a kink's note names its node
    except DomainError as error:
        notes[i] = f"outside the domain: {error.message}"
        return
    values[0][i] = graph.output.data
    signatures[0][i] = signature(graph.output)
    current = graph.output
    for k in range(1, order + 1):
        kinks = kinks_at(_Nodes(current))
        if kinks:  # the derivative of the curve before does not exist at this point
            node, reason = kinks[0]
            notes[i] = f"not differentiable: {_shown(node)}: {reason}"
            return
        try:
            (current,) = derivatives(current, graph.variables[variable], 1)
        except DomainError as error:
            notes[i] = f"no derivative of order {k}: {error.message}"
            return
        values[k][i] = current.data
        signatures[k][i] = signature(current)


class _Nodes:
    """A graph by its root, as ``gradcheck.kinks_at`` reads graphs (``nodes()``)."""

    def __init__(self, root: Value):
        self.root = root

    def nodes(self) -> list:
        return topological_order(self.root)


def _shown(node: Value) -> str:
    return node.label or node.op


def signature(root: Value) -> tuple:
    """What must stay the same between two samples for a curve to be joined between them.

    The graph's shape (each node's operation and constant operand), its
    constants (a rule's ``where`` picks 1 or 0), and for the operations whose
    value jumps, which side of the jump they are on.
    """
    parts = []
    for node in topological_order(root):
        if not node.inputs:
            parts.append(node.data if not node.label else node.label)
            continue
        parts.append((node.op, node.arg, _side(node)))
    return tuple(parts)


def _side(node: Value):
    """Which piece of a function that jumps the node is on (None for a continuous one)."""
    op, inputs = node.op, node.inputs
    if op in ("step", "sign", "floor", "ceil", "round"):
        return node.data
    if op == "/":
        return inputs[1].data > 0  # a pole where the divisor crosses 0
    if op == "**" and node.arg < 0:
        return inputs[0].data > 0
    if op == "tan":
        return math.floor(inputs[0].data / math.pi + 0.5)  # one branch between poles at pi/2 + k pi
    if op == "atan2":
        return inputs[0].data >= 0 if inputs[1].data < 0 else None  # the cut along the negative x axis
    return None


def _jumps(signatures: list, values: list) -> list:
    """Per curve, the indices i where it must not be joined to i - 1: its graph changed branch, or a
    curve below it (f for f') jumped there."""
    jumps = []
    below: set = set()
    for k, curve in enumerate(signatures):
        here = set(below)
        for i in range(1, len(curve)):
            if values[k][i] is not None and values[k][i - 1] is not None and curve[i] != curve[i - 1]:
                here.add(i)
        jumps.append(sorted(here))
        below = here
    return jumps


def _tangent(expression, variable, x0, held, low, high) -> Tangent:
    if not low <= x0 <= high:
        raise UsageError(f"{{setting}} {plain(x0)} lies outside the range {plain(low)}:{plain(high)} of {variable}",
                         setting="tangent", value=x0)
    try:
        graph = expression.evaluate({**held, variable: x0}, labelled=True)
        (slope,) = derivatives(graph.output, graph.variables[variable], 1)
    except DomainError as error:
        raise DomainError(f"no tangent at {variable} = {plain(x0)}: {error.message}") from None
    kinks = kinks_at(graph)
    note = ""
    if kinks:
        node, reason = kinks[0]
        note = f"not differentiable at {variable} = {plain(x0)} ({_shown(node)}: {reason}): the slope drawn " \
               "is the engine's choice"
    return Tangent(x0, graph.output.data, slope.data, note)
