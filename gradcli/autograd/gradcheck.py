"""Finite-difference gradient checks: autograd against numeric estimates, with kink detection.

    >>> from gradcli.autograd.expr import parse
    >>> from gradcli.autograd.gradcheck import check_gradients
    >>> report = check_gradients(parse("x**3 + sin(y)"), {"x": 2.0, "y": 0.5})
    >>> report.ok, [c.status for c in report.checks]
    (True, ['pass', 'pass'])

For each variable the numeric estimate is the central difference
``(f(x+h) - f(x-h)) / 2h`` with ``h = cbrt(eps) * max(1, |x|)`` (about 6e-6):
its truncation error (~h**2) and round-off error (~eps/h) balance at that h,
leaving about 1e-10 of error for functions of moderate size.  A check passes
when ``|autograd - numeric| <= atol + rtol * |numeric|``.

- Kinks: when the left and right one-sided slopes disagree and keep disagreeing
  as h shrinks (``relu`` or ``abs`` at 0), the point is reported as not
  differentiable with both slopes (the subgradient interval), not as a failure.
  The op records say why (``ops.Op.kink``): the note names the node and its
  reason, e.g. ``max(x, y): 2 arguments tie at 1``.
- Domain edges: when ``x+h`` or ``x-h`` leaves the domain (``sqrt(x)`` at 0),
  the other one-sided difference is used, with h = sqrt(eps) * max(1, |x|).
- Sharp curvature: when the estimate at the default h disagrees with autograd,
  Ridders' extrapolation to h -> 0 (``ridders``) decides, so a right gradient
  of ``log(x)`` at 1e-3 is not reported as a mismatch; a wrong one still is.
- ``sweep`` lists the estimate for h = 1e-1 .. 1e-12; ``check_random_points``
  checks at seeded random points and keeps the worst case per variable;
  ``check_partial`` checks one derivative of any function with ``value_at``.
- Arrays: every entry of an array variable is checked on its own (``M[0, 1]``
  moved by h while the others stay), one ``Check`` per entry with its
  ``variable`` and ``entry``; ``CheckReport.by_variable()`` keeps the worst
  entry of each variable, for a summary.

Nothing here prints: results are plain dataclasses for ``render.py``.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass

from ..errors import DomainError, UsageError
from ..limits import DEFAULT_MAX_MEMORY, Estimate, check_memory

EPS = sys.float_info.epsilon
DEFAULT_RTOL = 1e-5  # relative: a wrong rule is off by O(1); the estimate by ~1e-10
DEFAULT_ATOL = 1e-7  # absolute: covers round-off (~eps*|f|/h) for |f| up to ~1e3
KINK_SHRINK = 0.5  # the slope gap must keep half its size when h shrinks 10x (smooth: 10x smaller)
SWEEP_STEPS = tuple(10.0**-k for k in range(1, 13))

PASS, FAIL, KINK, UNCHECKED = "pass", "fail", "not differentiable", "unchecked"

# Random-point checks keep every result (JSON and CSV list them all): at most this many points, and a
# memory and time estimate first (constants measured with benchmarks/bench_limits.py, rounded up).
MAX_POINTS = 100_000
CHECK_BYTES = 1200  # one Check kept (measured 500-1100 B)
POINT_BYTES = 400  # one point's report and values
NODE_SECONDS = 4e-6  # one node evaluated (forward, backward or a shifted value; measured 1.3-3.8 us)


def default_step(x: float) -> float:
    """h = cbrt(eps) * max(1, |x|): balances truncation and round-off of a central difference."""
    return EPS ** (1.0 / 3.0) * max(1.0, abs(x))


def one_sided_step(x: float) -> float:
    """h = sqrt(eps) * max(1, |x|): the balance point of a one-sided difference."""
    return math.sqrt(EPS) * max(1.0, abs(x))


@dataclass
class Check:
    """One variable's check at one point."""

    name: str
    at: float  # the variable's value
    autograd: float
    numeric: float | None  # None when no estimate could be made
    abs_error: float | None
    rel_error: float | None
    ok: bool
    status: str  # pass, fail, not differentiable, unchecked
    h: float
    method: str = "central"  # central, forward or backward difference
    left: float | None = None  # one-sided slopes, filled at a kink
    right: float | None = None
    note: str = ""  # why an estimate is one-sided or missing
    cause: str = ""  # at a kink: the nodes that make it, as their op records say ("max(x, y): 2 arguments tie")
    variable: str = ""  # the variable of an array entry (name is then "M[0, 1]"); "" for a number
    entry: tuple | None = None  # the entry's index, (0, 1); None for a number

    @property
    def of(self) -> str:
        """The variable this check belongs to: its name, also for an array entry."""
        return self.variable or self.name


