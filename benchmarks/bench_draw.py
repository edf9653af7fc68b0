"""Render times of ``gradcli draw`` pictures: system Graphviz ``dot`` vs ``graphviz-pure``.

Run from the repository root::

    python benchmarks/bench_draw.py                 # 3 rounds, best and median
    python benchmarks/bench_draw.py --rounds 5 --full-layout

Each case is built once (DOT source, as ``gradcli draw`` builds it) and then
rendered to SVG and PNG by both renderers in the same round, alternating, so
that the noise of the shared machine hits both alike.  Every output is
checked: the SVG must parse as XML and hold the output's label, the PNG must
start with the PNG signature.  ``--full-layout`` also times a 900-node graph
without the quick layout settings that ``draw.py`` adds above 300 nodes, to
show what they save.  A renderer that is not installed is reported and skipped.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradcli.pictures.graph import QUICK_LAYOUT, DrawOptions, expression_drawing  # noqa: E402
from gradcli.pictures.network import network_drawing  # noqa: E402
from gradcli.errors import GradcliError  # noqa: E402
from gradcli.autograd.expr import evaluate  # noqa: E402
from gradcli.learn.modelfile import LayerSpec, SavedModel  # noqa: E402
from gradcli.pictures.files import find_renderer, render  # noqa: E402

RENDERERS = ("dot", "graphviz-pure")


def expression_case(text: str, values: dict):
    graph = evaluate(text, values)
    graph.backward()
    return expression_drawing(graph, DrawOptions()), graph.output.label


def network_case(sizes: list, seed: int = 0):
    rng = random.Random(seed)
    layers = [LayerSpec("relu" if k < len(sizes) - 2 else "linear",
                        [[rng.gauss(0, 1) for _ in range(n_in)] for _ in range(n_out)],
                        [rng.gauss(0, 0.5) for _ in range(n_out)])
              for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    model = SavedModel(sizes[0], layers, [], [f"x{i + 1}" for i in range(sizes[0])], "binary", [0, 1])
    return network_drawing(model), "class 1"


def cases(full_layout: bool) -> list:
    neuron = "tanh(x1*w1 + x2*w2 + b)", dict(x1=2, x2=0, w1=-3, w2=1, b=6.8813735870195432)
    found = [
        ("neuron (15 nodes)", *expression_case(*neuron)),
        ("sum of 33 tanh terms", *expression_case(" + ".join(f"tanh(x*{i} + y)" for i in range(1, 34)),
                                                  {"x": 0.1, "y": 0.2})),
        ("sum of 200 tanh terms", *expression_case(" + ".join(f"tanh(x*{i} + y)" for i in range(1, 201)),
                                                   {"x": 0.1, "y": 0.2})),
        ("1000 numbers summed", *expression_case("+".join(str(i % 10) for i in range(1, 1001)), {})),
        ("MLP 2-16-16-1", *network_case([2, 16, 16, 1])),
        ("MLP 2-64-64-1", *network_case([2, 64, 64, 1])),
    ]
    if full_layout:
        drawing, label = expression_case(" + ".join(f"tanh(x*{i} + y)" for i in range(1, 101)), {"x": 0.1, "y": 0.2})
        found.append(("sum of 100 tanh terms, quick layout", drawing, label))
        lines = drawing.source.splitlines(keepends=True)
        without = "".join(line for line in lines if not all(f"{key}=" in line for key in QUICK_LAYOUT))
        assert len(without) < len(drawing.source), "the quick layout line was not found"
        full = type(drawing)(without, drawing.nodes, drawing.edges)
        found.append(("sum of 100 tanh terms, full layout", full, label))
    return found


def check(data: bytes, fmt: str, label: str) -> None:
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    else:
        text = " ".join(e.text or "" for e in ET.fromstring(data).iter())
        assert label in text or "\u2026" in text, f"label {label!r} missing from the SVG"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full-layout", action="store_true", help="also time a 900-node graph without quick layout")
    args = parser.parse_args()
    available = []
    for name in RENDERERS:
        try:
            find_renderer(name)
            available.append(name)
        except GradcliError as error:
            print(f"skipping {name}: {error}")
    header = " | ".join(f"{name} {fmt}" for name in available for fmt in ("svg", "png"))
    print(f"| case | nodes / edges | {header} |")
    print("| --- | --- |" + " --- |" * (2 * len(available)))
    for title, drawing, label in cases(args.full_layout):
        times = {(name, fmt): [] for name in available for fmt in ("svg", "png")}
        for _ in range(args.rounds):
            for fmt in ("svg", "png"):
                for name in available:
                    started = time.perf_counter()
                    data, _ = render(drawing.source, fmt, name, timeout=900)
                    times[name, fmt].append(time.perf_counter() - started)
                    check(data, fmt, label)
        cells = " | ".join(f"{min(t):.2f} / {statistics.median(t):.2f}" for t in times.values())
        print(f"| {title} | {drawing.nodes} / {drawing.edges} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
