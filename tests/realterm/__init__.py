"""A real terminal for the tests of the full-screen apps: tmux runs a command, the test sends keys and reads the screen.

Each ``Terminal`` has its own tmux server (``-L``), so it neither sees nor disturbs
other sessions; ``close`` kills it (call it in ``finally``).  Tests skip when tmux
is not installed: ``pytestmark = TMUX_NEEDED``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

__all__ = ["Terminal", "TMUX_NEEDED", "gradcli_command"]

TMUX_NEEDED = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (apt-get install tmux); it runs the full-screen apps in a real terminal",
)


def gradcli_command(*args: str) -> str:
    """The shell command that runs this checkout's gradcli with ``args``."""
    return " ".join(shlex.quote(part) for part in (sys.executable, "-m", "gradcli", *args))


class Terminal:
    """One tmux server with one session of a fixed size, running a shell command."""

    def __init__(self, command: str, width: int, height: int, name: str = "app"):
        self.socket = f"gradcli-test-{os.getpid()}-{time.monotonic_ns()}"
        self.name, self.width, self.height = name, width, height
        # the shell keeps the pane open after the app exits, so what it printed can be read;
        # COLUMNS and LINES may be inherited with stale values, and Textual would believe them
        script = f"unset COLUMNS LINES; {command}; echo EXIT=$?; sleep 120"
        self.tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), script)

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def raw_screen(self, joined: bool = False) -> str:
        """What the pane shows, as it shows it (``joined``: lines the terminal wrapped made whole again)."""
        return self.tmux("capture-pane", "-p", *(["-J"] if joined else []), "-t", self.name)

    def screen(self) -> str:
        """What the pane shows, with runs of spaces made one (column widths depend on the size)."""
        return re.sub(" +", " ", self.raw_screen())

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, *texts: str, timeout: float = 30) -> str:
        """Poll the screen until every text is on it; fail with the last screen if not."""
        return self.wait_until(lambda screen: all(text in screen for text in texts), f"{texts!r}", timeout)

    def wait_until(self, holds: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        """Poll the screen until ``holds(screen)``; fail with ``what`` and the last screen if not.

        For conditions on a number that changes faster than the screen is read (a step
        counter may pass 1,000 to 1,999 between two reads), test the number, not its text.
        """
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if holds(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what} on the screen:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)
