"""A short fuzz run in the suite (the long one is benchmarks/fuzz_expr.py).

Every input either parses and evaluates or fails with a GradcliError; no other
exception, no RecursionError, no slow input, no code executed.
"""

from __future__ import annotations

import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.expression_fuzz import ALPHABET, CANARY, SEEDS, Tally, check, code_execution_traps, mutate, run


def test_generated_and_mutated_inputs_only_fail_with_gradcli_errors():
    tally = run(3000, seed=1)
    assert tally.findings == []
    assert tally.evaluated > 500  # the generators do reach evaluation and backward


def test_injection_attempts_execute_nothing():
    tally = Tally()
    rng = random.Random(0)
    with code_execution_traps():
        for attack in ("__import__('os').system('touch /tmp/gradcli-fuzz-canary')", "eval('1')", "x.__class__",
                       "exec('import os')", "open('/etc/passwd')", "globals()", "lambda: 0"):
            check(attack, rng, tally)
    assert tally.findings == []
    assert tally.gradcli_errors == 7
    assert not os.path.exists(CANARY)


def test_the_check_catches_a_crash(monkeypatch):
    """The harness itself must report a non-GradcliError (or the fuzz test could never fail)."""
    import fuzz.expression_fuzz as harness

    def broken_parse(text):
        raise IndexError("list index out of range")

    monkeypatch.setattr(harness, "parse", broken_parse)
    tally = Tally()
    harness.check("x + 1", random.Random(0), tally)
    assert [f.problem for f in tally.findings] == ["IndexError: list index out of range"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(set(ALPHABET))), max_size=60))
def test_hypothesis_text(text):
    tally = Tally()
    with code_execution_traps():
        check(text, random.Random(0), tally)
    assert tally.findings == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 2**32 - 1))
def test_hypothesis_mutations(seed_expression, mutation_seed):
    tally = Tally()
    with code_execution_traps():
        check(mutate(seed_expression, random.Random(mutation_seed)), random.Random(mutation_seed), tally)
    assert tally.findings == []
