"""Derivatives as formulas: a Value graph -> a sympy expression, simplified, printed two ways.

The formula of d f / d x is read off the graph that the engine's own backward
pass builds with ``create_graph=True`` (each op record's rule, applied to
Values), not derived again by a computer-algebra system: sympy only
*simplifies* and *prints* it.  Each op record says how it is written in sympy
(``Op.sympy``).  sympy is imported inside these functions, never on the path
of a command that does not ask for formulas::

    >>> from gradcli.autograd.engine import Value, grad
    >>> x = Value(1.5, "x")
    >>> (dx,) = grad(x ** 2 * x.sin(), [x], create_graph=True)
    >>> gradcli_text(formula(dx, {"x": x}))
    'x**2*cos(x) + 2*x*sin(x)'
    >>> latex_text(formula(dx, {"x": x}))
    'x^{2} \\\\cos{\\\\left(x \\\\right)} + 2 x \\\\sin{\\\\left(x \\\\right)}'

A rule that branches on a value (``relu``, ``abs``, ``pow`` at a base of 0)
was applied at the point, so a formula holds near the point it was made at.

Every formula is printed so that gradcli reads it back: each function the
records' ``sympy`` forwards produce is written in gradcli's spelling
(``Abs`` is ``abs``, ``Heaviside`` is ``step``, ``ceiling`` is ``ceil``,
``Max(x, 0)`` is ``relu(x)``, a ``Piecewise`` of leaky_relu or elu is written
with ``step``), and ``simplest`` never picks a form with a function gradcli
cannot read (``sec``, ``coth``...).  ``formulas(derivatives, variables)`` is
what ``grad --symbolic`` calls.  Each backward step as a written rule (for
``grad --explain``) lives in ``rules.py``, which needs no sympy.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from ..errors import UsageError
from .engine import Value, topological_order
from .ops import OPS
from .rules import latex_name

__all__ = ["formula", "formulas", "to_sympy", "simplest", "readable", "gradcli_text", "latex_text",
           "check_scalar_graph"]

MAX_DENOMINATOR = 1000  # constants like 0.5 or 0.1 print as 1/2 and 1/10; others stay decimals
MAX_FORMULA_NODES = 5000  # a derivative graph larger than this is no formula a person reads (and sympy slows down)


def to_sympy(root: Value, variables: dict, atoms: dict | None = None):
    """The sympy expression of the graph ending at ``root``.

    ``variables`` maps a name to its leaf Value (it becomes a Symbol);
    ``atoms`` maps ``id(node)`` to an expression that stands for that node
    (its inputs are then not looked at).  Other leaves are constants.
    """
    import sympy

    by_id = {id(leaf): sympy.Symbol(name) for name, leaf in variables.items()}
    by_id.update(atoms or {})
    for node in topological_order(root):
        key = id(node)
        if key in by_id:
            continue
        if not node.inputs:
            by_id[key] = _constant(node, sympy)
            continue
        op = OPS[node.op]
        if op.sympy is None:
            raise ValueError(f"{op.name} has no formula (a tensor operation)")
        args = [by_id[id(child)] for child in node.inputs]
        by_id[key] = op.sympy(sympy, *args, node.arg) if op.takes_arg else op.sympy(sympy, *args)
    return by_id[id(root)]


def _constant(node: Value, sympy):
    if node.label == "pi":
        return sympy.pi
    if node.label == "e":
        return sympy.E
    value = node.data
    if not isinstance(value, float):
        raise ValueError("an array constant has no formula")
    known = _known_constants(sympy).get(value)
    if known is not None:  # the constants rules use: log2's 1/(x*log(2)), gelu's sqrt(2/pi)
        return known
    if value.is_integer():
        return sympy.Integer(int(value))
    fraction = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    if float(fraction) == value:
        return sympy.Rational(fraction.numerator, fraction.denominator)
    return sympy.Float(repr(value))


def _known_constants(sympy) -> dict:
    return {math.log(2.0): sympy.log(2), math.log(10.0): sympy.log(10), math.pi: sympy.pi, math.e: sympy.E,
            math.sqrt(2.0 / math.pi): sympy.sqrt(2) / sympy.sqrt(sympy.pi)}


def formula(gradient: Value, variables: dict):
    """The simplified formula of a gradient graph (from ``grad(..., create_graph=True)``)."""
    return simplest(to_sympy(gradient, variables))


EXPANDED_SLACK = 1.25  # the expanded form (product-rule terms side by side) wins unless 25% longer


def simplest(expression):
    """A short form of ``expression`` that gradcli can read back.

    The candidates are the expression, its expansion and sympy's ``factor``,
    ``cancel`` and ``together``; the expanded form (``2*x*sin(x) +
    x**2*cos(x)``, the terms a learner derives one by one) is kept unless
    another form is much shorter (``w*(1 - tanh(w*x)**2)``).  A candidate that
    uses a function gradcli has no name for is never picked (``readable``).
    sympy's ``simplify`` is not among them: it costs about half a second a
    formula (ten times the others together) and what it finds that they do
    not (``sin(2*x*y)`` for ``2*sin(x*y)*cos(x*y)``) hides the chain rule's
    steps from a learner rather than showing them (``benchmarks/bench_higher.py``).
    """
    import sympy

    candidates = [expression]
    for transform in (sympy.expand, sympy.factor, sympy.cancel, sympy.together):
        try:
            candidates.append(transform(expression))
        except Exception:  # noqa: BLE001 - a transform that fails is only not a candidate
            continue
    readable_ones = [c for c in candidates if readable(c)] or [expression]
    # a form that brings in functions the formula did not have (sigmoid's slope as 1/(4*cosh(x/2)**2))
    # is shorter but no clearer: keep to the functions the backward pass wrote
    own = _functions(expression)
    readable_ones = [c for c in readable_ones if _functions(c) <= own] or readable_ones
    size = {id(c): (sympy.count_ops(c), len(gradcli_text(c))) for c in readable_ones}
    shortest = min(readable_ones, key=lambda c: size[id(c)])
    expanded = candidates[1] if len(candidates) > 1 and candidates[1] in readable_ones else None
    if expanded is not None and size[id(expanded)][0] <= EXPANDED_SLACK * size[id(shortest)][0]:
        return expanded
    return shortest


def _functions(expression) -> set:
    import sympy

    return {type(f).__name__ for f in expression.atoms(sympy.Function)}


@functools.lru_cache(maxsize=1)
def printable_functions() -> frozenset:
    """The sympy functions the records' forwards make (``tanh``, ``Abs``, ``Heaviside``, ``ceiling``,
    ``Piecewise``...): exactly those ``gradcli_text`` writes in gradcli's spelling."""
    import sympy

    symbols = sympy.symbols("a b c")
    names = set()
    for op in OPS.values():
        if op.sympy is None or op.kind == "tensor":
            continue
        expression = op.sympy(sympy, symbols[0], 2.0) if op.takes_arg else op.sympy(sympy, *symbols[:op.arity or 2])
        names |= {type(f).__name__ for f in expression.atoms(sympy.Function)}
    return frozenset(names)


