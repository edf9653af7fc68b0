"""``gradcli grad``: evaluate an expression, run backward, show the chain rule step by step.

Three beats: read the expression, its variables and the options -> parse,
evaluate, backward and trace (``expr.py``, ``trace.py``) -> render as Rich
tables, JSON, Markdown or CSV (``gradcli.render.grad``).  The options it shares with
``gradcli check`` live in ``options.py``; those of every expression command
(``-f FILE``, ``--output NAME``, the limits) in ``expression_input.py``.
"""

from typing import Annotated, Optional

import typer

from ..autograd.expr import MAX_ENTRIES, MAX_LENGTH, MAX_SIZE
from ..autograd.ops import function_list
from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, warn, write_stdout
from .expression_input import (FileOption, MaxEntriesOption, MaxLengthOption, MaxSizeOption, OutputNameOption,
                               read_expression)
from .options import MAX_PRECISION, parse_wrt
from .output import FormatOption, JsonOption, OutputFormat, chosen_format, write_json


EXAMPLES = """Examples:

  gradcli grad "tanh(x1*w1 + x2*w2 + b)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432

  gradcli grad "n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1)/(e + 1)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432 --no-trace

  gradcli grad "(a*b + c)*f" a=2 b=-3 c=10 f=-2 --format markdown

Functions: """ + function_list() + """ (their derivatives: docs/expressions.md)
"""

OWN_OPTIONS = ["--format", "--json", "--precision", "--wrt", "--no-trace"]

ExpressionArg = Annotated[
    Optional[str],
    typer.Argument(help="The expression, quoted, e.g. \"tanh(x*w + b)\", or statements: \"n = x*w + b; "
                        "o = tanh(n)\"; its variables follow as --x 2 or x=2.", show_default=False),
]
PrecisionOption = Annotated[int, typer.Option(min=0, max=MAX_PRECISION,
                                              help="Decimals shown in tables; JSON and CSV keep every digit.")]
WrtOption = Annotated[
    Optional[str],
    typer.Option(help="Only these variables in the gradient summary, comma-separated: --wrt x1,w1.",
                 show_default=False),
]


@app.command("grad", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def grad(
    ctx: typer.Context,
    expression: ExpressionArg = None,
    output_format: FormatOption = OutputFormat.table,
    json_output: JsonOption = False,
    precision: PrecisionOption = 4,
    wrt: WrtOption = None,
    no_trace: Annotated[bool, typer.Option("--no-trace", help="Print the value and the gradients only.")] = False,
    file: FileOption = None,
    output: OutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
    max_entries: MaxEntriesOption = MAX_ENTRIES,
) -> None:
    """Evaluate an expression, run backward, and show the chain rule at every node.

    Prints the forward trace (every sub-expression and its value), the backward
    trace (local derivative x upstream gradient = contribution, output first)
    and df/dvariable for every variable.
    """
    from ..render import grad as render

    output_format = chosen_format(output_format, json_output)
    parsed, values = read_expression(expression, ctx.args, file=file, output=output, max_length=max_length,
                                     max_size=max_size, own_options=OWN_OPTIONS, max_entries=max_entries)
    names = parse_wrt(wrt, parsed.variables)
    show_trace = not no_trace
    graph = parsed.evaluate(values, labelled=show_trace)  # labels are for the trace
    graph.backward()
    for line in graph.warnings():
        warn(line)
    steps = None
    if show_trace:  # without the trace, every format needs the value and the gradients only
        from ..autograd.trace import trace

        window = render.TABLE_ROWS if output_format == OutputFormat.table else None  # a table shows no more
        steps = trace(graph.output, graph.variables, graph.names, window=window)

    if output_format == OutputFormat.json:
        write_json(render.grad_document(graph, steps, wrt=names, show_trace=show_trace), indent=2)
    elif output_format == OutputFormat.markdown:
        write_stdout(render.grad_markdown(graph, steps, precision=precision, wrt=names, show_trace=show_trace))
    elif output_format == OutputFormat.csv:
        write_stdout(render.grad_csv(graph, steps, wrt=names, show_trace=show_trace))
    else:
        out = console()
        for part in render.grad_rich(graph, steps, precision=precision, wrt=names, show_trace=show_trace):
            out.print(part)
            out.print()
