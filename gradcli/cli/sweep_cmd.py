"""``gradcli sweep``: train every combination of settings, on local processes or a Dask cluster, and rank them.

Three beats: read the grid (every ``train`` setting, each a list of values)
-> ``learn.grid.make_grid`` and ``learn.sweep.run_sweep`` (with the progress
display and the results files as callbacks) -> ``learn.ranking.rank`` and
``render.sweep``: the ranked table, JSON or CSV; the plot.  Files are written
by ``sweep_files.SweepFiles`` as runs finish.
"""

import os
import shlex
import signal
from enum import Enum
from typing import Annotated, Optional

import typer

from ..data.choices import TaskChoice
from ..errors import GradcliError, UsageError
from ..learn.config import Activation, Engine, Init, Loss, Optimizer, Schedule
from ..learn.parallel import DEFAULT_TIMEOUT
from .app import app
from .common import console, reports_errors, warn
from .dataset_options import DatasetArgument
from .options import DEFAULT_MAX_MEMORY_TEXT, MaxMemoryOption, max_memory
from .output import CsvOption, JsonOption, chosen_format, write_json, write_stdout

EXAMPLES = """Examples:

  gradcli sweep moons --lr 0.3,1 --layers "8,1;16,16,1" --steps 20 --seeds 2

  gradcli sweep xor --activation relu,tanh --init uniform,xavier --steps 30 --test-split 0.2 --json

  gradcli sweep moons --lr 0.1,1 --steps 20 --jobs 1 --save-dir runs --plot sweep.png
"""


class SweepFormat(str, Enum):
    """The formats of ``sweep``."""

    table = "table"
    json = "json"
    csv = "csv"


def values(help: str):
    """A setting of ``train`` that takes a list of values (one per run)."""
    return typer.Option(help=help, show_default=False, metavar="VALUES")


Values = Optional[str]


def _choices(kind) -> str:
    return ", ".join(member.value for member in kind)


