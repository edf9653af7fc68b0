"""Named steps: one node per bound name, names in every output, --output, -f FILE, e/pi as variables."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from gradcli.autograd.expr import parse
from gradcli.autograd.trace import trace
from gradcli.errors import ExprError, UsageError

NEURON_VALUES = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
NEURON_ARGS = [arg for name, value in NEURON_VALUES.items() for arg in (f"--{name}", repr(value))]
NEURON = "n = x1*w1 + x2*w2 + b; e = exp(2*n); o = (e - 1)/(e + 1)"
NEURON_ONE_LINE = "(exp(2*(x1*w1 + x2*w2 + b)) - 1)/(exp(2*(x1*w1 + x2*w2 + b)) + 1)"
SEED_001 = "z = w1*x1 + w2*x2; u = w1**2 + w2**2; R = 0.5*u; G = sigmoid(z); f = G + R"
SEED_001_VALUES = ["--w1", "0.2", "--w2", "0.4", "--x1", "-0.4", "--x2", "0.5"]


def test_micrograd_neuron_as_statements_shares_n_and_e():
    """micrograd's tanh through exp: each bound name is one node, the gradients are the published ones."""
    steps = parse(NEURON).evaluate(NEURON_VALUES)
    steps.backward()
    one_line = parse(NEURON_ONE_LINE).evaluate(NEURON_VALUES)
    one_line.backward()
    assert steps.gradients() == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})
    assert one_line.gradients() == pytest.approx(steps.gradients())
    assert steps.output.data == pytest.approx(0.7071067811865476)
    assert (len(steps.nodes()), len(one_line.nodes())) == (17, 24)
    assert [sum(1 for n in g.nodes() if n.inputs) for g in (steps, one_line)] == [9, 15]
    e = next(node for node in steps.nodes() if steps.name_of(node) == "e")
    users = [node for node in steps.nodes() if any(child is e for child in node.inputs)]
    assert [node.label for node in users] == ["e - 1", "e + 1"]  # one node, two edges out
    assert e.grad == pytest.approx(sum(u.grad * 1.0 for u in users))


def test_the_drawing_of_the_statements_is_smaller(tmp_path):
    from gradcli.pictures.graph import expression_drawing

    sizes = []
    for text in (NEURON, NEURON_ONE_LINE):
        graph = parse(text).evaluate(NEURON_VALUES)
        graph.backward()
        sizes.append(expression_drawing(graph).nodes)
    assert sizes == [26, 39]


def test_the_backward_trace_shows_each_use_as_its_own_row():
    graph = parse(NEURON).evaluate(NEURON_VALUES)
    graph.backward()
    steps = trace(graph.output, graph.variables, graph.names)
    into_e = [c for step in steps.backward for c in step.contributions if c.input_name == "e"]
    assert len(into_e) == 2
    e = next(s for s in steps.forward if s.name == "e")
    assert e.label == "exp(2*n)" and sum(c.contribution for c in into_e) == pytest.approx(e.grad)


