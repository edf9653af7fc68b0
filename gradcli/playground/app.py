"""The full-screen terminal app of ``gradcli playground``, built with Textual.

It draws a ``Trainer``'s frames (``trainer.py``, where the training thread
lives; ``session.py`` and ``controls.py`` hold the logic) with the panels of
``panels.py`` and ``network.py``, and turns keys and clicks into calls on
them.  Only the ``playground`` command imports this module.

Screen, top to bottom: a status line (playing or paused, step, epoch,
losses, accuracy, seed); the settings panel, the network (columns of
neurons with their maps, weights as lines) and the output (the decision map
with the data, the loss curves); a line saying what the last key did; the
keys.

How it stays responsive while training computes on its worker thread: the
large panels (network, map, losses) are rendered into lines by a ``Painter``
on the training thread, right after each frame; this thread only swaps the
lines in (``Picture``, Textual's line API: no layout, no conversion of Rich
output), at most ``FRAMES_PER_SECOND`` times a second and at most
``DRAW_SHARE`` of its time, and not between a key and its answer on screen; a key changes small state, redraws a small panel
and hands a request to the trainer, so it is answered at once.

``PlaygroundApp(trainer, controls, save_path).run()`` returns the ``gradcli
train ...`` command that reproduces the final state and a note when it
cannot reproduce it exactly (None if the app was closed another way).
"""

from __future__ import annotations

import io
import time
from dataclasses import replace

from rich.console import Console
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from ..errors import AppCrashedError, GradcliError
from .controls import Controls
from .network import NetworkPicture, plan_layout
from .panels import loss_chart, map_panel, map_size, settings_panel, settings_window, status_line
from .session import Frame, ViewSize
from .trainer import FRAMES_PER_SECOND, Trainer

__all__ = ["PlaygroundApp", "Painter", "Picture", "MIN_SIZE"]

MIN_SIZE = (80, 24)  # columns, rows: below this the panels cannot be drawn
WIDE = (120, 32)  # from this size on: borders around the panels and a map with axes
DRAW_SHARE = 0.5  # at most this share of the screen thread's time goes to showing frames; the rest answers keys
KEY_QUIET = 0.15  # at most this long after a key, no new frame until the key's own small update is on screen
PAINTED = ("network", "map", "curves")  # the panels the Painter draws


class Line(Strip):
    """A line of the screen that does not keep itself in its own cache.

    Textual's ``Strip.divide`` stores ``[self]`` in the strip's cache when the cut is the
    whole line, as it is for every line of a panel: a reference cycle per line shown, which
    only the cycle collector frees (~85 MB a minute at 15 frames a second, and pauses of
    100 ms and more to collect it).  This one answers the same without the cycle.
    """

    __slots__ = ()

    def divide(self, cuts):
        whole = [cut for cut in cuts if cut <= self.cell_length] == [self.cell_length]
        return [self] if whole else super().divide(cuts)


class Picture(Widget):
    """A panel shown from ready-made lines (Textual's line API).

    A Static hands its renderable to Textual's conversion of Rich output on every
    refresh (a style added to every segment) and lays the screen out again on every
    update: ~100 ms for a full-screen map and network.  Lines rendered once, returned
    by ``render_line``, cost a few milliseconds and need no layout.
    """

    def __init__(self, *, id: str):
        super().__init__(id=id)
        self.lines: list[Strip] = []

    def show(self, renderable) -> None:
        """Render ``renderable`` at this panel's width, here (small panels)."""
        console = self.app.console
        options = console.options.update(width=max(self.content_size.width, 1), height=None, highlight=False)
        self.set_lines(console.render_lines(renderable, options, pad=False))

    def set_lines(self, lines: list) -> None:
        self.lines = [line if isinstance(line, Strip) else Strip(line) for line in lines]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if y >= len(self.lines):
            return Strip.blank(self.content_size.width, self.background)
        return self.lines[y].apply_style(self.background)  # cells without a colour of their own: the panel's

    @property
    def background(self):
        from rich.style import Style

        return Style(bgcolor=self.rich_style.bgcolor)

    def on_resize(self, event: events.Resize) -> None:
        self.app.panel_resized(self)

    def render_lines(self, crop) -> list[Strip]:
        """The lines Textual made of ours (styled, cropped), as ``Line``s: no cycle when the compositor cuts them."""
        return [Line(list(strip), strip.cell_length) for strip in super().render_lines(crop)]


