"""Shell completion, as Typer provides it: the script, and real completions from it.

Nothing here depends on the shell that started pytest (or on there being one: CI may
run detached). Completions are asked for the way the installed script asks, with the
shell named in ``_GRADCLI_COMPLETE``; ``--show-completion`` detects the shell from its
parent processes, so it is run from a bash started here, as a user runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

BASH = shutil.which("bash")


def gradcli(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, timeout=60,
                          env=env)


def bash_script() -> str:
    """The completion script for bash, the shell named explicitly (what `eval "$(...)"` would load)."""
    done = gradcli(env_extra={"_GRADCLI_COMPLETE": "source_bash"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_bash_script_calls_gradcli_back_for_completions():
    script = bash_script()
    assert "complete -o default -F _gradcli_completion gradcli" in script
    assert "_GRADCLI_COMPLETE=complete_bash" in script


@pytest.mark.skipif(BASH is None, reason="bash is not installed: --show-completion is tested from a bash")
def test_show_completion_prints_the_script_for_the_shell_it_runs_in():
    # `; exit $?` keeps bash alive as the parent (bash would otherwise exec the last command in its place)
    command = f'"$0" -m gradcli --show-completion; exit $?'
    done = subprocess.run([BASH, "-c", command, sys.executable], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == bash_script().strip()


def test_completion_offers_commands_and_options():
    # what bash asks when the user types `gradcli tr<TAB>` and `gradcli train --st<TAB>`
    commands = gradcli(env_extra={"_GRADCLI_COMPLETE": "complete_bash", "COMP_WORDS": "gradcli tr", "COMP_CWORD": "1"})
    assert commands.stdout.split() == ["train"]
    options = gradcli(env_extra={"_GRADCLI_COMPLETE": "complete_bash", "COMP_WORDS": "gradcli train --st",
                                 "COMP_CWORD": "2"})
    assert {"--steps", "--standardize"} <= set(options.stdout.split())


def test_completion_offers_the_choices_of_an_option():
    done = gradcli(env_extra={"_GRADCLI_COMPLETE": "complete_bash", "COMP_WORDS": "gradcli draw x --rankdir T",
                              "COMP_CWORD": "4"})
    assert done.stdout.split() == ["TB"]
