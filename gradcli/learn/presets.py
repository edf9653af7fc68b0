"""Per-dataset training defaults: what each built-in dataset needs that the global defaults lack, and why.

``gradcli train DATASET`` must learn every built-in dataset without the user
guessing a learning rate.  The global defaults (``TrainConfig``: 16,16 relu
hidden layers, sgd at lr 1.0 decaying linearly, 100 steps) suit moons and
most 2-D classification sets; the rest get a ``Preset`` here, with the
reason.  ``settings.resolve_settings`` combines a preset with the caller's
choices and a model file (an option the caller gave always wins)::

    >>> preset_for("spiral", is_builtin=True).optimizer
    <Optimizer.adam: 'adam'>

A preset names settings as ``TrainConfig`` does, except ``hidden``: the
hidden layer sizes, to which the output size (from the task) is added.

A learning rate is tuned for a network.  sgd at lr 1.0 suits moons' 16,16
relu network with hinge, and the same rate sends a deeper net of 4s, or a
squared error, nowhere (50% accuracy).  So a preset's optimiser settings
(``RECIPE``: optimizer, lr, schedule, steps) hold for the MODEL it was tuned
for (``MODEL``: its layers with their activations, init and init scale, loss,
where it sets none: the global defaults).  When a run's model differs and
the caller chose neither an optimiser nor a rate, the settings resolve from
the preset's ``adapted`` recipe instead, and say so (``settings.py``).  Adam
steps about lr whatever the gradient's size, so one rate suits most networks
and losses: ``ADAPTED`` is the recipe of the sgd presets; the presets that
already use adam keep theirs (``adapted=None``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Activation, Init, Loss, Optimizer, Schedule

__all__ = ["Preset", "Recipe", "PRESETS", "CSV_PRESET", "GENERIC_PRESET", "ADAPTED", "MODEL", "RECIPE",
           "preset_for"]

MODEL = ("layers", "activation", "init", "init_scale", "loss")  # what a preset's recipe was tuned on
RECIPE = ("optimizer", "lr", "schedule", "steps")  # the settings a preset adapts to another model


@dataclass(frozen=True)
class Recipe:
    """Optimiser settings for a network other than the one a preset was tuned for."""

    why: str
    optimizer: Optimizer
    lr: float
    schedule: Schedule
    steps: int


# Measured on moons, circles, xor, circle and gauss with 64 networks drawn from 4,4,4,1 / 8,1 / 32,1 / 8,8,1 /
# 16,16,16,1 (and 2 outputs for cross-entropy), relu or tanh, init xavier-normal, he or uniform, hinge or mse
# (docs/training.md): 62 of 64 reach >= 95% training accuracy this way, 34 of 64 with sgd at lr 1.0.
ADAPTED = Recipe("adam adapts its step to each weight's gradient, so one rate suits most networks and losses",
                 optimizer=Optimizer.adam, lr=0.03, schedule=Schedule.cosine, steps=300)


@dataclass(frozen=True)
class Preset:
    """Settings that differ from the global defaults for one dataset (None: not set)."""

    why: str
    hidden: tuple[int, ...] | None = None  # hidden layer sizes; the output size follows from the task
    activation: Activation | None = None
    init: Init | None = None
    loss: Loss | None = None
    optimizer: Optimizer | None = None
    lr: float | None = None  # for ``optimizer`` (sgd when not set)
    schedule: Schedule | None = None
    steps: int | None = None
    l2: float | None = None
    standardize: bool | None = True  # built-in sets are scaled to zero mean and unit variance unless said otherwise
    adapted: Recipe | None = ADAPTED  # the recipe for another model; None: this preset's own recipe holds


_REGRESSION = dict(optimizer=Optimizer.adam, lr=0.03, activation=Activation.tanh, steps=300, adapted=None)
_PLAYGROUND = "the Playground's coordinates span [-5, 5]"

# ``why`` is the reason alone: the note of a run lists the values a preset gave it (settings.py)
PRESETS: dict[str, Preset] = {
    "moons": Preset("micrograd's demo trains on the raw inputs", standardize=False),
    "circles": Preset("inputs on one scale train faster"),
    "blobs": Preset("the cluster centres lie ~5 units out"),
    "circle": Preset(_PLAYGROUND),
    "xor": Preset(_PLAYGROUND),
    "gauss": Preset(_PLAYGROUND),
    "spiral": Preset("the arms need many small adaptive steps", optimizer=Optimizer.adam, lr=0.03, steps=300,
                     adapted=None),
    "reg-plane": Preset("sgd at lr 1.0 diverges on a squared error; adam with tanh is smooth", **_REGRESSION),
    "reg-gauss": Preset("six bumps need longer than the other regression sets", **{**_REGRESSION, "steps": 500}),
    "sine": Preset("adam with tanh follows the curve; sgd at lr 1.0 diverges on a squared error", **_REGRESSION),
    "toy4": Preset("micrograd's classic; its lr 0.05 on the summed loss is 0.2 on the mean of 4 samples",
                   hidden=(4, 4), activation=Activation.tanh, loss=Loss.mse, lr=0.2, schedule=Schedule.constant,
                   l2=0.0, standardize=False),
    "linear2": Preset("the two-sample demo",
                      hidden=(3,), lr=0.01, schedule=Schedule.constant, l2=0.0, steps=200, standardize=False,
                      adapted=Recipe("raw targets up to 16: adam needs larger steps than 0.03 to reach them",
                                     Optimizer.adam, 0.3, Schedule.cosine, 300)),
}

# A CSV file given by path: its numbers are used exactly as written.
CSV_PRESET = Preset("a CSV file's numbers are used exactly as given", standardize=False)
GENERIC_PRESET = Preset("global defaults", standardize=None)


def preset_for(dataset: str, is_builtin: bool) -> Preset:
    """The preset of a built-in dataset by name; a CSV file given by path uses its numbers as they are."""
    if dataset in PRESETS:
        return PRESETS[dataset]
    return GENERIC_PRESET if is_builtin else CSV_PRESET
