"""Inside every neuron: each unit's output over the input plane, and how it behaves on a dataset.

The TensorFlow Playground draws, inside each neuron, its output over the input
plane.  ``neuron_maps`` computes those pictures as numbers (one grid per
unit, for a model of two raw inputs), ``activation_stats`` how each unit
behaves on a set of inputs; ``inspect_model`` puts both together for
``gradcli show`` and ``gradcli draw --neurons`` (the pictures come from
``pictures/``, the tables from ``render/``)::

    report = inspect_model(Predictor.from_saved(load_model("model.json")), X_raw)
    report.layers[0].stats[3].active, report.layers[0].dead    # 0.62, [5, 11]

A unit is **active** on a sample when its slope there is more than 1% of its
largest slope, that is, when it passes gradient back: relu and leaky-relu
when their input is positive, tanh while |output| < 0.995, sigmoid while its
output is within about 0.0025 of neither 0 nor 1, softplus while its input
is above -4.6, linear always.  A unit active on no sample is **dead**: its
incoming weights get no gradient (for relu: the dead ReLU; for tanh and
sigmoid: saturated everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["ACTIVE_SHARE", "NeuronStats", "LayerReport", "Inspection", "activation_stats", "dead_share",
           "inspect_model", "input_maps", "neuron_maps", "plane_bounds", "plane_grid", "recorded_dataset",
           "slope_share"]

ACTIVE_SHARE = 0.01  # a unit is active where its slope is more than this share of its largest
MAP_MARGIN = 0.08  # room around the data in a neuron map, as a fraction of its range (as termmap's)


@dataclass
class NeuronStats:
    """How one unit behaves on a set of inputs."""

    layer: int  # from 1
    neuron: int  # from 1
    activation: str
    active: float  # fraction of the samples on which it is active
    mean: float  # of its output
    low: float
    high: float

    @property
    def dead(self) -> bool:
        return self.active == 0.0


@dataclass
class LayerReport:
    number: int  # from 1
    activation: str
    size: int
    stats: list[NeuronStats] | None = None  # None: no data to measure on
    maps: np.ndarray | None = None  # (size, height, width): each unit's output over the plane, top row first

    @property
    def dead(self) -> list[int]:
        """The numbers (from 1) of the units active on no sample."""
        return [s.neuron for s in self.stats or [] if s.dead]


@dataclass
class Inspection:
    layers: list[LayerReport]
    samples: int = 0  # rows the statistics were measured on (0: none)
    bounds: tuple[float, float, float, float] | None = None  # the plane the maps cover (x0, x1, y0, y1)
    notes: list[str] = field(default_factory=list)


def slope_share(activation: str, output: np.ndarray) -> np.ndarray:
    """Each output's slope as a share of the activation's largest slope (1 for relu above 0)."""
    out = np.asarray(output, dtype=np.float64)
    if activation in ("relu", "leaky-relu"):
        return (out > 0.0).astype(np.float64)  # leaky-relu's 0.01 below is not "more than 1%"
    if activation == "tanh":
        return 1.0 - out * out
    if activation == "sigmoid":
        return 4.0 * out * (1.0 - out)
    if activation == "softplus":
        return -np.expm1(-out)  # sigmoid(z) = 1 - e^-softplus(z)
    return np.ones_like(out)  # linear


def activation_stats(model, X: np.ndarray) -> list[list[NeuronStats]]:
    """Per layer, per unit: the share of the rows of X (network inputs) it is active on, its mean, low, high."""
    layers = []
    with np.errstate(all="ignore"):
        outputs = model.layer_outputs(X)
    for number, (layer, out) in enumerate(zip(model.layers, outputs), start=1):
        active = (slope_share(layer.activation, out) > ACTIVE_SHARE).mean(axis=0)
        layers.append([NeuronStats(number, j + 1, layer.activation, float(active[j]), float(out[:, j].mean()),
                                   float(out[:, j].min()), float(out[:, j].max())) for j in range(out.shape[1])])
    return layers


def dead_share(model, X: np.ndarray, activation: str = "relu") -> tuple[int, int]:
    """(dead units, units) over the hidden layers that use ``activation``, on the rows of X."""
    stats = activation_stats(model, X)[:-1]
    units = [s for layer in stats for s in layer if s.activation == activation]
    return sum(s.dead for s in units), len(units)


def plane_bounds(X2: np.ndarray | None = None, recorded=None) -> tuple[float, float, float, float]:
    """The plane a map covers: around the points X2, else the bounds a model file recorded, else [-1.5, 1.5]^2."""
    if X2 is not None and len(X2):
        low, high = X2.min(axis=0), X2.max(axis=0)
    elif recorded:
        low, high = np.array([b[0] for b in recorded], dtype=float), np.array([b[1] for b in recorded], dtype=float)
    else:
        low, high = np.array([-1.5, -1.5]), np.array([1.5, 1.5])
    span = np.where(high > low, high - low, 2.0)
    low, high = np.where(high > low, low, low - 1.0), np.where(high > low, high, high + 1.0)
    return (float(low[0] - MAP_MARGIN * span[0]), float(high[0] + MAP_MARGIN * span[0]),
            float(low[1] - MAP_MARGIN * span[1]), float(high[1] + MAP_MARGIN * span[1]))


def plane_grid(bounds, width: int, height: int) -> np.ndarray:
    """(height * width, 2) points at the centres of a width x height grid, row by row from the top."""
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(width) + 0.5) * (x1 - x0) / width
    ys = y1 - (np.arange(height) + 0.5) * (y1 - y0) / height
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def neuron_maps(predictor, bounds, width: int, height: int) -> list[np.ndarray]:
    """Per layer, (units, height, width): every unit's output over the raw input plane (2 raw inputs)."""
    grid = predictor.pipeline.transform(plane_grid(bounds, width, height))
    with np.errstate(all="ignore"):
        outputs = predictor.model.layer_outputs(grid)
    return [out.T.reshape(out.shape[1], height, width) for out in outputs]


