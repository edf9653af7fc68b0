"""Derivatives beyond the first: what plain backward costs beside create_graph, and what the new options cost.

Run from the repository root::

    python benchmarks/bench_higher.py                       # this checkout, 7 rounds
    python benchmarks/bench_higher.py --root /tmp/old-tree  # another checkout's engine (e.g. before create_graph)
    python benchmarks/bench_higher.py --commands            # also start-up of grad with each new option

Part 1, the engine: the MLP-shaped graph of ``bench_engine.py`` (8-32-32-32-1
tanh neurons, 19 samples, ~93,000 nodes) is built, then differentiated by
``backward()``, by ``grad(root, leaves)`` (plain, numbers) and by
``grad(root, leaves, create_graph=True)`` (gradients as graphs), each on a
fresh graph, rounds interleaved; microseconds per node, best and median.  A
checkout without ``grad`` (before create_graph) times ``backward()`` only, so
two runs, one per checkout, compare the plain pass.

Part 2: the new core functions on micrograd's neuron (``n = x1*w1 + x2*w2 +
b; o = tanh(n)``), in milliseconds: its Hessian, its explained trace, and
``plot``'s samples (200 points of f, f' and f'' over a range of x1).

Part 3 (``--commands``): CPU time of fresh ``python -m gradcli grad`` runs on
micrograd's neuron, plain and with ``--explain``, ``--order 2``, ``--hessian``
and ``--symbolic`` (the only one that imports sympy), interleaved.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--samples", type=int, default=19, help="inputs in the batch (19 gives ~93,000 nodes)")
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout whose gradcli is timed")
    parser.add_argument("--commands", action="store_true", help="also time grad's new options end to end")
    args = parser.parse_args()
    sys.path.insert(0, args.root)
    sys.path.insert(1, str(HERE))
    engine_rows(args.root, args.rounds, args.samples)
    if Path(args.root, "gradcli", "autograd", "curves.py").exists():
        core_rows(args.rounds)
    if args.commands:
        command_rows(args.root, args.rounds)


def engine_rows(root: str, rounds: int, samples: int) -> None:
    from gradcli.autograd import engine  # first: bench_engine (which puts this checkout first) then reuses it

    from bench_engine import build_mlp_graph

    assert Path(engine.__file__).resolve().is_relative_to(Path(root).resolve()), engine.__file__
    engine.collect_less()
    Value, order = engine.Value, engine.topological_order
    has_grad = hasattr(engine, "grad")

    def leaves_of(node):
        return [n for n in order(node) if not n.inputs]

    passes = {"backward()": lambda node, leaves: node.backward()}
    if has_grad:
        passes["grad() plain"] = lambda node, leaves: engine.grad(node, leaves)
        passes["grad(create_graph=True)"] = lambda node, leaves: engine.grad(node, leaves, create_graph=True)
    times = {name: [] for name in passes}
    nodes = 0
    for _ in range(rounds):
        for name, run in passes.items():
            graph = build_mlp_graph(Value, samples)
            leaves = leaves_of(graph)
            nodes = len(order(graph))
            gc.collect()
            start = time.perf_counter()
            run(graph, leaves)
            times[name].append((time.perf_counter() - start) / nodes * 1e6)
            del graph, leaves
    print(f"gradcli from {root}: {nodes} nodes, {rounds} rounds, us per node (best / median)")
    for name, values in times.items():
        print(f"  {name:<26} {min(values):7.3f} / {statistics.median(values):7.3f}")


def core_rows(rounds: int) -> None:
    from gradcli.autograd.curves import sample
    from gradcli.autograd.explain import explain
    from gradcli.autograd.expr import parse
    from gradcli.autograd.higher import hessian_matrix

    program = parse(NEURON[1])
    point = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    held = {name: value for name, value in point.items() if name != "x1"}

    def explained():
        graph = program.evaluate(point)
        graph.backward()
        return explain(graph)

    work = {"Hessian (5 x 5)": lambda: hessian_matrix(program.evaluate(point), program.variables),
            "explain (trace + rules)": explained,
            "plot samples, order 2": lambda: sample(program, "x1", -3.0, 3.0, held=held, order=2)}
    times = {name: [] for name in work}
    for _ in range(rounds):
        for name, run in work.items():
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1e3)
    print(f"micrograd's neuron, ms (best / median of {rounds})")
    for name, values in times.items():
        print(f"  {name:<26} {min(values):7.2f} / {statistics.median(values):7.2f}")


NEURON = ["grad", "n = x1*w1 + x2*w2 + b; o = tanh(n)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1",
          "--b", "6.8813735870195432"]
OPTIONS = {"plain (--no-trace)": ["--no-trace"], "--explain": ["--explain"], "--order 2": ["--order", "2"],
           "--hessian": ["--hessian"], "--symbolic": ["--symbolic"]}


def command_rows(root: str, rounds: int) -> None:
    import resource

    env = dict(os.environ, PYTHONPATH=root, NO_COLOR="1", COLUMNS="100")
    cpu = {name: [] for name in OPTIONS}
    for _ in range(rounds):
        for name, extra in OPTIONS.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run([sys.executable, "-m", "gradcli", *NEURON, *extra], capture_output=True, env=env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise SystemExit(done.stderr.decode())
            cpu[name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3)
    print(f"python -m gradcli grad <micrograd's neuron> ..., CPU ms (best / median of {rounds})")
    for name, values in cpu.items():
        print(f"  {name:<20} {min(values):7.1f} / {statistics.median(values):7.1f}")


if __name__ == "__main__":
    main()