def readable(expression) -> bool:
    """Whether gradcli can read ``expression`` back once printed by ``gradcli_text``."""
    import sympy

    if expression.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        return False
    if any(type(f).__name__ not in printable_functions() for f in expression.atoms(sympy.Function)):
        return False
    try:
        gradcli_text(expression)
    except ValueError:  # a Piecewise whose condition has no gradcli notation
        return False
    return True


def gradcli_text(expression) -> str:
    """The formula in gradcli's expression language (``abs``, ``step``, ``relu``, ``ceil``, ``e``): it parses back."""
    return _printer().doprint(expression)


@functools.lru_cache(maxsize=1)
def _printer():
    from sympy.core.relational import GreaterThan, LessThan, StrictGreaterThan, StrictLessThan
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Abs(self, e):
            return f"abs({self._print(e.args[0])})"

        def _print_Heaviside(self, e):
            return f"step({self._print(e.args[0])})"

        def _print_ceiling(self, e):
            return f"ceil({self._print(e.args[0])})"

        def _print_Max(self, e):
            args = list(e.args)
            if len(args) == 2 and 0 in args:
                other = args[1] if args[0] == 0 else args[0]
                return f"relu({self._print(other)})"
            return f"max({', '.join(self._print(a) for a in args)})"

        def _print_Min(self, e):
            return f"min({', '.join(self._print(a) for a in e.args)})"

        def _print_Exp1(self, e):
            return "e"

        def _print_Piecewise(self, e):
            # gradcli has no "if": each condition becomes a step, 1 where it holds and 0 elsewhere
            import sympy

            *pieces, (rest, _) = e.args
            for value, condition in reversed(pieces):
                holds = self._indicator(condition, sympy)
                rest = holds * value + (1 - holds) * rest
            return self._print(rest)

        @staticmethod
        def _indicator(condition, sympy):
            kinds = {StrictGreaterThan: (1, False), StrictLessThan: (-1, False),
                     GreaterThan: (-1, True), LessThan: (1, True)}  # (lhs - rhs or rhs - lhs in step, 1 - step)
            if type(condition) not in kinds:
                raise ValueError(f"no gradcli notation for the condition {condition}")
            sign, negated = kinds[type(condition)]
            difference = condition.lhs - condition.rhs if sign > 0 else condition.rhs - condition.lhs
            step = sympy.Heaviside(difference, 0)
            return 1 - step if negated else step

    return Printer({"order": None})


