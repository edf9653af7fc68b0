"""Writing files (gradcli.atomicfile): what each kind of path gets, and one exit rule for every failure.

Device nodes are made with mknod in a temporary folder (never on /dev): (1, 3) behaves as
/dev/null, (1, 7) as /dev/full.  Making them needs root; those tests are skipped otherwise.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import threading

import pytest

from gradcli.atomicfile import check_writable, write_bytes_atomic
from gradcli.errors import FileWriteError, GradcliError, ModelFileError, UsageError

NULL, FULL, LOOP = (1, 3), (1, 7), (7, 0)


def device(folder, name, numbers, kind=stat.S_IFCHR):
    path = folder / name
    try:
        os.mknod(path, kind | 0o666, os.makedev(*numbers))
    except PermissionError:
        pytest.skip("making device nodes needs root")
    return path


def failure(path, data=b"new", error=UsageError) -> GradcliError:
    with pytest.raises(GradcliError) as caught:
        write_bytes_atomic(str(path), data, error)
    return caught.value


def names(folder) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


# ---------------------------------------------------------------- devices and pipes (item 1)


def test_a_character_device_is_written_to_never_replaced(tmp_path):
    null = device(tmp_path, "null", NULL)
    write_bytes_atomic(str(null), b"a model nobody keeps")
    assert stat.S_ISCHR(null.stat().st_mode) and names(tmp_path) == ["null"]


def test_a_full_device_is_a_full_disk_exit_1(tmp_path):
    full = device(tmp_path, "full", FULL)
    error = failure(full, error=ModelFileError)
    assert isinstance(error, FileWriteError) and error.exit_code == 1
    assert str(error) == f"cannot write {full}: no space left on the device (the disk is full)"
    assert stat.S_ISCHR(full.stat().st_mode) and names(tmp_path) == ["full"]


def test_a_block_device_is_refused(tmp_path):
    disk = device(tmp_path, "disk", LOOP, stat.S_IFBLK)
    error = failure(disk)
    assert error.exit_code == 2 and "it is a block device (a disk or a partition)" in str(error)
    assert stat.S_ISBLK(disk.stat().st_mode)


def test_a_pipe_without_a_reader_is_refused_at_once(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = {}
    worker = threading.Thread(target=lambda: result.update(error=failure(pipe)), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "writing to a pipe nobody reads must not wait forever"
    assert result["error"].exit_code == 2 and str(result["error"]) == f"cannot write {pipe}: no process is reading from it"


def test_a_pipe_with_a_reader_gets_the_data(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    copy = tmp_path / "copy"
    with open(copy, "wb") as out:
        reader = subprocess.Popen(["cat", str(pipe)], stdout=out)
    try:
        for _ in range(100):  # wait until cat has the pipe open
            try:
                write_bytes_atomic(str(pipe), b"x" * 200_000)  # more than a pipe holds: the writer waits for cat
                break
            except UsageError:
                threading.Event().wait(0.05)
        reader.wait(timeout=10)
    finally:
        reader.kill()
    assert copy.read_bytes() == b"x" * 200_000 and stat.S_ISFIFO(pipe.stat().st_mode)


def test_an_open_file_link_is_appended_to_not_replaced(tmp_path):
    log = tmp_path / "stdout.txt"
    with open(log, "w") as handle:
        handle.write("printed before\n")
        handle.flush()
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{handle.fileno()}")  # what /dev/stdout is, redirected to a file
        inode = log.stat().st_ino
        write_bytes_atomic(str(link), b"the model\n")
    assert log.read_text() == "printed before\nthe model\n" and log.stat().st_ino == inode


# ---------------------------------------------------------------- a file keeps what it was (item 3)


def test_a_private_file_stays_private(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old")
    target.chmod(0o600)
    write_bytes_atomic(str(target), b"new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_owner_and_group_are_kept(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    target = tmp_path / "model.json"
    target.write_text("old")
    os.chown(target, 1234, 5678)
    write_bytes_atomic(str(target), b"new")
    info = target.stat()
    assert (info.st_uid, info.st_gid) == (1234, 5678) and target.read_text() == "new"


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    write_bytes_atomic(str(link), b"new")
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert names(tmp_path) == ["link.json", "real.json"]


def test_a_dangling_symbolic_link_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    write_bytes_atomic(str(link), b"new")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "new"


def test_hard_links_stay_one_file(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old and longer than the new content")
    os.link(first, second)
    write_bytes_atomic(str(first), b"new")
    assert second.read_text() == "new" and first.stat().st_nlink == 2
    assert first.stat().st_ino == second.stat().st_ino and names(tmp_path) == ["a.json", "b.json"]


def test_a_failed_in_place_update_names_the_complete_copy(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old")
    os.link(first, second)
    real_ftruncate = os.ftruncate

    def disk_full(fd, length):
        if os.fstat(fd).st_ino == first.stat().st_ino:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_ftruncate(fd, length)

    monkeypatch.setattr(os, "ftruncate", disk_full)
    error = failure(first)
    kept = [name for name in names(tmp_path) if name.endswith(".tmp")]
    assert isinstance(error, FileWriteError) and len(kept) == 1
    assert str(error).endswith(f"the complete new content is in {tmp_path / kept[0]}")
    assert (tmp_path / kept[0]).read_bytes() == b"new"


# ---------------------------------------------------------------- names that cannot be written (item 20)


@pytest.mark.parametrize("name, message, hint", [
    ("", "cannot write to an empty file name", "give a file name, e.g. out.json"),
    ("-", "cannot write '-': this file is written by name, not to stdout", "give a file name (./- for a file named '-')"),
    ("new.json/", "cannot write new.json/: a name ending in '/' names a folder", "write the file new.json without the '/'"),
])
def test_names_that_are_not_files(tmp_path, monkeypatch, name, message, hint):
    monkeypatch.chdir(tmp_path)
    error = failure(name)
    assert (str(error), error.hint, error.exit_code) == (message, hint, 2)
    assert names(tmp_path) == []  # in particular no file named '-' or 'new.json'


def test_an_existing_file_with_a_trailing_slash_is_not_written(tmp_path):
    target = tmp_path / "m.json"
    target.write_text("old")
    error = failure(f"{target}/")
    assert "a name ending in '/' names a folder" in str(error) and target.read_text() == "old"


def test_a_name_too_long_says_so(tmp_path):
    error = failure(tmp_path / ("a" * 300 + ".json"))
    assert error.exit_code == 2 and str(error).endswith(": the file name is too long (at most 255 bytes a name)")
    assert "…" in str(error) and len(str(error)) < 300  # the name is shown cut in the middle


def test_a_symlink_loop_says_so(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    error = failure(tmp_path / "a")
    assert str(error) == f"cannot write {tmp_path / 'a'}: too many levels of symbolic links (a symlink loop?)"


def test_a_read_only_file_system_says_so(tmp_path, monkeypatch):
    """Simulated: os.access refuses and statvfs reports the read-only flag (see also the mounted test)."""
    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(os, "access", lambda path, mode: False)
    monkeypatch.setattr(os, "statvfs", lambda path: ReadOnly())
    error = failure(tmp_path / "m.json")
    assert (str(error), error.exit_code) == (f"cannot write {tmp_path / 'm.json'}: the file system is read-only", 2)


@pytest.fixture
def mounted(tmp_path):
    """Mount a small tmpfs at tmp_path/mnt with the given options; skipped where mounting is not allowed."""
    mounts = []

    def mount(options: str):
        point = tmp_path / f"mnt{len(mounts)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", str(point)], capture_output=True)


def test_a_mounted_read_only_file_system(mounted):
    point = mounted("ro,size=64k")
    error = failure(point / "m.json")
    assert (str(error), error.exit_code) == (f"cannot write {point / 'm.json'}: the file system is read-only", 2)


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file(mounted):
    point = mounted("size=64k")
    target = point / "m.json"
    target.write_text("old")
    error = failure(target, b"x" * 200_000, ModelFileError)
    assert isinstance(error, FileWriteError) and error.exit_code == 1 and "the disk is full" in str(error)
    assert target.read_text() == "old" and names(point) == ["m.json"]


def test_check_writable_reports_what_writing_would(tmp_path):
    with pytest.raises(UsageError, match="the folder .* does not exist"):
        check_writable(tmp_path / "no" / "m.json")
    check_writable(tmp_path / "m.json")
    assert names(tmp_path) == []
