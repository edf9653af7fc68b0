"""gradcli works the same with and without its one patch of Typer (gradcli/cli/fast_params.py).

- every command answers --help and one real invocation with Typer's own coercion
  (the patch switched off), and gives the same output with the patch on;
- for plain, malformed, out-of-range and odd values the patch accepts what
  Typer accepts, returns the same values, and leaves every error to Typer;
- it patches only the Typer series pyproject.toml pins, and not when
  GRADCLI_FAST_PARAMS=0 (then pydantic is back on the start-up path).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import pytest
import typer
from typer.testing import CliRunner

from gradcli.cli import fast_params
from gradcli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def typer_builds_every_coercion() -> bool:
    from typer import _coercion, core

    return core.build_runtime_param is _coercion.build_runtime_param


@pytest.fixture
def patch_off():
    """Typer's own coercion for the length of a test; the patch is put back afterwards."""
    was_on = not typer_builds_every_coercion()
    fast_params.uninstall()
    assert typer_builds_every_coercion()
    yield
    if was_on:
        fast_params.install()


@pytest.fixture
def patch_on():
    if not fast_params.install():
        pytest.skip(f"the fast path is off here (Typer {typer.__version__}, {fast_params.SWITCH}="
                    f"{os.environ.get(fast_params.SWITCH)!r})")
    assert not typer_builds_every_coercion()


def invoke(target, args):
    result = CliRunner().invoke(target, args, env=ENV)
    return result.exit_code, result.stdout, result.stderr


# ---- every command, both ways ----------------------------------------------------------------------------------

def command_paths(command=None, path=()):
    command = command or typer.main.get_command(app)
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [path]
    found = [path] if path else []
    for name, sub in subcommands.items():
        found += command_paths(sub, path + (name,))
    return found


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("model") / "xor.json"
    code, _, stderr = invoke(app, ["train", "xor", "--steps", "2", "--samples", "16", "--quiet", "--save", str(path)])
    assert code == 0, stderr
    return str(path)


def without_timings(text: str) -> str:
    document = json.loads(text)
    for key in ("seconds", "steps_per_second"):
        document.pop(key, None)
    return json.dumps(document)


# One real invocation per command: (arguments, exit status, a check of the output, output normaliser).
# {model} is a small trained model file. Every command of the app must have one (test below).
INVOCATIONS = {
    ("grad",): (["grad", "3*x**2 - 4*x + 5", "--x", "3", "--precision", "2", "--format", "json"], 0,
                lambda out, err: json.loads(out)["value"] == 20.0 and json.loads(out)["gradients"] == {"x": 14.0}),
    ("check",): (["check", "x**3", "--x", "2", "--rtol", "1e-5", "--points", "3", "--seed", "1", "--precision", "3"],
                 0, lambda out, err: "4 points" in out and "OK: autograd matches" in out),
    ("draw",): (["draw", "x*y", "--x", "2", "--y", "3", "--precision", "1", "--max-nodes", "10", "--rankdir", "TB",
                 "-o", "-"], 0, lambda out, err: out.startswith("digraph") and "6.0" in out and "rankdir=TB" in out),
    ("explore",): (["explore", "(x-3)**2", "--x", "0", "--step", "0.5"], 2,
                   lambda out, err: "needs a terminal" in err and 'gradcli grad "(x-3)**2" --x 0' in err),
    ("playground",): (["playground", "spiral", "--layers", "8,1:tanh", "--lr", "0.1", "--batch-size", "5",
                       "--test-split", "0.3", "--seed", "4"], 2,
                      lambda out, err: "needs a terminal" in err and "--layers 8,1:tanh" in err
                      and "--lr 0.1 --schedule constant --batch-size 5" in err and "--seed 4" in err),
    ("datasets",): (["datasets", "--json"], 0, lambda out, err: "moons" in {d["name"] for d in json.loads(out)}),
    ("datasets", "show"): (["datasets", "show", "toy4", "--rows", "2", "--width", "40", "--height", "10"], 0,
                           lambda out, err: "... and 2 more rows" in out),
    ("train",): (["train", "xor", "--steps", "3", "--samples", "16", "--seed", "2", "--lr", "0.5", "--batch-size", "8",
                  "--activation", "tanh", "--json"], 0,
                 lambda out, err: json.loads(out)["steps"] == 3 and json.loads(out)["activation"] == "tanh"),
    ("predict",): (["predict", "{model}", "--x1", "0.5", "--x2", "-0.5", "--format", "json"], 0,
                   lambda out, err: json.loads(out)["x1"] == 0.5 and json.loads(out)["class"] in (-1, 1)),
    ("plot",): (["plot", "x**2", "--x", "-1:1", "--points", "5", "--order", "2", "--tangent", "0.5", "--format", "json"],
                0, lambda out, err: json.loads(out)["curves"]["f"] == [1.0, 0.25, 0.0, 0.25, 1.0]),
    ("eval",): (["eval", "{model}", "xor", "--samples", "16", "--seed", "3", "--json"], 0,
                lambda out, err: json.loads(out)["samples"] == 16),
    ("show",): (["show", "{model}", "--data", "xor", "--samples", "16", "--map-width", "8", "--json"], 0,
                lambda out, err: json.loads(out)["samples"] == 16 and len(json.loads(out)["layers"]) == 3),
    ("sweep",): (["sweep", "xor", "--lr", "0.3,1", "--steps", "3", "--samples", "16", "--seeds", "2", "--jobs", "1",
                  "--json"], 0, lambda out, err: len(json.loads(out)["runs"]) == 4),
    ("compare",): (["compare", "{model}", "{model}", "--json"], 0,
                   lambda out, err: len(json.loads(out)["runs"]) == 2 and json.loads(out)["differences"] == {}),
    ("export",): (["export", "{model}", "-o", "{model}.onnx", "--float32"], 0,
                  lambda out, err: out.startswith("wrote ") and "float32" in out),
}


