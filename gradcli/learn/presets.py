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
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Activation, Init, Loss, Optimizer, Schedule

__all__ = ["Preset", "PRESETS", "CSV_PRESET", "GENERIC_PRESET", "preset_for"]


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


_REGRESSION = dict(optimizer=Optimizer.adam, lr=0.03, activation=Activation.tanh, steps=300)

PRESETS: dict[str, Preset] = {
    "moons": Preset("micrograd's demo exactly: raw inputs, sgd lr 1.0", standardize=False),
    "circles": Preset("standardised inputs"),
    "blobs": Preset("standardised inputs: the cluster centres lie ~5 units out"),
    "circle": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "xor": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "gauss": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "spiral": Preset("the arms need many small adaptive steps: adam lr 0.03, 300 steps",
                     optimizer=Optimizer.adam, lr=0.03, steps=300),
    "reg-plane": Preset("regression: sgd at lr 1.0 diverges on mse; adam lr 0.03 with tanh is smooth", **_REGRESSION),
    "reg-gauss": Preset("six bumps need longer: adam lr 0.03, tanh, 500 steps", **{**_REGRESSION, "steps": 500}),
    "sine": Preset("regression: adam lr 0.03 with tanh follows the curve", **_REGRESSION),
    "toy4": Preset("micrograd's classic: MLP(3, [4, 4, 1]), tanh, squared error, lr 0.05 on the summed loss "
                   "(= 0.2 on the mean of 4 samples), no decay, no penalty",
                   hidden=(4, 4), activation=Activation.tanh, loss=Loss.mse, lr=0.2, schedule=Schedule.constant,
                   l2=0.0, standardize=False),
    "linear2": Preset("the two-sample demo: one hidden layer of 3 relu, lr 0.01, no decay, no penalty, 200 steps",
                      hidden=(3,), lr=0.01, schedule=Schedule.constant, l2=0.0, steps=200, standardize=False),
}

# A CSV file given by path: its numbers are used exactly as written.
CSV_PRESET = Preset("a CSV file: inputs used exactly as given", standardize=False)
GENERIC_PRESET = Preset("global defaults", standardize=None)


def preset_for(dataset: str, is_builtin: bool) -> Preset:
    """The preset of a built-in dataset by name; a CSV file given by path uses its numbers as they are."""
    if dataset in PRESETS:
        return PRESETS[dataset]
    return GENERIC_PRESET if is_builtin else CSV_PRESET
