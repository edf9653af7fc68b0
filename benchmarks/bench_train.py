"""Training speed: micrograd's moons run against the same network written by hand in NumPy, and 100,000 rows.

Run from the repository root::

    python benchmarks/bench_train.py                  # the moons rows, 9 rounds (3 for the scalar engine)
    python benchmarks/bench_train.py --rounds 15 --scalar-rounds 3
    python benchmarks/bench_train.py --large          # 100,000 CSV rows through 2-64-64-1, 100 steps
    python benchmarks/bench_train.py --options        # what --test-split, --check-grad-every, ... cost

The moons rows (``gradcli train moons --layers 16,16,1``: 100 samples, 337 parameters, 100
full-batch steps), side by side in one run and interleaved round by round so that the shared
machine's noise hits every row alike:

- the training loop with the tensor engine (``TrainResult.seconds``: the steps alone, as the
  summary reports them), in this process;
- the same 100 steps written by hand in NumPy (``benchmarks/numpy_reference.py``: the fastest a
  Python program does them), in this process, and the ratio of the two;
- the loop with the scalar engine (one graph per sample, micrograd's way);
- the whole command as a fresh subprocess (``python -m gradcli train moons --layers 16,16,1
  --quiet``: start-up, imports, the cached data, training, summary);
- 1,000 steps with and without the live display (a terminal's bar, numbers and decision map,
  drawn into memory): what the display costs at the tensor engine's step rate.

``--large`` writes a CSV file of 100,000 rows (two inputs, a class) and runs, each as a fresh
subprocess measured for wall time and peak memory (``ru_maxrss``): ``gradcli train big.csv
--layers 64,64,1 --steps 100 --quiet --json``, and the same network trained by hand in NumPy on
the same rows (100 steps of sgd; gradcli's run picks adam through the preset, whose cost is
negligible next to 100,000 rows), in a process with the same settings (``learn/speed.py``).  ``--options`` measures the CPU time of ``train()`` with each of
the options of issue 14 (held-out evaluation, gradient checks, accumulated gradients).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy_reference  # noqa: E402
from gradcli.learn.run import DataOptions, prepare_run  # noqa: E402
from gradcli.learn.train import train  # noqa: E402

COMMAND = [sys.executable, "-m", "gradcli", "train", "moons", "--layers", "16,16,1", "--quiet"]
TARGETS = {"tensor loop": "<= 2 x NumPy by hand", "whole command": "<= 1", "scalar loop": "<= 15"}
DISPLAY_STEPS = 1000
LARGE_ROWS = 100_000


def loop_seconds(engine: str, steps: int = 100, progress=None) -> tuple[float, float]:
    run = prepare_run("moons", DataOptions(), layers=[16, 16, 1], engine=engine, steps=steps)
    on_step = None if progress is None else progress(run)
    if on_step is None:
        result = train(run.model, run.data, run.config)
    else:
        with on_step:
            result = train(run.model, run.data, run.config, on_step=on_step.on_step)
    return result.seconds, result.train.accuracy


def numpy_seconds(X, y) -> float:
    layers = numpy_reference.initial_weights()
    start = time.perf_counter()
    numpy_reference.train(X, y, layers)
    return time.perf_counter() - start


def live_display(run):
    """The display ``gradcli train`` shows at a terminal: bar, numbers and decision map (drawn into memory)."""
    from rich.console import Console

    from gradcli.render.progress import make_progress
    from gradcli.render.train import LIVE_MAP_SIZE, decision_picture

    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    return make_progress(terminal, steps=run.steps, metric_name="accuracy", quiet=False,
                         draw_map=lambda: decision_picture(run, *LIVE_MAP_SIZE))


def moons_rows(rounds: int, scalar_rounds: int) -> None:
    X, y = numpy_reference.moons()
    names = ["tensor loop", "NumPy by hand (numpy_reference.py)", "scalar loop", "whole command",
             f"{DISPLAY_STEPS:,} steps, no display", f"{DISPLAY_STEPS:,} steps, live display"]
    times: dict[str, list[float]] = {name: [] for name in names}
    ratios = []
    accuracy = None
    for round_ in range(max(rounds, scalar_rounds)):
        if round_ < rounds:
            seconds, accuracy = loop_seconds("tensor")
            by_hand = numpy_seconds(X, y)
            times["tensor loop"].append(seconds)
            times[names[1]].append(by_hand)
            ratios.append(seconds / by_hand)
            times["whole command"].append(wall(COMMAND))
            times[names[4]].append(loop_seconds("tensor", DISPLAY_STEPS)[0])
            times[names[5]].append(loop_seconds("tensor", DISPLAY_STEPS, live_display)[0])
        if round_ < scalar_rounds:
            times["scalar loop"].append(loop_seconds("scalar")[0])

    print(f"moons, 100 samples, 16,16,1, 100 steps; train accuracy {accuracy:.2f}; load average "
          f"{os.getloadavg()[0]:.1f}")
    print("| measurement | best s | median s | target s | rounds |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in times.items():
        target = TARGETS.get(name, "-")
        print(f"| {name} | {min(values):.4f} | {statistics.median(values):.4f} | {target} | {len(values)} |")
    best = min(times["tensor loop"]) / min(times[names[1]])
    print(f"| tensor loop / NumPy by hand | {best:.2f}x (bests) | {statistics.median(ratios):.2f}x (median of "
          f"rounds) | <= 2x | {len(ratios)} |")


# Runs in a child: wall time and peak memory of one command (the child's own ru_maxrss).
MEASURED = ("import json, resource, subprocess, sys, time; start = time.perf_counter(); "
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "print(json.dumps({'seconds': time.perf_counter() - start, 'status': done.returncode, "
            "'stdout': done.stdout, 'peak': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))")
# Runs in a child: the same network trained by hand in NumPy on the CSV file's rows, with the process settings
# gradcli train makes for such a batch (learn/speed.py), so that the two compare the computation alone.
BY_HAND = ("import sys, time, numpy as np; sys.path.insert(0, {here!r}); sys.path.insert(0, {root!r}); "
           "import numpy_reference as ref; from gradcli.learn.speed import tune_for_large_batches; "
           "tune_for_large_batches(100_000, [64]); "
           "data = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1); X, y = data[:, :2], 2 * data[:, 2] - 1; "
           "layers = ref.initial_weights((2, 64, 64, 1)); start = time.perf_counter(); "
           "losses = ref.train(X, y, layers, steps=100); print(time.perf_counter() - start, losses[-1])")


def measured(command: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURED, *command], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def large_rows(rounds: int) -> None:
    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        rng = np.random.default_rng(0)
        X = rng.normal(size=(LARGE_ROWS, 2))
        labels = (X[:, 0] * X[:, 1] > 0).astype(int)  # the quadrants: xor, which a straight line cannot split
        path.write_text("x1,x2,y\n" + "".join(f"{a!r},{b!r},{c}\n" for (a, b), c in zip(X.tolist(), labels)))
        command = [sys.executable, "-m", "gradcli", "train", str(path), "--layers", "64,64,1", "--steps", "100",
                   "--quiet", "--json"]
        by_hand = [sys.executable, "-c", BY_HAND.format(here=str(ROOT / "benchmarks"), root=str(ROOT)), str(path)]
        size = path.stat().st_size
        rows = {"gradcli train (whole command)": [], "of which the loop": [], "NumPy by hand (100 steps)": []}
        peaks = {"gradcli train (whole command)": [], "NumPy by hand (100 steps)": []}
        accuracy = None
        for _ in range(rounds):
            run = measured(command)
            out = json.loads(run["stdout"])
            accuracy = out["train_accuracy"]
            rows["gradcli train (whole command)"].append(run["seconds"])
            rows["of which the loop"].append(out["seconds"])
            peaks["gradcli train (whole command)"].append(run["peak"])
            hand = measured(by_hand)
            rows["NumPy by hand (100 steps)"].append(float(hand["stdout"].split()[0]))
            peaks["NumPy by hand (100 steps)"].append(hand["peak"])
    print(f"{LARGE_ROWS:,} CSV rows ({size / 2**20:.1f} MB), 2-64-64-1, 100 full-batch steps; gradcli's train "
          f"accuracy {accuracy:.3f}; load average {os.getloadavg()[0]:.1f}")
    print("| measurement | best s | median s | peak memory | target |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in rows.items():
        peak = f"{max(peaks[name]) / 2**20:,.0f} MB" if name in peaks else "-"
        target = "<= 10 s, <= 1 GB" if name.startswith("gradcli") else "-"
        print(f"| {name} | {min(values):.2f} | {statistics.median(values):.2f} | {peak} | {target} |")


# (label, settings, test fraction): the options of issue 14 on the moons run
OPTIONS = [("defaults", {}, 0.0), ("--test-split 0.2 (held-out loss every step)", {}, 0.2),
           ("--test-split 0.2 --eval-every 10", {"eval_every": 10}, 0.2),
           ("--check-grad-every 10", {"check_grad_every": 10}, 0.0),
           ("--check-grad-every 1", {"check_grad_every": 1}, 0.0), ("--no-zero-grad", {"zero_grad": False}, 0.0)]


def option_costs(rounds: int) -> None:
    times: dict[str, list[float]] = {label: [] for label, _, _ in OPTIONS}
    for _ in range(rounds):
        for label, settings, split in OPTIONS:
            run = prepare_run("moons", DataOptions(test_split=split), layers=[16, 16, 1], **settings)
            start = time.process_time()
            train(run.model, run.data, run.config)
            times[label].append(time.process_time() - start)
    print("| `gradcli train moons` with | best CPU s | median CPU s | rounds |")
    print("| --- | --- | --- | --- |")
    for label, values in times.items():
        print(f"| `{label}` | {min(values):.3f} | {statistics.median(values):.3f} | {len(values)} |")


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--scalar-rounds", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="100,000 CSV rows through 2-64-64-1 instead")
    parser.add_argument("--options", action="store_true", help="the CPU cost of issue 14's options instead")
    args = parser.parse_args()
    if args.options:
        option_costs(args.rounds)
    elif args.large:
        large_rows(args.rounds)
    else:
        moons_rows(args.rounds, args.scalar_rounds)


if __name__ == "__main__":
    main()