@app.command("sweep", epilog=EXAMPLES)
@reports_errors
def sweep_command(
    ctx: typer.Context,
    dataset: DatasetArgument,
    layers: Annotated[Values, values("Networks, separated by ';' (each as train's --layers): \"8,1;16,16,1\".")] = None,
    activation: Annotated[Values, values(f"Hidden activations, comma-separated, of {_choices(Activation)}: relu,tanh.")] = None,
    init: Annotated[Values, values(f"Initialisations, of {_choices(Init)}: uniform,xavier,he.")] = None,
    init_scale: Annotated[Values, values("Widths of the initial weights: 0.1,1.")] = None,
    loss: Annotated[Values, values(f"Losses, of {_choices(Loss)}: hinge,mse.")] = None,
    optimizer: Annotated[Values, values(f"Optimisers, of {_choices(Optimizer)}: sgd,adam.")] = None,
    lr: Annotated[Values, values("Learning rates: 0.01,0.1,1.")] = None,
    schedule: Annotated[Values, values(f"Schedules, of {_choices(Schedule)}: linear,cosine.")] = None,
    steps: Annotated[Values, values("Updates per run: 50,100.")] = None,
    epochs: Annotated[Values, values("Passes over the training set (instead of --steps): 5,10.")] = None,
    batch_size: Annotated[Values, values("Samples per step: 16,32.")] = None,
    shuffle: Annotated[Values, values("Shuffle each pass: yes,no.")] = None,
    no_shuffle: Annotated[bool, typer.Option("--no-shuffle", help="Short for --shuffle no.")] = False,
    l2: Annotated[Values, values("L2 penalties: 0,1e-4.")] = None,
    l1: Annotated[Values, values("L1 penalties: 0,1e-4.")] = None,
    zero_grad: Annotated[Values, values("Clear the gradients before each step: yes,no.")] = None,
    no_zero_grad: Annotated[bool, typer.Option("--no-zero-grad", help="Short for --zero-grad no.")] = False,
    eval_every: Annotated[Values, values("Evaluate the held-out set every K steps: 1,10.")] = None,
    patience: Annotated[Values, values("Early-stopping patience (needs --test-split): 10,20.")] = None,
    check_grad_every: Annotated[Values, values("Check backprop every N steps: 10.")] = None,
    engine: Annotated[Values, values(f"Engines, of {_choices(Engine)}.")] = None,
    samples: Annotated[Values, values("Samples to generate: 100,500.")] = None,
    noise: Annotated[Values, values("Noise of a generated dataset: 0.1,0.3.")] = None,
    seed: Annotated[Values, values("The first seed (1337), or every seed: 1,2,3. Each combination runs with each "
                                   "seed.")] = None,
    classes: Annotated[Values, values("Classes of blobs or arms of spiral: 3,4.")] = None,
    features: Annotated[Values, values("Input features, separated by ';': \"x,y;x,y,x2,y2\".")] = None,
    target: Annotated[Values, values("CSV files: the target column.")] = None,
    task: Annotated[Values, values(f"CSV files: the task, of {_choices(TaskChoice)}.")] = None,
    standardize: Annotated[Values, values("Standardise the inputs: yes,no.")] = None,
    no_standardize: Annotated[bool, typer.Option("--no-standardize", help="Short for --standardize no.")] = False,
    test_split: Annotated[Values, values("Held-out fractions: 0.2.")] = None,
    init_from: Annotated[Values, values("Model files to start from: a.json,b.json.")] = None,
    seeds: Annotated[Optional[int], typer.Option(
        help="Run each combination with N seeds: --seed and the N-1 after it; the table shows mean ± standard "
             "deviation over them.", show_default=False)] = None,
    jobs: Annotated[Optional[int], typer.Option(
        help="Local worker processes (1: in this process). Default: the first run in this process, then one "
             "process per core if runs that long pay for starting them (about 2 s), else this process.",
        show_default=False)] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        help="Run on the workers of an existing Dask cluster: its scheduler's address, tcp://HOST:8786 (needs "
             "gradcli\\[dask]).", metavar="ADDRESS", show_default=False)] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the scheduler to answer, and for its first "
                                                "worker.")] = DEFAULT_TIMEOUT,
    yes: Annotated[bool, typer.Option("--yes", help="Run a grid of more than 10,000 runs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display: only the results.")] = False,
    results: Annotated[Optional[str], typer.Option(
        help="Also write the results to FILE.json or FILE.csv, rewritten (atomically) as runs finish.",
        metavar="FILE", show_default=False)] = None,
    save_dir: Annotated[Optional[str], typer.Option(
        help="Save every run's model and history (CSV) in DIR, named by its settings, and the results as "
             "DIR/sweep.json.", metavar="DIR", show_default=False)] = None,
    plot: Annotated[Optional[str], typer.Option(
        help="Draw the loss curves of every run (and, for two varied settings, a heat map of the accuracy) to "
             "FILE.png or FILE.svg.", metavar="FILE", show_default=False)] = None,
    output_format: Annotated[SweepFormat, typer.Option(
        "--format", help="table (ranked, for reading), json (every run, every digit) or csv (one row per run).")
    ] = SweepFormat.table,
    json_output: JsonOption = False,
    csv_output: CsvOption = False,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Train every combination of settings and rank them: mean and spread over seeds, on local processes or Dask.

    Every option of `gradcli train` takes a list of values (comma-separated;
    ';' between networks and feature lists); a setting with one value applies
    to every run.  A run that fails is reported in its row and the sweep goes
    on.  Ctrl-C stops it, keeping the finished runs.
    """
    from ..data.datasets import dataset_file
    from ..learn.grid import GRID_SETTINGS, make_grid
    from ..learn.parallel import Backend
    from ..learn.ranking import rank
    from ..learn.sweep import RunContext, run_sweep
    from ..paths import refuse_overlaps
    from ..render.sweep_progress import make_sweep_progress
    from ..render.train import result_document
    from .sweep_files import SweepFiles, check_outputs
    from .train_cmd import parse_layers  # here, not above: train_cmd imports the app, which imports this module

    output = chosen_format(output_format, json_output, csv_output)
    # in the order typed (click fills ctx.params in that order): the first setting given is the grid's first axis
    texts = {name: text for name, text in ctx.params.items() if name in GRID_SETTINGS and text is not None}
    for name, flag in (("shuffle", no_shuffle), ("zero_grad", no_zero_grad), ("standardize", no_standardize)):
        if flag:
            if name in texts:
                raise _both(name)
            texts[name] = "no"
    grid = make_grid(dataset, texts, seeds=seeds, parsers={"layers": lambda text: tuple(parse_layers(text))})
    grid.check_size(confirmed=yes)
    backend = Backend(jobs, scheduler, timeout)
    check_outputs(results, save_dir, plot)
    saved_results = None if save_dir is None else os.path.join(save_dir, "sweep.json")
    for model in _start_models(grid):
        refuse_overlaps(outputs={"results": results, "plot": plot, "save_dir": saved_results},
                        inputs={"dataset": dataset_file(dataset), "init_from": model})
    specs = grid.runs(command_of=train_command)
    context = RunContext(summarize=result_document, save_dir=save_dir, max_memory=max_memory(memory_limit))
    files = SweepFiles(grid, specs, results, save_dir, backend.describe())
    err = console(stderr=True)
    silent = quiet or (output is not SweepFormat.table and not err.is_terminal)
    with make_sweep_progress(err, specs, quiet=silent, backend=backend.describe()) as progress:
        def finished(outcome) -> None:
            progress.on_result(outcome)
            files.record(outcome)

        sweep = run_sweep(specs, context, backend, on_ready=progress.on_ready, on_progress=progress.on_progress,
                          on_result=finished)
    if sweep.stopped == "interrupted":  # more stop signals must not cut writing the results short
        from ..interrupts import ignore_stop_signals

        ignore_stop_signals()
    ranking = rank(grid, sweep.outcomes)
    try:  # the results file first: it is what a failure must not lose
        for note in files.finish(sweep, ranking):
            warn(note)
        unwritten = None
    except GradcliError as error:  # e.g. the disk is full: the table still shows every finished run
        unwritten = error
    _report(grid, sweep, ranking, specs, output)
    if unwritten is not None:
        raise unwritten
    if plot is not None and sweep.outcomes:  # after the results, so that a drawing failure cannot hide them
        from ..pictures.runs_plot import save_sweep_plot

        save_sweep_plot(plot, grid, sweep, ranking)
        if output is SweepFormat.table:
            console().print(f"wrote the plot of this sweep to {plot}", markup=False, highlight=False)
    _exit_status(sweep, files)


def _both(name: str) -> UsageError:
    return UsageError("give {setting} VALUES or --no-" + name.replace("_", "-") + ", not both", setting=name)


def _start_models(grid) -> tuple:
    """The model files the runs start from (None: none), inputs that no output may overwrite."""
    return dict(grid.axes).get("init_from", (grid.fixed.get("init_from"),))


def train_command(dataset: str, settings: dict) -> str:
    """The run with ``settings`` as one ``gradcli train`` command line (to repeat it alone)."""
    from ..learn.grid import value_text
    from ..render.errors import flag_name

    words = ["gradcli", "train", dataset]
    for name, value in settings.items():
        flag = flag_name(name)
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag[2:])
        else:
            words += [flag, value_text(name, value)]
    return shlex.join(words)


def _report(grid, sweep, ranking, specs, output) -> None:
    from ..render.sweep import ranked_tables, run_rows, sweep_document

    if output is SweepFormat.json:
        write_json(sweep_document(grid, sweep, ranking, specs))
    elif output is SweepFormat.csv:
        from ..csvtext import csv_text

        write_stdout(csv_text(*run_rows(grid, sweep, specs)))
    else:
        out = console()
        for renderable in ranked_tables(grid, sweep, ranking):
            out.print(renderable)


def _exit_status(sweep, files) -> None:
    """What broke the sweep off; 128 + the signal's number after Ctrl-C (130), SIGTERM (143) or SIGHUP (129);
    an error when every run failed (2 when each failed on its settings, else 1)."""
    from ..interrupts import exit_status, signal_name

    kept = f"; the finished runs are in {files.results_path}" if files.results_path else ""
    if sweep.error is not None:  # the sweep broke off: the table of the finished runs has been printed
        raise sweep.error
    if sweep.stopped == "interrupted":
        stop = sweep.stop_signal or signal.SIGINT
        warn(f"stopped after {len(sweep.outcomes)} of {sweep.planned} runs ({signal_name(stop)}){kept}")
        raise typer.Exit(exit_status(stop))
    failed = sweep.failed
    if not failed:
        return
    if len(failed) < len(sweep.outcomes):
        warn(f"{len(failed)} of {len(sweep.outcomes)} runs failed: their rows say why")
        return
    first = failed[0].failure
    kind = UsageError if all(isinstance(o.failure, UsageError) for o in failed) else GradcliError
    which = "the sweep's one run failed:" if len(failed) == 1 else f"all {len(failed)} runs failed; the first:"
    raise kind(f"{which} {first.message}", first.hint, setting=first.setting, **first.facts)
