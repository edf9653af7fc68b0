"""The docs and the help texts stay true to the app.

- docs/cli.md has a section for every command and names every one of its options;
- every command's --help ends with two or three examples, and each example runs;
- every row of docs/errors.md is a real command producing that message and exit status;
- the README's set-up commands are the ones .ci/run runs.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import typer

from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOCS = (ROOT / "docs" / "cli.md").read_text()


def commands(command=None, path=()):
    """(path, click command) for every command and sub-command of the app."""
    command = command or typer.main.get_command(app)
    subcommands = getattr(command, "commands", None)
    if subcommands:
        if path:
            yield path, command
        for name, sub in subcommands.items():
            yield from commands(sub, path + (name,))
    else:
        yield path, command


ALL = list(commands())
IDS = [" ".join(path) for path, _ in ALL]


def section(path: tuple) -> str:
    """The text of `## gradcli <first word>` in docs/cli.md (sub-commands live in their group's section)."""
    match = re.search(rf"^## gradcli {path[0]}\n(.*?)(?=^## |\Z)", CLI_DOCS, re.S | re.M)
    assert match, f"docs/cli.md has no section '## gradcli {path[0]}'"
    return match.group(1)


def test_every_command_is_covered():
    assert {path[0] for path, _ in ALL} >= {"grad", "check", "draw", "train", "predict", "eval", "datasets", "explore"}


@pytest.mark.parametrize("path, command", ALL, ids=IDS)
def test_every_option_is_documented(path, command):
    text = section(path)
    if len(path) > 1:
        assert f"gradcli {' '.join(path)}" in text, f"docs/cli.md does not show `gradcli {' '.join(path)}`"
    for param in command.params:
        for option in param.opts + param.secondary_opts:
            if option.startswith("--") and option != "--help":
                documented = re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)
                assert documented, f"{option} of gradcli {' '.join(path)} is not in docs/cli.md"


def examples(command) -> list[str]:
    lines = [line.strip() for line in (command.epilog or "").splitlines()]
    # an example may carry a note after two spaces and a parenthesis: "gradcli draw model.json -o net.svg  (...)"
    return [re.split(r"\s{2,}\(", line)[0] for line in lines if line.startswith("gradcli ")]


