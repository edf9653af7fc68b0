"""A sweep's grid: the settings that vary, their values, the seeds, and the runs they make.

Every setting of a training run can take several values (``GRID_SETTINGS``:
``TrainConfig``'s fields, ``standardize``, the data options and
``init_from``).  A grid is read from text, one text per setting, as the
command line gives it: values are separated by commas, except for settings
whose one value is itself a list (``layers``, ``features``), whose
alternatives are separated by ``;``::

    >>> grid = make_grid("moons", {"lr": "0.01,0.1", "layers": "8,1;16,16,1", "steps": "50"}, seeds=2)
    >>> grid.size, [name for name, _ in grid.axes], grid.fixed, grid.seeds
    (8, ['lr', 'layers'], {'steps': 50}, (1337, 1338))
    >>> run = grid.runs()[3]
    >>> run.label(), run.stem()
    ('lr=0.01 layers=16,16,1 seed=1338', 'lr=0.01_layers=16x16x1_seed=1338')

A setting with one value applies to every run (``fixed``); one with several
is an axis.  The runs are every combination of the axes (in the order the
settings were given, the last changing fastest) times every seed.  The seed
is not an axis: a run's mean and spread are taken over its seeds.  Each value
is checked on its own when the grid is made (``lr -1`` is refused at once);
what only a combination gets wrong (``loss hinge`` with ``layers 8,2``) fails
that run alone, when it runs.
"""

from __future__ import annotations

import itertools
import math
import re
import typing
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Callable, Mapping

from ..data.choices import DEFAULT_SEED, SEED_LIMIT, TaskChoice
from ..data.features import parse_features
from ..errors import UsageError
from ..numbers import exact
from ..suggest import close_names
from .config import LayerPlan, TrainConfig, as_choice, parse_layer_plans
from .run import DataOptions
from .settings import SETTINGS

__all__ = ["GRID_SETTINGS", "LIST_SETTINGS", "MAX_RUNS", "Grid", "RunSpec", "make_grid", "parse_values", "value_text"]

MAX_RUNS = 10_000  # a larger grid is more likely a slip than a plan: it runs only when confirmed
DATA_SETTINGS = tuple(f.name for f in fields(DataOptions))  # samples, noise, classes, target, task, features, ...
GRID_SETTINGS = (*SETTINGS, *DATA_SETTINGS, "init_from")  # every setting a sweep can vary
LIST_SETTINGS = ("layers", "features")  # one value is a comma list: alternatives are separated by ";"
_BOOLEANS = {"yes": True, "true": True, "on": True, "1": True, "no": False, "false": False, "off": False, "0": False}
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _kinds() -> dict[str, object]:
    """setting -> what its values are: a StrEnum, bool, int, float, str, or "layers" / "features"."""
    hints = {**typing.get_type_hints(TrainConfig), **typing.get_type_hints(DataOptions)}
    kinds: dict[str, object] = {"layers": "layers", "features": "features", "standardize": bool, "task": TaskChoice,
                                "init_from": str}
    for name in GRID_SETTINGS:
        if name not in kinds:
            options = [kind for kind in typing.get_args(hints[name]) or (hints[name],) if kind is not type(None)]
            kinds[name] = options[0]
    return kinds


KINDS = _kinds()


def parse_values(setting: str, text: str, parse_one: Callable[[str], object] | None = None) -> tuple:
    """The values in ``text`` for ``setting``, each checked on its own (``UsageError`` naming the setting).

    ``parse_one`` reads one value instead of the setting's own reader (the command line's ``--layers``
    checks sizes against its limits).
    """
    if setting not in KINDS:
        raise _unknown(setting)
    separator = ";" if setting in LIST_SETTINGS else ","
    if not text.strip():
        raise UsageError(f"{{setting}} '{text}' gives no values: the grid would be empty; give values such as "
                         f"{_example(setting)}", setting=setting, value=text)
    values = []
    for position, item in enumerate(text.split(separator), start=1):
        item = item.strip()
        if not item:
            raise UsageError(f"{{setting}} '{text}': value {position} is empty; separate values with "
                             f"'{separator}' as in {_example(setting)}", setting=setting, value=text)
        value = parse_one(item) if parse_one is not None else _parse_one(setting, item, text)
        _check_alone(setting, value)
        if value in values:
            raise UsageError(f"{{setting}} '{text}' gives {value_text(setting, value)} twice", setting=setting,
                             value=text)
        same_name = [other for other in values if _stem_text(setting, other) == _stem_text(setting, value)]
        if same_name:  # its runs would be saved over each other's (--save-dir) and share one name
            raise UsageError(f"{{setting}} '{text}': {value_text(setting, same_name[0])} and "
                             f"{value_text(setting, value)} make the same file name, {_stem_text(setting, value)}",
                             hint="rename one of them", setting=setting, value=text)
        values.append(value)
    return tuple(values)


