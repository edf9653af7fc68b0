"""``gradcli check``: compare autograd gradients with central finite differences.

Three beats: read the expression, its variables and the options -> run
``gradcheck.check_gradients`` (or ``sweep`` / ``check_random_points``) ->
render with ``gradcli.render.check``.  Exit status: 0 when every gradient matches,
1 when any does not, 2 on a usage error.
"""

from typing import Annotated, List, Optional

import typer

from ..autograd.expr import MAX_ENTRIES, MAX_LENGTH, MAX_SIZE
from .app import app
from .common import VARIABLE_CONTEXT, console, parse_number, reports_errors, warn, write_stdout
from .expression_input import (FileOption, MaxEntriesOption, MaxLengthOption, MaxSizeOption, OutputNameOption,
                               read_expression)
from .options import DEFAULT_MAX_MEMORY_TEXT, MAX_PRECISION, MaxMemoryOption, max_memory, parse_wrt
from .output import FormatOption, JsonOption, OutputFormat, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli check "sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)" --w1 0.2 --w2 0.4 --x1 -0.4 --x2 0.5

  gradcli check "relu(x) + abs(y)" --x 0 --y 0

  gradcli check "x**2*sin(x)" --x 1.5 --given x="2*x*sin(x) + x**2*cos(x)"
