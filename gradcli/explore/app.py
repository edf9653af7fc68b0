"""The full-screen terminal app of ``gradcli explore``, built with Textual.

It draws an ``Explorer`` (``explore.py``, where all the logic lives) with the
panels of ``explore_panels.py`` and turns key presses into calls on it.  Only the ``explore`` command imports this
module, so no other command pays for importing Textual.

Screen, top to bottom: the expression and its value; the variables (value
and gradient, the selected one marked; step and lr below) beside the nudge
panel; a status line (what the last key did, or why it was refused); the forward and
backward trace, or with ``p`` the plot of f and f' around the selected
variable's value with the tangent there (``p`` again brings the trace back); the keys.  ``ExploreApp(explorer).run()`` returns the
``gradcli grad ...`` command line that reproduces the final state (None if
the app was closed another way).

A burst of keys (held down, or a paste typed in by a terminal without
bracketed paste) stays cheap: each key changes the explorer's state at once,
but the panels are redrawn once, after the keys already waiting have been
handled; the editor takes at most ``EDIT_LIMIT`` characters and says so once.
"""

from __future__ import annotations

import asyncio
import signal

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Static

from ..errors import AppCrashedError, DomainError, GradcliError
from ..interrupts import STOP_SIGNALS, Interrupted
from ..printable import printable
from ..render.errors import error_lines
from ..numbers import exact, significant
from .panels import TraceView, expression_text, nudge_table, variables_table
from .state import NEW_VARIABLE_VALUE, Explorer, State


# The editor's limit: a longer expression cannot be read on one line, and each key typed into a long
# line costs Textual time in proportion to its length (a 6,000-character paste typed key by key froze
# the app for seconds).  An expression given on the command line may be longer: it can still be edited.
EDIT_LIMIT = 1000


class ExpressionEditor(Input):
    """The one-line expression editor: at most ``max_length`` characters, no bell when more are typed."""

    overflowed = False  # said once per edit (the app sets it back when the editor opens)

    def restricted(self) -> None:
        if not self.overflowed:
            self.overflowed = True
            self.post_message(self.Overflow(self))

    def _on_paste(self, event: events.Paste) -> None:
        """A bracketed paste: keep what fits (Textual would refuse all of a paste that is too long)."""
        room = max(0, self.max_length - len(self.value) + len(self.selected_text)) if self.max_length else None
        text = event.text.splitlines()[0] if event.text else ""
        if room is not None and len(text) > room:
            event.prevent_default()
            event.stop()
            self.replace(text[:room], *sorted(self.selection))
            self.restricted()

    class Overflow(Message):
        """More characters were typed or pasted than the editor takes."""

        def __init__(self, editor: "ExpressionEditor"):
            super().__init__()
            self.editor = editor


# -- the app ------------------------------------------------------------------------


