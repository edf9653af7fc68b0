"""Loss functions on ``Value`` outputs, and how outputs are read as predictions.

``per_sample_loss`` gives the loss of ONE sample as a ``Value`` whose data is
a float (the scalar engine: one graph per sample, a list of output Values) or
a NumPy array over the batch (output Values holding columns); ``mean_loss``
gives the mean over a batch from the network's outputs as one (n, k) matrix
Value (the tensor engine)::

    outputs = model(inputs)                       # list of Values, one per output
    targets = encode_targets("hinge", y, 1)       # list of arrays, one per output
    loss = per_sample_loss("hinge", outputs, targets).mean()
    loss = mean_loss("hinge", scores, np.column_stack(targets))   # scores: a Value of shape (n, 1)

- ``hinge``: max(0, 1 - t * score) with t in {-1, +1}: the max-margin loss of
  micrograd's moons demo; one output; class 1 when score > 0.
- ``mse``: mean over the outputs of (output - target)^2; regression, or
  classification against -1/+1 (one output) or one-hot targets (k outputs).
- ``cross-entropy``: -log softmax(z)[y] over k outputs (k >= 2).  The largest
  logit is subtracted first, as a constant: softmax does not change, and exp
  never overflows.

``regularization(params, l2, l1)`` is the penalty l2 * sum(p^2) + l1 * sum(|p|) as a graph
(``penalty_value``: its number; ``add_penalty_gradients``: its gradient 2 l2 p + l1 sign(p) added to
every ``p.grad`` directly).  Parameters may hold floats or arrays.
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Value
from ..errors import UsageError
from .config import Loss

__all__ = [
    "LOSSES", "check_loss", "encode_targets", "per_sample_loss", "mean_loss", "regularization", "penalty_value",
    "add_penalty_gradients", "sum_of_squares",
    "predict_classes", "accuracy", "r2_score",
]

LOSSES = {
    Loss.hinge: "max(0, 1 - t*score), t = -1/+1: binary classification, one output",
    Loss.mse: "mean squared error: regression, or classification against -1/+1 or one-hot targets",
    Loss.cross_entropy: "softmax over k outputs, -log p(true class): k >= 2 classes",
}


def check_loss(loss: str, task: str, n_classes: int, n_outputs: int) -> None:
    """Raise UsageError unless ``loss`` fits the task and the network's output size (the last of ``layers``)."""
    if loss not in LOSSES:
        raise UsageError(f"unknown loss '{loss}': choose one of {', '.join(LOSSES)}", setting="loss", value=loss)
    if task == "regression":
        if loss != "mse":
            raise UsageError(f"{{setting}} {loss} is for classification; this dataset is a regression task: "
                             "use {setting} mse", setting="loss", value=loss)
        if n_outputs != 1:
            raise UsageError(f"a regression dataset has one target: end {{setting}} with 1, not {n_outputs}",
                             setting="layers", value=n_outputs)
        return
    if loss == "hinge":
        if n_classes != 2:
            raise UsageError(f"{{setting}} hinge separates 2 classes; this dataset has {n_classes}: "
                             "use {setting} cross-entropy", setting="loss", value=loss)
        if n_outputs != 1:
            raise UsageError(f"{{setting}} hinge needs one output score: end {{setting:layers}} with 1, "
                             f"not {n_outputs}", setting="loss", value=loss)
    elif loss == "cross-entropy":
        if n_outputs != n_classes:
            raise UsageError(f"{{setting}} cross-entropy needs one output per class: end {{setting:layers}} with "
                             f"{n_classes}, not {n_outputs}", setting="loss", value=loss)
    elif n_outputs not in (1, n_classes) or (n_outputs == 1 and n_classes > 2):
        raise UsageError(
            f"{{setting}} mse on {n_classes} classes needs one output per class: end {{setting:layers}} "
            f"with {n_classes}" + (" (or 1 for two classes)" if n_classes == 2 else ""), setting="loss", value=loss
        )


def encode_targets(loss: str, y: np.ndarray, n_outputs: int, task: str = "binary") -> list[np.ndarray]:
    """Targets per output (a list of n_outputs arrays over the samples) for ``loss``.

    ``y`` holds class indices 0..k-1 (classification) or the target values (regression).
    """
    y = np.asarray(y, dtype=np.float64)
    if task == "regression":
        return [y]
    if n_outputs == 1:
        return [2.0 * y - 1.0]  # class 0 -> -1, class 1 -> +1
    return [(y == k).astype(np.float64) for k in range(n_outputs)]  # one-hot


def per_sample_loss(loss: str, outputs: list[Value], targets: list) -> Value:
    """The loss of each sample (elementwise over a batch) for the network's ``outputs``."""
    if loss == "hinge":
        (score,) = outputs
        return (1.0 - score * targets[0]).relu()
    if loss == "mse":
        errors = [z - t for z, t in zip(outputs, targets)]
        # e*e rather than e**2: the same number, and a float overflow gives inf instead of an error
        total = Value.sum_of([e * e for e in errors])
        return total if len(errors) == 1 else total / float(len(errors))
    if loss == "cross-entropy":
        return _cross_entropy(outputs, targets)
    raise UsageError(f"unknown loss '{loss}': choose one of {', '.join(LOSSES)}", setting="loss", value=loss)


