"""The settings of a training run and where each value came from: the caller, a model file, a preset, a default.

A run's settings are the fields of ``TrainConfig`` plus ``standardize`` (how
the inputs are scaled).  ``resolve_settings`` takes, for each one, the first
of these that has a value and records which it was in ``RunSettings.sources``:

1. ``Source.option``: the caller asked for it (a CLI option, a keyword of ``prepare_run``);
2. ``Source.model_file``: the model file the run continues, for its layers and hidden activation;
3. ``Source.preset``: the dataset's preset (``presets.py``);
4. ``Source.default``: the global default (``TrainConfig``'s), or the value that follows from the task.

::

    >>> settings = resolve_settings("spiral", task="binary", n_classes=2, requested={"steps": 50})
    >>> settings.config.steps, settings.sources["steps"], settings.config.lr, settings.sources["lr"]
    (50, <Source.option: 'option'>, 0.03, <Source.preset: 'preset'>)
    >>> settings.config.layers, settings.config.loss, settings.sources["loss"]
    ([16, 16, 1], <Loss.hinge: 'hinge'>, <Source.default: 'default'>)

Three settings follow from others when nobody chose them: the loss from the
task (a binary set whose chosen layers end in 2 trains with cross-entropy),
the output size of the layers from the loss and the classes, and the
learning rate from the optimiser (a preset's rate belongs to the preset's
optimiser: asking spiral for sgd gives sgd's default rate).  Every other
setting is resolved by name alone, so a new field of ``TrainConfig`` is
resolved, recorded and shown without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping

from .config import DEFAULT_HIDDEN, Loss, Optimizer, TrainConfig, default_loss, default_lr
from .presets import Preset, preset_for
from ..data.choices import Task

__all__ = ["Source", "RunSettings", "SETTINGS", "DEFAULT_STANDARDIZE", "check_requested", "from_model_file",
           "resolve_settings"]

DEFAULT_STANDARDIZE = True  # built-in sets are scaled unless their preset says otherwise


def _setting_names() -> tuple[str, ...]:
    """TrainConfig's fields, with how the inputs are scaled listed before how the run is computed (engine, seed)."""
    names = TrainConfig.names()
    at = names.index("engine")
    return (*names[:at], "standardize", *names[at:])


SETTINGS = _setting_names()  # every setting of a run, in the order the Settings table lists them

# how a value is shown when it is None (a setting left to the run)
SHOWN_NONE = {"batch_size": "all"}


class Source(StrEnum):
    """Where a setting's value came from."""

    option = "option"  # the caller chose it
    model_file = "init-from"  # the model file the run continues
    preset = "preset"  # the dataset's preset
    default = "default"  # the global default, or what follows from the task


@dataclass(frozen=True)
class RunSettings:
    """The resolved settings of a run: ``config`` for the training loop, ``standardize`` for the inputs."""

    config: TrainConfig  # its loss and lr resolved
    standardize: bool
    sources: Mapping[str, Source]  # every name in SETTINGS -> where its value came from
    preset_why: str = ""

    def value(self, name: str):
        return self.standardize if name == "standardize" else getattr(self.config, name)

    def shown(self) -> list[tuple[str, str, str]]:
        """(setting, value as text, source) for every setting, in table order: the Settings table, model files."""
        return [(name, _text(name, self.value(name)), self.sources[name].value) for name in SETTINGS]


def _text(name: str, value) -> str:
    if value is None:
        return SHOWN_NONE.get(name, "-")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def check_requested(requested: Mapping[str, object]) -> dict:
    """The settings the caller chose (None: not chosen); TypeError for a name that is not a setting."""
    unknown = [name for name in requested if name not in SETTINGS]
    if unknown:
        raise TypeError(f"{unknown[0]!r} is not a setting of a training run; the settings are: {', '.join(SETTINGS)}")
    return {name: value for name, value in requested.items() if value is not None}


def from_model_file(saved) -> dict:
    """What a run continuing the ``modelfile.SavedModel`` ``saved`` takes from it: its layers and hidden activation."""
    inherited = {"layers": list(saved.sizes)}
    if len(saved.layers) > 1:  # a single layer is the output layer, always linear
        inherited["activation"] = saved.layers[0].activation
    return inherited


def resolve_settings(dataset: str, *, task: str, n_classes: int, requested: Mapping[str, object] | None = None,
                     inherited: Mapping[str, object] | None = None, is_builtin: bool = True) -> RunSettings:
    """Every setting of a run on ``dataset``: ``requested`` > ``inherited`` (a model file) > preset > default."""
    requested = check_requested(requested or {})
    inherited = dict(inherited or {})
    preset = preset_for(dataset, is_builtin)
    values: dict[str, object] = {}
    sources: dict[str, Source] = {}

    def choose(name: str, preset_value, default):
        for source, value in ((Source.option, requested.get(name)), (Source.model_file, inherited.get(name)),
                              (Source.preset, preset_value)):
            if value is not None:
                values[name], sources[name] = value, source
                return value
        values[name], sources[name] = default, Source.default
        return default

    defaults = TrainConfig()
    for name in SETTINGS:  # by name alone, except the three that follow from others
        if name not in ("layers", "loss", "lr"):
            default = DEFAULT_STANDARDIZE if name == "standardize" else getattr(defaults, name)
            choose(name, getattr(preset, name, None), default)
    chosen_layers = requested.get("layers", inherited.get("layers"))
    loss = choose("loss", preset.loss, _derived_loss(task, n_classes, chosen_layers))
    choose("layers", _preset_layers(preset, task, n_classes, loss), _layers(DEFAULT_HIDDEN, task, n_classes, loss))
    choose("lr", _preset_lr(preset, values["optimizer"]), default_lr(values["optimizer"]))

    config = TrainConfig(**{name: values[name] for name in TrainConfig.names()})
    return RunSettings(config, bool(values["standardize"]), MappingProxyType(sources), preset.why)


def _derived_loss(task: str, n_classes: int, chosen_layers) -> Loss:
    """The loss nobody chose: by task, except that two outputs on a binary set mean cross-entropy."""
    if task == Task.binary and chosen_layers is not None and chosen_layers[-1] == 2:
        return Loss.cross_entropy
    return default_loss(task, n_classes)


def _layers(hidden, task: str, n_classes: int, loss: str) -> list[int]:
    outputs = n_classes if (task == Task.multiclass or loss == Loss.cross_entropy) else 1
    return [*hidden, outputs]


def _preset_layers(preset: Preset, task: str, n_classes: int, loss: str) -> list[int] | None:
    return None if preset.hidden is None else _layers(preset.hidden, task, n_classes, loss)


def _preset_lr(preset: Preset, optimizer: str) -> float | None:
    """The preset's rate, when the run uses the optimiser it was tuned for."""
    return preset.lr if optimizer == (preset.optimizer or Optimizer.sgd) else None

