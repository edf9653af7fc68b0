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

For an evaluated expression (``Expression.evaluate``), ``pure_derivatives``
and ``hessian_matrix`` give what ``grad --order`` and ``--hessian`` show,
with variables by name, and ``jacobian_matrix`` what ``grad --outputs u,v
--jacobian`` shows; with ``keep_graphs=True`` every entry also keeps its
graph, which ``symbolic.formulas`` writes as a formula::

    >>> from gradcli.autograd.expr import parse
    >>> program = parse("u = x*y; v = x + y")
    >>> report = jacobian_matrix(program, {"x": 2, "y": 3}, ["u", "v"])
    >>> report.rows, report.columns, report.numbers
    (['u', 'v'], ['x', 'y'], [[3.0, 2.0], [1.0, 1.0]])
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import DomainError, LimitError, UsageError
from .engine import Value, grad
from .gradcheck import Coordinate, coordinates
from .ops import shape_text

__all__ = ["derivatives", "hessian", "jacobian", "MAX_ORDER", "PureDerivatives", "Matrix", "pure_derivatives",
           "hessian_matrix", "jacobian_matrix", "check_order", "check_outputs", "check_numbers"]

MAX_ORDER = 4  # up to the fourth derivative of one variable: beyond that the graphs grow fast and teach little
MAX_ENTRIES = 1_000  # numbers differentiated twice (an array's entries): a Hessian of 1,000 has 1,000,000 numbers
MAX_ORDER_ALL = 2  # with several variables: d2f/dv2 of each (the Hessian gives the mixed ones)


def check_order(order: int, variables: list) -> None:
    """Refuse an order outside 1..4, or above 2 for an expression of several variables."""
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"{{setting}} must lie in 1..{MAX_ORDER}, got {order}", setting="order", value=order)
    if order > MAX_ORDER_ALL and len(variables) != 1:
        listed = ", ".join(variables) or "none"
        example = variables[0] if variables else "x"
        raise UsageError(f"{{setting}} {order} is for one variable; the expression has {listed}",
                         hint=f"pick one with {{setting:wrt}} {example}, or ask for the second derivatives "
                              "of all of them (order 2, or the whole Hessian)", setting="order", value=order)


def check_numbers(values: dict, names, setting: str, *, wrt: bool = True) -> None:
    """Refuse an array among the variables ``names`` (``values``: name -> value or leaf).

    For what works on numbers only (formulas, ``check --given``).  Derivatives
    beyond the first take an array entry by entry (``coordinates``).
    ``wrt``: the command has ``--wrt`` to leave it out.
    """
    for name in names:
        value = values[name]
        shape = getattr(value.data if isinstance(value, Value) else value, "shape", ())
        if shape:
            hint = f"give each entry a variable of its own ({name}0, {name}1, ...)"
            raise UsageError(f"{{setting}} works with variables that are numbers; {name} is an array of shape "
                             f"{shape_text(shape)}",
                             hint=hint + (", or leave it out with {setting:wrt}" if wrt else ""), setting=setting)


def derivatives(output: Value, variable: Value, order: int) -> list[Value]:
    """d output / d variable, d2, ... up to ``order``, each a Value graph (its ``data`` is the number).

    Each one is the derivative of the one before it, through the engine's
    backward pass with ``create_graph=True``.
    """
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"{{setting}} must lie in 1..{MAX_ORDER}, got {order}", setting="order", value=order)
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


_ORDINALS = {2: "second", 3: "third", 4: "fourth"}


@contextmanager
def _naming(what: str):
    """A derivative that cannot be computed, named as the user asked for it (``what``: "the ... is undefined").

    The backward pass of a derivative's own graph fails at a node that has no label (an op of the
    rule, such as the ``**`` of 0.75 x**-0.5): the error then names the derivative instead.  A node
    of the expression itself keeps its label (``sqrt(x): ...``).
    """
    try:
        yield
    except DomainError as error:
        if error.facts.get("where", True):
            raise
        raise DomainError(f"{what} at this point: {error.facts['cause']}", **error.facts) from None


def _nth(order: int) -> str:
    return _ORDINALS.get(order, f"order-{order}")


def _entry(derivative, coordinate: Coordinate):
    """The entry of ``derivative`` (a Value or a number or array) at ``coordinate``'s index (all of it if None).

    A derivative with respect to an array has its shape; entry by entry, each is one number of the
    matrix.  The engine's ``grad`` of an array sums its entries, so a row of a Hessian is the
    gradient of one entry of the first derivative, never of all of it.
    """
    if coordinate.index is None:
        return derivative
    if isinstance(derivative, Value):
        return derivative[coordinate.index]
    return float(derivative[coordinate.index])


def _coordinates(variables: dict, names, setting: str, what: str = "variables") -> list[Coordinate]:
    """Each variable of ``names``, and each entry of an array one (``x[0]``, ``M[0, 1]``), in order.

    Each takes a backward pass of its own (and a Hessian's numbers grow as their square): more than
    ``MAX_ENTRIES`` is a ``LimitError`` naming ``setting`` and ``what`` they are, before any work.
    """
    values = {name: variables[name].data for name in names}
    count = sum(math.prod(getattr(value, "shape", ())) for value in values.values())
    if count > MAX_ENTRIES:
        raise LimitError(f"{{setting}} takes a backward pass for each number of its {what}; "
                         f"{', '.join(names)} hold{'s' if len(names) == 1 else ''} {count:,}, more than "
                         f"{MAX_ENTRIES:,}",
                         hint="choose fewer with {setting:wrt}, or make one entry a step of its own (u = x[0])",
                         setting=setting)
    return coordinates(values, names)


