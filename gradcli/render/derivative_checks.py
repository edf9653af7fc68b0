"""``check --order 2`` and ``check --given`` -> text: Rich tables, JSON documents, Markdown and CSV.

Takes ``second_check.SecondReport`` (each Hessian entry against differences
of the gradient, and of f on the diagonal) and ``given_check.GivenReport``
(a hand-derived formula per variable against autograd and the finite
difference), formatted as ``render/check.py`` formats a first-order check:
values with ``--precision`` decimals, errors in e-notation.
"""

from __future__ import annotations

import math

from ..autograd.gradcheck import FAIL, KINK, PASS, UNCHECKED
from ..numbers import decimals, scientific, significant
from . import style
from .derivatives import derivative_name
from .grad import point_text
from .latex import markdown_table

_STYLE = {PASS: "green", FAIL: "bold red", KINK: "yellow", UNCHECKED: "bold red", "right": "green",
          "wrong": "bold red", "undefined": "bold red"}
_SHORT = {PASS: "PASS", FAIL: "FAIL", KINK: "kink", UNCHECKED: "unchecked", "right": "right", "wrong": "WRONG",
          "undefined": "WRONG"}


def _header(output: str, title: tuple, expression: str, value, point: dict | None, precision: int, extra: str = ""):
    from rich.text import Text

    formula, before = title
    text = Text()
    text.append(f"{output} = ", style="bold")
    text.append(formula or " ".join(expression.split()), style="bold cyan")
    if value is not None:
        text.append(f" = {decimals(value, precision)}")
    if before:
        text.append(f"\n    where {before}", style="dim")
    if point:
        text.append(f"\n    at {point_text(point)}", style="dim")
    if extra:
        text.append(f"\n    {extra}", style="dim")
    return text


def _verdict(ok: bool, good: str, bad: str):
    from rich.text import Text

    text = Text()
    text.append("OK" if ok else "MISMATCH", style="bold green" if ok else "bold red")
    text.append(f": {good if ok else bad}")
    return text


# -- check --order 2 ------------------------------------------------------------------------------


def _status(second) -> str:
    """The entry's result: the gradient check's, unless the check against f fails."""
    if second.from_f is not None and not second.from_f.ok:
        return second.from_f.status
    return second.check.status


def second_rich(report, precision: int = 6) -> list:
    from rich.text import Text

    table = style.table("Second derivatives: autograd vs finite differences")
    table.min_width = 51
    table.add_column("derivative", no_wrap=True)
    table.add_column("autograd", justify="right", no_wrap=True)
    table.add_column("numeric\nfrom gradient", justify="right", no_wrap=True)
    table.add_column("numeric\nfrom f", justify="right", no_wrap=True)
    table.add_column("abs error", justify="right", no_wrap=True)
    table.add_column("result")
    for second in report.checks:
        check, from_f = second.check, second.from_f
        status = _status(second)
        table.add_row(derivative_name(report.output, second.pair), decimals(check.autograd, precision),
                      decimals(check.numeric, precision), decimals(from_f.numeric, precision) if from_f else "",
                      _worst_error(second), f"[{_STYLE[status]}]{_SHORT[status]}[/]")
    rule = ("from gradient: central differences of df/du along v, h = cbrt(eps) * max(1, |v|)\n"
            "from f (diagonal): (f(v+h) - 2 f(v) + f(v-h)) / h**2, h = eps**(1/4) * max(1, |v|)")
    tolerance = (f"pass when |autograd - numeric| <= atol + rtol * |numeric|, with rtol = {significant(report.rtol)}, "
                 f"atol = {significant(report.atol)}")
    failures = sum(1 for c in report.checks if not c.ok)
    parts = [_header(report.output, report.title, report.expression, report.value, report.point, precision), Text(),
             table, Text(f"{rule}\n{tolerance}", style="dim")]
    parts += [Text(line, style="yellow") for line in second_notes(report)]
    parts.append(_verdict(report.ok, "the second derivatives match the finite differences",
                          f"{failures} second derivative{'s' if failures != 1 else ''} do not match"))
    return parts


def _worst_error(second) -> str:
    """The larger abs error of the two estimates (from the gradient, and from f on the diagonal)."""
    check, from_f = second.check, second.from_f
    errors = [e for e in (check.abs_error, from_f.abs_error if from_f else None) if e is not None]
    return scientific(max(errors)) if errors else "-"


