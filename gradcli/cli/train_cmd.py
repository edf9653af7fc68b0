"""``gradcli train``: train an MLP on a dataset with live progress, then report, save, plot.

Three beats: read options -> ``learn.run.prepare_run`` and ``learn.train.train``
(with the progress display as ``on_step``) -> render the summary (or JSON),
write the model, log and plot.  Heavy modules (NumPy, scikit-learn,
matplotlib) are imported inside the command.  The choices and defaults of
the options are the core's (``learn.config``, ``data.choices``); an option
left out is None, so that the run takes the model file's, the preset's or
the default value and the Settings table can say which.
"""

import signal
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, TaskChoice
from ..learn.config import (DEFAULT_HIDDEN, DEFAULT_LRS, DEFAULT_STEPS, Activation, Engine, Init, Loss, Optimizer,
                            Schedule, TrainConfig)
from .app import app
from .common import console, reports_errors, warn
from .dataset_options import ClassesOption, DatasetArgument, NoiseOption, SamplesOption, TargetOption, TaskOption
from .options import DEFAULT_MAX_MEMORY_TEXT, MaxMemoryOption, max_memory
from .output import JsonOption, TableFormat, TableFormatOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli train moons --layers 16,16,1

  gradcli train spiral --test-split 0.2 --save spiral.json --plot spiral.png

  gradcli train moons --layers 4,4,4,1 --init xavier-normal --loss mse --test-split 0.2 --patience 20
