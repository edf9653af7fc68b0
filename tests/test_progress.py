"""The training display keeps up with the tensor engine: lines are formatted when drawn, not at every step."""

from __future__ import annotations

import io

from rich.console import Console

from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.train import train
from gradcli.render import progress as progress_module
from gradcli.render.progress import MAP_REDRAW_SECONDS, REFRESH_PER_SECOND, make_progress
from gradcli.render.train import LIVE_MAP_SIZE, decision_picture


def counted(monkeypatch) -> list:
    calls = []
    original = progress_module.step_line

    def step_line(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(progress_module, "step_line", step_line)
    return calls


def test_the_live_display_draws_a_few_times_a_second_whatever_the_step_rate(monkeypatch):
    lines, maps = counted(monkeypatch), []
    run = prepare_run("moons", DataOptions(), layers=[16, 16, 1], steps=2000)

    def draw_map():
        maps.append(1)
        return decision_picture(run, *LIVE_MAP_SIZE)

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    display = make_progress(terminal, steps=run.steps, metric_name="accuracy", quiet=False, draw_map=draw_map)
    with display:
        result = train(run.model, run.data, run.config, on_step=display.on_step)
    assert result.steps_done == 2000
    redraws = result.seconds * REFRESH_PER_SECOND
    assert len(lines) <= redraws + 3  # was: one line formatted per step
    assert len(maps) <= result.seconds / MAP_REDRAW_SECONDS + 3  # the first, every 0.25 s, the last
    assert "step 2000/2000" in screen.getvalue()  # the final state is drawn


def test_plain_lines_are_formatted_only_when_written_and_keep_the_held_out_numbers(monkeypatch):
    lines = counted(monkeypatch)
    written = []
    run = prepare_run("moons", DataOptions(test_split=0.2), layers=[8, 1], steps=200, eval_every=7)
    display = make_progress(Console(file=io.StringIO()), steps=200, metric_name="accuracy", quiet=False)
    display.write = written.append
    with display:
        train(run.model, run.data, run.config, on_step=display.on_step)
    assert len(written) == len(lines) == 11  # step 1, then every 20th of 200 steps (one line a 10%)
    assert all(" test loss " in line for line in written)  # as last evaluated, even between evaluations
