"""`gradcli explore` responsiveness: milliseconds from a key press to the redrawn screen.

Run from the repository root::

    python benchmarks/bench_explore.py              # 3 rounds, best and median of each
    python benchmarks/bench_explore.py --rounds 5 --presses 30

For expressions of growing size (a sum of k terms ``sin(x*i + y)``, so two
variables and about 5k nodes in the graph and the trace) it times, side by side
in one run:

- logic: ``Explorer.move`` (evaluate, backward, trace) plus ``nudge()`` (one more
  evaluation at x + h), the work behind one arrow key;
- app: the same key pressed in the real Textual app, run headless at 100x40
  (``App.run_test``), until the screen has been redrawn (``pilot.pause``), i.e.
  logic plus building the panels plus Textual's layout and rendering;
- baseline: the same harness pressing a key in a bare Textual app whose only
  action updates a one-line Static.  The pilot's own waits live in this number;
  app minus baseline is what gradcli adds.

The trace panel is two DataTables that draw only the rows in view and update
only the cells that changed, so the cost per key grows with the size of the
expression only through the logic (evaluate, backward, trace, compare rows).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402
from textual.widgets import Static  # noqa: E402

from gradcli.explore.state import Explorer  # noqa: E402
from gradcli.explore.app import ExploreApp  # noqa: E402


class BareApp(App):
    """The baseline: one key, one Static updated."""

    BINDINGS = [("right", "count", "count")]
    presses = 0

    def compose(self):
        yield Static("0", id="count")

    def action_count(self) -> None:
        self.presses += 1
        self.query_one("#count", Static).update(str(self.presses))


def expression(terms: int) -> str:
    return " + ".join(f"sin(x*{i} + y)" for i in range(1, terms + 1))


def logic_ms(terms: int, presses: int) -> float:
    """Mean milliseconds of move + nudge over ``presses`` presses."""
    explorer = Explorer(expression(terms), {"x": 0.0, "y": 0.5}, step=0.001)
    start = time.perf_counter()
    for _ in range(presses):
        explorer.move(+1)
        explorer.nudge()
    return (time.perf_counter() - start) * 1000 / presses


def app_ms(terms: int | None, presses: int) -> float:
    """Mean milliseconds from pressing → to the redrawn screen, headless; terms=None: the bare app."""

    async def scenario() -> float:
        if terms is None:
            app = BareApp()
        else:
            app = ExploreApp(Explorer(expression(terms), {"x": 0.0, "y": 0.5}, step=0.001))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            for _ in range(presses):
                await pilot.press("right")
                await pilot.pause()
            elapsed = time.perf_counter() - start
            handled = app.presses if terms is None else round(app.explorer.state.values["x"] / 0.001)
            assert handled == presses, "a key press was lost"
        return elapsed * 1000 / presses

    return asyncio.run(scenario())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="repeat each measurement; report best and median")
    parser.add_argument("--presses", type=int, default=20, help="key presses per measurement")
    parser.add_argument("--terms", default="1,10,100,200", help="sizes to try, comma-separated")
    args = parser.parse_args()
    print(f"{'terms':>6} {'nodes':>6}  {'logic best':>10} {'median':>8}  {'app best':>9} {'median':>8}"
          f"  {'baseline best':>13} {'median':>8}   (ms per key)")
    for terms in (int(t) for t in args.terms.split(",")):
        nodes = len(Explorer(expression(terms), {"x": 0.0, "y": 0.5}).state.trace.forward)
        logic, app, bare = [], [], []
        for _ in range(args.rounds):  # interleaved, so that noise on the machine hits all three alike
            logic.append(logic_ms(terms, args.presses))
            app.append(app_ms(terms, args.presses))
            bare.append(app_ms(None, args.presses))
        print(f"{terms:>6} {nodes:>6}  {min(logic):>10.2f} {statistics.median(logic):>8.2f}  "
              f"{min(app):>9.1f} {statistics.median(app):>8.1f}  {min(bare):>13.1f} {statistics.median(bare):>8.1f}")

if __name__ == "__main__":
    main()
