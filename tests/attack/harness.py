"""Run one hostile command line as a real ``gradcli`` process and judge whether it was handled cleanly.

A ``Case`` is data: the command line, what to set up in a fresh folder first
(files, FIFOs, device nodes made with ``mknod``, symlinks), the environment,
what stdin and stdout are, a signal to send at an observable moment, limits
(a timeout, an address-space cap set with ``setrlimit`` in the child), and the
outcome the issue demands.  ``run_case`` returns an ``Outcome``; its
``problems`` are empty when the case is clean.

Every case, whatever it expects, must also: finish before its timeout, print
no Python traceback and no "internal error", leave no process of its own
running, leave no temporary file of an atomic write behind, and (outside a
terminal) write no raw control characters to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pty
import re
import shutil
import signal as signals
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
GUARD = "guard"  # the item of a case the audit found handled cleanly: kept so that it stays so
MEMORY_MB = 2048
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "urandom": (1, 9)}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x9b]")  # raw terminal control characters (tab and newline allowed)


# -- what a case sets up -----------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    """A copy of a file made once per run (``assets``): a trained model, a dataset."""
    name: str


@dataclass(frozen=True)
class Derived:
    """An asset (a model file's JSON) changed by ``change(document) -> text``: hostile model files."""
    name: str
    change: Callable


@dataclass(frozen=True)
class Sparse:
    """A file of ``size`` bytes that takes no disk space (a size check must refuse it unread)."""
    size: int


@dataclass(frozen=True)
class Fifo:
    """A named pipe; ``drain``: something reads what is written to it (an output FIFO)."""
    drain: bool = False


@dataclass(frozen=True)
class Device:
    """A character device node (``null``, ``zero``, ``full``, ``urandom``) made in the folder with mknod."""
    kind: str


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (a name in the folder, or any path)."""
    target: str


@dataclass(frozen=True)
class HardLink:
    target: str


@dataclass(frozen=True)
class Folder:
    pass


@dataclass(frozen=True)
class Signal:
    """Send ``signum`` ``after`` seconds, or as soon as ``when`` (a regex) appears on stdout or stderr.

    SIGINT goes to the whole process group (as a terminal sends Ctrl-C); other
    signals go to gradcli's process only (as ``kill PID`` does).
    """
    signum: int
    after: float | None = None
    when: str | None = None


@dataclass(frozen=True)
class Keys:
    """For a run in a pseudo-terminal: wait for ``wait`` (regex) or ``pause`` seconds, then type ``send``."""
    send: bytes
    wait: str | None = None
    pause: float = 0.0


@dataclass
class Case:
    item: str               # the item ("1", "20.usage") or GUARD
    category: str
    name: str
    argv: tuple             # after `gradcli`; "{d}" stands for the case's folder
    files: dict = field(default_factory=dict)    # name -> text | bytes | Asset | Derived | Sparse | Fifo | ...
    modes: dict = field(default_factory=dict)    # name -> permission bits set after the files are made
    env: dict = field(default_factory=dict)
    stdin: object = None    # None (empty), bytes, "closed", or the name of a file in the folder
    stdout: str = "pipe"    # "pipe", "closed", "head" (read a line or 64 KB, then close: a broken pipe), or a file name
    signal: Signal | None = None
    keys: tuple = ()        # run in a pseudo-terminal and type these (explore)
    timeout: float = 20.0
    memory_mb: int = MEMORY_MB
    # what the issue demands
    status: tuple = (0,)
    stderr: str | None = None      # a regex that must be found (case-insensitive)
    stdout_has: str | None = None
    stderr_not: str | None = None  # a regex that must not be found
    stdout_not: str | None = None
    unchanged: tuple = ()           # files whose bytes, kind and mode must stay as they were
    strict_json: bool = False       # stdout must be JSON without NaN or Infinity (or empty after an error)
    width: int | None = None        # no stdout line wider than this
    checks: tuple = ()              # functions (folder, outcome) -> a problem (str) or None
    agree: str | None = None        # every case of this group must exit with the same status
    quick: bool = False             # part of the fast subset (`--quick`, tests/test_attack.py)

    @property
    def label(self) -> str:
        return f"[{self.item}] {self.category}: {self.name}"

    def command(self, folder: Path) -> list[str]:
        return [arg.replace("{d}", str(folder)) if isinstance(arg, str) else str(arg) for arg in self.argv]


@dataclass
class Outcome:
    case: Case
    status: int | None
    stdout: str
    stderr: str
    seconds: float
    problems: list[str]

    @property
    def clean(self) -> bool:
        return not self.problems


# -- setting up ------------------------------------------------------------------------------


def make_assets(folder: Path, cases=None) -> Path:
    """Files several cases copy: models trained by this gradcli, small datasets (only those ``cases`` use)."""
    folder.mkdir(parents=True, exist_ok=True)
    used = None if cases is None else {spec.name for one in cases for spec in one.files.values()
                                       if isinstance(spec, (Asset, Derived))}
    for name, argv in [("moons.json", ["train", "moons", "--steps", "20", "-q"]),
                       ("toy4.json", ["train", "toy4", "--steps", "20", "-q"]),
                       ("blobs.json", ["train", "blobs", "--classes", "4", "--steps", "20", "-q"])]:
        if (used is None or name in used) and not (folder / name).exists():
            done = subprocess.run([sys.executable, "-m", "gradcli", *argv, "--save", str(folder / name)],
                                  env=_environment({}), capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                raise RuntimeError(f"could not make the asset {name}: {done.stderr}")
    (folder / "data.csv").write_text("x1,x2,y\n" + "".join(f"{i % 7 / 3:.3f},{i % 5 / 2:.3f},{i % 2}\n"
                                                           for i in range(40)))
    (folder / "inputs.csv").write_text("x1,x2\n" + "".join(f"{i / 10},{-i / 10}\n" for i in range(20)))
    return folder


def set_up(case: Case, folder: Path, assets: Path) -> list:
    """Make the case's files in ``folder``; returns threads to stop afterwards (FIFO readers)."""
    helpers = []
    for name, spec in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, str):
            path.write_text(spec)
        elif isinstance(spec, bytes):
            path.write_bytes(spec)
        elif isinstance(spec, Asset):
            shutil.copyfile(assets / spec.name, path)
        elif isinstance(spec, Derived):
            path.write_text(spec.change(json.loads((assets / spec.name).read_text())))
        elif isinstance(spec, Sparse):
            with open(path, "wb") as sparse:
                sparse.truncate(spec.size)
        elif isinstance(spec, Fifo):
            os.mkfifo(path)
            if spec.drain:
                helpers.append(_drain(path))
        elif isinstance(spec, Device):
            major, minor = DEVICES[spec.kind]
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        elif isinstance(spec, Link):
            os.symlink(spec.target, path)
        elif isinstance(spec, HardLink):
            os.link(folder / spec.target, path)
        elif isinstance(spec, Folder):
            path.mkdir(exist_ok=True)
        else:
            raise TypeError(f"{case.label}: cannot make {name} from {spec!r}")
    for name, mode in case.modes.items():
        os.chmod(folder / name, mode)
    return helpers