class ExploreApp(App):
    """Nudge the inputs of an expression and watch the value, gradients and trace change."""

    TITLE = "gradcli explore"
    ENABLE_COMMAND_PALETTE = False  # every action has its own key
    AUTO_FOCUS = None  # nothing focused: every key goes to the explorer until `e` opens the editor
    CSS = """
    #expression { height: auto; padding: 0 1; margin-bottom: 1; }
    #editor { display: none; }
    #edit-error { display: none; color: $error; padding: 0 1; height: auto; }
    #middle { height: auto; }
    #variables, #nudge { height: auto; border: round $primary; padding: 0 1; border-subtitle-align: right; }
    #variables { width: 1fr; }
    #nudge { width: 1fr; }
    #status { height: auto; padding: 0 1; }
    #status.error { color: $error; }
    #plot { display: none; height: 1fr; padding: 0 1; }
    """

    # One footer entry per pair of keys, so that all of them fit in 80 columns (79 characters: j/k and
    # G's ascent are in --help and docs/cli.md).
    BINDINGS = [
        Binding("up,k", "select(-1)", "select", key_display="↑↓"),
        Binding("down,j", "select(1)", "select", show=False),
        Binding("left", "move(-1)", "nudge", key_display="←→"),
        Binding("right", "move(1)", "nudge", show=False),
        Binding("plus,equals_sign", "scale_step(1)", "step×÷10", key_display="+/-"),
        Binding("minus", "scale_step(0)", "step÷10", show=False),
        Binding("h", "scale_h(0)", "h÷×10", key_display="h/H"),
        Binding("H", "scale_h(1)", "h×10", show=False),
        Binding("g", "gradient_step(0)", "grad", key_display="g/G"),
        Binding("G", "gradient_step(1)", "ascend", show=False),
        Binding("p", "toggle_plot", "plot"),
        Binding("r", "reset", "reset"),
        Binding("e", "edit", "edit"),
        Binding("q", "quit", "quit"),
        Binding("escape", "cancel_edit", "cancel edit", show=False),
        Binding("pageup", "scroll_trace(-1)", "scroll trace", show=False),
        Binding("pagedown", "scroll_trace(1)", "scroll trace", show=False),
    ]

    def __init__(self, explorer: Explorer, reserved: tuple = ()):
        super().__init__()
        self.explorer = explorer
        self.reserved = reserved  # option names of `grad`, for the command line printed at the end
        self.status = ("", False)  # the status line to show at the next redraw: (message, is an error)
        self.redraw_pending = False

    def compose(self) -> ComposeResult:
        yield Static(id="expression")
        yield ExpressionEditor(id="editor", select_on_focus=False, max_length=EDIT_LIMIT,
                               placeholder="an expression, e.g. tanh(x*w + b); Enter applies, Esc cancels")
        yield Static(id="edit-error")
        with Horizontal(id="middle"):
            yield Static(id="variables")
            yield Static(id="nudge")
        yield Static(id="status")
        yield TraceView(id="trace")
        yield Static(id="plot")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if not self.is_headless:
            self.stop_on_signals()
        self.query_one("#variables").border_title = "variables"
        self.refresh_view()
        defaulted = self.explorer.defaulted
        if defaulted:
            self.say(f"no value given for {', '.join(defaulted)}: starting at {significant(NEW_VARIABLE_VALUE)}")
        else:
            self.say("←/→ nudge the selected variable; g takes a gradient step; q quits and prints the command")

    # -- stop signals -----------------------------------------------------------

    stopped_by: int | None = None  # the stop signal that closed the app, if one did

    def stop_on_signals(self) -> None:
        """SIGTERM, SIGHUP (and Ctrl-C sent as a signal) close the app as q does, so that the terminal is
        given back as it was; ``run`` then raises ``Interrupted``, and the command exits 128 + its number.
        (Raised inside Textual's event loop instead, the exception would end in a traceback.)"""
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) != signal.SIG_IGN:  # nohup: SIGHUP stays ignored
                loop.add_signal_handler(signum, self.stop_by_signal, signum)

    def stop_by_signal(self, signum: int) -> None:
        self.stopped_by = self.stopped_by or signum
        self.exit()

    def run(self, *args, **kwargs):
        result = super().run(*args, **kwargs)
        if self.stopped_by is not None:
            raise Interrupted(self.stopped_by)
        if self.return_code:  # Textual has shown the exception's traceback and left the screen
            raise AppCrashedError("explore")
        return result

    # -- drawing --------------------------------------------------------------

    def refresh_view(self) -> None:
        """Redraw the panels, once the keys already waiting have been handled (a burst draws once)."""
        if not self.redraw_pending:
            self.redraw_pending = True
            self.call_later(self.redraw)

    def redraw(self) -> None:
        self.redraw_pending = False
        explorer = self.explorer
        state = explorer.state
        nudge = explorer.nudge()
        self.query_one("#expression", Static).update(expression_text(state))
        self.query_one("#variables", Static).update(variables_table(state, explorer.selected))
        self.query_one("#nudge", Static).update(nudge_table(nudge))
        self.query_one("#nudge").border_title = f"nudge {nudge.name} by h" if nudge else "nudge"
        self.query_one("#variables").border_subtitle = (
            f"step {exact(explorer.step)} · lr {exact(explorer.lr)}")
        self.query_one("#trace", TraceView).show(state.trace)
        if self.query_one("#plot").display:
            self.draw_plot()
        message, error = self.status
        status = self.query_one("#status", Static)
        status.update(Text(printable(message)))  # the message may quote what was typed
        status.set_class(error, "error")

    def draw_plot(self) -> None:
        """The plot of f and f' around the selected variable (``Explorer.plot``), sized to the panel."""
        from rich.console import Group

        from ..render.plot import plot_rich

        panel = self.query_one("#plot", Static)
        try:
            curves = self.explorer.plot()
        except GradcliError as error:
            panel.update(Text(str(error)))
            return
        width = max(20, min(100, self.size.width - 14))
        height = max(5, min(20, self.size.height - 22))
        panel.update(Group(*plot_rich(curves, width, height)))
    def say(self, message: str, error: bool = False) -> None:
        """Show what the last key did (or, in red, why it was refused) on the status line."""
        self.status = (message, error)
        self.refresh_view()

    def attempt(self, change, describe) -> None:
        """Apply ``change`` to the explorer; on a GradcliError keep the last valid state and say why."""
        before = self.explorer.state
        try:
            result = change()
        except GradcliError as error:
            # a domain error says the screen still shows the state before the key; limits need no such note
            kept = " (kept the last valid state)" if isinstance(error, DomainError) else ""
            self.say(str(error) + kept, error=True)
            return
        self.refresh_view()
        self.say(describe(before, result))

    # -- actions (one per key) -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """While the editor is open only Esc acts: the other keys type or move in it, and leave the footer."""
        return action == "cancel_edit" or not self.query_one("#editor", Input).display

    def action_select(self, offset: int) -> None:
        self.explorer.select(offset)
        self.refresh_view()

    def action_move(self, direction: int) -> None:
        name = self.explorer.selected_name

        def describe(before: State, _) -> str:
            after = self.explorer.state
            return (f"{name}: {significant(before.value_of(name))} → {significant(after.value_of(name))}    "
                    f"f: {significant(before.value)} → {significant(after.value)}")

        self.attempt(lambda: self.explorer.move(direction), describe)

    def action_scale_step(self, up: int) -> None:
        self.attempt(lambda: self.explorer.scale_step(bool(up)),
                     lambda *_: f"step = {exact(self.explorer.step)}")

    def action_scale_h(self, up: int) -> None:
        self.attempt(lambda: self.explorer.scale_h(bool(up)),
                     lambda *_: f"h = {exact(self.explorer.h)}: watch (f(x+h) - f(x)) / h")

    def action_gradient_step(self, ascent: int) -> None:
        kind, sign = ("ascent", "+=") if ascent else ("descent", "-=")

        def describe(_, values: tuple) -> str:
            before, after = values
            lr = exact(self.explorer.lr)
            return (f"gradient {kind} (each variable {sign} {lr} × its gradient):  "
                    f"f {significant(before)} → {significant(after)}")

        self.attempt(lambda: self.explorer.gradient_step(ascent=bool(ascent)), describe)

    def action_toggle_plot(self) -> None:
        plot, trace = self.query_one("#plot"), self.query_one("#trace")
        plot.display = not plot.display
        trace.display = not plot.display
        if plot.display:
            self.draw_plot()
            name = self.explorer.selected_name
            self.say(f"plot of f and f' around {name}, tangent at its value: ←/→ move it, +/- zoom; p: the trace"
                     if name else "no variable to plot: press e and add one")
        else:
            self.say("the trace again; p shows the plot")

    def action_reset(self) -> None:
        self.attempt(self.explorer.reset, lambda *_: "every variable is back at its starting value")

    def action_edit(self) -> None:
        editor = self.query_one("#editor", Input)
        editor.max_length = max(EDIT_LIMIT, len(self.explorer.text))
        editor.value = self.explorer.text
        editor.overflowed = False
        editor.display = True
        editor.focus()
        self.say("edit the expression: Enter applies it, Esc cancels")

    def action_cancel_edit(self) -> None:
        if self.query_one("#editor", Input).display:
            self.close_editor()
            self.say("edit cancelled; the expression is unchanged")

    def close_editor(self) -> None:
        self.query_one("#editor", Input).display = False
        self.query_one("#edit-error", Static).display = False
        self.set_focus(None)

    def on_expression_editor_overflow(self, event: ExpressionEditor.Overflow) -> None:
        self.say(f"the editor takes at most {event.editor.max_length} characters; the rest was left out",
                 error=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        old_names = self.explorer.names
        try:
            self.explorer.edit(event.value)
        except GradcliError as error:
            problem = self.query_one("#edit-error", Static)
            problem.update(Text("\n".join(error_lines(error))))
            problem.display = True
            return
        self.close_editor()
        self.refresh_view()
        added = [name for name in self.explorer.names if name not in old_names]
        state = self.explorer.state
        starts = ", ".join(f"{name} = {significant(state.value_of(name))}" for name in added)
        note = f"; new variables start at {starts}" if added else ""
        self.say(f"expression changed{note}")

    def action_scroll_trace(self, direction: int) -> None:
        self.query_one("#trace", TraceView).scroll_pages(direction)

    async def action_quit(self) -> None:
        self.exit(self.explorer.command_line(self.reserved))

