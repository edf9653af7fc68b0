"""Everything a training run needs, prepared from a dataset, data options and the caller's settings.

``gradcli train`` is: ``prepare_run`` -> ``train`` -> save and report::

    run = prepare_run("moons", DataOptions(samples=100), steps=50)
    result = train(run.model, run.data, run.config, on_step=...)
    save_model("model.json", saved_model(run, result, command))

Settings are keywords named as ``TrainConfig``'s fields, plus ``standardize``;
one left out (or None) comes from the model file ``init_from``, the
dataset's preset or the default, and ``run.settings.sources`` says which
(``settings.py``).  ``prepare_run`` loads the dataset, resolves the
settings, checks the network against the task BEFORE any training, holds
out the test split, fits the input pipeline on the training split, and
builds the network, from the model file when given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Sequence

from ..csvtext import write_csv_rows
from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED
from ..data.datasets import GENERATORS, Dataset, InputPipeline, load_dataset, shipped_names, split
from ..data.features import parse_features
from ..errors import GradcliWarning, UsageError
from ..limits import DEFAULT_MAX_MEMORY, check_memory, time_note
from ..numbers import duration
from .estimate import TrainingEstimate, training_estimate
from .inference import Predictor
from .losses import check_loss
from .modelfile import MAX_HISTORY_POINTS, SavedModel, load_model
from .network import Network
from .settings import RunSettings, Source, check_requested, from_model_file, resolve_settings
from .train import TrainConfig, TrainData, TrainResult, build_model

__all__ = ["DataOptions", "PreparedRun", "prepare_run", "run_meta", "saved_model", "history_record", "saved_history",
           "history_table", "write_history_csv"]


@dataclass(frozen=True)
class DataOptions:
    """How to load the dataset and turn it into network inputs (the seed is a setting of the run)."""

    samples: int = DEFAULT_SAMPLES
    noise: float = DEFAULT_NOISE
    classes: int | None = None
    target: str | None = None
    task: str | None = None  # a data.choices.TaskChoice; None: guessed from the target column
    features: str | Sequence[str] | None = None  # e.g. "x,y,x2" or ["x", "y", "x2"]; None: the inputs as they are
    test_split: float = 0.0


@dataclass
class PreparedRun:
    dataset: Dataset
    settings: RunSettings
    pipeline: InputPipeline
    data: TrainData
    model: Network
    predictor: Predictor
    n_train: int
    n_test: int
    init_from: str | None = None
    notes: list[GradcliWarning] = field(default_factory=list)  # things the caller should know (CLI: warnings)
    estimate: TrainingEstimate | None = None  # memory and time the run was estimated to need

    @property
    def config(self) -> TrainConfig:
        return self.settings.config

    @property
    def batch(self) -> int:
        """The samples of one step."""
        return min(self.config.batch_size or self.n_train, self.n_train)

    @property
    def steps(self) -> int:
        """The updates the run will make (``steps``, or what ``epochs`` take on the training split)."""
        return self.config.planned_steps(self.n_train)


def is_builtin(dataset: Dataset) -> bool:
    """A generated set or a shipped CSV (by name), as opposed to a CSV file given by path."""
    return dataset.name in GENERATORS or dataset.name in shipped_names()


# A run estimated to take longer than this is announced with its estimate (a note), before it starts.
LONG_RUN_SECONDS = 60.0


def prepare_run(source: str, options: DataOptions | None = None, *, init_from: str | None = None,
                max_memory: int = DEFAULT_MAX_MEMORY, **settings) -> PreparedRun:
    """Load, resolve, check, split, fit the pipeline and build the network (see the module docstring).

    A run estimated to need more than ``max_memory`` bytes is refused (``LimitError``) before the
    network is built (``estimate.training_estimate``).
    """
    requested = check_requested(settings)
    options = options if options is not None else DataOptions()
    # no preset or model file sets the seed, and the data needs it before the other settings are resolved
    seed = requested.get("seed", DEFAULT_SEED)
    dataset = load_dataset(source, samples=options.samples, noise=options.noise, seed=seed, classes=options.classes,
                           target=options.target, task=options.task, max_memory=max_memory)
    saved = load_model(init_from) if init_from else None
    resolved = resolve_settings(dataset.name, task=dataset.task, n_classes=dataset.n_classes, requested=requested,
                                inherited=from_model_file(saved) if saved is not None else None,
                                is_builtin=is_builtin(dataset))
    config = resolved.config
    check_loss(config.loss, dataset.task, dataset.n_classes, config.sizes[-1])

    train_set, test_set = split(dataset, options.test_split, config.seed)
    config.check_run(len(train_set.y), test_set is not None)  # before any work: what this run cannot do
    # an empty text is a mistake to report, not "no features": only None leaves the inputs as they are
    codes = parse_features(options.features) if isinstance(options.features, str) else options.features
    pipeline = _saved_pipeline(dataset, codes, resolved, saved)
    if pipeline is None:
        pipeline = InputPipeline.build(dataset, codes, resolved.standardize, train_set.X)
    else:  # the run scales its inputs as the saved model did, whatever the preset says: its settings say so too
        resolved = replace(resolved, standardize=pipeline.standardized,
                           sources=MappingProxyType({**resolved.sources, "standardize": Source.model_file}))
    batch = min(config.batch_size or len(train_set.y), len(train_set.y))
    estimate = training_estimate(pipeline.n_inputs, config.sizes, batch, engine=config.engine,
                                 steps=max(1, config.planned_steps(len(train_set.y))))
    check_memory(estimate, max_memory, advice="use smaller {setting:layers}" + (
        " or a smaller {setting:batch_size}" if config.engine == "tensor" else ""))
    model = build_model(config, pipeline.n_inputs)
    notes = list(resolved.notes) + _setting_notes(resolved, test_set is not None, len(train_set.y), init_from)
    long_run = time_note(estimate, LONG_RUN_SECONDS)
    if long_run:
        notes.append(GradcliWarning(f"{long_run}, about {duration(estimate.seconds_per_step)} a step; "
                                    "Ctrl-C stops it after the current step and keeps the model so far"))
    if saved is not None:
        if saved.inputs != pipeline.n_inputs:
            raise UsageError(
                f"{init_from} takes {saved.inputs} inputs ({', '.join(saved.feature_names) or '?'}) but "
                f"{dataset.name} gives {pipeline.n_inputs} ({', '.join(pipeline.feature_names)})",
                hint="use the dataset and {setting} the model was trained with", setting="features",
            )
        model.load_specs(saved.layers, source=init_from)
        if saved.task != dataset.task:
            notes.append(GradcliWarning(f"{init_from} was trained for a {saved.task} task; "
                                        f"{dataset.name} is {dataset.task}"))

    if config.batch_size is not None and config.batch_size > len(train_set.y):
        notes.append(GradcliWarning(f"{{setting}} {config.batch_size} is more than the {len(train_set.y)} training "
                                    "samples: every step uses all of them", setting="batch_size",
                                    value=config.batch_size, limit=len(train_set.y)))
    data = TrainData(pipeline.transform(train_set.X), train_set.y, dataset.task, max(dataset.n_classes, 2))
    if test_set is not None:
        data.X_test, data.y_test = pipeline.transform(test_set.X), test_set.y
    predictor = Predictor(model, pipeline, dataset.task, list(dataset.class_labels), dataset.target_name, config.loss)
    return PreparedRun(dataset, resolved, pipeline, data, model, predictor, len(train_set.y),
                       0 if test_set is None else len(test_set.y), init_from, notes, estimate)


def _setting_notes(settings: RunSettings, has_test: bool, n_train: int,
                   init_from: str | None = None) -> list[GradcliWarning]:
    """Settings that were given but play no part in this run."""
    config, notes = settings.config, []
    if init_from:
        notes += [GradcliWarning(f"{{setting}} has no effect with {{setting:init_from}}: the weights start from "
                                 f"{init_from}'s", setting=name, value=getattr(config, name))
                  for name in ("init", "init_scale") if settings.sources[name] == Source.option]
    elif config.init == "zeros" and settings.sources["init_scale"] == Source.option:
        notes.append(GradcliWarning("{setting} has no effect with {setting:init} zeros: every weight starts at 0",
                                    setting="init_scale", value=config.init_scale))
    if settings.sources["shuffle"] == Source.option and (config.batch_size or n_train) >= n_train:
        notes.append(GradcliWarning("{setting} has no effect: every step uses the whole training set (give "
                                    "{setting:batch_size} for mini-batches)", setting="shuffle", value=config.shuffle))
    if config.eval_every is not None and not has_test:
        notes.append(GradcliWarning("{setting} has no effect: this run holds out no data (add {setting:test_fraction} "
                                    "0.2)", setting="eval_every", value=config.eval_every))
    return notes


def _saved_pipeline(dataset: Dataset, codes, settings: RunSettings, saved: SavedModel | None) -> InputPipeline | None:
    """The saved model's pipeline when continuing on the same inputs (None: fit one on the training split)."""
    if (saved is not None and saved.pipeline is not None and codes is None
            and settings.sources["standardize"] != Source.option
            and saved.pipeline.get("input_names") == list(dataset.input_names)):
        # the saved weights expect inputs scaled exactly as when they were trained
        return InputPipeline.from_dict(saved.pipeline)
    return None


