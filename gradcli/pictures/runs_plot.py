"""Several runs in one figure, with matplotlib: curves overlaid (``compare``, ``sweep``) and a sweep's heat map.

    save_runs_plot("runs.png", [("a.json", history_a), ("b.json", history_b)], "moons")
    save_sweep_plot("sweep.png", grid, sweep, ranking)

A history is a run's ``history`` as ``train --json`` and model files hold it
(``loss``, ``accuracy`` or ``r2``, ``test_loss`` ..., one entry per step, None
where not evaluated; ``step`` when it was thinned).  ``save_runs_plot`` draws
the loss (log scale when every value is positive; held-out loss dashed) and
the accuracy or R^2 of every run, one colour each.  ``save_sweep_plot`` draws
every run's training loss, one colour per combination of the grid's values
(its seeds in the same colour), and, when the grid varies exactly two
settings, a heat map of the mean accuracy (or R^2) over the seeds, one cell
per combination.  Written through ``plot.write_figure`` (atomically).
"""

from __future__ import annotations

import numpy as np

from .plot import CLASS_COLORS, check_plot_path, write_figure

__all__ = ["save_runs_plot", "save_sweep_plot", "history_steps"]

MAX_LEGEND = 12  # more lines than this are drawn without a legend entry each


def history_steps(history: dict) -> np.ndarray:
    """The step number of every entry of ``history`` (1, 2, ... unless it lists them in ``step``)."""
    if history.get("step") is not None:
        return np.asarray(history["step"], dtype=np.float64)
    return np.arange(1, len(history.get("loss", [])) + 1, dtype=np.float64)


def _series(history: dict, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of ``history[key]`` where it was evaluated (empty when the history has no such key)."""
    values = np.asarray([np.nan if v is None else v for v in history.get(key) or []], dtype=np.float64)
    steps = history_steps(history)[: len(values)]
    kept = np.isfinite(values)
    return steps[kept], values[kept]


def _figure(panels: int, width: float = 5.6):
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, panels, figsize=(width * panels, 4.4), squeeze=False)
    return fig, axes[0]


def _color(index: int) -> str:
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def _log_if_positive(ax, values: list) -> None:
    joined = np.concatenate(values) if values else np.zeros(0)
    if len(joined) and np.all(joined > 0):
        ax.set_yscale("log")


def save_runs_plot(path: str, runs: list[tuple[str, dict]], title: str) -> None:
    """The loss and the accuracy (or R^2) of every run over its steps, overlaid, one colour per run.

    Each run's metric is the one its history holds: a classifier's accuracy, a regression's R^2.
    """
    fmt = check_plot_path(path)
    fig, (loss_ax, metric_ax) = _figure(2)
    metrics = {name: "r2" if "r2" in history else "accuracy" for name, history in runs}
    label = " / ".join(text for metric, text in (("accuracy", "accuracy"), ("r2", "R²")) if metric in metrics.values())

    def draw():
        shown = []
        for index, (name, history) in enumerate(runs):
            color = _color(index)
            for key, style in (("loss", "-"), ("test_loss", "--")):
                steps, values = _series(history, key)
                if len(values):
                    loss_ax.plot(steps, values, style, color=color, linewidth=1.4,
                                 label=name if key == "loss" else f"{name} (test)")
                    shown.append(values)
            for key, style in ((metrics[name], "-"), (f"test_{metrics[name]}", "--")):
                steps, values = _series(history, key)
                if len(values):
                    metric_ax.plot(steps, values, style, color=color, linewidth=1.4)
        _log_if_positive(loss_ax, shown)
        loss_ax.set(xlabel="step", ylabel="loss", title="loss (held out: dashed)")
        metric_ax.set(xlabel="step", ylabel=label, title=label)
        if set(metrics.values()) == {"accuracy"}:
            metric_ax.set_ylim(0.0, 1.02)
        if len(runs) <= MAX_LEGEND:
            loss_ax.legend(loc="best", fontsize=8)
        fig.suptitle(title)

    write_figure(fig, draw, path, fmt)


def save_sweep_plot(path: str, grid, sweep, ranking) -> None:
    """Every run's training loss, coloured by combination; and the heat map of a two-setting grid."""
    fmt = check_plot_path(path)
    heat = len(grid.axes) == 2
    fig, axes = _figure(2 if heat else 1, width=6.0)

    def draw():
        _sweep_curves(axes[0], grid, sweep, ranking)
        if heat:
            _heat_map(axes[1], grid, ranking)
        fig.suptitle(f"sweep of {grid.dataset}: {grid.describe_size()}")

    write_figure(fig, draw, path, fmt)


def _combination_text(combination) -> str:
    from ..learn.grid import value_text

    return " ".join(f"{name}={value_text(name, value)}" for name, value in combination) or "every run"


def _sweep_curves(ax, grid, sweep, ranking) -> None:
    specs = {spec.index: spec for spec in grid.runs()}
    colors = {row.combination: _color(place) for place, row in enumerate(ranking.rows)}
    labelled = set()
    shown = []
    for outcome in sweep.outcomes:
        if outcome.history is None:
            continue
        combination = specs[outcome.index].combination
        steps, values = _series(outcome.history, "loss")
        if not len(values):
            continue
        label = None
        if combination not in labelled and len(ranking.rows) <= MAX_LEGEND:
            label, _ = _combination_text(combination), labelled.add(combination)
        ax.plot(steps, values, color=colors[combination], linewidth=1.0, alpha=0.8, label=label)
        shown.append(values)
    _log_if_positive(ax, shown)
    ax.set(xlabel="step", ylabel="training loss", title="loss of every run (one colour per setting)")
    if labelled:
        ax.legend(loc="best", fontsize=7)


def _heat_map(ax, grid, ranking) -> None:
    from ..learn.grid import value_text

    (row_name, row_values), (column_name, column_values) = grid.axes
    means = np.full((len(row_values), len(column_values)), np.nan)
    for row in ranking.rows:
        values = dict(row.combination)
        if row.metric is not None:
            means[row_values.index(values[row_name]), column_values.index(values[column_name])] = row.metric.mean
    regression = ranking.metric_name == "r2"
    finite = means[np.isfinite(means)]
    low, high = (0.0, 1.0) if not regression or not len(finite) else (min(0.0, finite.min()), 1.0)
    image = ax.imshow(means, cmap="viridis", vmin=low, vmax=high, aspect="auto")
    for (i, j), value in np.ndenumerate(means):
        text = "failed" if not np.isfinite(value) else (f"{value:.3f}" if regression else f"{100 * value:.1f}%")
        ax.text(j, i, text, ha="center", va="center", fontsize=8,
                color="white" if not np.isfinite(value) or value < (low + high) / 2 else "black")
    ax.set_xticks(range(len(column_values)), [value_text(column_name, v) for v in column_values])
    ax.set_yticks(range(len(row_values)), [value_text(row_name, v) for v in row_values])
    ax.set(xlabel=column_name, ylabel=row_name)
    which = "test" if ranking.held_out else "train"
    ax.set_title(f"mean {which} {'R²' if regression else 'accuracy'} over the seeds")
    ax.figure.colorbar(image, ax=ax)
