"""Per-dataset training defaults, and how they combine with the user's options.

``gradcli train DATASET`` must learn every built-in dataset without the user
guessing a learning rate.  The global defaults (16,16 relu hidden layers,
sgd at lr 1.0 decaying linearly, 100 steps) suit moons and most 2-D
classification sets; the rest get a ``Preset`` here, with the reason.

Precedence, for every setting: an option the user gave > the dataset's
preset > the global default.  The learning rate of a preset belongs to its
optimiser: ``--optimizer adam`` on a dataset whose preset tunes sgd falls
back to adam's default rate.  ``resolve`` returns the ``TrainConfig``, the
standardisation switch, and where each value came from (for the summary)::

    settings = resolve("spiral", task="binary", n_classes=2, given={"steps": 50})
    settings.config.steps, settings.sources["steps"], settings.sources["lr"]
    # (50, 'option', 'preset')
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .train import TrainConfig, default_loss, default_lr

__all__ = ["Preset", "PRESETS", "Settings", "resolve", "DEFAULT_HIDDEN"]

DEFAULT_HIDDEN = [16, 16]


@dataclass(frozen=True)
class Preset:
    """Settings that differ from the global defaults for one dataset (None: not set)."""

    why: str
    hidden: tuple[int, ...] | None = None  # hidden layer sizes; the output size follows from the task
    activation: str | None = None
    init: str | None = None
    loss: str | None = None
    optimizer: str | None = None
    lr: float | None = None  # for ``optimizer`` (sgd when not set)
    schedule: str | None = None
    steps: int | None = None
    l2: float | None = None
    standardize: bool = True  # built-in sets are scaled to zero mean and unit variance unless said otherwise


_REGRESSION = dict(optimizer="adam", lr=0.03, activation="tanh", steps=300)

PRESETS: dict[str, Preset] = {
    "moons": Preset("micrograd's demo exactly: raw inputs, sgd lr 1.0", standardize=False),
    "circles": Preset("standardised inputs"),
    "blobs": Preset("standardised inputs: the cluster centres lie ~5 units out"),
    "circle": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "xor": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "gauss": Preset("standardised inputs: the Playground's coordinates span [-5, 5]"),
    "spiral": Preset("the arms need many small adaptive steps: adam lr 0.03, 300 steps",
                     optimizer="adam", lr=0.03, steps=300),
    "reg-plane": Preset("regression: sgd at lr 1.0 diverges on mse; adam lr 0.03 with tanh is smooth", **_REGRESSION),
    "reg-gauss": Preset("six bumps need longer: adam lr 0.03, tanh, 500 steps", **{**_REGRESSION, "steps": 500}),
    "sine": Preset("regression: adam lr 0.03 with tanh follows the curve", **_REGRESSION),
    "toy4": Preset("micrograd's classic: MLP(3, [4, 4, 1]), tanh, squared error, lr 0.05 on the summed loss "
                   "(= 0.2 on the mean of 4 samples), no decay, no penalty",
                   hidden=(4, 4), activation="tanh", loss="mse", lr=0.2, schedule="constant", l2=0.0,
                   standardize=False),
    "linear2": Preset("the two-sample demo: one hidden layer of 3 relu, lr 0.01, no decay, no penalty, 200 steps",
                      hidden=(3,), lr=0.01, schedule="constant", l2=0.0, steps=200, standardize=False),
}

# A CSV file given by path: its numbers are used exactly as written.
CSV_PRESET = Preset("a CSV file: inputs used exactly as given", standardize=False)
GENERIC_PRESET = Preset("global defaults")


@dataclass
class Settings:
    """The resolved run: config, input scaling, and the source of each setting."""

    config: TrainConfig
    standardize: bool
    sources: dict[str, str] = field(default_factory=dict)  # name -> "option" | "preset" | "default"
    preset_why: str = ""

    def shown(self) -> list[tuple[str, str, str]]:
        """(setting, value, source) rows for the summary."""
        c = self.config
        values = {
            "layers": ",".join(map(str, c.layers)), "activation": c.activation, "init": c.init,
            "loss": c.loss, "optimizer": c.optimizer, "lr": f"{c.lr:g}", "schedule": c.schedule,
            "steps": str(c.steps), "batch_size": "all" if c.batch_size is None else str(c.batch_size),
            "l2": f"{c.l2:g}", "l1": f"{c.l1:g}", "standardize": "yes" if self.standardize else "no",
            "engine": c.engine, "seed": str(c.seed),
        }
        return [(name, value, self.sources.get(name, "default")) for name, value in values.items()]


def preset_for(dataset: str, is_builtin: bool) -> Preset:
    if dataset in PRESETS:
        return PRESETS[dataset]
    return GENERIC_PRESET if is_builtin else CSV_PRESET


def resolve(dataset: str, *, task: str, n_classes: int, given: dict, is_builtin: bool = True) -> Settings:
    """Combine the options the user ``given`` (name -> value; None or absent: not given) with the preset."""
    preset = preset_for(dataset, is_builtin)
    given = {name: value for name, value in given.items() if value is not None}
    sources: dict[str, str] = {}
    values: dict = {}
    config_names = [f.name for f in fields(TrainConfig)]
    for name in config_names:
        if name in given:
            values[name], sources[name] = given[name], "option"
        elif name not in ("layers", "lr", "loss") and getattr(preset, name, None) is not None:
            values[name], sources[name] = getattr(preset, name), "preset"
    config = TrainConfig(**values)

    # loss: option > preset > by task; two outputs on a binary set mean cross-entropy
    if config.loss is None:
        if preset.loss is not None:
            config.loss, sources["loss"] = preset.loss, "preset"
        elif task == "binary" and "layers" in given and given["layers"][-1] == 2:
            config.loss = "cross-entropy"
        else:
            config.loss = default_loss(task, n_classes)

    if "layers" not in given:
        hidden = list(preset.hidden) if preset.hidden is not None else list(DEFAULT_HIDDEN)
        outputs = n_classes if (task == "multiclass" or config.loss == "cross-entropy") else 1
        config.layers = hidden + [outputs]
        if preset.hidden is not None:
            sources["layers"] = "preset"

    # the preset's rate was tuned for its optimiser only
    if config.lr is None:
        if preset.lr is not None and config.optimizer == (preset.optimizer or "sgd"):
            config.lr, sources["lr"] = preset.lr, "preset"
        else:
            config.lr = default_lr(config.optimizer)

    if "standardize" in given:
        standardize, sources["standardize"] = bool(given["standardize"]), "option"
    else:
        standardize = preset.standardize
        sources["standardize"] = "preset" if preset is not GENERIC_PRESET else "default"
    return Settings(config, standardize, sources, preset.why)