def run_meta(run: PreparedRun, result: TrainResult, command: str) -> dict:
    """What a model file records about the run that made it."""
    meta = {
        "dataset": run.dataset.name,
        "dataset_params": run.dataset.params,
        "command": command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": {name: value for name, value, _ in run.settings.shown()},
        "input_bounds": [[float(low), float(high)] for low, high in zip(run.dataset.X.min(axis=0),
                                                                         run.dataset.X.max(axis=0))],
        "steps_done": result.steps_done,
        "stopped": result.stopped,
        "seconds": result.seconds,  # the training loop
        "metrics": {"final_loss": result.final_loss, "train": _metrics_dict(result.train),
                    "test": _metrics_dict(result.test) if result.test else None,
                    "test_loss": result.final_test_loss},  # held out, penalty included (as train --json)
    }
    if run.init_from:
        meta["init_from"] = run.init_from
    return meta


def _metrics_dict(metrics) -> dict:
    return {key: value for key, value in vars(metrics).items() if value is not None}


def saved_model(run: PreparedRun, result: TrainResult, command: str) -> SavedModel:
    """The model file of a finished run: its network and pipeline, ``run_meta`` and its history."""
    saved = run.predictor.to_saved(run_meta(run, result, command))
    saved.history = saved_history(result)
    return saved