def second_notes(report) -> list:
    """Kinks, refined estimates and estimates that could not be made, one line each."""
    lines = []
    for second in report.checks:
        name = derivative_name(report.output, second.pair)
        check, from_f = second.check, second.from_f
        if check.status == KINK:
            lines.append(f"{name}: the gradient is not differentiable here (one-sided slopes {decimals(check.left)} "
                         f"and {decimals(check.right)}): no second derivative exists; autograd gives "
                         f"{decimals(check.autograd)}")
        elif check.note:
            lines.append(f"{name}: {check.note}")
        if from_f is not None and (from_f.note or not from_f.ok):
            lines.append(f"{name}: from f: {from_f.note or 'the second difference of f disagrees'}")
    return lines


def _second_dict(report, second) -> dict:
    check, from_f = second.check, second.from_f
    document = {"derivative": derivative_name(report.output, second.pair, ascii_only=True), "wrt": list(second.pair),
                "autograd": check.autograd, "from_gradient": check.numeric, "abs_error": check.abs_error,
                "rel_error": _finite(check.rel_error), "h": check.h, "method": check.method, "status": _status(second),
                "ok": second.ok}
    if check.status == KINK:
        document.update(left=check.left, right=check.right)
    if check.note:
        document["note"] = check.note
    if from_f is not None:
        document["from_f"] = {"numeric": from_f.numeric, "abs_error": from_f.abs_error,
                              "rel_error": _finite(from_f.rel_error), "h": from_f.h, "method": from_f.method,
                              "status": from_f.status, "ok": from_f.ok, "note": from_f.note or None}
    return document


def _finite(x):
    return x if x is None or math.isfinite(x) else None


def second_document(report) -> dict:
    return {"expression": report.expression, "output": report.output, "value": report.value, "point": report.point,
            "order": 2, "ok": report.ok, "rtol": report.rtol, "atol": report.atol,
            "checks": [_second_dict(report, second) for second in report.checks]}


def second_markdown(report, precision: int = 6) -> str:
    rows = []
    for second in report.checks:
        check, from_f = second.check, second.from_f
        rows.append([derivative_name(report.output, second.pair), decimals(check.autograd, precision),
                     decimals(check.numeric, precision), decimals(from_f.numeric, precision) if from_f else "",
                     _worst_error(second), _SHORT[_status(second)]])
    return markdown_table(["Derivative", "Autograd", "From the gradient", "From f", "Abs error", "Result"], rows)


def second_csv(report) -> str:
    from ..csvtext import csv_text

    rows = []
    for second in report.checks:
        check, from_f = second.check, second.from_f
        rows.append([derivative_name(report.output, second.pair, ascii_only=True), second.pair[0], second.pair[1],
                     check.autograd, check.numeric, from_f.numeric if from_f else None, check.abs_error,
                     check.rel_error, check.h, from_f.abs_error if from_f else None, _status(second), second.ok])
    # abs_error and rel_error: against the gradient's differences; from_f_abs_error: against f's (the diagonal)
    return csv_text(["derivative", "u", "v", "autograd", "from_gradient", "from_f", "abs_error", "rel_error", "h",
                     "from_f_abs_error", "status", "ok"], rows)


# -- check --given -----------------------------------------------------------------------------------


