"""``gradcli explore``: nudge the inputs of an expression and watch value and gradients change.

Reads the expression and its variables as ``grad`` does, builds an
``Explorer`` (``gradcli/explore/state.py``), runs the Textual app
(``gradcli/explore/app.py``, imported here only, so other commands never load
Textual) and, when the user quits with ``q``, prints a ``gradcli grad ...``
command line that reproduces the final state.
"""

import sys
from typing import Annotated, Optional

import typer

from ..autograd.expr import MAX_ENTRIES, MAX_LENGTH, MAX_SIZE
from .app import app
from .common import VARIABLE_CONTEXT, parse_number, reports_errors, write_stdout
from .expression_input import (FileOption, MaxEntriesOption, MaxLengthOption, MaxSizeOption, OutputNameOption,
                               read_expression)

EXAMPLES = """Examples:

  gradcli explore "(x-3)**2" --x 0

  gradcli explore "n = x*w + b; o = tanh(n)" --x 3 --w 0.5 --b -1 --h 0.1

  gradcli explore "sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)" --w1 0.2 --w2 0.4 --x1 -0.4 --x2 0.5

Keys: up/down or j/k select a variable; left/right nudge it by the step; + and - multiply or divide the step by 10; h divides h by 10 and H multiplies it; g takes a gradient-descent step on every variable (G ascends); p plots f and f' around the selected variable (p again: the trace); r resets the values; e edits the expression; q quits and prints the command line. Variables not given start at 1.
"""

_OWN_OPTIONS = ["--step", "--h", "--lr"]
HINT_LENGTH = 200  # a longer command line is not repeated in a hint


@app.command("explore", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def explore(
    ctx: typer.Context,
    expression: Annotated[Optional[str], typer.Argument(help="The expression, e.g. \"(x-3)**2\".")] = None,
    step: Annotated[str, typer.Option("--step", metavar="NUMBER",
                                      help="How far left/right moves the selected variable.")] = "0.1",
    h: Annotated[str, typer.Option("--h", metavar="NUMBER", help="The finite difference of the nudge panel; "
                                   "a variable named h is passed as h=VALUE.")] = "0.001",
    lr: Annotated[str, typer.Option("--lr", metavar="NUMBER",
                                    help="Learning rate of a gradient step (g and G).")] = "0.1",
    file: FileOption = None,
    output: OutputNameOption = None,
    max_length: MaxLengthOption = MAX_LENGTH,
    max_size: MaxSizeOption = MAX_SIZE,
    max_entries: MaxEntriesOption = MAX_ENTRIES,
) -> None:
    """Nudge an expression's inputs in a full-screen app and watch values, gradients and (f(x+h) - f(x))/h.

    The value, the gradients, the forward and backward trace and the difference
    quotient change as you go; keys are listed below and in the app's footer.
    """
    from ..errors import UsageError
    from ..explore.state import Explorer

    if file == "-":
        raise UsageError("explore reads its keys from the terminal, so its expression cannot come from stdin",
                         hint="save the statements in a file and pass -f FILE")
    parsed, values = read_expression(expression, ctx.args, file=file, output=output, max_length=max_length,
                                     max_size=max_size, own_options=_OWN_OPTIONS, max_entries=max_entries)
    sizes = {name: parse_number(text, f"--{name}") for name, text in (("step", step), ("h", h), ("lr", lr))}
    explorer = Explorer(parsed, values, **sizes)  # checks the sizes are positive, evaluates once
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        command_line = explorer.command_line(_grad_options())
        raise UsageError(
            "gradcli explore is interactive and needs a terminal, but stdin or stdout is not one",
            hint=f"run it in a terminal; for a one-shot trace use: {command_line}" if len(command_line) <= HINT_LENGTH
            else "run it in a terminal; for a one-shot trace use gradcli grad with the same expression and values",
        )
    from ..explore.app import ExploreApp

    command_line = ExploreApp(explorer, _grad_options()).run()
    if command_line:
        write_stdout(command_line)


def _grad_options() -> tuple:
    """The option names of ``gradcli grad``: variables with these names are written name=value."""
    command = typer.main.get_command(app)
    grad = command.commands.get("grad") if hasattr(command, "commands") else None
    if grad is None:
        return ()
    return tuple(opt for param in grad.params for opt in (*param.opts, *param.secondary_opts)
                 if opt.startswith("--"))
