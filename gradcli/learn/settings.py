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
    >>> settings.config.sizes, settings.config.loss, settings.sources["loss"]
    ([16, 16, 1], <Loss.hinge: 'hinge'>, <Source.default: 'default'>)

Four settings follow from others when nobody chose them: the loss from the
task (a binary set whose chosen layers end in 2 trains with cross-entropy),
the output size of the layers from the loss and the classes, the learning
rate from the optimiser (a preset's rate belongs to the preset's optimiser:
asking spiral for sgd gives sgd's default rate), and the steps from the
epochs (given epochs, the run is as long as they take).  Every other
setting is resolved by name alone, so a new field of ``TrainConfig`` is
resolved, recorded and shown without a change here.

A preset's optimiser settings were tuned for one model (``presets.py``).
When the run's model differs (other layers, activations, init or loss) and
the caller chose neither ``optimizer`` nor ``lr``, the optimiser settings
nobody chose come from the preset's ``adapted`` recipe, with the source
``Source.adapted`` and a note in ``RunSettings.notes`` that says why::

    >>> settings = resolve_settings("moons", task="binary", n_classes=2, requested={"layers": [4, 4, 4, 1]})
    >>> settings.config.optimizer, settings.sources["optimizer"], settings.notes[0].facts["kind"]
    (<Optimizer.adam: 'adam'>, <Source.adapted: 'adapted'>, 'preset-adapted')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping

from ..data.choices import Task
from ..errors import GradcliWarning
from .config import (DEFAULT_HIDDEN, DEFAULT_STEPS, Activation, LayerPlan, Loss, Optimizer, TrainConfig, default_loss,
                     default_lr, parse_layer_plans)
from .presets import MODEL, RECIPE, Preset, preset_for

__all__ = ["Source", "RunSettings", "SETTINGS", "DEFAULT_STANDARDIZE", "activation_text", "check_requested",
           "from_model_file", "resolve_settings", "setting_text"]

DEFAULT_STANDARDIZE = True  # built-in sets are scaled unless their preset says otherwise


def _setting_names() -> tuple[str, ...]:
    """TrainConfig's fields, with how the inputs are scaled listed before how the run is computed (engine, seed)."""
    names = TrainConfig.names()
    at = names.index("engine")
    return (*names[:at], "standardize", *names[at:])


SETTINGS = _setting_names()  # every setting of a run, in the order the Settings table lists them

# how a value is shown when it is None (a setting left to the run)
SHOWN_NONE = {"batch_size": "all", "steps": "as the epochs take", "eval_every": "auto"}
# settings for features a run may not use: a compact Settings table leaves them out while nobody set them
OPTIONAL = ("init_scale", "epochs", "shuffle", "zero_grad", "eval_every", "patience", "check_grad_every")


class Source(StrEnum):
    """Where a setting's value came from."""

    option = "option"  # the caller chose it
    model_file = "init-from"  # the model file the run continues
    preset = "preset"  # the dataset's preset
    adapted = "adapted"  # the preset's recipe for a model other than the one it was tuned for
    default = "default"  # the global default, or what follows from the task


@dataclass(frozen=True)
class RunSettings:
    """The resolved settings of a run: ``config`` for the training loop, ``standardize`` for the inputs."""

    config: TrainConfig  # its loss and lr resolved
    standardize: bool
    sources: Mapping[str, Source]  # every name in SETTINGS -> where its value came from
    preset_why: str = ""  # why the preset sets what it sets; "" when it set nothing in this run
    notes: tuple[GradcliWarning, ...] = field(default_factory=tuple)  # e.g. the preset adapted to the model

    def value(self, name: str):
        return self.standardize if name == "standardize" else getattr(self.config, name)

    def preset_note(self) -> str:
        """What the dataset's preset set in this run, and why: "standardize no (micrograd's demo ...)"; "" if nothing."""
        given = [f"{name.replace('_', '-')} {self._text(name)}" for name in SETTINGS
                 if self.sources[name] is Source.preset]
        return f"{', '.join(given)} ({self.preset_why})" if given and self.preset_why else ""

    def shown(self, compact: bool = False) -> list[tuple[str, str, str]]:
        """(setting, value as text, source) in table order: the Settings table, model files.

        ``compact`` leaves out the OPTIONAL settings nobody set (the run does not use them).
        """
        rows = []
        for name in SETTINGS:
            if compact and name in OPTIONAL and self.sources[name] is Source.default:
                continue
            rows.append((name, self._text(name), self.sources[name].value))
        return rows

    def _text(self, name: str) -> str:
        if name == "activation":
            return activation_text(self.config)
        return setting_text(name, self.value(name))


def setting_text(name: str, value) -> str:
    """A setting's value as the Settings table and model files show it: ``all``, ``yes``, ``0.0001``, ``16,16,1``."""
    if value is None:
        return SHOWN_NONE.get(name, "-")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def activation_text(config: TrainConfig) -> str:
    """``config.activation`` as the Settings table shows it, or why it plays no part (no hidden layer takes it)."""
    if config.uses_activation():
        return setting_text("activation", config.activation)
    return "- (no hidden layer)" if len(config.layers) == 1 else "- (every hidden layer names its own)"


def check_requested(requested: Mapping[str, object]) -> dict:
    """The settings the caller chose (None: not chosen); TypeError for a name that is not a setting."""
    unknown = [name for name in requested if name not in SETTINGS]
    if unknown:
        raise TypeError(f"{unknown[0]!r} is not a setting of a training run; the settings are: {', '.join(SETTINGS)}")
    chosen = {name: value for name, value in requested.items() if value is not None}
    if "layers" in chosen:
        chosen["layers"] = parse_layer_plans(chosen["layers"])
    return chosen


def from_model_file(saved) -> dict:
    """What a run continuing the ``modelfile.SavedModel`` ``saved`` takes from it: its layers and activations.

    The hidden activation most layers use becomes ``activation``; a layer with another one names it
    (``16:tanh``), as does an output layer that is not linear.
    """
    hidden = [layer.activation for layer in saved.layers[:-1]]
    common = Counter(hidden).most_common(1)[0][0] if hidden else None
    plans = [LayerPlan(layer.n_outputs, None if layer.activation == common else Activation(layer.activation))
             for layer in saved.layers[:-1]]
    output = saved.layers[-1]
    plans.append(LayerPlan(output.n_outputs, None if output.activation == "linear" else Activation(output.activation)))
    inherited = {"layers": tuple(plans)}
    if common is not None:  # a single layer is the output layer: it takes no hidden activation
        inherited["activation"] = common
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
    for name in SETTINGS:  # by name alone, except the four that follow from others
        if name not in ("layers", "loss", "lr", "steps"):
            default = DEFAULT_STANDARDIZE if name == "standardize" else getattr(defaults, name)
            choose(name, getattr(preset, name, None), default)
    chosen_layers = requested.get("layers", inherited.get("layers"))
    loss = choose("loss", preset.loss, _derived_loss(task, n_classes, chosen_layers))
    choose("layers", _preset_layers(preset, task, n_classes, loss), _layers(DEFAULT_HIDDEN, task, n_classes, loss))
    choose("lr", _preset_lr(preset, values["optimizer"]), default_lr(values["optimizer"]))
    if values["epochs"] is not None and "steps" not in requested:
        values["steps"], sources["steps"] = None, sources["epochs"]  # as many as the epochs take
    else:
        choose("steps", preset.steps, DEFAULT_STEPS)
    notes = _adapt(dataset, preset, values, sources, requested, task, n_classes)

    config = TrainConfig(**{name: values[name] for name in TrainConfig.names()})
    from_preset = any(source is Source.preset for source in sources.values())
    return RunSettings(config, bool(values["standardize"]), MappingProxyType(sources),
                       preset.why if from_preset else "", tuple(notes))


def _derived_loss(task: str, n_classes: int, chosen_layers) -> Loss:
    """The loss nobody chose: by task, except that two outputs on a binary set mean cross-entropy."""
    if task == Task.binary and chosen_layers is not None and chosen_layers[-1].size == 2:
        return Loss.cross_entropy
    return default_loss(task, n_classes)


def _layers(hidden, task: str, n_classes: int, loss: str) -> tuple[LayerPlan, ...]:
    outputs = n_classes if (task == Task.multiclass or loss == Loss.cross_entropy) else 1
    return tuple(LayerPlan(size) for size in (*hidden, outputs))


def _preset_layers(preset: Preset, task: str, n_classes: int, loss: str) -> tuple[LayerPlan, ...] | None:
    return None if preset.hidden is None else _layers(preset.hidden, task, n_classes, loss)


def _preset_lr(preset: Preset, optimizer: str) -> float | None:
    """The preset's rate, when the run uses the optimiser it was tuned for."""
    return preset.lr if optimizer == (preset.optimizer or Optimizer.sgd) else None


# -- a preset whose recipe no longer fits the model -----------------------------------


def _adapt(dataset: str, preset: Preset, values: dict, sources: dict, requested: dict, task: str,
           n_classes: int) -> list[GradcliWarning]:
    """Take the optimiser settings nobody chose from ``preset.adapted`` when the model is not the tuned one."""
    if preset.adapted is None or "optimizer" in requested or "lr" in requested:
        return []
    defaults = TrainConfig()
    loss = preset.loss or default_loss(task, n_classes)
    tuned = {"layers": _layers(preset.hidden or DEFAULT_HIDDEN, task, n_classes, loss),
             "activation": preset.activation or defaults.activation, "init": preset.init or defaults.init,
             "init_scale": defaults.init_scale, "loss": loss}
    differences = [name for name in MODEL if _model_text(name, values) != _model_text(name, tuned)
                   and name != "activation"]  # an activation that differs shows in the layers' text
    if not differences:
        return []
    changed = [name for name in RECIPE if name not in requested and not (name == "steps" and values["epochs"])]
    before = _recipe_text(values, changed)
    recipe = preset.adapted
    for name in changed:
        values[name], sources[name] = getattr(recipe, name), Source.adapted
    after = _recipe_text(values, changed)
    tuned_text = ", ".join(_model_text(name, tuned) for name in differences)
    run_text = ", ".join(_model_text(name, values) for name in differences)
    return [GradcliWarning(
        f"on {dataset}, {before} were tuned for {tuned_text}; for {run_text} this run uses {after} instead "
        "(choose {setting} or {setting:lr} to decide)",
        setting="optimizer", kind="preset-adapted", differences=differences, recipe=after, why=recipe.why)]


def _model_text(name: str, values: Mapping) -> str:
    """One part of a model as the note names it: "layers 16,16,1 relu", "init he", "loss mse"."""
    if name in ("layers", "activation"):
        config = TrainConfig(layers=values["layers"], activation=values["activation"])
        activations = config.activations()
        hidden = set(activations[:-1])
        if len(hidden) <= 1 and activations[-1] == "linear":
            return "layers " + ",".join(map(str, config.sizes)) + (f" {hidden.pop()}" if hidden else "")
        return "layers " + ",".join(f"{plan.size}:{activation}" for plan, activation in
                                    zip(config.layers, activations))
    value = values[name]
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # 1 and 1.0 are the same scale
        return f"{name.replace('_', ' ')} {value:g}"
    return f"{name} {value}"


def _recipe_text(values: Mapping, names) -> str:
    """The optimiser settings ``names`` as a phrase: "sgd, lr 1, linear schedule, 100 steps"."""
    words = {"optimizer": lambda v: str(v), "lr": lambda v: f"lr {v:g}", "schedule": lambda v: f"{v} schedule",
             "steps": lambda v: f"{v} steps"}
    return ", ".join(words[name](values[name]) for name in names)
