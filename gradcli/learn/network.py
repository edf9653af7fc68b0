"""What every network offers, whatever holds its parameters: plain-NumPy evaluation, saved layers, entries.

Two networks share this base: ``nn.MLP`` (micrograd's: every weight a float
``Value``, for the scalar engine and for teaching) and ``tensor_nn.TensorMLP``
(each layer a weight matrix and a bias vector, for the tensor engine).  A
layer of either says ``activation``, ``nin``, ``nout`` and gives or takes its
numbers as matrices, which is all this module needs::

    layer.matrices()          # (W of shape (nout, nin), b of shape (nout,)): copies
    layer.set_matrices(W, b)  # new values, the same parameter Values
    layer.grad_matrices()     # d loss / d W and d loss / d b after a backward pass

Parameters as one vector, in micrograd's order (layer by layer, neuron by
neuron: its weights, then its bias): ``parameter_vector``,
``set_parameter_vector``, ``gradient_vector``, one entry by its index
(``parameter_entry``, ``set_parameter_entry``, ``parameter_name``: "layer 2,
neuron 3, w1"), and ``parameter_count``.  The same index names the same
weight in both networks, so gradient checks and model files agree across
engines.
"""

from __future__ import annotations

import random

import numpy as np

from ..data.choices import DEFAULT_SEED
from ..errors import UsageError
from .activations import apply_array, check_activation
from .modelfile import LayerSpec
from .speed import row_blocks

__all__ = ["Module", "Network", "check_sizes"]


class Module:
    """Anything with parameters: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


def check_sizes(nin: int, sizes, activation: str, activations) -> list[str]:
    """Every layer's activation for a network of ``nin`` inputs and layer ``sizes``; UsageError when they do not fit."""
    if nin < 1 or not sizes or any(s < 1 for s in sizes):
        raise UsageError(f"an MLP needs at least 1 input and layer sizes >= 1, got {nin} inputs and {list(sizes)}")
    check_activation(activation)
    if activations is None:
        activations = [activation] * (len(sizes) - 1) + ["linear"]
    if len(activations) != len(sizes):
        raise UsageError(f"{len(activations)} activations for {len(sizes)} layers: give one per layer")
    for name in activations:
        check_activation(name)
    return [str(name) for name in activations]


