"""What a layer applies to x @ W.T + b: each activation on a ``Value`` (a graph) and on a NumPy array.

Both networks (``nn.MLP``, ``tensor_nn.TensorMLP``) apply activations through
``apply_value``; evaluation without a graph (predictions, maps, held-out
losses) through ``apply_array``, which gives the same numbers::

    >>> from gradcli.autograd.engine import Value
    >>> apply_value("tanh", Value(0.5)).data == float(apply_array("tanh", 0.5))
    True

Works on a float Value (one sample of the scalar engine) and on an array
Value (a whole batch of the tensor engine) alike.
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Value
from ..errors import UsageError
from .config import Activation

__all__ = ["ACTIVATIONS", "LEAKY_SLOPE", "apply_array", "apply_value", "check_activation"]

ACTIVATIONS = tuple(Activation)
LEAKY_SLOPE = 0.01  # leaky-relu's slope below 0


def check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise UsageError(f"unknown activation '{activation}': choose one of {', '.join(ACTIVATIONS)}",
                         setting="activation", value=activation)


def apply_value(activation: str, v: Value) -> Value:
    """The activation as nodes of ``v``'s graph."""
    if activation == "relu":
        return v.relu()
    if activation == "tanh":
        return v.tanh()
    if activation == "sigmoid":
        return v.sigmoid()
    if activation == "leaky-relu":
        # max(x, 0.01 x) from primitives: 0.99 relu(x) + 0.01 x (slope 1 above 0, 0.01 below)
        return v.relu() * (1.0 - LEAKY_SLOPE) + v * LEAKY_SLOPE
    if activation == "softplus":
        return v.softplus()
    return v  # linear


def apply_array(activation: str, z: np.ndarray) -> np.ndarray:
    """An activation on a NumPy array: the numbers ``apply_value`` gives, without a graph."""
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "sigmoid":
        e = np.exp(-np.abs(z))  # stable on both sides: exp never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if activation == "leaky-relu":
        return np.maximum(z, 0.0) * (1.0 - LEAKY_SLOPE) + z * LEAKY_SLOPE
    if activation == "softplus":
        return np.logaddexp(0.0, z)  # log(1 + e^z) without overflow
    return z
