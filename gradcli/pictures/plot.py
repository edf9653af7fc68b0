"""``gradcli train --plot FILE.png|FILE.svg``: the decision boundary and the training curves, with matplotlib.

    check_plot_path("run.png")                       # before training: fail fast on a bad path
    save_training_plot("run.png", predictor, X_raw, y, result, title="moons, 16,16,1")

Left panel (2-D data): the network's prediction shaded over the plane with
the data on top, in the TensorFlow Playground's colours; for 1-D regression,
the fitted curve over the data.  Right panel: the training loss per step and,
when data is held out, the test loss at every evaluation, on one (log) axis,
and the accuracy or R^2 (train, and test when held out).  matplotlib is
imported here only, with the non-interactive Agg backend; the file is written
by ``atomicfile``, as every file gradcli writes.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..errors import RenderError, UsageError
from ..atomicfile import check_writable, write_bytes_atomic

__all__ = ["PLOT_FORMATS", "check_plot_path", "save_training_plot", "write_figure"]

PLOT_FORMATS = ("png", "svg")
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf"]  # the Playground's orange and blue first, then tab10
GRID = 200  # the boundary is sampled on GRID x GRID points


def check_plot_path(path: str, setting: str = "plot") -> str:
    """The format ("png" or "svg") of ``path``; UsageError for another suffix or an unwritable place.

    ``setting`` names the option in the message (``--plot`` of ``train``, ``--output`` of ``plot``).
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise UsageError(f"{{setting}} {path}: the file name must end in .png or .svg", setting=setting, value=path)
    check_writable(path, UsageError)
    return suffix


def save_training_plot(path: str, predictor, X_raw: np.ndarray, y: np.ndarray, result, title: str) -> None:
    """Draw the figure and write it to ``path`` (PNG or SVG, from the suffix)."""
    fmt = check_plot_path(path)
    import os

    # files only, never a window: Agg whatever MPLBACKEND says (matplotlib reads it on import and refuses
    # to load at all when it names no backend)
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    two_d = X_raw.shape[1] == 2
    one_d_regression = X_raw.shape[1] == 1 and predictor.task == "regression"
    panels = 2 if (two_d or one_d_regression) else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.4), squeeze=False)
    axes = axes[0]

    def draw():
        if two_d:
            _boundary(axes[0], predictor, X_raw, y)
        elif one_d_regression:
            _curve(axes[0], predictor, X_raw, y)
        _history(axes[-1], result)
        fig.suptitle(title)

    write_figure(fig, draw, path, fmt)


def write_figure(fig, draw, path: str, fmt: str) -> None:
    """Run ``draw()`` on ``fig``, save it as ``fmt`` and write ``path`` whole or not at all; always close it.

    matplotlib's own failures become a ``RenderError`` naming the file.
    """
    from matplotlib import pyplot as plt

    try:
        draw()
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=120)
    except (ValueError, RuntimeError) as exc:
        raise RenderError(f"matplotlib could not draw {path}: {exc}") from None
    finally:
        plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())  # as every writer: a bad path exit 2, a full disk exit 1


def _boundary(ax, predictor, X_raw, y) -> None:
    from matplotlib.colors import ListedColormap

    (x0, x1), (y0, y1) = _padded(X_raw[:, 0]), _padded(X_raw[:, 1])
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
    values = predictor.map_values(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    task = predictor.task
    if task == "regression":
        scale = max(float(np.max(np.abs(y))), 1e-12)
        ax.contourf(gx, gy, values, levels=21, cmap="PuOr", vmin=-scale, vmax=scale, alpha=0.55)
        ax.scatter(X_raw[:, 0], X_raw[:, 1], c=y, cmap="PuOr", vmin=-scale, vmax=scale, edgecolors="k",
                   linewidths=0.5, s=28)
    else:
        k = max(2, len(predictor.class_labels))
        colors = ListedColormap(CLASS_COLORS[:k])
        classes = (values > 0).astype(int) if (task == "binary" and values.dtype.kind == "f") else values
        ax.contourf(gx, gy, classes, levels=np.arange(k + 1) - 0.5, cmap=colors, alpha=0.35)
        if task == "binary" and values.dtype.kind == "f":
            ax.contour(gx, gy, values, levels=[0.0], colors="k", linewidths=1.0)
        labels = predictor.class_labels or list(range(k))
        for index in range(k):
            mask = y == index
            ax.scatter(X_raw[mask, 0], X_raw[mask, 1], color=CLASS_COLORS[index % len(CLASS_COLORS)],
                       edgecolors="k", linewidths=0.5, s=28, label=f"class {labels[index]}")
        ax.legend(loc="best", fontsize=8)
    names = predictor.input_names
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_title("decision boundary" if task != "regression" else "prediction")


def _curve(ax, predictor, X_raw, y) -> None:
    x0, x1 = _padded(X_raw[:, 0])
    grid = np.linspace(x0, x1, 400).reshape(-1, 1)
    ax.scatter(X_raw[:, 0], y, s=14, color=CLASS_COLORS[1], label="data")
    ax.plot(grid[:, 0], predictor.map_values(grid), color=CLASS_COLORS[0], linewidth=2, label="network")
    ax.set_xlabel(predictor.input_names[0])
    ax.set_ylabel(predictor.target_name)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("fit")


def _history(ax, result) -> None:
    steps = np.arange(1, result.steps_done + 1)
    loss = np.asarray(result.history["loss"], dtype=np.float64)
    ax.plot(steps, loss, color="#333333", label="train loss")
    test_loss = np.asarray([np.nan if v is None else v for v in result.history.get("test_loss", [])],
                           dtype=np.float64)
    evaluated = ~np.isnan(test_loss) if len(test_loss) else np.zeros(0, dtype=bool)
    if evaluated.any():  # the same quantity (penalty included) on the held-out set, where it was evaluated
        ax.plot(steps[evaluated], test_loss[evaluated], color="#333333", linestyle="--", label="test loss")
    shown = np.concatenate([loss, test_loss[evaluated]])
    if len(shown) and np.all(shown > 0):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    other = ax.twinx()
    label = "R²" if result.metric_name == "r2" else "accuracy"
    metric = np.asarray([np.nan if v is None else v for v in result.history["metric"]], dtype=np.float64)
    other.plot(steps, metric, color=CLASS_COLORS[1], label=f"train {label}")
    tests = np.asarray([np.nan if v is None else v for v in result.history["test_metric"]], dtype=np.float64)
    if len(tests) and not np.all(np.isnan(tests)):
        other.plot(steps[~np.isnan(tests)], tests[~np.isnan(tests)], color=CLASS_COLORS[0], label=f"test {label}")
    other.set_ylabel(label)
    if result.metric_name == "accuracy":
        other.set_ylim(0.0, 1.02)
    lines = ax.get_lines() + other.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
    ax.set_title("training")


def _padded(values: np.ndarray, margin: float = 0.08) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    span = high - low if high > low else 2.0
    return low - margin * span, high + margin * span
