"""``gradcli predict``: apply a saved model to inputs given as options or as a CSV file.

Three beats: read the model and the inputs -> ``Predictor`` (the stored
input pipeline, then the network) -> ``render.model``: a table, CSV or JSON.
"""

from typing import Annotated, Optional

import typer

from .app import app
from .common import VARIABLE_CONTEXT, console, reports_errors, split_variables, write_stdout
from .options import DEFAULT_MAX_MEMORY_TEXT, MaxMemoryOption, max_memory
from .output import JsonOption, PredictFormat, PredictFormatOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli predict model.json --x1 0.5 --x2 -0.2

  gradcli predict model.json x1=1.5 x2=-0.4 --format json

  gradcli predict model.json --input points.csv --output predictions.csv
"""


@app.command("predict", context_settings=VARIABLE_CONTEXT, epilog=EXAMPLES)
@reports_errors
def predict(
    ctx: typer.Context,
    model_path: Annotated[str, typer.Argument(metavar="MODEL", help="A model saved by gradcli train --save.",
                                              show_default=False)],
    input_file: Annotated[Optional[str], typer.Option(
        "--input", help="CSV file with a header naming the model's inputs; one prediction per row ('-' reads "
                        "it from stdin).",
        metavar="FILE.csv", show_default=False)] = None,
    output_file: Annotated[Optional[str], typer.Option(
        "--output", help="Also write the predictions to this CSV file (atomically).", metavar="FILE.csv",
        show_default=False)] = None,
    output_format: PredictFormatOption = PredictFormat.table,
    json_output: JsonOption = False,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Predict with a saved model: the network's output and the class (as originally labelled).

    Inputs are the dataset's raw inputs by name (--x1 0.5 --x2 -0.2, or x1=0.5);
    the model applies its own features and standardisation first.  An output that
    is not a finite number gets no class, and the command exits with status 1.
    """
    import numpy as np

    from ..csvtext import csv_text, write_csv_rows
    from ..errors import UsageError
    from ..learn.inference import Predictor, prediction_table, read_input_rows
    from ..learn.modelfile import load_model
    from ..render.model import predictions_document, predictions_table

    from ..paths import refuse_overlaps

    output_format = chosen_format(output_format, json_output)
    limit = max_memory(memory_limit)
    path, values = split_variables(model_path, ctx.args, stray_hint=_stray_hint)
    refuse_overlaps(outputs={"output": output_file}, inputs={"model": path, "input": input_file})
    saved = load_model(path)
    predictor = Predictor.from_saved(saved, max_memory=limit, source=path)
    names = predictor.input_names
    if input_file is not None:
        if values:
            raise UsageError("give the inputs either as options or with --input FILE.csv, not both")
        X = read_input_rows(input_file, names, max_memory=limit)
    else:
        X = np.array([[_input_value(values, name, names, path) for name in names]])
        unknown = [name for name in values if name not in names]
        if unknown:
            raise UsageError(f"{path} has no input '{unknown[0]}' (its inputs: {', '.join(names)})")
    predictions = prediction_table(predictor, X)
    header, rows = predictions.header, predictions.rows
    if output_file is not None:
        write_csv_rows(output_file, header, rows)
    if output_format is PredictFormat.csv:
        write_stdout(csv_text(header, rows))
    elif output_format is PredictFormat.json:
        write_json(predictions_document(header, rows))
    else:
        out = console()
        out.print(predictions_table(header, rows, len(names), all_in=output_file))
        if output_file is not None:
            out.print(f"wrote {len(rows)} predictions to {output_file}", markup=False, highlight=False)
    predictions.check()  # after the output: the other predictions stand, the exit status says one failed


def _input_value(values: dict, name: str, names: list[str], path: str) -> float:
    from ..errors import UsageError

    if name not in values:
        missing = [n for n in names if n not in values]
        example = " ".join(f"--{n} 0.5" for n in names)
        raise UsageError(f"{path} needs the inputs {', '.join(names)}; missing: {', '.join(missing)}",
                         hint=f"gradcli predict {path} {example}   (or --input FILE.csv)")
    return values[name]


def _stray_hint(word: str) -> str:
    """The hint for a second positional word: most often a CSV file meant for --input."""
    if word == "-" or word.lower().endswith((".csv", ".tsv", ".txt")):
        return f"to predict every row of a CSV file: --input {word}"
    return "give each input as --NAME VALUE (or NAME=VALUE), or a CSV file with --input FILE.csv"
