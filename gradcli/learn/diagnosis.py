"""Honest warnings about a finished run: what went wrong, in facts, and what to try.

A run can end without an error and still have learned nothing.  ``diagnose``
looks at the trained network and its history and returns one
``GradcliWarning`` per problem, each with ``kind`` among its facts and a
message in Python's words that names settings as ``{setting:name}`` (the CLI
spells them as flags); ``train`` puts them in ``TrainResult.warnings``:

- ``no-zero-grad``: gradients were left to accumulate (``zero_grad=False``),
  how much larger than its own gradient the last update's was, and why that
  matters (seed 004's classic bug);
- ``diverging``: the training loss rose 10x or more (from its start, or in a
  full-batch run from its lowest);
- ``one-class``: a classifier that predicts the same class for every sample;
- ``chance``: accuracy within 5 points of always guessing the largest class;
- ``dead-relus``: more than half the relu units are active on no training
  sample (``inspect.py`` defines active).

A non-finite loss is not among them: it stops the run with an error (``train``).
An untrained network (``steps=0``) is expected to know nothing: only the
settings are diagnosed then.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import GradcliWarning
from ..numbers import percent, plain, short, significant
from .inspect import dead_share
from .losses import predict_classes

__all__ = ["RISE", "CHANCE_MARGIN", "DEAD_SHARE", "diagnose"]

RISE = 10.0  # a loss this many times its start (or its lowest) is diverging
CHANCE_MARGIN = 0.05  # accuracy within this of the largest class's share is chance
DEAD_SHARE = 0.5  # more than this share of dead relu units is "mostly dead"
TRY = "Try a lower {setting:lr}, another {setting:init}, or {setting:optimizer} adam"


def diagnose(model, X: np.ndarray, y: np.ndarray, task: str, config, *, steps_done: int, history: dict,
             initial_loss: float, final_loss: float, full_batch: bool,
             gradient_growth: float | None = None) -> list[GradcliWarning]:
    """The warnings a run deserves (see the module docstring); losses without the penalty, on the whole set."""
    warnings = []
    if not config.zero_grad:
        warnings.append(_no_zero_grad(gradient_growth, steps_done, config.resolved_lr()))
    if steps_done == 0:
        return warnings
    diverging = _diverging(history["loss"], initial_loss, final_loss, full_batch, config.resolved_lr(),
                           config.zero_grad)
    if diverging is not None:
        warnings.append(diverging)
    if task != "regression":
        with np.errstate(all="ignore"):
            predicted = predict_classes(model.forward_array(X), task)
        warnings += _classes(predicted, y)
    dead, units = dead_share(model, X)
    if units >= 2 and dead > DEAD_SHARE * units:
        init = ("a smaller {setting:init_scale}" if config.init in ("he", "he-normal") else "{setting:init} he")
        warnings.append(GradcliWarning(
            f"{dead} of {units} relu units ({percent(dead / units)}) are dead: they output 0 for every training "
            f"sample, so their weights get no gradient. Try a lower {{setting}}, {init}, or "
            "{setting:activation} leaky-relu", setting="lr", kind="dead-relus", dead=dead, units=units))
    return warnings


def _no_zero_grad(growth: float | None, steps: int, lr: float) -> GradcliWarning:
    size = ""
    if growth is not None and steps > 1:
        size = f" (at the last step {plain(round(growth, 1))}x that step's own gradient)"
    return GradcliWarning(
        f"gradients were not zeroed between steps ({{setting}} off): each update used the sum of all the "
        f"gradients so far{size}, so the steps were that much larger than lr {plain(lr)} says. That is the "
        "classic bug of calling backward() without zero_grad() first", setting="zero_grad", kind="no-zero-grad",
        growth=growth)


def _diverging(losses: list, initial: float, final: float, full_batch: bool, lr: float,
               zero_grad: bool = True) -> GradcliWarning | None:
    start, end = initial, final
    if not (math.isfinite(start) and math.isfinite(end)):
        return None
    lowest = min(losses) if (full_batch and losses) else None
    if start > 0 and end >= RISE * start:
        what = f"rose from {short(start)} to {short(end)} ({significant(end / start, 2)}x)"
    elif lowest is not None and lowest > 0 and losses[-1] >= RISE * lowest:
        what = f"rose from its lowest, {short(lowest)}, to {short(losses[-1])} ({significant(losses[-1] / lowest, 2)}x)"
    else:
        return None
    advice = (f"Try a lower {{setting}} than {plain(lr)}, or {{setting:optimizer}} adam" if zero_grad else
              "The gradients that were never zeroed made them so")
    return GradcliWarning(f"the training loss {what}: the run is diverging, its steps too large for this network. "
                          f"{advice}", setting="lr", kind="diverging", start=start, end=end)


def _classes(predicted: np.ndarray, y: np.ndarray) -> list[GradcliWarning]:
    counts = np.bincount(y.astype(int))
    if len(counts) < 2 or not len(predicted):
        return []
    distinct = np.unique(predicted)
    if len(distinct) == 1:
        return [GradcliWarning(f"the network predicts class {int(distinct[0])} for all {len(predicted)} training "
                               f"samples: it has collapsed to one class. {TRY}", kind="one-class",
                               predicted=int(distinct[0]))]
    accuracy = float(np.mean(predicted == y))
    chance = float(counts.max() / counts.sum())
    if accuracy <= chance + CHANCE_MARGIN:
        return [GradcliWarning(f"train accuracy {percent(accuracy)} is no better than always guessing the largest "
                               f"class ({percent(chance)}): the network has not learned this task. {TRY}",
                               kind="chance", accuracy=accuracy, chance=chance)]
    return []
