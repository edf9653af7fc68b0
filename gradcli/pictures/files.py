"""DOT source -> an SVG, PNG or DOT file, written atomically, with a chosen renderer.

    >>> from gradcli.pictures.files import render_to_file
    >>> result = render_to_file(source, "graph.svg")          # doctest: +SKIP
    >>> result.renderer, result.format                          # doctest: +SKIP
    ('dot', 'svg')

Two renderers speak the same command line (``-Tsvg``, ``-Tpng``, DOT on stdin):
the system Graphviz ``dot`` and ``graphviz-pure``, a self-contained port of it
that pip installs with gradcli.  ``auto`` prefers ``dot`` when it is on PATH,
then ``graphviz-pure``.  The picture is rendered to memory first and then
written by ``atomicfile`` (a temporary file renamed over the target), so a
failure never leaves a half-written file and never harms an existing one.
The renderer runs as a child that dies with gradcli (``gradcli/children.py``): Ctrl-C,
SIGTERM or SIGHUP kill it, and so does the kernel if gradcli is killed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..children import run_child
from ..errors import RenderError
from ..numbers import memory
from .choices import Renderer
from ..atomicfile import check_writable as check_path_writable
from ..atomicfile import write_bytes_atomic

FORMATS = ("svg", "png", "dot")  # file suffixes we can write, without the dot
RENDERERS = tuple(Renderer)
DEFAULT_TIMEOUT = 120.0  # seconds; a layout that takes longer is stopped, not waited on forever
# A PNG is scaled down to fit this many inches (9600 px at 96 dpi) on each side: a graph of
# thousands of nodes would otherwise ask graphviz-pure for a bitmap of gigabytes.
PNG_MAX_INCHES = 100
# The address space a renderer may take beyond --max-memory: its program and libraries, and what an
# allocator reserves without using (graphviz-pure: a few MB; dot with its libraries: ~100 MB).
ADDRESS_SLACK = 256 * 2**20
# The stack a renderer may grow: dot lays out long edges recursively, and with the usual 8 MB it crashes
# (SIGSEGV) on "x*0 + x*1 + ... + x*494", 2,474 nodes, well under --max-nodes; 64 MB draws it. The stack
# is part of the address space, so --max-memory still bounds it. Not more: glibc gives every thread a
# stack of this size, and with 512 MB the threads pango starts for PNG text no longer fit in the address
# space ("Error creating thread: Resource temporarily unavailable").
RENDERER_STACK = 64 * 2**20

_PROGRAMS = {"dot": "dot", "graphviz-pure": "graphviz-pure"}
_INSTALL_HINTS = {
    Renderer.dot: "install Graphviz (apt install graphviz, brew install graphviz) or use {setting} graphviz-pure",
    Renderer.graphviz_pure: "pip install graphviz-pure (it comes with gradcli), or install Graphviz for {setting} dot",
}


class RenderSetupError(RenderError):
    """The picture cannot be made as asked (no renderer, bad suffix, unwritable path): a usage error."""

    exit_code = 2


@dataclass(frozen=True)
class RenderResult:
    path: str  # the file written, or "-" for stdout
    format: str  # svg, png or dot
    renderer: str | None  # "dot" or "graphviz-pure"; None for DOT source
    seconds: float  # time spent in the renderer


def output_format(path: str) -> str:
    """The format a path asks for, from its suffix (``-`` is DOT on stdout)."""
    if path == "-":
        return "dot"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "gv":  # Graphviz's other customary suffix
        return "dot"
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise RenderSetupError(
            f"{path}: {shown} is not a picture format gradcli writes; use .svg, .png or .dot "
            "(or {setting} - for DOT source on stdout)", setting="output", value=path,
        )
    return suffix


def find_renderer(choice: str = "auto") -> tuple[str, str]:
    """(name, executable path) of the renderer to use; ``RenderSetupError`` when it is missing."""
    if choice not in RENDERERS:
        raise RenderSetupError(f"unknown renderer '{choice}': choose one of {', '.join(RENDERERS)}", setting="renderer",
                               value=choice)
    candidates = ["dot", "graphviz-pure"] if choice == "auto" else [choice]
    for name in candidates:
        executable = _which(_PROGRAMS[name])
        if executable:
            return name, executable
    if choice == "auto":
        raise RenderSetupError(
            "no Graphviz renderer found: neither 'dot' nor 'graphviz-pure' is on PATH",
            hint="pip install graphviz-pure (or reinstall gradcli), or write DOT source with {setting} graph.dot",
            setting="output",
        )
    raise RenderSetupError(f"the renderer '{choice}' is not installed", hint=_INSTALL_HINTS[choice], setting="renderer",
                           value=choice)


def _which(program: str) -> str | None:
    """``program`` on PATH, or next to this Python (a venv's bin/ folder need not be on PATH)."""
    found = shutil.which(program)
    if found:
        return found
    beside = Path(sys.executable).parent / (program + (".exe" if os.name == "nt" else ""))
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def render(source: str, fmt: str, renderer: str = "auto", timeout: float = DEFAULT_TIMEOUT,
           max_memory: int | None = None) -> tuple[bytes, str]:
    """Run the renderer on DOT ``source``; return (the picture's bytes, the renderer's name).

    The renderer is stopped after ``timeout`` seconds, and may not use more than
    ``max_memory`` bytes (plus ``ADDRESS_SLACK``: its address space, where the OS can limit it).
    """
    name, executable = find_renderer(renderer)
    try:
        command = [executable, f"-T{fmt}"]
        if fmt == "png":
            command.append(f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}")
        completed = run_child(command, source.encode("utf-8"), timeout,  # killed if gradcli stops: children.py
                              address_space=None if max_memory is None else max_memory + ADDRESS_SLACK,
                              stack=RENDERER_STACK)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{name} did not finish within {timeout:g} s; the graph is too large to lay out",
            hint="draw a smaller graph, lower {setting:max_nodes}, or write DOT source with {setting:output} graph.dot",
        ) from None
    except OSError as exc:
        raise RenderSetupError(f"cannot run {name} ({executable}): {exc.strerror or exc}") from None
    if completed.returncode != 0 or not completed.stdout:
        if max_memory is not None and _out_of_memory(completed):
            raise RenderError(
                f"{name} ran out of memory laying out this graph (the limit is {{setting}} {memory(max_memory)})",
                hint="draw a smaller graph, raise {setting} if the machine has the memory, or write DOT source "
                     "with {setting:output} graph.dot", setting="max_memory", value=max_memory)
        detail = _first_error_line(completed.stderr) or f"exit status {completed.returncode}"
        raise RenderError(f"{name} failed to render {fmt.upper()}: {detail}")
    return completed.stdout, name


