"""Files written whole or not at all, without harming what the path names.

Every file gradcli writes (model files, plots, pictures, logs, CSV exports)
goes through ``write_bytes_atomic`` / ``write_text_atomic``; ``check_writable``
lets a command fail on a bad path before it spends time training or rendering.
What a path names decides how it is written:

- a new or existing **regular file** is written to a temporary file in the
  same folder, flushed and synced, then renamed over the target: a reader
  (or a run interrupted with Ctrl-C, or a full disk) sees the old file or the
  complete new one, never half of one.  An existing file keeps its
  permissions (a private 0600 model stays private) and, where the system
  allows, its owner and group;
- a **symbolic link** is written through: the link stays, the file it points
  to is replaced as above (a dangling link creates its target);
- a file with **other hard links** is updated in place, so that every name
  keeps showing the same file: the complete new content is first written to a
  temporary file (so a full disk fails before the target is touched), then
  copied over the target, and the temporary file removed.  If that copy
  fails (or is interrupted), the temporary file with the new content is
  kept, and the message names it;
- a **character device** (``/dev/null``: "no log") or a **named pipe** is
  written directly: it is never replaced by a regular file.  A pipe must
  already have a reader; a full device (``/dev/full``) is a full disk;
- an **open-file link** (``/dev/stdout``, ``/dev/fd/N``) that leads to a
  regular file is appended to, as the shell's redirection would be;
- a **block device** (a disk) or a **socket** is refused, as is ``-`` (a
  command that lets ``-`` mean stdout handles it before calling here), an
  empty name and a name ending in ``/``.

Exit statuses, one rule for every writer: a path that cannot be written (no
such folder, a folder, permission denied, a read-only file system, a name too
long, a symlink loop, a pipe nobody reads) raises the ``error`` kind the
caller gives, a usage error (exit 2) for every writer in gradcli; a failure
while writing to a good path (the disk is full, an I/O error) raises
``FileWriteError`` (exit 1).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import FileWriteError, GradcliError, UsageError
from .paths import STDIO, file_kind, os_error_text, shown_path

__all__ = ["check_writable", "write_text_atomic", "write_bytes_atomic"]

# errors that say the path cannot be written (the user picks another): the caller's kind, exit 2
_PATH_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR,
                errno.ENOENT, errno.EISDIR, errno.ENXIO, errno.ETXTBSY}
_OPEN_FILE_LINK = re.compile(r"/proc/[^/]+/fd/|/dev/fd/")  # the links to a process's open files
TEMP_NAME_CHARACTERS = 100  # the target's name in its temporary file's name is cut to this many characters


@dataclass(frozen=True)
class _Target:
    """How ``path`` is written: kind is "file" (temp + rename), "linked" (in place), "device", "pipe" or "open"."""

    path: str        # what to open (for a regular file: the file itself, symbolic links resolved)
    kind: str
    info: os.stat_result | None  # None for a new file


def check_writable(path, error: type[GradcliError] = UsageError) -> None:
    """Fail fast, before a long run, when ``path`` cannot be written; ``error`` is the kind to raise."""
    _target(path, error)


def write_text_atomic(path, text: str, error: type[GradcliError] = UsageError) -> None:
    """Write ``text`` (UTF-8) to ``path``; see ``write_bytes_atomic``."""
    write_bytes_atomic(path, text.encode("utf-8"), error)


def write_bytes_atomic(path, data: bytes, error: type[GradcliError] = UsageError) -> None:
    """Write ``data`` to ``path`` whole or not at all, in the way that fits what ``path`` names (module docstring).

    ``error`` for a path that cannot be written, ``FileWriteError`` for a
    failure while writing (the disk is full); either way an existing file is
    left as it was.
    """
    target = _target(path, error)
    shown = shown_path(os.fspath(path))
    if target.kind in ("device", "pipe", "open"):
        _write_directly(target, data, shown, error)
    elif target.kind == "linked":
        _write_in_place(target, data, shown, error)
    else:
        _write_and_rename(target, data, shown, error)


# ---------------------------------------------------------------- what the path names


def _target(path, error) -> _Target:
    name = os.fspath(path)
    shown = shown_path(name)
    if name == "":
        raise error("cannot write to an empty file name", hint="give a file name, e.g. out.json")
    if name == STDIO:
        raise error("cannot write '-': this file is written by name, not to stdout",
                    hint="give a file name (./- for a file named '-')")
    if name.endswith(("/", os.sep)) and not os.path.isdir(name):
        raise error(f"cannot write {shown}: a name ending in '/' names a folder",
                    hint=f"write the file {shown_path(name.rstrip('/' + os.sep))} without the '/'")
    try:
        info = os.stat(name)
    except FileNotFoundError:
        return _new_file(name, shown, error)
    except OSError as exc:
        raise _refusal(exc, name, shown, error) from None
    except ValueError:  # a NUL byte in the name
        raise error(f"cannot write {shown!r}: a file name cannot hold a NUL character") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        example = os.path.join(name, "model.json")
        raise error(f"{shown} is a folder: give a file name such as {shown_path(example)}")
    if stat.S_ISCHR(mode):
        return _Target(name, "device", info)
    if stat.S_ISFIFO(mode):
        return _Target(name, "pipe", info)
    if not stat.S_ISREG(mode):  # a block device, a socket
        raise error(f"cannot write {shown}: it is {file_kind(mode)}; gradcli writes regular files, "
                    "character devices such as /dev/null, and named pipes")
    if _leads_through_open_file_link(name):
        return _Target(name, "open", info)  # e.g. /dev/stdout redirected to a file: append, as the shell would
    real = os.path.realpath(name)
    _check_folder(os.path.dirname(real) or ".", shown, error)
    if not os.access(real, os.W_OK):
        raise error(f"cannot write {shown}: {_denial(real)}")
    return _Target(real, "linked" if info.st_nlink > 1 else "file", info)


def _new_file(name: str, shown: str, error) -> _Target:
    """A path where no file is yet (or a symbolic link to such a place): its folder must take a new file."""
    real = os.path.realpath(name) if os.path.islink(name) else name
    folder = os.path.dirname(real) or "."
    if not os.path.isdir(folder):
        shown_folder = shown_path(folder)
        if os.path.lexists(folder):
            raise error(f"cannot write {shown}: {shown_folder} is not a folder")
        raise error(f"cannot write {shown}: the folder {shown_folder} does not exist", hint="create it first")
    _check_folder(folder, shown, error)
    limit = _name_max(folder)
    if len(os.fsencode(os.path.basename(real))) > limit:
        raise error(f"cannot write {shown}: the file name is too long (at most {limit} bytes a name)")
    return _Target(real, "file", None)


def _check_folder(folder: str, shown: str, error) -> None:
    """The folder must take a temporary file (the rename needs one next to the target)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"cannot write {shown}: {_denial(folder)}")


