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
from .output import GradFormat, GradFormatOption, JsonOption, chosen_format, write_json


EXAMPLES = """Examples:

  gradcli grad "tanh(x1*w1 + x2*w2 + b)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432

  gradcli grad "n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1)/(e + 1)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.8813735870195432 --no-trace

  gradcli grad "x**2*sin(x) + y" --x 1.5 --y 2 --hessian --symbolic

Functions: """ + function_list() + """ (their derivatives: docs/expressions.md)
"""

OWN_OPTIONS = ["--format", "--json", "--precision", "--wrt", "--no-trace", "--order", "--hessian", "--outputs",
               "--jacobian", "--symbolic", "--explain"]

ExpressionArg = Annotated[
    Optional[str],
    typer.Argument(help="The expression, quoted, e.g. \"tanh(x*w + b)\", or statements: \"n = x*w + b; "
                        "o = tanh(n)\"; its variables follow as --x 2 or x=2.", show_default=False),
]
PrecisionOption = Annotated[int, typer.Option(min=0, max=MAX_PRECISION,
                                              help="Decimals shown in tables; JSON and CSV keep every digit.")]
WrtOption = Annotated[
    Optional[str],
    typer.Option(help="Only these variables in the gradient summary (and the derivatives), comma-separated: "
                      "--wrt x1,w1.", show_default=False),
]
OrderOption = Annotated[int, typer.Option(
    "--order", metavar="N", help="Derivatives up to order N: 2 gives d2f/dv2 for every variable; 3 and 4 are for "
                                 "one variable (--wrt x).")]
OutputsOption = Annotated[Optional[str], typer.Option(
    "--outputs", metavar="NAMES", show_default=False,
    help="Bound names whose Jacobian --jacobian shows, comma-separated: --outputs u,v.")]


@app.command("grad", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def grad(
    ctx: typer.Context,
    expression: ExpressionArg = None,
    output_format: GradFormatOption = GradFormat.table,
    json_output: JsonOption = False,
    precision: PrecisionOption = 4,
    wrt: WrtOption = None,
    no_trace: Annotated[bool, typer.Option("--no-trace", help="Print the value and the gradients only.")] = False,
    order: OrderOption = 1,
    hessian: Annotated[bool, typer.Option("--hessian", help="The matrix of second derivatives d2f/du dv.")] = False,
    outputs: OutputsOption = None,
    jacobian: Annotated[bool, typer.Option("--jacobian", help="The Jacobian of the --outputs: d output / d "
                                                                "variable.")] = False,
    symbolic: Annotated[bool, typer.Option("--symbolic", help="Each derivative as a formula, read off the "
                                                                "backward pass and simplified.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Name the rule at every edge of the backward pass "
                                                              "and write it out next to the numbers.")] = False,
    file: FileOption = None,
    output: OutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
    max_entries: MaxEntriesOption = MAX_ENTRIES,
) -> None:
    """Evaluate an expression, run backward, and show the chain rule at every node.

    Prints the forward trace (every sub-expression and its value), the backward
    trace (local derivative x upstream gradient = contribution, output first)
    and df/dvariable for every variable.  --explain names the rule at every
    edge; --order, --hessian and --jacobian go beyond the first derivative, and
    --symbolic writes each derivative as a formula.
    """
    from ..render import grad as render
    from . import grad_more

    output_format = chosen_format(output_format, json_output)
    output_names = _names(outputs, output)
    mode = grad_more.mode_of(order=order, hessian=hessian, jacobian=jacobian, outputs=output_names,
                             symbolic=symbolic, explain=explain, no_trace=no_trace)
    parsed, values = read_expression(expression, ctx.args, file=file, output=output, max_length=max_length,
                                     max_size=max_size, own_options=OWN_OPTIONS, max_entries=max_entries,
                                     outputs=output_names)
    if mode == "jacobian":
        grad_more.show_jacobian(parsed, values, output_names, wrt, symbolic, output_format, precision)
        return
    names = parse_wrt(wrt, parsed.variables)
    show_trace = not no_trace and mode in ("trace", "explain")
    graph = parsed.evaluate(values, labelled=show_trace)  # labels are for the trace
    graph.backward()
    for line in graph.warnings():
        warn(line)
    if mode == "order":
        grad_more.show_order(graph, names or parsed.variables, order, symbolic, output_format, precision)
        return
    if mode == "hessian":
        grad_more.show_hessian(graph, names or parsed.variables, symbolic, output_format, precision)
        return
    if mode == "explain":
        grad_more.show_explain(graph, names, output_format, precision)
        return
    steps = None
    if show_trace:  # without the trace, every format needs the value and the gradients only
        from ..autograd.trace import trace

        window = render.TABLE_ROWS if output_format == GradFormat.table else None  # a table shows no more
        steps = trace(graph.output, graph.variables, graph.names, window=window)

    if output_format == GradFormat.json:
        write_json(render.grad_document(graph, steps, wrt=names, show_trace=show_trace), indent=2)
    elif output_format == GradFormat.markdown:
        write_stdout(render.grad_markdown(graph, steps, precision=precision, wrt=names, show_trace=show_trace))
    elif output_format == GradFormat.latex:
        from ..render.grad_latex import grad_latex

        write_stdout(grad_latex(graph, steps, precision=precision, wrt=names, show_trace=show_trace))
    elif output_format == GradFormat.csv:
        write_stdout(render.grad_csv(graph, steps, wrt=names, show_trace=show_trace))
    else:
        out = console()
        for part in render.grad_rich(graph, steps, precision=precision, wrt=names, show_trace=show_trace):
            out.print(part)
            out.print()


def _names(outputs: str | None, output: str | None) -> list:
    """The names in ``--outputs u,v`` (none without it); refused together with --output."""
    from ..errors import UsageError

    if outputs is None:
        return []
    if output is not None:
        raise UsageError("--output picks one output and --outputs several: give one of them")
    names = list(dict.fromkeys(name.strip() for name in outputs.split(",") if name.strip()))
    if not names:
        raise UsageError("--outputs needs bound names: --outputs u,v")
    return names
