"""Errors -> the lines a person reads: ``error: ...``, a caret under a parse error, ``hint: ...``.

The core names a setting as Python does (``batch_size``); on the command line
(and in ``gradcli explore``, whose settings are flags too) it is the flag
``--batch-size``.  ``cli/common.py`` prints these lines on stderr; the explore
app shows them under its expression editor.
"""

from __future__ import annotations

from ..errors import ExprError, GradcliError, MissingValuesError, ModelFileError
from ..printable import printable

# Core settings whose flag is not ``--`` + the name with ``-`` for ``_``.
FLAGS = {
    "test_fraction": "--test-split",  # datasets.split(dataset, test_fraction, seed)
    "count": "--points",  # gradcheck.check_random_points(expression, count, low=, high=)
    "low": "--range",
    "range": "--range",
    "dataset": "DATASET",  # the positional arguments, as the usage lines name them
    "model": "MODEL",
}


def flag_name(setting: str) -> str:
    """The command-line spelling of a core setting: ``batch_size`` -> ``--batch-size``."""
    return FLAGS.get(setting) or "--" + setting.replace("_", "-")


def command_hint(error: GradcliError) -> str | None:
    """Advice only the command line can give (a command to run), in place of the core's hint."""
    if isinstance(error, ModelFileError) and error.facts.get("missing"):
        return "train one first: gradcli train moons --save model.json"
    return None


def error_lines(error: GradcliError) -> list[str]:
    """The one or two lines (plus a caret display for parse errors) that report ``error``, in flag words.

    Text the message quotes from the user or a file is shown with its control characters escaped
    (``gradcli.printable``), so that it cannot drive the terminal or forge a line.
    """
    message = error.describe(flag_name)
    if isinstance(error, MissingValuesError):  # the command line says how to pass them
        message += ": pass " + " ".join(f"--{name} VALUE" for name in error.facts["names"])
    lines = [f"error: {printable(message)}"]
    if isinstance(error, ExprError) and printable(error.expression) == error.expression:
        lines += error.caret_lines()  # (an escaped expression would move the caret: the message has the column)
    hint = command_hint(error) or error.describe_hint(flag_name)
    if hint:
        lines.append(f"hint: {printable(hint)}")
    return lines