def _parse_one(setting: str, item: str, text: str):
    kind = KINDS[setting]
    where = f"{{setting}} '{text}'"
    if kind == "layers":
        return parse_layer_plans(item)
    if kind == "features":
        return tuple(parse_features(item))
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return as_choice(kind, item, setting)
    if kind is bool:
        if item.lower() not in _BOOLEANS:
            raise UsageError(f"{where}: '{item}' is not yes or no", setting=setting, value=text)
        return _BOOLEANS[item.lower()]
    if kind is int:
        if not _INT.match(item):
            raise UsageError(f"{where}: '{item}' is not a whole number", setting=setting, value=text)
        return int(item)
    if kind is float:
        if not _FLOAT.match(item) or not math.isfinite(float(item)):
            raise UsageError(f"{where}: '{item}' is not a finite number", setting=setting, value=text)
        return float(item)
    return item


def _check_alone(setting: str, value) -> None:
    """What a value gets wrong whatever it is combined with (TrainConfig's own checks; the seed's range)."""
    if setting in TrainConfig.names() and setting != "seed":
        TrainConfig(**{setting: value})
    if setting == "seed" and not 0 <= value < SEED_LIMIT:
        raise UsageError(f"{{setting}} must lie in 0..{SEED_LIMIT - 1}, got {value}", setting="seed", value=value)


def _example(setting: str) -> str:
    kind = KINDS[setting]
    if kind == "layers":
        return "8,1;16,16,1"
    if kind == "features":
        return "x,y;x,y,x2,y2"
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return ",".join(member.value for member in list(kind)[:2])
    return {bool: "yes,no", int: "50,100", float: "0.1,1"}.get(kind, "a,b")


def _unknown(setting: str) -> UsageError:
    close = close_names(setting, GRID_SETTINGS, limit=1)
    return UsageError(f"'{setting}' is not a setting of a training run, so a sweep cannot vary it"
                      + (f" (did you mean {close[0]}?)" if close else ""),
                      hint="the settings are: " + ", ".join(GRID_SETTINGS), value=setting)


def value_text(setting: str, value) -> str:
    """One value as the command line writes it: ``16,16,1``, ``x,y,x2``, ``yes``, ``0.1``."""
    if setting == "layers":
        return ",".join(str(LayerPlan.parse(plan)) for plan in value)
    if setting == "features":
        return ",".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return exact(value)
    return str(value)


def _stem_text(setting: str, value) -> str:
    """A value in a file name: ``16x16x1`` (layers), ``x+y+x2`` (features); other characters kept safe."""
    if setting == "layers":
        text = "x".join(f"{plan.size}{plan.activation or ''}" for plan in value)
    elif setting == "features":
        text = "+".join(value)
    else:
        text = value_text(setting, value)
    return re.sub(r"[^A-Za-z0-9.+-]", "-", text)


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its place, the axes' values, its seed and every setting it is given."""

    index: int  # 0-based, in the grid's order
    dataset: str
    combination: tuple  # ((setting, value), ...) of the grid's axes
    seed: int
    settings: Mapping = field(default_factory=dict)  # every chosen setting (fixed, axes, seed), by Python name
    command: str = ""  # the same run as one `gradcli train` command, when the caller says how to write it

    def label(self) -> str:
        """``lr=0.1 layers=16,16,1 seed=1337``."""
        return " ".join([f"{name}={value_text(name, value)}" for name, value in self.combination]
                        + [f"seed={self.seed}"])

    def stem(self) -> str:
        """A file name (without suffix) that says the run's settings: ``lr=0.1_layers=16x16x1_seed=1337``."""
        return "_".join([f"{name}={_stem_text(name, value)}" for name, value in self.combination]
                        + [f"seed={self.seed}"])

    def train_settings(self) -> dict:
        """The keywords of ``prepare_run``: the run's settings that are not data options or ``init_from``."""
        return {name: value for name, value in self.settings.items() if name in SETTINGS}

    def data_options(self) -> DataOptions:
        given = {name: value for name, value in self.settings.items() if name in DATA_SETTINGS}
        if "features" in given:
            given["features"] = list(given["features"])
        return DataOptions(**given)