def _drain(path: Path):
    """A thread that reads a FIFO until its writer closes it."""
    def read():
        with open(path, "rb") as fifo:
            while fifo.read(65536):
                pass

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return path, thread


def _release(helper) -> None:
    """Let a FIFO reader that nobody wrote to go: open the writing end once (it then reads end-of-file)."""
    path, thread = helper
    if thread.is_alive():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        thread.join(2)


def snapshot(path: Path):
    """What "unchanged" compares: the kind of file, its mode, link count, target and bytes."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path), snapshot_target(path))
    if stat.S_ISREG(info.st_mode):
        return ("file", stat.S_IMODE(info.st_mode), info.st_nlink, path.read_bytes())
    return ("other", stat.S_IFMT(info.st_mode), info.st_rdev)


def snapshot_target(path: Path):
    try:
        return path.read_bytes()
    except OSError:
        return None


# -- running -----------------------------------------------------------------------------------


def _environment(extra: dict) -> dict:
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    env.pop("GRADCLI_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_case(case: Case, assets: Path) -> Outcome:
    """Set the case up in a fresh folder, run it, judge it, clean up."""
    folder = Path(tempfile.mkdtemp(prefix="gradcli-attack-"))
    try:
        helpers = set_up(case, folder, assets)
        before = {name: snapshot(folder / name) for name in case.unchanged}
        started = time.monotonic()
        if case.keys:
            status, out, err, problems = _run_in_terminal(case, folder)
        else:
            status, out, err, problems = _run_piped(case, folder)
        seconds = time.monotonic() - started
        for helper in helpers:
            _release(helper)
        outcome = Outcome(case, status, out, err, seconds, problems)
        outcome.problems += judge(case, outcome, folder, before)
        return outcome
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The child sets its own limits, closes what the case closes, then becomes gradcli (no preexec_fn: threads run here).
_LAUNCHER = """
import os, resource, sys
limit, close = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
for fd in (0, 1):
    if str(fd) in close:
        os.close(fd)
