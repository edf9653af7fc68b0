"""Reading a file a person named: checked first, read to a limit, every failure in one clear message.

Every file gradcli reads (a CSV dataset, ``predict --input``, a model file,
``--init-from``) goes through ``read_limited``::

    raw = read_limited("data.csv", limit=50 * 2**20, error=DataError, what="CSV file")

What it guarantees:

- only a regular file is opened (or ``-`` for stdin, where the caller allows
  it).  A folder, a device (``/dev/zero`` never ends), a named pipe (opening
  one waits for a writer, maybe forever) or a socket is refused by name,
  *before* it is opened;
- at most ``limit`` bytes are read (``limit + 1`` to notice more), so a file
  that grows, or stdin that never ends, cannot exhaust memory;
- a missing file, a broken or looping symbolic link, a name too long and a
  permission problem each get their own message (``paths.os_error_text``).

Every problem raises ``error`` (the caller's kind, e.g. ``DataError``), so a
command reports it with that kind's exit status.
"""

from __future__ import annotations

import os
import stat
import sys

from .errors import GradcliError, UsageError
from .numbers import memory
from .paths import STDIO, file_kind, os_error_text, shown_path

__all__ = ["read_limited"]

CHUNK = 1 << 20  # bytes per read


def read_limited(path, limit: int, error: type[GradcliError] = UsageError, *, what: str = "file",
                 not_found: str | None = None, hint: str | None = None, stdin: bool = False,
                 too_large: dict | None = None, head: bool = False) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit`` of them); ``error`` on any problem.

    ``what`` names the file in messages ("CSV file", "model file");
    ``not_found`` replaces the message for a missing file, and ``hint``
    goes with it; ``stdin=True`` lets ``-`` mean standard input; ``too_large``
    holds the facts of the error for a file over the limit (``hint``, ``setting``).
    With ``head=True`` a longer file is no error: its first ``limit`` bytes are
    returned (the header that says how large the rest is).
    """
    name = os.fspath(path)
    shown = shown_path(name)
    if name == "":
        raise error(f"the {what} name is empty", hint=f"give the path of a {what}")
    if name == STDIO:
        if not stdin:
            raise error(f"'-' (stdin) cannot be read as a {what} here", hint=f"give the path of a {what}")
        return _read_stdin(limit, error, what, too_large)
    info = _stat(name, shown, error, what, not_found, hint)
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{shown} is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{shown} is {file_kind(info.st_mode)}, not a regular file: gradcli reads a {what} only "
                    "from a regular file", hint="save the data to a file first"
                    + (", or give - to read it from stdin" if stdin else ""))
    if not head:
        _check_size(info.st_size, limit, shown, error, what, too_large)
    try:
        # O_NONBLOCK: if the path was swapped for a pipe since the check, opening must not wait for a writer
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise error(f"cannot read {shown}: {os_error_text(exc)}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(f"{shown} is not a regular file any more: it changed while gradcli opened it")
        data = _read_fd(fd, limit)
    except OSError as exc:
        raise error(f"cannot read {shown}: {os_error_text(exc)}") from None
    finally:
        os.close(fd)
    if head:
        return data[:limit]
    _check_size(len(data), limit, shown, error, what, too_large)
    return data


def _stat(name: str, shown: str, error, what: str, not_found: str | None, hint: str | None) -> os.stat_result:
    try:
        return os.stat(name)
    except FileNotFoundError:
        if os.path.islink(name):
            raise error(f"{shown} is a symbolic link to {os.readlink(name)}, which does not exist") from None
        raise error(not_found or f"no such file: {shown}", hint=hint, missing=name) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        cause = os_error_text(exc) if isinstance(exc, OSError) else "the name holds a NUL character"
        raise error(f"cannot read {shown}: {cause}") from None


def _check_size(size: int, limit: int, shown: str, error, what: str, facts: dict | None = None) -> None:
    if size > limit:
        measured = memory(size) if size != limit + 1 else f"more than {memory(limit)}"
        raise error(f"{shown} is {measured}; gradcli reads {what}s up to {memory(limit)}", **(facts or {}))


def _read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes from ``fd`` (the extra byte tells that there is more)."""
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_stdin(limit: int, error, what: str, too_large: dict | None = None) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise error(f"cannot read the {what} from stdin: stdin is closed")
    try:
        data = stream.read(limit + 1)
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        cause = os_error_text(exc) if isinstance(exc, OSError) else "stdin is closed"
        raise error(f"cannot read the {what} from stdin: {cause}") from None
    _check_size(len(data), limit, "stdin", error, what, too_large)
    return data
