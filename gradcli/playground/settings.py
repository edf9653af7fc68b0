"""What a playground session is set to, the Playground's defaults, and the ``gradcli train`` command that repeats it.

``PlaygroundSettings`` holds every setting the playground shows or passes on
to training.  A setting left as None follows from the dataset (samples,
noise, the output layer, the loss).  The defaults are the TensorFlow
Playground's (docs/cli.md lists them): learning rate 0.03, tanh, batch size 10, half the data held out,
hidden layers 4,2, features x and y, no regularisation, weights U(-0.5, 0.5),
plain sgd at a constant rate, 500 samples for classification and 1200 for
regression, no noise on the Playground's own sets::

    >>> settings = PlaygroundSettings("xor")
    >>> facts = DataFacts("binary", 2, True, (0.0, 0.5), playground=True)
    >>> [str(plan) for plan in settings.layers(facts)], settings.resolved_loss(facts)
    (['4', '2', '1:tanh'], <Loss.mse: 'mse'>)
    >>> print(settings.command_line(facts, steps=120))  # doctest: +NORMALIZE_WHITESPACE
    gradcli train xor --samples 500 --noise 0 --test-split 0.5 --features x,y --layers 4,2,1:tanh
    --activation tanh --loss mse --optimizer sgd --lr 0.03 --schedule constant --batch-size 10 --l2 0 --l1 0
    --init uniform --init-scale 0.5 --seed 1337 --steps 120

Binary classes train as the Playground trains them: targets -1 and +1, a tanh
output and the squared error.  The command line names every setting it
depends on, so that it trains the very model the playground showed after
``steps`` updates (the schedule is constant: the playground has no planned end).
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, replace
from enum import StrEnum

from ..data.choices import DEFAULT_NOISE, DEFAULT_SEED, Task
from ..data.features import FEATURES, parse_features
from ..errors import UsageError
from ..learn.config import Activation, Engine, Init, LayerPlan, Loss, Optimizer, parse_layer_plans
from ..numbers import exact

__all__ = ["Regularization", "DataFacts", "PlaygroundSettings", "PLAYGROUND_SAMPLES", "MAX_HIDDEN_LAYERS",
           "MAX_NEURONS", "FEATURE_ORDER", "from_options"]

# The Playground's numbers of points: 500 to classify, 1200 to regress.
PLAYGROUND_SAMPLES = {Task.binary: 500, Task.multiclass: 500, Task.regression: 1200}
PLAYGROUND_HIDDEN = (4, 2)
MAX_HIDDEN_LAYERS = 6  # as in the Playground; a wider screen would not show more
MAX_NEURONS = 64  # per layer (the Playground stops at 8)
FEATURE_ORDER = tuple(FEATURES)  # x, y, x2, y2, xy, sinx, siny: the Playground's order of inputs


class Regularization(StrEnum):
    """The Playground's penalty: none, L1 (l1 * sum |p|) or L2 (l2 * sum p^2), at one rate."""

    none = "none"
    l1 = "L1"
    l2 = "L2"


@dataclass(frozen=True)
class DataFacts:
    """What the settings need to know about a dataset: its task and classes, whether it is 2-D, its noise."""

    task: str
    n_classes: int
    is_2d: bool
    noise_range: tuple[float, float] | None  # None: a CSV file (no noise, no samples)
    generated: bool = True
    playground: bool = False  # one of the Playground's own sets: no noise by default
    takes_classes: bool = False

    @property
    def default_noise(self) -> float:
        return 0.0 if self.playground else DEFAULT_NOISE


