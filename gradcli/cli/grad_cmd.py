"""``gradcli grad``: evaluate an expression, run backward, show the chain rule step by step.

Three beats: read the expression, its variables and the options -> parse,
evaluate, backward and trace (``expr.py``, ``trace.py``) -> render as Rich
tables, JSON, Markdown or CSV (``gradcli.render.grad``).  The options it shares with
``gradcli check`` live in ``options.py``.
"""

from typing import Annotated, Optional

import typer

from ..autograd.ops import FUNCTIONS
from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, split_variables, warn, warn_unused, write_stdout
from .options import MAX_PRECISION, parse_wrt
from .output import FormatOption, JsonOption, OutputFormat, chosen_format, write_json


EXAMPLES = """Examples:

  gradcli grad "tanh(x1*w1 + x2*w2 + b)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432

  gradcli grad "3*x**2 - 4*x + 5" --x 3 --no-trace

  gradcli grad "(a*b + c)*f" a=2 b=-3 c=10 f=-2 --format markdown

Functions: """ + ", ".join(FUNCTIONS) + """ (their derivatives: docs/expressions.md)
"""

OWN_OPTIONS = ["--format", "--json", "--precision", "--wrt", "--no-trace"]

ExpressionArg = Annotated[
    Optional[str],
    typer.Argument(help="The expression, quoted, e.g. \"tanh(x*w + b)\"; its variables follow as --x 2 or x=2.",
                   show_default=False),
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
) -> None:
    """Evaluate an expression, run backward, and show the chain rule at every node.

    Prints the forward trace (every sub-expression and its value), the backward
    trace (local derivative x upstream gradient = contribution, output first)
    and df/dvariable for every variable.
    """
    from ..render import grad as render
    from ..autograd.expr import parse

    text, values = split_variables(expression, ctx.args)
    output_format = chosen_format(output_format, json_output)
    parsed = parse(text)
    names = parse_wrt(wrt, parsed.variables)
    warn_unused(values, parsed.variables, OWN_OPTIONS)
    graph = parsed.evaluate(values)
    graph.backward()
    for note in graph.warnings():
        warn(note)
    steps = None
    if not no_trace or output_format != OutputFormat.table:  # the plain table without trace needs no steps
        from ..autograd.trace import trace

        steps = trace(graph.output, graph.variables)

    show_trace = not no_trace
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