def mean_loss(loss: str, scores: Value, targets: np.ndarray) -> Value:
    """The mean per-sample loss over a batch: ``scores`` a Value of shape (n, k), ``targets`` an (n, k) array.

    The numbers of ``per_sample_loss(...).mean()`` on the columns, in a handful of matrix nodes.
    """
    if loss == "hinge":
        return (1.0 - scores * targets).relu().mean()
    if loss == "mse":
        errors = scores - targets
        squares = errors * errors  # e*e, as per_sample_loss: an overflow gives inf, not an error
        k = targets.shape[1]
        return squares.mean() if k == 1 else (squares.sum(axis=1) / float(k)).mean()
    if loss == "cross-entropy":
        # -log softmax(z)[y] = -sum_k t_k log_softmax(z)_k with one-hot t (log_softmax is stable)
        return -(scores.log_softmax(axis=1) * targets).sum(axis=1).mean()
    raise UsageError(f"unknown loss '{loss}': choose one of {', '.join(LOSSES)}", setting="loss", value=loss)


def _cross_entropy(logits: list[Value], one_hot: list) -> Value:
    """-log softmax(z)[y] = log(sum_k exp(z_k - m)) + m - z_y, with m = max_k z_k held constant."""
    datas = [z.data for z in logits]
    m = max(datas) if datas[0].__class__ is float else np.maximum.reduce(datas)
    log_norm = Value.sum_of([(z - m).exp() for z in logits]).log() + m
    picked = Value.sum_of([z * t for z, t in zip(logits, one_hot)])  # z_y: the one-hot target picks it
    return log_norm - picked


def regularization(params: list[Value], l2: float = 1e-4, l1: float = 0.0) -> Value | None:
    """l2 * sum(p^2) + l1 * sum(|p|) over ``params``; None when both are 0."""
    terms = []
    if l2:
        terms.append(l2 * Value.sum_of([p * p for p in params]))
    if l1:
        terms.append(l1 * Value.sum_of([abs(p) for p in params]))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def penalty_value(params: list[Value], l2: float = 1e-4, l1: float = 0.0) -> float:
    """The number ``regularization`` gives, without a graph."""
    values = [p.data for p in params]
    return (l2 * sum_of_squares(values) if l2 else 0.0) + (l1 * _sum_of_abs(values) if l1 else 0.0)


def add_penalty_gradients(params: list[Value], l2: float = 1e-4, l1: float = 0.0) -> float:
    """Add d(penalty)/dp = 2 l2 p + l1 sign(p) to every ``p.grad`` (sign(0) = 0, as abs's rule); return the penalty.

    The tensor engine's way: the same gradient as running ``regularization`` backward, without building
    its graph (two nodes per parameter matrix would cost more than the network's own nodes; as PyTorch's
    weight_decay, the rule is applied directly).
    """
    squares = 0.0
    for p in params:
        data = p.data
        if l2:
            p.grad = p.grad + data * (2.0 * l2)
            squares += data * data if data.__class__ is float else float(np.vdot(data, data))
        if l1:
            p.grad = p.grad + (np.sign(data) if data.__class__ is not float else _sign(data)) * l1
    return (l2 * squares if l2 else 0.0) + (l1 * _sum_of_abs([p.data for p in params]) if l1 else 0.0)


def sum_of_squares(values) -> float:
    """sum(v^2) over floats and the entries of arrays."""
    return sum(v * v if v.__class__ is float else float(np.vdot(v, v)) for v in values)


def _sum_of_abs(values) -> float:
    return sum(abs(v) if v.__class__ is float else float(np.abs(v).sum()) for v in values)


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


# -- reading outputs ---------------------------------------------------------


def predict_classes(outputs: np.ndarray, task: str) -> np.ndarray:
    """Class indices from network outputs of shape (n, n_outputs): sign for one output, argmax for several."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if task == "regression":
        raise ValueError("a regression model predicts values, not classes")
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.0).astype(np.int64)
    return np.argmax(outputs, axis=1)


def accuracy(outputs: np.ndarray, y: np.ndarray, task: str) -> float:
    """Fraction of samples whose predicted class equals ``y`` (class indices)."""
    if len(y) == 0:
        return float("nan")
    # count_nonzero / n: the mean of the matches, without np.mean's overhead (it runs at every training step)
    return np.count_nonzero(predict_classes(outputs, task) == np.asarray(y)) / len(y)


def r2_score(predicted: np.ndarray, y: np.ndarray) -> float:
    """Coefficient of determination: 1 - SS_res / SS_tot (1 is perfect, 0 predicts the mean)."""
    predicted = np.asarray(predicted, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64)
    total = float(np.sum((y - y.mean()) ** 2))
    residual = float(np.sum((y - predicted) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


def mse_value(predicted: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of predictions against targets."""
    predicted = np.asarray(predicted, dtype=np.float64).reshape(-1)
    return float(np.mean((predicted - np.asarray(y, dtype=np.float64)) ** 2))
