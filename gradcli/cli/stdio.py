"""The standard streams as gradcli needs them, and what to say when one of them fails.

``gradcli.cli.main`` calls ``prepare()`` before a command runs:

- A standard stream that is closed (``gradcli ... >&-``) is opened on
  /dev/null, so that no file gradcli opens later takes its number (output meant
  for the terminal would land in a model file).  A closed stdout is then an
  error (``StdioError``): gradcli has nowhere to write its results.  A closed
  stdin reads as empty; a closed stderr swallows messages, and the exit status
  still tells.
- An unbuffered stdout (``PYTHONUNBUFFERED=1``, ``python -u``, common in
  containers) is given a buffer, flushed at each line: Python's text layer
  over a raw file drops what a short write did not write (a pipe whose reader
  goes away, a signal during a large write), so output was cut off with exit
  status 0 and no word.  Buffered, the rest is written or the write fails.
- Characters that stdout's encoding cannot write (``PYTHONIOENCODING=ascii``, a
  Latin-1 locale, bytes of a file name that were not UTF-8) are written as
  ``\\u00d7`` escapes instead of failing; in JSON output that is the same string.
  (stderr already escapes them, Python's default.)
- ``COLUMNS`` or ``LINES`` that is not a positive whole number is ignored, as if
  unset (``COLUMNS=0`` made every table, and even error messages, vanish), and
  output is laid out at least ``MIN_COLUMNS`` wide: narrower, tables had no room
  left for their contents and printed blank lines (the terminal wraps instead).

``write_failure(error)`` turns an ``OSError`` from writing the output into an exit
status, after saying what happened when it can: the reader of a pipe went away
(``gradcli ... | head -1``: quietly, status 1), the disk or device is full
(``> /dev/full``), the terminal is gone (after a hang-up: quietly).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys

from ..errors import GradcliError

ESCAPE_ERRORS = "gradcli.escape"  # the codec error handler registered below
EXIT_WRITE_FAILED = 1
MIN_COLUMNS = 40  # the narrowest layout gradcli's tables are made for
# how a write of the output fails, and what to say (None: nothing, the reader or the terminal has gone)
_OUTPUT_ERRNOS = {errno.EPIPE: None, errno.EIO: None, errno.ENOSPC: "the disk or device is full",
                  errno.EDQUOT: "the disk quota is used up", errno.EFBIG: "the file is too large"}
_STREAMS = (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w"))


class StdioError(GradcliError):
    """A standard stream gradcli needs cannot be used (exit status 1)."""


def _escape_unencodable(error: UnicodeEncodeError) -> tuple[str, int]:
    """Codec error handler: each character the encoding cannot write becomes ``\\uXXXX`` (JSON's escape)."""
    text = error.object[error.start:error.end]
    escaped = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:  # outside the BMP: a surrogate pair, as JSON writes it
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


codecs.register_error(ESCAPE_ERRORS, _escape_unencodable)


def prepare() -> None:
    """Make the standard streams and the terminal size safe to use (see the module docstring)."""
    closed = _reopen_closed_streams()
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (value.strip().isdigit() and int(value) > 0):
            del os.environ[name]  # Rich would draw at width 0, that is: nothing at all
    if int(os.environ.get("COLUMNS", MIN_COLUMNS)) < MIN_COLUMNS:
        os.environ["COLUMNS"] = str(MIN_COLUMNS)  # for Typer's help and errors too
    _buffer_raw_stdout()
    stdout = sys.stdout
    # strict fails on a character the encoding lacks; surrogateescape too (a C locale without UTF-8 mode)
    if getattr(stdout, "errors", None) in ("strict", "surrogateescape") and hasattr(stdout, "reconfigure"):
        stdout.reconfigure(errors=ESCAPE_ERRORS)
    if "stdout" in closed:
        raise StdioError("standard output is closed: gradcli has nowhere to write its results",
                         hint="redirect it to a file, or to /dev/null to discard it (>/dev/null)")


def _buffer_raw_stdout() -> None:
    """A line-buffered stdout in place of one written straight to its file (see the module docstring)."""
    stdout = sys.stdout
    raw = getattr(stdout, "buffer", None)
    if not isinstance(raw, io.RawIOBase) or not isinstance(stdout, io.TextIOWrapper):
        return
    try:
        stdout.flush()
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=stdout.encoding, errors=stdout.errors,
                                      newline=None, line_buffering=True)
    except (OSError, ValueError):
        pass


def _reopen_closed_streams() -> list[str]:
    """Open /dev/null on each standard file descriptor that is closed; the names of those streams."""
    closed = []
    for name, fd, mode in _STREAMS:
        try:
            os.fstat(fd)
            if getattr(sys, name) is not None:
                continue
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        closed.append(name)
        setattr(sys, name, open(fd, mode, closefd=False, errors="backslashreplace" if fd == 2 else None))
    return closed


def write_failure(error: OSError) -> int | None:
    """The exit status after ``error`` failed a write of gradcli's output (None: not such a failure).

    A write to stdout or stderr can fail only in these ways; every file gradcli writes itself reports its
    own errors (``atomicfile.py``).  The message goes to stderr, so it is seen only when stderr works,
    that is, when it was stdout that failed.  stdout is pointed at /dev/null afterwards, so that the
    interpreter's last flush cannot fail a second time.
    """
    if error.errno not in _OUTPUT_ERRNOS:
        return None
    _discard_stdout()
    reason = _OUTPUT_ERRNOS[error.errno]
    if reason is not None:
        say(f"error: cannot write to standard output: {reason} ({error.strerror})")
        say("hint: redirect it to a file on a disk with free space")
    return EXIT_WRITE_FAILED


def flush() -> None:
    """Flush stdout now, so that a failure is seen by gradcli, not by the interpreter on its way out."""
    if sys.stdout is not None:
        sys.stdout.flush()


def say(line: str) -> None:
    """Write one line to stderr if possible; never fail (stderr may be gone too)."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _discard_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass
