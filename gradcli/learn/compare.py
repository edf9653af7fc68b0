"""Runs side by side: read what ``train --json``, ``train --save`` and ``sweep --json`` wrote, in one shape.

``gradcli compare`` is: ``load_runs`` -> ``differences`` and ``metric_rows`` -> render::

    runs = load_runs(["a.json", "model.json", "sweep.json"])
    for setting, texts in differences(runs):     # only the settings whose values differ
        ...

Each file gives one ``RunRecord`` (a ``sweep --json`` document gives one per
run, named ``FILE#NAME``): its settings as text (the Settings table's words:
``16,16,1``, ``all``, ``yes``), its final numbers, its history (``None`` for
a model file of version 1, which has none) and the command that made it.  A
file that is none of the three is a ``ModelFileError`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ModelFileError, UsageError
from .config import Activation, LayerPlan, TrainConfig
from .modelfile import FORMAT, load_json, model_from_json
from .settings import SETTINGS, activation_text, setting_text

__all__ = ["RunRecord", "load_runs", "differences", "metric_label", "metric_rows", "METRICS", "MAX_RUNS"]

MAX_RUNS = 20  # more runs than this do not read side by side (a sweep's ranking does that job)
# the numbers shown side by side, in order: (key, label); accuracy or R^2 depending on the task
METRICS = [("final_loss", "final loss"), ("train_metric", "train {metric}"), ("test_loss", "test loss"),
           ("test_metric", "test {metric}"), ("steps", "steps"), ("stopped", "stopped"), ("seconds", "seconds"),
           ("parameters", "parameters")]


@dataclass
class RunRecord:
    """One run as ``compare`` sees it, whatever file it came from."""

    name: str  # the file (``sweep.json#lr=0.1_seed=1337`` for a sweep's run)
    source: str  # "train --json", "model file" or "sweep --json"
    task: str
    settings: dict = field(default_factory=dict)  # dataset, data, features, and every setting, as text
    metrics: dict = field(default_factory=dict)  # METRICS' keys -> number or text (None: not known)
    history: dict | None = None
    command: str | None = None

    @property
    def metric_name(self) -> str:
        return "r2" if self.task == "regression" else "accuracy"


def load_runs(paths) -> list[RunRecord]:
    """Every run in the files ``paths`` (``UsageError`` for fewer than one or more than ``MAX_RUNS`` runs)."""
    records = [record for path in paths for record in _records(str(path))]
    if not records:
        raise UsageError("no runs to compare: give the files of at least one run (train --json, a model file)",
                         setting="runs")
    if len(records) > MAX_RUNS:
        raise UsageError(f"{len(records)} runs are too many to read side by side (at most {MAX_RUNS})",
                         hint="compare a few of them, or rank them all with gradcli sweep", setting="runs")
    return records


def _records(path: str) -> list[RunRecord]:
    raw = load_json(path, what="run file")
    if isinstance(raw, dict) and raw.get("format") == FORMAT:
        return [_from_model(model_from_json(raw, path), path)]
    if isinstance(raw, dict) and isinstance(raw.get("runs"), list) and "ranking" in raw:
        return [_from_document(run, f"{path}#{run.get('name', index)}", "sweep --json")
                for index, run in enumerate(raw["runs"]) if isinstance(run, dict) and run.get("history") is not None]
    if isinstance(raw, dict) and isinstance(raw.get("history"), dict) and "final_loss" in raw:
        return [_from_document(raw, path, "train --json")]
    raise ModelFileError(f"{path} is neither the output of gradcli train --json or sweep --json nor a model file",
                         hint="save runs with gradcli train --json > run.json, or --save model.json")


def _from_document(doc: dict, name: str, source: str) -> RunRecord:
    """A ``train --json`` document (also each run of ``sweep --json``)."""
    task = doc.get("task", "binary")
    metric = "r2" if task == "regression" else "accuracy"
    values = {setting: doc.get(setting) for setting in SETTINGS}
    plans = _layer_plans(doc.get("layers") or [], doc.get("activations") or [], doc.get("activation"))
    values["layers"] = ",".join(map(str, plans)) if plans else ",".join(map(str, doc.get("layers") or []))
    # as the Settings table: a run given --epochs takes as many steps as they make
    values["steps"] = None if doc.get("epochs") is not None else doc.get("steps_requested")
    settings = {"dataset": doc.get("dataset"), "data": _data_text(doc.get("samples") or {}),
                "features": ",".join(doc.get("features") or [])}
    settings.update({setting: setting_text(setting, value) for setting, value in values.items()
                     if setting != "layers"})
    settings["layers"] = values["layers"]
    if plans and doc.get("activation") in set(Activation):
        settings["activation"] = activation_text(TrainConfig(layers=tuple(plans), activation=doc["activation"]))
    metrics = {"final_loss": doc.get("final_loss"), "train_metric": doc.get(f"train_{metric}"),
               "test_loss": doc.get("test_loss"), "test_metric": doc.get(f"test_{metric}"),
               "steps": doc.get("steps"), "stopped": doc.get("stopped"), "seconds": doc.get("seconds"),
               "parameters": doc.get("parameters")}
    return RunRecord(name, source, task, _ordered(settings), metrics, doc.get("history"), doc.get("command"))


def _from_model(saved, name: str) -> RunRecord:
    meta = saved.meta
    metric = "r2" if saved.task == "regression" else "accuracy"
    recorded = meta.get("metrics") if isinstance(meta.get("metrics"), dict) else {}
    train, test = recorded.get("train") or {}, recorded.get("test") or {}
    counts = {"train": train.get("samples"), "test": test.get("samples") or 0} if train.get("samples") else {}
    settings = {"dataset": meta.get("dataset"), "data": _data_text(counts),
                "features": ",".join(saved.feature_names)}
    shown = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    settings.update({setting: str(text) for setting, text in shown.items()})
    metrics = {"final_loss": recorded.get("final_loss"), "train_metric": train.get(metric),
               "test_loss": recorded.get("test_loss", test.get("loss")), "test_metric": test.get(metric),
               "steps": meta.get("steps_done"), "stopped": meta.get("stopped"), "seconds": meta.get("seconds"),
               "parameters": saved.parameter_count}
    return RunRecord(name, "model file", saved.task, _ordered(settings), metrics, saved.history, saved.command)


def _layer_plans(sizes: list, activations: list, activation) -> list[LayerPlan]:
    """``train --json``'s sizes and activations as the Settings table reads the layers (``16:tanh,16,1``)."""
    plans = []
    for index, (size, layer_activation) in enumerate(zip(sizes, activations)):
        default = activation if index < len(sizes) - 1 else Activation.linear
        plans.append(LayerPlan(size, None if layer_activation == default else Activation(layer_activation)))
    return plans


