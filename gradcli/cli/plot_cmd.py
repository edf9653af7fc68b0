"""``gradcli plot``: a function and its derivatives over a range of one variable, others held.

Three beats: read the expression, the range (``--x -5:5``, or ``--x -5:5:0.25``
for NumPy's ``arange``) and the values held -> sample f, f', f''
(``autograd/curves.py``) -> draw in the terminal (``render/plot.py``), to
PNG/SVG (``pictures/function_plot.py``), or write the points as CSV/JSON.
"""

from enum import Enum
from typing import Annotated, Optional

import typer

from ..autograd.expr import MAX_LENGTH, MAX_SIZE
from .app import app
from .common import VARIABLE_CONTEXT, console, note, parse_number, reports_errors, write_stdout
from .expression_input import DrawOutputNameOption, FileOption, MaxLengthOption, MaxSizeOption, read_expression
from .output import JsonOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli plot "3*x**2 - 4*x + 5" --x -5:5 --tangent 3

  gradcli plot "tanh(x*w + b)" --x -3:3 --w 2 --b 0.5 --order 2

  gradcli plot "3*x**2 - 4*x + 5" --x -5:5:0.25 --format csv

The variable that runs is the one given a range LO:HI (or LO:HI:STEP, HI left out as in NumPy's arange); the others keep the values given. Where f is undefined (log(x) at x <= 0) or a derivative does not exist (relu at 0) the curves have gaps.
"""

DEFAULT_RANGE = (-5.0, 5.0)  # when the one variable without a value has no range either
OWN_OPTIONS = ["--order", "--tangent", "--points", "--output", "--format", "--json", "--width", "--height"]


class PlotFormat(str, Enum):
    """The formats of ``plot``: the picture in the terminal, or the sampled points."""

    table = "table"
    csv = "csv"
    json = "json"


@app.command("plot", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def plot(
    ctx: typer.Context,
    expression: Annotated[Optional[str], typer.Argument(
        help="The expression, quoted; one variable gets a range (--x -5:5), the others values (--y 1).",
        show_default=False)] = None,
    order: Annotated[int, typer.Option("--order", metavar="N", help="Draw the derivatives up to order N "
                                                                    "(1: f and f', 2: also f'').")] = 1,
    tangent: Annotated[Optional[str], typer.Option("--tangent", metavar="X0", show_default=False,
                                                   help="Draw the tangent line at X0.")] = None,
    points: Annotated[Optional[int], typer.Option(
        "--points", metavar="N", show_default=False,
        help="Sample N points from LO to HI, both included (default: 200; at most 100,000).")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="Write the picture to FILE.png or FILE.svg (matplotlib) instead of drawing it in the terminal.")] = None,
    output_format: Annotated[PlotFormat, typer.Option(
        "--format", help="table (the picture in the terminal), csv or json (every sampled point).")]
    = PlotFormat.table,
    json_output: JsonOption = False,
    width: Annotated[Optional[int], typer.Option(min=20, max=500, show_default=False,
                                                 help="Picture width in columns (default: fit the terminal).")]
    = None,
    height: Annotated[int, typer.Option(min=5, max=200, help="Picture height in rows.")] = 20,
    file: FileOption = None,
    output_name: DrawOutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
) -> None:
    """Plot f and its derivatives over a range of one variable, the others held at their values.

    In the terminal (colour in a terminal, plain characters when piped), to a
    PNG or SVG file, or as the sampled points in CSV or JSON.
    """
    from ..autograd.curves import sample
    from ..paths import refuse_overlaps
    from ..render import plot as render

    output_format = chosen_format(output_format, json_output)
    if output is not None:
        from ..pictures.plot import check_plot_path

        check_plot_path(output, setting="output")  # a bad suffix fails before any work
        refuse_overlaps(outputs={"output": output}, inputs={"file": file})
    tokens, ranged = _take_range(expression, ctx.args)
    parsed, values = read_expression(None, tokens, file=file, output=output_name, max_length=max_length,
                                     max_size=max_size, own_options=OWN_OPTIONS)
    variable, low, high, step = ranged if ranged else _default_range(parsed.variables, values)
    if step is not None and points is not None:
        from ..errors import UsageError

        raise UsageError(f"--points and the step of --{variable} {_range_text(low, high, step)} both say where to "
                         "sample: give one of them")
    x0 = None if tangent is None else parse_number(tangent, "--tangent")
    curves = sample(parsed, variable, low, high, points=points, step=step, held=values, order=order, tangent=x0)

    if output is not None:
        from ..pictures.function_plot import save_curves_plot

        save_curves_plot(output, curves, render.title(curves))
        message = f"wrote {output} ({curves.order + 1} curves, {len(curves.xs)} points)"
        if output_format == PlotFormat.table:
            console().print(message, markup=False, highlight=False)
            return
        console(stderr=True).print(message, markup=False, highlight=False)
    if output_format == PlotFormat.json:
        write_json(render.curves_document(curves), indent=2)
    elif output_format == PlotFormat.csv:
        write_stdout(render.curves_csv(curves))
    else:
        out = console()
        for part in render.plot_rich(curves, width or max(20, min(100, out.width - 12)), height):
            out.print(part)


def _take_range(argument, extra: list) -> tuple:
    """(the other tokens, (variable, low, high, step) or None): the one variable given LO:HI[:STEP]."""
    from ..errors import UsageError

    tokens = ([argument] if argument is not None else []) + list(extra)
    found, rest, index = [], [], 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        name, text = None, None
        if token.startswith("--") and len(token) > 2:
            name, has_value, text = token[2:].partition("=")
            if not has_value and index < len(tokens) and ":" in tokens[index]:
                text = tokens[index]
                index += 1
        elif "=" in token and ":" in token.partition("=")[2] and not token.startswith("-"):
            name, _, text = token.partition("=")
        if name and text and ":" in text:
            found.append((name, text))
            continue
        rest.append(token)
    if len(found) > 1:
        raise UsageError(f"one variable runs over a range, but --{found[0][0]} and --{found[1][0]} both have one",
                         hint="give the other one a value, e.g. --y 1")
    if not found:
        return rest, None
    name, text = found[0]
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.strip() for part in parts):
        raise UsageError(f"--{name} {text}: a range is LO:HI such as -5:5, or LO:HI:STEP such as -5:5:0.25")
    numbers = [parse_number(part, f"--{name}") for part in parts]
    return rest, (name, numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None)


def _default_range(variables: list, values: dict) -> tuple:
    """Without a range, the one variable that has no value runs over -5:5 (with a note)."""
    from ..errors import UsageError

    free = [name for name in variables if name not in values]
    if len(free) != 1:
        example = free[0] if free else (variables[0] if variables else "x")
        raise UsageError("which variable runs? give one a range: --" + example + " -5:5",
                         hint="the others keep the values given (--y 1)")
    low, high = DEFAULT_RANGE
    note(f"{free[0]} runs from {low:g} to {high:g} (give another range with --{free[0]} LO:HI)")
    return free[0], low, high, None


def _range_text(low: float, high: float, step: float | None) -> str:
    from ..numbers import significant

    return f"{significant(low)}:{significant(high)}" + (f":{significant(step)}" if step is not None else "")
