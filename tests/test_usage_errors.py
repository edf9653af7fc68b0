"""Usage errors that Typer and Click find, in gradcli's words: `error:` and `hint:`, exit 2, never a box.

Issue 10, item 20: out-of-range values (Typer's `min=`/`max=`), malformed
numbers, bad choices, missing arguments and unknown options were printed in
Typer's boxed usage panel; and `gradcli grad -- "--x" x=1` read "--x" as an option.
"""

from __future__ import annotations

import json

import pytest

from gradcli.cli.common import split_variables

CASES = [
    # (arguments, the error line, the hint line or None)
    (["grad", "x**2", "--x", "1", "--precision", "99"], "error: --precision must lie in 0..15, got 99",
     "hint: gradcli grad -h describes --precision"),
    (["grad", "x**2", "--x", "1", "--precision", "-1"], "error: --precision must lie in 0..15, got -1", None),
    (["check", "x**2", "--x", "1", "--precision", "two"], "error: 'two' is not a whole number for --precision",
     "hint: --precision takes a whole number in 0..15"),
    (["draw", "x", "--x", "1", "-o", "g.svg", "--max-nodes", "0"], "error: --max-nodes must be at least 1, got 0", None),
    (["datasets", "show", "moons", "--width", "3"], "error: --width must lie in 4..500, got 3",
     "hint: gradcli datasets show -h describes --width"),
    (["train", "moons", "--lr", "fast"], "error: 'fast' is not a number for --lr", None),
    (["train", "moons", "--steps", "1.5"], "error: '1.5' is not a whole number for --steps", None),
    (["train", "moons", "--optimizer", "adma"], "error: --optimizer must be one of sgd, momentum, adam; got 'adma'",
     "hint: did you mean adam?"),
    (["train", "moons", "--optimizer", "newton"], "error: --optimizer must be one of sgd, momentum, adam; got 'newton'",
     "hint: gradcli train -h describes --optimizer"),
    (["grad", "x", "--x", "1", "--format", "yaml"], "error: --format must be one of", None),
    (["train", "moons", "--stpes", "100"], "error: gradcli train has no option --stpes", "hint: did you mean --steps?"),
    (["train", "moons", "--bogus", "3"], "error: gradcli train has no option --bogus",
     "hint: gradcli train -h shows the usage"),  # no far-fetched "--log, --loss"
    (["eval", "m.json", "moons", "--foo"], "error: gradcli eval has no option --foo", None),
    (["--bogus"], "error: gradcli has no option --bogus", None),
    (["train", "moons", "--lr"], "error: --lr needs a value: --lr VALUE", "hint: gradcli train -h describes --lr"),
    (["grad", "x", "--x", "1", "--no-trace=yes"], "error: --no-trace takes no value", None),
    (["train", "moons", "extra"], "error: unexpected argument 'extra' for gradcli train",
     "hint: usage: gradcli train [OPTIONS]"),
    (["predict"], "error: gradcli predict needs MODEL: a model saved by gradcli train --save",
     "hint: usage: gradcli predict [OPTIONS]"),
    (["eval", "m.json"], "error: gradcli eval needs DATASET", None),
    (["datasets", "show"], "error: gradcli datasets show needs NAME", None),
    (["tran", "moons"], "error: gradcli has no command 'tran'", "hint: did you mean train?"),
    (["datasets", "shwo", "moons"], "error: gradcli datasets has no command 'shwo'", "hint: did you mean show?"),
]


def check_lines(stderr: str, error: str, hint: str | None) -> None:
    lines = stderr.splitlines()
    assert 1 <= len(lines) <= 2, stderr
    assert lines[0].startswith(error), stderr
    assert len(lines) == 1 or lines[1].startswith("hint: "), stderr
    if hint:
        assert len(lines) == 2 and lines[1].startswith(hint), stderr
    assert "╭" not in stderr and "Usage:" not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("args, error, hint", CASES, ids=[" ".join(case[0]) for case in CASES])
def test_usage_errors_are_one_or_two_lines(cli, args, error, hint):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    check_lines(result.stderr, error, hint)


@pytest.mark.parametrize("fast", ["1", "0"])
def test_the_real_program_reports_them_the_same_way(run_gradcli, fast):
    """As a process, with gradcli's fast option values and with Typer coercing every value itself."""
    for args, error, hint in [CASES[0], CASES[7], CASES[10], CASES[17]]:
        result = run_gradcli(*args, env_extra={"GRADCLI_FAST_PARAMS": fast})
        assert result.returncode == 2, result.stderr
        check_lines(result.stderr, error, hint)


def test_help_and_version_are_not_errors(cli):
    assert cli("--version").exit_code == 0
    result = cli("train", "-h")
    assert result.exit_code == 0 and "--steps" in result.stdout
    bare = cli()  # no command: the help, as before
    assert "Usage" in bare.output and "train" in bare.output


def test_after_double_dash_a_word_is_the_expression_not_an_option(cli):
    result = cli("grad", "--format", "json", "--", "--x", "x=1")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["expression"] == "--x" and document["value"] == 1.0 and document["gradients"] == {"x": 1.0}
    result = cli("check", "--", "--x", "x=2")
    assert result.exit_code == 0, result.output
    assert "f = --x = 2.000000" in result.stdout


@pytest.mark.parametrize("value", ["-inf", "-Infinity", "-nan"])
def test_a_negative_word_for_a_number_is_a_variable_value_not_short_options(cli, value):
    # Click alone reads -inf as -i -n -f, and -f is grad's file option
    result = cli("grad", "x", "--x", value)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: '{value}' is not a finite number for --x: "
                                     "give a value such as 0.5 or -3")


def test_negative_numbers_after_variables_still_reach_them(cli):
    result = cli("grad", "x*y", "--x", "-1e-1", "--y", "-.5", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gradients"] == {"x": -0.5, "y": -0.1}


def test_double_dash_in_split_variables():
    assert split_variables(None, ["--", "--x", "x=1"]) == ("--x", {"x": 1.0})
    assert split_variables("--x", ["1", "--", "-x"]) == ("-x", {"x": 1.0})
    assert split_variables(None, ["x=2", "--", "-x*x"]) == ("-x*x", {"x": 2.0})
