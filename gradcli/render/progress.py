"""Training progress on stderr: a live Rich display, plain lines, or nothing.

``make_progress`` picks the display for the run::

    with make_progress(err_console, steps=100, metric_name="accuracy", ...) as progress:
        result = train(model, data, config, on_step=progress.on_step, stop=interrupts.requested)

- ``LiveProgress`` (stderr is a terminal): a bar with step, loss, train/test
  metric (the test loss and metric as last evaluated), learning rate, the
  gradient check's worst error (when checked), steps/s and ETA; for 2-D classification a small
  decision map below it, redrawn a few times a second as the network learns.
  The display is transient: the summary replaces it at the end.

At thousands of steps a second the display must not slow the loop: ``on_step``
only keeps the step's numbers (a few attribute reads); the line is formatted
when it is drawn (Rich redraws at most ``REFRESH_PER_SECOND`` times a second,
plain lines every ~10% of the run) and the map is recomputed at most every
``MAP_REDRAW_SECONDS`` (``benchmarks/bench_train.py`` measures the loop with
and without the display).
- ``PlainProgress`` (stderr is a pipe or a file): one line every ~10% of the
  steps, no control codes.
- ``QuietProgress`` (``--quiet``, ``--json``): nothing.

Stopping on Ctrl-C, SIGTERM or SIGHUP (the loop's ``stop`` callback) is
``gradcli.interrupts.StopOnInterrupt``.
"""

from __future__ import annotations

import time
from typing import Callable

from ..numbers import percent, scientific, short, significant

MAP_REDRAW_SECONDS = 0.25  # the live map costs a forward pass over its grid: a few redraws a second suffice
REFRESH_PER_SECOND = 8
PLAIN_LINES = 10  # about one line per 10% of the steps


def metric_text(name: str, value) -> str:
    """R^2 with three digits (at most 1 but unbounded below: a diverging run shows -1.2e+171), accuracy in %."""
    return short(value, 3) if name == "r2" else percent(value)


def _eta(done: int, total: int, elapsed: float) -> str:
    if done == 0 or elapsed <= 0:
        return "-:--"
    seconds = int(round((total - done) * elapsed / done))
    return f"{seconds // 60}:{seconds % 60:02d}"


class QuietProgress:
    """No output at all."""

    def __init__(self):
        self.seen = {}  # the held-out numbers and the gradient check's error, as last measured

    def on_step(self, info) -> None:
        pass

    def remember(self, info) -> None:
        """Keep the held-out numbers and the gradient check as last measured (every step: they come rarely)."""
        for key in ("test_loss", "test_metric", "grad_check"):
            value = getattr(info, key, None)
            if value is not None:
                self.seen[key] = value

    def line(self, info, metric_name: str) -> str:
        """The step's line, with the held-out numbers and the gradient check as last measured."""
        self.remember(info)
        return step_line(info, metric_name, self.seen)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class PlainProgress(QuietProgress):
    """A plain line every ~10% of the steps (and the first and last step)."""

    def __init__(self, write: Callable[[str], None], steps: int, metric_name: str):
        super().__init__()
        self.write = write
        self.every = max(1, steps // PLAIN_LINES)
        self.metric_name = metric_name

    def on_step(self, info) -> None:
        if info.step == 1 or info.step % self.every == 0 or info.step == info.steps:
            self.write(self.line(info, self.metric_name))
        else:
            self.remember(info)  # the held-out numbers of a step between lines show on the next line


def step_line(info, metric_name: str, seen: dict | None = None) -> str:
    """``step 10/100  loss 0.3021  accuracy 87.0%  test 0.35 85.0%  lr 0.91  grad check 3e-10  250 steps/s``

    ``seen`` holds the test loss and metric, and the gradient check's error, as last measured.
    """
    seen = seen if seen is not None else {"test_loss": info.test_loss, "test_metric": info.test_metric,
                                          "grad_check": getattr(info, "grad_check", None)}
    label = "R^2" if metric_name == "r2" else "accuracy"
    parts = [f"step {info.step}/{info.steps}", f"loss {short(info.loss)}",
             f"{label} {metric_text(metric_name, info.metric)}"]
    if seen.get("test_metric") is not None:
        loss = f"loss {short(seen['test_loss'])} " if seen.get("test_loss") is not None else ""
        parts.append(f"test {loss}{metric_text(metric_name, seen['test_metric'])}")
    parts.append(f"lr {significant(info.lr, 3)}")
    if seen.get("grad_check") is not None:
        parts.append(f"grad check {scientific(seen['grad_check'], 1)}")
    rate = info.step / info.elapsed if info.elapsed > 0 else 0.0
    parts.append(f"{rate:.0f} steps/s")
    return "  ".join(parts)


class LiveProgress(QuietProgress):
    """A Rich Live display: bar and numbers, and optionally a decision map redrawn as training goes."""

    def __init__(self, console, steps: int, metric_name: str, draw_map: Callable | None = None):
        super().__init__()
        self.console = console
        self.steps = steps
        self.metric_name = metric_name
        self.draw_map = draw_map  # () -> renderable of the network as it is now, or None
        self.info = None
        self.picture = None
        self.last_map = 0.0
        self.live = None

    def __enter__(self):
        from rich.live import Live

        if self.draw_map is not None:
            self.picture = self.draw_map()
        self.live = Live(self, console=self.console, refresh_per_second=REFRESH_PER_SECOND, transient=True)
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def on_step(self, info) -> None:
        self.remember(info)
        self.info = info  # the line is formatted when Rich draws it (__rich__), not at every step
        if self.draw_map is not None:
            now = time.perf_counter()
            if now - self.last_map >= MAP_REDRAW_SECONDS or info.step == info.steps:
                self.picture = self.draw_map()
                self.last_map = now

    def __rich__(self):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        info = self.info
        done = info.step if info else 0
        line = Table.grid(padding=(0, 1))
        line.add_row(ProgressBar(total=self.steps, completed=done, width=20), Text(self._numbers(info)))
        return Group(line, self.picture) if self.picture is not None else line

    def _numbers(self, info) -> str:
        if info is None:
            return f"step 0/{self.steps}"
        text = step_line(info, self.metric_name, dict(self.seen))
        return f"{text}  ETA {_eta(info.step, info.steps, info.elapsed)}"


def make_progress(console, *, steps: int, metric_name: str, quiet: bool, draw_map: Callable | None = None):
    """The display that suits the run and the terminal (see the module docstring)."""
    if quiet:
        return QuietProgress()
    if console.is_terminal:
        return LiveProgress(console, steps, metric_name, draw_map)
    # soft_wrap: one line per step whatever the width, for whatever reads the pipe
    return PlainProgress(lambda text: console.print(text, markup=False, highlight=False, soft_wrap=True), steps,
                         metric_name)

