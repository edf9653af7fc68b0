"""The training loop: a network, a dataset's arrays and a ``TrainConfig`` -> a ``TrainResult``.

Used by ``gradcli train`` and usable from Python::

    config = TrainConfig(layers=[16, 16, 1], steps=100)
    model = build_model(config, n_inputs=2)
    result = train(model, TrainData(X, y, task="binary", n_classes=2), config,
                   on_step=history.append)

Each step: pick the batch, compute the loss and the gradients with the chosen
engine (``batched.loss_and_gradients``), check the loss is finite, update the
parameters.  The loss recorded for step k is computed with the parameters
BEFORE step k's update (as in micrograd's demo).  The loop never prints: it
calls ``on_step(StepInfo)`` after every step, and stops early when ``stop()``
returns True (Ctrl-C in the CLI), when the loss becomes NaN or infinite
(keeping the last parameters whose loss was finite), or on KeyboardInterrupt
(rolling back a half-done step).
"""

from __future__ import annotations

import gc
import math
import random
import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..errors import DomainError
from .config import TrainConfig, default_loss, default_lr
from .engines import batch_outputs, loss_and_gradients
from .losses import accuracy, check_loss, encode_targets, mse_value, per_sample_loss, r2_score
from .nn import MLP
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
    metric: float  # accuracy on the batch (classification) or R^2 (regression)
    test_metric: float | None  # the same on the held-out set, or None
    lr: float
    elapsed: float  # seconds since the loop started
    model: MLP


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
    model: MLP
    config: TrainConfig  # with loss and lr resolved
    history: dict  # "loss", "metric", "test_metric", "lr": one entry per completed step
    metric_name: str  # "accuracy" or "r2"
    steps_done: int
    seconds: float  # the training loop alone
    stopped: str  # "completed", "interrupted" or "diverged"
    message: str | None  # why it stopped early
    final_loss: float  # training loss of the final model, penalty included
    train: Metrics
    test: Metrics | None
    divergence: DomainError | None = None  # when it diverged: the same message as an error naming lr (not raised)

    @property
    def steps_per_second(self) -> float:
        return self.steps_done / self.seconds if self.seconds > 0 else float("nan")


def build_model(config: TrainConfig, n_inputs: int) -> MLP:
    """A fresh network for ``config``, its weights drawn from ``random.Random(config.seed)``.

    Python's generator, drawn in micrograd's order (neuron by neuron, weight by
    weight), so that ``gradcli train moons`` starts from the very weights of
    micrograd's demo (``random.seed(1337)``) and repeats its published run.
    """
    return MLP(n_inputs, config.layers, config.activation, init=config.init, rng=random.Random(config.seed))