class Network(Module):
    """A stack of fully connected layers of ``layer_class``, fed ``nin`` inputs (see the module docstring).

    ``Network(nin, sizes, activation="relu", activations=None, init="uniform", init_scale=1.0, rng=None)``:
    hidden layers use ``activation`` and the last is linear, unless ``activations`` names every layer's;
    weights are drawn from ``rng`` (``random.Random(DEFAULT_SEED)`` by default) layer by layer.
    """

    layer_class: type  # nn.Layer or tensor_nn.TensorLayer

    def __init__(self, nin: int, sizes: list[int], activation: str = "relu", *, activations=None,
                 init: str = "uniform", init_scale: float = 1.0, rng=None):
        activations = check_sizes(nin, sizes, activation, activations)
        rng = rng if rng is not None else random.Random(DEFAULT_SEED)
        widths = [nin] + list(sizes)
        self.layers = [self.layer_class(widths[i], widths[i + 1], activations[i], init=init, init_scale=init_scale,
                                        rng=rng, number=i + 1) for i in range(len(sizes))]
        self.nin = nin
        self.activation = activation

    def parameters(self) -> list:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nin}, {self.sizes}, activation={self.activation!r})"

    @property
    def sizes(self) -> list[int]:
        return [layer.nout for layer in self.layers]

    @property
    def parameter_count(self) -> int:
        """Weights and biases: (nin + 1) * nout per layer."""
        return sum((layer.nin + 1) * layer.nout for layer in self.layers)

    # -- plain NumPy evaluation ---------------------------------------------

    def forward_array(self, X) -> np.ndarray:
        """Outputs for every row of X (shape (n, nin)) -> shape (n, nout), without building a graph."""
        return self._forward(X, every_layer=False)[-1]

    def layer_outputs(self, X) -> list[np.ndarray]:
        """Every layer's output for the rows of X, first layer first: shapes (n, size of the layer)."""
        return self._forward(X, every_layer=True)

    def _forward(self, X, every_layer: bool) -> list[np.ndarray]:
        """The layers' outputs (or the last one's), computed in blocks of rows.

        Rows go through as the tensor engine's training steps take them (``speed.row_blocks``): a batch
        whose matrices would pass 32 MB goes in blocks of about 1,000 rows, so that 100,000 rows through
        a layer of 1,024 neurons take well under 1 MB at a time, not 800 MB, and stay in the cache.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        layers = [(layer.activation, *layer.matrices()) for layer in self.layers]
        blocks = []
        for rows in row_blocks(len(X), [X.shape[1], *self.sizes]):
            h = X[rows]
            outputs = []
            for activation, weights, biases in layers:
                h = apply_array(activation, h @ weights.T + biases)
                if every_layer:
                    outputs.append(h)
            blocks.append(outputs if every_layer else [h])
        if len(blocks) == 1:
            return blocks[0]
        return [np.concatenate([outputs[i] for outputs in blocks]) for i in range(len(blocks[0]))]

    # -- parameters as one vector ---------------------------------------------

    def parameter_vector(self) -> np.ndarray:
        """Every parameter in micrograd's order: per layer, per neuron, its weights then its bias."""
        return np.concatenate([np.column_stack(layer.matrices()).ravel() for layer in self.layers])

    def gradient_vector(self) -> np.ndarray:
        """Every parameter's gradient, in the order of ``parameter_vector``."""
        return np.concatenate([np.column_stack(layer.grad_matrices()).ravel() for layer in self.layers])

    def set_parameter_vector(self, vector) -> None:
        """Give every parameter a new value (the order of ``parameter_vector``)."""
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != (self.parameter_count,):
            raise ValueError(f"{self.parameter_count} parameters, got a vector of shape {vector.shape}")
        start = 0
        for layer in self.layers:
            size = (layer.nin + 1) * layer.nout
            block = vector[start:start + size].reshape(layer.nout, layer.nin + 1)
            layer.set_matrices(block[:, :-1].copy(), block[:, -1].copy())
            start += size

    def locate(self, index: int) -> tuple[int, int, int]:
        """(layer, neuron, input) of parameter ``index``, each from 0; input ``nin`` is the bias."""
        if index >= 0:
            for number, layer in enumerate(self.layers):
                size = (layer.nin + 1) * layer.nout
                if index < size:
                    return number, index // (layer.nin + 1), index % (layer.nin + 1)
                index -= size
        raise IndexError("no such parameter")

    def parameter_name(self, index: int) -> str:
        """Where parameter ``index`` sits: "layer 2, neuron 3, w1" or "layer 2, neuron 3, bias"."""
        number, neuron, i = self.locate(index)
        what = "bias" if i == self.layers[number].nin else f"w{i + 1}"
        return f"layer {number + 1}, neuron {neuron + 1}, {what}"

    def parameter_entry(self, index: int) -> float:
        number, neuron, i = self.locate(index)
        return float(np.column_stack(self.layers[number].matrices())[neuron, i])

    def set_parameter_entry(self, index: int, value: float) -> None:
        """Change one parameter; the others keep their values (and their Values)."""
        number, neuron, i = self.locate(index)
        layer = self.layers[number]
        weights, biases = layer.matrices()
        if i == layer.nin:
            biases[neuron] = value
        else:
            weights[neuron, i] = value
        layer.set_matrices(weights, biases)

    # -- saved models -------------------------------------------------------

    def to_specs(self) -> list[LayerSpec]:
        """The layers as plain numbers, in the model-file layout (weights[j][i]: input i -> neuron j)."""
        specs = []
        for layer in self.layers:
            weights, biases = layer.matrices()
            specs.append(LayerSpec(layer.activation, weights.tolist(), biases.tolist()))
        return specs

    @classmethod
    def from_specs(cls, nin: int, specs: list[LayerSpec]) -> "Network":
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
        for layer, spec in zip(self.layers, specs):
            layer.set_matrices(np.array(spec.weights, dtype=np.float64).reshape(layer.nout, layer.nin),
                               np.array(spec.biases, dtype=np.float64))
