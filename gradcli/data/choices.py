"""The choices and defaults of loading a dataset, declared once.

``Task`` is what a dataset is; ``TaskChoice`` is what a caller may ask
``load_dataset(task=...)`` for (``auto`` guesses from the target column,
``classification`` lets the number of classes decide).  The defaults shape
the generated datasets; ``DEFAULT_SEED`` also fixes a training run's split,
initial weights and batches.  No NumPy here: the CLI declares its options
from these names at start-up::

    >>> Task("binary") is Task.binary, [choice.value for choice in TaskChoice][:2]
    (True, ['auto', 'classification'])
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Task", "TaskChoice", "DEFAULT_SAMPLES", "DEFAULT_NOISE", "DEFAULT_SEED", "SEED_LIMIT"]


class Task(StrEnum):
    """What a dataset's target is: two classes, more classes, or a value."""

    binary = "binary"
    multiclass = "multiclass"
    regression = "regression"


class TaskChoice(StrEnum):
    """The task a caller asks for: a ``Task``, or ``auto`` (guess) or ``classification`` (2 or more classes)."""

    auto = "auto"
    classification = "classification"
    binary = "binary"
    multiclass = "multiclass"
    regression = "regression"


DEFAULT_SAMPLES = 100
DEFAULT_NOISE = 0.1
DEFAULT_SEED = 1337  # micrograd's demo: random.seed(1337), np.random.seed(1337)
SEED_LIMIT = 2**32  # scikit-learn's random_state must lie in [0, 2**32)
