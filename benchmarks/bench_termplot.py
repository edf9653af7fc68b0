"""Cost of a terminal decision map (built and rendered), and of generating each built-in dataset.

Run from the repository root (gradcli installed, e.g. ``pip install -e .``)::

    python benchmarks/bench_termplot.py              # 15 rounds; best and median in ms
    python benchmarks/bench_termplot.py --rounds 31

`gradcli train` redraws the decision map while it learns, so one map must cost
about as little as one training step (a few ms).  The map is timed with a
predict function that costs next to nothing, so the numbers are the plot's
own: one batched call over the grid, colours, and Rich rendering to a
true-colour terminal (the most segments) and to plain text.  Rounds are
interleaved so every case sees the same machine noise; compare the best.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
from rich.console import Console

from gradcli.data.datasets import GENERATORS, load_dataset
from gradcli.pictures.termmap import decision_map

MAP_SIZES = [(48, 20), (72, 24)]


def map_cases() -> dict:
    """name -> a function that builds and renders one map."""
    xor = load_dataset("xor")
    bumps = load_dataset("reg-gauss")
    blobs = load_dataset("blobs", classes=4)
    centres = np.array([[0, 5], [-5, 0], [0, -5], [5, 0]])
    cases = {}
    for width, height in MAP_SIZES:
        for colour in (True, False):
            kind = "colour" if colour else "plain"
            cases[f"binary {width}x{height} {kind}"] = _case(
                lambda p: np.tanh(p[:, 0] * p[:, 1] / 4), xor, "binary", width, height, colour)
            cases[f"multiclass {width}x{height} {kind}"] = _case(
                lambda p: np.argmin(((p[:, None, :] - centres) ** 2).sum(-1), axis=1), blobs, "multiclass",
                width, height, colour)
            cases[f"regression {width}x{height} {kind}"] = _case(
                lambda p: np.sin(p[:, 0]) * np.cos(p[:, 1]), bumps, "regression", width, height, colour)
    return cases


def _case(predict, data, task, width, height, colour):
    def run():
        out = io.StringIO()
        console = Console(file=out, width=200, force_terminal=colour, color_system="truecolor" if colour else None)
        console.print(decision_map(predict, data.X, data.y, width=width, height=height, task=task))
        return out

    return run


def dataset_cases() -> dict:
    cases = {f"load {name}": (lambda name=name: load_dataset(name)) for name in GENERATORS}
    cases["load toy4"] = lambda: load_dataset("toy4")
    return cases


def measure(cases: dict, rounds: int) -> dict:
    times = {name: [] for name in cases}
    for function in cases.values():   # warm up: imports (scikit-learn), caches
        function()
    for _ in range(rounds):
        for name, function in cases.items():
            start = time.perf_counter()
            function()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    for title, cases in (("decision map, built and rendered", map_cases()), ("dataset generation", dataset_cases())):
        print(f"{title} ({args.rounds} rounds)")
        print(f"  {'case':<34} {'best ms':>8} {'median ms':>10}")
        for name, samples in measure(cases, args.rounds).items():
            print(f"  {name:<34} {min(samples):8.2f} {statistics.median(samples):10.2f}")


if __name__ == "__main__":
    main()
