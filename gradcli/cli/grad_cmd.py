"""``gradcli grad``: evaluate an expression, run backward, show the chain rule."""

from __future__ import annotations

from typing import Optional

import typer

from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, split_variables, warn_unused

EXAMPLES = """Examples:

  gradcli grad "tanh(x1*w1 + x2*w2 + b)" --x1 2 --x2 0 --w1 -3 --w2 1 --b 6.88

  gradcli grad "3*x**2 - 4*x + 5" --x 3 --no-trace

  gradcli grad "(a*b + c)*f" a=2 b=-3 c=10 f=-2 --format json
"""


@app.command("grad", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def grad(
    ctx: typer.Context,
    expression: Optional[str] = typer.Argument(None, help="The expression, e.g. \"tanh(x*w + b)\"."),
) -> None:
    """Evaluate an expression, run backward, and print the forward and backward traces."""
    from ..expr import parse

    text, values = split_variables(expression, ctx.args)
    parsed = parse(text)
    warn_unused(values, parsed.variables)
    graph = parsed.evaluate(values)
    graph.backward()
    out = console()
    out.print(f"{graph.expression} = {graph.output.data:.6g}")
    for name, grad_value in graph.gradients().items():
        out.print(f"d/d{name} = {grad_value:.6g}")