# -- for an evaluated expression, by name -------------------------------------------------------


@dataclass
class PureDerivatives:
    """d f/d v, d2 f/d v2, ... up to ``order`` for each variable ``v`` (``grad --order``)."""

    output: str  # the output's name: f, or a bound name
    value: float
    point: dict  # every variable's value
    order: int
    numbers: dict  # name (x, or x[0] for each entry of an array) -> [d1, d2, ...]
    graphs: dict = field(default_factory=dict)  # name -> [Value, ...] with keep_graphs


@dataclass
class Matrix:
    """A Hessian (rows and columns: variables) or a Jacobian (rows: outputs, columns: variables)."""

    kind: str  # "hessian" or "jacobian"
    rows: list  # names: variables (x, or x[0], x[1] for the entries of an array) or outputs
    columns: list
    numbers: list  # rows x columns
    values: dict  # output name -> its value
    point: dict
    gradients: dict = field(default_factory=dict)  # the Hessian's gradient (first derivatives), by name
    graphs: list | None = None  # rows x columns of Values, with keep_graphs
    leaves: list | None = None  # with keep_graphs: per row, the variables' leaves its graphs are made of


def pure_derivatives(graph, names: list, order: int, *, keep_graphs: bool = False) -> PureDerivatives:
    """``grad --order N`` on an evaluated expression (``Graph``): each variable's derivatives to ``order``."""
    check_order(order, names)
    numbers, graphs = {}, {}
    for coordinate in _coordinates(graph.variables, names, "order"):
        leaf, chain, current = graph.variables[coordinate.name], [], graph.output
        for k in range(1, order + 1):  # the derivative of one entry of the derivative before: d^k f / d x[i]^k
            with _naming(f"the {_nth(k)} derivative of {graph.output_name} with respect to {coordinate.label} "
                         "is undefined"):
                (current,) = grad(current, [leaf], create_graph=True)
            current = _entry(current, coordinate)
            chain.append(current)
        numbers[coordinate.label] = [_number(d) for d in chain]
        if keep_graphs:
            graphs[coordinate.label] = chain
    point = {name: leaf.data for name, leaf in graph.variables.items()}
    return PureDerivatives(graph.output_name, graph.output.data, point, order, numbers, graphs)


def hessian_matrix(graph, names: list, *, keep_graphs: bool = False, setting: str = "hessian") -> Matrix:
    """``grad --hessian``: d2 f / d u d v for the variables ``names`` of an evaluated expression.

    ``setting`` names the option that asked for it in an error (``check --order 2`` asks too).
    """
    leaves = [graph.variables[name] for name in names]
    first = dict(zip(names, grad(graph.output, leaves, create_graph=True)))
    coords = _coordinates(graph.variables, names, setting)
    rows = []
    for row in coords:
        with _naming(f"the derivatives of d{graph.output_name}/d{row.label} (the Hessian's row {row.label}) "
                     "are undefined"):
            second = dict(zip(names, grad(_entry(first[row.name], row), leaves, create_graph=keep_graphs)))
        rows.append([_entry(second[column.name], column) for column in coords])
    labels = [c.label for c in coords]
    point = {name: leaf.data for name, leaf in graph.variables.items()}
    return Matrix("hessian", labels, list(labels), [[_number(g) for g in row] for row in rows],
                  {graph.output_name: graph.output.data}, point,
                  {c.label: _number(_entry(first[c.name], c)) for c in coords},
                  rows if keep_graphs else None, [graph.variables] * len(rows) if keep_graphs else None)


def check_outputs(outputs: list) -> None:
    """A Jacobian needs two or more outputs (one output's row is its gradient)."""
    if len(outputs) < 2:
        raise UsageError("{setting} needs two or more outputs, got " + (", ".join(outputs) or "none"),
                         hint="name two or more bound names with {setting:outputs}", setting="jacobian")


def jacobian_matrix(expression, values: dict, outputs: list, names: list | None = None, *,
                    keep_graphs: bool = False) -> Matrix:
    """``grad --outputs u,v --jacobian``: d output / d variable for several named outputs of a program.

    Each output is evaluated on its own (``Expression.with_output``); the
    columns are the variables of all of them (or ``names``), and an output that
    does not depend on a variable has 0 there.
    """
    check_outputs(outputs)
    graphs = [expression.with_output(name).evaluate(values) for name in outputs]
    names = list(names) if names else list(dict.fromkeys(n for g in graphs for n in g.variables))
    coords = _coordinates({n: leaf for g in graphs for n, leaf in g.variables.items()}, names, "jacobian")
    _coordinates({g.output_name: g.output for g in graphs}, outputs, "jacobian", "outputs")  # a row each
    rows, numbers, kept, leaves, results = [], [], [], [], {}
    for graph in graphs:
        present = [name for name in names if name in graph.variables]
        for out in coordinates({graph.output_name: graph.output.data}, [graph.output_name]):  # an array: each entry
            entry = _entry(graph.output, out)
            found = dict(zip(present, grad(entry, [graph.variables[name] for name in present],
                                           create_graph=keep_graphs)))
            row = [_entry(found[c.name], c) if c.name in found else (Value(0.0) if keep_graphs else 0.0)
                   for c in coords]
            rows.append(out.label)
            results[out.label] = _number(entry)
            numbers.append([_number(g) for g in row])
            kept.append(row)
            leaves.append(graph.variables)
    point = {name: values[name] for g in graphs for name in g.variables}  # those held with --wrt too
    return Matrix("jacobian", rows, [c.label for c in coords], numbers, results, point,
                  graphs=kept if keep_graphs else None, leaves=leaves if keep_graphs else None)