def _denial(path: str) -> str:
    """Why ``path`` refuses writing: a read-only file system, or permission."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "the file system is read-only"
    except (OSError, AttributeError):  # AttributeError: a system without statvfs
        pass
    return "permission denied" + (" (the folder is not writable)" if os.path.isdir(path) else "")


def _name_max(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # AttributeError: a system without pathconf
        return 255


def _refusal(exc: OSError, name: str, shown: str, error) -> GradcliError:
    """The path cannot even be looked up: a name too long, a symlink loop, a file used as a folder."""
    cause = os_error_text(exc)
    if exc.errno == errno.ENAMETOOLONG:
        cause += f" (at most {_name_max(os.path.dirname(name) or '.')} bytes a name)"
    return error(f"cannot write {shown}: {cause}")


def _leads_through_open_file_link(name: str) -> bool:
    """Whether ``name`` is, or links to, an entry of /proc/PID/fd or /dev/fd (such as /dev/stdout)."""
    path = os.path.abspath(name)
    for _ in range(40):  # the system's own limit on links followed is about this
        if _OPEN_FILE_LINK.match(path):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return False


def _failure(exc: OSError, shown: str, error, kept: str | None = None) -> GradcliError:
    """A path problem -> ``error``; a failure while writing (disk full, I/O) -> ``FileWriteError``."""
    kind = error if exc.errno in _PATH_ERRORS else FileWriteError
    message = f"cannot write {shown}: {os_error_text(exc)}"
    if kept:
        message += f"; the complete new content is in {kept}"
    return kind(message, hint="free some space and run again" if exc.errno == errno.ENOSPC else None)


# ---------------------------------------------------------------- the three ways of writing


def _write_and_rename(target: _Target, data: bytes, shown: str, error) -> None:
    """A temporary file in the same folder, synced, given the old file's mode and owner, renamed over it."""
    tmp = _temporary_copy(target, data, shown, error)
    with _removed_on_failure(tmp, shown, error):
        _keep_mode_and_owner(tmp, target.info)
        os.replace(tmp, target.path)
    _sync_folder(os.path.dirname(target.path) or ".")


