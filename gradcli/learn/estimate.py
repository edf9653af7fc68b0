"""What a network will cost before it is built: memory and time from its layer sizes alone.

The tensor engine holds each layer as a weight matrix and a bias vector and
runs a whole batch through it at once: its memory is the parameters (value,
gradient, the optimiser's state) plus, for every sample of a step, the values
and gradients of every unit the batch passes through; its time is the matrix
products (samples x weights) plus the elementwise passes (samples x units).
The scalar engine holds every parameter as a ``Value`` and builds one graph of
about one node per parameter for each sample in turn::

    >>> from gradcli.learn.estimate import training_estimate
    >>> estimate = training_estimate(2, [1000, 1000, 1000, 1], batch=100)
    >>> round(estimate.memory / 2**20), round(estimate.seconds_per_step, 1)
    (291, 0.1)

``training_estimate`` (``train``: the network, one step's graph, the
optimiser's state), ``network_estimate`` (``predict`` and ``eval``: the
network of a model file).  ``limits.check_memory`` refuses an estimate above
the limit.  The constants were measured with ``benchmarks/bench_limits.py``
(docs/benchmarks.md) and rounded up: an estimate errs on the high side.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..limits import Estimate
from .speed import LARGE_ARRAY_BYTES

__all__ = ["TrainingEstimate", "parameter_count", "training_estimate", "network_estimate", "graph_estimate"]

# Scalar engine (nn.MLP): one parameter held as a Value and its place in the lists (measured 115-145 B), and one
# neuron: its object, its list and attributes (measured ~300 B).
PARAMETER_BYTES = 160
NEURON_BYTES = 320
# The optimiser's state and the copy of the parameters a step keeps to roll back (momentum, adam: 2 floats each).
STATE_BYTES = 100
# Scalar engine: one sample's graph at a time (measured ~600 B a node); time per parameter per sample (3-4 us).
SCALAR_NODE_BYTES = 700
SCALAR_SAMPLE_SECONDS = 4e-6
# Tensor engine (tensor_nn.TensorMLP): a parameter is 8 bytes in its matrix, and its gradient, the optimiser's
# state, the copy a step keeps and the update's temporaries (measured 57 B with adam); every unit a sample passes
# through (inputs, hidden and output units) holds values and gradients in a step's graph (measured 40-44 B).
TENSOR_PARAMETER_BYTES = 80
TENSOR_UNIT_BYTES = 64
# Tensor engine time: per sample per weight (the matrix products forward and backward, about 6 flops), per sample
# per unit (the elementwise passes), per node of the graph (Python's share, whatever the batch: measured 3-5 us)
TENSOR_WEIGHT_SECONDS = 5e-10
TENSOR_UNIT_SECONDS = 3e-8
TENSOR_NODE_SECONDS = 2e-5
# A model file's numbers, read into lists, stay in memory while its network is built (measured ~100 B each).
SAVED_PARAMETER_BYTES = 100
BASE_BYTES = 120 * 2**20  # Python, NumPy and gradcli themselves
# A node of a drawn graph (draw --graph): its Value, its names and its share of the DOT source (measured ~1 KB).
GRAPH_NODE_BYTES = 2 * 2**10


@dataclass(frozen=True)
class TrainingEstimate(Estimate):
    """A training run: ``memory`` at its peak, ``seconds`` for all its steps, and the parts."""

    parameters: int = 0
    nodes_per_step: int = 0
    seconds_per_step: float = 0.0


def parameter_count(n_inputs: int, sizes: list[int]) -> int:
    """Weights and biases of an MLP with ``n_inputs`` inputs and layer sizes ``sizes``."""
    widths = [n_inputs, *sizes]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(widths, widths[1:]))


def training_estimate(n_inputs: int, sizes: list[int], batch: int, *, engine: str = "tensor",
                      steps: int = 1) -> TrainingEstimate:
    """Peak memory and time of ``steps`` training steps on ``batch`` samples each."""
    parameters = parameter_count(n_inputs, sizes)
    neurons = sum(sizes)
    if engine == "scalar":
        nodes = parameters + 2 * neurons  # w * x per weight (and bias), a sum and an activation per neuron
        held = BASE_BYTES + parameters * (PARAMETER_BYTES + STATE_BYTES) + neurons * NEURON_BYTES
        step_bytes = nodes * SCALAR_NODE_BYTES  # one sample's graph at a time
        per_step = batch * parameters * SCALAR_SAMPLE_SECONDS
        nodes_per_step = batch * nodes
        how = f"{parameters:,} parameters, one graph of {nodes:,} nodes per sample, scalar engine"
    else:
        units = n_inputs + neurons
        nodes_per_step = 4 * len(sizes) + 8  # transpose, matmul, + and activation a layer; the loss
        held = BASE_BYTES + parameters * TENSOR_PARAMETER_BYTES
        step_bytes = batch * units * TENSOR_UNIT_BYTES
        per_step = (batch * (parameters * TENSOR_WEIGHT_SECONDS + units * TENSOR_UNIT_SECONDS)
                    + nodes_per_step * TENSOR_NODE_SECONDS)
        how = f"{parameters:,} parameters, {batch:,} samples a step through {units:,} units, tensor engine"
    return TrainingEstimate(held + step_bytes, "this run", how, per_step * steps, parameters, nodes_per_step,
                            per_step)


def graph_estimate(nodes: int) -> Estimate:
    """Memory to build a graph of ``nodes`` boxes and ovals and its DOT source (``draw --graph``)."""
    return Estimate(BASE_BYTES + nodes * GRAPH_NODE_BYTES, "building this graph", f"{nodes:,} nodes")


def network_estimate(n_inputs: int, sizes: list[int], what: str = "the network") -> Estimate:
    """Memory to hold a model file's network (and run it forward in blocks of rows): ``predict``, ``eval``."""
    parameters = parameter_count(n_inputs, sizes)
    widest = max([n_inputs, *sizes])
    # a forward pass without a graph (predict, eval, the final metrics) goes in blocks of rows (speed.row_blocks):
    # a block's matrices stay under LARGE_ARRAY_BYTES, unless one row is wider; its memory does not grow with rows
    forward = 3 * max(LARGE_ARRAY_BYTES, 8 * widest)  # input, product and output blocks of one layer
    held = parameters * (TENSOR_PARAMETER_BYTES + SAVED_PARAMETER_BYTES)  # a TensorMLP, and the file's lists
    return Estimate(BASE_BYTES + held + forward, what, f"{parameters:,} parameters in {sum(sizes):,} neurons")
