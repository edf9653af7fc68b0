"""``check --given x="2*x*sin(x) + x**2*cos(x)"``: a hand-derived derivative against autograd and finite differences.

    >>> from gradcli.autograd.expr import parse
    >>> expression = parse("x**2*sin(x) + y**2")
    >>> given = read_given({"x": "2*x*sin(x)", "y": "2*y"}, expression)
    >>> report = check_given(expression, given, {"x": 1.5, "y": 2.0})
    >>> [(c.name, c.ok) for c in report.checks]
    [('x', False), ('y', True)]
    >>> c = report.checks[0]; round(c.given, 6), round(c.autograd, 6), round(c.abs_error, 6)
    (2.992485, 3.151644, 0.159159)

The student's formula is parsed by gradcli's own parser (so it may use any
notation an expression may) and evaluated where autograd and the finite
difference are computed by the ordinary first-order check
(``gradcheck.check_gradients``, or ``check_random_points`` at N random
points: the same points, tolerances and kink handling).  A formula is right
at a point when it is within ``atol + rtol * |autograd|`` of autograd (at a
kink: inside the one-sided slopes); the report keeps, per variable, the
worst point and how many points were wrong.  ``right_formulas`` (with sympy,
for ``--symbolic``) adds the formula from the backward pass and the
difference between the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DomainError, ExprError, UsageError
from .higher import check_numbers
from .gradcheck import (DEFAULT_ATOL, DEFAULT_RTOL, KINK, PASS, check_gradients, check_random_points)

RIGHT, WRONG, UNDEFINED = "right", "wrong", "undefined"


@dataclass
class GivenCheck:
    """One variable's hand-derived formula, at its worst point."""

    name: str
    formula: str  # as given
    point: dict  # where: the point (the worst one, with several)
    given: float | None  # the formula's value there (None: undefined there)
    autograd: float
    numeric: float | None  # the finite-difference estimate (None where none could be made)
    abs_error: float | None
    rel_error: float | None
    status: str  # right, wrong, undefined
    wrong_points: int = 0  # at how many of the points it was wrong
    points: int = 1
    note: str = ""  # the formula's domain error; a kink; an estimate that disagrees with autograd
    right_formula: str = ""  # with --symbolic: the formula from the backward pass
    difference: str = ""  # with --symbolic: the given formula minus the right one, simplified

    @property
    def ok(self) -> bool:
        return self.status == RIGHT


@dataclass
class GivenReport:
    expression: str
    output: str
    title: tuple
    value: float | None  # f at the point (one point only)
    checks: list  # GivenCheck per variable given, in the expression's order
    rtol: float
    atol: float
    points: int  # how many points were checked
    seed: int | None = None
    low: float | None = None
    high: float | None = None
    skipped: int = 0
    warnings: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def read_given(formulas: dict, expression) -> dict:
    """Parse each ``name -> formula`` (a ``UsageError`` names the --given that is wrong); -> name -> Expression."""
    from .expr import parse

    parsed = {}
    for name, text in formulas.items():
        if name not in expression.variables:
            known = ", ".join(expression.variables) or "none"
            raise UsageError(f"{{setting}} {name}: {name} is not a variable of the expression (its variables: {known})",
                             setting="given", value=name)
        constants = [c for c in ("e", "pi") if c in expression.variables]
        try:
            formula = parse(text, variables=constants)
        except ExprError as error:
            raise ExprError(f"{{setting}} {name}: {error.message}", error.expression, error.column, error.hint,
                            setting="given") from None
        extra = [v for v in formula.variables if v not in expression.variables]
        if extra:
            raise UsageError(f"{{setting}} {name}: the formula uses {', '.join(extra)}, which the expression does not "
                             f"have (its variables: {', '.join(expression.variables)})", setting="given", value=name)
        parsed[name] = formula
    return parsed


