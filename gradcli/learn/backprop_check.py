"""Backprop checked while a network trains: the engine's gradient against central differences of the loss.

Seed 000 prints the engine's gradient next to the hand-derived one at every
step; ``train(..., config)`` with ``check_grad_every=N`` does the same for any
network, every N steps: it picks a few parameters at random (seeded: single
entries of the weight matrices, numbered as ``Network.parameter_vector``
numbers them, so both engines pick the same weights), moves each by +-h
and evaluates the step's loss through the engine's forward pass
(the loss the backward pass differentiated, penalty included), and compares
(f(p+h) - f(p-h)) / 2h with the gradient backprop gave.  The comparison is
``autograd.gradcheck.check_partial``: the step h, the tolerances, kink
detection (a relu or hinge exactly at its corner) and Ridders' fallback are
the ``check`` command's::

    result = check_backprop(engine, model, X, targets, "hinge", l2, l1, rng, step=10)
    result.ok, result.worst_error         # e.g. (True, 3.1e-10)

The relative error of one check is |backprop - numeric| / (|numeric| + atol/rtol):
the check passes when it is at most rtol (1e-5), so the worst one printed
compares directly with that limit, and a tiny gradient's round-off does not
read as a large relative error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..autograd.gradcheck import DEFAULT_ATOL, DEFAULT_RTOL, KINK, UNCHECKED, check_partial
from .engines import batch_loss

__all__ = ["CHECKED_PARAMETERS", "ParameterCheck", "BackpropCheck", "check_backprop", "parameter_name"]

CHECKED_PARAMETERS = 3  # parameters checked each time: enough to catch a wrong rule, cheap next to a step


@dataclass
class ParameterCheck:
    """One parameter's gradient, from backprop and from central differences."""

    index: int  # its position in model.parameter_vector()
    name: str  # "layer 2, neuron 3, w1"
    backprop: float
    numeric: float | None
    relative_error: float | None  # |backprop - numeric| / (|numeric| + atol/rtol)
    ok: bool
    status: str  # pass, fail, not differentiable (a kink: backprop lies between the one-sided slopes)


@dataclass
class BackpropCheck:
    """The checks made at one step."""

    step: int
    checks: list[ParameterCheck]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def worst(self) -> ParameterCheck | None:
        """The failed check with the largest error, else the smooth one with the largest error."""
        failed = [check for check in self.checks if not check.ok]
        ranked = failed or [check for check in self.checks if check.status != KINK and check.relative_error is not None]
        return max(ranked, key=lambda check: check.relative_error or math.inf, default=None)

    @property
    def worst_error(self) -> float | None:
        worst = self.worst
        return None if worst is None else worst.relative_error


class _LossOfParameters:
    """The step's loss as a function of a few parameter entries named p0, p1, ... (gradcheck's ``value_at``)."""

    def __init__(self, engine, model, X, targets, loss, l2, l1):
        self.engine, self.model, self.X, self.targets, self.loss, self.l2, self.l1 = \
            engine, model, X, targets, loss, l2, l1

    def value_at(self, point: dict) -> float:
        saved = {}
        for name, value in point.items():
            index = int(name[1:])
            saved[index] = self.model.parameter_entry(index)
            self.model.set_parameter_entry(index, value)
        try:
            with np.errstate(all="ignore"):
                outputs = self.engine.outputs(self.model, self.X)
                return batch_loss(outputs, self.targets, self.loss, self.model.parameters(), self.l2, self.l1)
        finally:
            for index, value in saved.items():
                self.model.set_parameter_entry(index, value)


def check_backprop(engine, model, X, targets, loss: str, l2: float, l1: float, rng, *, step: int = 0,
                   count: int = CHECKED_PARAMETERS, gradients=None) -> BackpropCheck:
    """Check the gradient of ``count`` random parameter entries (drawn from ``rng``) against finite differences.

    ``gradients`` are backprop's gradients of every entry for this batch, in
    the order of ``model.parameter_vector()`` (by default ``model.gradient_vector()``);
    the parameters are left as they were.
    """
    grads = gradients if gradients is not None else model.gradient_vector()
    total = model.parameter_count
    picked = sorted(rng.choice(total, size=min(count, total), replace=False).tolist())
    function = _LossOfParameters(engine, model, X, targets, loss, l2, l1)
    checks = []
    for index in picked:
        name = f"p{index}"
        check = check_partial(function, {name: model.parameter_entry(index)}, name, float(grads[index]))
        relative = None if check.abs_error is None else check.abs_error / (abs(check.numeric) + DEFAULT_ATOL / DEFAULT_RTOL)
        # no estimate at all (both shifted points undefined) says nothing against backprop
        ok = check.ok or check.status == UNCHECKED
        checks.append(ParameterCheck(index, parameter_name(model, index), float(grads[index]), check.numeric,
                                     relative, ok, check.status))
    return BackpropCheck(step, checks)


def parameter_name(model, index: int) -> str:
    """Where entry ``index`` of ``model.parameter_vector()`` sits: "layer 2, neuron 3, w1" or "... bias"."""
    return model.parameter_name(index)
