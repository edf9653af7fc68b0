"""Paths a person gives gradcli: what a path names, OS errors in words, and outputs kept apart from inputs.

``atomicfile`` (writing) and ``readfile`` (reading) word their failures with
``os_error_text`` and ``file_kind``, so that a symlink loop, a read-only file
system or a name too long each say what they are, the same way everywhere::

    >>> os_error_text(OSError(errno.ELOOP, "Too many levels of symbolic links"))
    'too many levels of symbolic links (a symlink loop?)'
    >>> file_kind(stat.S_IFIFO)
    'a named pipe (FIFO)'

``refuse_overlaps`` is the one check that no command writes over a file it
reads, or writes two outputs to one file.  Each path is given under the name
of its setting, so the message can name both options::

    refuse_overlaps(outputs={"save": "m.json", "log": "m.json"}, inputs={"dataset": "data.csv"})
    # UsageError: "{setting} m.json is the same file as {setting:save} m.json: ..." (CLI: --log ... --save)

Files are compared as the system sees them (device and inode), so another
spelling, a symbolic link or a hard link to an input is caught too.  Devices
and pipes are exempt: writing twice to ``/dev/null`` destroys nothing.
"""

from __future__ import annotations

import errno
import os
import stat

from .errors import UsageError

__all__ = ["os_error_text", "file_kind", "shown_path", "refuse_overlaps", "same_file", "STDIO"]

STDIO = "-"  # the path that means stdin or stdout, where an option says so
SHOWN_CHARACTERS = 200  # a longer path is cut in the middle in messages (a 300-character name)

_WORDS = {
    errno.ENOENT: "no such file or folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "the file would be larger than the file system allows",
    errno.EIO: "an input/output error (a failing disk or device?)",
    errno.EPIPE: "the process reading from it stopped reading",
    errno.ENXIO: "no process is reading from it",
    errno.ETXTBSY: "it is a program that is running",
}

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device (a disk or a partition)",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFREG: "a regular file",
}


def os_error_text(error: OSError) -> str:
    """The cause of an ``OSError`` in a few plain words (the system's own text for a rare one)."""
    words = _WORDS.get(error.errno)
    if words:
        return words
    return (error.strerror or str(error)).lower()


def file_kind(mode: int) -> str:
    """What a ``st_mode`` names: 'a regular file', 'a character device', 'a named pipe (FIFO)', ..."""
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


def shown_path(path: str) -> str:
    """``path`` for a message: cut in the middle when it is very long (a 300-character name)."""
    text = os.fspath(path)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    half = (SHOWN_CHARACTERS - 1) // 2
    return f"{text[:half]}…{text[-half:]} ({len(text)} characters)"


def same_file(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name the same regular file (existing or to be created)."""
    a, b = os.fspath(a), os.fspath(b)
    if STDIO in (a, b) or "" in (a, b):
        return False
    try:
        first, second = os.stat(a), os.stat(b)
    except (OSError, ValueError):  # one is not there yet (an output): compare where they lead
        return _resolved(a) == _resolved(b)
    if not (stat.S_ISREG(first.st_mode) and stat.S_ISREG(second.st_mode)):
        return False  # devices and pipes: writing twice to /dev/null destroys nothing
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _resolved(path: str) -> str:
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(path))


def refuse_overlaps(outputs: dict, inputs: dict | None = None, updates: frozenset = frozenset()) -> None:
    """``UsageError`` when an output (setting -> path, None if not given) is an input or another output.

    ``updates`` holds the (output, input) pairs that may be one file: an input read whole before
    anything is written, and an output of the same kind written atomically over it (a model trained
    further and saved where it came from).
    """
    given_outputs = [(name, path) for name, path in outputs.items() if path is not None]
    given_inputs = [(name, path) for name, path in (inputs or {}).items() if path is not None]
    for index, (name, path) in enumerate(given_outputs):
        for other, other_path in given_inputs:
            if (name, other) not in updates and same_file(path, other_path):
                raise UsageError(
                    f"{{setting}} {path} is the same file as {{setting:{other}}} {other_path}: "
                    "writing it would destroy what gradcli reads",
                    hint="give {setting} another file name", setting=name, value=path,
                )
        for other, other_path in given_outputs[:index]:
            if same_file(path, other_path):
                raise UsageError(
                    f"{{setting}} {path} is the same file as {{setting:{other}}} {other_path}: "
                    "each output needs a file of its own",
                    hint="give {setting} another file name", setting=name, value=path,
                )