@dataclass(frozen=True)
class PlaygroundSettings:
    """Every setting of a session; None where the value follows from the dataset."""

    dataset: str
    samples: int | None = None  # None: 500 to classify, 1200 to regress (generated sets only)
    noise: float | None = None  # None: 0 on the Playground's sets, gradcli's default on the others
    test_split: float = 0.5
    features: tuple[str, ...] | None = ("x", "y")  # None: the inputs as they are (data that is not 2-D)
    hidden: tuple[LayerPlan, ...] = tuple(LayerPlan(size) for size in PLAYGROUND_HIDDEN)
    output: LayerPlan | None = None  # None: from the task (1:tanh for two classes with mse, K for K classes)
    activation: Activation = Activation.tanh
    loss: Loss | None = None  # None: mse for two classes and regression (the Playground's), cross-entropy for more
    optimizer: Optimizer = Optimizer.sgd
    lr: float = 0.03
    regularization: Regularization = Regularization.none
    reg_rate: float = 0.0
    batch_size: int | None = 10  # None: the whole training set
    init: Init = Init.uniform
    init_scale: float = 0.5  # U(-0.5, 0.5), the Playground's weights (its biases start at 0.1, ours at 0)
    standardize: bool | None = None  # None: as the dataset's preset says
    seed: int = DEFAULT_SEED
    engine: Engine | None = None  # None: gradcli's default engine
    classes: int | None = None  # blobs and spiral
    target: str | None = None  # CSV files
    task: str | None = None  # CSV files

    # -- what follows from the dataset -------------------------------------------

    def resolved_loss(self, facts: DataFacts) -> Loss:
        if self.loss is not None:
            return self.loss
        return Loss.cross_entropy if facts.task == Task.multiclass else Loss.mse

    def output_plan(self, facts: DataFacts) -> LayerPlan:
        """The output layer: as given, else one tanh unit (two classes, mse), K units, or one linear unit."""
        if self.output is not None:
            return self.output
        loss = self.resolved_loss(facts)
        if facts.task == Task.multiclass or loss == Loss.cross_entropy:
            return LayerPlan(max(facts.n_classes, 2))
        if facts.task == Task.binary and loss == Loss.mse:
            return LayerPlan(1, Activation.tanh)  # the Playground's output: tanh, targets -1 and +1
        return LayerPlan(1)

    def layers(self, facts: DataFacts) -> tuple[LayerPlan, ...]:
        return (*self.hidden, self.output_plan(facts))

    def resolved_samples(self, facts: DataFacts) -> int | None:
        if not facts.generated:
            return None
        return self.samples if self.samples is not None else PLAYGROUND_SAMPLES[Task(facts.task)]

    def resolved_noise(self, facts: DataFacts) -> float | None:
        if not facts.generated:
            return None
        return self.noise if self.noise is not None else facts.default_noise

    @property
    def l1(self) -> float:
        return self.reg_rate if self.regularization == Regularization.l1 else 0.0

    @property
    def l2(self) -> float:
        return self.reg_rate if self.regularization == Regularization.l2 else 0.0

    def data_keywords(self, facts: DataFacts) -> dict:
        """The keywords of ``learn.run.DataOptions`` for this dataset."""
        keywords = {"features": list(self.features) if self.features is not None and facts.is_2d else None,
                    "test_split": self.test_split}
        if facts.generated:
            keywords.update(samples=self.resolved_samples(facts), noise=self.resolved_noise(facts))
            if facts.takes_classes:
                keywords["classes"] = self.classes
        else:
            keywords.update(target=self.target, task=self.task)
        return keywords

    def train_keywords(self, facts: DataFacts, steps: int) -> dict:
        """The settings of ``learn.run.prepare_run`` for a run of ``steps`` updates at a constant rate."""
        return {"layers": self.layers(facts), "activation": self.activation, "init": self.init,
                "init_scale": self.init_scale, "loss": self.resolved_loss(facts), "optimizer": self.optimizer,
                "lr": self.lr, "schedule": "constant", "steps": steps, "batch_size": self.batch_size,
                "l2": self.l2, "l1": self.l1, "engine": self.engine, "seed": self.seed,
                "standardize": self.standardize}

    # -- the way out ---------------------------------------------------------------

    def command_line(self, facts: DataFacts, steps: int) -> str:
        """A ``gradcli train`` command that trains this session's model: the same settings, ``steps`` updates."""
        words = ["gradcli", "train", self.dataset]
        data = self.data_keywords(facts)
        for name in ("samples", "noise", "classes", "target", "task"):
            if data.get(name) is not None:
                words += [f"--{name}", _number(data[name])]
        words += ["--test-split", _number(self.test_split)]
        if data["features"] is not None:
            words += ["--features", ",".join(data["features"])]
        train = self.train_keywords(facts, steps)
        words += ["--layers", ",".join(map(str, train["layers"])), "--activation", str(self.activation),
                  "--loss", str(train["loss"]), "--optimizer", str(self.optimizer), "--lr", _number(self.lr),
                  "--schedule", "constant"]
        if self.batch_size is not None:
            words += ["--batch-size", str(self.batch_size)]
        words += ["--l2", _number(self.l2), "--l1", _number(self.l1), "--init", str(self.init),
                  "--init-scale", _number(self.init_scale)]
        if self.standardize is not None:
            words.append("--standardize" if self.standardize else "--no-standardize")
        if self.engine is not None:
            words += ["--engine", str(self.engine)]
        words += ["--seed", str(self.seed), "--steps", str(steps)]
        return shlex.join(words)

    # -- changes that follow from others --------------------------------------------

    def with_dataset(self, name: str, old: DataFacts, new: DataFacts) -> "PlaygroundSettings":
        """Another dataset: what followed from the old one follows from the new one."""
        changed = replace(self, dataset=name, classes=None)
        if new.task != old.task:  # the output layer and the loss belonged to the old task
            changed = replace(changed, output=None, loss=None)
        if new.noise_range is not None and self.noise is not None:
            low, high = new.noise_range
            changed = replace(changed, noise=min(max(self.noise, low), high))
        if new.is_2d and changed.features is None:
            changed = replace(changed, features=("x", "y"))
        if not new.is_2d:
            changed = replace(changed, features=None)
        return changed