def check_given(expression, given: dict, point: dict | None = None, *, count: int = 0, seed: int = 0,
                low: float = -2.0, high: float = 2.0, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                h: float | None = None, max_memory: int | None = None) -> GivenReport:
    """Each formula in ``given`` (name -> Expression) at ``point``, and at ``count`` random points.

    With ``count``, a complete ``point`` is checked too and variables given in
    an incomplete one stay fixed, as ``check --points`` does.
    """
    names = [name for name in expression.variables if name in given]
    check_numbers(point or {}, [name for name in names if name in (point or {})], "given", wrt=False)
    complete = point is not None and all(name in point for name in expression.variables)
    if count:
        extra = {} if max_memory is None else {"max_memory": max_memory}
        random = check_random_points(expression, count, seed=seed, low=low, high=high,
                                     fixed=point if complete else None, hold=None if complete else point,
                                     h=h, rtol=rtol, atol=atol, names=names, **extra)
        reports, skipped = random.reports, random.skipped
    else:
        reports, skipped = [check_gradients(expression, point, h=h, rtol=rtol, atol=atol, names=names)], 0
    checks = []
    for name in names:
        found = [_one(given[name], name, report.point, check, rtol, atol)
                 for report in reports for check in report.checks if check.name == name]
        worst = max(found, key=lambda c: _badness(c, rtol, atol))
        worst.wrong_points = sum(1 for c in found if not c.ok)
        worst.points = len(found)
        worst.formula = _text(given[name])
        checks.append(worst)
    first = reports[0]
    value = first.value if not count else None
    return GivenReport(expression.source, expression.output_name, expression.title(), value, checks, rtol, atol,
                       len(reports), seed if count else None, low if count else None, high if count else None,
                       skipped, list(first.warnings) if not count else [])


def _text(formula) -> str:
    return " ".join(formula.source.split())


def _one(formula, name: str, point: dict, check, rtol: float, atol: float) -> GivenCheck:
    """The formula at one point against that point's first-order check of ``name``."""
    try:
        given = formula.value_at(point)
    except DomainError as error:
        return GivenCheck(name, "", dict(point), None, check.autograd, check.numeric, None, None, UNDEFINED,
                          note=f"the formula is undefined here: {error.message}")
    error = abs(given - check.autograd)
    relative = error / abs(check.autograd) if check.autograd else (0.0 if error == 0 else float("inf"))
    if check.status == KINK:  # not differentiable: any value between the one-sided slopes is a right answer
        low, high = sorted((check.left, check.right))
        right = low - atol <= given <= high + atol
        note = f"not differentiable here: the one-sided slopes are {check.left:.6g} and {check.right:.6g}"
    else:
        right = error <= atol + rtol * abs(check.autograd)
        note = "" if check.status == PASS else f"autograd and the finite difference disagree here: {check.status}"
    return GivenCheck(name, "", dict(point), given, check.autograd, check.numeric, error, relative,
                      RIGHT if right else WRONG, note=note)


def _badness(check: GivenCheck, rtol: float, atol: float) -> float:
    if check.status == UNDEFINED:
        return float("inf")
    score = check.abs_error / (atol + rtol * abs(check.autograd))
    return score if check.status == WRONG else min(score, 1.0)


def right_formulas(expression, given: dict, report: GivenReport) -> None:
    """Fill each check's ``right_formula`` and ``difference`` (given minus right, simplified) with sympy."""
    import sympy

    from .engine import grad
    from .symbolic import check_scalar_graph, formula, gradcli_text, simplest, to_sympy

    for check in report.checks:
        graph = expression.evaluate(check.point)
        check_scalar_graph(graph.output, "symbolic")
        (gradient,) = grad(graph.output, [graph.variables[check.name]], create_graph=True)
        right = formula(gradient, graph.variables)
        check.right_formula = gradcli_text(right)
        try:
            theirs = given[check.name].evaluate(check.point)
        except DomainError:
            continue
        difference = simplest(sympy.simplify(to_sympy(theirs.output, theirs.variables) - right))
        check.difference = gradcli_text(difference)
