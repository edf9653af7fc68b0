"""``gradcli datasets``: list the built-in datasets; ``gradcli datasets show NAME`` pictures one.

Three beats: read options -> ``gradcli.data.datasets`` (load) -> render (a Rich table,
a terminal scatter plot from ``gradcli.pictures.termmap``, JSON or a CSV export).
NumPy and the data modules are imported inside the commands, never at the top.
"""

from enum import Enum
from typing import Annotated, Optional

import typer

from .app import app
from .common import console, reports_errors, warn, write_stdout

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

DEFAULT_SAMPLES, DEFAULT_NOISE, DEFAULT_SEED = 100, 0.1, 1337
PLOT_MAX_WIDTH = 72   # columns of the scatter plot on a wide terminal
PREVIEW_ROWS = 10     # rows shown for data that cannot be plotted


def _changed_generator_options(samples: int, noise: float, seed: int) -> list[str]:
    """The options that only generated datasets use and that were given a value other than the default."""
    given = [("--samples", samples, DEFAULT_SAMPLES), ("--noise", noise, DEFAULT_NOISE), ("--seed", seed, DEFAULT_SEED)]
    return [option for option, value, default in given if value != default]


class TaskChoice(str, Enum):
    auto = "auto"
    classification = "classification"
    binary = "binary"
    multiclass = "multiclass"
    regression = "regression"


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
    json_output: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the built-in datasets: name, task, size and a one-line description.

    Every name works wherever a dataset is asked for (gradcli train NAME,
    gradcli eval MODEL NAME); so does the path of any CSV file.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..data.datasets import builtin_datasets

    infos = builtin_datasets()
    if json_output:
        import json

        write_stdout(json.dumps([_info_json(info) for info in infos], indent=2))
        return
    console().print(_datasets_table(infos))


def _info_json(info) -> dict:
    return {"name": info.name, "task": info.task, "size": info.size, "description": info.description,
            "two_d": info.is_2d, "generated": info.generated, "takes_classes": info.takes_classes,
            "noise_range": list(info.noise_range) if info.generated else None}


def _datasets_table(infos):
    from rich import box
    from rich.table import Table

    table = Table(title="Built-in datasets", title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD,
                  caption="Generated sets take --samples, --noise and --seed; any CSV file works too "
                          "(header row, the last column is the target).")
    for column in ("Name", "Task", "Size", "Noise", "Description"):
        table.add_column(column, no_wrap=column != "Description")
    for info in infos:
        noise = f"{info.noise_range[0]:g} to {info.noise_range[1]:g}" if info.generated else "-"
        table.add_row(info.name, info.task, info.size, noise, info.description,
                      end_section=info is _last_generated(infos))
    return table


def _last_generated(infos):
    generated = [info for info in infos if info.generated]
    return generated[-1] if generated else None


@datasets_app.command("show", epilog=SHOW_EXAMPLES)
@reports_errors
def show(
    name: Annotated[str, typer.Argument(help="A built-in dataset (see `gradcli datasets`) or a CSV file path.",
                                        show_default=False)],
    samples: Annotated[int, typer.Option(help="How many samples to generate.")] = DEFAULT_SAMPLES,
    noise: Annotated[float, typer.Option(help="Noise: scikit-learn's spread, or the Playground's fraction "
                                              "(0 to 0.5).")] = DEFAULT_NOISE,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = DEFAULT_SEED,
    classes: Annotated[Optional[int], typer.Option(help="Classes for blobs (default 3) or arms for spiral "
                                                        "(default 2).", show_default=False)] = None,
    target: Annotated[Optional[str], typer.Option(help="CSV files: the target column (default: the last).",
                                                  show_default=False)] = None,
    task: Annotated[TaskChoice, typer.Option(help="CSV files: the task, when the guess from the target "
                                                  "column is wrong.")] = TaskChoice.auto,
    width: Annotated[Optional[int], typer.Option(help="Plot width in columns (default: fit the terminal, "
                                                      f"at most {PLOT_MAX_WIDTH}).", show_default=False,
                                                 min=4, max=500)] = None,
    height: Annotated[Optional[int], typer.Option(help="Plot height in rows (default: the data's proportions, "
                                                       "8 to 24 rows).", show_default=False,
                                                  min=2, max=200)] = None,
    rows: Annotated[int, typer.Option(min=1, help="Rows to list for data that cannot be plotted.")] = PREVIEW_ROWS,
    json_output: Annotated[bool, typer.Option("--json", help="Print the samples and a summary as JSON.")] = False,
    export: Annotated[Optional[str], typer.Option("--export", help="Also write the samples to this CSV file "
                                                                   "(train on it with gradcli train FILE).",
                                                  metavar="FILE.csv", show_default=False)] = None,
) -> None:
    """Show a dataset: a summary and, for 2-D data, a terminal scatter plot.

    Classes are told apart by colour and marker; regression targets are
    coloured from orange (negative) to blue (positive). A 1-D regression set
    (sine) is plotted as y against x1; other data is listed row by row.
    """
    from ..data.datasets import load_dataset

    data = load_dataset(name, samples=samples, noise=noise, seed=seed, classes=classes, target=target,
                        task=None if task == TaskChoice.auto else task.value)
    ignored = _changed_generator_options(samples, noise, seed)
    if ignored and not data.params:
        warn(f"{' and '.join(ignored)} {'does' if len(ignored) == 1 else 'do'} not apply to {data.name}: "
             "it is read from a CSV file, not generated")
    if export is not None:
        from ..data.csvfile import write_csv

        write_csv(export, data)
    if json_output:
        write_stdout(_dataset_json(data))
        return
    out = console()
    for line in _summary_lines(data):
        out.print(line, markup=False, highlight=False)
    picture = _picture(data, out.width, width, height)
    out.print(picture if picture is not None else _rows_table(data, rows))
    if export is not None:
        out.print(f"wrote {data.n_samples} rows to {export}", markup=False, highlight=False)


