"""A saved model's results -> text: metrics for ``gradcli eval``, predictions for ``gradcli predict``.

``evaluation_tables(model_path, dataset_name, result)`` -> renderables (the
metrics, and a confusion matrix for classifiers); ``evaluation_document`` ->
the data of ``eval --format json``.  ``predictions_table(header, rows, n_inputs)``
and ``predictions_document(header, rows)`` show what
``inference.prediction_table`` computed (CSV is ``csvtext.csv_text`` of the same).
Numbers are written as in ``gradcli train``'s summary (``gradcli.numbers``).
"""

from __future__ import annotations

from ..numbers import decimals, percent, short, significant
from . import style

PREDICTION_DIGITS = 6  # significant digits of inputs and outputs in the predictions table


def evaluation_tables(model_path: str, dataset_name: str, result) -> list:
    """The metrics of an ``inference.Evaluation`` and, for a classifier, its confusion matrix."""
    rows = [("samples", str(result.samples)), ("loss", f"{short(result.loss)}  ({result.loss_name}, no penalty)")]
    if result.accuracy is not None:
        rows.append(("accuracy", percent(result.accuracy)))
    else:
        rows += [("R^2", decimals(result.r2)), ("MSE", short(result.mse))]
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


def predictions_table(header: list[str], rows: list[list], n_inputs: int):
    """One row per prediction: the inputs (dim), the outputs, and the class (bold)."""
    table = style.table(rules=False)
    for index, name in enumerate(header):
        table.add_column(name, justify="right",
                         style="bold" if name == "class" else ("dim" if index < n_inputs else None))
    for row in rows:
        table.add_row(*(significant(v, PREDICTION_DIGITS) if isinstance(v, float) else str(v) for v in row))
    return table


def predictions_document(header: list[str], rows: list[list]):
    """One object per prediction (column -> value); the object itself when there is one."""
    records = [dict(zip(header, row)) for row in rows]
    return records[0] if len(records) == 1 else records
