"""``gradcli predict``: apply a saved model to inputs given as options or as a CSV file.

Three beats: read the model and the inputs -> ``Predictor`` (the stored
input pipeline, then the network) -> a table, CSV or JSON.
"""

from enum import Enum
from typing import Annotated, Optional

import typer

from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, split_variables, write_stdout

EXAMPLES = """Examples:

  gradcli predict model.json --x1 0.5 --x2 -0.2

  gradcli predict model.json x1=1.5 x2=-0.4 --format json

  gradcli predict model.json --input points.csv --output predictions.csv
"""


class PredictFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("predict", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def predict(
    ctx: typer.Context,
    model_path: Annotated[str, typer.Argument(metavar="MODEL", help="A model saved by gradcli train --save.",
                                              show_default=False)],
    input_file: Annotated[Optional[str], typer.Option(
        "--input", help="CSV file with a header naming the model's inputs; one prediction per row.",
        metavar="FILE.csv", show_default=False)] = None,
    output_file: Annotated[Optional[str], typer.Option(
        "--output", help="Also write the predictions to this CSV file (atomically).", metavar="FILE.csv",
        show_default=False)] = None,
    output_format: Annotated[PredictFormat, typer.Option("--format", help="How to print the predictions.")] =
    PredictFormat.table,
) -> None:
    """Predict with a saved model: the network's output and the class (as originally labelled).

    Inputs are the dataset's raw inputs by name (--x1 0.5 --x2 -0.2, or x1=0.5);
    the model applies its own features and standardisation first.
    """
    import numpy as np

    from ..errors import UsageError
    from ..learn.inference import Predictor, prediction_table, read_input_rows
    from ..learn.modelfile import load_model

    path, values = split_variables(model_path, ctx.args)
    saved = load_model(path)
    predictor = Predictor.from_saved(saved)
    names = predictor.input_names
    if input_file is not None:
        if values:
            raise UsageError("give the inputs either as options or with --input FILE.csv, not both")
        X = read_input_rows(input_file, names)
    else:
        X = np.array([[_input_value(values, name, names, path) for name in names]])
        unknown = [name for name in values if name not in names]
        if unknown:
            raise UsageError(f"{path} has no input '{unknown[0]}' (its inputs: {', '.join(names)})")
    header, rows = prediction_table(predictor, X)
    if output_file is not None:
        from ..atomicfile import write_text_atomic

        write_text_atomic(output_file, _csv_text(header, rows), error=UsageError)
    _render(header, rows, output_format, predictor, len(names))
    if output_file is not None and output_format is PredictFormat.table:
        console().print(f"wrote {len(rows)} predictions to {output_file}", markup=False, highlight=False)


def _input_value(values: dict, name: str, names: list[str], path: str) -> float:
    from ..errors import UsageError

    if name not in values:
        missing = [n for n in names if n not in values]
        example = " ".join(f"--{n} 0.5" for n in names)
        raise UsageError(f"{path} needs the inputs {', '.join(names)}; missing: {', '.join(missing)}",
                         hint=f"gradcli predict {path} {example}   (or --input FILE.csv)")
    return values[name]


def _csv_text(header: list[str], rows: list[list]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_plain(v) for v in row] for row in rows])
    return buffer.getvalue()


def _plain(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _render(header, rows, output_format, predictor, n_inputs: int) -> None:
    import json

    if output_format is PredictFormat.csv:
        write_stdout(_csv_text(header, rows))
        return
    if output_format is PredictFormat.json:
        records = [dict(zip(header, row)) for row in rows]
        write_stdout(json.dumps(records[0] if len(records) == 1 else records))
        return
    from rich.table import Table

    table = Table(box=None, padding=(0, 2))
    for index, name in enumerate(header):
        table.add_column(name, justify="right", style="bold" if name == "class" else ("dim" if index < n_inputs else None))
    for row in rows:
        table.add_row(*(f"{v:.6g}" if isinstance(v, float) else str(v) for v in row))
    console().print(table)