def train(model: MLP, data: TrainData, config: TrainConfig,
          on_step: Callable[[StepInfo], None] | None = None,
          stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train ``model`` in place and return what happened."""
    config.check()
    loss_name = config.loss or default_loss(data.task, data.n_classes)
    check_loss(loss_name, data.task, data.n_classes, model.sizes[-1])
    lr = config.resolved_lr()
    resolved = replace(config, loss=loss_name, lr=lr)
    params = model.parameters()
    optimizer = make_optimizer(config.optimizer, params)
    targets = encode_targets(loss_name, data.y, model.sizes[-1], data.task)
    n = len(data.X)
    batch_size = min(config.batch_size or n, n)
    batch_rng = np.random.default_rng([config.seed, 1])  # its own stream: batches do not shift the weights
    metric_name = "r2" if data.task == "regression" else "accuracy"
    history = {"loss": [], "metric": [], "test_metric": [], "lr": []}
    stopped, message, divergence = "completed", None, None

    gc_was_enabled = gc.isenabled()
    gc.disable()  # graphs have no cycles: reference counting frees them, the collector only costs time
    start = time.perf_counter()
    previous = None  # the parameters before the last completed update
    try:
        for k in range(config.steps):
            before = [p.data for p in params]
            updated = False
            try:
                rows = slice(None) if batch_size == n else np.sort(batch_rng.choice(n, batch_size, replace=False))
                loss, outputs, detail = _loss_and_gradients(model, data.X[rows], [t[rows] for t in targets],
                                                            loss_name, config)
                if not math.isfinite(loss):
                    divergence = _divergence(k + 1, loss, lr, detail)
                    stopped, message = "diverged", str(divergence)
                    # keep the parameters whose loss was finite: those before the previous update
                    _restore(params, previous if previous is not None else before)
                    _truncate(history, k - 1)
                    break
                metric = _metric(outputs, data.y[rows], data.task)
                test_metric = _test_metric(model, data) if data.has_test else None
                step_lr = learning_rate(config.schedule, lr, k, config.steps)
                optimizer.step(step_lr)
                for key, value in (("loss", loss), ("metric", metric), ("test_metric", test_metric),
                                   ("lr", step_lr)):
                    history[key].append(value)
                updated, previous = True, before  # the step is complete: update and history agree
                if on_step is not None:
                    on_step(StepInfo(k + 1, config.steps, loss, metric, test_metric, step_lr,
                                     time.perf_counter() - start, model))
                if stop is not None and stop():
                    stopped, message = "interrupted", f"stopped after step {k + 1} of {config.steps}"
                    break
            except KeyboardInterrupt:
                if not updated:
                    _restore(params, before)  # a half-done step must not survive
                    _truncate(history, k)
                stopped, message = "interrupted", f"stopped after step {len(history['loss'])} of {config.steps}"
                break
    except KeyboardInterrupt:  # between two steps: every step so far is complete, none is half done
        stopped, message = "interrupted", f"stopped after step {len(history['loss'])} of {config.steps}"
    finally:
        seconds = time.perf_counter() - start
        if gc_was_enabled:
            gc.enable()

    steps_done = len(history["loss"])
    train_metrics = measure(model, data.X, data.y, data.task, loss_name)
    penalty = _penalty(model, config.l2, config.l1)
    test_metrics = measure(model, data.X_test, data.y_test, data.task, loss_name) if data.has_test else None
    return TrainResult(model, resolved, history, metric_name, steps_done, seconds, stopped, message,
                       train_metrics.loss + penalty, train_metrics, test_metrics, divergence)


def measure(model: MLP, X: np.ndarray, y: np.ndarray, task: str, loss: str) -> Metrics:
    """Loss (no penalty) and accuracy, or R^2 and MSE, of ``model`` on rows X with targets y."""
    with np.errstate(all="ignore"):
        outputs, array = batch_outputs(model, X)
        targets = encode_targets(loss, y, len(outputs), task)
        value = float(np.mean(per_sample_loss(loss, outputs, targets).data))
    if task == "regression":
        return Metrics(value, r2=r2_score(array[:, 0], y), mse=mse_value(array[:, 0], y), samples=len(y))
    return Metrics(value, accuracy=accuracy(array, y, task), samples=len(y))


def _loss_and_gradients(model, X, targets, loss_name, config) -> tuple[float, np.ndarray | None, str | None]:
    """The engine's loss and gradients; a math error counts as a non-finite loss (with its reason)."""
    try:
        with np.errstate(all="ignore"):  # a blow-up is detected by the caller, by value
            loss, outputs = loss_and_gradients(config.engine, model, X, targets, loss_name, config.l2, config.l1)
        return loss, outputs, None
    except DomainError as exc:
        return float("nan"), None, f"({exc})"


def _metric(outputs: np.ndarray, y: np.ndarray, task: str) -> float:
    return r2_score(outputs[:, 0], y) if task == "regression" else accuracy(outputs, y, task)


def _test_metric(model: MLP, data: TrainData) -> float:
    with np.errstate(all="ignore"):
        return _metric(model.forward_array(data.X_test), data.y_test, data.task)


def _penalty(model: MLP, l2: float, l1: float) -> float:
    values = [p.data for p in model.parameters()]
    return l2 * sum(v * v for v in values) + l1 * sum(abs(v) for v in values)


def _divergence(step: int, loss: float, lr: float, detail: str | None) -> DomainError:
    what = "NaN" if math.isnan(loss) else "infinite"
    text = f"the loss became {what} at step {step}"
    if detail:
        text += f" {detail}"
    return DomainError(f"{text}; kept the parameters of the last finite step. Try a lower learning rate than "
                       f"{{setting}} {lr:g}", setting="lr", value=lr, step=step)


def _restore(params, datas) -> None:
    for p, value in zip(params, datas):
        p.data = value


def _truncate(history: dict, length: int) -> None:
    for values in history.values():
        del values[max(length, 0):]


