"""Start-up time of ``gradcli grad ... --no-trace`` end to end, beside bare Python and Typer.

Run from the repository root (gradcli installed, e.g. ``pip install -e .``)::

    python benchmarks/bench_startup.py             # 15 rounds, best and median in ms
    python benchmarks/bench_startup.py --rounds 31

Every round runs each command once, interleaved, so all of them see the same
machine noise.  The 200 ms target is for the median wall time; the best round
shows what the machine does without noise, and CPU time (user + sys of the
child) stays steadier than wall time when other work shares the cores.  The
console script is timed as installed in this Python's ``bin`` (``sys.prefix``),
i.e. past any pyenv shim; when the ``gradcli`` found on PATH is a different
file (a pyenv shim is a bash script that adds ~100 ms), it is timed too and
reported separately.  The last row is the same command with
``GRADCLI_FAST_PARAMS=0``: Typer coercing every option itself, pydantic and
all (``gradcli/cli/fast_params.py`` says why gradcli does not by default).
"""

from __future__ import annotations

import argparse
import os
import resource
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
    """name -> (argv, extra environment)."""
    python = sys.executable
    script = Path(sys.prefix) / "bin" / "gradcli"
    found = {
        "python -c pass": ([python, "-c", "pass"], {}),
        "python -c 'import typer'": ([python, "-c", "import typer"], {}),
        "gradcli grad ... --no-trace": ([str(script), *GRAD_ARGS], {}),
    }
    on_path = shutil.which("gradcli")
    if on_path and Path(on_path).resolve() != script.resolve():
        found["gradcli (PATH: " + on_path + ")"] = ([on_path, *GRAD_ARGS], {})
    found["same, GRADCLI_FAST_PARAMS=0"] = ([str(script), *GRAD_ARGS], {"GRADCLI_FAST_PARAMS": "0"})
    return found


def time_once(argv, extra_env: dict) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run; CPU time (user + sys) is what contention on a shared machine blurs least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=dict(os.environ, NO_COLOR="1", **extra_env))
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed * 1000, cpu * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    runs = commands()
    times = {name: [] for name in runs}
    for name, (argv, env) in runs.items():  # warm the file cache once
        time_once(argv, env)
    for _ in range(args.rounds):
        for name, (argv, env) in runs.items():
            times[name].append(time_once(argv, env))
    print(f"start-up, {args.rounds} rounds interleaved (ms; load average {os.getloadavg()[0]:.1f})")
    print(f"{'command':<44} {'wall best':>10} {'wall median':>12} {'CPU best':>9} {'CPU median':>11}")
    for name, runs in times.items():
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        print(f"{name:<44} {min(wall):>10.1f} {statistics.median(wall):>12.1f} {min(cpu):>9.1f} "
              f"{statistics.median(cpu):>11.1f}")
    grad = [w for w, _ in times["gradcli grad ... --no-trace"]]
    typer_best = min(w for w, _ in times["python -c 'import typer'"])
    median = statistics.median(grad)
    verdict = "meets" if median <= TARGET_MS else "misses"
    print(f"gradcli grad median {median:.0f} ms, best {min(grad):.0f} ms ({min(grad) - typer_best:+.0f} ms over "
          f"'import typer'): the median {verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    main()
