"""``gradcli show``: inside every neuron of a saved model, in the terminal.

Three beats: read the model (and the data to measure on) -> ``learn.inspect.inspect_model``
-> ``render.show``.  NumPy is imported inside the command.
"""

from typing import Annotated, Optional

import typer

from ..data.choices import DEFAULT_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED, TaskChoice
from .app import app
from .common import console, reports_errors
from .dataset_options import ClassesOption, DataSeedOption, NoiseOption, SamplesOption, TargetOption, TaskOption
from .output import JsonOption, TableFormat, TableFormatOption, chosen_format, write_json

EXAMPLES = """Examples:

  gradcli show model.json    (a model written by gradcli train --save)

  gradcli show model.json --data moons --samples 300 --map-width 16
"""

MIN_MAP_WIDTH, MAX_MAP_WIDTH = 4, 40


@app.command("show", epilog=EXAMPLES)
@reports_errors
def show(
    model: Annotated[str, typer.Argument(metavar="MODEL.json", help="A model file written by gradcli train --save.",
                                         show_default=False)],
    data: Annotated[Optional[str], typer.Option(
        help="Measure the units on this dataset (a built-in name or a CSV file). Default: the data the model "
             "was trained on, when it can be loaded again.", metavar="DATASET", show_default=False)] = None,
    samples: SamplesOption = DEFAULT_SAMPLES,
    noise: NoiseOption = DEFAULT_NOISE,
    seed: DataSeedOption = DEFAULT_SEED,
    classes: ClassesOption = None,
    target: TargetOption = None,
    task: TaskOption = TaskChoice.auto,
    map_width: Annotated[int, typer.Option(help="Columns of each unit's map (its rows: half as many).",
                                           min=MIN_MAP_WIDTH, max=MAX_MAP_WIDTH)] = 12,
    output_format: TableFormatOption = TableFormat.table,
    json_output: JsonOption = False,
) -> None:
    """Show inside every neuron of a trained network: its output over the input plane, and how it behaves on data.

    Per layer, each unit's small map (as the TensorFlow Playground draws inside its
    neurons) with the share of samples it is active on and its mean; dead units
    are flagged.  The dataset options (--samples, --noise, ...) apply to --data.
    """
    from ..data.datasets import load_dataset
    from ..learn.inference import Predictor, model_inputs
    from ..learn.inspect import input_maps, inspect_model, recorded_dataset
    from ..learn.modelfile import load_model
    from ..render.show import show_document, show_renderables

    json_output = chosen_format(output_format, json_output) is TableFormat.json
    saved = load_model(model)
    predictor = Predictor.from_saved(saved)
    dataset = (load_dataset(data, samples=samples, noise=noise, seed=seed, classes=classes, target=target, task=task)
               if data is not None else recorded_dataset(saved))
    X = model_inputs(predictor, dataset) if dataset is not None else None
    size = (map_width, 2 * (map_width // 2))  # two grid rows per text row
    report = inspect_model(predictor, X, map_size=size, recorded_bounds=saved.meta.get("input_bounds"))
    if dataset is None:
        report.notes.append("no data to measure the units on: pass --data DATASET")
    if json_output:
        write_json(show_document(report, model, None if dataset is None else dataset.name))
        return
    inputs = input_maps(predictor, report.bounds, *size) if report.bounds is not None else None
    title = f"{model}: {saved.inputs} inputs, layers {','.join(map(str, saved.sizes))}" + (
        f", measured on {dataset.name} ({report.samples} samples)" if dataset is not None else "")
    out = console()
    for renderable in show_renderables(report, title, predictor.input_names, inputs,
                                       predictor.pipeline.feature_names):
        out.print(renderable)