os.execv(sys.executable, [sys.executable, "-m", "gradcli", *sys.argv[3:]])
"""


def _launch(case: Case, folder: Path) -> list[str]:
    """The command that runs ``gradcli`` for ``case`` under its memory cap, with stdin or stdout closed if asked."""
    close = ("0" if case.stdin == "closed" else "") + ("1" if case.stdout == "closed" else "")
    return [sys.executable, "-c", _LAUNCHER, str(case.memory_mb * 2**20), close or "-", *case.command(folder)]


def _run_piped(case: Case, folder: Path):
    problems = []
    stdin = subprocess.DEVNULL
    if isinstance(case.stdin, bytes):
        stdin = subprocess.PIPE
    elif isinstance(case.stdin, str) and case.stdin != "closed":
        stdin = open(folder / case.stdin, "rb")
    stdout = subprocess.PIPE if case.stdout in ("pipe", "head") else subprocess.DEVNULL
    if case.stdout not in ("pipe", "head", "closed"):
        stdout = open(folder / case.stdout, "wb")
    process = subprocess.Popen(_launch(case, folder), cwd=folder, env=_environment(case.env), stdin=stdin,
                               stdout=stdout, stderr=subprocess.PIPE, start_new_session=True)
    out, err = bytearray(), bytearray()
    readers = [_reader(process.stderr, err)]
    if process.stdout is not None:
        readers.append(_reader(process.stdout, out, first_line_only=case.stdout == "head"))
    if isinstance(case.stdin, bytes):
        threading.Thread(target=_feed, args=(process.stdin, case.stdin), daemon=True).start()
    status = _wait(process, case, out, err, problems)
    for reader in readers:
        reader.join(5)
    for handle in (stdin, stdout):
        if hasattr(handle, "close"):
            handle.close()
    problems += _left_running(process.pid)
    return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), problems


def _reader(stream, sink: bytearray, first_line_only: bool = False):
    def read():
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            sink.extend(chunk)
            if first_line_only and (b"\n" in sink or len(sink) >= 65536):  # as `head -1`, or `head -c 64K`
                break
        stream.close()  # for "head": the reader goes away, the next write meets a broken pipe

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except OSError:  # gradcli stopped reading: that may well be right
        pass


def _wait(process, case: Case, out: bytearray, err: bytearray, problems: list) -> int | None:
    """Wait for the process, sending the case's signal on time; kill it at the timeout."""
    started = time.monotonic()
    sent = case.signal is None
    while True:
        status = process.poll()
        if status is not None:
            return _status(status)
        elapsed = time.monotonic() - started
        if not sent:
            due = case.signal.after is not None and elapsed >= case.signal.after
            seen = case.signal.when is not None and re.search(case.signal.when, (out + err).decode("utf-8", "replace"))
            if due or seen:
                _send(process.pid, case.signal.signum)
                sent = True
        if elapsed > case.timeout:
            _kill_group(process.pid)
            process.wait(10)
            problems.append(f"still running after {case.timeout:g} s (killed)")
            return None
        time.sleep(0.005)


