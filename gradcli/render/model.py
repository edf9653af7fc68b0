"""A saved model's results -> text: metrics for ``gradcli eval``, predictions for ``gradcli predict``.

``evaluation_tables(model_path, dataset_name, result)`` -> renderables (the
metrics, and a confusion matrix for classifiers); ``evaluation_document`` ->
the data of ``eval --format json``.  ``predictions_table(header, rows, n_inputs)``
and ``predictions_document(header, rows)`` show what
``inference.prediction_table`` computed (CSV is ``csvtext.csv_text`` of the same).
Numbers are written as in ``gradcli train``'s summary (``gradcli.numbers``).

A table is for reading: above ``TABLE_HEAD + TABLE_TAIL`` predictions it shows
the first and the last ones and says how to get them all (CSV and JSON always
hold every row, and a Rich table of 50,000 rows took 35 s to print).
"""

from __future__ import annotations

from ..numbers import MISSING, decimals, percent, short, significant
from . import style

PREDICTION_DIGITS = 6  # significant digits of inputs and outputs in the predictions table
TABLE_HEAD = 40  # predictions shown at the top of a long table
TABLE_TAIL = 10  # and at its end


def evaluation_tables(model_path: str, dataset_name: str, result) -> list:
    """The metrics of an ``inference.Evaluation`` and, for a classifier, its confusion matrix."""
    rows = [("samples", str(result.samples)), ("loss", f"{short(result.loss)}  ({result.loss_name}, no penalty)")]
    if result.accuracy is not None:
        rows.append(("accuracy", percent(result.accuracy)))
    else:
        rows += [("R^2", decimals(result.r2)), ("MSE", short(result.mse))]
    if result.not_finite:
        rows.append(("not finite", f"{result.not_finite} samples: output not a number, no prediction"))
    tables = [style.summary_table(f"{model_path} on {dataset_name}", rows)]
    if result.confusion is not None:
        matrix = style.table("Confusion matrix", rules=False, split=True)
        matrix.add_column("true \\ predicted", key=True)
        for label in result.labels:
            matrix.add_column(str(label), justify="right")
        for label, counts in zip(result.labels, result.confusion):
            matrix.add_row(str(label), *(str(count) for count in counts))
        tables.append(matrix)
    return tables


def evaluation_document(model_path: str, dataset_name: str, result) -> dict:
    """``model``, ``dataset`` and every field of the ``Evaluation`` (None where one does not apply)."""
    return {"model": model_path, "dataset": dataset_name, **vars(result)}


def predictions_table(header: list[str], rows: list[list], n_inputs: int, all_in: str | None = None):
    """One row per prediction: the inputs (dim), the outputs, and the class (bold); a long table is cut.

    Above ``TABLE_HEAD + TABLE_TAIL`` rows, the first and last ones are shown with a
    row of ``...`` between them, and the caption says where all of them are (``all_in``:
    the ``--output`` file, if any).
    """
    cut = len(rows) > TABLE_HEAD + TABLE_TAIL
    caption = None
    if cut:
        where = f"all of them are in {all_in}" if all_in else "--format csv or --output FILE.csv gives all of them"
        caption = f"{len(rows):,} predictions: the first {TABLE_HEAD} and the last {TABLE_TAIL} are shown; {where}"
    table = style.table(rules=False, caption=caption)
    for index, name in enumerate(header):
        table.add_column(name, justify="right",
                         style="bold" if name == "class" else ("dim" if index < n_inputs else None))
    for row in rows[:TABLE_HEAD] + [None] + rows[-TABLE_TAIL:] if cut else rows:
        table.add_row(*(("...",) * len(header) if row is None else (_cell(v) for v in row)))
    return table


def _cell(value) -> str:
    if value is None:
        return MISSING
    return significant(value, PREDICTION_DIGITS) if isinstance(value, float) else str(value)


def predictions_document(header: list[str], rows: list[list]):
    """One object per prediction (column -> value); the object itself when there is one."""
    records = [dict(zip(header, row)) for row in rows]
    return records[0] if len(records) == 1 else records