def _write_in_place(target: _Target, data: bytes, shown: str, error) -> None:
    """A file with other hard links: a complete temporary copy first, then the target overwritten in place."""
    tmp = _temporary_copy(target, data, shown, error)
    try:
        fd = os.open(target.path, os.O_WRONLY)
    except OSError as exc:
        _remove_quietly(tmp)
        raise _failure(exc, shown, error) from None
    try:
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    except OSError as exc:
        raise _failure(exc, shown, error, kept=tmp) from None  # the target may be damaged: keep the new content
    finally:
        os.close(fd)
    _remove_quietly(tmp)


def _write_directly(target: _Target, data: bytes, shown: str, error) -> None:
    """A device, a pipe or an open file: opened and written as it is, never replaced."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    if target.kind == "pipe":
        flags |= getattr(os, "O_NONBLOCK", 0)  # no reader: fail at once (ENXIO) instead of waiting forever
    if target.kind == "open":
        flags |= os.O_APPEND
    try:
        fd = os.open(target.path, flags)
    except OSError as exc:
        raise _failure(exc, shown, error) from None
    try:
        if target.kind == "pipe":  # a reader is there: from now on, wait for it as any writer to a pipe does
            os.set_blocking(fd, True)
        _write_all(fd, data)
    except OSError as exc:
        raise _failure(exc, shown, error) from None
    finally:
        os.close(fd)


def _temporary_copy(target: _Target, data: bytes, shown: str, error) -> str:
    """The complete ``data`` in a new temporary file next to the target, synced to disk; its path."""
    folder = os.path.dirname(target.path) or "."
    prefix = f".{os.path.basename(target.path)[:TEMP_NAME_CHARACTERS]}."
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _failure(exc, shown, error) from None
    with _removed_on_failure(tmp, shown, error):
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    return tmp


@contextmanager
def _removed_on_failure(tmp: str, shown: str, error):
    """Run the block; if it fails in any way (Ctrl-C too), remove ``tmp``; an ``OSError`` is worded (``_failure``)."""
    try:
        yield
    except OSError as exc:
        _remove_quietly(tmp)
        raise _failure(exc, shown, error) from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _keep_mode_and_owner(tmp: str, old: os.stat_result | None) -> None:
    """A new file gets the usual mode (umask); a replaced one its old mode, owner and group where allowed."""
    if old is None:
        os.chmod(tmp, _default_mode())  # mkstemp makes 0600; a new file gets the usual permissions
        return
    if (old.st_uid, old.st_gid) != _owner(tmp):
        for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):  # root keeps both; others perhaps the group
            try:
                os.chown(tmp, uid, gid)
                break
            except OSError:
                continue
    os.chmod(tmp, stat.S_IMODE(old.st_mode))  # after chown, which may clear set-id bits


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def _default_mode() -> int:
    """The mode a new file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every system lets a folder be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
