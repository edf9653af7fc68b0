"""The ``gradcli`` Typer app: global options and the list of commands."""

from __future__ import annotations

import typer

from .. import __version__
from ..autograd.engine import collect_less
from .usage import GradcliGroup

app = typer.Typer(
    name="gradcli",
    help="Inspect gradients and train small networks with a reverse-mode autograd engine over scalars and arrays.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    cls=GradcliGroup,  # usage errors Typer finds, in gradcli's own error lines (usage.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"gradcli {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Inspect gradients and train small networks with a reverse-mode autograd engine over scalars and arrays.

    Every number is a Value node that records the operation that made it;
    backward() applies the chain rule from the output back to every input.
    """


# One module per command; each registers itself on ``app`` when imported.
from . import grad_cmd  # noqa: E402,F401
from . import check_cmd  # noqa: E402,F401
from . import draw_cmd  # noqa: E402,F401
from . import explore_cmd  # noqa: E402,F401
from . import plot_cmd  # noqa: E402,F401
from . import datasets_cmd  # noqa: E402,F401
from . import train_cmd  # noqa: E402,F401
from . import predict_cmd  # noqa: E402,F401
from . import eval_cmd  # noqa: E402,F401
from . import show_cmd  # noqa: E402,F401
from . import sweep_cmd  # noqa: E402,F401
from . import compare_cmd  # noqa: E402,F401
from . import export_cmd  # noqa: E402,F401
from . import playground_cmd  # noqa: E402,F401


def run() -> None:
    """Run the app (``gradcli.cli.main`` calls this, and reports a closed pipe or an interrupt)."""
    from . import fast_params

    collect_less()  # graphs are acyclic: fewer cyclic collections, same memory behaviour
    fast_params.install()  # plain option values without pydantic (~130 ms of start-up); see fast_params.py
    app(prog_name="gradcli")  # the same name for `python -m gradcli`: usage lines, completion
