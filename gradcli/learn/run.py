"""Everything a training run needs, prepared from a dataset name and the user's options.

``gradcli train`` is: ``prepare_run`` -> ``train`` -> save and report::

    run = prepare_run("moons", DataOptions(samples=100), given={"steps": 50})
    result = train(run.model, run.data, run.config, on_step=...)
    save_model("model.json", run.predictor.to_saved(run_meta(run, result, command)))

``prepare_run`` loads the dataset, resolves the settings (option > dataset
preset > default, see ``presets``), checks the network against the task
BEFORE any training, holds out the test split, fits the input pipeline on
the training split, and builds the network, from ``--init-from`` when given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..data.datasets import GENERATORS, Dataset, InputPipeline, load_dataset, shipped_names, split
from ..errors import UsageError
from ..data.features import parse_features
from .inference import Predictor
from .losses import check_loss
from ..csvtext import write_csv_rows
from .modelfile import SavedModel, load_model
from .presets import Settings, resolve
from .train import TrainConfig, TrainData, TrainResult, build_model

__all__ = ["DataOptions", "PreparedRun", "prepare_run", "run_meta", "write_history_csv"]


@dataclass
class DataOptions:
    """How to load the dataset and turn it into network inputs."""

    samples: int = 100
    noise: float = 0.1
    seed: int = 1337  # data, split, weights and batches all follow from it
    classes: int | None = None
    target: str | None = None
    task: str | None = None
    features: str | None = None  # e.g. "x,y,x2"; None: the inputs as they are
    test_split: float = 0.0


@dataclass
class PreparedRun:
    dataset: Dataset
    settings: Settings
    pipeline: InputPipeline
    data: TrainData
    model: object  # MLP
    predictor: Predictor
    n_train: int
    n_test: int
    init_from: str | None = None
    notes: list[str] = field(default_factory=list)  # things the user should know (shown as warnings)

    @property
    def config(self) -> TrainConfig:
        return self.settings.config


def is_builtin(dataset: Dataset) -> bool:
    """A generated set or a shipped CSV (by name), as opposed to a CSV file given by path."""
    return dataset.name in GENERATORS or dataset.name in shipped_names()


def prepare_run(source: str, options: DataOptions, given: dict, init_from: str | None = None) -> PreparedRun:
    """Load, resolve, check, split, fit the pipeline and build the network (see the module docstring)."""
    dataset = load_dataset(source, samples=options.samples, noise=options.noise, seed=options.seed,
                           classes=options.classes, target=options.target, task=options.task)
    saved = load_model(init_from) if init_from else None
    if saved is not None:
        _inherit_architecture(given, saved)
    settings = resolve(dataset.name, task=dataset.task, n_classes=dataset.n_classes, given=given,
                       is_builtin=is_builtin(dataset))
    if saved is not None:
        for name in ("layers", "activation"):
            if given.get(f"_{name}_inherited"):
                settings.sources[name] = "init-from"
    config = settings.config
    config.seed = options.seed
    if options.seed != DataOptions.seed:
        settings.sources["seed"] = "option"
    config.check()
    check_loss(config.loss, dataset.task, dataset.n_classes, config.layers[-1])

    train_set, test_set = split(dataset, options.test_split, options.seed)
    pipeline = _pipeline(dataset, train_set, options.features, settings.standardize, saved, given)
    model = build_model(config, pipeline.n_inputs)
    notes = []
    if saved is not None:
        if saved.inputs != pipeline.n_inputs:
            raise UsageError(
                f"{init_from} takes {saved.inputs} inputs ({', '.join(saved.feature_names) or '?'}) but "
                f"{dataset.name} gives {pipeline.n_inputs} ({', '.join(pipeline.feature_names)})",
                hint="use the dataset and --features the model was trained with",
            )
        model.load_specs(saved.layers, source=init_from)
        if saved.task != dataset.task:
            notes.append(f"{init_from} was trained for a {saved.task} task; {dataset.name} is {dataset.task}")

    if config.batch_size is not None and config.batch_size > len(train_set.y):
        notes.append(f"--batch-size {config.batch_size} is more than the {len(train_set.y)} training samples: "
                     "every step uses all of them")
    data = TrainData(pipeline.transform(train_set.X), train_set.y, dataset.task, max(dataset.n_classes, 2))
    if test_set is not None:
        data.X_test, data.y_test = pipeline.transform(test_set.X), test_set.y
    predictor = Predictor(model, pipeline, dataset.task, list(dataset.class_labels), dataset.target_name, config.loss)
    return PreparedRun(dataset, settings, pipeline, data, model, predictor, len(train_set.y),
                       0 if test_set is None else len(test_set.y), init_from, notes)


def _inherit_architecture(given: dict, saved: SavedModel) -> None:
    """Continue a saved model: its layers and hidden activation, unless the options say otherwise."""
    if given.get("layers") is None:
        given["layers"] = saved.sizes
        given["_layers_inherited"] = True
    if given.get("activation") is None and len(saved.layers) > 1:
        given["activation"] = saved.layers[0].activation
        given["_activation_inherited"] = True


def _pipeline(dataset, train_set, features_text, standardize, saved, given) -> InputPipeline:
    """The saved model's pipeline when continuing on the same inputs; otherwise one fitted on ``train_set``."""
    features = parse_features(features_text) if features_text else None
    if (saved is not None and saved.pipeline is not None and features is None and given.get("standardize") is None
            and saved.pipeline.get("input_names") == list(dataset.input_names)):
        # the saved weights expect inputs scaled exactly as when they were trained
        return InputPipeline.from_dict(saved.pipeline)
    return InputPipeline.build(dataset, features, standardize, train_set.X)


def run_meta(run: PreparedRun, result: TrainResult, command: str) -> dict:
    """What a model file records about the run that made it."""
    meta = {
        "dataset": run.dataset.name,
        "dataset_params": run.dataset.params,
        "command": command,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": {name: value for name, value, _ in run.settings.shown()},
        "steps_done": result.steps_done,
        "stopped": result.stopped,
        "metrics": {"final_loss": result.final_loss, "train": _metrics_dict(result.train),
                    "test": _metrics_dict(result.test) if result.test else None},
    }
    if run.init_from:
        meta["init_from"] = run.init_from
    return meta


def _metrics_dict(metrics) -> dict:
    return {key: value for key, value in vars(metrics).items() if value is not None}


def write_history_csv(path: str, result: TrainResult) -> None:
    """One row per step: step, loss, accuracy (or r2), test metric when held out, lr; written atomically."""
    name = result.metric_name
    history = result.history
    has_test = any(value is not None for value in history["test_metric"])
    header = ["step", "loss", name] + ([f"test_{name}"] if has_test else []) + ["lr"]
    rows = [[k + 1, history["loss"][k], history["metric"][k]] + ([history["test_metric"][k]] if has_test else [])
            + [history["lr"][k]] for k in range(result.steps_done)]
    write_csv_rows(path, header, rows, error=UsageError)