def _out_of_memory(completed: subprocess.CompletedProcess) -> bool:
    """What the renderers do when an allocation fails: graphviz-pure aborts, dot says so (and may crash)."""
    text = completed.stderr.decode("utf-8", "replace").lower()
    return "memory allocation" in text or "out of memory" in text or completed.returncode in (-6, -11)


def _first_error_line(stderr: bytes) -> str:
    """The renderer's first real error line (it also prints harmless font warnings)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or [""])[0][:200]


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    ``atomicfile`` does the work: a bad path is a ``RenderSetupError`` (exit 2), a full disk a
    ``FileWriteError`` (exit 1).
    """
    write_bytes_atomic(path, data, RenderSetupError)


def check_writable(path: str) -> None:
    """Fail fast, before a long render, when ``path`` cannot be written."""
    check_path_writable(path, RenderSetupError)


def render_to_file(source: str, path: str, renderer: str = "auto", timeout: float = DEFAULT_TIMEOUT,
                   max_memory: int | None = None) -> RenderResult:
    """Write DOT ``source`` to ``path`` in the format its suffix names (rendering SVG/PNG first)."""
    fmt = output_format(path)
    if fmt == "dot":
        write_atomic(path, source.encode("utf-8"))
        return RenderResult(path, fmt, None, 0.0)
    check_writable(path)
    started = time.perf_counter()
    data, name = render(source, fmt, renderer, timeout, max_memory)
    seconds = time.perf_counter() - started
    write_atomic(path, data)
    return RenderResult(path, fmt, name, seconds)
