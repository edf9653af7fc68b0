"""The settings panel of ``gradcli playground`` without a screen: its rows, the selected one, what left/right does.

Each row is one setting with its value as text; left and right step it
through the values the Playground offers (its learning rates 0.00001 ... 10,
its regularisation rates 0 ... 10, batch sizes 1 ... 30, noise in steps of
0.05, held-out shares 0% ... 90%), cycle a choice, switch a feature on or off,
add or remove a hidden layer, add or remove a neuron.  ``change`` returns the
new settings and says whether training must start again: every change does,
as in the Playground, except the learning rate, which applies from the next
step::

    >>> from gradcli.playground.settings import DataFacts, PlaygroundSettings
    >>> facts = DataFacts("binary", 2, True, (0.0, 0.5), playground=True)
    >>> controls = Controls(PlaygroundSettings("xor"), lambda name, settings: facts)
    >>> controls.select_key("lr"); change = controls.change(+1)
    >>> change.settings.lr, change.resets, change.text
    (0.1, False, 'learning rate 0.03 → 0.1')
    >>> controls.select_key("layers"); controls.change(+1).settings.hidden
    (LayerPlan(size=4, activation=None), LayerPlan(size=2, activation=None), LayerPlan(size=2, activation=None))

A step past the last value raises ``UsageError`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ..data.features import FEATURES
from ..errors import UsageError
from ..learn.config import Activation, LayerPlan, Optimizer
from ..numbers import exact
from .settings import (FEATURE_ORDER, MAX_HIDDEN_LAYERS, MAX_NEURONS, DataFacts, PlaygroundSettings,
                       Regularization)

__all__ = ["Row", "Change", "Controls", "LEARNING_RATES", "REGULARIZATION_RATES", "BATCH_SIZES", "TEST_SHARES",
           "PLAYGROUND_SETS", "DATASET_CYCLE", "feature_label"]

# The Playground's choices.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = tuple(range(1, 31))
TEST_SHARES = tuple(k / 10 for k in range(10))  # held out: 0% to 90% (the Playground: 10% to 90% for training)
NOISE_STEP = 0.05
NEW_LAYER_SIZE = 2  # a layer added in the Playground has 2 neurons

PLAYGROUND_SETS = ("circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss")  # the Playground's own, its order
DATASET_CYCLE = (*PLAYGROUND_SETS, "moons", "circles", "blobs")  # the 2-D built-in sets the dataset row offers

# How a feature is shown: the Playground writes X1², X1X2, sin(X1).
FEATURE_LABELS = {"x": "x", "y": "y", "x2": "x²", "y2": "y²", "xy": "x·y", "sinx": "sin x", "siny": "sin y"}


def feature_label(code: str) -> str:
    return FEATURE_LABELS.get(code, code)


@dataclass(frozen=True)
class Row:
    """One line of the panel: ``key`` names the setting (``layer:2``, ``feature:x2``), ``value`` shows it."""

    key: str
    label: str
    value: str
    resets: bool = True  # changing it starts training again
    short_value: str = ""  # the value where room is short ("4" for "4 neurons"); "" : the value itself

    @property
    def brief(self) -> str:
        return self.short_value or self.value


@dataclass(frozen=True)
class Change:
    settings: PlaygroundSettings
    resets: bool
    text: str  # what changed, for the status line: "learning rate 0.03 → 0.1"


class Controls:
    """The panel's rows for ``settings``, which one is selected, and the changes left/right make."""

    def __init__(self, settings: PlaygroundSettings, facts_of: Callable[[str, PlaygroundSettings], DataFacts],
                 datasets: tuple[str, ...] = DATASET_CYCLE):
        self.settings = settings
        self.facts_of = facts_of  # what a dataset is, by name (and classes)
        # a dataset outside the cycle (a CSV file, sine) stays reachable: it comes first
        self.datasets = datasets if settings.dataset in datasets else (settings.dataset, *datasets)
        self.selected = 0

    @property
    def facts(self) -> DataFacts:
        return self.facts_of(self.settings.dataset, self.settings)

    # -- what is on screen --------------------------------------------------------

    def rows(self) -> list[Row]:
        s, facts = self.settings, self.facts
        rows = [Row("dataset", "dataset", s.dataset)]
        if facts.noise_range is not None:
            rows.append(Row("noise", "noise", exact(s.resolved_noise(facts))))
        rows += [Row("test_split", "held out", f"{round(s.test_split * 100):d}%"),
                 Row("batch_size", "batch size", "all" if s.batch_size is None else str(s.batch_size)),
                 Row("lr", "learning rate", exact(s.lr), resets=False),
                 Row("activation", "activation", str(s.activation) if any(p.activation is None for p in s.hidden)
                     else "- (each layer's own)"),
                 Row("optimizer", "optimizer", str(s.optimizer)),
                 Row("regularization", "regularisation", str(s.regularization)),
                 Row("reg_rate", "reg. rate", exact(s.reg_rate))]
        if facts.is_2d and s.features is not None:
            rows += [Row(f"feature:{code}", f"input {feature_label(code)}", "on" if code in s.features else "off")
                     for code in FEATURE_ORDER]
        rows.append(Row("layers", "hidden layers", str(len(s.hidden))))
        rows += [Row(f"layer:{i}", f"  layer {i + 1}", f"{plan.size} neuron{'s' if plan.size > 1 else ''}",
                     short_value=str(plan.size)) for i, plan in enumerate(s.hidden)]
        return rows

    @property
    def selected_row(self) -> Row:
        rows = self.rows()
        self.selected = min(self.selected, len(rows) - 1)
        return rows[self.selected]

    def select(self, offset: int) -> None:
        """Move the selection up (-1) or down (+1), stopping at the first and the last row."""
        self.selected = min(max(self.selected + offset, 0), len(self.rows()) - 1)

    def select_key(self, key: str) -> None:
        keys = [row.key for row in self.rows()]
        if key not in keys:
            raise UsageError(f"the panel has no row '{key}' for this dataset")
        self.selected = keys.index(key)

    # -- changes ------------------------------------------------------------------

    def change(self, direction: int) -> Change:
        """Step the selected setting (+1: right, -1: left); the panel shows the new settings."""
        row = self.selected_row
        settings = self._changed(row.key, direction)
        self.settings = settings
        new = {r.key: r for r in self.rows()}.get(row.key)
        after = new.value if new is not None else "-"
        if row.key == "layers":
            text = "added a hidden layer" if direction > 0 else "removed the last hidden layer"
        else:
            text = f"{row.label.strip()} {row.value} → {after}"
        return Change(settings, row.resets, text)

    def _changed(self, key: str, direction: int) -> PlaygroundSettings:
        s, facts = self.settings, self.facts
        if key == "dataset":
            name = _cycled(self.datasets, s.dataset, direction)
            return s.with_dataset(name, facts, self.facts_of(name, replace(s, dataset=name, classes=None)))
        if key == "noise":
            low, high = facts.noise_range
            noise = round(s.resolved_noise(facts) + direction * NOISE_STEP, 10)
            if not low <= noise <= high:
                raise UsageError(f"noise is {exact(s.resolved_noise(facts))}, the "
                                 f"{'largest' if direction > 0 else 'smallest'} {s.dataset} takes")
            return replace(s, noise=noise)
        if key == "test_split":
            return replace(s, test_split=_laddered("held out share", TEST_SHARES, s.test_split, direction))
        if key == "batch_size":
            current = s.batch_size if s.batch_size is not None else BATCH_SIZES[-1] + 1
            return replace(s, batch_size=_laddered("batch size", BATCH_SIZES, current, direction))
        if key == "lr":
            return replace(s, lr=_laddered("learning rate", LEARNING_RATES, s.lr, direction))
        if key == "activation":
            return replace(s, activation=_cycled(tuple(Activation), s.activation, direction))
        if key == "optimizer":
            return replace(s, optimizer=_cycled(tuple(Optimizer), s.optimizer, direction))
        if key == "regularization":
            return replace(s, regularization=_cycled(tuple(Regularization), s.regularization, direction))
        if key == "reg_rate":
            return replace(s, reg_rate=_laddered("regularisation rate", REGULARIZATION_RATES, s.reg_rate, direction))
        if key.startswith("feature:"):
            return _toggled_feature(s, key.partition(":")[2])
        if key == "layers":
            return _changed_layer_count(s, direction)
        if key.startswith("layer:"):
            return _changed_layer_size(s, int(key.partition(":")[2]), direction)
        raise UsageError(f"the panel has no row '{key}'")