def without_any_timings(text: str) -> str:
    """A sweep's document without the times it took (of the sweep, of its workers, of each run and row)."""
    def strip(item):
        if isinstance(item, dict):
            return {key: strip(value) for key, value in item.items()
                    if key not in ("seconds", "steps_per_second", "startup_seconds")}
        return [strip(value) for value in item] if isinstance(item, list) else item

    return json.dumps(strip(json.loads(text)))


NORMALISE = {("train",): without_timings, ("sweep",): without_any_timings}
PATHS = command_paths()


def test_every_command_has_an_invocation_here():
    assert set(PATHS) == set(INVOCATIONS)


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(path) for path in PATHS])
def test_each_command_works_with_typers_own_coercion_and_the_same_with_the_patch(path, model_file, patch_off):
    args, status, check = INVOCATIONS[path]
    args = [arg.replace("{model}", model_file) for arg in args]
    normalise = NORMALISE.get(path, lambda text: text)

    def run_both():
        help_code, help_text, _ = invoke(app, [*path, "--help"])
        code, out, err = invoke(app, args)
        return (help_code, help_text), (code, normalise(out) if code == 0 else out, err)

    (help_code, help_text), (code, out, err) = own = run_both()
    assert help_code == 0 and f"gradcli {' '.join(path)}" in help_text
    assert code == status, err
    assert check(out, err), (out, err)

    if not fast_params.install():
        pytest.skip("the fast path is off here: Typer's own coercion was the only one to test")
    assert run_both() == own


# ---- value by value: the patch accepts what Typer accepts and leaves every error to Typer ---------------------

class Colour(str, Enum):
    red = "red"
    dark_blue = "dark-blue"


probe = typer.Typer()


@probe.command()
def show(
    word: str = "w",
    count: int = 0,
    ratio: float = 0.5,
    level: Annotated[int, typer.Option(min=0, max=15)] = 4,
    size: Annotated[Optional[float], typer.Option(min=0.5)] = None,
    colour: Colour = Colour.red,
    loud: Annotated[Colour, typer.Option(case_sensitive=False)] = Colour.red,
    clamped: Annotated[int, typer.Option(min=0, max=3, clamp=True)] = 0,
    flag: bool = False,
    tag: Annotated[Optional[List[str]], typer.Option()] = None,
) -> None:
    typer.echo(repr((word, count, ratio, level, size, colour, loud, clamped, flag, tag)))


