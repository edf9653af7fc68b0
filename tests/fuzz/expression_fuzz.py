"""Fuzzing the expression parser and evaluator: input generators and the one check.

Every input must either parse and evaluate (values and gradients) or fail with
gradcli's own error type.  Anything else is a finding: another exception, a
RecursionError, an input that takes too long, or code being executed (the
check replaces ``eval``/``exec``/``compile`` and ``os.system`` while it runs).

Used by ``tests/test_fuzz.py`` (a short run in the suite) and by
``benchmarks/fuzz_expr.py`` (the long run: 100,000+ inputs, optionally with atheris).
"""

from __future__ import annotations

import builtins
import math
import os
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from gradcli.errors import GradcliError
from gradcli.autograd.expr import parse

# Expressions users write, and attacks; mutations start from these.
SEEDS = [
    "tanh(x1*w1 + x2*w2 + b)",
    "(a*b + c)*f",
    "sigmoid(w1*x1 + w2*x2) + 0.5*(w1**2 + w2**2)",
    "3*x**2 - 4*x + 5",
    "(exp(2*x) - 1)/(exp(2*x) + 1)",
    "-x**2^3 + +y - -z",
    "log(abs(x) + 1e-3) * sqrt(y*y + 1)",
    "relu(x) + cos(pi*x) - sin(e)",
    "2**2**2**2**2",
    "x**y + y**x",
    "__import__('os').system('touch /tmp/gradcli-fuzz-canary')",
    "x.__class__.__mro__",
    "eval('1')",
    "lambda: 0",
    "[x for x in ()]",
    "((((x))))",
    "1e308*1e308",
    "0**0 + 0**-1",
    "n = x*w + b; e = exp(2*n); o = (e - 1)/(e + 1)",
    "2x² + 3(x+1)(x-1) − √x·|y| + 2πr",
    "max(x, y, 1) + leaky_relu(x, slope=0.2) + log(x, 2) + clip(x, -1, 1) + atan2(y, x)",
    "a = x\nb = a*a  # a comment\nc = (b +\n a)\nc",
]

ALPHABET = "xyzabw12_0.5e+-*/^()  ,tanhsigmoidrelulogexpsqrtabcos pi'\"[]{}.;:!@#$%&|<>=?\\`~\t\n"
TOKENS = ["x", "y", "w1", "b", "2", "0.5", "1e-3", "1e308", "0", "-", "+", "*", "/", "**", "^", "(", ")",
          "tanh(", "exp(", "log(", "sqrt(", "abs(", "relu(", "sigmoid(", "sin(", "cos(", "pi", "e", " ",
          ";", "=", "a = ", "\n", ",", "²", "√", "|", "π", "x₁", "max(", "floor(", "gelu(", "slope="]
CANARY = "/tmp/gradcli-fuzz-canary"
# an input taking longer than this is a finding: a hang (each short input takes milliseconds, but a busy
# shared machine can stall one for a second, so the limit is well above that)
SLOW_SECONDS = 5.0


@dataclass
class Finding:
    expression: str
    problem: str


@dataclass
class Tally:
    inputs: int = 0
    parsed: int = 0
    evaluated: int = 0
    gradcli_errors: int = 0
    nonfinite_gradients: int = 0  # inf or nan gradients (reported by the CLI as warnings)
    slowest: float = 0.0
    findings: list = field(default_factory=list)


class CodeExecuted(Exception):
    """Raised by the traps: something tried to run code."""


@contextmanager
def code_execution_traps():
    """Make eval/exec/compile and os.system raise while fuzzing (the parser must not need them)."""
    # warm up what gradcli imports lazily (difflib's namedtuple is built with eval): the traps are
    # for code an expression could make run, not for the standard library loading itself
    for warm_up in ("tanhh(x)", "x $"):
        try:
            parse(warm_up)
        except GradcliError:
            pass
    saved = builtins.eval, builtins.exec, builtins.compile, os.system
    real_exec = builtins.exec

    def trap(*args, **kwargs):
        raise CodeExecuted(f"attempt to execute {args[:1]!r}")

    def exec_trap(source, *args, **kwargs):
        # the import system execs compiled module code (a code object); text is never fine
        if isinstance(source, (str, bytes)):
            raise CodeExecuted(f"attempt to exec {source[:60]!r}")
        return real_exec(source, *args, **kwargs)

    builtins.eval = builtins.compile = os.system = trap
    builtins.exec = exec_trap
    try:
        yield
    finally:
        builtins.eval, builtins.exec, builtins.compile, os.system = saved


