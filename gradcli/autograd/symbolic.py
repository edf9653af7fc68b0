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

``local_rule(node, names)`` is one backward step as a formula: the name of
the rule (product rule, chain rule through tanh) and d node / d input in the
inputs' names, for ``grad --explain``.
"""

from __future__ import annotations

from fractions import Fraction

from .engine import VALUES, Value, topological_order
from .ops import OPS

__all__ = ["formula", "to_sympy", "simplest", "gradcli_text", "latex_text", "local_rule", "rule_name"]

MAX_DENOMINATOR = 1000  # constants like 0.5 or 0.1 print as 1/2 and 1/10; others stay decimals

_RULES = {"+": "sum rule", "-": "difference rule", "*": "product rule", "/": "quotient rule",
          "**": "power rule", "pow": "power rule with a variable exponent", "neg": "negation"}


def rule_name(op_name: str) -> str:
    """What a student calls the step: "product rule", "chain rule through tanh"."""
    return _RULES.get(op_name) or f"chain rule through {OPS[op_name].symbol}"


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
    if value.is_integer():
        return sympy.Integer(int(value))
    fraction = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    if float(fraction) == value:
        return sympy.Rational(fraction.numerator, fraction.denominator)
    return sympy.Float(repr(value))


def formula(gradient: Value, variables: dict):
    """The simplified formula of a gradient graph (from ``grad(..., create_graph=True)``)."""
    return simplest(to_sympy(gradient, variables))


EXPANDED_SLACK = 1.25  # the expanded form (product-rule terms side by side) wins unless 25% longer


def simplest(expression):
    """A short form of ``expression`` that gradcli can read back.

    The candidates are the expression, its expansion, sympy's ``simplify``,
    ``factor`` and ``cancel``; the expanded form (``2*x*sin(x) + x**2*cos(x)``,
    the terms a learner derives one by one) is kept unless another form is
    much shorter (``w*(1 - tanh(w*x)**2)``).
    """
    import sympy

    candidates = [expression]
    for transform in (sympy.expand, sympy.simplify, sympy.factor, sympy.cancel):
        try:
            candidates.append(transform(expression))
        except Exception:  # noqa: BLE001 - a transform that fails is only not a candidate
            continue
    readable = [c for c in candidates if _only_known_functions(c)] or [expression]
    size = {id(c): (sympy.count_ops(c), len(gradcli_text(c))) for c in readable}
    shortest = min(readable, key=lambda c: size[id(c)])
    expanded = candidates[1] if len(candidates) > 1 and candidates[1] in readable else None
    if expanded is not None and size[id(expanded)][0] <= EXPANDED_SLACK * size[id(shortest)][0]:
        return expanded
    return shortest


def _only_known_functions(expression) -> bool:
    import sympy

    from .ops import FUNCTIONS

    known = set(FUNCTIONS) | {"Abs", "Heaviside", "Max", "Min"}
    return all(f.func.__name__ in known for f in expression.atoms(sympy.Function))


def gradcli_text(expression) -> str:
    """The formula in gradcli's expression language (``abs``, ``step``, ``relu``, ``e``): it parses back."""
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Abs(self, e):
            return f"abs({self._print(e.args[0])})"

        def _print_Heaviside(self, e):
            return f"step({self._print(e.args[0])})"

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

    return Printer({"order": None}).doprint(expression)


def latex_text(expression) -> str:
    """The formula in LaTeX, for slides (w1 is written w_{1})."""
    import sympy

    return sympy.latex(expression)


def local_rule(node: Value, names: dict):
    """(rule name, [d node / d input_i as sympy]) for one backward step, in the inputs' names.

    ``names`` maps ``id(value)`` to the name a reader sees (a variable, a bound
    name, or a step label); a node is written as its op applied to its
    inputs' names, so tanh's rule reads ``1 - tanh(n)**2``.
    """
    import sympy

    op = OPS[node.op]
    if op.partials is None or op.sympy is None:
        return rule_name(node.op), None
    inputs = [sympy.Symbol(names[id(child)]) for child in node.inputs]
    itself = op.sympy(sympy, *inputs, node.arg) if op.takes_arg else op.sympy(sympy, *inputs)
    atoms = {id(child): symbol for child, symbol in zip(node.inputs, inputs)}
    atoms[id(node)] = itself
    partials = op.partials(VALUES, node.inputs, node, node.arg)
    formulas = []
    for partial in partials:
        if isinstance(partial, Value):
            formulas.append(to_sympy(partial, {}, atoms))
        else:
            formulas.append(_constant(Value(float(partial)), sympy))
    return rule_name(node.op), formulas
