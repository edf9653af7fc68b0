"""Datasets for training: the built-in generators, the shipped CSV files, any CSV path.

``load_dataset`` turns a name into a ``Dataset`` (raw inputs X, targets y, the
task and the names), ``split`` holds out a stratified test fraction, and
``InputPipeline`` (features.py, re-exported here) turns raw inputs into
network inputs.

    data = load_dataset("moons", samples=100, noise=0.1, seed=1337)
    train, test = split(data, test_fraction=0.2, seed=1337)

Classification targets are class indices 0..k-1 (the sorted distinct labels);
``class_labels`` keeps the original labels in that order, e.g. [-1, 1] for the
Playground sets.  The same arguments always give the same data.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from . import playground
from .cache import cached
from .choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, SEED_LIMIT, Task, TaskChoice
from .csvfile import MAX_CLASSES, infer_task, parse_csv_bytes, read_csv
from ..errors import DataError, UsageError
from ..limits import DEFAULT_MAX_MEMORY
from .features import DEFAULT_FEATURES, InputPipeline, parse_features  # noqa: F401  (part of this API)

TASKS = tuple(Task)
MAX_SAMPLES = 100_000
MAX_GENERATED_CLASSES = 10


@dataclass
class Dataset:
    """Samples in rows: ``X[i]`` (raw inputs) and ``y[i]`` (class index or target value)."""

    name: str                 # "moons", or the CSV path as given
    X: np.ndarray             # (n, d) float64 raw inputs, before feature expansion
    y: np.ndarray             # (n,) float64: class index 0..k-1, or the regression target
    task: Task
    input_names: list[str]    # "x1", "x2", ... for built-ins; the CSV header's names
    class_labels: list        # original labels in index order, e.g. [-1, 1]; [] for regression
    target_name: str          # "y" for built-ins; the CSV target column's name
    description: str          # one line
    params: dict = field(default_factory=dict)  # how it was generated (samples, noise, seed, classes)

    @property
    def n_classes(self) -> int:
        return len(self.class_labels) if self.task != Task.regression else 0

    @property
    def n_samples(self) -> int:
        return len(self.y)

    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @property
    def is_2d(self) -> bool:
        return self.X.shape[1] == 2

    def class_counts(self) -> list[int]:
        """How many samples each class has, in index order."""
        return [int(c) for c in np.bincount(self.y.astype(int), minlength=self.n_classes)]

    def subset(self, indices: np.ndarray) -> "Dataset":
        """The same dataset restricted to ``indices`` (a copy)."""
        return dataclasses.replace(self, X=self.X[indices].copy(), y=self.y[indices].copy())


@dataclass(frozen=True)
class DatasetInfo:
    """One line of `gradcli datasets`."""

    name: str
    task: Task
    size: str           # "100 by default" or "4 rows"
    description: str
    is_2d: bool
    generated: bool     # True: samples, noise and seed apply; False: a shipped CSV file
    takes_classes: bool = False      # classes applies (blobs, spiral)
    noise_range: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class _Generator:
    info: DatasetInfo
    make: object        # (samples, noise, rng_seed, classes) -> (X, raw labels or targets)
    default_classes: int = 2


def _sklearn(name: str):
    def generate(samples: int, noise: float, seed: int, classes: int):
        from sklearn import datasets as sk  # heavy (~1 s): imported only on a cache miss

        if name == "moons":
            return sk.make_moons(n_samples=samples, noise=noise, random_state=seed)
        if name == "circles":
            return sk.make_circles(n_samples=samples, noise=noise, factor=0.5, random_state=seed)
        # blobs: noise 0.1 gives scikit-learn's default spread (cluster_std 1.0) around centres
        # spaced evenly on a circle, so that every seed gives K clusters a linear layer can separate
        return sk.make_blobs(n_samples=samples, centers=blob_centres(classes), cluster_std=10.0 * noise,
                             random_state=seed)

    def make(samples: int, noise: float, seed: int, classes: int):
        # scikit-learn stays the source of the data; the cache only spares importing it again
        key = {"dataset": name, "samples": samples, "noise": noise, "seed": seed, "classes": classes}
        return cached(key, "scikit-learn", lambda: generate(samples, noise, seed, classes))

    return make


BLOB_RADIUS = 5.0          # blobs: centres on a circle at least this large ...
BLOB_NEIGHBOUR_GAP = 7.0   # ... and at least this far from their neighbours (7 standard deviations)


def blob_centres(classes: int) -> np.ndarray:
    """(classes, 2) centres evenly spaced on a circle, the first at angle 90 degrees."""
    radius = max(BLOB_RADIUS, BLOB_NEIGHBOUR_GAP / 2 / np.sin(np.pi / classes))
    angle = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def _playground(function):
    def make(samples: int, noise: float, seed: int, classes: int):
        rng = np.random.default_rng(seed)
        if function is playground.spiral:
            return function(samples, noise, rng, arms=classes)
        return function(samples, noise, rng)

    return make


def _sine(samples: int, noise: float, seed: int, classes: int):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, samples)
    return x.reshape(-1, 1), np.sin(x) + noise * rng.standard_normal(samples)


def _info(name, task, description, is_2d=True, takes_classes=False, noise_range=(0.0, 1.0)):
    return DatasetInfo(name, task, f"{DEFAULT_SAMPLES} by default", description, is_2d, True, takes_classes,
                       noise_range)


_PLAYGROUND_NOISE = (0.0, 0.5)
GENERATORS: dict[str, _Generator] = {
    g.info.name: g for g in [
        _Generator(_info("moons", Task.binary, "two interleaving half circles"),
                   _sklearn("moons")),
        _Generator(_info("circles", Task.binary, "a circle inside a circle twice its size"),
                   _sklearn("circles")),
        _Generator(_info("blobs", Task.multiclass, "Gaussian clusters: 3 by default, or K classes",
                         takes_classes=True), _sklearn("blobs"), default_classes=3),
        _Generator(_info("circle", Task.binary, "Playground: a disc inside a ring",
                         noise_range=_PLAYGROUND_NOISE), _playground(playground.circle)),
        _Generator(_info("xor", Task.binary, "Playground: the class is the sign of x1*x2",
                         noise_range=_PLAYGROUND_NOISE), _playground(playground.xor)),
        _Generator(_info("gauss", Task.binary, "Playground: two Gaussian clusters",
                         noise_range=_PLAYGROUND_NOISE), _playground(playground.gauss)),
        _Generator(_info("spiral", Task.binary, "Playground: two spirals (or K arms, one per class)",
                         takes_classes=True, noise_range=_PLAYGROUND_NOISE), _playground(playground.spiral)),
        _Generator(_info("reg-plane", Task.regression, "Playground: y = (x1 + x2) / 10",
                         noise_range=_PLAYGROUND_NOISE), _playground(playground.reg_plane)),
        _Generator(_info("reg-gauss", Task.regression, "Playground: six bumps of height +1 or -1",
                         noise_range=_PLAYGROUND_NOISE), _playground(playground.reg_gauss)),
        _Generator(_info("sine", Task.regression, "y = sin(x1) + noise, x1 in [-pi, pi]", is_2d=False),
                   _sine),
    ]
}

# shipped CSV files (datasets/NAME.csv, installed as the package gradcli.datasets)
SHIPPED_DESCRIPTIONS = {
    "toy4": "the classic four samples, labels +1/-1",
    "linear2": "two samples: (2, 3) -> 16, (1, 1) -> 5",
}


def shipped_names() -> list[str]:
    """Names of the CSV datasets that ship with gradcli (found through importlib.resources)."""
    folder = resources.files("gradcli.datasets")
    return sorted(entry.name[:-4] for entry in folder.iterdir() if entry.name.endswith(".csv"))


def builtin_datasets() -> list[DatasetInfo]:
    """Every dataset a name reaches: the generators, then the shipped CSV files."""
    infos = [generator.info for generator in GENERATORS.values()]
    for name in shipped_names():
        data = load_dataset(name)
        infos.append(DatasetInfo(name, data.task, f"{data.n_samples} rows", data.description, data.is_2d, False))
    return infos


def load_dataset(source: str, *, samples: int = DEFAULT_SAMPLES, noise: float = DEFAULT_NOISE,
                 seed: int = DEFAULT_SEED, classes: int | None = None, target: str | None = None,
                 task: str | None = None, max_memory: int = DEFAULT_MAX_MEMORY,
                 usual_target: str | None = None) -> Dataset:
    """A built-in dataset by name, a shipped CSV by name, or a CSV file by path.

    ``samples``, ``noise``, ``seed`` and ``classes`` shape the generated sets;
    ``target`` and ``task`` choose the target column and override the task of
    a CSV file (without ``target``: the column named ``usual_target`` if the
    file has one, such as a model's own target, else the last column).  Bad
    values raise ``UsageError``, bad files ``DataError``, a CSV file too large
    to read within ``max_memory`` bytes ``LimitError``.
    """
    task = _check_task(task)
    if source in GENERATORS:
        if target is not None:
            raise UsageError(f"{{setting}} applies to CSV files; {source} is generated (its target is y)",
                             setting="target", value=target)
        return _generate(GENERATORS[source], samples, noise, seed, classes, task)
    if classes is not None:
        raise UsageError(f"{{setting}} applies only to {_takes_classes()}, not to {source}", setting="classes",
                         value=classes)
    shipped = _shipped_name(source)
    if shipped is not None:
        raw = (resources.files("gradcli.datasets") / f"{shipped}.csv").read_bytes()
        table = parse_csv_bytes(raw, f"{shipped}.csv")
        description = SHIPPED_DESCRIPTIONS.get(shipped, f"shipped CSV file {shipped}.csv")
        return _from_table(shipped, table, _target(table, target, usual_target), task, description)
    if dataset_file(source) is not None:
        table = read_csv(source, max_memory)
        return _from_table(source, table, _target(table, target, usual_target), task, f"CSV file {source}")
    raise DataError(f"unknown dataset '{source}'{_did_you_mean(source)}; see `gradcli datasets`")


def dataset_file(source: str) -> str | None:
    """The path of the file ``load_dataset(source)`` reads; None for a built-in name (or an unknown one)."""
    if source in GENERATORS or _shipped_name(source) is not None:
        return None
    # lexists: a broken or looping symbolic link is a path too (reading it says what is wrong)
    return source if os.path.lexists(source) or source.endswith(".csv") or os.sep in source else None


def _shipped_name(source: str) -> str | None:
    """The shipped dataset ``source`` names (``toy4`` or ``toy4.csv`` when no such file is here), else None."""
    shipped = source[:-4] if source.endswith(".csv") and not os.path.lexists(source) else source
    return shipped if shipped in shipped_names() and os.sep not in source else None


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, [*GENERATORS, *shipped_names()], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _takes_classes() -> str:
    return " and ".join(name for name, generator in GENERATORS.items() if generator.info.takes_classes)


def _check_task(task: str | None) -> str | None:
    """The task asked for as a ``TaskChoice``, or None to guess it (``auto``)."""
    if task is None or task == TaskChoice.auto:
        return None
    if task not in tuple(TaskChoice):
        choices = [choice.value for choice in TaskChoice if choice is not TaskChoice.auto]
        raise UsageError(f"unknown task '{task}'; choose {', '.join(choices[:-1])} or {choices[-1]}",
                         setting="task", value=task)
    return TaskChoice(task)


def _generate(generator: _Generator, samples: int, noise: float, seed: int, classes: int | None,
              task: str | None) -> Dataset:
    info = generator.info
    if classes is not None and not info.takes_classes:
        raise UsageError(f"{{setting}} applies only to {_takes_classes()}, not to {info.name}", setting="classes",
                         value=classes)
    classes = generator.default_classes if classes is None else classes
    _check_range("classes", classes, 2, MAX_GENERATED_CLASSES)
    low, high = info.noise_range
    if not low <= noise <= high:
        raise UsageError(f"{{setting}} for {info.name} must lie in [{low:g}, {high:g}], got {noise:g}",
                         setting="noise", value=noise, limit=(low, high))
    least = 2 * classes if info.task != Task.regression else 2   # at least two samples per class
    _check_range("samples", samples, least, MAX_SAMPLES)
    _check_range("seed", seed, 0, SEED_LIMIT - 1)
    natural = info.task if info.task == Task.regression else (Task.binary if classes == 2 else Task.multiclass)
    if task is not None and task != natural and not (task == TaskChoice.classification and natural != Task.regression):
        raise UsageError(f"{info.name} is a {natural} dataset; {{setting}} {task} applies to CSV files",
                         setting="task", value=task)
    X, raw = generator.make(samples, noise, seed, classes)
    params = {"samples": samples, "noise": noise, "seed": seed}
    if info.takes_classes:
        params["classes"] = classes
    names = [f"x{i + 1}" for i in range(X.shape[1])]
    return _build(info.name, np.asarray(X, dtype=np.float64), np.asarray(raw, dtype=np.float64), natural,
                  names, "y", info.description, params)


def _check_range(setting: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise UsageError(f"{{setting}} must be a whole number, got {value!r}", setting=setting, value=value)
    if not low <= value <= high:
        raise UsageError(f"{{setting}} must lie in [{low:,}, {high:,}], got {value:,}", setting=setting, value=value,
                         limit=(low, high))


def _target(table, target: str | None, usual_target: str | None) -> str | None:
    """The target column asked for, else ``usual_target`` when the table has it (None: the last column)."""
    if target is None and usual_target is not None and usual_target in table.columns:
        return usual_target
    return target


def _from_table(name: str, table, target: str | None, task: str | None, description: str) -> Dataset:
    X, raw, inputs, target_name = table.split_target(target)
    found = infer_task(raw)
    asked = task
    if task == TaskChoice.classification:
        task = Task.binary if len(np.unique(raw)) <= 2 else Task.multiclass
    elif task is None:
        task = found
    task = Task(task)
    if task != Task.regression:
        distinct = len(np.unique(raw))
        if distinct > MAX_CLASSES:
            raise DataError(f"{name}: the target '{target_name}' has {distinct} distinct values, too many classes "
                            f"(at most {MAX_CLASSES})", hint="use {setting} regression to predict the value",
                            setting="task", value=asked)
        if task == Task.binary and distinct > 2:
            raise DataError(f"{name}: {{setting}} binary, but the target '{target_name}' has {distinct} classes",
                            hint="use {setting} multiclass", setting="task", value=asked)
    return _build(name, X, raw, task, inputs, target_name, description, {})


def _build(name, X, raw, task, input_names, target_name, description, params) -> Dataset:
    """Encode class labels as indices and check that a classification set has two classes or more."""
    if task == Task.regression:
        return Dataset(name, X, raw, task, input_names, [], target_name, description, params)
    labels, indices = np.unique(raw, return_inverse=True)
    if len(labels) < 2:
        raise DataError(
            f"{name}: the target '{target_name}' holds one class only ({_label(labels[0])}); "
            "a classifier needs at least two",
            hint="check the target column, or use {setting} regression", setting="task",
        )
    if task == Task.multiclass and len(labels) == 2:
        task = Task.binary   # two classes are a binary task whatever was asked
    class_labels = [_label(v) for v in labels]
    return Dataset(name, X, indices.astype(np.float64), task, input_names, class_labels, target_name,
                   description, params)


def _label(value: float):
    """A label as the user wrote it: 1 rather than 1.0."""
    return int(value) if float(value).is_integer() else float(value)


def split(dataset: Dataset, test_fraction: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """(train, test): hold out ``test_fraction`` of the samples, stratified by class.

    Each class gives its share to the test set (rounded so that the total is
    round(n * fraction), at least one), and keeps at least one training sample.
    ``test_fraction`` 0 returns (dataset, None).
    """
    if not 0.0 <= test_fraction < 1.0:
        raise UsageError(f"{{setting}} must lie in [0, 1), got {test_fraction:g}", setting="test_fraction",
                         value=test_fraction, limit=(0.0, 1.0))
    if test_fraction == 0.0:
        return dataset, None
    n = dataset.n_samples
    n_test = max(1, int(round(n * test_fraction)))
    rng = np.random.default_rng(seed)
    if dataset.task == Task.regression:
        groups = [np.arange(n)]
    else:
        groups = [np.flatnonzero(dataset.y == k) for k in range(dataset.n_classes)]
    shares = _largest_remainder([len(g) for g in groups], n_test)
    test_indices = []
    for group, share in zip(groups, shares):
        test_indices.extend(rng.permutation(group)[:share])
    test_mask = np.zeros(n, dtype=bool)
    test_mask[test_indices] = True
    if test_mask.all() or not test_mask.any():
        raise UsageError(f"{{setting}} {test_fraction:g} leaves no training or no test samples from {n} samples",
                         setting="test_fraction", value=test_fraction)
    return dataset.subset(np.flatnonzero(~test_mask)), dataset.subset(np.flatnonzero(test_mask))


def _largest_remainder(sizes: list[int], total: int) -> list[int]:
    """Split ``total`` over groups in proportion to ``sizes``, each group keeping one member back."""
    n = sum(sizes)
    exact = [size * total / n for size in sizes]
    shares = [min(int(e), max(size - 1, 0)) for e, size in zip(exact, sizes)]
    order = sorted(range(len(sizes)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for i in order * 2:   # hand out what rounding down left, most deserving group first
        if sum(shares) >= total:
            break
        if shares[i] < sizes[i] - 1:
            shares[i] += 1
    return shares
