"""Gradient-check results -> text: Rich tables, JSON documents, Markdown and CSV for ``gradcli check``.

Takes the dataclasses of ``gradcheck.py`` (``CheckReport``, ``SweepReport``,
``RandomReport``) and returns Rich renderables, plain data for the JSON writer
(``*_document``), or strings; numbers are formatted by ``gradcli.numbers``
as in ``gradcli grad`` (errors and steps always in e-notation).
"""

from __future__ import annotations

import math

from ..autograd.gradcheck import FAIL, KINK, PASS, UNCHECKED
from ..numbers import decimals, scientific, significant
from . import style
from .grad import point_text

_STATUS_STYLE = {PASS: "green", FAIL: "bold red", KINK: "yellow", UNCHECKED: "bold red"}
ENTRY_ROWS = 24  # with array variables, the table of every entry is shown up to this many checks


def _title(report) -> tuple:
    """(the output's formula, the steps before it) of a report, on one line each."""
    formula, before = report.title
    return formula or " ".join(report.expression.split()), before


def _status(check) -> str:
    """The result column: short, so that numbers keep their room; the notes below spell kinks out."""
    return {PASS: "PASS", FAIL: "FAIL", KINK: "kink"}.get(check.status, check.status)


def _step_text(report) -> str:
    rule = "cbrt(eps) * max(1, |x|)" if report.h is None else f"{significant(report.h)} (fixed)"
    return f"step: h = {rule}\npass when |autograd - numeric| <= atol + rtol * |numeric|, " \
           f"with rtol = {significant(report.rtol)}, atol = {significant(report.atol)}"


def _verdict(ok: bool, failures: int, kinks: int):
    from rich.text import Text

    text = Text()
    if ok:
        text.append("OK", style="bold green")
        text.append(": autograd matches the finite differences")
    else:
        text.append("MISMATCH", style="bold red")
        text.append(f": {failures} check{'s' if failures != 1 else ''} failed")
    if kinks:
        text.append(f" ({kinks} not differentiable: see the one-sided slopes)", style="yellow")
    return text


# -- one point -----------------------------------------------------------------------


def check_rich(report, precision: int = 6) -> list:
    from rich.text import Text

    formula, before = _title(report)
    header = Text()
    header.append(f"{report.output} = ", style="bold")
    header.append(formula, style="bold cyan")
    header.append(f" = {decimals(report.value, precision)}")
    if before:
        header.append(f"\n    where {before}", style="dim")
    header.append(f"\n    at {point_text(report.point)}", style="dim")
    table = check_table(report.checks, precision, title="Gradient check: autograd vs central finite difference")
    failures = sum(1 for c in report.checks if not c.ok)
    kinks = sum(1 for c in report.checks if c.status == KINK)
    parts = [header, Text(), table, Text(_step_text(report), style="dim")]
    if report.has_entries:  # arrays: a summary by variable (with its worst entry), and every entry if few
        summary = variable_table(report.by_variable(), precision)
        shown = [summary, table] if len(report.checks) <= ENTRY_ROWS else [summary, Text(
            f"{len(report.checks):,} entries checked: every one with --format json or --format csv", style="dim")]
        parts[2:3] = shown
    parts += _notes(report.checks)
    parts.append(_verdict(report.ok, failures, kinks))
    return parts


def check_table(checks, precision: int, title: str):
    """One row per check; numbers never wrap (the variable and result columns do, on a narrow terminal)."""
    table = style.table(title)
    table.add_column("variable", overflow="fold", min_width=8)
    table.add_column("autograd", justify="right", no_wrap=True)
    table.add_column("numeric", justify="right", no_wrap=True)
    table.add_column("abs error", justify="right", no_wrap=True)
    table.add_column("rel error", justify="right", no_wrap=True)
    table.add_column("h", justify="right", style="dim", no_wrap=True)
    table.add_column("result")
    for check in checks:
        table.add_row(
            check.name, decimals(check.autograd, precision),
            decimals(check.numeric, precision), scientific(check.abs_error), scientific(check.rel_error),
            scientific(check.h, 1), f"[{_STATUS_STYLE[check.status]}]{_status(check)}[/]",
        )
    return table