def test_seed_001_markdown_table_with_the_seeds_own_names(cli):
    result = cli("grad", SEED_001, *SEED_001_VALUES, "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "f = `G + R` = 0.6300"
    assert lines[1] == "where `z = w1*x1 + w2*x2; u = w1**2 + w2**2; R = 0.5*u; G = sigmoid(z)`"
    for row in ("| w1 | input | 0.2000 | 0.1004 |", "| w2 | input | 0.4000 | 0.5246 |",
                "| x1 | input | -0.4000 | 0.0498 |", "| x2 | input | 0.5000 | 0.0996 |",
                "| z | `t1 + t2` | 0.1200 | 0.2491 |", "| u | `t3 + t4` | 0.2000 | 0.5000 |",
                "| R | `0.5 * u` | 0.1000 | 1.0000 |", "| G | `sigmoid(z)` | 0.5300 | 1.0000 |",
                "| f | `G + R` | 0.6300 | 1.0000 |"):
        assert row in lines, row


def test_seed_001_as_pasted_with_unicode_reads_the_same(cli, tmp_path):
    """The seed's own notation, in a file with a comment: σ, subscripts, superscripts, 0.5u."""
    (tmp_path / "seed.txt").write_text("# f = σ(w₁x₁ + w₂x₂) + 0.5(w₁² + w₂²)\nz = w₁x₁ + w₂x₂\nu = w₁² + w₂²\n"
                                       "R = 0.5u\nG = σ(z)\nf = G + R\n")
    typed = json.loads(cli("grad", SEED_001, *SEED_001_VALUES, "--format", "json").stdout)
    pasted = json.loads(cli("grad", "-f", str(tmp_path / "seed.txt"), *SEED_001_VALUES, "--format", "json").stdout)
    assert pasted["gradients"] == typed["gradients"]
    assert [n["name"] for n in pasted["nodes"]] == [n["name"] for n in typed["nodes"]]


def test_names_in_json_csv_and_tables(cli):
    document = json.loads(cli("grad", NEURON, *NEURON_ARGS, "--format", "json").stdout)
    assert document["output"] == "o"
    named = {node["name"]: node["label"] for node in document["nodes"] if node["name"]}
    assert named == {"x1": "x1", "w1": "w1", "x2": "x2", "w2": "w2", "b": "b", "n": "x1*w1 + x2*w2 + b",
                     "e": "exp(2*n)", "o": "(e - 1)/(e + 1)"}
    first = document["backward"][0]
    assert first["name"] == "o" and [c["input_label"] for c in first["contributions"]] == ["e - 1", "e + 1"]
    rows = list(csv.DictReader(io.StringIO(cli("grad", NEURON, *NEURON_ARGS, "--format", "csv").stdout)))
    assert [r["name"] for r in rows if r["name"]][-3:] == ["n", "e", "o"]
    table = cli("grad", NEURON, *NEURON_ARGS).stdout
    assert "o = (e - 1)/(e + 1) = 0.7071" in table and "where n = x1*w1 + x2*w2 + b; e = exp(2*n)" in table
    assert " e = exp(2*n) " in table and "∂o/∂node" in table and "∂o/∂variable" in table


def test_a_variable_named_f_no_longer_reads_df_df(cli):
    out = cli("grad", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2").stdout
    assert "out = (a*b + c)*f = -8.0000" in out and "∂out/∂variable" in out and "∂f/∂" not in out


def test_draw_boxes_carry_the_names(cli):
    result = cli("draw", NEURON, *NEURON_ARGS, "-o", "-")
    assert result.exit_code == 0, result.output
    boxes = re.findall(r'<td bgcolor="white">(?:<b>)?([^<]+)', result.stdout)
    assert {"n", "e", "o", "x1"} <= set(boxes)
    assert "where n = x1*w1 + x2*w2 + b; e = exp(2*n)" in result.stdout


def test_output_picks_a_step_and_evaluates_only_what_it_needs(cli):
    document = json.loads(cli("grad", NEURON, "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "1",
                              "--output", "n", "--format", "json").stdout)
    assert document["output"] == "n" and document["value"] == pytest.approx(-5.0)
    program = parse("a = x*2; b = log(y); c = a + 1", output="a")
    assert program.variables == ["x"] and program.value_at({"x": 3.0}) == 6.0  # log(y) never runs
    result = cli("grad", NEURON, *NEURON_ARGS, "--output", "m")
    assert result.exit_code == 2 and "--output-name m: no statement binds m; the bound names are n, e, o" in \
        result.stderr
    result = cli("draw", NEURON, *NEURON_ARGS, "--output-name", "e", "-o", "-")
    assert result.exit_code == 0 and "e = exp(2*n) = 5.8284" in result.stdout


def test_an_unused_step_is_a_warning():
    assert parse("a = x*2; b = y; c = a + 1").notes == ["b (bound at column 10) is not used by the output c"]


def test_statements_from_a_file_and_from_stdin(cli, tmp_path):
    path = tmp_path / "neuron.txt"
    path.write_text("# micrograd\nn = x1*w1 + x2*w2 +\n    b     # no: a line ends a statement\n")
    result = cli("grad", "-f", str(path), *NEURON_ARGS)
    assert result.exit_code == 2 and "unexpected end of line at line 2, column 20" in result.stderr
    path.write_text("\ufeff# micrograd\nn = (x1*w1 + x2*w2 +\n     b)   # inside ( ) a line goes on\n\n"
                    "e = exp(2*n); o = (e - 1)/(e + 1)\n")
    document = json.loads(cli("grad", "--file", str(path), *NEURON_ARGS, "--format", "json").stdout)
    assert document["gradients"] == pytest.approx({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})
    piped = json.loads(cli("grad", "-f", "-", *NEURON_ARGS, "--format", "json", input=NEURON + "\n").stdout)
    assert piped["value"] == pytest.approx(document["value"])


@pytest.mark.parametrize("args, message", [
    (["-f", "missing.txt", "--x", "1"], "no such file: missing.txt"),
    (["-f", ".", "--x", "1"], ". is a folder, not a statements file"),
    (["-f", "program.txt", "x + 1", "--x", "1"], "unexpected argument 'x + 1'"),
    (["-f", "latin1.txt", "--x", "1"], "latin1.txt is not UTF-8 text"),
    (["-f", "program.txt", "--x", "1", "--max-length", "3"], "program.txt holds more than 3 characters"),
])
def test_file_errors_are_usage_errors(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "program.txt").write_text("y = x*2\n")
    (tmp_path / "latin1.txt").write_bytes("θ = x\n".encode("utf-16"))
    result = cli("grad", *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_not_told_to_raise_a_limit(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("grad", "-f", "missing.txt", "--x", "1")
    assert result.exit_code == 2 and "no such file: missing.txt" in result.stderr
    assert "--max-length" not in result.stderr, result.stderr


def test_a_file_far_over_max_length_says_which_option_to_raise(cli, tmp_path, monkeypatch):
    """More bytes than --max-length characters can take: the same hint as a file just over the limit."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.txt").write_text("x" * 100 + "\n")
    result = cli("grad", "-f", "big.txt", "--x", "1", "--max-length", "10")
    message = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "big.txt is 101 bytes; gradcli reads statements files up to 40 bytes" in message
    assert "raise the limit with --max-length" in message, message


def test_dash_f_is_the_file_and_format_has_no_short_form(cli, tmp_path):
    result = cli("grad", "x**2", "--x", "3", "-f", "json")
    assert result.exit_code == 2 and "for the output format write --format json (-f is --file)" in result.stderr
    assert json.loads(cli("grad", "x**2", "--x", "3", "--format", "json").stdout)["value"] == 9.0


def test_explore_takes_statements_from_a_file_but_not_from_stdin(cli, tmp_path):
    (tmp_path / "p.txt").write_text("n = x*w\no = tanh(n)\n")
    result = cli("explore", "-f", str(tmp_path / "p.txt"), "--x", "1", "--w", "0.5")
    assert result.exit_code == 2 and "needs a terminal" in result.stderr
    assert 'gradcli grad "n = x*w; o = tanh(n)" --x 1 --w 0.5' in result.stderr
    result = cli("explore", "-f", "-", "--x", "1")
    assert result.exit_code == 2 and "cannot come from stdin" in result.stderr


def test_explorer_edits_and_writes_statements_on_one_line():
    from gradcli.explore.state import Explorer

    explorer = Explorer(parse("n = x*w\no = tanh(n)  # a comment\n"), {"x": 1.0, "w": 0.5})
    assert explorer.text == "n = x*w; o = tanh(n)"
    explorer.edit("n = x*w; e = exp(2*n); o = (e - 1)/(e + 1)")
    assert explorer.state.value == pytest.approx(0.46211715726000974)
    assert [s.name for s in explorer.state.trace.forward if s.name] == ["x", "w", "n", "e", "o"]
    assert explorer.command_line() == 'gradcli grad "n = x*w; e = exp(2*n); o = (e - 1)/(e + 1)" --x 1 --w 0.5'


# -- e and pi: constants unless given a value (issue 10, item 6) ---------------------------------------


def test_a_value_for_e_makes_it_a_variable_with_one_note(cli):
    result = cli("grad", "e*x", "--x", "2", "--e", "3", "--format", "json")
    assert json.loads(result.stdout)["value"] == 6.0
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: e is a variable here (given as e = 3); without a value it is the constant "
                     "2.718281828"]
    assert "not used" not in result.stderr
    assert json.loads(cli("grad", "e*x", "--x", "2", "--format", "json").stdout)["value"] == pytest.approx(5.43656365)
    assert json.loads(cli("grad", "pi*r**2", "--r", "1", "pi=3", "--format", "json").stdout)["gradients"] == \
        {"r": 6.0, "pi": 1.0}


def test_a_bound_name_cannot_also_be_given_a_value(cli):
    result = cli("grad", NEURON, *NEURON_ARGS, "--e", "2")
    assert result.exit_code == 2
    assert "e is bound in the expression (e = exp(2*n)), so it cannot also be given a value" in result.stderr


# -- suggestions that are likely right (issue 10, item 19) -------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("min(x, 1)", None), ("atan(x)", None), ("x(x+1)", None),
    ("min", "'min' is a function: write min(...)"),
    ("1,000", "unexpected ','"),
    ("pin(x)", "unknown function 'pin' at"),  # not 'sin' nor 'min': a first letter is rarely a slip
    ("sigmod(x)", "unknown function 'sigmod' (did you mean 'sigmoid'?)"),
    ("TANH(x)", "unknown function 'TANH' (did you mean 'tanh'?)"),
])
def test_suggestions_are_only_the_likely_ones(text, message):
    if message is None:
        assert parse(text).value_at({"x": 0.5}) is not None
        return
    with pytest.raises(ExprError) as info:
        parse(text)
    assert message in info.value.message
    if text == "1,000":
        assert info.value.hint == "numbers are written without separators: 1000"


def test_close_names_refuses_a_changed_first_letter():
    from gradcli.suggest import close_names

    assert close_names("min", ["sin"]) == [] and close_names("atan", ["tanh"]) == []
    assert close_names("exo", ["exp", "abs"]) == ["exp"] and close_names("leakyrelu", ["leaky_relu"]) == ["leaky_relu"]


# -- more bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("a = b; b = a", "b is defined in terms of itself"),
    ("x = 1; x = 2", "x is bound twice: at column 8, and first at column 1"),
    ("a = 1\n\nb = 2;\na = 3", "a is bound twice: at line 4, column 1, and first at line 1, column 1"),
    (";", "empty statement"),
    ("a = 1; ; b = 2", "empty statement between two ';'"),
    ("a = 1;\n;", "empty statement between two ';'"),
    ("x +", "unexpected end of expression"),
    ("(x + 1", "'(' at column 1 is never closed"),
    ("# only a comment", "the expression is empty"),
    ("tanh = 3", "'tanh' is a function; a step needs another name"),
    ("y = 2*pi; pi = 3", "pi is used as the constant 3.14159"),
])
def test_bad_programs_are_clear_usage_errors(text, message):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert message in info.value.message
    assert isinstance(info.value, UsageError)


def test_a_trailing_semicolon_and_blank_lines_are_fine():
    assert parse("a = x*2;\n\n  \nb = a + 1;  # done\n").output_name == "b"


def test_a_cycle_at_the_end_of_a_long_program_is_found_in_one_walk():
    program = "a0 = x; " + "; ".join(f"a{i} = a{i - 1} + 1" for i in range(1, 20_000)) + "; x = a19999"
    start = time.process_time()
    with pytest.raises(ExprError, match=r"x is defined in terms of itself at column \d+ \(through a1, bound at"):
        parse(program)
    assert time.process_time() - start < 5  # looking for the path once per name took minutes


def test_many_unused_steps_are_summed_up_in_one_note():
    notes = parse("; ".join(f"a{i} = {i}" for i in range(50)) + "; x").notes
    assert len(notes) == 4 and notes[-1] == "47 more bound names are not used by the output f"