@dataclass(frozen=True)
class Grid:
    """The settings that vary (``axes``), those that do not (``fixed``) and the seeds of every combination."""

    dataset: str
    axes: tuple  # ((setting, (value, ...)), ...) in the order given
    fixed: dict
    seeds: tuple
    order: tuple = ()  # every setting given, in the order given (how a run's settings are listed)

    @property
    def combinations(self) -> int:
        return math.prod(len(values) for _, values in self.axes)

    @property
    def size(self) -> int:
        """The number of runs: combinations x seeds."""
        return self.combinations * len(self.seeds)

    def describe_size(self) -> str:
        """``24 runs (3 lr x 2 init x 2 layers x 2 seeds)``."""
        parts = [f"{len(values):,} {name}" for name, values in self.axes] + [
            f"{len(self.seeds):,} seed{'s' if len(self.seeds) != 1 else ''}"]
        return f"{self.size:,} run{'s' if self.size != 1 else ''} ({' x '.join(parts)})"

    def check_size(self, confirmed: bool = False, limit: int = MAX_RUNS) -> None:
        """``UsageError`` for a grid of more than ``limit`` runs, unless ``confirmed``."""
        if self.size > limit and not confirmed:
            raise UsageError(f"the grid makes {self.describe_size()}, more than {limit:,}",
                             hint="add {setting} to run them all, or give fewer values", setting="yes",
                             value=self.size, limit=limit)

    def runs(self, command_of: Callable[[str, dict], str] | None = None) -> list[RunSpec]:
        """Every run, combination by combination, each combination seed by seed.

        ``command_of(dataset, settings)`` writes a run as one command (the CLI: ``gradcli train ...``).
        """
        names = [name for name, _ in self.axes]
        specs = []
        for values in itertools.product(*(values for _, values in self.axes)):
            combination = tuple(zip(names, values))
            for seed in self.seeds:
                chosen = {**self.fixed, **dict(combination)}
                settings = {name: chosen[name] for name in (*self.order, *chosen) if name in chosen}
                settings["seed"] = seed
                command = command_of(self.dataset, settings) if command_of is not None else ""
                specs.append(RunSpec(len(specs), self.dataset, combination, seed, settings, command))
        return specs


def make_grid(dataset: str, texts: Mapping[str, str], *, seeds: int | None = None,
              parsers: Mapping[str, Callable[[str], object]] | None = None) -> Grid:
    """The grid of ``texts`` (setting -> values as text); ``seeds`` runs each combination with that many seeds.

    The seeds are ``seed`` (one value, 1337 by default) and the ones after it; or every value ``seed`` lists.
    ``parsers`` reads one value of a setting in the caller's own way (see ``parse_values``).
    """
    parsers = parsers or {}
    values = {name: parse_values(name, text, parsers.get(name)) for name, text in texts.items()}
    seed_values = values.pop("seed", (DEFAULT_SEED,))
    if seeds is not None:
        if seeds < 1:
            raise UsageError(f"{{setting}} must be at least 1, got {seeds}: with no seed the grid is empty",
                             setting="seeds", value=seeds)
        if len(seed_values) > 1:
            raise UsageError("give {setting:seed} one value when {setting} counts the seeds, or list the seeds "
                             "in {setting:seed} alone", setting="seeds", value=seeds)
        seed_values = tuple(seed_values[0] + k for k in range(seeds))
        if seed_values[-1] >= SEED_LIMIT:
            raise UsageError(f"{{setting}} {seeds} from seed {seed_values[0]} goes past the largest seed, "
                             f"{SEED_LIMIT - 1}", setting="seeds", value=seeds)
    axes = tuple((name, vals) for name, vals in values.items() if len(vals) > 1)
    fixed = {name: vals[0] for name, vals in values.items() if len(vals) == 1}
    return Grid(dataset, axes, fixed, tuple(seed_values), tuple(name for name in values))
