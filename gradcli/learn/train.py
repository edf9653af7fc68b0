"""The training loop: a network, a dataset's arrays and a ``TrainConfig`` -> a ``TrainResult``.

Used by ``gradcli train`` and usable from Python::

    config = TrainConfig(layers=[16, 16, 1], steps=100)
    model = build_model(config, n_inputs=2)
    result = train(model, TrainData(X, y, task="binary", n_classes=2), config,
                   on_step=history.append)

Each step: take the step's batch (``batches.py``: passes over the training
set, shuffled unless ``shuffle=False``), compute the loss and the gradients
with the chosen engine (``engines.py``), check the loss is finite, update the
parameters.  The loss recorded for step k is computed with the parameters
BEFORE step k's update (as in micrograd's demo), and so are the test loss
and metric of that step (``heldout.py``: every step when cheap, else about
100 times a run).  Optional, each through the engine's two methods alone:

- ``check_grad_every=N``: every N steps, backprop's gradient of a few random
  parameters against central differences of the loss (``backprop_check.py``);
  a mismatch stops the run (``stopped == "grad-check-failed"``);
- ``zero_grad=False``: the gradients of every step add up (the classic bug);
- ``patience=N``: stop when the test loss has not improved for N evaluations,
  keeping the best parameters (``stopped == "early-stopped"``).

The loop never prints: it calls ``on_step(StepInfo)`` after every step, and
stops early when ``stop()`` returns True (Ctrl-C in the CLI), when the loss
becomes NaN or infinite (keeping the last parameters whose loss was finite),
or on KeyboardInterrupt (rolling back a half-done step).  ``steps=0`` trains
nothing: the untrained network is measured.  At the end ``diagnosis.py``
says what went wrong, if anything (``TrainResult.warnings``).
"""

from __future__ import annotations

import gc
import math
import random
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..errors import DomainError, GradcliError, GradcliWarning
from .backprop_check import BackpropCheck, check_backprop
from .batches import batch_rows
from .config import TrainConfig, default_loss, default_lr
from .diagnosis import diagnose
from .engines import engine_for, outputs_loss
from .heldout import Best, HeldOut
from .losses import accuracy, check_loss, encode_targets, mse_value, penalty_value, r2_score, sum_of_squares
from .network import Network
from .optim import learning_rate, make_optimizer

__all__ = [
    "TrainConfig", "TrainData", "StepInfo", "TrainResult", "Metrics",
    "default_loss", "default_lr", "build_model", "train", "measure",
]


@dataclass
class TrainData:
    """What the loop trains on: inputs already transformed (features, standardisation)."""

    X: np.ndarray  # (n, d)
    y: np.ndarray  # (n,) class indices 0..k-1, or regression targets
    task: str = "binary"  # "binary" | "multiclass" | "regression"
    n_classes: int = 2
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    @property
    def has_test(self) -> bool:
        return self.X_test is not None and len(self.X_test) > 0


@dataclass
class StepInfo:
    """What ``on_step`` receives after each step (``step`` counts from 1)."""

    step: int
    steps: int
    loss: float  # with the parameters before this step's update
    metric: float | None  # accuracy on the batch (classification) or R^2 (regression; None for one sample)
    test_metric: float | None  # the same on the held-out set, when evaluated at this step, or None
    lr: float
    elapsed: float  # seconds since the loop started
    model: Network
    test_loss: float | None = None  # when evaluated at this step
    grad_check: float | None = None  # the worst relative error of this step's gradient check, when checked


@dataclass
class Metrics:
    """A model measured on one set: ``accuracy`` for classification, ``r2`` and ``mse`` for regression."""

    loss: float  # mean per-sample loss (no penalty)
    accuracy: float | None = None
    r2: float | None = None
    mse: float | None = None
    samples: int = 0


