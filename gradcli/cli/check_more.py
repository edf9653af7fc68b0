"""``gradcli check`` beyond first derivatives: ``--order 2`` and ``--given NAME=FORMULA`` (with ``--symbolic``).

``check_cmd.py`` reads the options; ``run`` checks their combinations, calls
the core (``autograd/second_check.py``, ``autograd/given_check.py``; sympy
only with ``--symbolic``) and renders with ``render/derivative_checks.py``.
"""

from __future__ import annotations

from ..errors import UsageError
from .common import console, warn, write_stdout
from .output import OutputFormat, write_json


def parse_given(items: list) -> dict:
    """``["x=2*x", "y=1"]`` -> ``{"x": "2*x", "y": "1"}``; each must be NAME=FORMULA, each name once."""
    formulas = {}
    for item in items:
        name, has_formula, formula = item.partition("=")
        name = name.strip()
        if not has_formula or not name or not formula.strip():
            raise UsageError(f"--given {item}: write the variable and your derivative: --given x=\"2*x\"")
        if name in formulas:
            raise UsageError(f"--given {name} is given twice")
        formulas[name] = formula
    return formulas


def run(parsed, values: dict, names, *, given, symbolic: bool, order: int, sweep: bool, points: int, seed: int,
        value_range: tuple | None, memory_limit: str, tolerances: dict, output_format: OutputFormat, precision: int) -> bool:
    """Check and print; True when everything matches."""
    from ..autograd.second_check import check_order

    check_order(order)
    if given:
        if order != 1:
            raise UsageError("--given checks first derivatives; --order 2 checks second ones: run them separately")
        if sweep:
            raise UsageError("--sweep looks at the finite differences alone: drop --given, or run the two separately")
        if names:
            raise UsageError("with --given, the variables checked are those given: drop --wrt")
        return _given(parsed, values, given, symbolic, points, seed, value_range, memory_limit, tolerances,
                      output_format, precision)
    if symbolic:
        raise UsageError("--symbolic shows the right formula next to yours: give yours with --given x=\"...\"",
                         hint="for the formulas alone: gradcli grad EXPRESSION --symbolic")
    if sweep or points:
        raise UsageError("--order 2 checks one point: drop " + ("--sweep" if sweep else "--points"))
    return _second(parsed, values, names, tolerances, output_format, precision)


def _second(parsed, values, names, tolerances, output_format, precision) -> bool:
    from ..autograd.second_check import check_second_derivatives
    from ..render import derivative_checks as render

    report = check_second_derivatives(parsed, values, names=names, **tolerances)
    for line in report.warnings:
        warn(line)
    _show(output_format, precision, report, render.second_document, render.second_markdown, render.second_csv,
          render.second_rich)
    return report.ok


def _given(parsed, values, given, symbolic, points, seed, value_range, memory_limit, tolerances, output_format,
           precision) -> bool:
    from ..autograd.given_check import check_given, read_given, right_formulas
    from ..render import derivative_checks as render

    formulas = read_given(parse_given(given), parsed)
    if points:
        from .options import max_memory

        low, high = value_range
        report = check_given(parsed, formulas, values, count=points, seed=seed, low=low, high=high,
                             max_memory=max_memory(memory_limit), **tolerances)
    else:
        parsed.evaluate(values)  # the "no value for variables ..." usage error first
        report = check_given(parsed, formulas, values, **tolerances)
        for line in report.warnings:
            warn(line)
    if symbolic:
        right_formulas(parsed, formulas, report)
    _show(output_format, precision, report, render.given_document, render.given_markdown, render.given_csv,
          render.given_rich)
    return report.ok


def _show(output_format: OutputFormat, precision: int, report, document, markdown, csv, rich) -> None:
    """Print ``report`` with the renderer of the format chosen."""
    if output_format == OutputFormat.json:
        write_json(document(report), indent=2)
    elif output_format == OutputFormat.markdown:
        write_stdout(markdown(report, precision))
    elif output_format == OutputFormat.csv:
        write_stdout(csv(report))
    else:
        out = console()
        for part in rich(report, precision):
            out.print(part)
        out.print()
