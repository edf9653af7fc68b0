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
``activations`` names every layer's own instead (micrograd's lecture MLP ends
in tanh: ``MLP(3, [4, 4, 1], activations=["tanh"] * 3)``).

Initialisation draws from the generator passed in (``random.Random`` or a
NumPy ``Generator``), never from global state, so the same seed gives the
same network.  Weights (biases start at zero), each width times ``init_scale``:
``zeros``; ``uniform`` U(-1, 1) (micrograd's classic default); ``normal``
N(0, 1); ``xavier`` U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
``xavier-normal`` N(0, s^2) with s = sqrt(2 / (fan_in + fan_out)); ``he``
U(-a, a) with a = sqrt(6 / fan_in); ``he-normal`` N(0, 2 / fan_in).

``forward_array`` evaluates the network on a matrix of inputs with plain
NumPy (no graph): for predictions, decision maps and evaluation, where no
gradient is needed; ``layer_outputs`` keeps every layer's output on the way.
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

__all__ = ["ACTIVATIONS", "INITS", "LEAKY_SLOPE", "Module", "Neuron", "Layer", "MLP", "apply_array", "init_width"]

ACTIVATIONS = tuple(Activation)
INITS = tuple(Init)


# how the weights of a layer are drawn: (distribution, width from fan_in and fan_out)
_INIT_RULES = {
    "zeros": ("zeros", lambda fan_in, fan_out: 0.0),
    "uniform": ("uniform", lambda fan_in, fan_out: 1.0),
    "normal": ("normal", lambda fan_in, fan_out: 1.0),
    # Glorot & Bengio 2010: keeps the activations' variance across tanh layers
    "xavier": ("uniform", lambda fan_in, fan_out: math.sqrt(6.0 / (fan_in + fan_out))),
    "xavier-normal": ("normal", lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out))),
    # He et al. 2015: the variance a relu layer needs
    "he": ("uniform", lambda fan_in, fan_out: math.sqrt(6.0 / fan_in)),
    "he-normal": ("normal", lambda fan_in, fan_out: math.sqrt(2.0 / fan_in)),
}
LEAKY_SLOPE = 0.01  # leaky-relu's slope below 0


def init_width(init: str, fan_in: int, fan_out: int, scale: float = 1.0) -> tuple[str, float]:
    """(distribution, width): "uniform" draws U(-width, width), "normal" N(0, width^2), "zeros" nothing."""
    if init not in _INIT_RULES:
        raise UsageError(f"unknown initialisation '{init}': choose one of {', '.join(INITS)}", setting="init",
                         value=init)
    distribution, width = _INIT_RULES[init]
    return distribution, scale * width(fan_in, fan_out)


def _draw(rng, distribution: str, width: float) -> float:
    if distribution == "uniform":
        return float(rng.uniform(-width, width))
    if distribution == "normal":  # random.Random has gauss, a NumPy Generator normal
        return float(rng.gauss(0.0, width) if hasattr(rng, "gauss") else rng.normal(0.0, width))
    return 0.0


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise UsageError(f"unknown activation '{activation}': choose one of {', '.join(ACTIVATIONS)}",
                         setting="activation", value=activation)


def _apply_value(activation: str, v: Value) -> Value:
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
    """An activation on a NumPy array: the numbers ``_apply_value`` gives, without a graph."""
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


class Module:
    """Anything with parameters: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """act(w . x + b) for one output; ``activation="linear"`` gives the raw sum."""

    def __init__(self, nin: int, activation: str = "relu", *, limit: float = 1.0, distribution: str = "uniform",
                 rng=None):
        _check_activation(activation)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.w = [Value(_draw(rng, distribution, limit)) for _ in range(nin)]
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

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, init: str = "uniform",
                 init_scale: float = 1.0, rng=None):
        distribution, width = init_width(init, nin, nout, init_scale)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.neurons = [Neuron(nin, activation, limit=width, distribution=distribution, rng=rng)
                        for _ in range(nout)]
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
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])``; hidden layers use ``activation``, the last is linear.

    ``activations`` (one per layer) overrides both: ``MLP(3, [4, 4, 1], activations=["tanh"] * 3)``.
    """

    def __init__(self, nin: int, sizes: list[int], activation: str = "relu", *, activations=None,
                 init: str = "uniform", init_scale: float = 1.0, rng=None):
        if nin < 1 or not sizes or any(s < 1 for s in sizes):
            raise UsageError(f"an MLP needs at least 1 input and layer sizes >= 1, got {nin} inputs and {sizes}")
        _check_activation(activation)
        if activations is None:
            activations = [activation] * (len(sizes) - 1) + ["linear"]
        if len(activations) != len(sizes):
            raise UsageError(f"{len(activations)} activations for {len(sizes)} layers: give one per layer")
        for name in activations:
            _check_activation(name)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        widths = [nin] + list(sizes)
        self.layers = [
            Layer(widths[i], widths[i + 1], str(activations[i]), init=init, init_scale=init_scale, rng=rng)
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

        Only the last layer's outputs are kept: one block of rows at a time holds the hidden layers'.
        """
        return self.layer_outputs(X, keep_hidden=False)[-1]

    def layer_outputs(self, X, *, keep_hidden: bool = True) -> list[np.ndarray]:
        """Every layer's output for the rows of X, first layer first: shapes (n, size of the layer).

        Rows go through in blocks of at most ``FORWARD_BLOCK_BYTES`` per layer matrix, so that
        100,000 rows through a layer of 1,024 neurons take 32 MB at a time, not 800 MB.  With
        ``keep_hidden=False`` only the last layer's outputs are returned (a list of one).
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        layers = [(layer.activation, *layer.matrices()) for layer in self.layers]
        widest = max([X.shape[1], *self.sizes])
        block = max(1, FORWARD_BLOCK_BYTES // (8 * widest))
        blocks = []
        for start in range(0, max(len(X), 1), block):
            h = X[start:start + block]
            outputs = []
            for activation, weights, biases in layers:
                h = apply_array(activation, h @ weights.T + biases)
                outputs.append(h)
            blocks.append(outputs if keep_hidden else outputs[-1:])
        if len(blocks) == 1:
            return blocks[0]
        return [np.concatenate([outputs[i] for outputs in blocks]) for i in range(len(blocks[0]))]

    # -- saved models -------------------------------------------------------

    def to_specs(self) -> list[LayerSpec]:
        """The layers as plain numbers, in the model-file layout (weights[j][i]: input i -> neuron j)."""
        return [
            LayerSpec(layer.activation, [[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons])
            for layer in self.layers
        ]

    @classmethod
    def from_specs(cls, nin: int, specs: list[LayerSpec]) -> "MLP":
        """Rebuild a network from saved layers, each with its own activation."""
        hidden = specs[0].activation if len(specs) > 1 else "relu"
        model = cls(nin, [spec.n_outputs for spec in specs], hidden, activations=[spec.activation for spec in specs],
                    init="zeros")
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