def given_rich(report, precision: int = 6) -> list:
    from rich.text import Text

    several = report.points > 1
    extra = ""
    if several:
        skipped = f"; {report.skipped} draws outside the domain were drawn again" if report.skipped else ""
        extra = (f"{report.points} points, each variable uniform in [{significant(report.low)}, "
                 f"{significant(report.high)}], seed {report.seed}{skipped}")
    point = None if several else report.checks[0].point if report.checks else None
    table = style.table("Your derivatives: the formula given vs autograd and the finite difference"
                        + (" (the worst point of each)" if several else ""))
    table.add_column("variable", overflow="fold", min_width=8)
    table.add_column("your formula", overflow="fold", style="cyan")
    table.add_column("yours", justify="right", no_wrap=True)
    table.add_column("autograd", justify="right", no_wrap=True)
    table.add_column("numeric", justify="right", no_wrap=True)
    table.add_column("abs error", justify="right", no_wrap=True)
    table.add_column("result")
    for check in report.checks:
        table.add_row(f"∂{report.output}/∂{check.name}", check.formula, decimals(check.given, precision),
                      decimals(check.autograd, precision), decimals(check.numeric, precision),
                      scientific(check.abs_error), f"[{_STYLE[check.status]}]{_SHORT[check.status]}[/]")
    parts = [_header(report.output, report.title, report.expression, report.value, point, precision, extra), Text(),
             table, Text(f"right when |yours - autograd| <= atol + rtol * |autograd|, with rtol = "
                         f"{significant(report.rtol)}, atol = {significant(report.atol)}", style="dim")]
    for line in given_lines(report, precision):
        parts.append(Text(line, style="yellow" if "wrong" in line or "undefined" in line else "dim"))
    wrong = [c.name for c in report.checks if not c.ok]
    parts.append(_verdict(report.ok, "every formula given agrees with autograd and the finite difference",
                          f"the formula for {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"))
    return parts


def given_lines(report, precision: int = 6) -> list:
    """For each formula: where it is wrong and by how much (and the right formula, with --symbolic)."""
    lines = []
    for check in report.checks:
        where = point_text(check.point)
        times = f" at {check.wrong_points} of {check.points} points; the worst" if check.points > 1 else ""
        if check.status == "undefined":
            lines.append(f"{check.name}: your formula is undefined{times} at {where}: {check.note}")
        elif check.status == "wrong":
            relative = f", {check.rel_error:.1%}" if check.rel_error is not None and math.isfinite(check.rel_error) \
                and check.rel_error < 10 else ""
            lines.append(f"{check.name}: your formula is wrong{times} at {where}: it gives "
                         f"{decimals(check.given, precision)}, autograd {decimals(check.autograd, precision)} and the "
                         f"finite difference {decimals(check.numeric, precision)} (off by "
                         f"{significant(check.abs_error, 4)}{relative})")
        elif check.note:
            lines.append(f"{check.name}: {check.note}")
        if check.right_formula and not check.ok:
            lines.append(f"{check.name}: the right formula: {check.right_formula}")
            if check.difference:
                lines.append(f"{check.name}: yours minus the right one: {check.difference}")
    return lines


def given_document(report) -> dict:
    checks = []
    for c in report.checks:
        entry = {"name": c.name, "formula": c.formula, "point": c.point, "given": c.given, "autograd": c.autograd,
                 "numeric": c.numeric, "abs_error": c.abs_error, "rel_error": _finite(c.rel_error), "status": c.status,
                 "ok": c.ok, "wrong_points": c.wrong_points, "points": c.points}
        if c.note:
            entry["note"] = c.note
        if c.right_formula:
            entry.update(right_formula=c.right_formula, difference=c.difference or None)
        checks.append(entry)
    document = {"expression": report.expression, "output": report.output, "ok": report.ok, "rtol": report.rtol,
                "atol": report.atol, "points": report.points, "given": checks}
    if report.points > 1:
        document.update(seed=report.seed, range=[report.low, report.high], skipped=report.skipped)
    else:
        document["value"] = report.value
    return document


def given_markdown(report, precision: int = 6) -> str:
    rows = [[c.name, f"`{c.formula}`", decimals(c.given, precision), decimals(c.autograd, precision),
             decimals(c.numeric, precision), scientific(c.abs_error), _SHORT[c.status]] for c in report.checks]
    table = markdown_table(["Variable", "Your formula", "Yours", "Autograd", "Numeric", "Abs error", "Result"], rows)
    lines = given_lines(report, precision)
    return table + ("\n\n" + "\n".join(f"- {line}" for line in lines) if lines else "")


def given_csv(report) -> str:
    from ..csvtext import csv_text

    names = sorted({name for c in report.checks for name in c.point}, key=list(report.checks[0].point).index) \
        if report.checks else []
    rows = [[c.name, c.formula, c.given, c.autograd, c.numeric, c.abs_error, c.rel_error, c.status, c.wrong_points,
             c.points, c.right_formula or None] + [c.point.get(n) for n in names] for c in report.checks]
    return csv_text(["variable", "formula", "given", "autograd", "numeric", "abs_error", "rel_error", "status",
                     "wrong_points", "points", "right_formula"] + [f"at_{n}" for n in names], rows)
