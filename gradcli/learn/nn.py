"""micrograd's network on scalar ``Value``s: ``Neuron``, ``Layer``, ``MLP`` (the scalar engine's).

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
batch).  Hidden layers use ``activation``; the last layer is linear, so its
outputs are raw scores (logits) for the loss to interpret.  ``activations``
names every layer's own instead (micrograd's lecture MLP ends in tanh:
``MLP(3, [4, 4, 1], activations=["tanh"] * 3)``).  The tensor engine's network,
``tensor_nn.TensorMLP``, holds the same numbers as one matrix per layer.

Initialisation draws from the generator passed in (``random.Random`` or a
NumPy ``Generator``), never from global state, so the same seed gives the
same network.  Weights (biases start at zero), each width times ``init_scale``:
``zeros``; ``uniform`` U(-1, 1) (micrograd's classic default); ``normal``
N(0, 1); ``xavier`` U(-a, a) with a = sqrt(6 / (fan_in + fan_out));
``xavier-normal`` N(0, s^2) with s = sqrt(2 / (fan_in + fan_out)); ``he``
U(-a, a) with a = sqrt(6 / fan_in); ``he-normal`` N(0, 2 / fan_in).  Both
networks draw them in micrograd's order (neuron by neuron, weight by weight),
so one seed gives the same weights in either.

What every network shares (``network.Network``): ``forward_array`` and
``layer_outputs`` evaluate it on a matrix of inputs with plain NumPy (no
graph), ``to_specs``/``from_specs``/``load_specs`` are the model-file layout,
and the parameters read as one vector (``parameter_vector``).
"""

from __future__ import annotations

import math
import random

import numpy as np

from ..autograd.engine import Value
from ..data.choices import DEFAULT_SEED
from ..errors import UsageError
from .activations import ACTIVATIONS, LEAKY_SLOPE, apply_array, apply_value, check_activation
from .config import Init
from .network import Module, Network

__all__ = ["ACTIVATIONS", "INITS", "LEAKY_SLOPE", "Module", "Neuron", "Layer", "MLP", "apply_array", "draw_weight",
           "init_width"]

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


def init_width(init: str, fan_in: int, fan_out: int, scale: float = 1.0) -> tuple[str, float]:
    """(distribution, width): "uniform" draws U(-width, width), "normal" N(0, width^2), "zeros" nothing."""
    if init not in _INIT_RULES:
        raise UsageError(f"unknown initialisation '{init}': choose one of {', '.join(INITS)}", setting="init",
                         value=init)
    distribution, width = _INIT_RULES[init]
    return distribution, scale * width(fan_in, fan_out)


def draw_weight(rng, distribution: str, width: float) -> float:
    """One initial weight: U(-width, width), N(0, width^2) or 0, from ``rng``."""
    if distribution == "uniform":
        return float(rng.uniform(-width, width))
    if distribution == "normal":  # random.Random has gauss, a NumPy Generator normal
        return float(rng.gauss(0.0, width) if hasattr(rng, "gauss") else rng.normal(0.0, width))
    return 0.0


class Neuron(Module):
    """act(w . x + b) for one output; ``activation="linear"`` gives the raw sum."""

    def __init__(self, nin: int, activation: str = "relu", *, limit: float = 1.0, distribution: str = "uniform",
                 rng=None):
        check_activation(activation)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.w = [Value(draw_weight(rng, distribution, limit)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x) -> Value:
        # One n-ary sum node instead of a chain of nin additions: a smaller graph, same value.
        total = Value.sum_of([wi * xi for wi, xi in zip(self.w, x)] + [self.b])
        return apply_value(self.activation, total)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all read the same inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, init: str = "uniform",
                 init_scale: float = 1.0, rng=None, number: int = 1):
        distribution, width = init_width(init, nin, nout, init_scale)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        self.number = number  # its place in the network, from 1
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

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """(W of shape (nout, nin), b of shape (nout,)) as plain arrays."""
        weights = np.array([[w.data for w in n.w] for n in self.neurons], dtype=np.float64).reshape(self.nout,
                                                                                                    self.nin)
        biases = np.array([n.b.data for n in self.neurons], dtype=np.float64)
        return weights, biases

    def set_matrices(self, weights, biases) -> None:
        """Copy W (nout, nin) and b (nout,) into the neurons' Values (the same Values: optimisers hold them)."""
        for neuron, row, bias in zip(self.neurons, np.asarray(weights).tolist(), np.asarray(biases).tolist()):
            for w, x in zip(neuron.w, row):
                w.data = float(x)
            neuron.b.data = float(bias)

    def grad_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """The gradients of W and b, shaped as ``matrices``."""
        weights = np.array([[float(w.grad) for w in n.w] for n in self.neurons], dtype=np.float64)
        biases = np.array([float(n.b.grad) for n in self.neurons], dtype=np.float64)
        return weights.reshape(self.nout, self.nin), biases

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {len(self.neurons)}, {self.activation})"


class MLP(Network):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])``; hidden layers use ``activation``, the last is linear.

    ``activations`` (one per layer) overrides both: ``MLP(3, [4, 4, 1], activations=["tanh"] * 3)``.
    The arguments are ``network.Network``'s.
    """

    layer_class = Layer

    def __call__(self, x) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x
