"""`gradcli explore` in a real terminal: tmux runs it, we send keys and read the screen.

Skips when tmux is not installed (``apt-get install tmux``).  Each test uses
its own tmux server (``-L``), so it neither sees nor disturbs other sessions,
and kills it in ``finally``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (apt-get install tmux); it runs explore in a real terminal",
)

WIDTH, HEIGHT = 100, 36


class Terminal:
    """One tmux server with one session of a fixed size, running a shell command."""

    def __init__(self, command: str):
        self.socket = f"gradcli-test-{os.getpid()}-{time.monotonic_ns()}"
        # the shell keeps the pane open after the app exits, so what it printed can be read;
        # COLUMNS and LINES may be inherited with stale values, and Textual would believe them
        script = f"unset COLUMNS LINES; {command}; echo EXIT=$?; sleep 120"
        self.tmux("new-session", "-d", "-s", "explore", "-x", str(WIDTH), "-y", str(HEIGHT), script)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        """What the pane shows, with runs of spaces made one (column widths depend on the size)."""
        return re.sub(" +", " ", self.tmux("capture-pane", "-p", "-t", "explore"))

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "explore", *keys)

    def wait_for(self, *texts: str, timeout: float = 30) -> str:
        """Poll the screen until every text is on it; fail with the last screen if not."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {texts!r} on the screen:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def explore(*args: str) -> str:
    """The shell command that runs this checkout's gradcli explore in the pane."""
    return " ".join(shlex.quote(part) for part in (sys.executable, "-m", "gradcli", "explore", *args))


def test_nudge_descend_and_quit_in_a_real_terminal():
    terminal = Terminal(explore("(x-3)**2", "--x", "0"))
    try:
        screen = terminal.wait_for("f = (x-3)**2 = 9", "nudge x by h", "q quit")
        assert "(f(x+h) - f(x)) / h -5.999" in screen  # (8.994001 - 9) / 0.001
        assert "autograd df/dx -6" in screen

        terminal.keys("Right")
        screen = terminal.wait_for("f = (x-3)**2 = 8.41")
        assert "x: 0 → 0.1 f: 9 → 8.41" in screen
        assert "f(x+h) 8.404201" in screen

        terminal.keys("h")  # h / 10: the quotient moves toward -5.8
        screen = terminal.wait_for("h = 0.0001")
        assert "(f(x+h) - f(x)) / h -5.7999" in screen

        terminal.keys("g")  # x = 0.1 - 0.1 * (-5.8) = 0.68
        screen = terminal.wait_for("f 8.41 → 5.3824")
        assert "f = (x-3)**2 = 5.3824" in screen
        assert "│ ▶ x 0.68 -4.64 │" in screen  # the selected row: value and gradient 2*(x-3)

        terminal.keys("q")
        screen = terminal.wait_for("EXIT=0")
        # the screen rounds x to 0.68; the command line keeps every digit of the float
        assert 'gradcli grad "(x-3)**2" --x 0.6799999999999999\nEXIT=0' in screen
        assert "nudge x by h" not in screen  # the app has left the screen
    finally:
        terminal.close()


def test_a_domain_error_and_a_bad_edit_do_not_end_the_app():
    terminal = Terminal(explore("log(x)", "--x", "0.1"))
    try:
        terminal.wait_for("f = log(x)")
        terminal.keys("Left")
        screen = terminal.wait_for("kept the last valid state")
        assert "log(x): argument is 0, log needs a positive number" in screen
        assert "f = log(x) = -2.302585093" in screen

        terminal.keys("e")
        terminal.wait_for("Enter applies it, Esc cancels")
        terminal.keys("End", " +", "Enter")
        screen = terminal.wait_for("error: unexpected end of expression")
        terminal.keys("Escape")
        terminal.wait_for("edit cancelled")

        terminal.keys("q")
        screen = terminal.wait_for("EXIT=0")
        assert 'gradcli grad "log(x)" --x 0.1' in screen
    finally:
        terminal.close()


def test_a_6000_character_paste_typed_into_the_editor_is_cut_and_the_app_answers():
    """A terminal without bracketed paste types a paste in key by key (issue 10, item 13: 7-19 s frozen)."""
    terminal = Terminal(explore("(x-3)**2", "--x", "0"))
    try:
        terminal.wait_for("f = (x-3)**2 = 9")
        terminal.keys("e")
        terminal.wait_for("Enter applies it")
        terminal.tmux("send-keys", "-t", "explore", "-l", "+x" * 3000)
        terminal.wait_for("the editor takes at most 1000 characters", timeout=60)
        terminal.keys("Escape")
        terminal.wait_for("edit cancelled", timeout=60)
        terminal.keys("q")
        screen = terminal.wait_for("EXIT=0")
        assert 'gradcli grad "(x-3)**2" --x 0' in screen
    finally:
        terminal.close()


@pytest.mark.parametrize("signal_name, status", [("TERM", 143), ("HUP", 129), ("INT", 130)])
def test_a_stop_signal_closes_the_app_and_gives_the_terminal_back(signal_name, status):
    """`kill` (or a closing terminal) while explore runs: the app leaves the screen as q does, no traceback."""
    terminal = Terminal(explore("(x-3)**2", "--x", "0"))
    try:
        terminal.wait_for("f = (x-3)**2 = 9")
        shell = terminal.tmux("list-panes", "-t", "explore", "-F", "#{pane_pid}").strip()
        app = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()[0]
        subprocess.run(["kill", f"-{signal_name}", app], check=True, timeout=30)
        screen = terminal.wait_for(f"EXIT={status}")
        name = {"INT": "Ctrl-C"}.get(signal_name, f"SIG{signal_name}")
        assert f"interrupted ({name}); any file being written was left as it was\nEXIT={status}" in screen
        assert "Traceback" not in screen and "nudge x by h" not in screen
        assert terminal.tmux("display", "-p", "-t", "explore", "#{alternate_on}").strip() == "0"
    finally:
        terminal.close()