def _send(pid: int, signum: int) -> None:
    try:
        if signum == signals.SIGINT:
            os.killpg(pid, signum)  # the process group, as a terminal sends Ctrl-C
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _status(returncode: int) -> int:
    """The shell's view of an exit status: 128 + N for a process killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signals.SIGKILL)
    except ProcessLookupError:
        pass


def _group_members(pgid: int) -> list[str]:
    """Live processes (not zombies) of the process group ``pgid``: ``pid command``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name_end = text.rfind(")")
        fields = text[name_end + 2:].split()
        if fields and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(f"{entry.name} {text[text.find('(') + 1:name_end]}")
    return members


def _left_running(pgid: int) -> list[str]:
    """A problem when gradcli left a child running (its process group outlives it)."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        members = _group_members(pgid)
        if not members:
            return []
        time.sleep(0.1)
    _kill_group(pgid)
    return [f"left processes running: {', '.join(members)}"]


def _run_in_terminal(case: Case, folder: Path):
    """Run in a pseudo-terminal of 100x30, typing the case's keys; stdout and stderr are the terminal."""
    import fcntl
    import termios

    problems = []
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = _environment({"TERM": "xterm-256color", "COLUMNS": None, "LINES": None, **case.env})
    stdin = slave
    if case.stdin == "closed":
        stdin = subprocess.DEVNULL  # and closed in the child
    process = subprocess.Popen(_launch(case, folder), cwd=folder, env=env, stdin=stdin, stdout=slave, stderr=slave,
                               start_new_session=True)
    os.close(slave)
    screen = bytearray()

    def read():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    for key in case.keys:
        while key.wait and not re.search(key.wait, screen.decode("utf-8", "replace")):
            if process.poll() is not None or time.monotonic() - started > case.timeout:
                break
            time.sleep(0.05)
        time.sleep(key.pause)
        if process.poll() is None:
            os.write(master, key.send)
    status = _wait(process, case, bytearray(), bytearray(), problems)
    reader.join(2)
    os.close(master)
    problems += _left_running(process.pid)
    text = screen.decode("utf-8", "replace")
    return status, text, text, problems


# -- judging ---------------------------------------------------------------------------------------


def judge(case: Case, outcome: Outcome, folder: Path, before: dict) -> list[str]:
    """The ways the outcome differs from what the case demands (empty: clean)."""
    problems = []
    out, err = outcome.stdout, outcome.stderr
    if outcome.status is not None and outcome.status not in case.status:
        problems.append(f"exit status {outcome.status}, expected {' or '.join(map(str, case.status))}")
    if "Traceback (most recent call last)" in out + err:
        problems.append("a Python traceback")
    if re.search(r"internal error", err):
        problems.append("reported as an internal error: " + _first_line(err, "internal error"))
    if not case.keys and CONTROL.search(err):
        problems.append("raw control characters on stderr: " + repr(CONTROL.search(err).group()))
    if case.stderr and not re.search(case.stderr, err, re.I | re.S):
        problems.append(f"stderr lacks /{case.stderr}/: {_tail(err)}")
    if case.stdout_has and not re.search(case.stdout_has, out, re.I | re.S):
        problems.append(f"stdout lacks /{case.stdout_has}/: {_tail(out)}")
    if case.stderr_not and re.search(case.stderr_not, err, re.I | re.S):
        problems.append(f"stderr has /{case.stderr_not}/: {_tail(err)}")
    if case.stdout_not and re.search(case.stdout_not, out, re.I | re.S):
        problems.append(f"stdout has /{case.stdout_not}/")
    for name, was in before.items():
        if snapshot(folder / name) != was:
            problems.append(f"{name} changed")
    leftovers = [path.name for path in folder.rglob(".*.tmp")]
    if leftovers:
        problems.append(f"temporary files left behind: {', '.join(leftovers)}")
    if case.strict_json and (outcome.status == 0 or out.strip()):
        problems += _strict_json_problems(out)
    if case.width:
        wide = [line for line in out.splitlines() if _cells(line) > case.width]
        if wide:
            problems.append(f"{len(wide)} lines wider than {case.width} columns")
    for check in case.checks:
        found = check(folder, outcome)
        if found:
            problems.append(found)
    return problems


