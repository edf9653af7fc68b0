"""How ``gradcli compare`` shows runs side by side: tables, terminal charts of their curves, JSON.

``compare_tables(runs)`` -> the settings that differ and the final numbers, one column per run;
``curve_charts(runs, width)`` -> the loss and the accuracy (or R^2) of every run over its steps,
overlaid in the terminal (``pictures.termmap.curves``); ``compare_document(runs)`` -> the data
of ``compare --format json``.
"""

from __future__ import annotations

import numpy as np

from ..learn.compare import differences, metric_label, metric_rows
from ..numbers import percent, short
from . import style
from .errors import flag_name

__all__ = ["compare_tables", "curve_charts", "compare_document", "CHART_HEIGHT"]

CHART_HEIGHT = 12
# one style per run: (marker, ASCII marker, colour); the Playground's two colours first, then tab10
RUN_STYLES = [("•", "*", "#0877bd"), ("◦", "o", "#f59322"), ("+", "+", "#2ca02c"), ("×", "x", "#d62728"),
              ("◇", "#", "#9467bd"), ("▪", "%", "#8c564b"), ("▴", "@", "#e377c2"), ("∗", "&", "#7f7f7f"),
              ("○", "=", "#bcbd22"), ("◆", "$", "#17becf")]


def _setting_label(name: str) -> str:
    return name if name in ("dataset", "data", "features") else flag_name(name)


def _number_text(key: str, value, metric_name: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if key in ("train_metric", "test_metric"):
        return short(value, 3) if metric_name == "r2" else percent(value)
    if key == "seconds":
        return f"{value:.2f} s"
    if key in ("steps", "parameters"):
        return f"{value:,}"
    return short(value)


def compare_tables(runs) -> list:
    """The settings whose values differ (or a line saying none do), then the final numbers."""
    from rich.text import Text

    names = [run.name for run in runs]
    renderables = []
    differing = differences(runs)
    if differing:
        table = style.table("Settings that differ")
        table.add_column("setting", key=True)
        for name in names:
            table.add_column(name)
        for setting, texts in differing:
            table.add_row(_setting_label(setting), *texts)
        renderables.append(table)
    else:
        renderables.append(Text("Every setting is the same in these runs.", style="bold"))
    numbers = style.table("Final numbers")
    numbers.add_column("", key=True)
    for name in names:
        numbers.add_column(name, justify="right")
    for key, label, values in metric_rows(runs):
        numbers.add_row(label, *[_number_text(key, value, run.metric_name) for value, run in zip(values, runs)])
    renderables.append(numbers)
    return renderables


def _common_steps(runs, points: int) -> np.ndarray:
    last = max(_steps(run.history)[-1] for run in runs if run.history and len(_steps(run.history)))
    return np.linspace(1.0, float(last), num=max(2, min(points, int(last))))


def _steps(history: dict) -> np.ndarray:
    from ..pictures.runs_plot import history_steps

    return history_steps(history)


def _resampled(history: dict, key: str, xs: np.ndarray) -> list:
    """``history[key]`` at the steps ``xs`` (linear between evaluations; None outside the run or the key)."""
    values = np.asarray([np.nan if v is None else v for v in history.get(key) or []], dtype=np.float64)
    steps = _steps(history)[: len(values)]
    kept = np.isfinite(values)
    if not kept.any():
        return [None] * len(xs)
    steps, values = steps[kept], values[kept]
    inside = (xs >= steps[0]) & (xs <= steps[-1])
    resampled = np.interp(xs, steps, values)
    return [float(v) if ok else None for v, ok in zip(resampled, inside)]


def curve_charts(runs, width: int) -> list:
    """The training loss and accuracy (or R^2) of every run with a history, overlaid, one marker per run;
    a line names the runs without one.  (The held-out curves are in ``--plot``'s figure.)"""
    from rich.text import Text

    from ..pictures.termmap import Series, curves

    with_history = [(index, run) for index, run in enumerate(runs) if run.history and run.history.get("loss")]
    renderables = []
    if with_history:
        chart_width = max(20, min(100, width - 12))
        xs = _common_steps([run for _, run in with_history], 2 * chart_width)
        metric = f"train {metric_label([run for _, run in with_history])}"
        for title, key in (("training loss", "loss"), (metric, None)):  # None: each run's own metric
            series = [Series(run.name, _resampled(run.history, key or run.metric_name, xs),
                             style=RUN_STYLES[index % len(RUN_STYLES)])
                      for index, run in with_history]
            renderables.append(Text(f"{title} by step", style="bold"))
            renderables.append(curves(xs, series, width=chart_width, height=CHART_HEIGHT, x_label="step",
                                      y_label=title, bounds=(float(xs[0]), float(xs[-1]), *_y_bounds(series))))
    missing = [run.name for run in runs if not (run.history and run.history.get("loss"))]
    if missing:
        renderables.append(Text(f"no history to draw for {', '.join(missing)} (a model file saved before "
                                "gradcli kept histories)", style="dim"))
    return renderables


def _y_bounds(series) -> tuple[float, float]:
    """Every value of every run in view (a loss's first steps too), with a margin."""
    values = [y for item in series for y in item.ys if y is not None and np.isfinite(y)]
    if not values:
        return -1.0, 1.0
    low, high = min(values), max(values)
    margin = 0.05 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
    # a loss or an accuracy is never below 0: keep the axis off the picture rather than a row of 0 under it
    return (low - margin if low <= 0 else max(low - margin, low / 2)), high + margin


def compare_document(runs) -> dict:
    """The data of ``compare --format json``: every run's settings, numbers and command, and what differs."""
    return {
        "runs": [{"name": run.name, "source": run.source, "task": run.task, "command": run.command,
                  "settings": dict(run.settings),
                  "metrics": {(key.replace("metric", run.metric_name)): run.metrics.get(key)
                              for key, _, _ in metric_rows([run])}}
                 for run in runs],
        "differences": {setting: texts for setting, texts in differences(runs)},
    }
