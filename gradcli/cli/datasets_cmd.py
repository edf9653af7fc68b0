"""``gradcli datasets``: list the built-in datasets; ``gradcli datasets show NAME`` pictures one.

Three beats: read options -> ``gradcli.data.datasets`` (load) -> ``render.datasets``
(a Rich table, a terminal scatter plot, or JSON; ``--export`` writes a CSV file).
NumPy and the data modules are imported inside the commands, never at the top.
"""

from typing import Annotated, Optional

import typer

from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, TaskChoice
from ..render.datasets import PLOT_MAX_WIDTH
from .app import app
from .common import console, reports_errors, warn
from .dataset_options import ClassesOption, DataSeedOption, NoiseOption, SamplesOption, TargetOption, TaskOption
from .output import JsonOption, TableFormat, TableFormatOption, chosen_format, write_json

LIST_EXAMPLES = """Examples:

  gradcli datasets

  gradcli datasets --json

  gradcli datasets show spiral --classes 3 --noise 0.2
"""

SHOW_EXAMPLES = """Examples:

  gradcli datasets show moons

  gradcli datasets show xor --samples 400 --noise 0.3 --seed 7

  gradcli datasets show toy4 --json
"""

PREVIEW_ROWS = 10     # rows shown for data that cannot be plotted


def _changed_generator_options(samples: int, noise: float, seed: int) -> list[str]:
    """The options that only generated datasets use and that were given a value other than the default."""
    given = [("--samples", samples, DEFAULT_SAMPLES), ("--noise", noise, DEFAULT_NOISE), ("--seed", seed, DEFAULT_SEED)]
    return [option for option, value, default in given if value != default]


datasets_app = typer.Typer(
    name="datasets",
    help="List the built-in datasets, or show one as a terminal scatter plot.",
    no_args_is_help=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(datasets_app, name="datasets")


@datasets_app.callback(invoke_without_command=True, epilog=LIST_EXAMPLES)
@reports_errors
def datasets(
    ctx: typer.Context,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
) -> None:
    """List the built-in datasets: name, task, size and a one-line description.

    Every name works wherever a dataset is asked for (gradcli train NAME,
    gradcli eval MODEL NAME); so does the path of any CSV file.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..data.datasets import builtin_datasets
    from ..render.datasets import datasets_document, datasets_table

    output_format = chosen_format(output_format, json_output)
    infos = builtin_datasets()
    if output_format is TableFormat.json:
        write_json(datasets_document(infos), indent=2)
        return
    console().print(datasets_table(infos))


@datasets_app.command("show", epilog=SHOW_EXAMPLES)
@reports_errors
def show(
    name: Annotated[str, typer.Argument(help="A built-in dataset (see `gradcli datasets`) or a CSV file path.",
                                        show_default=False)],
    samples: SamplesOption = DEFAULT_SAMPLES,
    noise: NoiseOption = DEFAULT_NOISE,
    seed: DataSeedOption = DEFAULT_SEED,
    classes: ClassesOption = None,
    target: TargetOption = None,
    task: TaskOption = TaskChoice.auto,
    width: Annotated[Optional[int], typer.Option(help="Plot width in columns (default: fit the terminal, "
                                                      f"at most {PLOT_MAX_WIDTH}).", show_default=False,
                                                 min=4, max=500)] = None,
    height: Annotated[Optional[int], typer.Option(help="Plot height in rows (default: the data's proportions, "
                                                       "8 to 24 rows).", show_default=False,
                                                  min=2, max=200)] = None,
    rows: Annotated[int, typer.Option(min=1, help="Rows to list for data that cannot be plotted.")] = PREVIEW_ROWS,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
    export: Annotated[Optional[str], typer.Option("--export", help="Also write the samples to this CSV file "
                                                                   "(train on it with gradcli train FILE).",
                                                  metavar="FILE.csv", show_default=False)] = None,
) -> None:
    """Show a dataset: a summary and, for 2-D data, a terminal scatter plot.

    Classes are told apart by colour and marker; regression targets are
    coloured from orange (negative) to blue (positive). A 1-D regression set
    (sine) is plotted as y against x1; other data is listed row by row.
    """
    from ..data.datasets import dataset_file, load_dataset
    from ..paths import refuse_overlaps
    from ..render.datasets import dataset_document, picture, rows_table, summary_lines

    output_format = chosen_format(output_format, json_output)
    refuse_overlaps(outputs={"export": export}, inputs={"dataset": dataset_file(name)})
    data = load_dataset(name, samples=samples, noise=noise, seed=seed, classes=classes, target=target, task=task)
    ignored = _changed_generator_options(samples, noise, seed)
    if ignored and not data.params:
        warn(f"{' and '.join(ignored)} {'does' if len(ignored) == 1 else 'do'} not apply to {data.name}: "
             "it is read from a CSV file, not generated")
    if export is not None:
        from ..data.csvfile import write_csv

        write_csv(export, data)
    if output_format is TableFormat.json:
        write_json(dataset_document(data))
        return
    out = console()
    for line in summary_lines(data):
        out.print(line, markup=False, highlight=False)
    plot = picture(data, out.width, width, height)
    out.print(plot if plot is not None else rows_table(data, rows))
    if export is not None:
        out.print(f"wrote {data.n_samples} rows to {export}", markup=False, highlight=False)

