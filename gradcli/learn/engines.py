"""The ways to compute a batch's loss and gradients: ``tensor`` (the default, fast) and ``scalar`` (micrograd's).

An engine is the network it trains plus two methods, and the training loop
asks nothing else of it (a new engine is a class like these, registered in
``ENGINES``):

- ``network``: the class of network it trains (``build_model`` makes one);
- ``loss_and_gradients(model, X, targets, loss, l2, l1)``: zero the
  gradients, run forward and backward, fill ``p.grad`` for every parameter
  with d(loss)/dp, and return the loss (a float: the mean per-sample loss
  plus the penalty) and the network's outputs as an (n, n_outputs) array;
- ``outputs(model, X)``: the forward pass alone, as an (n, n_outputs) array.

Everything else the loop does (held-out evaluation, gradient checks by
finite differences, accumulated gradients, diagnosis) goes through these
(``batch_loss`` turns outputs into the loss the engine differentiates).

Both engines compute the mean loss over a batch plus the weight penalty,
and give the same numbers (to rounding: the same history to 1e-9):

- ``tensor``: ONE graph per step, on ``tensor_nn.TensorMLP``.  The batch is
  a Value of shape (n, inputs); each layer is act(x @ W.T + b), four nodes,
  so a 16,16,1 network makes 24 nodes per step (15 operations) whatever n is, and the
  work is NumPy's matrix products.  A batch whose arrays would pass 32 MB (100,000
  rows of 64) runs as one graph per block of about 1,000 rows, each block's mean
  loss weighted by its share of the rows, so that the gradients add up to the
  batch's (``speed.row_blocks``: the blocks stay in the processor's cache).  The
  penalty's gradient 2 l2 p + l1 sign(p) is added to the gradients directly
  (``losses.add_penalty_gradients``).
- ``scalar``: one scalar graph per SAMPLE, on ``nn.MLP`` (every weight a float
  Value), each run backward with weight 1/n so the parameter gradients add
  up to those of the mean: the classic micrograd way, about 700 nodes per
  sample, for watching the scalar engine itself.  The penalty is a small
  graph of its own, run backward once per step.

(An earlier ``batched`` engine, one graph per step over NumPy columns with
float parameters, gave the same numbers with about 30 times as many nodes: the tensor
engine replaced it.)
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Value
from .config import Engine
from .losses import add_penalty_gradients, mean_loss, penalty_value, per_sample_loss, regularization
from .nn import MLP
from .speed import row_blocks
from .tensor_nn import TensorMLP

__all__ = ["ENGINES", "TensorEngine", "ScalarEngine", "engine_for", "loss_and_gradients", "batch_loss",
           "outputs_loss"]


def _check_network(engine, model) -> None:
    if not isinstance(model, engine.network):
        raise TypeError(f"the {engine.name} engine trains a {engine.network.__name__}, not a "
                        f"{type(model).__name__} (build it with train.build_model, or "
                        f"{engine.network.__name__}.from_specs(nin, model.to_specs()))")


class TensorEngine:
    """One graph per step over the whole batch, a weight matrix per layer (the default)."""

    name = Engine.tensor
    network = TensorMLP

    def loss_and_gradients(self, model, X, targets, loss, l2=0.0, l1=0.0) -> tuple[float, np.ndarray]:
        _check_network(self, model)
        model.zero_grad()
        target = _target_matrix(targets)
        blocks = row_blocks(len(X), [model.nin, *model.sizes])
        data_loss, parts = 0.0, []
        for rows in blocks:  # one block, the whole batch, unless it is large
            scores = model(Value(X[rows]))
            part = mean_loss(loss, scores, target[rows])
            if len(blocks) > 1:  # each block's mean loss weighted by its share of the rows
                part = part * ((rows.stop - rows.start) / len(X))
            part.backward()  # the parameters' gradients add up over the blocks
            data_loss += part.data
            parts.append(scores.data)
        penalty = add_penalty_gradients(model.parameters(), l2, l1) if (l2 or l1) else 0.0
        return data_loss + penalty, _joined(parts)

    def outputs(self, model, X) -> np.ndarray:
        _check_network(self, model)
        return _joined([model(Value(X[rows])).data for rows in row_blocks(len(X), [model.nin, *model.sizes])])


class ScalarEngine:
    """One scalar graph per sample, micrograd's way."""

    name = Engine.scalar
    network = MLP

    def loss_and_gradients(self, model, X, targets, loss, l2=0.0, l1=0.0) -> tuple[float, np.ndarray]:
        _check_network(self, model)
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
        _check_network(self, model)
        return np.array([[o.data for o in model([Value(x) for x in row])] for row in X.tolist()],
                        dtype=np.float64).reshape(len(X), -1)


ENGINES = {Engine.tensor: TensorEngine(), Engine.scalar: ScalarEngine()}


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


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """The outputs of the blocks of a batch, in order (one block's as it is: no copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _target_matrix(targets: list[np.ndarray]) -> np.ndarray:
    """One target array per output -> an (n, k) matrix (a column view for one output: no copy)."""
    return targets[0][:, None] if len(targets) == 1 else np.column_stack(targets)


def outputs_loss(outputs: np.ndarray, targets: list[np.ndarray], loss: str) -> float:
    """The mean per-sample loss of network outputs (n, k) against ``targets`` (one array per output), no penalty."""
    return float(mean_loss(loss, Value(outputs), _target_matrix(targets)).data)


def batch_loss(outputs: np.ndarray, targets: list[np.ndarray], loss: str, params, l2: float = 0.0,
               l1: float = 0.0) -> float:
    """The loss an engine differentiates, from its outputs: mean per-sample loss plus the penalty."""
    return outputs_loss(outputs, targets, loss) + penalty_value(params, l2, l1)
