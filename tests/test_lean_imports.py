"""`gradcli grad` and `gradcli check` must not import the heavy libraries (start-up time).

sympy (and mpmath, which it imports) is heavy too: only `grad --symbolic` and `check --given ... --symbolic`
import it; every other option of `grad` and `check` (the Hessian, --explain, LaTeX, check --order 2) does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ["numpy", "sklearn", "graphviz", "matplotlib", "textual", "pydantic", "sympy", "mpmath"]

# Run the real app as `gradcli` runs it in a fresh interpreter, then report which heavy top-level packages got
# imported.
PROBE = """
import json, sys
from gradcli.cli.app import run
sys.argv = ['gradcli', *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
heavy = sorted({name.split('.')[0] for name in sys.modules} & set(json.loads(sys.stdin.readline())))
sys.stderr.write('HEAVY=' + json.dumps(heavy) + '\\n')
"""


def imported_heavy(*args, preload: str = "") -> list:
    done = subprocess.run([sys.executable, "-c", preload + PROBE, *args], input=json.dumps(HEAVY) + "\n",
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    line = next(line for line in done.stderr.splitlines() if line.startswith("HEAVY="))
    return json.loads(line[len("HEAVY="):])


@pytest.mark.parametrize("args", [
    ["grad", "tanh(x1*w1+x2*w2+b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "6.88", "--no-trace"],
    ["grad", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2", "--format", "json"],
    ["check", "sin(x)*y", "--x", "1", "--y", "2"],
    ["grad", "n = x*w + b; o = tanh(n)", "--x", "2", "--w", "-3", "--b", "1", "--explain"],
    ["grad", "x**2*y", "--x", "1", "--y", "2", "--hessian", "--format", "latex"],
    ["grad", "x**4", "--x", "2", "--order", "4"],
    ["grad", "u = x*y; v = x + y", "--x", "1", "--y", "2", "--outputs", "u,v", "--jacobian"],
    ["grad", "x**2*y", "--x", "1", "--y", "2", "--format", "latex"],
    ["check", "x**3*y", "--x", "1", "--y", "2", "--order", "2"],
    ["check", "x**3", "--x", "1", "--given", "x=3*x**2"],
])
def test_grad_and_check_import_nothing_heavy(args):
    assert imported_heavy(*args) == []


@pytest.mark.parametrize("args", [
    ["grad", "x**2*sin(x)", "--x", "1", "--symbolic"],
    ["check", "x**3", "--x", "1", "--given", "x=3*x", "--symbolic"],
])
def test_only_symbolic_imports_sympy(args):
    assert imported_heavy(*args) == ["mpmath", "sympy"]


def test_the_probe_can_see_a_heavy_import():
    """The probe itself works (or the tests above could never fail): a preloaded NumPy is reported."""
    assert imported_heavy("--version", preload="import numpy\n") == ["numpy"]


@pytest.mark.parametrize("options", [["--no-trace"], ["--order", "2"], ["--explain"]])
def test_importtime_of_the_grad_path_has_no_heavy_module(options):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", "grad", "x**2", "--x", "3",
                           *options], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"))
    assert done.returncode == 0
    modules = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert not modules & set(HEAVY), modules & set(HEAVY)


NEW_MODULES = {"gradcli.autograd.higher", "gradcli.autograd.symbolic", "gradcli.autograd.rules",
               "gradcli.autograd.explain", "gradcli.autograd.curves", "gradcli.autograd.second_check",
               "gradcli.autograd.given_check", "gradcli.cli.check_more",
               "gradcli.render.derivatives", "gradcli.render.explain", "gradcli.render.grad_latex",
               "gradcli.render.plot", "gradcli.render.derivative_checks", "gradcli.pictures.function_plot"}


def test_the_plain_grad_path_loads_none_of_the_higher_derivative_modules():
    """Start-up keeps its budget: on the path of plain `grad`, only the plot command's module (0.4 ms, built with
    the other commands) and grad's small dispatcher of options (`cli/grad_more.py`, which imports nothing new) are new."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", "grad", "x**2", "--x", "3",
                           "--no-trace"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NO_COLOR="1"))
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "gradcli.cli.plot_cmd" in modules  # the probe sees gradcli's modules
    assert not modules & NEW_MODULES, modules & NEW_MODULES
