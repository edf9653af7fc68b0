"""Training progress on stderr: a live Rich display, plain lines, or nothing.

``make_progress`` picks the display for the run::

    with make_progress(err_console, steps=100, metric_name="accuracy", ...) as progress:
        result = train(model, data, config, on_step=progress.on_step, stop=interrupts.requested)

- ``LiveProgress`` (stderr is a terminal): a bar with step, loss, train/test
  metric, learning rate, steps/s and ETA; for 2-D classification a small
  decision map below it, redrawn a few times a second as the network learns.
  The display is transient: the summary replaces it at the end.
- ``PlainProgress`` (stderr is a pipe or a file): one line every ~10% of the
  steps, no control codes.
- ``QuietProgress`` (``--quiet``, ``--json``): nothing.

Stopping on Ctrl-C, SIGTERM or SIGHUP (the loop's ``stop`` callback) is
``gradcli.interrupts.StopOnInterrupt``.
"""

from __future__ import annotations

import time
from typing import Callable

from ..numbers import percent, short, significant

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

    def on_step(self, info) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class PlainProgress(QuietProgress):
    """A plain line every ~10% of the steps (and the first and last step)."""

    def __init__(self, write: Callable[[str], None], steps: int, metric_name: str):
        self.write = write
        self.every = max(1, steps // PLAIN_LINES)
        self.metric_name = metric_name

    def on_step(self, info) -> None:
        if info.step == 1 or info.step % self.every == 0 or info.step == info.steps:
            self.write(step_line(info, self.metric_name))


def step_line(info, metric_name: str) -> str:
    """``step 10/100  loss 0.3021  accuracy 87.0%  test 85.0%  lr 0.91  250 steps/s``"""
    label = "R^2" if metric_name == "r2" else "accuracy"
    parts = [f"step {info.step}/{info.steps}", f"loss {short(info.loss)}",
             f"{label} {metric_text(metric_name, info.metric)}"]
    if info.test_metric is not None:
        parts.append(f"test {metric_text(metric_name, info.test_metric)}")
    rate = info.step / info.elapsed if info.elapsed > 0 else 0.0
    parts += [f"lr {significant(info.lr, 3)}", f"{rate:.0f} steps/s"]
    return "  ".join(parts)


class LiveProgress(QuietProgress):
    """A Rich Live display: bar and numbers, and optionally a decision map redrawn as training goes."""

    def __init__(self, console, steps: int, metric_name: str, draw_map: Callable | None = None):
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
        self.info = info
        now = time.perf_counter()
        if self.draw_map is not None and (now - self.last_map >= MAP_REDRAW_SECONDS or info.step == info.steps):
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
        return f"{step_line(info, self.metric_name)}  ETA {_eta(info.step, info.steps, info.elapsed)}"


def make_progress(console, *, steps: int, metric_name: str, quiet: bool, draw_map: Callable | None = None):
    """The display that suits the run and the terminal (see the module docstring)."""
    if quiet:
        return QuietProgress()
    if console.is_terminal:
        return LiveProgress(console, steps, metric_name, draw_map)
    return PlainProgress(lambda text: console.print(text, markup=False, highlight=False), steps, metric_name)