def latex_text(expression) -> str:
    """The formula in LaTeX, for slides (``w1`` is written ``w_{1}``, as every LaTeX output of gradcli does)."""
    import sympy

    names = {symbol: latex_name(symbol.name) for symbol in expression.free_symbols}
    return sympy.latex(expression, symbol_names=names)


def check_scalar_graph(root: Value, what: str = "symbolic") -> None:
    """Refuse a graph with a tensor operation or an array: formulas are of scalar expressions.

    Raises ``UsageError`` naming the operation (``{setting}`` is ``what``).
    """
    nodes = topological_order(root)
    for node in nodes:  # the operation first: it says more than "an array"
        if node.inputs and OPS[node.op].sympy is None:
            op = OPS[node.op]
            raise UsageError(f"{{setting}} writes formulas of scalar expressions; {op.written.split(', ')[0]} "
                             f"({op.name}) is a tensor operation with no formula", setting=what)
    for node in nodes:
        if node.data.__class__ is not float:
            raise UsageError("{setting} writes formulas of scalar expressions; "
                             f"{node.label or 'a value'} holds an array", setting=what)


def formulas(derivatives: dict, variables: dict) -> dict:
    """``{key: (gradcli text, LaTeX)}`` for derivative graphs ``{key: Value}`` (from ``create_graph``).

    ``variables`` maps each variable's name to its leaf.  A graph with a tensor
    operation is refused with a ``UsageError`` before sympy is asked.
    """
    for graph in derivatives.values():
        if isinstance(graph, Value):
            check_scalar_graph(graph)
            size = len(topological_order(graph))
            if size > MAX_FORMULA_NODES:
                raise UsageError(f"{{setting}} writes formulas of derivatives up to {MAX_FORMULA_NODES:,} nodes; "
                                 f"this one has {size:,}", hint="ask for the numbers alone (without it)",
                                 setting="symbolic", value=size, limit=MAX_FORMULA_NODES)
    written = {}
    for key, graph in derivatives.items():
        expression = formula(graph if isinstance(graph, Value) else Value(float(graph)), variables)
        written[key] = (gradcli_text(expression), latex_text(expression))
    return written

