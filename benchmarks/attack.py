"""Replay issue 10's attack on gradcli: hostile command lines as real processes, each judged clean or not.

    python benchmarks/attack.py                     # every case (a few minutes)
    python benchmarks/attack.py --quick             # the fast subset the test suite runs
    python benchmarks/attack.py --item 8 --item 20.usage --verbose
    python benchmarks/attack.py --category "CSV files" --jobs 2
    python benchmarks/attack.py --list              # the catalogue, without running it

The catalogue is tests/attack/catalogue.py (cases as data: command line, set-up,
the outcome the issue demands); tests/attack/harness.py runs one case in a fresh
folder with a timeout and a memory cap and judges it.  Prints tried / clean per
category and per item, then every case that was not clean and why; the exit
status is 1 when any case was not clean.  Results are recorded in
docs/robustness.md ("Attack categories").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from attack.catalogue import CATEGORIES, item_number, select  # noqa: E402
from attack.harness import agreement_problems, make_assets, run_case  # noqa: E402


def run(cases: list, jobs: int = 1, assets: Path | None = None, progress=None) -> list:
    """Run ``cases`` (``jobs`` at a time) and return their ``Outcome``s, in the catalogue's order.

    ``assets``: a folder for the files cases copy (made there); by default a temporary one, removed after.
    """
    if assets is None:
        with tempfile.TemporaryDirectory(prefix="gradcli-attack-assets-") as folder:
            return run(cases, jobs, Path(folder), progress)
    make_assets(assets, cases)

    def one(case):
        outcome = run_case(case, assets)
        if progress:
            progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(one, cases))
    agreement_problems(outcomes)
    return outcomes


def summary(outcomes: list) -> str:
    """The tried / clean table per category, then per item, as Markdown."""
    lines = ["| Category | Tried | Clean |", "|---|---|---|"]
    for category in CATEGORIES:
        members = [o for o in outcomes if o.case.category == category]
        if members:
            lines.append(f"| {category} | {len(members)} | {sum(o.clean for o in members)} |")
    lines.append(f"| **all** | **{len(outcomes)}** | **{sum(o.clean for o in outcomes)}** |")
    items = sorted({item_number(o.case) for o in outcomes}, key=lambda i: (not i.isdigit(), int(i) if i.isdigit() else 0))
    lines += ["", "| Item | Tried | Clean |", "|---|---|---|"]
    for item in items:
        members = [o for o in outcomes if item_number(o.case) == item]
        lines.append(f"| {item} | {len(members)} | {sum(o.clean for o in members)} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the fast subset")
    parser.add_argument("--enabled", action="store_true", help="only the items listed in FIXED (what the tests run)")
    parser.add_argument("--item", action="append", default=[], help="an item (8, 20, 20.usage, guard); repeatable")
    parser.add_argument("--category", action="append", default=[], help="a category; repeatable")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    parser.add_argument("--list", action="store_true", help="list the selected cases and stop")
    parser.add_argument("--verbose", action="store_true", help="a line per case as it finishes")
    args = parser.parse_args()
    cases = select(args.quick, args.enabled, args.item, args.category)
    if args.list:
        for case in cases:
            print(f"{case.label}{'  (quick)' if case.quick else ''}")
        print(f"{len(cases)} cases")
        return 0

    def progress(outcome):
        if args.verbose:
            mark = "clean" if outcome.clean else "NOT CLEAN"
            print(f"{mark:9}  {outcome.seconds:5.1f} s  {outcome.case.label}", flush=True)

    started = time.monotonic()
    outcomes = run(cases, jobs=args.jobs, progress=progress)
    print(summary(outcomes))
    failures = [o for o in outcomes if not o.clean]
    if failures:
        print(f"\nNot clean ({len(failures)}):")
        for outcome in failures:
            print(f"- {outcome.case.label}: {'; '.join(outcome.problems)}")
    print(f"\n{len(outcomes)} cases in {time.monotonic() - started:.0f} s: {len(outcomes) - len(failures)} clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