def _summary_lines(data) -> list[str]:
    lines = [f"{data.name}: {data.description}"]
    inputs = ", ".join(data.input_names)
    what = f"{data.n_samples} samples, {data.n_inputs} input{'s' if data.n_inputs != 1 else ''} ({inputs})"
    if data.task == "regression":
        y = data.y
        lines.append(f"{what}; regression, {data.target_name} from {y.min():.4g} to {y.max():.4g}")
    else:
        counts = ", ".join(f"{label}: {count}" for label, count in zip(data.class_labels, data.class_counts()))
        lines.append(f"{what}; {data.task} classification, {data.target_name} = {counts}")
    if data.params:
        lines.append("generated with " + ", ".join(f"--{key} {value}" for key, value in data.params.items()))
    return lines


def _picture(data, console_width: int, width: int | None, height: int | None):
    """The scatter plot for 2-D data (or y against x for 1-D regression); None when there is none."""
    import numpy as np

    from ..pictures.termmap import fit_size, scatter

    if data.is_2d:
        points, x_label, y_label = data.X, data.input_names[0], data.input_names[1]
    elif data.n_inputs == 1 and data.task == "regression":
        points, x_label, y_label = np.column_stack([data.X[:, 0], data.y]), data.input_names[0], data.target_name
    else:
        return None
    width, fitted_height = fit_size(console_width, points, width=width, max_width=PLOT_MAX_WIDTH)
    return scatter(points, data.y, width=width, height=height or fitted_height, task=data.task,
                   class_labels=data.class_labels or None, x_label=x_label, y_label=y_label)


def _rows_table(data, rows: int):
    from rich.table import Table

    shown = min(rows, data.n_samples)
    more = data.n_samples - shown
    table = Table(caption=f"... and {more} more rows" if more else None, caption_justify="left")
    table.add_column("row", justify="right", style="dim")
    for name in data.input_names:
        table.add_column(name, justify="right")
    table.add_column(data.target_name, justify="right", style="bold")
    for i in range(shown):
        target = data.class_labels[int(data.y[i])] if data.class_labels else data.y[i]
        table.add_row(str(i + 1), *(f"{v:.6g}" for v in data.X[i]), f"{target:.6g}")
    return table


def _dataset_json(data) -> str:
    import json

    summary = {"name": data.name, "description": data.description, "task": data.task,
               "samples": data.n_samples, "input_names": data.input_names, "target_name": data.target_name,
               "class_labels": data.class_labels, "params": data.params}
    if data.task == "regression":
        summary["target_range"] = [float(data.y.min()), float(data.y.max())]
    else:
        summary["class_counts"] = data.class_counts()
    summary["X"] = data.X.tolist()
    # targets as the user knows them: original labels for classes, values for regression
    summary["y"] = [data.class_labels[int(k)] for k in data.y] if data.class_labels else data.y.tolist()
    return json.dumps(summary)