"""

MAX_LAYER_SIZE = 1024
MAX_LAYERS = 32
DEFAULTS = TrainConfig()  # the global defaults, for --help


def parse_layers(text: str) -> list:
    """``"16,16,1"`` -> [16, 16, 1] and ``"16:tanh,1"`` -> plans (``LayerPlan``); UsageError naming the bad part."""
    from ..errors import UsageError
    from ..learn.config import LayerPlan

    parts = [part.strip() for part in text.split(",")]
    sizes = []
    for position, part in enumerate(parts, start=1):
        if not part:
            raise UsageError(f"--layers '{text}': size {position} is empty; give sizes like 16,16,1")
        if not part.partition(":")[0].strip().isdigit():
            raise UsageError(f"--layers '{text}': '{part}' is not a whole number; give sizes like 16,16,1 "
                             "(or 16:tanh,1 to name a layer's activation)")
        plan = LayerPlan.parse(part)  # a size, or size:activation
        if not 1 <= plan.size <= MAX_LAYER_SIZE:
            raise UsageError(f"--layers '{text}': each size must lie in 1..{MAX_LAYER_SIZE}, got {plan.size}")
        sizes.append(plan)
    if len(sizes) > MAX_LAYERS:
        raise UsageError(f"--layers '{text}': at most {MAX_LAYERS} layers, got {len(sizes)}")
    return sizes


def command_line(ctx: typer.Context) -> str:
    """The command as typed (from sys.argv when gradcli itself was run), else rebuilt from the given options."""
    import shlex

    argv = sys.argv
    if len(argv) > 1 and argv[1] == ctx.info_name and argv[0].rsplit("/", 1)[-1] in ("gradcli", "__main__.py"):
        return shlex.join(["gradcli", *argv[1:]])
    words = ["gradcli", ctx.info_name]
    for param in ctx.command.params:
        if not _given(ctx, param.name):
            continue
        value = ctx.params[param.name]
        value = value.value if isinstance(value, Enum) else value
        if not param.opts[0].startswith("-"):
            words.append(str(value))
        elif isinstance(value, bool):
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            words += [param.opts[0], str(value)]
    return shlex.join(words)


@app.command("train", epilog=EXAMPLES)
@reports_errors
def train_command(
    ctx: typer.Context,
    dataset: DatasetArgument,
    layers: Annotated[Optional[str], typer.Option(
        help="Hidden and output sizes, e.g. 16,16,1; SIZE:ACTIVATION names a layer's own (16:tanh,16:relu,1:tanh). "
             "The last must fit the task: 1 for two classes (hinge) or regression, K for K classes. Default: "
             f"{','.join(map(str, DEFAULT_HIDDEN))} + the output, or the dataset's preset.",
        show_default=False)] = None,
    activation: Annotated[Optional[Activation], typer.Option(
        help="Activation of the hidden layers that name none (the output layer is linear unless it names one). "
             f"Default: {DEFAULTS.activation}.", show_default=False)] = None,
    init: Annotated[Optional[Init], typer.Option(help="Initial weights: zeros, uniform U(-1,1), normal N(0,1), xavier, "
                                                      "xavier-normal, he, he-normal (biases start at 0). Default: "
                                                      f"{DEFAULTS.init}.", show_default=False)] = None,
    init_scale: Annotated[Optional[float], typer.Option(
        help="Multiply the width of the initial weights: --init uniform --init-scale 0.1 draws U(-0.1, 0.1). "
             f"Default: {DEFAULTS.init_scale:g}.", show_default=False)] = None,
    loss: Annotated[Optional[Loss], typer.Option(help="Default: hinge for two classes, cross-entropy for more, mse "
                                                      "for regression.", show_default=False)] = None,
    optimizer: Annotated[Optional[Optimizer], typer.Option(help=f"Default: {DEFAULTS.optimizer}.",
                                                           show_default=False)] = None,
    lr: Annotated[Optional[float], typer.Option(
        help="Learning rate. Default: " + ", ".join(f"{rate:g} for {name}" for name, rate in DEFAULT_LRS.items())
             + ", unless the dataset's preset says otherwise.", show_default=False)] = None,
    schedule: Annotated[Optional[Schedule], typer.Option(help="Learning-rate schedule: linear (lr down to lr/10), "
                                                              f"constant or cosine. Default: {DEFAULTS.schedule}.",
                                                         show_default=False)] = None,
    steps: Annotated[Optional[int], typer.Option(help=f"Updates (0: evaluate and save the untrained network). Default: "
                                                      f"{DEFAULT_STEPS} (or the dataset's preset).",
                                                 show_default=False)] = None,
    epochs: Annotated[Optional[int], typer.Option(help="Passes over the training set, in batches of --batch-size "
                                                       "(instead of --steps).", show_default=False)] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Samples per step. Default: the whole training set.",
                                                      show_default=False)] = None,
    shuffle: Annotated[Optional[bool], typer.Option(
        "--shuffle/--no-shuffle", help="Each pass over the training set in a new order drawn from the seed, or in "
        "the file's order. Default: shuffle.", show_default=False)] = None,
    l2: Annotated[Optional[float], typer.Option(help=f"L2 penalty: adds l2 * sum(p^2). Default: {DEFAULTS.l2:g}.",
                                                show_default=False)] = None,
    l1: Annotated[Optional[float], typer.Option(help=f"L1 penalty: adds l1 * sum(|p|). Default: {DEFAULTS.l1:g}.",
                                                show_default=False)] = None,
    zero_grad: Annotated[Optional[bool], typer.Option(
        "--zero-grad/--no-zero-grad", help="Clear the gradients before each step. --no-zero-grad lets them "
        "accumulate (the classic bug, for teaching). Default: zero them.", show_default=False)] = None,
    eval_every: Annotated[Optional[int], typer.Option(
        help="Evaluate the held-out set every K steps. Default: every step when cheap, otherwise about 100 times.",
        show_default=False)] = None,
    patience: Annotated[Optional[int], typer.Option(
        help="Stop when the test loss has not improved for N evaluations, keeping the best weights (needs "
             "--test-split).", show_default=False)] = None,
    check_grad_every: Annotated[Optional[int], typer.Option(
        help="Every N steps, compare backprop's gradient of a few random parameters with finite differences of "
             "the loss; exit 1 on a mismatch.", show_default=False)] = None,
    engine: Annotated[Optional[Engine], typer.Option(help="tensor: one graph per step, a weight matrix per "
                                                          "layer (fast); scalar: one graph per sample, every "
                                                          "weight a Value (micrograd's). Default: "
                                                          f"{DEFAULTS.engine}.", show_default=False)] = None,
    samples: SamplesOption = DEFAULT_SAMPLES,
    noise: NoiseOption = DEFAULT_NOISE,
    seed: Annotated[int, typer.Option(help="Seed of the data, the split, the initial weights and the batches: "
                                           "the same seed repeats the run exactly.")] = DEFAULT_SEED,
    classes: ClassesOption = None,
    features: Annotated[Optional[str], typer.Option(help="2-D data: network inputs from x,y,x2,y2,xy,sinx,siny "
                                                         "(as in the Playground). Default: x,y.",
                                                    show_default=False)] = None,
    target: TargetOption = None,
    task: TaskOption = TaskChoice.auto,
    standardize: Annotated[Optional[bool], typer.Option(
        "--standardize/--no-standardize", help="Scale inputs to zero mean and unit variance (fitted on the "
        "training split, stored in the model). Default: on for built-in sets except moons, toy4 and linear2; off for CSV files.",
        show_default=False)] = None,
    test_split: Annotated[float, typer.Option(help="Fraction held out for testing, stratified by class "
                                                   "(0 to <1).")] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display: only the summary.")] = False,
    plot: Annotated[Optional[str], typer.Option(help="Also draw the decision boundary and the training curves "
                                                     "to FILE.png or FILE.svg (matplotlib).", metavar="FILE",
                                                show_default=False)] = None,
    save: Annotated[Optional[str], typer.Option(help="Write the trained model to this JSON file (atomically).",
                                                metavar="FILE.json", show_default=False)] = None,
    init_from: Annotated[Optional[str], typer.Option(help="Start from a saved model's parameters (its layers "
                                                          "unless --layers is given); --save to the same "
                                                          "file trains it further in place.", metavar="FILE.json",
                                                     show_default=False)] = None,
    log: Annotated[Optional[str], typer.Option(help="Write one CSV row per step: step, loss, accuracy, test loss and "
                                                    "accuracy (when held out), lr.",
                                               metavar="FILE.csv", show_default=False)] = None,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Train a multi-layer perceptron on a dataset, with live progress and a summary.

    Every built-in dataset learns with its defaults alone (per-dataset presets,
    shown in the summary); options override them.  Ctrl-C stops after the
    current step, prints the summary and still saves the model.
    """
    from ..atomicfile import check_writable
    from ..data.datasets import dataset_file
    from ..learn.run import DataOptions, prepare_run
    from ..paths import refuse_overlaps, same_file

    json_output = chosen_format(output_format, json_output) is TableFormat.json
    sizes = parse_layers(layers) if layers is not None else None
    options = DataOptions(samples, noise, classes, target, task, features, test_split)
    # fail before training, not after, on a path that cannot be written
    for path in (save, log):
        if path is not None:
            check_writable(path)
    if plot is not None:
        from ..pictures.plot import check_plot_path

        check_plot_path(plot)
    # --save over --init-from trains a model further in place: the model is read whole before training
    refuse_overlaps(outputs={"save": save, "log": log, "plot": plot},
                    inputs={"dataset": dataset_file(dataset), "init_from": init_from},
                    updates=frozenset({("save", "init_from")}))
    # the settings of the run: None leaves one to the model file, the preset or the default
    run = prepare_run(dataset, options, init_from=init_from, max_memory=max_memory(memory_limit),
                      layers=sizes, activation=activation, init=init,
                      init_scale=init_scale, loss=loss, optimizer=optimizer, lr=lr, schedule=schedule, steps=steps,
                      epochs=epochs, batch_size=batch_size, shuffle=shuffle, l2=l2, l1=l1, zero_grad=zero_grad,
                      eval_every=eval_every, patience=patience, check_grad_every=check_grad_every, engine=engine,
                      seed=seed if _given(ctx, "seed") else None, standardize=standardize)
    for note in run.notes:
        warn(note)
    from ..interrupts import StopOnInterrupt

    # Ctrl-C, SIGTERM or SIGHUP: finish the step, save, print the summary, then exit 128 + the signal's number
    with StopOnInterrupt() as stops:
        result = _train_with_progress(run, quiet, json_output, stops)
        stops.finish()  # the run is over: more signals must not cut saving or the summary short
        command = command_line(ctx)
        if save is not None and init_from is not None and same_file(save, init_from) and result.failure is not None:
            # trained further in place and it failed: the model it started from is worth more than its last step
            warn(f"kept {save} as it was, the model this run started from: the run failed (see below)")
            save = None
        _write_files(run, result, command, save, log)  # the trained model first: it is what a failure must not lose
        _report(run, result, command, save, log, json_output)
        if plot is not None:  # after the summary, so that a drawing failure cannot hide it
            from ..pictures.plot import save_training_plot

            title = f"{run.dataset.name}  {','.join(map(str, result.config.layers))}  ({result.steps_done} steps)"
            save_training_plot(plot, run.predictor, run.dataset.X, run.dataset.y, result, title)
            if not json_output:  # as for --save and --log: stdout holds only the JSON document with --json
                console().print(f"wrote the plot of this run to {plot}", markup=False, highlight=False)
    _exit_status(result, save, stops.signal)


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the option ``name`` was typed (not left at its default)."""
    # compared by name: Typer may carry its own click
    return getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"


def _train_with_progress(run, quiet: bool, json_output: bool, stops):
    from ..learn.train import train
    from ..render.progress import make_progress
    from ..render.train import LIVE_MAP_SIZE, decision_picture

    if run.config.engine == "tensor":
        from ..learn.speed import tune_for_large_batches

        tune_for_large_batches(run.batch, [run.pipeline.n_inputs, *run.config.sizes])  # 100,000 rows: see speed.py

    err = console(stderr=True)
    draw_map = None
    if run.dataset.is_2d and run.dataset.task != "regression":
        draw_map = lambda: decision_picture(run, *LIVE_MAP_SIZE)  # noqa: E731
    metric = "r2" if run.dataset.task == "regression" else "accuracy"
    # with --json, stdout is for the JSON object; stderr shows progress only to a person at a terminal
    silent = quiet or (json_output and not err.is_terminal)
    progress = make_progress(err, steps=run.steps, metric_name=metric, quiet=silent, draw_map=draw_map)

    def on_step(info) -> None:
        progress.on_step(info)
        if info.step == info.steps:  # the last step is done: the final metrics must not be cut short either
            stops.finish()

    with progress:
        return train(run.model, run.data, run.config, on_step=on_step, stop=stops.requested)


def _write_files(run, result, command: str, save, log) -> None:
    from ..learn.modelfile import save_model
    from ..learn.run import saved_model, write_history_csv

    if save is not None:
        note = save_model(save, saved_model(run, result, command))
        if note:
            warn(f"{save}: {note}")
    if log is not None:
        note = write_history_csv(log, result)
        if note:
            warn(f"{log}: {note}")


def _report(run, result, command: str, save, log, json_output: bool) -> None:
    from ..render.train import decision_picture, final_map_size, result_document, summary_tables

    if json_output:
        write_json(result_document(run, result, command, save))
    else:
        out = console()
        if run.dataset.is_2d:
            out.print(decision_picture(run, *final_map_size(out.width, run.dataset.X)))
        for table in summary_tables(run, result):
            out.print(table)
        if save is not None:
            out.print(f"saved the model to {save}", markup=False, highlight=False)
        if log is not None:
            out.print(f"wrote {result.steps_done} steps to {log}", markup=False, highlight=False)
    for warning in result.warnings:  # what went wrong, after the summary that shows it
        warn(warning)


def _exit_status(result, save, stop_signal) -> None:
    """Exit 1 after a divergence or a failed gradient check, 128 + the signal's number after a stop signal
    (the summary is printed either way)."""
    from ..interrupts import exit_status, signal_name

    if result.failure is not None:
        raise result.failure
    if stop_signal is None and result.stopped == "interrupted":  # a KeyboardInterrupt raised by other means
        stop_signal = signal.SIGINT
    if stop_signal is not None:
        name = signal_name(stop_signal)
        if result.stopped == "interrupted":
            warn(f"{result.message} ({name})" + (f"; the model so far is in {save}" if save else ""))
        else:
            warn(f"{name} came after the last step: the run is complete" + (f"; the model is in {save}" if save else ""))
        raise typer.Exit(exit_status(stop_signal))
