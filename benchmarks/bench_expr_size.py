"""A 1,000,000-node expression through ``gradcli grad --no-trace``: time and peak memory, and per phase.

Run from the repository root::

    python benchmarks/bench_expr_size.py                  # 1,000,000 nodes, 3 rounds
    python benchmarks/bench_expr_size.py --nodes 200000 --rounds 5

The expression is a generated sum of products and function calls over 100
variables, the shape of generated code (``0.412*x3*x71 + tanh(0.01*x8) + x5/1.37
+ ...``), written to a temporary file and read with ``-f``.  Each round runs
the real command as a subprocess and reports its wall time, its CPU time (user
+ sys, what a shared machine blurs least) and its peak resident memory; then,
in this process, the time of each phase (tokenize, parse, evaluate, backward,
labels for a trace).  The targets (issue 11): at most 5 s and 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIABLES = 100
TARGET_SECONDS, TARGET_MB = 5.0, 1536


def generate(nodes: int, seed: int = 0) -> tuple[str, int]:
    """(an expression of at most ``nodes`` nodes, its node count as the parser makes it: ``Expression.size``)."""
    rng = random.Random(seed)
    terms, count = [], VARIABLES - 1  # a leaf per variable; the first term has no '+'
    while count < nodes - 5:
        i, j = rng.randrange(VARIABLES), rng.randrange(VARIABLES)
        kind = rng.randrange(3)
        if kind == 0:
            terms.append(f"{rng.random():.3f}*x{i}*x{j}")  # number, 2 products, (+ 1 sum below)
            count += 4
        elif kind == 1:
            terms.append(f"{rng.choice(['sin', 'tanh', 'exp', 'cos'])}(0.01*x{i})")
            count += 4
        else:
            terms.append(f"x{i}/{1 + rng.random():.2f}")
            count += 3
    return " + ".join(terms), count


def run_cli(path: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of one ``gradcli grad -f PATH --no-trace``."""
    argv = [sys.executable, "-m", "gradcli", "grad", "-f", str(path), "--no-trace", "--format", "json",
            *(f"x{i}=0.5" for i in range(VARIABLES))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"gradcli failed: {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024  # ru_maxrss: the largest child so far, in KB on Linux


def phases(text: str) -> dict:
    """CPU seconds of each phase, in this process."""
    from gradcli.autograd import tokens
    from gradcli.autograd.engine import collect_less
    from gradcli.autograd.expr import parse

    collect_less()  # as the CLI does
    clock = time.process_time
    times = {}
    start = clock()
    tokens.tokenize(text)
    times["tokenize"] = clock() - start
    start = clock()
    expression = parse(text)
    times["parse (tokenize included)"] = clock() - start
    start = clock()
    graph = expression.evaluate({f"x{i}": 0.5 for i in range(VARIABLES)}, labelled=False)
    times["evaluate"] = clock() - start
    start = clock()
    graph.backward()
    times["backward"] = clock() - start
    start = clock()
    expression.label(expression.root)
    times["labels (only for a trace)"] = clock() - start
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    text, count = generate(args.nodes)
    from gradcli.autograd.expr import parse

    assert parse(text).size == count, "the generator's count is the parser's"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.txt"
        path.write_text(text)
        print(f"expression: {count:,} nodes, {len(text):,} characters, {VARIABLES} variables; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        runs = [run_cli(path) for _ in range(args.rounds)]
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    peak = max(r[2] for r in runs)
    print(f"gradcli grad -f big.txt --no-trace: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
          f"CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s; peak memory {peak:.0f} MB "
          f"(targets {TARGET_SECONDS:.0f} s, {TARGET_MB} MB)")
    for name, seconds in phases(text).items():
        print(f"  {name:28} {seconds:6.2f} s CPU")
    return 0 if min(walls) <= TARGET_SECONDS and peak <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
