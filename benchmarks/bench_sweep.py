"""How long a sweep takes beside the training loops it runs: the cost of joblib's worker processes.

Runs ``gradcli sweep`` (a real process, as a user runs it) on a grid of 24 runs of the moons
default (4 learning rates x 3 initialisations x 2 seeds, 100 steps each) with ``--jobs 2``, then
without ``--jobs`` (the default: this process, or workers when the runs are long), and compares
its time with the sum of its runs' training loops (``seconds`` of each run, as ``train --json``
reports it) divided by 2::

    python benchmarks/bench_sweep.py --rounds 3

For each round: the wall time of the whole command (Python start-up and imports included), the
sweep's own time (from starting the workers to the last run), the fixed cost of starting the
workers (``startup_seconds``: processes spawned and the training code imported), the loops' sum
/ 2, and the two ratios.  The dataset cache is warmed first (one run), as after any first use.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

GRID = ["moons", "--lr", "0.25,0.5,1,2", "--init", "uniform,xavier,he", "--seeds", "2", "--json"]


def one_round(jobs: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gradcli", "sweep", *GRID, *jobs], capture_output=True, text=True,
                          env=dict(os.environ, NO_COLOR="1"), check=True)
    wall = time.perf_counter() - start
    document = json.loads(done.stdout)
    loops = sum(run["seconds"] for run in document["runs"])
    return {"runs": len(document["runs"]), "wall": wall, "sweep": document["seconds"],
            "startup": document["startup_seconds"], "loops_over_2": loops / 2,
            "ratio_wall": wall / (loops / 2), "ratio_sweep": document["seconds"] / (loops / 2),
            "ratio_after_startup": (document["seconds"] - document["startup_seconds"]) / (loops / 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    subprocess.run([sys.executable, "-m", "gradcli", "train", "moons", "--quiet"], capture_output=True, check=True)
    for label, jobs in (("--jobs 2", ["--jobs", "2"]), ("no --jobs (the default)", [])):
        results = [one_round(jobs) for _ in range(rounds)]
        keys = ["wall", "sweep", "startup", "loops_over_2", "ratio_wall", "ratio_sweep", "ratio_after_startup"]
        print(f"{results[0]['runs']} runs, {label}, {rounds} rounds")
        print(f"{'':22}" + "".join(f"{'round ' + str(k + 1):>10}" for k in range(rounds)) + f"{'median':>10}")
        for key in keys:
            values = [result[key] for result in results]
            print(f"{key:22}" + "".join(f"{value:10.2f}" for value in values) + f"{statistics.median(values):10.2f}")


if __name__ == "__main__":
    main()