@pytest.fixture
def sandbox(tmp_path, monkeypatch, cli):
    """A folder with the files the examples and the error catalogue name."""
    monkeypatch.chdir(tmp_path)
    assert cli("train", "moons", "--steps", "3", "--quiet", "--save", "model.json").exit_code == 0
    model = json.loads(Path("model.json").read_text())
    for name, change in (("future.json", {"version": 99}), ("wrongformat.json", {"format": "other"})):
        Path(name).write_text(json.dumps({**model, **change}))
    model["layers"][0]["weights"][0] = [1.0]
    Path("badshape.json").write_text(json.dumps(model))
    assert cli("train", "spiral", "--steps", "3", "--quiet", "--save", "spiral.json").exit_code == 0
    Path("corrupt.json").write_text('{"format": "gradcli.mlp", "version')
    Path("words.csv").write_text("x1,x2,y\n1,2,0\n3,abc,1\n")
    Path("ragged.csv").write_text("x1,x2,y\n1,2,0\n3,4\n")
    Path("empty.csv").write_text("")
    Path("oneclass.csv").write_text("x1,y\n1,1\n2,1\n3,1\n")
    Path("points.csv").write_text("x1,x2\n0.5,-0.2\n1.5,-0.4\n")
    Path("separators.csv").write_text("x1,x2,y\n1,2,0\n1_000,4,1\n")
    Path("deep.json").write_text("[" * 100_000 + "]" * 100_000)
    Path("bigint.json").write_text(re.sub(r"-?\d+\.\d+", "9" * 400, Path("model.json").read_text(), count=1))
    Path("onelabel.json").write_text(json.dumps({**json.loads(Path("model.json").read_text()), "class_labels": [1]}))
    import numpy as np
    from numpy.lib import format as npy

    with open("huge.npy", "wb") as stream:  # the header of a 10^8-entry array, without its 800 MB of data
        npy.write_array_header_1_0(stream, {"descr": "<f8", "fortran_order": False, "shape": (10_000, 10_000)})
    np.save("pickle.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    Path("data").mkdir()
    Path("data/test.csv").write_text("x1,x2,y\n0.0,1.0,0\n1.0,-0.5,1\n-1.0,0.5,0\n2.0,0.0,1\n")
    return tmp_path


@pytest.mark.parametrize("path, command", ALL, ids=IDS)
def test_help_ends_with_examples_that_run(path, command, cli, sandbox):
    name = " ".join(path)
    help_text = cli(*path, "--help").stdout
    found = examples(command)
    assert 2 <= len(found) <= 3, f"gradcli {name} --help should end with 2 or 3 examples"
    assert "Examples:" in help_text and all(example in help_text for example in found)
    for example in found:
        assert example.startswith(f"gradcli {name} ")or example == f"gradcli {name}", example
        result = cli(*shlex.split(example)[1:])
        if path in (("explore",), ("playground",)):  # a full-screen app: without a terminal it explains and stops
            assert result.exit_code == 2 and "terminal" in result.stderr, result.output
            continue
        assert result.exit_code == 0, (example, result.output)
        assert result.stdout.strip() or "wrote" in result.stderr or "saved" in result.stderr, example


@pytest.mark.parametrize("path, command", ALL, ids=IDS)
def test_help_texts_lose_no_words_to_rich_markup(path, command):
    """--help is rendered as Rich markup: "[default: 4 ...]" in a help text would be taken for a style and vanish."""
    from rich.text import Text

    for param in command.params:
        text = getattr(param, "help", None) or ""
        assert Text.from_markup(text).plain == text.replace("\\[", "["), f"{param.opts}: {text!r}"


ERROR_ROWS = re.findall(r"^\| `(gradcli [^`]+)` \| (\d) \| `([^`]+)` \|$", (ROOT / "docs" / "errors.md").read_text(), re.M)


def test_the_error_catalogue_is_not_empty():
    assert len(ERROR_ROWS) >= 30


@pytest.mark.parametrize("command, status, message", ERROR_ROWS, ids=[row[0] for row in ERROR_ROWS])
def test_documented_errors_are_real(command, status, message, cli, sandbox):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == int(status), (command, result.output)
    assert message in " ".join(result.stderr.split()), (command, result.stderr)
    lines = result.stderr.splitlines()
    errors = [index for index, line in enumerate(lines) if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    after = [line for line in lines[errors[0] + 1:] if line.strip() and not line.startswith("  ")]  # not a caret
    assert len(after) <= 1 and all(line.startswith("hint: ") for line in after), result.stderr
    assert "Usage:" not in result.stderr and "╭" not in result.stderr  # never Typer's boxed usage panel
    assert "Traceback" not in result.output


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    install = re.search(r"<!-- ci:install -->\n```bash\n(.+)\n```", readme).group(1)
    tests = re.search(r"<!-- ci:test -->\n```bash\n(.+)\n```", readme).group(1)
    assert "pip install" in install and "gradcli train moons" in install
    assert "pip install" in tests and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command install" in ci and "readme_command test" in ci


# -- docs/expressions.md: every example table and command runs --------------------------------------

EXPRESSIONS = (ROOT / "docs" / "expressions.md").read_text()


def marked_rows(kind: str) -> list:
    """The rows of every table between ``<!-- examples:KIND -->`` and ``<!-- examples:end -->``, as cells."""
    rows = []
    for block in re.findall(rf"<!-- examples:{kind} -->\n(.*?)<!-- examples:end -->", EXPRESSIONS, re.S):
        for line in block.strip().splitlines()[2:]:  # after the header and the rule
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def code(cell: str) -> str:
    """The first `code` span of a table cell."""
    return re.search(r"`([^`]+)`", cell).group(1)


def point(cell: str) -> dict:
    return {name.strip(): float(value) for name, value in (pair.split("=") for pair in cell.split(",") if pair)}


READ = marked_rows("read")
REFUSED = marked_rows("refused")


def test_the_expression_examples_are_there():
    assert len(READ) >= 20 and len(REFUSED) >= 12


@pytest.mark.parametrize("written, read_as, at, value", READ, ids=[row[0] for row in READ])
def test_each_notation_reads_as_documented(written, read_as, at, value):
    from gradcli.autograd.expr import parse

    values = point(at)
    constants = [name for name in ("e", "pi") if name in values]  # as the CLI does when they are given
    got = parse(code(written), variables=constants).value_at(values)
    assert got == pytest.approx(float(value), rel=1e-8, abs=1e-12), written
    assert parse(code(read_as), variables=constants).value_at(values) == pytest.approx(got, rel=1e-12)


@pytest.mark.parametrize("written, message, hint", REFUSED, ids=[row[0] for row in REFUSED])
def test_each_refused_notation_says_where_and_how(written, message, hint):
    from gradcli.autograd.expr import parse
    from gradcli.errors import ExprError

    with pytest.raises(ExprError) as info:
        parse(code(written))
    assert code(message) in info.value.message
    if hint:
        assert info.value.hint == code(hint)
    assert info.value.column is not None and info.value.caret_lines()


ARRAYS = marked_rows("arrays")


def array_point(cell: str) -> dict:
    """``M=[[1,2],[3,4]]; x=[2,1]; b=0.5``: each value a number or a list (JSON)."""
    return {name.strip(): json.loads(value) for name, value in (pair.split("=") for pair in cell.split(";"))}


def test_the_array_examples_are_there():
    assert len(ARRAYS) >= 8


@pytest.mark.parametrize("written, at, value", ARRAYS, ids=[row[0] for row in ARRAYS])
def test_each_array_example_has_its_value(written, at, value):
    from gradcli.autograd.expr import parse

    assert parse(code(written)).value_at(array_point(at)) == pytest.approx(float(value), rel=1e-9)


STATEMENT_RULES = re.findall(r"^\| (`[^|]+`(?: with `[^`]+`)?|a million statements) \| `([^`]+)` \|$",
                             EXPRESSIONS[EXPRESSIONS.index("## Named steps"):EXPRESSIONS.index("## Functions")], re.M)


@pytest.mark.parametrize("written, message", STATEMENT_RULES, ids=[row[0] for row in STATEMENT_RULES])
def test_each_statement_rule_is_a_clear_usage_error(written, message, cli):
    if written == "a million statements":
        from gradcli.autograd.expr import parse
        from gradcli.errors import ExprError

        with pytest.raises(ExprError, match=re.escape(message)):
            parse(";".join(f"a{i}=1" for i in range(1_000_000)))
        return
    expression = code(written)
    options = shlex.split(re.search(r" with `([^`]+)`", written).group(1)) if " with " in written else []
    result = cli("grad", expression, "--x", "1", *options)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_the_statement_rules_table_is_read():
    assert len(STATEMENT_RULES) >= 10


EXPRESSION_COMMANDS = re.findall(r"^(gradcli (?:grad|check|draw|explore) .+)$",
                                 "\n".join(re.findall(r"```bash\n(.*?)```", EXPRESSIONS, re.S)), re.M)


@pytest.mark.parametrize("command", EXPRESSION_COMMANDS)
def test_the_commands_in_expressions_md_run(command, cli):
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, (command, result.output)


def test_the_program_file_in_expressions_md_runs(cli, tmp_path):
    program = re.search(r"```text\n(# micrograd's neuron.*?)```", EXPRESSIONS, re.S).group(1)
    (tmp_path / "neuron.txt").write_text(program)
    result = cli("grad", "-f", str(tmp_path / "neuron.txt"), "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1",
                 "--b", "6.8813735870195432", "--format", "json")
    document = json.loads(result.stdout)
    assert document["output"] == "o"
    assert document["gradients"] == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})
