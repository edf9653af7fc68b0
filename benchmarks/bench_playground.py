"""`gradcli playground` responsiveness: milliseconds from a key press to the redrawn screen, while it trains.

Run from the repository root::

    python benchmarks/bench_playground.py                       # spiral, 64,64 hidden units, 7 inputs, 200x60
    python benchmarks/bench_playground.py --size 80x24 --presses 40
    python benchmarks/bench_playground.py --layers 4,2,1:tanh --dataset xor

The real app runs headless (Textual's ``App.run_test``) with training
playing on its worker thread.  Each key is posted as a Textual key event at
time t0; the app's action stamps when it has run; the key is *answered* at
the first screen update after that (``App._display``, where a real terminal
gets its bytes; here the update is also rendered to escape codes, the work a
real terminal driver does, so that this cost is counted too).  Keys measured,
in turns: up/down (select a setting), left/right on the learning rate (a
change the training thread applies from its next step), space twice (pause,
play).  Also reported: screen redraws and training steps per second while
the keys are pressed and, before them, while it trains and no key is pressed;
and the same keys in a bare Textual app whose key updates one line (the
baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from textual import events  # noqa: E402
from textual.app import App  # noqa: E402
from textual.widgets import Static  # noqa: E402

from gradcli.autograd.engine import collect_less  # noqa: E402
from gradcli.playground.app import PlaygroundApp  # noqa: E402
from gradcli.playground.controls import Controls  # noqa: E402
from gradcli.playground.session import Session  # noqa: E402
from gradcli.playground.settings import from_options  # noqa: E402
from gradcli.playground.trainer import Trainer, responsive  # noqa: E402

ALL_FEATURES = "x,y,x2,y2,xy,sinx,siny"
IDLE_SECONDS = 3.0  # redraws and steps a second while it trains and no key is pressed
KEYS = [("down", None), ("up", None), ("right", None), ("left", None), ("space", " "), ("space", " ")]


class Timed:
    """Mixin: stamp the time after every action and at every screen update (rendered as a terminal would)."""

    def stamp_setup(self) -> None:
        self.acted_at = 0.0
        self.displays: list = []
        self.waits: list = []
        self.probe_console = Console(file=open("/dev/null", "w"), force_terminal=True, color_system="truecolor",
                                     width=self.size.width, height=self.size.height)

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        if renderable is not None and hasattr(self, "displays"):
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(self.probe_console)
            self.displays.append(time.perf_counter())

    def run_action(self, action, default_namespace=None):  # every key's action goes through here
        result = super().run_action(action, default_namespace)

        async def stamped():
            value = await result
            self.acted_at = time.perf_counter()
            return value

        return stamped()

    acted_at = 0.0


class TimedPlayground(Timed, PlaygroundApp):
    pass


class BareApp(Timed, App):
    """The baseline: the same keys, each updating one Static."""

    BINDINGS = [(key, "count", "count") for key in ("up", "down", "left", "right", "space")]
    presses = 0

    def compose(self):
        yield Static("0", id="count")

    def action_count(self) -> None:
        self.presses += 1
        self.query_one("#count", Static).update(str(self.presses))


async def press_and_time(app, key: str, character: str | None) -> float:
    """Milliseconds from posting ``key`` to the first screen update after its action ran."""
    acted_before = app.acted_at
    start = time.perf_counter()
    app.post_message(events.Key(key, character))
    deadline = start + 10
    while app.acted_at == acted_before:
        await asyncio.sleep(0.0005)
        if time.perf_counter() > deadline:
            raise AssertionError(f"{key} was never acted on")
    acted = app.acted_at
    while not any(t >= acted for t in app.displays[-3:]):
        await asyncio.sleep(0.0005)
        if time.perf_counter() > deadline:
            raise AssertionError(f"no screen update after {key}")
    shown = next(t for t in app.displays if t >= acted)
    app.waits.append((acted - start) * 1000)  # in the queue, and the action itself
    return (shown - start) * 1000


async def measure(app, size: tuple[int, int], presses: int, warmup: float, playing: bool) -> dict:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.stamp_setup()
        idle = {}
        if playing:
            app.controls.select_key("lr")
            app.draw_settings()
            app.trainer.play()
            await asyncio.sleep(warmup)
            steps0, redraws0, t0 = _steps(app), app.redraws, time.perf_counter()
            await asyncio.sleep(IDLE_SECONDS)  # training, nobody pressing keys
            elapsed = time.perf_counter() - t0
            idle = {"idle_redraws_per_s": (app.redraws - redraws0) / elapsed,
                    "idle_steps_per_s": (_steps(app) - steps0) / elapsed}
        steps0, redraws0, t0 = _steps(app), getattr(app, "redraws", 0), time.perf_counter()
        latencies = []
        for k in range(presses):
            key, character = KEYS[k % len(KEYS)]
            latencies.append(await press_and_time(app, key, character))
            await asyncio.sleep(0.05)  # a person presses keys some tens of ms apart
        elapsed = time.perf_counter() - t0
        result = {"latencies": latencies, "acted": statistics.median(app.waits), "redraws_per_s": (getattr(app, "redraws", 0) - redraws0) / elapsed,
                  "steps_per_s": (_steps(app) - steps0) / elapsed, **idle}
        if playing:
            assert app.trainer.playing, "space twice must leave it playing"
            app.trainer.close()
    return result


def _steps(app) -> int:
    return app.trainer.frame.step if hasattr(app, "trainer") else 0


def make_playground(args) -> TimedPlayground:
    settings = from_options(args.dataset, layers=args.layers, features=args.features)
    session = Session(settings)
    return TimedPlayground(Trainer(session), Controls(settings, session.facts_of), "/dev/null")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="spiral")
    parser.add_argument("--layers", default="64,64,1:tanh")
    parser.add_argument("--features", default=ALL_FEATURES)
    parser.add_argument("--size", default="200x60", help="COLUMNSxROWS of the headless screen")
    parser.add_argument("--presses", type=int, default=30, help="key presses per measurement")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of training before the keys")
    args = parser.parse_args()
    collect_less()  # the collector's thresholds of the gradcli command
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"{args.dataset}, layers {args.layers}, inputs {args.features}, {size[0]}x{size[1]}, "
          f"{args.presses} keys per round")
    print(f"{'':<12} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'acted ms':>9} {'redraws/s':>10} {'steps/s':>9}"
          f" {'no keys: redraws/s':>19} {'steps/s':>8}")
    for round_number in range(1, args.rounds + 1):
        for name, app, playing in (("playground", make_playground(args), True), ("bare app", BareApp(), False)):
            with responsive():  # as `gradcli playground` runs its app
                result = asyncio.run(measure(app, size, args.presses, args.warmup, playing))
            ms = sorted(result["latencies"])
            p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
            print(f"{name + ' ' + str(round_number):<12} {statistics.median(ms):>10.1f} {p90:>8.1f} {ms[-1]:>8.1f} "
                  f"{result['acted']:>9.1f} "
                  f"{result['redraws_per_s']:>10.1f} {result['steps_per_s']:>9.1f}"
                  f" {result.get('idle_redraws_per_s', 0.0):>19.1f} {result.get('idle_steps_per_s', 0.0):>8.1f}")


if __name__ == "__main__":
    main()