class Painter:
    """A frame -> the lines of the network, map and loss panels, at the sizes the app gives (Rich only).

    Runs on the training thread, with a console of its own that renders as the app's does.
    """

    def __init__(self, console: Console):
        self.console = Console(file=io.StringIO(), force_terminal=True, color_system=console.color_system,
                               no_color=console.no_color, legacy_windows=False, width=console.width)
        self.sizes: dict = {name: (1, 1) for name in PAINTED}  # panel -> (width, height), set by the app
        self.show_test = True

    def __call__(self, frame: Frame) -> dict:
        sizes, show_test = dict(self.sizes), self.show_test  # the app may change them meanwhile
        width, height = sizes["network"]
        layout = plan_layout([c.size for c in frame.columns], list(frame.columns[0].labels), width, height)
        pictures = {"network": lambda: NetworkPicture(frame.columns, width, height, layout),
                    "map": lambda: map_panel(frame, *sizes["map"], show_test),
                    "curves": lambda: loss_chart(frame, *sizes["curves"])}
        lines = {}
        for name, picture in pictures.items():
            options = self.console.options.update(width=max(sizes[name][0], 1), height=None, highlight=False)
            try:
                rendered = self.console.render_lines(picture(), options, pad=False)
            except ValueError as error:  # a size the picture cannot take (the screen settling): say so, train on
                rendered = self.console.render_lines(Text(f"cannot draw the {name} here: {error}", style="yellow"),
                                                     options, pad=False)
            lines[name] = [Strip(line) for line in rendered]
        return lines


