"""Neural networks on ``Value``: ``Module``, ``Neuron``, ``Layer``, ``MLP``.

PyTorch's vocabulary, micrograd's size::

    >>> import random
    >>> from gradcli.learn.nn import MLP
    >>> model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    >>> scores = model([0.5, -0.2])        # a list with one Value per output
    >>> len(model.parameters())
    337

Every parameter is a float ``Value``.  The inputs may be floats (one sample,
the classic scalar graph) or NumPy arrays over a batch (one graph for all the
samples: the parameters broadcast and their gradients are summed over the
batch by the engine).  Hidden layers use ``activation``; the last layer is
linear, so its outputs are raw scores (logits) for the loss to interpret.

Initialisation draws from the generator passed in (``random.Random`` or a
NumPy ``Generator``), never from global state, so the same seed gives the
same network:
``uniform`` U(-1, 1) weights (micrograd's classic default), ``xavier``
U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), ``he`` U(-a, a) with
a = sqrt(6 / fan_in); biases start at zero.

``forward_array`` evaluates the network on a matrix of inputs with plain
NumPy (no graph): for predictions, decision maps and evaluation, where no
gradient is needed.
"""

from __future__ import annotations

import math
import random

import numpy as np

from ..autograd.engine import Value
from ..data.choices import DEFAULT_SEED
from ..errors import UsageError
from .config import Activation, Init
from .estimate import FORWARD_BLOCK_BYTES
from .modelfile import LayerSpec

__all__ = ["ACTIVATIONS", "INITS", "Module", "Neuron", "Layer", "MLP"]

ACTIVATIONS = tuple(Activation)
INITS = tuple(Init)


def _init_limit(init: str, fan_in: int, fan_out: int) -> float:
    """Half-width a of the U(-a, a) distribution the weights are drawn from."""
    if init == "uniform":
        return 1.0
    if init == "xavier":  # Glorot & Bengio 2010: keeps activation variance across tanh layers
        return math.sqrt(6.0 / (fan_in + fan_out))
    if init == "he":  # He et al. 2015: the variance a relu layer needs
        return math.sqrt(6.0 / fan_in)
    raise UsageError(f"unknown initialisation '{init}': choose one of {', '.join(INITS)}", setting="init", value=init)


def _apply_value(activation: str, v: Value) -> Value:
    if activation == "relu":
        return v.relu()
    if activation == "tanh":
        return v.tanh()
    if activation == "sigmoid":
        return v.sigmoid()
    return v  # linear


def _apply_array(activation: str, z: np.ndarray) -> np.ndarray:
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "sigmoid":
        e = np.exp(-np.abs(z))  # stable on both sides: exp never overflows
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return z


