"""The hyperparameters of a training run: their choices (str Enums), defaults and limits, declared once.

``TrainConfig`` is what ``train.train`` reads; every field has the default of
``gradcli train`` without options.  Choices are ``StrEnum``s, so a plain
string works wherever a member does (``TrainConfig(activation="tanh")``) and
is checked on the way in; an out-of-range value is a ``UsageError`` naming
the field::

    >>> config = TrainConfig(layers=[8, 1], activation="tanh")
    >>> config.activation is Activation.tanh, config.planned_steps(100), config.resolved_lr()
    (True, 100, 1.0)
    >>> TrainConfig(steps=-1)
    Traceback (most recent call last):
    ...
    gradcli.errors.UsageError: steps must lie in 0..1,000,000, got -1

``layers`` holds one ``LayerPlan`` per layer: its size and, when it names
one, its activation; ints and text such as ``"16:tanh,16,1:tanh"`` are read
on the way in.  A hidden layer that names no activation uses
``activation``; an output layer that names none is linear (raw scores)::

    >>> config = TrainConfig(layers="16:tanh,16,1:tanh", activation="relu")
    >>> config.sizes, [str(a) for a in config.activations()], str(config.layers[0])
    ([16, 16, 1], ['tanh', 'relu', 'tanh'], '16:tanh')

No NumPy here: the CLI builds its options from these Enums at start-up.
Adding a hyperparameter is one field here (checked in ``check``), read by
the training loop, plus its option in ``cli/train_cmd.py``; presets, model
files and the Settings table pick it up by name (``settings.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import StrEnum

from ..data.choices import DEFAULT_SEED, Task
from ..errors import UsageError

__all__ = [
    "Activation", "Init", "Loss", "Optimizer", "Schedule", "Engine", "GraphView", "LayerPlan",
    "TrainConfig", "CHOICES", "DEFAULT_HIDDEN", "DEFAULT_STEPS", "MAX_STEPS", "as_choice", "default_loss",
    "default_lr", "parse_layer_plans",
]


class Activation(StrEnum):
    """What a neuron applies to w . x + b (hidden layers: ``activation``; the output layer: linear unless named)."""

    relu = "relu"
    tanh = "tanh"
    sigmoid = "sigmoid"
    linear = "linear"
    leaky_relu = "leaky-relu"  # x for x > 0, 0.01 x below: a relu whose units cannot die
    softplus = "softplus"  # log(1 + e^x): a smooth relu


class Init(StrEnum):
    """Initial weights (biases start at 0), each width multiplied by ``init_scale``.

    zeros; uniform U(-1, 1); normal N(0, 1); xavier U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
    xavier-normal N(0, 2 / (fan_in + fan_out)); he U(-a, a) with a = sqrt(6 / fan_in); he-normal N(0, 2 / fan_in).
    """

    zeros = "zeros"
    uniform = "uniform"
    normal = "normal"
    xavier = "xavier"
    xavier_normal = "xavier-normal"
    he = "he"
    he_normal = "he-normal"


class Loss(StrEnum):
    """hinge: two classes, one output; mse: regression (or -1/+1, one-hot); cross-entropy: k outputs."""

    hinge = "hinge"
    mse = "mse"
    cross_entropy = "cross-entropy"


class Optimizer(StrEnum):
    sgd = "sgd"
    momentum = "momentum"
    adam = "adam"


class Schedule(StrEnum):
    """The learning rate over the run: linear down to lr/10, constant, or cosine down to lr/10."""

    linear = "linear"
    constant = "constant"
    cosine = "cosine"


class Engine(StrEnum):
    """tensor: one graph per step, a weight matrix per layer; scalar: one scalar graph per sample (micrograd's)."""

    tensor = "tensor"
    scalar = "scalar"


class GraphView(StrEnum):
    """How ``draw --graph`` shows a network's graph for one input (``model_graph.py``)."""

    tensor = "tensor"  # a box per layer operation: W.T, x @ W.T, + b, the activation
    scalar = "scalar"  # micrograd's: a box per weight, product, sum and activation


DEFAULT_HIDDEN = (16, 16)  # hidden layer sizes; the output size follows from the task
DEFAULT_STEPS = 100  # updates in a run that names neither steps nor epochs
MAX_STEPS = 1_000_000  # beyond this a run is a mistake, not a plan (the history alone would be large)

# a learning rate that suits each optimiser on small standardised problems:
# sgd: micrograd's moons demo; momentum: its velocity grows to ~10x the gradient, so 10x smaller;
# adam: steps are ~lr in size whatever the gradient, so the usual 0.01
DEFAULT_LRS = {Optimizer.sgd: 1.0, Optimizer.momentum: 0.1, Optimizer.adam: 0.01}


def default_loss(task: str, n_classes: int) -> Loss:
    """hinge for two classes, cross-entropy for more, mse for regression."""
    if task == Task.regression:
        return Loss.mse
    return Loss.hinge if n_classes == 2 else Loss.cross_entropy


def default_lr(optimizer: str) -> float:
    """A learning rate that suits ``optimizer`` on small standardised problems (see ``DEFAULT_LRS``)."""
    return DEFAULT_LRS.get(optimizer, 1.0)


@dataclass(frozen=True)
class LayerPlan:
    """One layer of a network to build: its size, and its activation when it names one (None: the run's default)."""

    size: int
    activation: Activation | None = None

    @classmethod
    def parse(cls, text) -> "LayerPlan":
        """``16`` or ``"16"`` -> LayerPlan(16); ``"16:tanh"`` -> LayerPlan(16, tanh); UsageError naming ``layers``."""
        if isinstance(text, LayerPlan):
            return text
        if isinstance(text, int) and not isinstance(text, bool):
            return cls(text)
        size_text, colon, activation = str(text).strip().partition(":")
        size_text = size_text.strip()
        if not size_text.isdigit():
            raise UsageError(f"{{setting}} '{text}': '{size_text}' is not a whole number; give sizes like 16,16,1 "
                             "or 16:tanh,1", setting="layers", value=text)
        if not colon:
            return cls(int(size_text))
        name = activation.strip()
        if name not in set(Activation):
            choices = ", ".join(Activation)
            raise UsageError(f"{{setting}} '{text}': '{name}' is not an activation; choose one of {choices}",
                             setting="layers", value=text, choices=list(Activation))
        return cls(int(size_text), Activation(name))

    def __str__(self) -> str:
        return str(self.size) if self.activation is None else f"{self.size}:{self.activation}"


def parse_layer_plans(layers) -> tuple[LayerPlan, ...]:
    """Layers as a tuple of ``LayerPlan``: from ``"16:tanh,16,1"``, [16, 16, 1], or plans."""
    parts = layers.split(",") if isinstance(layers, str) else list(layers)
    return tuple(LayerPlan.parse(part) for part in parts)


@dataclass(frozen=True)
class TrainConfig:
    """Every hyperparameter of a run, with the defaults of ``gradcli train``; checked when made."""

    layers: tuple[LayerPlan, ...] = tuple(LayerPlan(size) for size in (*DEFAULT_HIDDEN, 1))  # hidden and output
    activation: Activation = Activation.relu  # of the hidden layers that name none; the output layer is linear
    init: Init = Init.uniform  # U(-1, 1) weights, zero biases (micrograd's default)
    init_scale: float = 1.0  # multiplies the width of the initial weights: uniform 0.1 is U(-0.1, 0.1)
    loss: Loss | None = None  # None: hinge (2 classes), cross-entropy (more), mse (regression)
    optimizer: Optimizer = Optimizer.sgd
    lr: float | None = None  # None: default_lr(optimizer)
    schedule: Schedule = Schedule.linear  # lr decays linearly to lr/10 over the run
    steps: int | None = None  # updates; None: DEFAULT_STEPS, or as many as ``epochs`` take
    epochs: int | None = None  # passes over the training set (instead of steps)
    batch_size: int | None = None  # None: the whole training set every step
    shuffle: bool = True  # each pass over the training set in a new order (seeded); False: the file's order
    l2: float = 1e-4  # penalty l2 * sum(p^2), micrograd's alpha
    l1: float = 0.0
    zero_grad: bool = True  # False: gradients accumulate across steps (the classic bug, for teaching)
    eval_every: int | None = None  # evaluate the held-out set every K steps; None: every step when cheap
    patience: int | None = None  # stop after this many evaluations without a better test loss; keep the best
    check_grad_every: int | None = None  # compare backprop with finite differences every N steps
    engine: Engine = Engine.tensor  # or "scalar": one graph per sample
    seed: int = DEFAULT_SEED  # initial weights and batch order (and, in a prepared run, the data and split)

    def __post_init__(self) -> None:
        for name, kind in CHOICES.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_choice(kind, value, name))
        object.__setattr__(self, "layers", parse_layer_plans(self.layers))
        self.check()

    def check(self) -> None:
        """Raise UsageError, naming the field, for an out-of-range setting."""
        if not self.layers or any(plan.size < 1 for plan in self.layers):
            raise UsageError(f"{{setting}} needs sizes >= 1, got {_text(self.layers)}", setting="layers",
                             value=self.sizes)
        if self.steps is not None and not 0 <= self.steps <= MAX_STEPS:
            raise UsageError(f"{{setting}} must lie in 0..{MAX_STEPS:,}, got {self.steps:,}", setting="steps",
                             value=self.steps, limit=(0, MAX_STEPS))
        if self.steps is not None and self.epochs is not None:
            raise UsageError("give {setting} or {setting:epochs}, not both: steps counts updates, epochs counts "
                             "passes over the training set", setting="steps", value=self.steps)
        for name in ("epochs", "patience", "eval_every", "check_grad_every"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= MAX_STEPS:
                raise UsageError(f"{{setting}} must lie in 1..{MAX_STEPS:,}, got {value:,}", setting=name,
                                 value=value, limit=(1, MAX_STEPS))
        if not (self.init_scale > 0 and math.isfinite(self.init_scale)):
            raise UsageError(f"{{setting}} must be a positive number, got {self.init_scale:g} (for all-zero "
                             "weights use {setting:init} zeros)", setting="init_scale", value=self.init_scale)
        if self.lr is not None and not (self.lr > 0 and math.isfinite(self.lr)):
            raise UsageError(f"{{setting}} must be a positive number, got {self.lr:g}", setting="lr", value=self.lr)
        if self.batch_size is not None and self.batch_size < 1:
            raise UsageError(f"{{setting}} must be at least 1, got {self.batch_size}", setting="batch_size",
                             value=self.batch_size, limit=1)
        for name in ("l2", "l1"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise UsageError(f"{{setting}} must be a number >= 0, got {value:g}", setting=name, value=value,
                                 limit=0)

    def check_run(self, n_train: int, has_test: bool) -> int:
        """The number of updates on ``n_train`` samples; UsageError for what this run cannot do."""
        steps = self.planned_steps(n_train)
        if steps > MAX_STEPS:
            raise UsageError(f"{{setting}} {self.epochs:,} at {self.batches_per_epoch(n_train):,} batches each make "
                             f"{steps:,} steps, more than {MAX_STEPS:,}", setting="epochs", value=self.epochs)
        if self.check_grad_every is not None and self.check_grad_every > steps:
            raise UsageError(f"{{setting}} {self.check_grad_every:,} is more than the {steps:,} steps of the run: "
                             "no check would happen; give a smaller number", setting="check_grad_every",
                             value=self.check_grad_every, limit=steps)
        if self.patience is not None and not has_test:
            raise UsageError("{setting} stops on the test loss, and this run holds out no data: "
                             "add {setting:test_fraction} 0.2", setting="patience", value=self.patience)
        return steps

    # -- what follows from the fields -------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """The size of every layer, hidden and output: [16, 16, 1]."""
        return [plan.size for plan in self.layers]

    def activations(self) -> list[Activation]:
        """Every layer's activation: its own, else ``activation`` (hidden) or linear (output)."""
        last = len(self.layers) - 1
        return [plan.activation or (self.activation if i < last else Activation.linear)
                for i, plan in enumerate(self.layers)]

    def uses_activation(self) -> bool:
        """Whether ``activation`` applies to some layer: a hidden layer that names none."""
        return any(plan.activation is None for plan in self.layers[:-1])

    def batches_per_epoch(self, n_train: int) -> int:
        """Updates in one pass over ``n_train`` samples: ceil(n / batch size)."""
        batch = min(self.batch_size or n_train, n_train)
        return -(-n_train // max(batch, 1))

    def planned_steps(self, n_train: int) -> int:
        """How many updates the run makes on ``n_train`` training samples."""
        if self.steps is not None:
            return self.steps
        if self.epochs is not None:
            return self.epochs * self.batches_per_epoch(n_train)
        return DEFAULT_STEPS

    def resolved_lr(self) -> float:
        return self.lr if self.lr is not None else default_lr(self.optimizer)

    @classmethod
    def names(cls) -> list[str]:
        """The fields, in order: the settings a run resolves (see ``settings.py``)."""
        return [f.name for f in fields(cls)]


def _text(layers) -> str:
    return ",".join(map(str, layers))


# fields whose values are one of a StrEnum's members
CHOICES: dict[str, type[StrEnum]] = {"activation": Activation, "init": Init, "loss": Loss, "optimizer": Optimizer,
                                     "schedule": Schedule, "engine": Engine}


def as_choice(kind: type[StrEnum], value, setting: str) -> StrEnum:
    """``value`` as a member of ``kind``; UsageError naming the setting and the choices otherwise."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise UsageError(f"{{setting}} '{value}' is not one of: {choices}", setting=setting, value=value,
                         choices=[member.value for member in kind]) from None