class PlaygroundApp(App):
    """Train a network on 2-D data and watch every neuron, the decision map and the losses move."""

    TITLE = "gradcli playground"
    ENABLE_COMMAND_PALETTE = False
    AUTO_FOCUS = None  # every key goes to the app
    CSS = """
    #status { height: 1; padding: 0 1; }
    #body { height: 1fr; }
    #settings { width: 29; height: 1fr; }
    #network { width: 1fr; height: 1fr; padding: 0 0 0 1; }
    #output { width: 30; height: 1fr; }
    #map { height: 1fr; }
    #curves { height: 5; }
    #message { height: 1; padding: 0 1; }
    #small { display: none; padding: 1 2; }
    .wide #settings { width: 35; border: round $primary; padding: 0 1; }
    .wide #network { border: round $primary; padding: 0; }
    .wide #output { width: 42%; }
    .wide #map { border: round $primary; }
    .wide #curves { height: 12; border: round $primary; }
    .small #body, .small #status, .small #message { display: none; }
    .small #small { display: block; }
    """

    BINDINGS = [
        Binding("space", "toggle", "play/pause"),
        Binding("s", "step", "step"),
        Binding("r", "reset", "reset"),
        Binding("up,k", "select(-1)", "setting", key_display="↑↓"),
        Binding("down,j", "select(1)", "setting", show=False),
        Binding("left,h", "change(-1)", "change", key_display="←→"),
        Binding("right,l,enter", "change(1)", "change", show=False),
        Binding("t", "toggle_test", "test pts"),
        Binding("w", "write", "write"),
        Binding("q", "quit", "quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, trainer: Trainer, controls: Controls, save_path: str):
        super().__init__()
        self.trainer = trainer
        self.controls = controls
        self.save_path = save_path
        self.painter: Painter | None = None  # made on mount, when the console is known
        self.shown = 0  # serial of the frame on screen
        self.submitted = trainer.frame.applied  # settings changes handed to the trainer
        self.notice = trainer.frame.notice[0]
        self.redraws = 0  # frames shown (the tests count them)
        self.message = ("", False)  # the line above the keys: (text, is an error)
        self.shown_at = (0.0, 0.0)  # (monotonic time, this thread's CPU time) when the last frame was shown
        self.key_at = 0.0  # monotonic time of the last key's action
        self.key_pending = False  # a key's answer is not on screen yet

    def compose(self) -> ComposeResult:
        yield Picture(id="status")
        with Horizontal(id="body"):
            yield Picture(id="settings")
            yield Picture(id="network")
            with Vertical(id="output"):
                yield Picture(id="map")
                yield Picture(id="curves")
        yield Picture(id="message")
        yield Static(id="small")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for name, title in (("settings", "settings"), ("network", "network"), ("map", "output"),
                            ("curves", "loss")):
            self.query_one(f"#{name}").border_title = title
        self.painter = Painter(self.console)
        self.painter.sizes = {name: tuple(self.query_one(f"#{name}", Picture).content_size) for name in PAINTED}
        self.trainer.painter = self.painter
        self.run_worker(self.trainer.run, thread=True, exclusive=True, exit_on_error=False, name="training")
        self.timer = self.set_interval(1 / FRAMES_PER_SECOND, self.tick)
        self.say("space plays, s takes one step, ↑↓ and ←→ change the settings, w writes the model, "
                 "q quits and prints the command")
        self.fit_to(self.size.width, self.size.height)
        self.trainer.repaint()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_to(event.size.width, event.size.height)

    def on_worker_state_changed(self, event) -> None:
        """The training thread never ends on its own: if it does, say why (the screen stays, training stops)."""
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR and self.is_running:
            error = event.worker.error
            self.say(f"training stopped: {type(error).__name__}: {error}; press q to quit and print the command",
                     error=True)

    def run(self, *args, **kwargs):
        """``App.run``; an unhandled exception (Textual shows its traceback and returns) is an AppCrashedError."""
        result = super().run(*args, **kwargs)
        if self.return_code:
            raise AppCrashedError("the playground")
        return result

    def on_unmount(self) -> None:
        """However the app ends (q, an error in a key's action, a test that failed): the training thread ends too."""
        self.trainer.close()

    def fit_to(self, width: int, height: int) -> None:
        """Borders from a wide terminal on; below the smallest size, a message instead of the panels."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.screen.set_class(small, "small")
        self.screen.set_class(width >= WIDE[0] and height >= WIDE[1], "wide")
        if small:
            self.query_one("#small", Static).update(Text(
                f"The playground needs a terminal of at least {MIN_SIZE[0]} x {MIN_SIZE[1]} characters; this one "
                f"is {width} x {height}. Make the window larger (training goes on), or press q to quit.",
                style="bold yellow"))

    def panel_resized(self, panel: Picture) -> None:
        """A panel has a new size (the layout settled): draw it, and have the frames computed to fit."""
        if self.painter is None:
            return
        if panel.id in PAINTED:
            sizes = dict(self.painter.sizes)
            sizes[panel.id] = tuple(panel.content_size)
            self.painter.sizes = sizes
            frame = self.trainer.frame
            layout = plan_layout([c.size for c in frame.columns], list(frame.columns[0].labels), *sizes["network"])
            canvas_width, canvas_height, _ = map_size(*sizes["map"])
            self.trainer.resize(ViewSize(canvas_width, canvas_height, layout.tile_width if layout else 6,
                                         layout.tile_height if layout else 3))
            self.trainer.repaint()  # at the new sizes, even while paused
        elif panel.id == "settings":
            self.draw_settings()
        elif panel.id == "status":
            self.draw_status(self.trainer.frame, self.trainer.playing)
        elif panel.id == "message":
            self.say(*self.message)

    # -- drawing ------------------------------------------------------------------

    def tick(self) -> None:
        """Show the trainer's latest painted frame, if it is new and drawing has not taken too much of this thread."""
        frame, lines = self.trainer.published
        if lines is None or frame.serial == self.shown or self.screen.has_class("small") or not self.is_running:
            return
        now, cpu = time.monotonic(), time.thread_time()
        if self.shown and now - self.shown_at[0] < (cpu - self.shown_at[1]) / DRAW_SHARE:
            return  # the last frames kept this thread busy: keys first
        if self.key_pending and now - self.key_at < KEY_QUIET:
            return  # a key's answer is on its way to the screen: it goes first, the next frame after
        self.shown_at = (now, cpu)
        self.shown = frame.serial
        self.redraws += 1
        try:
            for name in PAINTED:
                self.query_one(f"#{name}", Picture).set_lines(lines[name])
            if frame.applied == self.submitted:  # every change handed over is applied: show what training uses
                self.controls.settings = frame.settings
                self.draw_settings()
            if frame.notice[0] != self.notice:
                self.notice = frame.notice[0]
                self.say(frame.notice[1], error=frame.notice[2])
            self.draw_status(frame, self.trainer.playing)
            self.follow_layout(frame)
        except NoMatches:  # the app is closing: its widgets are gone
            return

    def follow_layout(self, frame: Frame) -> None:
        """A network of another shape may want other tiles: ask the trainer for them."""
        layout = plan_layout([c.size for c in frame.columns], list(frame.columns[0].labels),
                             *self.painter.sizes["network"])
        if layout is not None and (layout.tile_width, layout.tile_height) != (self.trainer.view.tile_width,
                                                                                 self.trainer.view.tile_height):
            self.trainer.resize(replace(self.trainer.view, tile_width=layout.tile_width,
                                        tile_height=layout.tile_height))

    def draw_status(self, frame: Frame, playing: bool) -> None:
        line = self.query_one("#status", Picture)
        line.show(status_line(frame, playing, line.content_size.width))

    def draw_settings(self) -> None:
        panel = self.query_one("#settings", Picture)
        width, height = panel.content_size
        panel.show(settings_panel(self.controls.rows(), self.controls.selected, width, height))

    def say(self, message: str, error: bool = False) -> None:
        """What the last key did (or, in red, why it was refused), on the line above the keys."""
        self.message = (message, error)
        self.query_one("#message", Picture).show(
            Text(message, no_wrap=True, overflow="ellipsis", style="bold red" if error else ""))

    # -- actions (one per key) -----------------------------------------------------------

    async def run_action(self, action, default_namespace=None) -> bool:
        """Every key's action: ``tick`` holds new frames back until its answer is on screen."""
        self.key_at, self.key_pending = time.monotonic(), True
        try:
            return await super().run_action(action, default_namespace)
        finally:
            self.call_after_refresh(self.key_answered)

    def key_answered(self) -> None:
        self.key_pending = False

    def action_toggle(self) -> None:
        playing = self.trainer.toggle()
        self.draw_status(self.trainer.frame, playing)
        self.say("training" if playing else "paused: s takes one step, space plays again")

    def action_step(self) -> None:
        self.trainer.step()
        self.draw_status(self.trainer.frame, False)
        self.say(f"one step from step {self.trainer.frame.step:,}")

    def action_reset(self) -> None:
        settings = replace(self.controls.settings, seed=self.controls.settings.seed + 1)
        self.controls.settings = settings
        self.submit(settings)
        self.say(f"reset with seed {settings.seed}: new data, new weights")

    def action_select(self, offset: int) -> None:
        self.controls.select(offset)
        self.draw_settings()

    def action_change(self, direction: int) -> None:
        try:
            change = self.controls.change(direction)
        except GradcliError as error:
            self.say(error.message, error=True)
            return
        self.submit(change.settings)
        self.draw_settings()
        self.say(change.text + (": training starts again" if change.resets else ""))

    def submit(self, settings) -> None:
        self.submitted += 1
        self.trainer.submit(settings)

    def action_toggle_test(self) -> None:
        self.painter.show_test = not self.painter.show_test
        self.trainer.repaint()
        self.say("held-out points shown (hollow)" if self.painter.show_test else "held-out points hidden")

    def action_write(self) -> None:
        self.trainer.save(self.save_path)
        self.say(f"writing the model to {self.save_path} ...")

    async def action_quit(self) -> None:
        frame = self.trainer.frame
        self.timer.stop()
        self.trainer.close()
        session = self.trainer.session
        note = None
        if session.lr_changed_at is not None:  # steps at the old rate, even when none came after the change
            note = (f"the learning rate changed at step {session.lr_changed_at:,}: this command trains at "
                    f"{frame.settings.lr:g} from the start, so its model differs from the playground's")
        self.exit((frame.settings.command_line(frame.facts, frame.step), note))

    # -- the mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """A click on a settings row selects it; on its ◀ or ▶ (the left or right half of the value) it changes."""
        panel = self.query_one("#settings", Picture)
        if event.widget is not panel:
            return
        offset = event.get_content_offset(panel)
        if offset is None:
            return
        rows = self.controls.rows()
        index = settings_window(rows, self.controls.selected, panel.content_size.height) + offset.y
        if not 0 <= index < len(rows):
            return
        self.controls.selected = index
        label_width = max(len(row.label) for row in rows) + 1
        value_width = panel.content_size.width - label_width
        if offset.x >= label_width:
            self.action_change(-1 if offset.x < label_width + value_width // 2 else 1)
        else:
            self.draw_settings()