def _data_text(samples: dict) -> str:
    """``80 train + 20 held out``; ``-`` when the file does not say."""
    if not samples.get("train"):
        return "-"
    return f"{samples['train']} train" + (f" + {samples['test']} held out" if samples.get("test") else "")


def _ordered(settings: dict) -> dict:
    """Dataset and data first, then the settings in the Settings table's order, then anything else."""
    order = ["dataset", "data", "features", *SETTINGS]
    known = {key: settings[key] for key in order if key in settings}
    return {**known, **{key: value for key, value in settings.items() if key not in known}}


def differences(records: list[RunRecord]) -> list[tuple[str, list[str]]]:
    """(setting, its text in each run) for every setting whose text is not the same in all runs."""
    names = list(dict.fromkeys(name for record in records for name in record.settings))
    rows = []
    for name in names:
        texts = [str(record.settings.get(name, "-")) for record in records]
        if len(set(texts)) > 1:
            rows.append((name, texts))
    return rows


def metric_label(records: list[RunRecord]) -> str:
    """What the runs' metric is called: ``accuracy``, ``R^2``, or ``accuracy / R^2`` for classifiers and regressions."""
    names = {record.metric_name for record in records}
    return " / ".join(label for name, label in (("accuracy", "accuracy"), ("r2", "R^2")) if name in names)


def metric_rows(records: list[RunRecord]) -> list[tuple[str, str, list]]:
    """(key, label, each run's value) for the final numbers; each run's metric is its own (accuracy or R^2)."""
    metric = metric_label(records)
    return [(key, label.format(metric=metric), [record.metrics.get(key) for record in records])
            for key, label in METRICS]
