"""The estimates behind --max-memory, next to what the work really takes (peak memory, time).

Run from the repository root::

    python benchmarks/bench_limits.py            # every case once (about two minutes)
    python benchmarks/bench_limits.py --quick    # the small cases only

Each case runs in a fresh subprocess, so that its peak resident memory
(``ru_maxrss``) is its own: training steps with both engines
(``learn/estimate.training_estimate``), holding a model file's network
(``network_estimate``), random-point checks (``gradcheck.random_check_estimate``)
and picture layouts with both renderers (``pictures/graph.PictureSize.memory``).
Prints one Markdown row per case: the estimate, the measurement and their
ratio (an estimate should be at or above the measurement: ratio >= 1).
The constants in those modules come from these numbers, rounded up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Runs in the child: the work, then {"rss": peak bytes above the start, "seconds": ...} on stdout.
CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, {root!r})
from gradcli.autograd.engine import collect_less
collect_less()
import numpy as np
case = json.loads(sys.argv[1])
kind = case["kind"]
if kind == "train":
    import random
    from gradcli.learn.engines import engine_for
    from gradcli.learn.losses import encode_targets
    from gradcli.learn.optim import make_optimizer
    X = np.random.default_rng(0).normal(size=(case["batch"], 2)); y = (X[:, 0] > 0).astype(float)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine = engine_for(case["engine"])
    model = engine.network(2, case["sizes"], rng=random.Random(0))
    optimizer = make_optimizer("adam", model.parameters())  # the largest state: two moments a parameter
    targets = encode_targets("hinge", y, case["sizes"][-1], "binary")
    def step():  # as train() takes one: the parameters kept to roll back, gradients, update
        before = [p.data for p in model.parameters()]
        engine.loss_and_gradients(model, X, targets, "hinge", 1e-4, 0)
        optimizer.step(0.01)
    step()  # warm up
    began = time.perf_counter()
    step()
    seconds = time.perf_counter() - began
elif kind == "network":
    from gradcli.learn.inference import Predictor
    from gradcli.learn.modelfile import LayerSpec, SavedModel
    widths = [case["inputs"], *case["sizes"]]
    layers = [LayerSpec("relu" if k < len(case["sizes"]) - 1 else "linear", [[0.5] * a for _ in range(b)],
                        [0.0] * b) for k, (a, b) in enumerate(zip(widths, widths[1:]))]
    saved = SavedModel(case["inputs"], layers)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    predictor = Predictor.from_saved(saved, max_memory=2**40)
    predictor.outputs(np.zeros((case["rows"], case["inputs"])))
    seconds = time.perf_counter() - began
elif kind == "check":
    from gradcli.autograd.expr import parse
    from gradcli.autograd.gradcheck import check_random_points
    expression = parse(case["text"])
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    check_random_points(expression, case["points"], max_memory=2**40)
    seconds = time.perf_counter() - began
print(json.dumps({{"rss": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) * 1024,
                  "seconds": seconds}}))
'''


def measure(case: dict) -> dict:
    code = CHILD.format(root=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, json.dumps(case)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def measure_render(source: str, fmt: str, renderer: str) -> dict:
    """Peak memory and time of one renderer run, in a wrapper process of its own."""
    import time

    from gradcli.pictures.files import find_renderer

    _, executable = find_renderer(renderer)
    code = ("import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)")
    command = [executable, f"-T{fmt}"] + (["-Gsize=100,100"] if fmt == "png" else [])
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *command], input=source, capture_output=True, text=True,
                          timeout=900)
    return {"rss": int(done.stdout), "seconds": time.perf_counter() - began}


def row(title: str, estimate_bytes: float, measured: dict, estimate_seconds: float | None = None) -> str:
    mb = 2**20
    seconds = f"{estimate_seconds:.2f}" if estimate_seconds is not None else "-"
    return (f"| {title} | {estimate_bytes / mb:,.0f} MB | {measured['rss'] / mb:,.0f} MB | "
            f"{estimate_bytes / max(measured['rss'], 1):.2f} | {seconds} | {measured['seconds']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small cases only")
    args = parser.parse_args()

    from gradcli.autograd.expr import evaluate, parse
    from gradcli.autograd.gradcheck import random_check_estimate
    from gradcli.learn.estimate import BASE_BYTES, network_estimate, training_estimate
    from gradcli.pictures.graph import expression_drawing, expression_size
    from gradcli.pictures.network import network_size
    from gradcli.learn.modelfile import LayerSpec, SavedModel

    print("| case | estimate | measured | ratio | estimated s | measured s |")
    print("| --- | --- | --- | --- | --- | --- |")
    train_cases = [("tensor", [64, 64, 1], 100), ("tensor", [64, 64, 1], 100_000), ("tensor", [300, 300, 1], 100),
                   ("tensor", [300, 300, 1], 10_000), ("tensor", [1000, 1], 1000), ("scalar", [100, 100, 1], 20)]
    if not args.quick:
        train_cases += [("tensor", [1000, 1000, 1000, 1], 100), ("tensor", [1024, 1024, 1], 20_000),
                        ("scalar", [300, 300, 1], 10)]
    for engine, sizes, batch in train_cases:
        estimate = training_estimate(2, sizes, batch, engine=engine)
        measured = measure({"kind": "train", "engine": engine, "sizes": sizes, "batch": batch})
        # the child measures above its own start (Python and NumPy loaded): compare without BASE_BYTES
        print(row(f"train {engine} 2-{'-'.join(map(str, sizes))}, {batch} a step", estimate.memory - BASE_BYTES,
                  measured, estimate.seconds_per_step), flush=True)

    network_cases = [(2, [1000, 1000, 1], 100), (1, [100_000, 1], 1000)]
    if not args.quick:
        network_cases += [(2, [1_000_000, 1], 100)]
    for inputs, sizes, rows in network_cases:
        estimate = network_estimate(inputs, sizes)
        measured = measure({"kind": "network", "inputs": inputs, "sizes": sizes, "rows": rows})
        print(row(f"network {inputs}-{'-'.join(map(str, sizes))}, {rows} rows", estimate.memory - BASE_BYTES,
                  measured), flush=True)

    terms = "+".join(f"sin(x{i % 10}*{i})" for i in range(100))
    for text, points in (("x**2", 20000), ("x*y+sin(z)*w", 10000), (terms, 50)):
        estimate = random_check_estimate(parse(text), points)
        measured = measure({"kind": "check", "text": text, "points": points})
        print(row(f"check {text[:24]}{'...' if len(text) > 24 else ''} --points {points}",
                  estimate.memory - 50 * 2**20, measured, estimate.seconds), flush=True)

    pictures = [(f"draw x+x+...+x, {n} terms", expression_case("+".join(["x"] * n))) for n in (100, 200, 400)]
    pictures += [("draw 1000 variables summed", expression_case("+".join(f"x{i}" for i in range(1000))))]
    for hidden in (64,) if args.quick else (64, 128):
        model = network_model([2, hidden, hidden, 1], LayerSpec, SavedModel)
        pictures.append((f"draw MLP 2-{hidden}-{hidden}-1", network_case(model, network_size)))
    for title, (source, size) in pictures:
        for renderer in ("graphviz-pure", "dot"):
            for fmt in ("svg", "png"):
                try:
                    measured = measure_render(source, fmt, renderer)
                except Exception as exc:  # a renderer that is not installed
                    print(f"| {title}, {renderer} {fmt} | skipped: {exc} | | | | |")
                    continue
                print(row(f"{title} ({size.nodes} nodes, {size.long_edges:,} skipped ranks), {renderer} {fmt}",
                          size.memory(fmt), measured), flush=True)


def expression_case(text: str):
    from gradcli.autograd.expr import evaluate
    from gradcli.pictures.graph import expression_drawing, expression_size

    graph = evaluate(text, {name: 1.0 for name in set(text.replace("+", " ").split()) if name.startswith("x")})
    graph.backward()
    return expression_drawing(graph).source, expression_size(graph)


def network_model(widths: list, LayerSpec, SavedModel):
    import random

    rng = random.Random(0)
    layers = [LayerSpec("relu" if k < len(widths) - 2 else "linear", [[rng.gauss(0, 1) for _ in range(a)]
                                                                       for _ in range(b)], [0.0] * b)
              for k, (a, b) in enumerate(zip(widths, widths[1:]))]
    return SavedModel(widths[0], layers, [], [f"x{i + 1}" for i in range(widths[0])], "binary", [0, 1])


def network_case(model, network_size):
    from gradcli.pictures.network import network_drawing

    return network_drawing(model).source, network_size(model)


if __name__ == "__main__":
    main()