"""

OWN_OPTIONS = ["--h", "--rtol", "--atol", "--sweep", "--points", "--seed", "--range", "--format", "--json",
               "--precision", "--wrt", "--max-memory", "--order", "--given", "--symbolic"]
LONG_CHECK_SECONDS = 10.0  # a random-point check estimated to take longer is announced first


@app.command("check", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def check(
    ctx: typer.Context,
    expression: Annotated[Optional[str], typer.Argument(
        help="The expression, quoted; its variables follow as --x 2 or x=2 (use h=0.5 for a variable named h).",
        show_default=False)] = None,
    h: Annotated[Optional[float], typer.Option(
        "--h", help="Fixed finite-difference step. Default: cbrt(eps) * max(1, |x|), about 6e-6 near 1.",
        show_default=False)] = None,
    rtol: Annotated[float, typer.Option(help="Relative tolerance: pass when |autograd - numeric| <= atol + "
                                             "rtol * |numeric|.")] = 1e-5,
    atol: Annotated[float, typer.Option(help="Absolute tolerance (covers round-off for gradients near 0).")] = 1e-7,
    sweep: Annotated[bool, typer.Option("--sweep", help="Show the estimate for h = 1e-1 ... 1e-12 side by side "
                                                        "(truncation vs round-off).")] = False,
    points: Annotated[int, typer.Option(help="Also check at N random points (at most 100,000); the worst case "
                                             "per variable is reported.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the random points (same seed, same points).")] = 0,
    value_range: Annotated[str, typer.Option("--range", help="LO,HI: each variable is drawn uniformly from "
                                                             "this interval.")] = "-2,2",
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonOption = False,
    precision: Annotated[int, typer.Option(min=0, max=MAX_PRECISION, help="Decimals shown in tables; JSON keeps "
                                                                          "every digit.")] = 6,
    wrt: Annotated[Optional[str], typer.Option(help="Check only these variables, comma-separated: --wrt x1,w1.",
                                               show_default=False)] = None,
    file: FileOption = None,
    output: OutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
    max_entries: MaxEntriesOption = MAX_ENTRIES,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
    order: Annotated[int, typer.Option("--order", metavar="N", help="2: check the second derivatives (the Hessian) "
                                       "against finite differences of the gradient, and of f on the diagonal.")] = 1,
    given: Annotated[Optional[List[str]], typer.Option(
        "--given", metavar="NAME=FORMULA", show_default=False,
        help="Your own derivative to check, e.g. --given x=\"2*x*sin(x)\"; once per variable.")] = None,
    symbolic: Annotated[bool, typer.Option("--symbolic", help="With --given: also show the right formula (from "
                                                              "the backward pass) and yours minus it.")] = False,
) -> None:
    """Check autograd gradients against central finite differences, variable by variable.

    Reports autograd, numeric, absolute and relative error and pass/fail; a kink
    (relu or abs at 0) is reported as not differentiable with its one-sided slopes.
    --order 2 checks the second derivatives; --given checks formulas you derived.
    """
    from ..autograd import gradcheck
    from ..errors import UsageError

    output_format = chosen_format(output_format, json_output)
    parsed, values = read_expression(expression, ctx.args, file=file, output=output, max_length=max_length,
                                     max_size=max_size, own_options=OWN_OPTIONS, max_entries=max_entries)
    names = parse_wrt(wrt, parsed.variables)
    tolerances = {"h": h, "rtol": rtol, "atol": atol}
    complete = all(name in values for name in parsed.variables)

    if given or symbolic or order != 1:
        from . import check_more

        ok = check_more.run(parsed, values, names, given=given, symbolic=symbolic, order=order, sweep=sweep,
                            points=points, seed=seed, value_range=_parse_range(value_range) if points else None,
                            memory_limit=memory_limit,
                            tolerances=tolerances, output_format=output_format, precision=precision)
        if not ok:
            raise typer.Exit(1)
        return
    if sweep:
        if points:
            raise UsageError("--sweep looks at one point: drop --points, or run the two separately")
        result = gradcheck.sweep(parsed, values, names=names)
        _render_sweep(result, output_format, precision)
        return
    if points:
        from ..limits import time_note

        low, high = _parse_range(value_range)
        limit = max_memory(memory_limit)
        estimate = gradcheck.random_check_estimate(parsed, points, names, values)
        note = time_note(estimate, LONG_CHECK_SECONDS)
        if note and 0 < points <= gradcheck.MAX_POINTS and estimate.memory <= limit:  # else it is refused
            warn(f"{note}; Ctrl-C stops it")
        result = gradcheck.check_random_points(
            parsed, points, seed=seed, low=low, high=high, fixed=values if complete else None,
            hold=None if complete else values, names=names, max_memory=limit, **tolerances)
    else:
        if not complete:
            parsed.evaluate(values)  # raises the "no value for variables ..." usage error
        result = gradcheck.check_gradients(parsed, values, names=names, **tolerances)
        for note in result.warnings:
            warn(note)
    _render_checks(result, output_format, precision, random_points=bool(points))
    if not result.ok:
        if output_format == OutputFormat.table:
            warn("a gradient does not match; if the function curves sharply here, --sweep shows how the "
                 "estimate depends on h")
        raise typer.Exit(1)


def _parse_range(text: str) -> tuple[float, float]:
    from ..errors import UsageError

    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError(f"--range takes LO,HI such as -2,2, not '{text}'")
    low, high = (parse_number(part, "--range") for part in parts)
    if not low < high:
        raise UsageError(f"--range {text} is empty: LO must be below HI, e.g. -2,2")
    return low, high


def _render_checks(result, output_format: OutputFormat, precision: int, random_points: bool) -> None:
    from ..render import check as render_check

    if output_format == OutputFormat.json:
        document = render_check.random_document(result) if random_points else render_check.check_document(result)
        write_json(document, indent=2)
    elif output_format == OutputFormat.markdown:
        write_stdout(render_check.check_markdown(result.worst if random_points else result.checks, precision))
    elif output_format == OutputFormat.csv:
        indices = render_check.random_point_indices(result) if random_points else None
        write_stdout(render_check.check_csv(result.checks, indices))
    else:
        parts = render_check.random_rich(result, precision) if random_points else \
            render_check.check_rich(result, precision)
        _print(parts)


def _render_sweep(result, output_format: OutputFormat, precision: int) -> None:
    from ..render import check as render_check

    if output_format == OutputFormat.json:
        write_json(render_check.sweep_document(result), indent=2)
    elif output_format in (OutputFormat.markdown, OutputFormat.csv):
        write_stdout(render_check.sweep_table_text(result, precision, markdown=output_format == OutputFormat.markdown))
    else:
        _print(render_check.sweep_rich(result, max(precision, 10)))


def _print(parts) -> None:
    out = console()
    for part in parts:
        out.print(part)
    out.print()
