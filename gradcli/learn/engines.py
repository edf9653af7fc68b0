"""The ways to compute a batch's loss and gradients: ``batched`` (fast) and ``scalar`` (classic).

An engine does two things, and the training loop asks nothing else of it
(a new engine is a class with these two methods, registered in ``ENGINES``):

- ``loss_and_gradients(model, X, targets, loss, l2, l1)``: zero the
  gradients, run forward and backward, fill ``p.grad`` for every parameter
  with d(loss)/dp, and return the loss (a float: the mean per-sample loss
  plus the penalty) and the network's outputs as an (n, n_outputs) array;
- ``outputs(model, X)``: the forward pass alone, as an (n, n_outputs) array.

Everything else the loop does (held-out evaluation, gradient checks by
finite differences, accumulated gradients, diagnosis) goes through these two
(``batch_loss`` turns outputs into the loss the engine differentiates).

Both engines build a ``Value`` graph for the mean loss over a batch plus the
weight penalty, and both give the same numbers (to rounding):

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
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Value
from .config import Engine
from .losses import penalty_value, per_sample_loss, regularization

__all__ = ["ENGINES", "BatchedEngine", "ScalarEngine", "engine_for", "loss_and_gradients", "batch_outputs",
           "batch_loss"]


def batch_outputs(model, X: np.ndarray) -> tuple[list[Value], np.ndarray]:
    """The batched forward pass: output Values (data over the rows of X) and their (n, k) array."""
    # one Value per input feature, holding that feature for every sample of the batch
    inputs = [Value(np.ascontiguousarray(X[:, i], dtype=np.float64)) for i in range(X.shape[1])]
    outputs = model(inputs)
    return outputs, np.column_stack([o.data for o in outputs])


class BatchedEngine:
    """One graph per step over NumPy columns (the default)."""

    name = Engine.batched

    def loss_and_gradients(self, model, X, targets, loss, l2=0.0, l1=0.0) -> tuple[float, np.ndarray]:
        model.zero_grad()
        outputs, array = batch_outputs(model, X)
        total = per_sample_loss(loss, outputs, targets).mean()
        penalty = regularization(model.parameters(), l2, l1)
        if penalty is not None:
            total = total + penalty  # one graph, one backward pass
        total.backward()
        return total.data, array

    def outputs(self, model, X) -> np.ndarray:
        return batch_outputs(model, X)[1]


class ScalarEngine:
    """One scalar graph per sample, micrograd's way."""

    name = Engine.scalar

    def loss_and_gradients(self, model, X, targets, loss, l2=0.0, l1=0.0) -> tuple[float, np.ndarray]:
        model.zero_grad()
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

    def outputs(self, model, X) -> np.ndarray:
        return np.array([[o.data for o in model([Value(x) for x in row])] for row in X.tolist()],
                        dtype=np.float64).reshape(len(X), -1)


ENGINES = {Engine.batched: BatchedEngine(), Engine.scalar: ScalarEngine()}


def engine_for(name: str):
    """The engine called ``name``."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}") from None


def loss_and_gradients(engine: str, model, X: np.ndarray, targets: list[np.ndarray], loss: str,
                       l2: float = 0.0, l1: float = 0.0) -> tuple[float, np.ndarray]:
    """Fill ``p.grad`` for every parameter with d(loss)/dp; return (loss, outputs).

    The loss is the mean per-sample loss on rows X plus the penalty on the
    parameters; ``targets`` holds one array per network output (see
    ``losses.encode_targets``).
    """
    return engine_for(engine).loss_and_gradients(model, X, targets, loss, l2, l1)


def batch_loss(outputs: np.ndarray, targets: list[np.ndarray], loss: str, params, l2: float = 0.0,
               l1: float = 0.0) -> float:
    """The loss an engine differentiates, from its outputs: mean per-sample loss plus the penalty."""
    columns = [Value(np.ascontiguousarray(outputs[:, j])) for j in range(outputs.shape[1])]
    return float(np.mean(per_sample_loss(loss, columns, targets).data)) + penalty_value(params, l2, l1)
