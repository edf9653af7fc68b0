"""``gradcli show``: inside every neuron of a saved model, as terminal pictures and tables, or JSON.

``show_renderables(report, title, inputs)`` -> Rich renderables: per layer a row
of small maps (``pictures.termmap.value_tile``: each unit's output over the
input plane, orange below 0 and blue above, each map scaled to its own
largest |output|) captioned with the unit's number, the share of samples it
is active on and its mean, dead units flagged; then a table of the layers.
For a model without two raw inputs there are no maps: a table per layer
lists every unit instead.  ``show_document(report)`` is the data of
``--format json``.  The numbers come from ``learn/inspect.py``.
"""

from __future__ import annotations

import numpy as np

from ..numbers import percent, short
from . import style

__all__ = ["show_renderables", "show_document"]


def show_renderables(report, title: str, input_names: list[str], input_maps=None,
                     feature_names: list[str] | None = None) -> list:
    """The pictures and tables of an ``inspect.Inspection``, first to last layer.

    ``input_maps`` (one per network input, named by ``feature_names``) are shown first, as the inputs row.
    """
    from rich.text import Text

    out = [Text(title, style="bold")]
    if report.bounds is not None:
        x0, x1, y0, y1 = report.bounds
        out.append(Text(f"maps over {short(x0, 3)} <= {input_names[0]} <= {short(x1, 3)}, "
                        f"{short(y0, 3)} <= {input_names[1]} <= {short(y1, 3)}; orange < 0 < blue, "
                        "each map scaled to its own largest |output|", style="dim"))
    if input_maps is not None:
        out.append(Text("inputs", style="bold"))
        out.append(_tiles([(name, None) for name in feature_names or input_names], input_maps))
    for layer in report.layers:
        dead = f", dead: {_unit_numbers(layer.dead)}" if layer.dead else ""
        out.append(Text(f"layer {layer.number}: {layer.size} {layer.activation}{dead}", style="bold"))
        if layer.maps is not None:
            captions = [(f"#{j + 1}", None if layer.stats is None else layer.stats[j]) for j in range(layer.size)]
            out.append(_tiles(captions, layer.maps))
        elif layer.stats is not None:
            out.append(_neuron_table(layer))
    if report.samples:
        out.append(_layer_table(report))
    for note in report.notes:
        out.append(Text(note, style="dim"))
    return out


def _tiles(captions: list, maps: np.ndarray):
    """One small map per unit, side by side, wrapping at the console's width."""
    from rich.columns import Columns
    from rich.table import Table
    from rich.text import Text

    from ..pictures.termmap import value_tile

    cells = []
    for (name, stats), values in zip(captions, maps):
        scale = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
        tile = Table.grid()
        tile.add_row(value_tile(values / scale if scale > 0 else np.zeros_like(values)))
        if stats is None:
            tile.add_row(Text(name))
        elif stats.dead:
            tile.add_row(Text.assemble(name, " ", ("DEAD", "bold red")))
            tile.add_row(Text(f"mean {short(stats.mean, 2)}", style="dim"))
        else:
            tile.add_row(Text(f"{name} {percent(stats.active)}"))
            tile.add_row(Text(f"mean {short(stats.mean, 2)}", style="dim"))
        cells.append(tile)
    return Columns(cells, padding=(0, 2))


def _neuron_table(layer):
    table = style.table(rules=False)
    for name in ("unit", "active", "mean", "low", "high", ""):
        table.add_column(name, justify="left" if name in ("unit", "") else "right")
    for s in layer.stats:
        table.add_row(f"#{s.neuron}", percent(s.active), short(s.mean), short(s.low), short(s.high),
                      "DEAD" if s.dead else "")
    return table


def _layer_table(report):
    table = style.table(f"Activity on {report.samples} samples")
    for name in ("layer", "units", "activation", "active (mean)", "dead"):
        table.add_column(name, justify="right" if name in ("units", "active (mean)") else "left")
    for layer in report.layers:
        active = sum(s.active for s in layer.stats) / len(layer.stats)
        table.add_row(str(layer.number), str(layer.size), layer.activation, percent(active),
                      _unit_numbers(layer.dead) or "-")
    return table


def _unit_numbers(units) -> str:
    """Units by the numbers their tiles show ("#3, #8"): a bare 8 in a layer of 8 reads as a count."""
    return ", ".join(f"#{unit}" for unit in units)


def show_document(report, model_path: str, data_name: str | None) -> dict:
    """Every unit's statistics (null without data) and the plane the maps cover; the maps themselves are not data."""
    return {
        "model": model_path,
        "data": data_name,
        "samples": report.samples,
        "bounds": None if report.bounds is None else list(report.bounds),
        "layers": [{
            "layer": layer.number, "activation": layer.activation, "units": layer.size,
            "dead": layer.dead if layer.stats is not None else None,
            "neurons": None if layer.stats is None else [
                {"neuron": s.neuron, "active": s.active, "mean": s.mean, "low": s.low, "high": s.high, "dead": s.dead}
                for s in layer.stats],
        } for layer in report.layers],
    }
