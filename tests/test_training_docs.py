"""docs/training.md runs: every Python block that ends in `# prints:` prints what it says, and every
console block's command prints every line shown (a `…` line stands for lines left out)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

TEXT = (Path(__file__).resolve().parent.parent / "docs" / "training.md").read_text()
PYTHON = [block for block in re.findall(r"```python\n(.*?)```", TEXT, re.S) if "# prints:\n" in block]
CONSOLE = re.findall(r"```console\n(.*?)```", TEXT, re.S)


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_the_page_has_runnable_examples():
    assert len(PYTHON) >= 3 and len(CONSOLE) >= 6


@pytest.mark.parametrize("block", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_examples_print_what_they_say(block, capsys):
    code, _, expected = block.partition("# prints:\n")
    exec(compile(code, "training.md", "exec"), {})
    wanted = [line[2:] for line in expected.splitlines()]
    assert capsys.readouterr().out.splitlines() == wanted


@pytest.mark.parametrize("block", CONSOLE, ids=[f"console-{i}" for i in range(len(CONSOLE))])
def test_console_examples_show_real_output(block, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = re.split(r"^\$ ", block, flags=re.M)[1:]
    for chunk in commands:
        command, *shown = chunk.splitlines()
        result = cli(*shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.stderr)
        output = squeeze(result.stdout + " " + result.stderr)
        for line in shown:
            if line.strip() and line.strip() != "…":
                assert squeeze(line) in output, (command, line)
