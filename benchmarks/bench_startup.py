"""Start-up time of ``gradcli grad ... --no-trace`` end to end, beside bare Python and Typer.

Run from the repository root (gradcli installed, e.g. ``pip install -e .``)::

    python benchmarks/bench_startup.py             # 15 rounds, best and median in ms
    python benchmarks/bench_startup.py --rounds 31

Every round runs each command once, interleaved, so all of them see the same
machine noise; the best of the rounds is the number to compare (the median
shows the noise).  The console script is timed as installed in this Python's
``bin`` (``sys.prefix``), i.e. past any pyenv shim; when the ``gradcli`` found
on PATH is a different file (a pyenv shim is a bash script that adds ~100 ms),
it is timed too and reported separately.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GRAD_ARGS = ["grad", "tanh(x1*w1+x2*w2+b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "6.88",
             "--no-trace"]
TARGET_MS = 200.0


def commands() -> dict:
    python = sys.executable
    script = Path(sys.prefix) / "bin" / "gradcli"
    found = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import typer'": [python, "-c", "import typer"],
        "gradcli grad ... --no-trace": [str(script), *GRAD_ARGS],
    }
    on_path = shutil.which("gradcli")
    if on_path and Path(on_path).resolve() != script.resolve():
        found["gradcli (PATH: " + on_path + ")"] = [on_path, *GRAD_ARGS]
    return found


def time_once(argv) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, NO_COLOR="1"))
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    runs = commands()
    times = {name: [] for name in runs}
    for name, argv in runs.items():  # warm the file cache once
        time_once(argv)
    for _ in range(args.rounds):
        for name, argv in runs.items():
            times[name].append(time_once(argv))
    print(f"start-up, {args.rounds} rounds interleaved (ms)")
    print(f"{'command':<60} {'best':>7} {'median':>7}")
    for name, values in times.items():
        print(f"{name:<60} {min(values):>7.1f} {statistics.median(values):>7.1f}")
    best = min(times["gradcli grad ... --no-trace"])
    typer_best = min(times["python -c 'import typer'"])
    verdict = "meets" if best <= TARGET_MS else "misses"
    print(f"gradcli grad best {best:.0f} ms ({best - typer_best:+.0f} ms over 'import typer'): "
          f"{verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
