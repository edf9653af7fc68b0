"""The two ways to build a batch's loss graph: ``batched`` (fast) and ``scalar`` (classic).

Both build a ``Value`` graph for the mean loss over a batch plus the weight
penalty, and both give the same numbers (to rounding):

- ``batched``: ONE graph per step.  Each input feature is a ``Value`` whose
  data is the column of the batch (a NumPy array of n samples); every node of
  the network then holds n numbers, parameters broadcast as floats, and the
  engine sums their gradients back over the batch.  A 16,16,1 network makes
  about 700 nodes per step, whatever n is.
- ``scalar``: one scalar graph per SAMPLE, each run backward with weight
  1/n so the parameter gradients add up to those of the mean: the classic
  micrograd way, n times as many nodes, for watching the scalar engine itself.

The penalty l2 * sum(p^2) + l1 * sum(|p|) joins the batched graph; the scalar
engine runs it backward once per step as a small graph of its own.

``loss_and_gradients(engine, ...)`` zeroes the gradients, runs forward and
backward, and returns the loss (a float: mean per-sample loss plus penalty)
and the network outputs as an (n, n_outputs) array, for accuracy.
``batch_outputs`` is the forward pass alone, for evaluation.
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Value
from .config import Engine
from .losses import per_sample_loss, regularization

__all__ = ["ENGINES", "loss_and_gradients", "batch_outputs"]

ENGINES = tuple(Engine)


def loss_and_gradients(engine: str, model, X: np.ndarray, targets: list[np.ndarray], loss: str,
                       l2: float = 0.0, l1: float = 0.0) -> tuple[float, np.ndarray]:
    """Fill ``p.grad`` for every parameter with d(loss)/dp; return (loss, outputs).

    The loss is the mean per-sample loss on rows X plus the penalty on the
    parameters; ``targets`` holds one array per network output (see
    ``losses.encode_targets``).
    """
    model.zero_grad()
    if engine == "batched":
        return _batched(model, X, targets, loss, l2, l1)
    if engine == "scalar":
        return _scalar(model, X, targets, loss, l2, l1)
    raise ValueError(f"unknown engine {engine!r}")


def batch_outputs(model, X: np.ndarray) -> tuple[list[Value], np.ndarray]:
    """The batched forward pass: output Values (data over the rows of X) and their (n, k) array."""
    # one Value per input feature, holding that feature for every sample of the batch
    inputs = [Value(np.ascontiguousarray(X[:, i], dtype=np.float64)) for i in range(X.shape[1])]
    outputs = model(inputs)
    return outputs, np.column_stack([o.data for o in outputs])


def _batched(model, X, targets, loss, l2, l1) -> tuple[float, np.ndarray]:
    outputs, array = batch_outputs(model, X)
    total = per_sample_loss(loss, outputs, targets).mean()
    penalty = regularization(model.parameters(), l2, l1)
    if penalty is not None:
        total = total + penalty  # one graph, one backward pass
    total.backward()
    return total.data, array


def _scalar(model, X, targets, loss, l2, l1) -> tuple[float, np.ndarray]:
    rows = X.tolist()  # Python floats: the scalar engine's fast path
    target_rows = np.column_stack(targets).tolist()
    weight = 1.0 / len(rows)
    total, outputs = 0.0, []
    for row, target in zip(rows, target_rows):
        out = model([Value(x) for x in row])
        sample_loss = per_sample_loss(loss, out, target)
        # d(mean)/d(sample loss) = 1/n; parameter gradients accumulate over the samples
        sample_loss.backward(weight)
        total += sample_loss.data
        outputs.append([o.data for o in out])
    mean = total / len(rows)
    penalty = regularization(model.parameters(), l2, l1)
    if penalty is not None:
        penalty.backward()  # its gradients add to those of the samples
        mean = mean + penalty.data
    return mean, np.array(outputs, dtype=np.float64)
