"""Big expressions: limits of a million, linear-time parsing and labels, summarised trace tables."""

from __future__ import annotations

import json
import time

import pytest

from gradcli.autograd.expr import MAX_DEPTH, MAX_LENGTH, MAX_SIZE, Limits, parse
from gradcli.autograd.program import LABEL_LIMIT
from gradcli.errors import ExprError


def long_sum(terms: int) -> str:
    return " + ".join(f"{(i % 7) / 10}*x{i % 50}" for i in range(terms))


def test_the_default_limits_are_a_million():
    assert MAX_LENGTH >= 1_000_000 and MAX_SIZE >= 1_000_000
    expression = parse(long_sum(50_000))  # 150,000 nodes: the old parser stopped at 2,000
    assert expression.size == 150_049


def test_parsing_and_labelling_take_linear_time():
    """Ten times the terms, about ten times the time (a quadratic label builder made it a hundred)."""
    def cpu_seconds(terms: int) -> float:
        text = long_sum(terms)
        start = time.process_time()
        expression = parse(text)
        label = expression.label(expression.root)
        assert len(label) == LABEL_LIMIT + 1 and label.endswith("…")
        return time.process_time() - start

    cpu_seconds(2_000)  # warm up
    small = min(cpu_seconds(10_000) for _ in range(3))
    large = min(cpu_seconds(100_000) for _ in range(2))
    assert large < 25 * small, (small, large)


@pytest.mark.parametrize("text", ["(" * 100_000 + "x" + ")" * 100_000, "tanh(" * 5_000 + "x" + ")" * 5_000,
                                  "-" * 100_000 + "x", "|" * 5_000 + "x" + "|" * 5_000, "x" + "**x" * 5_000,
                                  "√" * 5_000 + "x", "max(" * 5_000 + "x, 1" + ")" * 5_000],
                         ids=["parentheses", "calls", "signs", "bars", "powers", "roots", "max"])
def test_deep_nesting_is_a_clear_error_never_a_recursion_error(text):
    with pytest.raises(ExprError, match=f"nests more than {MAX_DEPTH} levels deep"):
        parse(text)


def test_limits_can_be_raised_or_lowered():
    with pytest.raises(ExprError) as info:
        parse(long_sum(100), limits=Limits(size=250))
    assert info.value.setting == "max_size"
    assert "more than 250 nodes and statements" in info.value.message
    with pytest.raises(ExprError, match="the limit is 100"):
        parse(long_sum(100), limits=Limits(length=100))
    assert parse(long_sum(100), limits=Limits(size=350)).size == 349  # and one statement


def test_the_cli_options_set_the_limits(cli):
    values = [f"--x{i}=1" for i in range(50)]
    result = cli("grad", long_sum(100), *values, "--max-size", "200")
    assert result.exit_code == 2
    assert "the expression has more than 200 nodes and statements" in result.stderr
    assert "hint: raise the limit with --max-size" in result.stderr
    result = cli("check", "x + 1", "--x", "1", "--max-length", "3")
    assert result.exit_code == 2 and "the limit is 3" in result.stderr and "--max-length" in result.stderr


def test_a_big_trace_is_summarised_in_the_table_but_complete_in_json(cli):
    """Issue 10 item 12: a 1,000-term sum printed a table of thousands of lines, in 30 s and 310 MB."""
    values = [f"--x{i}=1" for i in range(50)]
    start = time.perf_counter()
    table = cli("grad", long_sum(1_000), *values)
    seconds = time.perf_counter() - start
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "… 2,849 more nodes …" in out and "more rows" in out
    assert "The trace has 3,049 nodes and 3,998 backward rows" in out and "--format csv or --format json" in out
    forward = out[out.index("Forward pass"):out.index("Backward pass")]
    assert sum(1 for line in forward.splitlines() if line.strip()[:1].isdigit()) == 200
    assert seconds < 20
    document = json.loads(cli("grad", long_sum(1_000), *values, "--format", "json").stdout)
    assert len(document["nodes"]) == 3_049


def test_a_small_trace_is_shown_whole(cli):
    out = cli("grad", long_sum(30), *[f"--x{i}=1" for i in range(30)]).stdout
    assert "more nodes" not in out and "The trace has" not in out