class Module:
    """Anything with parameters: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """act(w . x + b) for one output; ``activation="linear"`` gives the raw sum."""

    def __init__(self, nin: int, activation: str = "relu", *, limit: float = 1.0, rng=None):
        if activation not in ACTIVATIONS:
            raise UsageError(f"unknown activation '{activation}': choose one of {', '.join(ACTIVATIONS)}",
                             setting="activation", value=activation)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.w = [Value(float(rng.uniform(-limit, limit))) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x) -> Value:
        # One n-ary sum node instead of a chain of nin additions: a smaller graph, same value.
        total = Value.sum_of([wi * xi for wi, xi in zip(self.w, x)] + [self.b])
        return _apply_value(self.activation, total)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all read the same inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, init: str = "uniform", rng=None):
        limit = _init_limit(init, nin, nout)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.neurons = [Neuron(nin, activation, limit=limit, rng=rng) for _ in range(nout)]
        self.activation = activation

    def __call__(self, x) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """(W of shape (nout, nin), b of shape (nout,)) as plain arrays."""
        weights = np.array([[w.data for w in n.w] for n in self.neurons], dtype=np.float64)
        biases = np.array([n.b.data for n in self.neurons], dtype=np.float64)
        return weights, biases

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {len(self.neurons)}, {self.activation})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])``; hidden layers use ``activation``, the last is linear."""

    def __init__(self, nin: int, sizes: list[int], activation: str = "relu", *, init: str = "uniform", rng=None):
        if nin < 1 or not sizes or any(s < 1 for s in sizes):
            raise UsageError(f"an MLP needs at least 1 input and layer sizes >= 1, got {nin} inputs and {sizes}")
        if activation not in ACTIVATIONS:
            raise UsageError(f"unknown activation '{activation}': choose one of {', '.join(ACTIVATIONS)}",
                             setting="activation", value=activation)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        widths = [nin] + list(sizes)
        self.layers = [
            Layer(widths[i], widths[i + 1], activation if i < len(sizes) - 1 else "linear", init=init, rng=rng)
            for i in range(len(sizes))
        ]
        self.nin = nin
        self.activation = activation

    def __call__(self, x) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    @property
    def sizes(self) -> list[int]:
        return [len(layer.neurons) for layer in self.layers]

    def __repr__(self) -> str:
        return f"MLP({self.nin}, {self.sizes}, activation={self.activation!r})"

    # -- plain NumPy evaluation ---------------------------------------------

    def forward_array(self, X) -> np.ndarray:
        """Outputs for every row of X (shape (n, nin)) -> shape (n, nout), without building a graph.

        Rows go through in blocks of at most ``FORWARD_BLOCK_BYTES`` per layer matrix, so that
        100,000 rows through a layer of 1,024 neurons take 32 MB at a time, not 800 MB.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        layers = [(layer.activation, *layer.matrices()) for layer in self.layers]
        widest = max([X.shape[1], *self.sizes])
        block = max(1, FORWARD_BLOCK_BYTES // (8 * widest))
        parts = []
        for start in range(0, max(len(X), 1), block):
            h = X[start:start + block]
            for activation, weights, biases in layers:
                h = _apply_array(activation, h @ weights.T + biases)
            parts.append(h)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # -- saved models -------------------------------------------------------

    def to_specs(self) -> list[LayerSpec]:
        """The layers as plain numbers, in the model-file layout (weights[j][i]: input i -> neuron j)."""
        return [
            LayerSpec(layer.activation, [[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
            for layer in self.layers
        ]

    @classmethod
    def from_specs(cls, nin: int, specs: list[LayerSpec]) -> "MLP":
        """Rebuild a network from saved layers (its hidden activation is the first layer's)."""
        hidden = specs[0].activation if len(specs) > 1 else "relu"
        model = cls(nin, [spec.n_outputs for spec in specs], hidden)
        for layer, spec in zip(model.layers, specs):
            layer.activation = spec.activation
            for neuron in layer.neurons:
                neuron.activation = spec.activation
        model.load_specs(specs)
        return model

    def load_specs(self, specs: list[LayerSpec], source: str = "the model file") -> None:
        """Copy saved parameters into this network; the architecture must match exactly."""
        theirs = [spec.n_outputs for spec in specs]
        their_inputs = specs[0].n_inputs if specs else 0
        if theirs != self.sizes or their_inputs != self.nin:
            raise UsageError(
                f"{source} has {their_inputs} inputs and layers {','.join(map(str, theirs))}, "
                f"but this run needs {self.nin} inputs and layers {','.join(map(str, self.sizes))}",
                hint="use the same {setting} and {setting:features} as the saved model", setting="layers",
                value=self.sizes,
            )
        for layer, spec in zip(self.layers, specs):
            if spec.activation != layer.activation:
                raise UsageError(
                    f"{source} uses activation {spec.activation} where this run uses {layer.activation}",
                    hint=f"pass {{setting}} {spec.activation}", setting="activation", value=layer.activation,
                )
            for neuron, row, bias in zip(layer.neurons, spec.weights, spec.biases):
                for w, x in zip(neuron.w, row):
                    w.data = float(x)
                neuron.b.data = float(bias)