def history_record(result: TrainResult) -> dict:
    """The run's history by name, one entry per step (None where not evaluated): ``train --json``'s ``history``.

    ``loss``, ``accuracy`` (or ``r2``), ``lr``; ``test_loss`` and ``test_accuracy`` (or ``test_r2``) when data
    was held out; ``grad_check`` when backprop was checked.
    """
    name = result.metric_name
    history = {"loss": result.history["loss"], name: result.history["metric"], "lr": result.history["lr"]}
    if result.test is not None:
        history["test_loss"] = result.history["test_loss"]
        history[f"test_{name}"] = result.history["test_metric"]
    if result.grad_checks:
        history["grad_check"] = result.history["grad_check"]
    return history


def saved_history(result: TrainResult, limit: int = MAX_HISTORY_POINTS) -> dict:
    """``history_record`` as a model file keeps it: at most ``limit`` steps, with their numbers in ``step``
    when there are more (spread evenly over the run, the first and the last step kept)."""
    history = history_record(result)
    done = result.steps_done
    if done <= limit:
        return history
    kept = sorted({round(k * (done - 1) / (limit - 1)) for k in range(limit)})
    thinned = {key: [values[k] for k in kept] for key, values in history.items()}
    return {"step": [k + 1 for k in kept], **thinned}


def history_table(result: TrainResult) -> tuple[list[str], list[list]]:
    """``write_history_csv``'s header and rows (see there): the columns of ``history_record``, in the log's order."""
    name = result.metric_name
    history = history_record(result)
    columns = [key for key in ("loss", name, "test_loss", f"test_{name}", "lr", "grad_check") if key in history]
    header = ["step"] + ["grad_check_error" if key == "grad_check" else key for key in columns]
    rows = [[k + 1] + [history[key][k] for key in columns] for k in range(result.steps_done)]
    return header, rows


def write_history_csv(path: str, result: TrainResult) -> str | None:
    """One row per step: step, loss, accuracy (or r2), test loss and metric when held out, lr, grad check when made.

    A step at which the held-out set was not evaluated (or backprop not checked) leaves that cell empty.
    Returns the warning about NaN or infinite cells (written as nan, inf), or None.
    """
    header, rows = history_table(result)
    return write_csv_rows(path, header, rows, error=UsageError)
