"""Engine speed: forward + backward of a ~100,000-node MLP-shaped graph, in microseconds per node.

Run from the repository root::

    python benchmarks/bench_engine.py            # 5 rounds, best and median of each
    python benchmarks/bench_engine.py --rounds 9 --samples 20

It builds the same graph twice, side by side in one run: once with gradcli's
``Value`` and once with a plain closure-based engine of the classic micrograd
design (a ``_backward`` closure per node, a ``set`` of children, a recursive
topological sort), written below as the baseline and run as-is (only the
recursion limit is raised so its recursive sort can reach the bottom of a deep
graph).  Both are timed with Python's garbage collector in its default state,
as a user would run them.  "per node" divides by the number of nodes in the
graph (leaves included).

The gradcli command raises the cyclic collector's thresholds at start-up (see
``engine.collect_less``; importing the library changes nothing), so four rows are reported: each engine under
gradcli's collector setting and under Python's default one.  The baseline
"as-is" is the classic engine under Python's defaults; the last row shows how
much of its time is the collector's.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradcli.autograd.engine import GC_THRESHOLDS, Value, collect_less, topological_order  # noqa: E402

PYTHON_GC = gc.get_threshold()  # Python's own thresholds
collect_less()  # what the gradcli command does at start-up
GRADCLI_GC = gc.get_threshold()


# -- the baseline: the classic closure-based micrograd design, unchanged --------------


class BaselineValue:
    """micrograd's Value: a closure per node, children in a set, recursive topological sort."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, BaselineValue) else BaselineValue(other)
        out = BaselineValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, BaselineValue) else BaselineValue(other)
        out = BaselineValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = BaselineValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()


def baseline_count(root) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


# -- the workload: an MLP-shaped graph, built the same way for both engines ------------


def build_mlp_graph(value_class, samples: int, seed: int = 0, nin: int = 8, sizes=(32, 32, 32, 1)):
    """Sum over ``samples`` inputs of an MLP's output: tanh(w . x + b) neurons, shared weights."""
    rng = random.Random(seed)
    layers = []
    n = nin
    for size in sizes:
        weights = [[value_class(rng.uniform(-1, 1)) for _ in range(n)] for _ in range(size)]
        biases = [value_class(0.0) for _ in range(size)]
        layers.append((weights, biases))
        n = size
    total = value_class(0.0)
    for _ in range(samples):
        x = [value_class(rng.uniform(-1, 1)) for _ in range(nin)]
        for weights, biases in layers:
            x = [sum((w * xi for w, xi in zip(row, x)), b).tanh() for row, b in zip(weights, biases)]
        total = total + x[0]
    return total


def time_engine(value_class, count_nodes, samples: int) -> tuple[int, float, float]:
    """(nodes, forward seconds, backward seconds) for one fresh graph."""
    start = time.perf_counter()
    root = build_mlp_graph(value_class, samples)
    built = time.perf_counter()
    root.backward()
    done = time.perf_counter()
    return count_nodes(root), built - start, done - built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per engine (best and median reported)")
    parser.add_argument("--samples", type=int, default=19, help="inputs in the batch (19 gives ~100,000 nodes)")
    args = parser.parse_args()
    sys.setrecursionlimit(1_000_000)  # the baseline's recursive sort goes as deep as the graph

    engines = {
        "gradcli Value": (Value, lambda root: len(topological_order(root)), GRADCLI_GC),
        "gradcli Value, Python gc": (Value, lambda root: len(topological_order(root)), PYTHON_GC),
        "baseline as-is": (BaselineValue, baseline_count, PYTHON_GC),
        "baseline, gradcli gc": (BaselineValue, baseline_count, GRADCLI_GC),
    }
    results = {name: [] for name in engines}
    try:
        for _ in range(args.rounds):  # interleaved, so every engine sees the same machine noise
            for name, (value_class, count, thresholds) in engines.items():
                gc.set_threshold(*thresholds)
                gc.collect()
                results[name].append(time_engine(value_class, count, args.samples))
    finally:
        gc.set_threshold(*GRADCLI_GC)

    print(f"MLP-shaped graph 8-32-32-32-1, {args.samples} samples, {args.rounds} rounds, us per node")
    print(f"collector thresholds: Python {PYTHON_GC}, gradcli {GRADCLI_GC} (asks for at least {GC_THRESHOLDS})")
    print(f"{'engine':<26} {'nodes':>7} {'forward':>8} {'backward':>9} {'total best':>11} {'total median':>13}")
    best_total = {}
    for name, runs in results.items():
        nodes = runs[0][0]
        totals = [(f + b) / nodes * 1e6 for _, f, b in runs]
        forward = min(f for _, f, _ in runs) / nodes * 1e6
        backward = min(b for _, _, b in runs) / nodes * 1e6
        best_total[name] = min(totals)
        print(f"{name:<26} {nodes:>7} {forward:>8.3f} {backward:>9.3f} {min(totals):>11.3f} "
              f"{statistics.median(totals):>13.3f}")
    ours, base = best_total["gradcli Value"], best_total["baseline as-is"]
    print(f"speed-up, gradcli vs baseline as-is (best totals): {base / ours:.1f}x (target >= 10x)")
    print(f"same collector setting for both: {best_total['baseline, gradcli gc'] / ours:.1f}x (gradcli gc), "
          f"{base / best_total['gradcli Value, Python gc']:.1f}x (Python gc)")


if __name__ == "__main__":
    main()
