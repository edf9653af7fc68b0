"""``gradcli playground``: the TensorFlow Playground in a terminal.

Reads the dataset and the training options as ``train`` does (with the
Playground's defaults), builds a ``Session`` (``gradcli/playground/session.py``;
a bad option or dataset is reported here, before the screen changes), runs the
Textual app (``gradcli/playground/app.py``, imported here only, so that no
other command loads Textual) and, when the user quits with ``q``, prints the
``gradcli train ...`` command that trains the model the playground showed.
"""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..data.choices import DEFAULT_SEED, TaskChoice
from ..learn.config import Activation, Engine, Init, Loss, Optimizer
from .app import app
from .common import note, reports_errors, write_stdout
from .dataset_options import ClassesOption, TargetOption
from .options import DEFAULT_MAX_MEMORY_TEXT, MaxMemoryOption, max_memory

EXAMPLES = """Examples:

  gradcli playground xor

  gradcli playground spiral --features x,y,x2,y2,xy,sinx,siny --layers 8,8,1:tanh --lr 0.01

  gradcli playground moons --activation relu --save moons-model.json

Keys: space plays and pauses; s takes one step; r starts again with a new seed; up/down select a setting and left/right change it (learning rate, activation, regularisation, batch size, noise, held-out share, inputs, layers and neurons); t shows or hides the held-out points; w writes the model; q quits and prints the gradcli train command that trains the same model.
"""

DEFAULT_DATASET = "circle"  # the Playground's first


@app.command("playground", epilog=EXAMPLES)
@reports_errors
def playground(
    dataset: Annotated[str, typer.Argument(metavar="DATASET", show_default=False, help=(
        "A built-in dataset (see `gradcli datasets`) or a CSV file path. Default: circle."))] = DEFAULT_DATASET,
    layers: Annotated[Optional[str], typer.Option(help=(
        "Hidden and output layers as for train, e.g. 8,8,1:tanh (at most 6 hidden layers of 64). Default: 4,2 "
        "and the output: 1:tanh for two classes, K for K classes, 1 for regression."), show_default=False)] = None,
    activation: Annotated[Optional[Activation], typer.Option(help="Of the hidden layers. Default: tanh.",
                                                             show_default=False)] = None,
    init: Annotated[Optional[Init], typer.Option(help="Initial weights. Default: uniform (with --init-scale 0.5: "
                                                      "U(-0.5, 0.5), the Playground's).", show_default=False)] = None,
    init_scale: Annotated[Optional[float], typer.Option(help="Width of the initial weights. Default: 0.5.",
                                                        show_default=False)] = None,
    loss: Annotated[Optional[Loss], typer.Option(help="Default: mse for two classes (targets -1 and +1, as the "
                                                      "Playground) and regression, cross-entropy for more.",
                                                 show_default=False)] = None,
    optimizer: Annotated[Optional[Optimizer], typer.Option(help="Default: sgd.", show_default=False)] = None,
    lr: Annotated[Optional[float], typer.Option(help="Learning rate (constant). Default: 0.03.",
                                                show_default=False)] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Samples per step. Default: 10.",
                                                      show_default=False)] = None,
    l2: Annotated[Optional[float], typer.Option(help="L2 regularisation rate. Default: none.",
                                                show_default=False)] = None,
    l1: Annotated[Optional[float], typer.Option(help="L1 regularisation rate (not with --l2). Default: none.",
                                                show_default=False)] = None,
    engine: Annotated[Optional[Engine], typer.Option(help="The training engine. Default: gradcli's default.",
                                                     show_default=False)] = None,
    samples: Annotated[Optional[int], typer.Option(help="Samples to generate. Default: 500 (1200 for regression), "
                                                        "the Playground's.", show_default=False)] = None,
    noise: Annotated[Optional[float], typer.Option(help="Noise of a generated dataset. Default: 0 on the "
                                                        "Playground's sets, 0.1 on the others.",
                                                   show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="Seed of the data, the split, the weights and the batches "
                                           "(r adds 1).")] = DEFAULT_SEED,
    classes: ClassesOption = None,
    features: Annotated[Optional[str], typer.Option(help="2-D data: the inputs, from x,y,x2,y2,xy,sinx,siny. "
                                                         "Default: x,y.", show_default=False)] = None,
    target: TargetOption = None,
    task: Annotated[Optional[TaskChoice], typer.Option(help="CSV files: the task, when the guess from the target "
                                                            "column is wrong.", show_default=False)] = None,
    standardize: Annotated[Optional[bool], typer.Option(
        "--standardize/--no-standardize", help="Scale the inputs to zero mean and unit variance. Default: as "
        "train (on for built-in sets except moons).", show_default=False)] = None,
    test_split: Annotated[float, typer.Option(help="Fraction held out (the test loss and the hollow points).")] = 0.5,
    save: Annotated[Optional[str], typer.Option(help="Where w writes the model (a gradcli.mlp file). Default: "
                                                     "playground-DATASET.json.", metavar="FILE.json",
                                                show_default=False)] = None,
    memory_limit: MaxMemoryOption = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Train a network in a full-screen app and watch the decision map, every neuron and the losses move.

    The TensorFlow Playground in the terminal, with its defaults (tanh, 4,2
    hidden layers, lr 0.03, batch 10, half the data held out). Change any
    setting while it trains; q prints the gradcli train command that trains
    the model you see.
    """
    from ..atomicfile import check_writable
    from ..data.datasets import dataset_file
    from ..errors import UsageError
    from ..paths import refuse_overlaps
    from ..playground.session import Session
    from ..playground.settings import from_options
    from .train_cmd import parse_layers

    settings = from_options(dataset, layers=parse_layers(layers) if layers is not None else None, features=features,
                            l1=l1, l2=l2, activation=activation, init=init, init_scale=init_scale, loss=loss,
                            optimizer=optimizer, lr=lr, batch_size=batch_size, engine=engine, samples=samples,
                            noise=noise, seed=seed, classes=classes, target=target,
                            task=None if task is TaskChoice.auto else task, standardize=standardize,
                            test_split=test_split)
    path = save or f"playground-{Path(dataset).stem}.json"
    refuse_overlaps(outputs={"save": path}, inputs={"dataset": dataset_file(dataset)})
    if save is not None:
        check_writable(save)
    session = Session(settings, max_memory=max_memory(memory_limit))  # loads and checks everything, trains nothing
    if features is not None:  # as train refuses them: on data that is not 2-D they would silently not be used
        from ..data.features import require_2d

        require_2d(session.run.dataset)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "gradcli playground is interactive and needs a terminal, but stdin or stdout is not one",
            hint=f"to train the same network without it: {settings.command_line(session.facts, steps=1000)}",
        )
    from ..playground.app import PlaygroundApp
    from ..playground.controls import Controls
    from ..playground.trainer import Trainer, responsive

    with responsive():
        result = PlaygroundApp(Trainer(session), Controls(settings, session.facts_of), path).run()
    if result:
        command, caveat = result
        write_stdout(command)
        if caveat:
            note(caveat)
