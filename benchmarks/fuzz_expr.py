"""Fuzz the expression parser and evaluator with 100,000+ generated inputs.

    python benchmarks/fuzz_expr.py                 # 100,000 random and mutated inputs
    python benchmarks/fuzz_expr.py --count 500000 --seed 7
    python benchmarks/fuzz_expr.py --atheris 200000   # coverage-guided, if atheris is installed

Every input must parse and evaluate or fail with a GradcliError; anything else
(another exception, a RecursionError, more than 5 s for one input, code being
executed) is printed as a finding and makes the exit status 1.  Results are
recorded in docs/robustness.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def run_atheris(count: int):
    import atheris

    with atheris.instrument_imports(include=["gradcli"]):  # before gradcli is first imported
        from fuzz.expression_fuzz import Tally, check, code_execution_traps
    tally = Tally()
    rng = random.Random(0)

    def one_input(data: bytes) -> None:
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(400)
        check(text, rng, tally)
        if tally.findings:
            raise RuntimeError(f"finding: {tally.findings[-1]}")

    with code_execution_traps():
        atheris.Setup([sys.argv[0], f"-runs={count}", "-max_len=400"], one_input)
        try:
            atheris.Fuzz()
        except SystemExit:
            pass
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--atheris", type=int, metavar="RUNS", help="coverage-guided runs with atheris instead")
    args = parser.parse_args()
    started = time.perf_counter()
    if not args.atheris:
        from fuzz.expression_fuzz import run
    tally = run_atheris(args.atheris) if args.atheris else run(args.count, args.seed)
    seconds = time.perf_counter() - started
    print(f"inputs: {tally.inputs}  parsed: {tally.parsed}  evaluated with gradients: {tally.evaluated}  "
          f"gradcli errors: {tally.gradcli_errors}  non-finite gradients: {tally.nonfinite_gradients}  "
          f"findings: {len(tally.findings)}")
    print(f"time: {seconds:.1f} s  slowest input: {tally.slowest * 1000:.1f} ms")
    for finding in tally.findings[:50]:
        print(f"FINDING {finding.problem}: {finding.expression[:200]!r}")
    return 1 if tally.findings else 0


if __name__ == "__main__":
    sys.exit(main())