def _strict_json_problems(text: str) -> list[str]:
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as error:
        return [f"stdout is not strict JSON ({str(error)[:80]})"]
    return []


def _cells(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line)


def _first_line(text: str, containing: str) -> str:
    return next((line for line in text.splitlines() if containing in line), "")[:160]


def _tail(text: str) -> str:
    text = " | ".join(line.strip() for line in text.strip().splitlines()[-3:])
    return repr(text[-200:]) if text else "(empty)"


def agreement_problems(outcomes: list[Outcome]) -> None:
    """Cases of one ``agree`` group must end alike: add a problem to each when their statuses differ."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.case.agree:
            groups.setdefault(outcome.case.agree, []).append(outcome)
    for name, members in groups.items():
        statuses = {outcome.status for outcome in members}
        if len(statuses) > 1:
            listing = ", ".join(f"{outcome.case.name}: {outcome.status}" for outcome in members)
            for outcome in members:
                outcome.problems.append(f"'{name}' ends differently across commands ({listing})")


# -- checks a case can add ---------------------------------------------------------------------------


def is_device(name: str):
    def check(folder: Path, outcome: Outcome):
        info = os.lstat(folder / name) if os.path.lexists(folder / name) else None
        if info is None or not stat.S_ISCHR(info.st_mode):
            return f"{name} is no longer a device node"
        return None
    return check


def is_fifo(name: str):
    def check(folder: Path, outcome: Outcome):
        if not os.path.lexists(folder / name) or not stat.S_ISFIFO(os.lstat(folder / name).st_mode):
            return f"{name} is no longer a FIFO"
        return None
    return check


def has_mode(name: str, mode: int):
    def check(folder: Path, outcome: Outcome):
        found = stat.S_IMODE(os.stat(folder / name).st_mode) if (folder / name).exists() else None
        return None if found == mode else f"{name} has mode {oct(found) if found is not None else 'none'}, " \
                                          f"expected {oct(mode)}"
    return check


def is_link_to(name: str, target: str):
    def check(folder: Path, outcome: Outcome):
        if not (folder / name).is_symlink():
            return f"{name} is no longer a symbolic link"
        return None if os.readlink(folder / name) == target else f"{name} points elsewhere now"
    return check


def links(name: str, count: int):
    def check(folder: Path, outcome: Outcome):
        found = os.stat(folder / name).st_nlink if (folder / name).exists() else 0
        return None if found == count else f"{name} has {found} hard links, expected {count}"
    return check


def json_file(name: str):
    """The file exists and is complete, strict JSON."""
    def check(folder: Path, outcome: Outcome):
        path = folder / name
        if not path.is_file():
            return f"{name} was not written"
        problems = _strict_json_problems(path.read_text(errors="replace"))
        return f"{name}: {problems[0]}" if problems else None
    return check


def complete_csv(name: str, rows: int | None = None):
    def check(folder: Path, outcome: Outcome):
        path = folder / name
        if not path.is_file():
            return f"{name} was not written"
        text = path.read_text(errors="replace")
        if not text.endswith("\n"):
            return f"{name} ends in the middle of a line"
        if rows is not None and len(text.splitlines()) - 1 < rows:
            return f"{name} has {len(text.splitlines()) - 1} rows, expected at least {rows}"
        return None
    return check


def absent(name: str):
    def check(folder: Path, outcome: Outcome):
        return f"{name} was created" if os.path.lexists(folder / name) else None
    return check


def faster_than(seconds: float):
    def check(folder: Path, outcome: Outcome):
        return None if outcome.seconds <= seconds else f"took {outcome.seconds:.1f} s (more than {seconds:g} s)"
    return check


def with_case(case: Case, **changes) -> Case:
    return dataclasses.replace(case, **changes)