def _number(value) -> str:
    return exact(value) if isinstance(value, float) else str(value)


def from_options(dataset: str, *, layers=None, features: str | None = None, l1: float | None = None,
                 l2: float | None = None, **options) -> PlaygroundSettings:
    """Settings from the options of ``gradcli playground`` (None: the Playground's default).

    ``layers`` lists hidden and output layers as ``gradcli train`` does; ``l1`` and ``l2``
    choose the regularisation (the Playground applies one penalty at a time).
    """
    chosen = {name: value for name, value in options.items() if value is not None}
    settings = PlaygroundSettings(dataset, **chosen)
    if layers is not None:
        plans = parse_layer_plans(layers)
        if len(plans) - 1 > MAX_HIDDEN_LAYERS or any(plan.size > MAX_NEURONS for plan in plans[:-1]):
            raise UsageError(f"{{setting}} '{','.join(map(str, plans))}': the playground draws at most "
                             f"{MAX_HIDDEN_LAYERS} hidden layers of at most {MAX_NEURONS} neurons",
                             setting="layers", value=layers)
        settings = replace(settings, hidden=plans[:-1], output=plans[-1])
    if features is not None:
        codes = parse_features(features)
        settings = replace(settings, features=tuple(code for code in FEATURE_ORDER if code in codes))
    for name, value in (("l1", l1), ("l2", l2)):
        if value is not None and not (value >= 0 and math.isfinite(value)):
            raise UsageError(f"{{setting}} must be a number >= 0, got {value:g}", setting=name, value=value)
    if l1 and l2:
        raise UsageError("the playground applies one penalty at a time, as the Playground does: give {setting} "
                         "or {setting:l2}, not both", setting="l1", value=l1)
    if l1:
        settings = replace(settings, regularization=Regularization.l1, reg_rate=l1)
    elif l2:
        settings = replace(settings, regularization=Regularization.l2, reg_rate=l2)
    return settings
