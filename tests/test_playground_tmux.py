"""`gradcli playground xor` in a real terminal, at 80x24 and 200x60: tmux runs it, we press keys and read the screen.

Press space, let it train, pause, and check on the captured screen that the loss
fell and the decision map changed; w writes the model, q prints the
``gradcli train`` command.  Skips when tmux is not installed (tests/realterm).
"""

from __future__ import annotations

import re
import time

import pytest

from gradcli.learn.modelfile import load_model
from realterm import TMUX_NEEDED, Terminal, gradcli_command

pytestmark = TMUX_NEEDED

MAP_COLUMNS = 30  # the right-hand columns of the screen: the output panel (the decision map), at any size
STATUS = re.compile(r"(‖ paused|▶ playing) step ([\d,]+)\S* .*?loss (\S+) train, (\S+) test")


def status(screen: str) -> tuple[str, int, float, float]:
    """(playing or paused, step, training loss, test loss) from the status line."""
    match = STATUS.search(screen.splitlines()[0])
    assert match, f"no status line on the screen:\n{screen}"
    return match.group(1), int(match.group(2).replace(",", "")), float(match.group(3)), float(match.group(4))


def step_shown(screen: str) -> int:
    """The step on the status line, or -1 while there is none (the screen may be caught mid-redraw)."""
    match = STATUS.search(screen.splitlines()[0]) if screen.strip() else None
    return int(match.group(2).replace(",", "")) if match else -1


def map_region(terminal: Terminal, height: int) -> str:
    """The upper right of the screen, where the decision map is drawn (the loss curves are below it)."""
    lines = terminal.raw_screen().splitlines()[1:height // 2]
    return "\n".join(line.ljust(terminal.width)[-MAP_COLUMNS:] for line in lines)


@pytest.mark.parametrize("width, height", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_space_trains_xor_and_q_prints_the_command(width, height, tmp_path):
    model = tmp_path / "xor-model.json"
    terminal = Terminal(gradcli_command("playground", "xor", "--save", str(model)), width, height, "playground")
    try:
        screen = terminal.wait_for("‖ paused step 0", "space plays", "○ held out")  # the first frame is drawn
        _, _, first_train, first_test = status(screen)
        before = map_region(terminal, height)
        assert "●" in screen and "○" in screen  # training and held-out points on the map

        terminal.keys("Space")
        terminal.wait_for("▶ playing")
        terminal.wait_until(lambda screen: step_shown(screen) >= 1000, "step 1,000 or later", timeout=60)
        terminal.keys("Space")
        screen = terminal.wait_for("‖ paused")
        state, step, train_loss, test_loss = status(screen)
        for _ in range(50):  # the status line shows "paused" at once, then the step training stopped at
            time.sleep(0.3)
            now = status(terminal.screen())
            if now[1] == step:
                break
            state, step, train_loss, test_loss = now
        assert state == "‖ paused" and step >= 1000
        assert train_loss < 0.5 * first_train and test_loss < 0.5 * first_test, screen  # it learned xor
        assert map_region(terminal, height) != before  # the decision map moved

        terminal.keys("w")
        screen = terminal.wait_for("wrote the model of step")
        assert load_model(str(model)).meta["steps_done"] == step

        terminal.keys("q")
        terminal.wait_for("EXIT=0")
        screen = terminal.raw_screen(joined=True)
        assert re.search(rf"^gradcli train xor --samples 500 --noise 0 --test-split 0.5 --features x,y --layers "
                         rf"4,2,1:tanh .* --seed 1337 --steps {step}\nEXIT=0$", screen, re.M), screen
        assert "space plays" not in screen  # the app has left the screen
    finally:
        terminal.close()


def test_a_terminal_too_small_says_so_and_q_still_quits():
    terminal = Terminal(gradcli_command("playground", "xor"), 60, 20, "playground")
    try:
        screen = terminal.wait_for("The playground needs a terminal")
        assert "needs a terminal of at least 80 x 24 characters; this one is 60 x 20" in " ".join(screen.split())
        terminal.keys("q")
        terminal.wait_for("EXIT=0")
        screen = terminal.raw_screen(joined=True)
        assert "gradcli train xor --samples 500" in screen and "--steps 0\nEXIT=0" in screen
        assert "Traceback" not in screen
    finally:
        terminal.close()
