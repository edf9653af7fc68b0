"""What a network will cost before it is built: memory and time from its layer sizes alone.

Every parameter of an ``MLP`` is a ``Value``, and a training step builds a
graph with about one node per parameter (``w * x`` for every weight, then a
sum and an activation per neuron): with the batched engine each of those
nodes holds an array over the batch, with the scalar engine one float per
sample graph.  So memory and time grow with parameters x samples::

    >>> from gradcli.learn.estimate import training_estimate
    >>> estimate = training_estimate(2, [1000, 1000, 1000, 1], batch=100)
    >>> round(estimate.memory / 2**30, 1), round(estimate.seconds_per_step)
    (6.0, 20)

``training_estimate`` (``train``: the network, one step's graph, the
optimiser's state), ``network_estimate`` (``predict`` and ``eval``: the
network of a model file).  ``limits.check_memory`` refuses an estimate above
the limit.  The constants were measured with ``benchmarks/bench_limits.py``
(docs/benchmarks.md) and rounded up: an estimate errs on the high side.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..limits import Estimate

__all__ = ["TrainingEstimate", "parameter_count", "training_estimate", "network_estimate"]

# One parameter held in an MLP: its Value and its place in the lists (measured 115-145 B), and one neuron: its
# object, its list and attributes (measured ~300 B).  A model file's numbers, read into lists, stay in memory
# while its network is built (measured ~100 B each).
PARAMETER_BYTES = 160
NEURON_BYTES = 320
SAVED_PARAMETER_BYTES = 100
# The optimiser's state and the copy of the parameters a step keeps to roll back (momentum, adam: 2 floats each).
STATE_BYTES = 100
# Batched engine, per parameter per step: the node of w * x and its gradient (measured 800 B + ~16 B a sample).
BATCHED_NODE_BYTES = 900
BATCHED_SAMPLE_BYTES = 20
BATCHED_NODE_SECONDS = 8e-6  # per parameter per step (measured 5-15 us)
BATCHED_SAMPLE_SECONDS = 2e-8  # per parameter per sample (measured 15-35 ns)
# Scalar engine: one sample's graph at a time (measured ~600 B a node); time per parameter per sample (3-4 us).
SCALAR_NODE_BYTES = 700
SCALAR_SAMPLE_SECONDS = 4e-6
# A forward pass without a graph (predict, eval, the final metrics) works on blocks of rows of at most this
# many bytes per matrix (nn.MLP.forward_array), so its memory does not grow with the number of rows.
FORWARD_BLOCK_BYTES = 32 * 2**20
BASE_BYTES = 120 * 2**20  # Python, NumPy and gradcli themselves


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


def training_estimate(n_inputs: int, sizes: list[int], batch: int, *, engine: str = "batched",
                      steps: int = 1) -> TrainingEstimate:
    """Peak memory and time of ``steps`` training steps on ``batch`` samples each."""
    parameters = parameter_count(n_inputs, sizes)
    neurons = sum(sizes)
    nodes = parameters + 2 * neurons  # w * x per weight (and bias), a sum and an activation per neuron
    held = BASE_BYTES + parameters * (PARAMETER_BYTES + STATE_BYTES) + neurons * NEURON_BYTES
    if engine == "scalar":
        step_bytes = nodes * SCALAR_NODE_BYTES  # one sample's graph at a time
        per_step = batch * parameters * SCALAR_SAMPLE_SECONDS
        nodes_per_step = batch * nodes
        how = f"{parameters:,} parameters, one graph of {nodes:,} nodes per sample, scalar engine"
    else:
        step_bytes = nodes * (BATCHED_NODE_BYTES + BATCHED_SAMPLE_BYTES * batch)
        per_step = parameters * (BATCHED_NODE_SECONDS + BATCHED_SAMPLE_SECONDS * batch)
        nodes_per_step = nodes
        how = f"{parameters:,} parameters x {batch:,} samples a step, batched engine"
    return TrainingEstimate(held + step_bytes, "this run", how, per_step * steps, parameters, nodes_per_step,
                            per_step)


def network_estimate(n_inputs: int, sizes: list[int], what: str = "the network") -> Estimate:
    """Memory to hold a model file's network (and run it forward in blocks of rows): ``predict``, ``eval``."""
    parameters = parameter_count(n_inputs, sizes)
    neurons = sum(sizes)
    widest = max([n_inputs, *sizes])
    forward = 3 * max(FORWARD_BLOCK_BYTES, 8 * widest)  # input, product and output blocks of one layer
    held = parameters * (PARAMETER_BYTES + SAVED_PARAMETER_BYTES) + neurons * NEURON_BYTES
    return Estimate(BASE_BYTES + held + forward, what, f"{parameters:,} parameters in {neurons:,} neurons")
