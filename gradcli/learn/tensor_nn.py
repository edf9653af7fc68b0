"""The tensor engine's network: each layer is ``act(x @ W.T + b)`` on a whole batch, W and b matrix Values.

The same network as ``nn.MLP`` (same sizes, activations and initial weights
for the same seed), held as one weight matrix W of shape (nout, nin) and one
bias vector b of shape (nout,) per layer, so that a batch of n samples goes
through a layer in four nodes (transpose, matmul, +, activation) whatever n
and the layer's width::

    >>> import random
    >>> import numpy as np
    >>> from gradcli.autograd.engine import Value
    >>> model = TensorMLP(2, [16, 16, 1], rng=random.Random(1337))
    >>> scores = model(Value(np.array([[0.5, -0.2], [1.0, 0.3]])))   # one Value of shape (2, 1)
    >>> scores.shape, model.parameter_count, len(model.parameters())
    ((2, 1), 337, 6)

``parameters()`` is [W1, b1, W2, b2, ...]: their ``data`` and ``grad`` are
arrays (``grad`` is 0.0 until a backward pass reaches them).  Optimisers
replace ``data`` with a new array on each update, never change it in place,
so a list of ``p.data`` taken before a step still holds the old values.
Entry by entry, in micrograd's order, the parameters read as one vector
(``parameter_vector``, ``network.Network``), as those of ``nn.MLP`` do.
"""

from __future__ import annotations

import random

import numpy as np

from ..autograd.engine import Value
from ..data.choices import DEFAULT_SEED
from .activations import apply_value
from .network import Module, Network
from .nn import draw_weight, init_width

__all__ = ["TensorLayer", "TensorMLP"]


class TensorLayer(Module):
    """``nout`` neurons reading ``nin`` inputs: W (nout, nin), b (nout,), named W1/b1, W2/b2, ... in a graph."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, init: str = "uniform",
                 init_scale: float = 1.0, rng=None, number: int = 1):
        distribution, width = init_width(init, nin, nout, init_scale)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        # row by row, weight by weight: the order in which nn.Layer's neurons draw theirs
        if distribution == "zeros":  # nothing to draw (and a saved model's layers are filled in at once)
            weights = np.zeros((nout, nin))
        else:
            weights = np.array([[draw_weight(rng, distribution, width) for _ in range(nin)] for _ in range(nout)],
                               dtype=np.float64).reshape(nout, nin)
        self.W = Value(weights, label=f"W{number}")
        self.b = Value(np.zeros(nout), label=f"b{number}")
        self.activation = activation
        self.nin, self.nout, self.number = nin, nout, number

    def __call__(self, x: Value) -> Value:
        """x of shape (n, nin) -> act(x @ W.T + b) of shape (n, nout)."""
        return apply_value(self.activation, x @ self.W.T + self.b)

    def parameters(self) -> list[Value]:
        return [self.W, self.b]

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        return self.W.data.copy(), self.b.data.copy()

    def set_matrices(self, weights, biases) -> None:
        self.W.data = np.array(weights, dtype=np.float64).reshape(self.nout, self.nin)
        self.b.data = np.array(biases, dtype=np.float64).reshape(self.nout)

    def grad_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        # a gradient still 0.0 (no backward pass reached it) reads as zeros
        return (np.broadcast_to(self.W.grad, (self.nout, self.nin)).astype(np.float64),
                np.broadcast_to(self.b.grad, (self.nout,)).astype(np.float64))

    def __repr__(self) -> str:
        return f"TensorLayer({self.nin} -> {self.nout}, {self.activation})"


class TensorMLP(Network):
    """``TensorMLP(2, [16, 16, 1])``: the arguments of ``nn.MLP`` (``network.Network``'s), a matrix per layer."""

    layer_class = TensorLayer

    def __call__(self, x) -> Value:
        """A batch (a Value or array of shape (n, nin)) -> the outputs, a Value of shape (n, nout)."""
        x = x if x.__class__ is Value else Value(np.asarray(x, dtype=np.float64).reshape(-1, self.nin), label="x")
        for layer in self.layers:
            x = layer(x)
        return x