def _cycled(choices: tuple, current, direction: int):
    index = choices.index(current) if current in choices else -1
    return choices[(index + direction) % len(choices)]


def _laddered(name: str, ladder: tuple, current: float, direction: int):
    """The next value of ``ladder`` above (direction +1) or below ``current``; UsageError at either end."""
    if direction > 0:
        higher = [value for value in ladder if value > current + 1e-12]
        if higher:
            return higher[0]
    else:
        lower = [value for value in ladder if value < current - 1e-12]
        if lower:
            return lower[-1]
    limit = "largest" if direction > 0 else "smallest"
    shown = "all" if current > ladder[-1] and name == "batch size" else exact(current)
    raise UsageError(f"{name} is {shown}, the {limit} the playground offers")


def _toggled_feature(s: PlaygroundSettings, code: str) -> PlaygroundSettings:
    if code not in FEATURES:
        raise UsageError(f"unknown feature '{code}'")
    if code in s.features:
        if len(s.features) == 1:
            raise UsageError(f"{feature_label(code)} is the only input left: switch another one on first")
        return replace(s, features=tuple(c for c in s.features if c != code))
    return replace(s, features=tuple(c for c in FEATURE_ORDER if c in s.features or c == code))


def _changed_layer_count(s: PlaygroundSettings, direction: int) -> PlaygroundSettings:
    if direction > 0:
        if len(s.hidden) >= MAX_HIDDEN_LAYERS:
            raise UsageError(f"{len(s.hidden)} hidden layers is the most the playground draws")
        return replace(s, hidden=(*s.hidden, LayerPlan(NEW_LAYER_SIZE)))
    if not s.hidden:
        raise UsageError("there is no hidden layer left to remove")
    return replace(s, hidden=s.hidden[:-1])


def _changed_layer_size(s: PlaygroundSettings, index: int, direction: int) -> PlaygroundSettings:
    plan = s.hidden[index]
    size = plan.size + (1 if direction > 0 else -1)
    if not 1 <= size <= MAX_NEURONS:
        raise UsageError(f"layer {index + 1} has {plan.size} neuron{'s' if plan.size > 1 else ''}, the "
                         f"{'most' if direction > 0 else 'fewest'} the playground allows")
    hidden = list(s.hidden)
    hidden[index] = LayerPlan(size, plan.activation)
    return replace(s, hidden=tuple(hidden))