@dataclass
class TrainResult:
    model: Network
    config: TrainConfig  # with loss and lr resolved
    history: dict  # "loss", "metric", "test_loss", "test_metric", "lr", "grad_check": one entry per completed step
    metric_name: str  # "accuracy" or "r2"
    steps_done: int
    seconds: float  # the training loop alone
    stopped: str  # "completed", "interrupted", "diverged", "early-stopped" or "grad-check-failed"
    message: str | None  # why it stopped early
    final_loss: float  # training loss of the final model, penalty included
    train: Metrics
    test: Metrics | None
    failure: GradcliError | None = None  # diverged or failed check: the error to report after the summary
    steps_planned: int = 0
    best: Best | None = None  # with patience: the evaluation whose parameters were kept (step None: the final)
    grad_checks: list[BackpropCheck] = field(default_factory=list)
    warnings: list[GradcliWarning] = field(default_factory=list)  # what went wrong (diagnosis.py)

    @property
    def steps_per_second(self) -> float:
        return self.steps_done / self.seconds if self.seconds > 0 and self.steps_done else float("nan")

    @property
    def divergence(self) -> DomainError | None:
        """When it diverged: the same message as an error naming lr (not raised)."""
        return self.failure if self.stopped == "diverged" else None

    @property
    def final_test_loss(self) -> float | None:
        """The held-out loss of the final model with the penalty, as the history's test losses are."""
        return None if self.test is None else self.test.loss + penalty_value(self.model.parameters(), self.config.l2,
                                                                              self.config.l1)

    @property
    def worst_grad_check(self) -> float | None:
        errors = [check.worst_error for check in self.grad_checks if check.worst_error is not None]
        return max(errors, default=None)


def build_model(config: TrainConfig, n_inputs: int) -> Network:
    """A fresh network for ``config``, of the kind its engine trains, weights drawn from ``random.Random(config.seed)``.

    Python's generator, drawn in micrograd's order (neuron by neuron, weight by
    weight), so that ``gradcli train moons`` starts from the very weights of
    micrograd's demo (``random.seed(1337)``) and repeats its published run,
    whichever the engine (``tensor_nn.TensorMLP`` or ``nn.MLP``).
    """
    network = engine_for(config.engine).network
    return network(n_inputs, config.sizes, config.activation, activations=config.activations(), init=config.init,
                   init_scale=config.init_scale, rng=random.Random(config.seed))


