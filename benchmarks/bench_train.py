"""Training speed: `gradcli train moons --layers 16,16,1` (100 samples, 100 full-batch steps).

Run from the repository root::

    python benchmarks/bench_train.py                 # 5 rounds (batched, command), 2 (scalar)
    python benchmarks/bench_train.py --rounds 9 --scalar-rounds 3
    python benchmarks/bench_train.py --options       # what --test-split, --check-grad-every, ... cost

Measures, side by side and interleaved round by round so that the shared
machine's noise hits every row alike:

- the training loop with the batched engine (``TrainResult.seconds``: the
  steps alone, as the summary reports them), in this process;
- the whole command, wall clock, as a fresh subprocess
  (``python -m gradcli train moons --layers 16,16,1 --quiet``): interpreter
  start, imports (scikit-learn among them, for make_moons), data, training,
  summary;
- the import of scikit-learn's datasets alone in a fresh interpreter (the
  largest fixed cost inside the command);
- the training loop with the scalar engine (one graph per sample).

Prints best and median per row, and the targets from issue 4.  ``--options``
instead measures the CPU time of ``train()`` on the same run with each of the
options of issue 14 (held-out evaluation, gradient checks, accumulated
gradients), rounds interleaved: CPU time, because the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gradcli.learn.train import train  # noqa: E402
from gradcli.learn.run import DataOptions, prepare_run  # noqa: E402

COMMAND = [sys.executable, "-m", "gradcli", "train", "moons", "--layers", "16,16,1", "--quiet"]
TARGETS = {"batched loop": 0.5, "whole command": 3.0, "scalar loop": 15.0}


def loop_seconds(engine: str) -> tuple[float, float]:
    run = prepare_run("moons", DataOptions(), layers=[16, 16, 1], engine=engine)
    result = train(run.model, run.data, run.config)
    return result.seconds, result.train.accuracy


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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scalar-rounds", type=int, default=2)
    parser.add_argument("--options", action="store_true", help="the CPU cost of issue 14's options instead")
    args = parser.parse_args()
    if args.options:
        option_costs(args.rounds)
        return

    times: dict[str, list[float]] = {"batched loop": [], "whole command": [], "import sklearn.datasets": [],
                                     "scalar loop": []}
    accuracy = None
    for round_ in range(max(args.rounds, args.scalar_rounds)):
        if round_ < args.rounds:
            seconds, accuracy = loop_seconds("batched")
            times["batched loop"].append(seconds)
            times["whole command"].append(wall(COMMAND))
            times["import sklearn.datasets"].append(wall([sys.executable, "-c", "import sklearn.datasets"]))
        if round_ < args.scalar_rounds:
            times["scalar loop"].append(loop_seconds("scalar")[0])

    print(f"moons, 100 samples, 16,16,1, 100 steps; train accuracy {accuracy:.2f}")
    print("| measurement | best s | median s | target s | rounds |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in times.items():
        if not values:
            continue
        target = TARGETS.get(name)
        print(f"| {name} | {min(values):.3f} | {statistics.median(values):.3f} | "
              f"{'-' if target is None else f'<= {target:g}'} | {len(values)} |")


if __name__ == "__main__":
    main()
