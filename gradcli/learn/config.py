"""The hyperparameters of a training run: their choices (str Enums), defaults and limits, declared once.

``TrainConfig`` is what ``train.train`` reads; every field has the default of
``gradcli train`` without options.  Choices are ``StrEnum``s, so a plain
string works wherever a member does (``TrainConfig(activation="tanh")``) and
is checked on the way in; an out-of-range value is a ``UsageError`` naming
the field::

    >>> config = TrainConfig(layers=[8, 1], activation="tanh")
    >>> config.activation is Activation.tanh, config.steps, config.resolved_lr()
    (True, 100, 1.0)
    >>> TrainConfig(steps=0)
    Traceback (most recent call last):
    ...
    gradcli.errors.UsageError: steps must lie in 1..1,000,000, got 0

No NumPy here: the CLI builds its options from these Enums at start-up.
Adding a hyperparameter is one field here (checked in ``check``), read by
the training loop, plus its option in ``cli/train_cmd.py``; presets, model
files and the Settings table pick it up by name (``settings.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import StrEnum

from ..data.choices import DEFAULT_SEED, Task
from ..errors import UsageError

__all__ = [
    "Activation", "Init", "Loss", "Optimizer", "Schedule", "Engine",
    "TrainConfig", "CHOICES", "DEFAULT_HIDDEN", "MAX_STEPS", "as_choice", "default_loss", "default_lr",
]


class Activation(StrEnum):
    """Of the hidden layers; the last layer is always linear."""

    relu = "relu"
    tanh = "tanh"
    sigmoid = "sigmoid"
    linear = "linear"


class Init(StrEnum):
    """Initial weights U(-a, a): uniform a = 1, xavier a = sqrt(6 / (fan_in + fan_out)), he a = sqrt(6 / fan_in)."""

    uniform = "uniform"
    xavier = "xavier"
    he = "he"


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
    """batched: one graph per step over NumPy arrays; scalar: one scalar graph per sample."""

    batched = "batched"
    scalar = "scalar"


DEFAULT_HIDDEN = (16, 16)  # hidden layer sizes; the output size follows from the task
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
class TrainConfig:
    """Every hyperparameter of a run, with the defaults of ``gradcli train``; checked when made."""

    layers: list[int] = field(default_factory=lambda: [*DEFAULT_HIDDEN, 1])  # hidden and output sizes
    activation: Activation = Activation.relu  # of the hidden layers; the last layer is always linear
    init: Init = Init.uniform  # U(-1, 1) weights, zero biases (micrograd's default)
    loss: Loss | None = None  # None: hinge (2 classes), cross-entropy (more), mse (regression)
    optimizer: Optimizer = Optimizer.sgd
    lr: float | None = None  # None: default_lr(optimizer)
    schedule: Schedule = Schedule.linear  # lr decays linearly to lr/10 over the run
    steps: int = 100
    batch_size: int | None = None  # None: the whole training set every step
    l2: float = 1e-4  # penalty l2 * sum(p^2), micrograd's alpha
    l1: float = 0.0
    engine: Engine = Engine.batched  # or "scalar": one graph per sample
    seed: int = DEFAULT_SEED  # initial weights and batch order (and, in a prepared run, the data and split)

    def __post_init__(self) -> None:
        for name, kind in CHOICES.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_choice(kind, value, name))
        object.__setattr__(self, "layers", list(self.layers))  # a copy: the caller's list stays theirs
        self.check()

    def check(self) -> None:
        """Raise UsageError, naming the field, for an out-of-range setting."""
        if not self.layers or any(size < 1 for size in self.layers):
            raise UsageError(f"{{setting}} needs sizes >= 1, got {self.layers}", setting="layers", value=self.layers)
        if not 1 <= self.steps <= MAX_STEPS:
            raise UsageError(f"{{setting}} must lie in 1..{MAX_STEPS:,}, got {self.steps:,}", setting="steps",
                             value=self.steps, limit=(1, MAX_STEPS))
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

    def resolved_lr(self) -> float:
        return self.lr if self.lr is not None else default_lr(self.optimizer)

    @classmethod
    def names(cls) -> list[str]:
        """The fields, in order: the settings a run resolves (see ``settings.py``)."""
        return [f.name for f in fields(cls)]


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