@dataclass(frozen=True)
class Coordinate:
    """One number a check moves: a variable (``index`` None) or one entry of an array variable."""

    label: str  # x, or M[0, 1]
    name: str  # the variable
    index: tuple | None = None

    def value(self, point: dict) -> float:
        return point[self.name] if self.index is None else float(point[self.name][self.index])

    def moved(self, point: dict, value: float) -> dict:
        """``point`` with this number set to ``value`` (an array is copied, never changed in place)."""
        moved = dict(point)
        if self.index is None:
            moved[self.name] = value
        else:
            array = point[self.name].copy()
            array[self.index] = value
            moved[self.name] = array
        return moved


def coordinates(point: dict, names) -> list:
    """The numbers a check moves, in order: each variable of ``names``, each entry of an array one."""
    found = []
    for name in names:
        value = point[name]
        shape = getattr(value, "shape", ())
        if not shape:
            found.append(Coordinate(name, name))
            continue
        import itertools

        for index in itertools.product(*(range(n) for n in shape)):
            found.append(Coordinate(f"{name}[{', '.join(map(str, index))}]", name, index))
    return found


def _coordinate(point: dict, name) -> Coordinate:
    return name if isinstance(name, Coordinate) else Coordinate(name, name)


@dataclass
class CheckReport:
    expression: str
    point: dict  # name -> value
    value: float
    checks: list  # Check, one per variable
    rtol: float
    atol: float
    h: float | None  # the fixed step asked for, or None for the default rule
    warnings: tuple = ()  # Graph.warnings() at the point: underflow, gradients that are not finite
    output: str = "f"  # the output's name (o for "n = ...; o = tanh(n)")
    title: tuple = ("", "")  # Expression.title(): the output's formula and the steps before it, for headers

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def has_entries(self) -> bool:
        """Whether any check is of an array entry (the report then summarises by variable)."""
        return any(check.entry is not None for check in self.checks)

    def by_variable(self) -> list:
        """One ``VariableSummary`` per variable: how many entries, how many passed, and the worst entry."""
        return summarise(self.checks, self.rtol, self.atol)


@dataclass
class VariableSummary:
    """The checks of one variable: all its entries, how many passed, and the worst of them."""

    name: str
    shape: tuple  # () for a number
    checks: int
    passed: int
    kinks: int
    worst: Check  # the entry with the largest error for its tolerance (a failure first)

    @property
    def ok(self) -> bool:
        return self.passed == self.checks


def summarise(checks, rtol: float, atol: float) -> list:
    """``VariableSummary`` of each variable in ``checks``, in their order."""
    groups: dict = {}
    for check in checks:
        groups.setdefault(check.of, []).append(check)
    summaries = []
    for name, group in groups.items():
        worst = max(group, key=lambda check: (not check.ok, _badness(check, rtol, atol)))
        entries = [check.entry for check in group if check.entry is not None]
        shape = tuple(n + 1 for n in map(max, zip(*entries))) if entries else ()
        summaries.append(VariableSummary(name, shape, len(group), sum(check.ok for check in group),
                                         sum(check.status == KINK for check in group), worst))
    return summaries


@dataclass
class SweepRow:
    h: float
    numeric: dict  # name -> estimate (None when a shifted point leaves the domain)
    abs_error: dict  # name -> |autograd - estimate|


@dataclass
class SweepReport:
    expression: str
    point: dict
    value: float
    autograd: dict  # name -> gradient
    rows: list  # SweepRow, largest h first
    best_h: dict  # name -> the h with the smallest error
    output: str = "f"
    title: tuple = ("", "")


@dataclass
class RandomReport:
    expression: str
    reports: list  # CheckReport per point
    worst: list  # Check, the worst case per variable (largest error relative to tolerance)
    worst_points: dict  # name -> the point (dict) of its worst case
    skipped: int  # random points outside the expression's domain, drawn again
    seed: int
    low: float
    high: float
    rtol: float
    atol: float
    h: float | None
    output: str = "f"
    title: tuple = ("", "")

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.reports)

    @property
    def checks(self) -> list:
        return [check for report in self.reports for check in report.checks]