def variable_table(summaries, precision: int):
    """One row per variable: its shape, how many entries passed, and its worst entry (a failure first)."""
    table = style.table("By variable: every entry checked, the worst one shown")
    table.add_column("variable", overflow="fold", min_width=8)
    table.add_column("shape", justify="right", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("worst entry", no_wrap=True)
    table.add_column("autograd", justify="right", no_wrap=True)
    table.add_column("numeric", justify="right", no_wrap=True)
    table.add_column("abs error", justify="right", no_wrap=True)
    table.add_column("result")
    for summary in summaries:
        worst = summary.worst
        status = worst.status if not summary.ok or worst.status == KINK else PASS
        kinks = f" ({summary.kinks} kink{'s' if summary.kinks != 1 else ''})" if summary.kinks else ""
        table.add_row(summary.name, str(summary.shape), f"{summary.passed}/{summary.checks}{kinks}", worst.name,
                      decimals(worst.autograd, precision), decimals(worst.numeric, precision),
                      scientific(worst.abs_error), f"[{_STATUS_STYLE[status]}]{_status(worst)}[/]")
    return table


def _notes(checks) -> list:
    from rich.text import Text

    notes = []
    for check in checks:
        if check.status == KINK:
            low, high = decimals(min(check.left, check.right)), decimals(max(check.left, check.right))
            verdict = "one of them" if check.ok else "outside them: a mismatch"
            cause = f" ({check.cause})" if check.cause else ""
            notes.append(Text(
                f"{check.name}: not differentiable at {significant(check.at)}{cause}: left slope {decimals(check.left)}, "
                f"right slope {decimals(check.right)}; every value in [{low}, {high}] is a subgradient, and autograd's "
                f"{decimals(check.autograd)} is {verdict}", style="yellow"))
        elif check.note:
            notes.append(Text(f"{check.name}: {check.note}", style="yellow"))
    return notes


def check_document(report) -> dict:
    """One point's checks as plain data for the JSON writer."""
    document = {"expression": report.expression, "output": report.output, "value": report.value,
                "point": report.point, "ok": report.ok,
                "rtol": report.rtol, "atol": report.atol, "h_rule": "cbrt(eps)*max(1,|x|)" if report.h is None
                else "fixed", "checks": [_check_dict(c) for c in report.checks]}
    if report.has_entries:  # arrays: a summary per variable, with its worst entry
        document["variables"] = [{"name": v.name, "shape": list(v.shape), "checks": v.checks, "passed": v.passed,
                                  "ok": v.ok, "worst": v.worst.name} for v in report.by_variable()]
    return document


def _check_dict(check) -> dict:
    rel_error = check.rel_error if check.rel_error is None or math.isfinite(check.rel_error) else None
    document = {"name": check.name, "at": check.at, "autograd": check.autograd, "numeric": check.numeric,
                "abs_error": check.abs_error, "rel_error": rel_error, "ok": check.ok, "status": check.status,
                "h": check.h, "method": check.method}  # rel_error is null where numeric is 0 (strict JSON)
    if check.status == KINK:
        document.update(differentiable=False, left=check.left, right=check.right,
                        subgradient=[min(check.left, check.right), max(check.left, check.right)])
    if check.note:
        document["note"] = check.note
    if check.cause:
        document["cause"] = check.cause
    if check.entry is not None:
        document.update(variable=check.variable, entry=list(check.entry))
    return document


def check_markdown(checks, precision: int = 6) -> str:
    lines = ["| Variable | At | Autograd | Numeric | Abs error | Rel error | Result |", "|---|---|---|---|---|---|---|"]
    for c in checks:
        lines.append(f"| {c.name} | {decimals(c.at, precision)} | {decimals(c.autograd, precision)} | "
                     f"{decimals(c.numeric, precision)} | {scientific(c.abs_error)} | {scientific(c.rel_error)} | "
                     f"{_status(c)} |")
    return "\n".join(lines)


def check_csv(checks, points=None) -> str:
    """One row per check (and the index of its point with ``--points``), full precision."""
    from ..csvtext import csv_text

    return csv_text(["point", "name", "at", "autograd", "numeric", "abs_error", "rel_error", "h", "status", "ok"],
                    [[points[index] if points else 0, c.name, c.at, c.autograd, c.numeric, c.abs_error, c.rel_error,
                      c.h, c.status, c.ok] for index, c in enumerate(checks)])


# -- sweep -----------------------------------------------------------------------------


def sweep_rich(report, precision: int = 10) -> list:
    from rich.text import Text

    table = style.table("Step sweep: (f(x+h) - f(x-h)) / 2h", split=True)
    table.add_column("h", justify="right", no_wrap=True, key=True)
    for name in report.autograd:
        table.add_column(f"numeric ∂{report.output}/∂{name}", justify="right", no_wrap=True)
        table.add_column(f"|error| {name}", justify="right", no_wrap=True, with_previous=True)
    for row in report.rows:
        cells = [scientific(row.h, 0)]
        for name in report.autograd:
            best = report.best_h.get(name) == row.h
            error = scientific(row.abs_error[name])
            # the mark is a character, not only a colour: it must show without colour too
            cells += [decimals(row.numeric[name], precision), f"[bold green]{error} *[/]" if best else f"{error}  "]
        table.add_row(*cells)
    autograd = ", ".join(f"∂{report.output}/∂{name} = {decimals(g, precision)}" for name, g in report.autograd.items())
    note = Text(
        f"autograd: {autograd}\nLarge h: truncation error (~h²) dominates; small h: round-off (~eps/h) takes "
        "over. * marks the smallest error per variable.", style="dim")
    formula, before = _title(report)
    where = f"   where {before}" if before else ""
    return [Text(f"{report.output} = {formula}{where}   at {point_text(report.point)}", style="bold"), Text(), table,
            note]


def sweep_document(report) -> dict:
    """The step sweep as plain data for the JSON writer."""
    return {"expression": report.expression, "output": report.output, "point": report.point,
            "autograd": report.autograd,
            "best_h": report.best_h,
            "rows": [{"h": r.h, "numeric": r.numeric, "abs_error": r.abs_error} for r in report.rows]}


def sweep_table_text(report, precision: int = 10, markdown: bool = True) -> str:
    """Markdown (or CSV, full precision) of the sweep: one row per h, estimate and error per variable."""
    names = list(report.autograd)
    header = ["h"] + [f"{kind} {name}" for name in names for kind in ("numeric", "abs_error")]
    if not markdown:
        from ..csvtext import csv_text

        return csv_text(header, [[scientific(r.h, 0)] + [v for name in names
                                                         for v in (r.numeric[name], r.abs_error[name])]
                                 for r in report.rows])
    rows = [[scientific(r.h, 0)] + [v for name in names for v in
                                    (decimals(r.numeric[name], precision), scientific(r.abs_error[name]))]
            for r in report.rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# -- random points ---------------------------------------------------------------------


def random_rich(report, precision: int = 6) -> list:
    from rich.text import Text

    checks = report.checks
    failures = sum(1 for c in checks if not c.ok)
    kinks = sum(1 for c in checks if c.status == KINK)
    formula, before = _title(report)
    header = Text(f"{report.output} = {formula}" + (f"   where {before}" if before else ""), style="bold")
    redrawn = f"; {report.skipped} draws outside the domain were drawn again" if report.skipped else ""
    header.append(f"\n    {len(report.reports)} points, every variable uniform in "
                  f"[{significant(report.low)}, {significant(report.high)}], seed {report.seed}{redrawn}", style="dim")
    table = check_table(report.worst, precision, title="Worst case per variable (largest error for its tolerance)")
    where = Text("\n".join(f"{c.name}: worst at {point_text(report.worst_points[c.of])}" for c in report.worst),
                 style="dim")
    return [header, Text(), table, where, Text(_step_text(report), style="dim"),
            _verdict(report.ok, failures, kinks)]


def random_document(report) -> dict:
    """Every point's checks and the worst case per variable as plain data for the JSON writer."""
    checks = []
    for index, point_report in enumerate(report.reports):
        for check in point_report.checks:
            checks.append(dict(_check_dict(check), point=index))
    return {"expression": report.expression, "output": report.output, "ok": report.ok, "seed": report.seed,
            "range": [report.low, report.high], "rtol": report.rtol, "atol": report.atol,
            "points": [r.point for r in report.reports], "skipped": report.skipped, "checks": checks,
            "worst": [dict(_check_dict(c), point_values=report.worst_points[c.of]) for c in report.worst]}


def random_point_indices(report) -> list:
    return [index for index, r in enumerate(report.reports) for _ in r.checks]
