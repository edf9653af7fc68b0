"""``gradcli eval``: measure a saved model on a dataset (built-in or CSV): loss and accuracy, or R^2 and MSE.

Three beats: read the model and the dataset -> ``inference.measure_dataset``
-> a summary with a confusion matrix (classification), or JSON.
"""

from typing import Annotated

import typer

from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, TaskChoice
from .app import app
from .common import console, reports_errors, write_stdout
from .dataset_options import (ClassesOption, DataSeedOption, DatasetArgument, NoiseOption, SamplesOption, TargetOption,
                              TaskOption)

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
    json_output: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
) -> None:
    """Evaluate a saved model on a dataset: loss and accuracy (with a confusion matrix), or R^2 and MSE.

    The loss is the model's training loss without the weight penalty.  Use a
    new --seed (or more --samples) to measure it on data it has not seen.
    """
    from ..data.datasets import load_dataset
    from ..learn.inference import Predictor, measure_dataset
    from ..learn.modelfile import load_model

    predictor = Predictor.from_saved(load_model(model_path))
    if task is TaskChoice.auto and not _is_generated(dataset):
        # the model says what the target means: no guessing from a few rows of a CSV file
        task = TaskChoice.regression if predictor.task == "regression" else TaskChoice.classification
    data = load_dataset(dataset, samples=samples, noise=noise, seed=seed, classes=classes, target=target, task=task)
    result = measure_dataset(predictor, data)
    if json_output:
        import json

        payload = {"model": model_path, "dataset": data.name, **vars(result)}
        write_stdout(json.dumps(payload))
        return
    _render(model_path, data, result)


def _is_generated(name: str) -> bool:
    from ..data.datasets import GENERATORS

    return name in GENERATORS


def _render(model_path: str, data, result) -> None:
    from rich.table import Table

    out = console()
    summary = Table(title=f"{model_path} on {data.name}", title_justify="left", show_header=False, box=None,
                    padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("samples", str(result.samples))
    summary.add_row("loss", f"{result.loss:.4f}  ({result.loss_name}, no penalty)")
    if result.accuracy is not None:
        summary.add_row("accuracy", f"{100 * result.accuracy:.1f}%")
    else:
        summary.add_row("R^2", f"{result.r2:.4f}")
        summary.add_row("MSE", f"{result.mse:.4g}")
    out.print(summary)
    if result.confusion is not None:
        matrix = Table(title="Confusion matrix", title_justify="left", box=None, padding=(0, 2))
        matrix.add_column("true \\ predicted")
        for label in result.labels:
            matrix.add_column(str(label), justify="right")
        for label, counts in zip(result.labels, result.confusion):
            matrix.add_row(str(label), *(str(c) for c in counts))
        out.print(matrix)