def check_gradients(expression, point: dict, *, h: float | None = None, rtol: float = DEFAULT_RTOL,
                    atol: float = DEFAULT_ATOL, names=None) -> CheckReport:
    """Check every variable (or ``names``) of a parsed ``expression`` at ``point``; every entry of an array."""
    _check_options(h, rtol, atol)
    graph = expression.evaluate(point)
    graph.backward()
    gradients = graph.gradients()
    point = {**point, **graph_point(graph, point)}  # arrays as the engine holds them (lists become arrays)
    checks = [
        _check_one(expression, point, coordinate, coordinate.value(gradients), h, rtol, atol)
        for coordinate in coordinates(point, names or expression.variables)
    ]
    _explain_kinks(graph, checks)
    return CheckReport(expression.source, dict(point), graph.output.data, checks, rtol, atol, h,
                       tuple(graph.warnings()), graph.output_name, expression.title())


def check_partial(function, point: dict, name: str | Coordinate, grad: float, *, h: float | None = None,
                  rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> Check:
    """Check one partial derivative ``grad`` of anything with ``value_at(point) -> float`` at ``point``.

    The same step rule, central difference, kink detection, one-sided
    differences at the domain's edge and Ridders' fallback as
    ``check_gradients``; the function may be a parsed expression, the
    gradient of one (``second_check.py`` checks second derivatives this way)
    or a training loss as a function of a few parameters
    (``learn/backprop_check.py``).  ``name`` is a variable, or a ``Coordinate``: one entry of an array.
    """
    _check_options(h, rtol, atol)
    return _check_one(function, point, _coordinate(point, name), grad, h, rtol, atol)


def sweep(expression, point: dict, steps=SWEEP_STEPS, names=None) -> SweepReport:
    """Central-difference estimates for each h in ``steps``: truncation error, then round-off."""
    graph = expression.evaluate(point)
    graph.backward()
    gradients = graph.gradients()
    point = {**point, **graph_point(graph, point)}
    moved = {c.label: c for c in coordinates(point, names or expression.variables)}
    autograd = {label: coordinate.value(gradients) for label, coordinate in moved.items()}
    rows = []
    for step in steps:
        numeric, errors = {}, {}
        for name, grad in autograd.items():
            estimate = _central(expression, point, moved[name], step)
            numeric[name] = estimate
            errors[name] = None if estimate is None else abs(grad - estimate)
        rows.append(SweepRow(step, numeric, errors))
    best_h = {}
    for name in autograd:
        candidates = [row for row in rows if row.abs_error[name] is not None]
        if candidates:
            best_h[name] = min(candidates, key=lambda row: row.abs_error[name]).h
    return SweepReport(expression.source, dict(point), graph.output.data, autograd, rows, best_h, graph.output_name,
                       expression.title())


def random_check_estimate(expression, count: int, names=None, point: dict | None = None) -> Estimate:
    """Memory (every result is kept) and time of ``check_random_points(expression, count)``.

    ``point`` (values given, maybe arrays) counts every entry of an array variable as one to check.
    """
    variables = len(names or expression.variables)
    if point is not None:  # an array of n entries is n numbers to check
        variables = sum(math.prod(_shape(point.get(name))) for name in (names or expression.variables))
    # per point: forward and backward (~3 evaluations), then f(x + h) and f(x - h) per variable, and about
    # as many again where a kink or the curvature is looked into
    evaluations = 3 + 4 * variables
    return Estimate(50 * 2**20 + count * (POINT_BYTES + variables * CHECK_BYTES), f"checking {count:,} points",
                    f"{count:,} points x {variables:,} variables",
                    count * evaluations * expression.size * NODE_SECONDS)


def check_random_points(expression, count: int, *, seed: int = 0, low: float = -2.0, high: float = 2.0,
                        fixed: dict | None = None, hold: dict | None = None, h: float | None = None,
                        rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, names=None,
                        max_draws: int | None = None, max_memory: int = DEFAULT_MAX_MEMORY) -> RandomReport:
    """Check at ``count`` random points (every variable uniform in [low, high]).

    ``fixed`` (a complete point) is checked first, besides the random ones;
    variables in ``hold`` keep their given value at every random point.
    Points where the expression is undefined are drawn again, up to
    ``max_draws`` in all (20 per point by default).  At most ``MAX_POINTS``,
    and a check whose results would need more than ``max_memory`` bytes is
    refused before it starts (``random_check_estimate``).
    """
    if not 0 <= count <= MAX_POINTS:
        raise UsageError(f"{{setting}} must lie in 0..{MAX_POINTS:,}, got {count:,}", setting="count", value=count,
                         limit=(0, MAX_POINTS))
    check_memory(random_check_estimate(expression, count, names, {**(hold or {}), **(fixed or {})}), max_memory,
                 advice="check fewer {setting:count} or fewer variables ({setting:wrt})")
    if not low < high:
        raise UsageError(f"the range {low:g},{high:g} is empty: low must be below high, e.g. -2,2",
                         setting="low", value=(low, high))
    _check_options(h, rtol, atol)
    rng = random.Random(seed)
    reports = []
    if fixed is not None:
        reports.append(check_gradients(expression, fixed, h=h, rtol=rtol, atol=atol, names=names))
    draws = skipped = 0
    reason = ""
    limit = max_draws if max_draws is not None else 20 * max(count, 1)
    given = {**(hold or {}), **(fixed or {})}
    shapes = {name: _shape(given.get(name)) for name in expression.variables}  # an array stays an array
    while len(reports) < count + (fixed is not None) and draws < limit:
        draws += 1
        point = {name: (hold[name] if hold and name in hold else _draw(rng, low, high, shapes[name]))
                 for name in expression.variables}
        try:
            reports.append(check_gradients(expression, point, h=h, rtol=rtol, atol=atol, names=names))
        except DomainError as exc:
            skipped += 1
            reason = exc.message
    if count and len(reports) == (fixed is not None):
        raise DomainError(
            f"the expression is undefined at all {draws} random points drawn from [{low:g}, {high:g}]"
            + (f" (the last: {reason})" if reason else ""),
            hint="pick a {setting} inside its domain, e.g. 0.1,3 for log or sqrt", setting="range",
        )
    worst, worst_points = _worst_cases(reports, rtol, atol)
    return RandomReport(expression.source, reports, worst, worst_points, skipped, seed, low, high, rtol, atol, h,
                        expression.output_name, expression.title())


def kinks_at(graph) -> list:
    """(node, reason) for every node whose op record says it is not differentiable at these values.

    On arrays: an elementwise record is asked about each entry (the first kink found names its
    entry, ``entry [1]: argument is 0``); a reduction about its whole input (``2 entries tie at 3``).
    """
    from .ops import OPS

    found = []
    for node in graph.nodes():
        op = OPS.get(node.op) if node.inputs else None
        if op is None or op.kink is None:
            continue
        datas = [v.data for v in node.inputs]
        if all(x.__class__ is float for x in datas):
            reason = op.kink(*datas, node.arg) if op.kind == "tensor" else op.kink(*datas)
        elif op.kind == "tensor":  # max(x), min(x): ties
            reason = op.kink(*datas, node.arg)
        else:
            reason = _entry_kink(op, datas, node.data)
        if reason:
            found.append((node, reason))
    return found


def _entry_kink(op, datas: list, out) -> str | None:
    """The first entry of an elementwise node on arrays where its record reports a kink."""
    import numpy

    for index in numpy.ndindex(numpy.shape(out)):
        reason = op.kink(*(float(numpy.broadcast_to(x, numpy.shape(out))[index]) for x in datas))
        if reason:
            return f"entry [{', '.join(map(str, index))}]: {reason}"
    return None


def _explain_kinks(graph, checks) -> None:
    """Add to each kink found numerically the nodes that cause it, as their records explain it."""
    kinked = [check for check in checks if check.status == KINK]
    if not kinked:
        return
    causes = kinks_at(graph)
    for check in kinked:
        leaf = graph.variables[check.of]
        reasons = [f"{_shown(graph, node)}: {reason}" for node, reason in causes if _depends_on(node, leaf)]
        check.cause = "; ".join(reasons)


def _shown(graph, node) -> str:
    name = graph.name_of(node)
    return f"{name} = {node.label}" if name and node.label else name or node.label or node.op


def _depends_on(node, leaf) -> bool:
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current is leaf:
            return True
        if id(current) not in seen:
            seen.add(id(current))
            stack.extend(current.inputs)
    return False


# -- one variable ----------------------------------------------------------------


def _check_one(expression, point, coordinate: Coordinate, grad, h, rtol, atol) -> Check:
    check = _check_coordinate(expression, point, coordinate, grad, h, rtol, atol)
    if coordinate.index is not None:
        check.variable, check.entry = coordinate.name, coordinate.index
    return check


def _check_coordinate(expression, point, where: Coordinate, grad, h, rtol, atol) -> Check:
    name = where.label
    x = where.value(point)
    step = h if h is not None else default_step(x)
    f0 = expression.value_at(point)
    up, up_error = _shifted(expression, point, where, step)
    down, down_error = _shifted(expression, point, where, -step)

    if up is not None and down is not None:
        numeric, method, note = (up - down) / (2 * step), "central", ""
        left, right = (f0 - down) / step, (up - f0) / step
        if _is_kink(expression, point, where, step, f0, left, right, rtol, atol):
            low, high = sorted((left, right))
            inside = low - atol <= grad <= high + atol
            note = "autograd picks a subgradient inside [left, right]" if inside else \
                "autograd lies outside the one-sided slopes"
            error = abs(grad - numeric)
            return Check(name, x, grad, numeric, error, _relative(error, numeric), inside, KINK, step,
                         method, left, right, note)
    elif up is None and down is None:
        return Check(name, x, grad, None, None, None, False, UNCHECKED, step, "none",
                     note=f"both x+h and x-h leave the domain: {up_error}")
    else:
        # one shifted point left the domain: a one-sided difference from the side that works
        step = h if h is not None else one_sided_step(x)
        sign = 1.0 if up is not None else -1.0
        shifted, failure = _shifted(expression, point, where, sign * step)
        if shifted is None:
            return Check(name, x, grad, None, None, None, False, UNCHECKED, step, "none", note=failure)
        numeric = (shifted - f0) / (sign * step)
        method = "forward" if sign > 0 else "backward"
        side = "x-h" if sign > 0 else "x+h"
        note = f"{side} leaves the domain ({down_error if sign > 0 else up_error}); one-sided difference used"

    error = abs(grad - numeric)
    ok = error <= atol + rtol * abs(numeric)
    if not ok and h is None:
        # before calling it a mismatch, rule out the estimate's own truncation error (sharp curvature,
        # e.g. log(x) at 1e-3): Ridders' extrapolation to h -> 0 is accurate where one h is not
        refined = ridders(expression, point, where)
        if refined is not None:
            estimate, estimate_error, _ = refined
            refined_error = abs(grad - estimate)
            tolerance = atol + rtol * abs(estimate)
            # only a confident extrapolation (its own error well inside the tolerance) may overrule
            if estimate_error <= 0.1 * tolerance and refined_error <= tolerance:
                note = (f"{note}; " if note else "") + (
                    f"the {method} difference at h = {step:.2g} gives {numeric:.10g}, off by curvature; "
                    f"Ridders' extrapolation to h -> 0 gives {estimate:.10g} (± {estimate_error:.1g})")
                return Check(name, x, grad, estimate, refined_error, _relative(refined_error, estimate), True,
                             PASS, step, "ridders", note=note)
    return Check(name, x, grad, numeric, error, _relative(error, numeric), ok, PASS if ok else FAIL, step,
                 method, note=note)


def ridders(expression, point, name, *, shrink: float = 1.4, table: int = 10):
    """d f / d name by Ridders' method: central differences at shrinking h, extrapolated to h -> 0.

    Returns (estimate, its error estimate, the smallest h used), or None when no
    central difference can be taken (the point sits on the edge of the domain).
    The first h is tried at a few scales (0.1 * max(1, |x|), 0.1 |x|, 0.01 |x|),
    each halved until x + h and x - h are in the domain, and the estimate with
    the smallest error wins: a first step that jumps over a pole (1/x near 0)
    gives a large error estimate and loses.  (Numerical Recipes' ``dfridr``.)
    """
    name = _coordinate(point, name)  # a variable's name, or a Coordinate (an entry of an array)
    x = name.value(point)
    starts = sorted({0.1 * max(1.0, abs(x)), 0.1 * abs(x), 0.01 * abs(x)} - {0.0}, reverse=True)
    results = [r for r in (_ridders_from(expression, point, name, h, shrink, table) for h in starts) if r]
    return min(results, key=lambda result: result[1]) if results else None


def _ridders_from(expression, point, name, step, shrink, table):
    """One Ridders tableau from the first step ``step`` (halved into the domain if needed)."""
    floor = 1e3 * EPS * max(1.0, abs(name.value(point)))
    first = _central(expression, point, name, step)
    while first is None and step > floor:
        step /= 2
        first = _central(expression, point, name, step)
    if first is None:
        return None
    previous = [first]
    best, best_error = first, math.inf
    for i in range(1, table):
        step /= shrink
        estimate = _central(expression, point, name, step)
        if estimate is None:
            break
        row = [estimate]
        factor = shrink * shrink
        for j in range(1, i + 1):  # Richardson: cancel the h**2, h**4, ... error terms in turn
            row.append((row[j - 1] * factor - previous[j - 1]) / (factor - 1))
            factor *= shrink * shrink
            error = max(abs(row[j] - row[j - 1]), abs(row[j] - previous[j - 1]))
            if error <= best_error:
                best, best_error = row[j], error
        if abs(row[i] - previous[i - 1]) >= 2 * best_error:  # higher orders only add round-off now
            break
        previous = row
    return best, best_error, step


def _is_kink(expression, point, name, step, f0, left, right, rtol, atol) -> bool:
    """One-sided slopes that differ, and still differ when h shrinks tenfold: a kink, not curvature."""
    gap = abs(right - left)
    if gap <= 10 * (atol + rtol * max(abs(left), abs(right))):
        return False
    small = step / 10
    up, _ = _shifted(expression, point, name, small)
    down, _ = _shifted(expression, point, name, -small)
    if up is None or down is None:
        return False
    small_gap = abs((up - f0) / small - (f0 - down) / small)
    return small_gap >= KINK_SHRINK * gap  # curvature shrinks the gap 10x; a kink keeps it


def _central(expression, point, name, step) -> float | None:
    up, _ = _shifted(expression, point, name, step)
    down, _ = _shifted(expression, point, name, -step)
    if up is None or down is None:
        return None
    return (up - down) / (2 * step)


def _shifted(expression, point, where: Coordinate, delta):
    """f at point with one number moved by ``delta``: (value, None), or (None, reason) off the domain."""
    name, x = where.label, where.value(point)
    value = x + delta
    if not math.isfinite(value):  # x + h past the largest float: no value there to compare with
        return None, f"{name} {'+' if delta > 0 else '-'} h = {value} is beyond the float range"
    if value == x:  # h below the spacing of floats at x: a difference of 0 would be no estimate
        return None, f"{name} {'+' if delta > 0 else '-'} h rounds to {name} (h = {abs(delta):.2g} is below the " \
                     f"spacing of floats at {x:.6g})"
    try:
        return expression.value_at(where.moved(point, value)), None
    except DomainError as exc:
        return None, exc.message


def _draw(rng: random.Random, low: float, high: float, shape: tuple):
    """A uniform number, or an array of ``shape`` of them (entries drawn in order, from the same generator)."""
    if not shape:
        return _uniform(rng, low, high)
    import numpy

    return numpy.array([_uniform(rng, low, high) for _ in range(math.prod(shape))]).reshape(shape)


def _shape(value) -> tuple:
    """The shape of a value given for a variable: () for a number, an array's or a nested list's shape."""
    if isinstance(value, (list, tuple)):
        import numpy

        return numpy.shape(value)
    return getattr(value, "shape", ())


def graph_point(graph, point: dict) -> dict:
    """The values the graph was evaluated at, as its leaves hold them (an array as a float64 array)."""
    return {name: leaf.data for name, leaf in graph.variables.items() if name in point}


def _uniform(rng: random.Random, low: float, high: float) -> float:
    """A uniform draw from [low, high], finite even when high - low is not (-1e308, 1e308)."""
    if math.isfinite(high - low):
        return rng.uniform(low, high)  # the same draws as ever for every range that fits a float
    u = rng.random()
    return low * (1.0 - u) + high * u


def _relative(error: float, numeric: float) -> float:
    return error / abs(numeric) if numeric != 0 else (0.0 if error == 0 else math.inf)


def _worst_cases(reports, rtol, atol):
    """Per variable (every entry of an array counts for its variable), the check whose error is largest
    relative to its tolerance."""
    worst, points = {}, {}
    for report in reports:
        for check in report.checks:
            score = _badness(check, rtol, atol)
            if check.of not in worst or score > _badness(worst[check.of], rtol, atol):
                worst[check.of] = check
                points[check.of] = report.point
    return list(worst.values()), points


def _badness(check: Check, rtol: float, atol: float) -> float:
    if check.numeric is None:
        return math.inf
    if check.status == KINK:
        return -1.0 if check.ok else math.inf  # a kink is reported, not ranked with the smooth points
    return check.abs_error / (atol + rtol * abs(check.numeric))


def _check_options(h, rtol, atol) -> None:
    if h is not None and not (h > 0 and math.isfinite(h)):
        raise UsageError(f"{{setting}} must be a positive step such as 1e-6, not {h:g}", setting="h", value=h)
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if not tolerance >= 0:
            raise UsageError(f"{{setting}} must be 0 or more, not {tolerance:g}", setting=name, value=tolerance)