def train(model: Network, data: TrainData, config: TrainConfig,
          on_step: Callable[[StepInfo], None] | None = None,
          stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train ``model`` in place and return what happened."""
    config.check()
    n = len(data.X)
    steps = config.check_run(n, data.has_test)
    loss_name = config.loss or default_loss(data.task, data.n_classes)
    check_loss(loss_name, data.task, data.n_classes, model.sizes[-1])
    lr = config.resolved_lr()
    resolved = replace(config, loss=loss_name, lr=lr)
    engine = engine_for(config.engine)
    params = model.parameters()
    optimizer = make_optimizer(config.optimizer, params)
    targets = encode_targets(loss_name, data.y, model.sizes[-1], data.task)
    batches = batch_rows(n, config.batch_size, shuffle=config.shuffle, seed=config.seed, steps=steps)
    full_batch = min(config.batch_size or n, n) == n
    held = HeldOut(data, loss_name, model.sizes[-1], config, steps) if data.has_test else None
    check_rng = np.random.default_rng([config.seed, 2]) if config.check_grad_every else None
    metric_name = "r2" if data.task == "regression" else "accuracy"
    history = {"loss": [], "metric": [], "test_loss": [], "test_metric": [], "lr": [], "grad_check": []}
    stopped, message, failure, grad_checks, growth = "completed", None, None, [], None
    initial_loss = measure(model, data.X, data.y, data.task, loss_name).loss

    gc_was_enabled = gc.isenabled()
    gc.disable()  # graphs have no cycles: reference counting frees them, the collector only costs time
    start = time.perf_counter()
    previous = None  # the parameters before the last completed update
    try:
        for k, rows in enumerate(batches):
            before = [p.data for p in params]
            kept_grads = None if config.zero_grad else [p.grad for p in params]
            updated = False
            try:
                X_batch, t_batch = data.X[rows], [t[rows] for t in targets]
                loss, outputs, detail = _loss_and_gradients(engine, model, X_batch, t_batch, loss_name, config)
                if not math.isfinite(loss):
                    failure = _divergence(k + 1, loss, lr, detail, model, data, config)
                    stopped, message = "diverged", str(failure)
                    # keep the parameters whose loss was finite: those before the previous update
                    _restore(params, previous if previous is not None else before)
                    _truncate(history, k - 1)
                    break
                checked = None
                if config.check_grad_every and (k + 1) % config.check_grad_every == 0:
                    checked = check_backprop(engine, model, X_batch, t_batch, loss_name, config.l2, config.l1,
                                             check_rng, step=k + 1)
                    grad_checks.append(checked)
                    if not checked.ok:  # the step is not taken: the parameters stay those backprop got wrong
                        failure = _check_failure(checked)
                        stopped, message = "grad-check-failed", str(failure)
                        break
                if kept_grads is not None:  # the classic bug: this step's gradients add to all the earlier ones
                    growth = _accumulate(params, kept_grads)
                metric = _metric(outputs, data.y[rows], data.task)
                test_loss = test_metric = None
                patience_over = False
                if held is not None and held.due(k):
                    test_loss, test_metric = held.evaluate(model)
                    patience_over = held.record(k + 1, test_loss, before)
                step_lr = learning_rate(config.schedule, lr, k, steps)
                optimizer.step(step_lr)
                for key, value in (("loss", loss), ("metric", metric), ("test_loss", test_loss),
                                   ("test_metric", test_metric), ("lr", step_lr),
                                   ("grad_check", checked.worst_error if checked else None)):
                    history[key].append(value)
                updated, previous = True, before  # the step is complete: update and history agree
                if on_step is not None:
                    on_step(StepInfo(k + 1, steps, loss, metric, test_metric, step_lr, time.perf_counter() - start,
                                     model, test_loss, history["grad_check"][-1]))
                if patience_over:
                    stopped = "early-stopped"
                    message = (f"the test loss has not improved for {config.patience} evaluations since step "
                               f"{held.best.step}")
                    break
                if stop is not None and stop():
                    stopped, message = "interrupted", f"stopped after step {k + 1} of {steps}"
                    break
            except KeyboardInterrupt:
                if not updated:
                    _restore(params, before)  # a half-done step must not survive
                    _truncate(history, k)
                stopped, message = "interrupted", f"stopped after step {len(history['loss'])} of {steps}"
                break
    except KeyboardInterrupt:  # between two steps: every step so far is complete, none is half done
        stopped, message = "interrupted", f"stopped after step {len(history['loss'])} of {steps}"
    finally:
        seconds = time.perf_counter() - start
        if gc_was_enabled:
            gc.enable()

    if failure is None and previous is not None:
        # the last update may leave parameters whose loss no step has seen: not finite is a divergence too
        with np.errstate(all="ignore"):
            after = measure(model, data.X, data.y, data.task, loss_name).loss + penalty_value(params, config.l2,
                                                                                              config.l1)
        if not math.isfinite(after):
            done = len(history["loss"])
            failure = _divergence(done + 1, after, lr, None, model, data, config, f"after the last update (step {done})")
            stopped, message = "diverged", str(failure)
            _restore(params, previous)
            _truncate(history, len(history["loss"]) - 1)
    best = held.keep_best(model, held.evaluate(model)[0]) if held is not None else None
    steps_done = len(history["loss"])
    train_metrics = measure(model, data.X, data.y, data.task, loss_name)
    penalty = penalty_value(model.parameters(), config.l2, config.l1)
    test_metrics = measure(model, data.X_test, data.y_test, data.task, loss_name) if data.has_test else None
    warnings = diagnose(model, data.X, data.y, data.task, resolved, steps_done=steps_done, history=history,
                        initial_loss=initial_loss, final_loss=train_metrics.loss, full_batch=full_batch,
                        gradient_growth=growth)
    return TrainResult(model, resolved, history, metric_name, steps_done, seconds, stopped, message,
                       train_metrics.loss + penalty, train_metrics, test_metrics, failure, steps, best, grad_checks,
                       warnings)


def measure(model: Network, X: np.ndarray, y: np.ndarray, task: str, loss: str,
            outputs: np.ndarray | None = None) -> Metrics:
    """Loss (no penalty) and accuracy, or R^2 and MSE, of ``model`` on rows X with targets y.

    ``outputs``: the network's outputs on X when the caller has them already.
    """
    with np.errstate(all="ignore"):
        # the forward pass without a graph (its memory does not grow with the parameters x rows); only the
        # loss is built from Values, over the output matrix
        array = model.forward_array(X) if outputs is None else outputs
        value = outputs_loss(array, encode_targets(loss, y, array.shape[1], task), loss)
    if task == "regression":
        return Metrics(value, r2=r2_score(array[:, 0], y), mse=mse_value(array[:, 0], y), samples=len(y))
    return Metrics(value, accuracy=accuracy(array, y, task), samples=len(y))


def _loss_and_gradients(engine, model, X, targets, loss_name, config) -> tuple[float, np.ndarray | None, str | None]:
    """The engine's loss and gradients; a math error counts as a non-finite loss (with its reason)."""
    try:
        with np.errstate(all="ignore"):  # a blow-up is detected by the caller, by value
            loss, outputs = engine.loss_and_gradients(model, X, targets, loss_name, config.l2, config.l1)
        return loss, outputs, None
    except DomainError as exc:
        return float("nan"), None, f"({exc})"


def _accumulate(params, kept: list) -> float | None:
    """Add the earlier gradients ``kept`` to this step's; return how many times larger the sum is."""
    fresh = math.sqrt(sum_of_squares([p.grad for p in params]))
    for p, g in zip(params, kept):
        p.grad = p.grad + g  # a new array: ``kept`` may hold this very one
    total = math.sqrt(sum_of_squares([p.grad for p in params]))
    return total / fresh if fresh > 0 else None


def _metric(outputs: np.ndarray, y: np.ndarray, task: str) -> float | None:
    """Accuracy on the batch, or R^2 (None for a batch of one sample: R^2 needs a spread of targets)."""
    if task == "regression":
        return r2_score(outputs[:, 0], y) if len(y) > 1 else None
    return accuracy(outputs, y, task)


# Network inputs (and regression targets) beyond this size make products that overflow within a few
# steps whatever the learning rate; standardised inputs are about 1.
LARGE_INPUT = 1e6


def _divergence(step: int, loss: float, lr: float, detail: str | None, model: Network, data: TrainData,
                config: TrainConfig, when: str | None = None) -> DomainError:
    """The error of a run whose loss stopped being finite, naming its likely cause (lr unless shown otherwise).

    ``when`` says when it happened, if not "at step {step}".
    """
    what = "NaN" if math.isnan(loss) else "infinite"
    text = f"the loss became {what} {when or f'at step {step}'}"
    if detail:
        text += f" {detail}"
    kept = "kept the parameters of the last finite step"
    values = model.parameter_vector()
    with np.errstate(all="ignore"):
        sums = float(np.vdot(values, values)), float(np.abs(values).sum())
    for name, weight, total in (("l2", config.l2, sums[0]), ("l1", config.l1, sums[1])):
        if weight and math.isfinite(total) and not math.isfinite(weight * total):
            return DomainError(f"{text}: the penalty {{setting}} * sum({'p^2' if name == 'l2' else '|p|'}) = "
                               f"{weight:g} * {total:.4g} overflows; {kept}",
                               hint=f"use a much smaller {{setting}} (the default is {getattr(TrainConfig(), name):g})",
                               setting=name, value=weight, step=step)
    for which, array in (("inputs", data.X), ("targets", data.y if data.task == "regression" else None)):
        largest = float(np.max(np.abs(array))) if array is not None and array.size else 0.0
        if largest > LARGE_INPUT:
            return DomainError(f"{text}: the network's {which} reach {largest:.3g}, and products of numbers that "
                               f"large overflow whatever the learning rate; {kept}",
                               hint="scale the data down (or standardise the inputs with {setting})",
                               setting="standardize", value=largest, step=step)
    if step == 1:
        return DomainError(f"{text}, before any update (the learning rate played no part): the initial network "
                           f"overflows on this data; {kept}", hint="scale the data down, or try {setting:init} xavier",
                           setting="lr", value=lr, step=step)
    return DomainError(f"{text}; {kept}. Try a lower learning rate than {{setting}} {lr:g}", setting="lr", value=lr,
                       step=step)


def _check_failure(checked: BackpropCheck) -> DomainError:
    worst = checked.worst
    numeric = "no estimate" if worst.numeric is None else f"{worst.numeric:.6g}"
    error = "" if worst.relative_error is None else f" (relative error {worst.relative_error:.2g})"
    return DomainError(
        f"the gradient check failed at step {checked.step}: {worst.name} has backprop gradient "
        f"{worst.backprop:.6g} but finite differences give {numeric}{error}; the engine's backward pass is wrong",
        setting="check_grad_every", step=checked.step, check=worst)


def _restore(params, datas) -> None:
    for p, value in zip(params, datas):
        p.data = value


def _truncate(history: dict, length: int) -> None:
    for values in history.values():
        del values[max(length, 0):]
