"""What the panels of ``gradcli playground`` show, built from a ``Frame`` and the settings rows (Rich renderables).

- ``status_line``: playing or paused, the step and epoch, the losses, accuracy (or R^2), the seed;
- ``settings_panel``: the rows of ``controls.Controls``, the selected one marked, ``◀ value ▶``;
- ``map_panel``: the data on the network's decision map (``pictures.termmap.decision_map``), the held-out
  points hollow; for data that is not 2-D, the reason there is no map;
- ``loss_chart``: the training and held-out loss over the steps, as Braille lines (``pictures.braille``);
- the network: ``network.NetworkPicture``.

Each takes the size it must fill in text cells; ``map_size`` and ``plan_layout``
(network.py) turn a panel's size into what the training thread computes.
"""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..numbers import percent, short
from ..pictures.braille import DotCanvas
from ..pictures.termmap import Tile, decision_map
from .controls import Row
from .session import Frame

__all__ = ["status_line", "settings_panel", "map_size", "map_panel", "loss_chart", "LOSS_COLOURS",
           "VALUE_WIDTH"]

VALUE_WIDTH = 10  # cells between ◀ and ▶
LOSS_COLOURS = {"train": "rgb(150,150,150)", "test": "rgb(235,235,235)"}  # the Playground: grey and black
FULL_PLOT_MIN = (36, 16)  # below this (width, height) the map is drawn without axes


def status_line(frame: Frame, playing: bool, width: int = 200) -> Text:
    """▶ playing  step 1,234 (epoch 49.4)  loss 0.12 train, 0.15 test  accuracy 96.0% / 94.0%  seed 1337.

    Parts that do not fit in ``width`` are left out, the least needed first (seed, epoch, accuracy).
    """
    loss = [(short(frame.train.loss), LOSS_COLOURS["train"]), (" train", None)]
    if frame.test is not None:
        loss += [(", ", None), (short(frame.test.loss), f"bold {LOSS_COLOURS['test']}"), (" test", None)]
    if frame.metric_name == "r2":
        metric = f"R² {short(frame.train.r2, 3)}" + ("" if frame.test is None else f" / {short(frame.test.r2, 3)}")
    else:
        metric = (f"accuracy {percent(frame.train.accuracy)}"
                  + ("" if frame.test is None else f" / {percent(frame.test.accuracy)}"))
    parts = [  # (priority: lower is dropped first, pieces)
        (9, [("▶ playing" if playing else "‖ paused", "bold green" if playing else "bold yellow")]),
        (8, [(f"step {frame.step:,}", None)]),
        (2, [(f" (epoch {frame.epoch:.1f})", None)]),
        (7, [("  loss ", None), *loss]),
        (4, [(f"  {metric}", None)]),
        (1, [(f"  seed {frame.settings.seed}", "dim")]),
    ]
    kept = list(parts)
    while sum(len(text) for _, pieces in kept for text, _ in pieces) + 2 * len(kept) > width and len(kept) > 1:
        kept.remove(min(kept, key=lambda part: part[0]))
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, (_, pieces) in enumerate(kept):
        if index == 1:
            text.append("  ")
        for piece, style in pieces:
            text.append(piece, style=style)
    return text


def settings_panel(rows: list[Row], selected: int, width: int, height: int) -> Table:
    """``label  ◀ value ▶`` per row, the selected one reversed; a window of ``height`` rows around it."""
    label_width = max((len(row.label) for row in rows), default=0)
    value_width = min(max(width - label_width - 5, 4), VALUE_WIDTH)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=label_width)
    table.add_column(no_wrap=True)
    first = settings_window(rows, selected, height)
    last = min(first + max(height, 1), len(rows))
    for index in range(first, last):
        row = rows[index]
        chosen = index == selected
        shown = row.value if len(row.value) <= value_width else row.brief
        if len(shown) > value_width:
            shown = shown[:value_width - 1] + "…"
        value = Text("◀ ", style="bold" if chosen else "dim")
        value.append(shown.ljust(value_width), style="bold cyan" if chosen else "")
        value.append(" ▶", style="bold" if chosen else "dim")
        label = Text(row.label, style="reverse" if chosen else ("" if row.resets else "italic"))
        table.add_row(label, value)
    return table


