"""``gradcli eval``: measure a saved model on a dataset (built-in or CSV): loss and accuracy, or R^2 and MSE.

Three beats: read the model and the dataset -> ``inference.measure_dataset``
-> ``render.model``: a summary with a confusion matrix (classification), or JSON.
"""

from typing import Annotated

import typer

from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, TaskChoice
from .app import app
from .common import console, reports_errors
from .dataset_options import (ClassesOption, DataSeedOption, DatasetArgument, NoiseOption, SamplesOption, TargetOption,
                              TaskOption)
from .options import DEFAULT_MAX_MEMORY_TEXT, MaxMemoryOption, max_memory
from .output import JsonOption, TableFormat, TableFormatOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli eval model.json moons --samples 1000 --seed 7

  gradcli eval model.json data/test.csv

  gradcli eval spiral.json spiral --noise 0.2 --json
"""


@app.command("eval", epilog=EXAMPLES)
@reports_errors
def eval_command(
    model_path: Annotated[str, typer.Argument(metavar="MODEL", help="A model saved by gradcli train --save.",
                                              show_default=False)],
    dataset: DatasetArgument,
    samples: SamplesOption = DEFAULT_SAMPLES,
    noise: NoiseOption = DEFAULT_NOISE,
    seed: DataSeedOption = DEFAULT_SEED,
    classes: ClassesOption = None,
    target: TargetOption = None,
    task: TaskOption = TaskChoice.auto,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Evaluate a saved model on a dataset: loss and accuracy (with a confusion matrix), or R^2 and MSE.

    The loss is the model's training loss without the weight penalty.  Use a
    new --seed (or more --samples) to measure it on data it has not seen.
    """
    from ..data.datasets import load_dataset
    from ..learn.inference import Predictor, check_measurement, measure_dataset
    from ..learn.modelfile import load_model
    from ..render.model import evaluation_document, evaluation_tables

    output_format = chosen_format(output_format, json_output)
    limit = max_memory(memory_limit)
    predictor = Predictor.from_saved(load_model(model_path), max_memory=limit, source=model_path)
    if task is TaskChoice.auto and not _is_generated(dataset):
        # the model says what the target means: no guessing from a few rows of a CSV file
        task = TaskChoice.regression if predictor.task == "regression" else TaskChoice.classification
    # a CSV file's target: --target, else the column the model was trained to predict (if the file has it)
    data = load_dataset(dataset, samples=samples, noise=noise, seed=seed, classes=classes, target=target, task=task,
                        max_memory=limit, usual_target=predictor.target_name)
    result = measure_dataset(predictor, data)
    if output_format is TableFormat.json:
        write_json(evaluation_document(model_path, data.name, result))
    else:
        out = console()
        for table in evaluation_tables(model_path, data.name, result):
            out.print(table)
    check_measurement(result, data.name)  # after the report: samples without a finite output fail the command


def _is_generated(name: str) -> bool:
    from ..data.datasets import GENERATORS

    return name in GENERATORS

