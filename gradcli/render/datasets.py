"""Datasets -> text: the list of ``gradcli datasets`` and the picture of ``gradcli datasets show``.

``datasets_table(infos)`` / ``datasets_document(infos)`` show ``builtin_datasets()``;
``summary_lines(data)``, ``picture(data, ...)`` (a terminal scatter plot, or None
when the data cannot be plotted), ``rows_table(data, rows)`` and
``dataset_document(data)`` show one loaded ``Dataset``.  NumPy and the
terminal plots are imported inside the functions that draw.
"""

from __future__ import annotations

from ..numbers import significant
from . import style

PLOT_MAX_WIDTH = 72   # columns of the scatter plot on a wide terminal
DATA_DIGITS = 6       # significant digits of the values listed row by row
RANGE_DIGITS = 4      # significant digits of a regression target's range in the summary


# -- the list --------------------------------------------------------------------------


def datasets_table(infos):
    """One row per built-in dataset; the generated ones first, set apart from the shipped CSV files."""
    table = style.table("Built-in datasets", caption="Generated sets take --samples, --noise and --seed; any CSV "
                                                     "file works too (header row, the last column is the target). "
                                                     "blobs and spiral take --classes K.")
    for column in ("Name", "Task", "Size", "Noise", "Description"):
        table.add_column(column, no_wrap=column != "Description")
    generated = [info for info in infos if info.generated]
    for info in infos:
        noise = f"{significant(info.noise_range[0])} to {significant(info.noise_range[1])}" if info.generated else "-"
        table.add_row(info.name, info.task, info.size, noise, info.description,
                      end_section=bool(generated) and info is generated[-1])
    return table


def datasets_document(infos) -> list:
    return [{"name": info.name, "task": info.task, "size": info.size, "description": info.description,
             "two_d": info.is_2d, "generated": info.generated, "takes_classes": info.takes_classes,
             "noise_range": list(info.noise_range) if info.generated else None} for info in infos]


# -- one dataset -----------------------------------------------------------------------


def summary_lines(data) -> list[str]:
    """What the data is: its description, samples and inputs, classes or the target's range, how it was made."""
    lines = [f"{data.name}: {data.description}"]
    inputs = ", ".join(data.input_names)
    what = f"{data.n_samples} samples, {data.n_inputs} input{'s' if data.n_inputs != 1 else ''} ({inputs})"
    if data.task == "regression":
        low, high = (significant(float(v), RANGE_DIGITS) for v in (data.y.min(), data.y.max()))
        lines.append(f"{what}; regression, {data.target_name} from {low} to {high}")
    else:
        counts = ", ".join(f"{label}: {count}" for label, count in zip(data.class_labels, data.class_counts()))
        lines.append(f"{what}; {data.task} classification, {data.target_name} = {counts}")
    if data.params:
        lines.append("generated with " + ", ".join(f"--{key} {value}" for key, value in data.params.items()))
    return lines


def picture(data, console_width: int, width: int | None = None, height: int | None = None):
    """The scatter plot for 2-D data (or y against x for 1-D regression); None when there is none."""
    import numpy as np

    from ..pictures.termmap import fit_size, scatter

    if data.is_2d:
        points, x_label, y_label = data.X, data.input_names[0], data.input_names[1]
    elif data.n_inputs == 1 and data.task == "regression":
        points, x_label, y_label = np.column_stack([data.X[:, 0], data.y]), data.input_names[0], data.target_name
    else:
        return None
    width, fitted_height = fit_size(console_width, points, width=width, max_width=PLOT_MAX_WIDTH)
    return scatter(points, data.y, width=width, height=height or fitted_height, task=data.task,
                   class_labels=data.class_labels or None, x_label=x_label, y_label=y_label)


def rows_table(data, rows: int):
    """The first ``rows`` samples, for data that cannot be plotted."""
    shown = min(rows, data.n_samples)
    more = data.n_samples - shown
    table = style.table(caption=f"... and {more} more rows" if more else None, borders=True, split=True)
    table.add_column("row", justify="right", style="dim", key=True)
    for name in data.input_names:
        table.add_column(name, justify="right")
    table.add_column(data.target_name, justify="right", style="bold")
    for i in range(shown):
        target = data.class_labels[int(data.y[i])] if data.class_labels else data.y[i]
        table.add_row(str(i + 1), *(significant(v, DATA_DIGITS) for v in data.X[i]), significant(target, DATA_DIGITS))
    return table


def dataset_document(data) -> dict:
    """The summary and every sample: ``X``, and ``y`` as the user knows it (original labels, or values)."""
    document = {"name": data.name, "description": data.description, "task": data.task,
                "samples": data.n_samples, "input_names": data.input_names, "target_name": data.target_name,
                "class_labels": data.class_labels, "params": data.params}
    if data.task == "regression":
        document["target_range"] = [float(data.y.min()), float(data.y.max())]
    else:
        document["class_counts"] = data.class_counts()
    document["X"] = data.X.tolist()
    document["y"] = [data.class_labels[int(k)] for k in data.y] if data.class_labels else data.y.tolist()
    return document
