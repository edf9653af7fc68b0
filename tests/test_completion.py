"""Shell completion, as Typer provides it: the script, and real completions from it."""

from __future__ import annotations

import os
import subprocess
import sys


def gradcli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, timeout=60,
                          env=env)


def test_show_completion_prints_a_bash_script():
    done = gradcli("--show-completion", "bash")
    assert done.returncode == 0
    assert "complete" in done.stdout and "_GRADCLI_COMPLETE" in done.stdout.upper()


def test_completion_offers_commands_and_options():
    # what bash asks when the user types `gradcli tr<TAB>` and `gradcli train --st<TAB>`
    commands = gradcli(env_extra={"_GRADCLI_COMPLETE": "complete_bash", "COMP_WORDS": "gradcli tr", "COMP_CWORD": "1"})
    assert commands.stdout.split() == ["train"]
    options = gradcli(env_extra={"_GRADCLI_COMPLETE": "complete_bash", "COMP_WORDS": "gradcli train --st",
                                 "COMP_CWORD": "2"})
    assert {"--steps", "--standardize"} <= set(options.stdout.split())