def settings_window(rows: list[Row], selected: int, height: int) -> int:
    """The index of the first row ``settings_panel`` shows (for mouse clicks)."""
    return min(max(selected - height // 2, 0), max(len(rows) - height, 0)) if height > 0 else 0


def map_size(width: int, height: int) -> tuple[int, int, bool]:
    """(canvas width, canvas height, with axes) of the map in a panel of ``width`` x ``height`` cells: square pixels."""
    full = width >= FULL_PLOT_MIN[0] and height >= FULL_PLOT_MIN[1]
    if full:  # the axes take 8 columns and 5 rows (y label, x axis, x ticks, legend, shading legend)
        rows = max(2, min(height - 5, (width - 8) // 2))
    else:  # a bare canvas and one line of legend; never below the smallest plot (4 x 2), even while the screen settles
        rows = max(2, min(height - 1, width // 2))
    return 2 * rows, rows, full


def map_panel(frame: Frame, width: int, height: int, show_test: bool = True):
    """The decision map of ``frame`` with the data on it, or a note saying why there is no map."""
    decision = frame.decision
    if decision is None:
        return Text(frame.map_note or "no map", style="yellow")
    data = frame.dataset
    task = str(frame.facts.task)
    values = decision.values.reshape(-1)

    def precomputed(grid: np.ndarray) -> np.ndarray:  # computed on the training thread, for this very grid
        if len(grid) != len(values):
            raise ValueError(f"{len(values)} map values for {len(grid)} points")
        return values

    test = show_test and frame.test_X is not None
    plot = decision_map(precomputed, frame.train_X, frame.train_y, decision.width, decision.height,
                        bounds=decision.bounds, task=task, class_labels=data.class_labels or None,
                        x_label=data.input_names[0], y_label=data.input_names[1],
                        test_X2=frame.test_X if test else None, test_y=frame.test_y if test else None)
    if map_size(width, height)[2]:
        return plot
    legend = Text("●", style="bold")
    legend.append(" training  ")
    if test:
        legend.append("○", style="bold")
        legend.append(" held out")
    return Group(Tile(plot.canvas), legend)


def loss_chart(frame: Frame, width: int, height: int):
    """The training (grey) and held-out (white) loss over the steps, in ``width`` x ``height`` cells."""
    curve = frame.curve
    if height < 2 or width < 12:
        return Text("")
    label_width = 7
    plot_width, plot_height = width - label_width, height - 1
    steps = np.array([point[0] for point in curve], dtype=np.float64)
    series = {"train": np.array([point[1] for point in curve], dtype=np.float64)}
    if frame.test is not None:
        series["test"] = np.array([np.nan if point[2] is None else point[2] for point in curve], dtype=np.float64)
    finite = np.concatenate([s[np.isfinite(s)] for s in series.values()]) if curve else np.array([])
    top = float(finite.max()) if finite.size else 1.0
    top = top if top > 0 else 1.0
    canvas = DotCanvas(plot_width, plot_height)
    last_step = steps[-1] if len(steps) else 0.0
    for number, (name, values) in enumerate(series.items()):
        ok = np.isfinite(values)
        xs = steps[ok] / last_step * (2 * plot_width - 1) if last_step > 0 else np.zeros(ok.sum())
        ys = (1.0 - np.clip(values[ok] / top, 0.0, 1.0)) * (4 * plot_height - 1)
        if len(xs) == 1:
            xs, ys = np.repeat(xs, 2), np.repeat(ys, 2)
        canvas.segments(xs[:-1], ys[:-1], xs[1:], ys[1:], strength=number + 1, ids=np.full(max(len(xs) - 1, 0), number))
    names = list(series)
    lines = []
    for r, cells in enumerate(canvas.cells()):
        label = short(top, 3) if r == 0 else ("0" if r == plot_height - 1 else "")
        line = Text(label.rjust(label_width - 1) + " ", style="dim")
        for char, owner in cells:
            line.append(char, style=LOSS_COLOURS[names[owner]] if owner >= 0 else None)
        lines.append(line)
    key = Text(" " * label_width, no_wrap=True, overflow="ellipsis")
    key.append("━ train", style=LOSS_COLOURS["train"])
    if frame.test is not None:
        key.append("  ━ test", style=LOSS_COLOURS["test"])
    key.append(f"   loss over {frame.step:,} steps", style="dim")
    lines.append(key)
    return Group(*lines)
