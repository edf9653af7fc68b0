"""Options shared by the commands that load a dataset (``train``, ``eval``, ``datasets show``), declared once.

Choices come from the core (``gradcli.data.choices``, whose defaults the
commands use); this module only words them for ``--help``.  ``--task auto``
goes to ``load_dataset`` as it is (auto: guess from the target column).
``train`` declares its own ``--seed``: the seed of a run also fixes the
split, the initial weights and the batches.
"""

from typing import Annotated, Optional

import typer

from ..data.choices import TaskChoice

__all__ = ["DatasetArgument", "SamplesOption", "NoiseOption", "DataSeedOption", "ClassesOption", "TargetOption",
           "TaskOption"]

DatasetArgument = Annotated[str, typer.Argument(metavar="DATASET", show_default=False,
                                                help="A built-in dataset (see `gradcli datasets`) or a CSV file path.")]
SamplesOption = Annotated[int, typer.Option(help="Samples to generate (built-in generated datasets).")]
NoiseOption = Annotated[float, typer.Option(help="Noise of a generated dataset (scikit-learn's spread, or the "
                                                 "Playground's fraction, 0 to 0.5).")]
DataSeedOption = Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")]
ClassesOption = Annotated[Optional[int], typer.Option(help="Classes of blobs (default 3) or arms of spiral "
                                                           "(default 2).", show_default=False)]
TargetOption = Annotated[Optional[str], typer.Option(help="CSV files: the target column (default: the last).",
                                                     show_default=False)]
TaskOption = Annotated[TaskChoice, typer.Option(help="CSV files: the task, when the guess from the target column is "
                                                     "wrong.")]

