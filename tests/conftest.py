"""Shared fixtures: invoke the CLI in-process (CliRunner) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from gradcli.cli import fast_params
from gradcli.cli.app import app

# in-process tests see what `gradcli` runs: the fast path in front of Typer's coercion (when Typer is the
# tested series); tests/test_fast_params.py runs every command without it too
fast_params.install()

# Property tests explore new examples on every local run; in CI they replay a fixed set, so that a
# rare example found by chance cannot block a landing (run them locally to keep exploring).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Generated datasets are cached per user (gradcli/data/cache.py); the tests keep theirs apart, in a fresh
# folder per run, so that they neither read a developer's cache nor leave files in it.
if "GRADCLI_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["GRADCLI_CACHE_DIR"] = tempfile.mkdtemp(prefix="gradcli-test-cache-")


@pytest.fixture
def cli():
    """Run ``gradcli ARGS...`` in-process; returns the click Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200", "NO_COLOR": "1"})

    return invoke


@pytest.fixture
def run_gradcli():
    """Run ``python -m gradcli ARGS...`` as a real subprocess; returns CompletedProcess."""

    def run(*args: str, cwd=None, timeout: float = 120, env_extra: dict | None = None):
        env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
        env.update(env_extra or {})
        return subprocess.run(
            [sys.executable, "-m", "gradcli", *args],
            capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env,
        )

    return run


@pytest.fixture
def replace_rule():
    """Give an op a different derivative rule through its public record; the original comes back after.

    ``replace_rule("sin", lambda m, xs, y, arg: (1.0,))``: from then on every backward pass uses it.
    """
    import dataclasses

    from gradcli.autograd.engine import register
    from gradcli.autograd.ops import OPS

    replaced = []

    def install(name: str, partials):
        replaced.append(register(dataclasses.replace(OPS[name], partials=partials)))

    yield install
    for record in reversed(replaced):
        register(record)
