"""The held-out set during training: its loss and metric every few steps, and stopping when it stops improving.

``train`` asks ``HeldOut.due(k)`` each step; on the steps it is due, the test
loss and metric are measured with the parameters of that step (those its
training loss was computed with, before the update), so that the training
and test curves of a history describe the same network at every point.  The
test loss is the mean per-sample loss plus the penalty, as the training
loss is, so the two curves share one axis.

When to evaluate (``eval_every``, by default ``default_eval_every``): at step 1,
at every K-th step, and at the last.  Every step when that is cheap (runs of
at most 1,000 steps with at most a million test-sample evaluations in all);
otherwise about 100 times per run.

``patience`` stops the run when the test loss has not improved for that
many evaluations; the parameters of the best evaluation are kept (``best``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .engines import batch_loss
from .losses import accuracy, encode_targets, r2_score

__all__ = ["EVALUATIONS", "Best", "HeldOut", "default_eval_every"]

CHEAP_STEPS = 1_000  # runs up to this long evaluate at every step...
CHEAP_ROWS = 1_000_000  # ...when steps x test samples stays below this
EVALUATIONS = 100  # otherwise: about this many evaluations per run


def default_eval_every(steps: int, n_test: int) -> int:
    """Every step when cheap, otherwise about ``EVALUATIONS`` times per run."""
    if steps <= CHEAP_STEPS and steps * n_test <= CHEAP_ROWS:
        return 1
    return max(1, math.ceil(steps / EVALUATIONS))


@dataclass
class Best:
    """The best evaluation so far: its step (None: the final parameters), test loss and parameters."""

    step: int | None
    loss: float
    parameters: list | None = None


class HeldOut:
    """Evaluates the test split of ``data`` and keeps the best parameters when ``patience`` is set."""

    def __init__(self, data, loss: str, n_outputs: int, config, steps: int):
        self.X, self.y, self.task = data.X_test, data.y_test, data.task
        self.loss, self.l2, self.l1 = loss, config.l2, config.l1
        self.targets = encode_targets(loss, data.y_test, n_outputs, data.task)
        self.every = config.eval_every or default_eval_every(steps, len(data.y_test))
        self.patience = config.patience
        self.steps = steps
        self.best: Best | None = None
        self.since_best = 0  # evaluations without improvement

    def due(self, k: int) -> bool:
        """Whether step k (from 0) evaluates: the first, every ``every``-th, and the last."""
        return k == 0 or (k + 1) % self.every == 0 or k == self.steps - 1

    def evaluate(self, model) -> tuple[float, float]:
        """(test loss with the penalty, accuracy or R^2) of the model as it is now."""
        with np.errstate(all="ignore"):
            outputs = model.forward_array(self.X)
            loss = batch_loss(outputs, self.targets, self.loss, model.parameters(), self.l2, self.l1)
        metric = r2_score(outputs[:, 0], self.y) if self.task == "regression" else accuracy(outputs, self.y, self.task)
        return loss, metric

    def record(self, step: int, loss: float, parameters: list) -> bool:
        """Note step ``step``'s test loss and its parameters; True when patience has run out."""
        if self.patience is None:
            return False
        if self.best is None or loss < self.best.loss:
            self.best, self.since_best = Best(step, loss, list(parameters)), 0
            return False
        self.since_best += 1
        return self.since_best >= self.patience

    def keep_best(self, model, final_loss: float) -> Best | None:
        """Put the best evaluated parameters back, unless the final ones are at least as good."""
        if self.patience is None or self.best is None:
            return None
        if math.isfinite(final_loss) and final_loss <= self.best.loss:
            return Best(None, final_loss)
        for p, value in zip(model.parameters(), self.best.parameters):
            p.data = value
        return Best(self.best.step, self.best.loss)
