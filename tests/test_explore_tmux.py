"""`gradcli explore` in a real terminal: tmux runs it, we send keys and read the screen (tests/realterm).

Skips when tmux is not installed (``apt-get install tmux``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from realterm import TMUX_NEEDED, Terminal, gradcli_command

pytestmark = TMUX_NEEDED

WIDTH, HEIGHT = 100, 36


def explore(*args: str) -> str:
    """The shell command that runs this checkout's gradcli explore in the pane."""
    return gradcli_command("explore", *args)


def test_nudge_descend_and_quit_in_a_real_terminal():
    terminal = Terminal(explore("(x-3)**2", "--x", "0"), WIDTH, HEIGHT)
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


def test_every_key_of_the_footer_fits_in_80_columns():
    terminal = Terminal(explore("(x-3)**2", "--x", "0"), 80, 24)
    try:
        screen = terminal.wait_for("nudge x by h", "e edit", timeout=30)
        footer = screen.rstrip().splitlines()[-1]
        assert footer.endswith("q quit"), footer
    finally:
        terminal.close()


def test_a_domain_error_and_a_bad_edit_do_not_end_the_app():
    terminal = Terminal(explore("log(x)", "--x", "0.1"), WIDTH, HEIGHT)
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
    terminal = Terminal(explore("(x-3)**2", "--x", "0"), WIDTH, HEIGHT)
    try:
        terminal.wait_for("f = (x-3)**2 = 9")
        terminal.keys("e")
        terminal.wait_for("Enter applies it")
        terminal.tmux("send-keys", "-t", terminal.name, "-l", "+x" * 3000)
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
    terminal = Terminal(explore("(x-3)**2", "--x", "0"), WIDTH, HEIGHT)
    try:
        terminal.wait_for("f = (x-3)**2 = 9")
        shell = terminal.tmux("list-panes", "-t", terminal.name, "-F", "#{pane_pid}").strip()
        app = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()[0]
        subprocess.run(["kill", f"-{signal_name}", app], check=True, timeout=30)
        screen = terminal.wait_for(f"EXIT={status}")
        name = {"INT": "Ctrl-C"}.get(signal_name, f"SIG{signal_name}")
        assert f"interrupted ({name}); any file being written was left as it was\nEXIT={status}" in screen
        assert "Traceback" not in screen and "nudge x by h" not in screen
        assert terminal.tmux("display", "-p", "-t", terminal.name, "#{alternate_on}").strip() == "0"
    finally:
        terminal.close()