def input_maps(predictor, bounds, width: int, height: int) -> np.ndarray:
    """(network inputs, height, width): every feature the first layer reads, over the raw input plane."""
    grid = predictor.pipeline.transform(plane_grid(bounds, width, height))
    return grid.T.reshape(grid.shape[1], height, width)


def recorded_dataset(saved):
    """The dataset a model file says it was trained on, loaded again with its parameters; None if that fails."""
    from ..data.datasets import load_dataset
    from ..errors import GradcliError

    meta = saved.meta if isinstance(saved.meta, dict) else {}
    name, params = meta.get("dataset"), meta.get("dataset_params")
    if not isinstance(name, str):
        return None
    keywords = {key: params[key] for key in ("samples", "noise", "seed", "classes")
                if isinstance(params, dict) and key in params}
    try:
        return load_dataset(name, **keywords)
    except (GradcliError, TypeError, OSError):
        return None  # a CSV file that moved, parameters of another version: no data, not an error


def inspect_model(predictor, X_raw: np.ndarray | None = None, *, map_size: tuple[int, int] | None = (12, 12),
                  recorded_bounds=None) -> Inspection:
    """Statistics on X_raw (raw inputs, if given) and, for two raw inputs, a map of every unit."""
    model = predictor.model
    layers = [LayerReport(number, layer.activation, layer.nout)
              for number, layer in enumerate(model.layers, start=1)]
    report = Inspection(layers)
    if X_raw is not None and len(X_raw):
        for layer, stats in zip(layers, activation_stats(model, predictor.pipeline.transform(X_raw))):
            layer.stats = stats
        report.samples = len(X_raw)
    if map_size is not None and len(predictor.input_names) == 2:
        report.bounds = plane_bounds(X_raw, recorded_bounds)
        for layer, maps in zip(layers, neuron_maps(predictor, report.bounds, *map_size)):
            layer.maps = maps
    elif map_size is not None:
        report.notes.append(f"maps need a model of 2 inputs; this one takes {len(predictor.input_names)}")
    return report