VALUES = {
    "--word": ["", "ünï", "-", "1e3", "a b"],
    "--count": ["7", "+7", "-7", "-0", "007", "7.0", "1e3", " 7", "x", "", "9" * 30, "1_000", "0x1f"],
    "--ratio": ["1", "-.5", "5.", ".", "1e400", "1e-400", "-1E+3", "nan", "inf", "1_0", "0x10", "", "+ 1"],
    "--level": ["0", "15", "16", "-1", "3.0", "+15", "015", "x"],
    "--size": ["0.5", "0.49", "1e9", "-inf", "1"],
    "--colour": ["red", "dark-blue", "RED", "dark_blue", "green", ""],
    "--loud": ["RED", "Dark-Blue", "blue"],
    "--clamped": ["-4", "2", "9"],
}
CASES = [[option, value] for option, values in VALUES.items() for value in values] + [[], ["--flag"]] + \
    [["--tag", "a"], ["--tag", "x=2*x", "--tag", ""], ["--tag"]]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(args) or "defaults" for args in CASES])
def test_the_patch_gives_what_typer_gives(args, patch_off):
    own = invoke(probe, args)
    if not fast_params.install():
        pytest.skip("the fast path is off here")
    assert invoke(probe, args) == own


def test_out_of_range_values_are_refused_by_typer_and_reported_by_gradcli(cli, patch_on):
    for args, message in [(["grad", "x", "--x", "1", "--precision", "16"],
                           "error: --precision must lie in 0..15, got 16"),
                          (["draw", "x", "--x", "1", "-o", "-", "--max-nodes", "0"],
                           "error: --max-nodes must be at least 1, got 0")]:
        result = cli(*args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_precision_has_the_same_range_everywhere(cli):
    for command, args in [("grad", ["x", "--x", "1"]), ("check", ["x", "--x", "1"]),
                          ("draw", ["x", "--x", "1", "-o", "-"])]:
        assert cli(command, *args, "--precision", "15").exit_code == 0
        high = cli(command, *args, "--precision", "16")
        assert high.exit_code == 2 and "--precision must lie in 0..15, got 16" in high.stderr
        low = cli(command, *args, "--precision", "-1")
        assert low.exit_code == 2 and "--precision must lie in 0..15, got -1" in low.stderr
        assert "[0<=x<=15]" in cli(command, "--help").stdout


# ---- when the patch is on -----------------------------------------------------------------------------------

def test_the_patch_is_for_the_tested_typer_series_only(monkeypatch, patch_off):
    assert fast_params.is_tested_typer(fast_params.TYPER_SERIES + ".2")
    assert not fast_params.is_tested_typer("0.30.0") and not fast_params.is_tested_typer("0.2")
    monkeypatch.setattr(typer, "__version__", "0.30.0")
    assert fast_params.install() is False and typer_builds_every_coercion()


def test_the_switch_turns_the_patch_off(monkeypatch, patch_off):
    monkeypatch.setenv(fast_params.SWITCH, "0")
    assert fast_params.install() is False and typer_builds_every_coercion()


def test_pyproject_pins_the_tested_typer_series():
    pyproject = (ROOT / "pyproject.toml").read_text()
    pin = re.search(r'"typer([^"]*)"', pyproject).group(1)
    major, minor = fast_params.TYPER_SERIES.split(".")
    assert pin == f">={major}.{minor},<{major}.{int(minor) + 1}"


def gradcli_process(*args, env_extra=None):
    probe_imports = ("import runpy, sys; sys.argv = ['gradcli', *sys.argv[1:]]\n"
                     "try:\n    runpy.run_module('gradcli', run_name='__main__')\n"
                     "finally:\n    sys.stderr.write('PYDANTIC=%s\\n' % ('pydantic' in sys.modules))\n")
    return subprocess.run([sys.executable, "-c", probe_imports, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **ENV, **(env_extra or {})))


def test_switched_off_gradcli_imports_pydantic_and_prints_the_same():
    if not fast_params.is_tested_typer(typer.__version__):
        pytest.skip(f"Typer {typer.__version__} is not the tested series: the fast path is never on")
    args = ["grad", "tanh(x*w + b)", "--x", "2", "--w", "-3", "--b", "6.88", "--precision", "6"]
    fast = gradcli_process(*args, env_extra={fast_params.SWITCH: "1"})
    own = gradcli_process(*args, env_extra={fast_params.SWITCH: "0"})
    assert fast.returncode == own.returncode == 0, (fast.stderr, own.stderr)
    assert "PYDANTIC=False" in fast.stderr and "PYDANTIC=True" in own.stderr
    assert fast.stdout == own.stdout and "f = tanh(x*w + b) = 0.706419" in fast.stdout
