"""Files written whole or not at all: a temporary file in the same folder, then a rename.

Every file gradcli writes (model files, plots, pictures, logs, CSV exports)
goes through ``write_bytes_atomic`` / ``write_text_atomic``: a reader (or a run
interrupted with Ctrl-C, or a full disk) sees the old file or the complete new
one, never half of one.  ``check_writable`` lets a command fail on a bad path
before it spends time training or rendering.  Each takes the kind of
``GradcliError`` to raise, so the message's exit status fits the command.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import GradcliError, UsageError

__all__ = ["check_writable", "write_text_atomic", "write_bytes_atomic"]


def check_writable(path, error: type[GradcliError] = UsageError) -> None:
    """Fail fast, before a long run, when ``path`` cannot be written; ``error`` is the kind to raise."""
    target = Path(path)
    folder = target.parent  # Path("model.json").parent is Path(".")
    if target.is_dir():
        raise error(f"{path} is a folder: give a file name such as {target / 'model.json'}")
    if not folder.is_dir():
        raise error(f"cannot write {path}: the folder {folder} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise error(f"cannot write {path}: permission denied")


def write_text_atomic(path, text: str, error: type[GradcliError] = UsageError) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see ``write_bytes_atomic``."""
    write_bytes_atomic(path, text.encode("utf-8"), error)


def write_bytes_atomic(path, data: bytes, error: type[GradcliError] = UsageError) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one; a failure
    (or Ctrl-C) removes the temporary file and leaves any old file as it was.
    """
    check_writable(path, error)
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise error(f"cannot write {path} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())  # mkstemp makes 0600; a saved file gets the usual permissions
        os.replace(tmp, target)
    except OSError as exc:
        _remove_quietly(tmp)
        raise error(f"cannot write {path} ({exc.strerror})") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _default_mode() -> int:
    """The mode a new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