def check(expression: str, rng: random.Random, tally: Tally) -> None:
    """Parse, evaluate at random values, run backward; record anything that is not GradcliError."""
    tally.inputs += 1
    started = time.perf_counter()
    try:
        parsed = parse(expression)
        tally.parsed += 1
        values = {name: rng.choice([0.0, 1.0, -1.0, rng.uniform(-10, 10), 1e-300, 1e300]) for name in parsed.variables}
        graph = parsed.evaluate(values)
        graph.backward()
        for node in graph.nodes():
            if not isinstance(node.data, float):
                raise TypeError(f"node {node.label!r} holds {type(node.data).__name__}, not float")
        if not math.isfinite(graph.output.data):
            raise ValueError(f"non-finite value {graph.output.data} returned without an error")
        tally.evaluated += 1
        if not all(math.isfinite(leaf.grad) for leaf in graph.variables.values()):
            tally.nonfinite_gradients += 1
    except GradcliError as error:
        tally.gradcli_errors += 1
        if not str(error):
            tally.findings.append(Finding(expression, "GradcliError with an empty message"))
    except RecursionError:
        tally.findings.append(Finding(expression, "RecursionError"))
    except Exception as error:  # noqa: BLE001 - every other exception is a finding
        tally.findings.append(Finding(expression, f"{type(error).__name__}: {error}"))
    elapsed = time.perf_counter() - started
    tally.slowest = max(tally.slowest, elapsed)
    if elapsed > SLOW_SECONDS:
        tally.findings.append(Finding(expression, f"took {elapsed:.2f} s"))


def random_text(rng: random.Random) -> str:
    """Characters from the expression alphabet and beyond."""
    length = rng.choice([0, 1, 2, 5, 10, 30, 100])
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def random_tokens(rng: random.Random) -> str:
    """A sequence of plausible tokens: mostly near-valid expressions."""
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 40)))


def mutate(text: str, rng: random.Random) -> str:
    """Insert, delete, replace or duplicate a few characters or slices."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(4)
        position = rng.randint(0, len(chars))
        if action == 0:
            chars.insert(position, rng.choice(ALPHABET))
        elif action == 1 and chars:
            del chars[min(position, len(chars) - 1)]
        elif action == 2 and chars:
            chars[min(position, len(chars) - 1)] = rng.choice(ALPHABET)
        else:
            start = rng.randint(0, len(chars))
            chars[position:position] = chars[start:start + rng.randint(1, 8)]
    return "".join(chars)


def deep(rng: random.Random) -> str:
    """Inputs near and beyond the limits: nesting, length, long chains, huge exponents."""
    n = rng.choice([50, 99, 100, 101, 150, 1000, 3000])
    kind = rng.randrange(6)
    if kind == 0:
        return "(" * n + "x" + ")" * n
    if kind == 1:
        return "-" * n + "x"
    if kind == 2:
        return "**".join(["2"] * min(n, 400))
    if kind == 3:
        return "+".join(["x"] * n)
    if kind == 4:
        return "tanh(" * n + "x" + ")" * n
    return "x" * n * 3


def random_expression(rng: random.Random, depth: int = 0) -> str:
    """A syntactically valid expression (so that evaluation and gradients get exercised)."""
    if depth > 6 or rng.random() < 0.3:
        return rng.choice(["x", "y", "w1", "b", "2", "0.5", "1e-3", "3.7", "0", "pi", "e", "1e5"])
    kind = rng.randrange(4)
    if kind == 0:
        op = rng.choice(["+", "-", "*", "/", "**", "^"])
        return f"{random_expression(rng, depth + 1)} {op} {random_expression(rng, depth + 1)}"
    if kind == 1:
        name = rng.choice(["exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs"])
        return f"{name}({random_expression(rng, depth + 1)})"
    if kind == 2:
        return f"({random_expression(rng, depth + 1)})"
    return rng.choice(["-", "+"]) + random_expression(rng, depth + 1)


def generate(rng: random.Random) -> str:
    """One fuzz input, from a mix of the generators."""
    pick = rng.random()
    if pick < 0.30:
        return random_expression(rng)
    if pick < 0.50:
        return mutate(rng.choice(SEEDS) if rng.random() < 0.5 else random_expression(rng), rng)
    if pick < 0.70:
        return random_tokens(rng)
    if pick < 0.95:
        return random_text(rng)
    return deep(rng)


def run(count: int, seed: int = 0) -> Tally:
    """Check ``count`` generated inputs (plus the seeds) and return the tally."""
    rng = random.Random(seed)
    tally = Tally()
    with code_execution_traps():
        for expression in SEEDS:
            check(expression, rng, tally)
        for _ in range(count):
            check(generate(rng), rng, tally)
    if os.path.exists(CANARY):
        tally.findings.append(Finding("(any)", f"the canary file {CANARY} was created"))
    return tally
