"""The hostile inputs of issue 10's audit, as data: one ``Case`` per command line and its demanded outcome.

Categories: a case that replays one of the issue's findings is filed under the
issue's heading for it (data loss and damage; wrong answers; unbounded reads,
memory and time; messages, terminals, stdio) and carries the item's number
(``"20.usage"`` for one part of item 20).  A case the audit found handled
cleanly is a guard (item ``"guard"``), filed under the surface its input comes
through (expressions, CSV files, model files, output paths, signals,
environment variables, explore), so that it stays clean; a problem this
catalogue found that the issue does not list is item ``"new"``.

Each expectation is what the issue demands, not what the code did when the case
was written: a finding's cases fail until the finding is fixed.
``FIXED`` lists the items whose cases the test suite runs
(tests/test_attack.py); add an item there when its fix is merged.
"""

from __future__ import annotations

import json
import signal

from .harness import (GUARD, Asset, Case, Derived, Device, Fifo, Folder, HardLink, Keys, Link, Signal, Sparse,
                      absent, complete_csv, faster_than, has_mode, is_device, is_fifo, is_link_to, json_file, links)

NEW = "new"  # the item of a finding made by this catalogue itself, not in issue 10
FIXED = {GUARD, NEW, *(str(number) for number in range(1, 22))}  # every item of issue 10 is fixed

DATA_LOSS = "data loss and damage"
WRONG = "wrong answers"
UNBOUNDED = "unbounded reads, memory and time"
MESSAGES = "messages, terminals, stdio"
EXPRESSIONS = "expressions"
CSV = "CSV files"
MODELS = "model files"
PATHS = "output paths"
SIGNALS = "signals"
ENVIRONMENT = "environment variables"
EXPLORE = "explore"
CATEGORIES = [DATA_LOSS, WRONG, UNBOUNDED, MESSAGES, EXPRESSIONS, CSV, MODELS, PATHS, SIGNALS, ENVIRONMENT, EXPLORE]

ERROR = r"(?m)^error: "
NO_BOX = r"╭|│|(?-i:Usage:)"  # Typer's boxed panel and its usage line
RAW_CONTROL = r"[\x1b\x07\x9b]"
TRAIN = ("train", "toy4", "--steps", "3", "-q")  # a quick training run (3 inputs x1..x3, labels -1/1)
MOONS = {"m.json": Asset("moons.json")}          # a model of moons (inputs x1, x2)
SUM_1000 = "+".join(["x"] * 1000)
SUM_500 = "+".join(["x"] * 500)  # graphviz-pure lays it out in about 7 s and 1 GB: time to send a signal
SUM_200 = "+".join(["x"] * 200)
NOT_REGULAR = r"(?m)^error: .*(not a regular file|device|fifo|pipe|special)"


def case(item, category, name, *argv, **options) -> Case:
    return Case(item, category, name, tuple(argv), **options)


def if_refused(pattern: str):
    """When the command refuses (exit 2), its message must match ``pattern`` (an estimate, the option)."""
    import re

    def check(folder, outcome):
        if outcome.status == 2 and not re.search(pattern, outcome.stderr, re.I):
            return f"refused without /{pattern}/: {outcome.stderr.strip()[-160:]!r}"
        return None
    return check


def json_or_absent(name: str):
    def check(folder, outcome):
        return json_file(name)(folder, outcome) if (folder / name).exists() else None
    return check


def mentions(pattern: str):
    """stdout or stderr says ``pattern`` (a file written, a note)."""
    import re

    def check(folder, outcome):
        return None if re.search(pattern, outcome.stdout + outcome.stderr, re.I) else f"never says /{pattern}/"
    return check


# -- hostile model files (changes of a moons model's JSON) -------------------------------------------------


def deep_nesting(document) -> str:
    return '{"format": "gradcli.mlp", "version": 1, "inputs": 2, "layers": ' + "[" * 100_000 + "]" * 100_000 + "}"


def huge_integer_weight(document) -> str:
    document["layers"][0]["weights"][0][0] = 10 ** 400
    return json.dumps(document)


def million_neurons(document) -> str:
    """2 inputs -> 1,000,000 hidden neurons -> 1 output, written compactly (~12 MB)."""
    hidden = {"activation": "relu", "weights": [[0, 0]] * 1_000_000, "biases": [0] * 1_000_000}
    output = {"activation": "linear", "weights": [[0] * 1_000_000], "biases": [0]}
    document["layers"] = [hidden, output]
    return json.dumps(document, separators=(",", ":"))


def wide_model(document) -> str:
    """2 -> 300 -> 300 -> 1: 600 neurons, 90,000 edges to draw."""
    def layer(n_in, n_out, activation):
        return {"activation": activation, "weights": [[0.01] * n_in] * n_out, "biases": [0.0] * n_out}

    document["layers"] = [layer(2, 300, "relu"), layer(300, 300, "relu"), layer(300, 1, "linear")]
    return json.dumps(document)


def one_class_label(document) -> str:
    document["class_labels"] = [0]
    return json.dumps(document)


def escape_input_names(document) -> str:
    names = ["x1\x1b[2J", "x2\x1b]0;pwned\x07"]
    document["input_names"] = names
    document["feature_names"] = names
    document["pipeline"]["input_names"] = names
    return json.dumps(document)


def changed(**fields):
    def change(document) -> str:
        document.update(fields)
        return json.dumps(document)
    return change


def nan_weight(document) -> str:
    return json.dumps(document).replace(str(document["layers"][0]["weights"][0][0]), "NaN", 1)


def string_weight(document) -> str:
    document["layers"][0]["weights"][0][0] = "0.5"
    return json.dumps(document)


def first_weight_row_short(document) -> str:
    document["layers"][0]["weights"][0] = document["layers"][0]["weights"][0][:1]
    return json.dumps(document)


def rows(count: int, value="0.5") -> str:
    return "x1,x2\n" + "".join(f"{value},{i % 10}\n" for i in range(count))


# -- the cases -------------------------------------------------------------------------------------------

CASES: list[Case] = []
add = CASES.append

# ---- 1: a device or FIFO as output is written to (or refused), never replaced; a full device says so
for option, name in [("--save", "m.json"), ("--log", "log.csv")]:
    add(case("1", DATA_LOSS, f"train {option} to a null device", *TRAIN, option, name,
             files={name: Device("null")}, status=(0, 2), checks=(is_device(name),)))
    add(case("1", DATA_LOSS, f"train {option} to a full device", *TRAIN, option, name,
             files={name: Device("full")}, status=(1, 2), stderr=r"disk full|no space", checks=(is_device(name),),
             agree="a full disk"))
add(case("1", DATA_LOSS, "train --plot to a full device", *TRAIN, "--plot", "p.png", files={"p.png": Device("full")},
         status=(1, 2), stderr=r"disk full|no space", checks=(is_device("p.png"),), agree="a full disk"))
add(case("1", DATA_LOSS, "predict --output to a null device", "predict", "m.json", "--x1", "1", "--x2", "2",
         "--output", "o.csv", files={**MOONS, "o.csv": Device("null")}, status=(0, 2), checks=(is_device("o.csv"),)))
add(case("1", DATA_LOSS, "predict --output to a full device", "predict", "m.json", "--x1", "1", "--x2", "2",
         "--output", "o.csv", files={**MOONS, "o.csv": Device("full")}, status=(1, 2), stderr=r"disk full|no space",
         checks=(is_device("o.csv"),), agree="a full disk"))
add(case("1", DATA_LOSS, "datasets show --export to a null device", "datasets", "show", "moons", "--export", "e.csv",
         files={"e.csv": Device("null")}, status=(0, 2), checks=(is_device("e.csv"),)))
add(case("1", DATA_LOSS, "datasets show --export to a full device", "datasets", "show", "moons", "--export", "e.csv",
         files={"e.csv": Device("full")}, status=(1, 2), stderr=r"disk full|no space", checks=(is_device("e.csv"),),
         agree="a full disk"))
add(case("1", DATA_LOSS, "draw -o to a null device", "draw", "x*y", "--x", "1", "--y", "2", "-o", "g.dot",
         files={"g.dot": Device("null")}, status=(0, 2), checks=(is_device("g.dot"),)))
add(case("1", DATA_LOSS, "draw -o to a full device", "draw", "x*y", "--x", "1", "--y", "2", "-o", "g.dot",
         files={"g.dot": Device("full")}, status=(1, 2), stderr=r"disk full|no space", checks=(is_device("g.dot"),),
         agree="a full disk"))
add(case("1", DATA_LOSS, "train --log to a FIFO", *TRAIN, "--log", "log.csv", files={"log.csv": Fifo(drain=True)},
         status=(0, 2), checks=(is_fifo("log.csv"),), timeout=30))
add(case("1", DATA_LOSS, "predict --output to a FIFO", "predict", "m.json", "--x1", "1", "--x2", "2", "--output",
         "o.csv", files={**MOONS, "o.csv": Fifo(drain=True)}, status=(0, 2), checks=(is_fifo("o.csv"),), timeout=30))
add(case("1", DATA_LOSS, "datasets show --export to a FIFO", "datasets", "show", "moons", "--export", "e.csv",
         files={"e.csv": Fifo(drain=True)}, status=(0, 2), checks=(is_fifo("e.csv"),), timeout=30))

# ---- 2: an output that is (the same file as) an input or another output is refused
DATA = {"data.csv": Asset("data.csv")}
for name, argv, files, kept in [
    ("train data.csv --log data.csv", ("train", "data.csv", "--steps", "3", "--log", "data.csv"), DATA, "data.csv"),
    ("train data.csv --save data.csv", ("train", "data.csv", "--steps", "3", "--save", "data.csv"), DATA, "data.csv"),
    ("--init-from m.json --log m.json", (*TRAIN, "--init-from", "m.json", "--log", "m.json"),
     {"m.json": Asset("toy4.json")}, "m.json"),
    ("predict m.json --output m.json", ("predict", "m.json", "--x1", "1", "--x2", "2", "--output", "m.json"), MOONS,
     "m.json"),
    ("predict --input in.csv --output in.csv", ("predict", "m.json", "--input", "in.csv", "--output", "in.csv"),
     {**MOONS, "in.csv": Asset("inputs.csv")}, "in.csv"),
    ("predict --input in.csv --output ./in.csv", ("predict", "m.json", "--input", "in.csv", "--output", "./in.csv"),
     {**MOONS, "in.csv": Asset("inputs.csv")}, "in.csv"),
    ("train data.csv --log through a symlink to it", ("train", "data.csv", "--steps", "3", "--log", "link.csv"),
     {**DATA, "link.csv": Link("data.csv")}, "data.csv"),
    ("train data.csv --log to a hard link of it", ("train", "data.csv", "--steps", "3", "--log", "hard.csv"),
     {**DATA, "hard.csv": HardLink("data.csv")}, "data.csv"),
    ("train data.csv --log sub/../data.csv", ("train", "data.csv", "--steps", "3", "--log", "sub/../data.csv"),
     {**DATA, "sub": Folder()}, "data.csv"),
    ("datasets show data.csv --export data.csv", ("datasets", "show", "data.csv", "--export", "data.csv"), DATA,
     "data.csv"),
]:
    add(case("2", DATA_LOSS, name, *argv, files=files, status=(2,), stderr=ERROR, unchanged=(kept,)))
# the one pair allowed on purpose: a model trained further in place (read whole first, replaced atomically) ...
add(case("2", DATA_LOSS, "--init-from m.json --save m.json", *TRAIN, "--init-from", "m.json", "--save", "m.json",
         files={"m.json": Asset("toy4.json")}, status=(0,), checks=(json_file("m.json"), mentions("saved the model"))))
# ... unless that run diverges: then the model it started from stays
add(case("2", DATA_LOSS, "--init-from m.json --save m.json, diverging", *TRAIN, "--lr", "1e300", "--init-from",
         "m.json", "--save", "m.json", files={"m.json": Asset("toy4.json")}, status=(1,),
         stderr=r"kept m\.json as it was", unchanged=("m.json",)))
add(case("2", DATA_LOSS, "--save a.json --log a.json", *TRAIN, "--save", "a.json", "--log", "a.json", status=(2,),
         stderr=ERROR, checks=(absent("a.json"),)))
add(case("2", DATA_LOSS, "--log same.png --plot same.png", *TRAIN, "--log", "same.png", "--plot", "same.png",
         status=(2,), stderr=ERROR, checks=(absent("same.png"),)))

# ---- 3: a file saved over keeps its mode, its symlink and its hard links
add(case("3", DATA_LOSS, "--save over a 0600 model keeps 0600", *TRAIN, "--save", "m.json",
         files={"m.json": Asset("toy4.json")}, modes={"m.json": 0o600}, checks=(has_mode("m.json", 0o600),)))
add(case("3", DATA_LOSS, "--log over a 0600 log keeps 0600", *TRAIN, "--log", "log.csv", files={"log.csv": "old\n"},
         modes={"log.csv": 0o600}, checks=(has_mode("log.csv", 0o600),)))
add(case("3", DATA_LOSS, "predict --output over a 0640 file keeps 0640", "predict", "m.json", "--x1", "1", "--x2", "2",
         "--output", "o.csv", files={**MOONS, "o.csv": "old\n"}, modes={"o.csv": 0o640},
         checks=(has_mode("o.csv", 0o640),)))
add(case("3", DATA_LOSS, "draw -o over a 0600 file keeps 0600", "draw", "x*y", "--x", "1", "--y", "2", "-o", "g.dot",
         files={"g.dot": "old"}, modes={"g.dot": 0o600}, checks=(has_mode("g.dot", 0o600),)))
add(case("3", DATA_LOSS, "--save through a symlink writes its target", *TRAIN, "--save", "m.json",
         files={"real.json": "old", "m.json": Link("real.json")},
         checks=(is_link_to("m.json", "real.json"), json_file("real.json"))))
add(case("3", DATA_LOSS, "--export through a symlink writes its target", "datasets", "show", "moons", "--export",
         "e.csv", files={"real.csv": "old\n", "e.csv": Link("real.csv")},
         checks=(is_link_to("e.csv", "real.csv"), complete_csv("real.csv", rows=100))))
add(case("3", DATA_LOSS, "draw -o through a symlink writes its target", "draw", "x", "--x", "1", "-o", "g.dot",
         files={"real.dot": "old", "g.dot": Link("real.dot")}, checks=(is_link_to("g.dot", "real.dot"),)))
add(case("3", DATA_LOSS, "--save to a hard-linked file keeps the link", *TRAIN, "--save", "a.json",
         files={"a.json": Asset("toy4.json"), "b.json": HardLink("a.json")}, checks=(links("a.json", 2),)))

# ---- 4: a non-finite metric does not lose the model or the log
HUGE_CSV = {"big.csv": "x1,x2,y\n" + "".join(f"{(i % 7) * 1e20:g},{(i % 5) * 3e19:g},{(i % 3) * 1e20 + i:g}\n"
                                             for i in range(40))}  # regression on values near 1e20
add(case("4", DATA_LOSS, "train on values near 1e20 --save", "train", "big.csv", "--steps", "30", "-q", "--save",
         "m.json", files=HUGE_CSV, status=(0, 1), stderr=r"warning|not finite|infinite|overflow|nan",
         checks=(json_file("m.json"),)))
add(case("4", DATA_LOSS, "train on values near 1e20 --log", "train", "big.csv", "--steps", "30", "-q", "--log",
         "log.csv", files=HUGE_CSV, status=(0, 1), checks=(complete_csv("log.csv", rows=1),)))
add(case("4", DATA_LOSS, "train on values near 1e20 --format json", "train", "big.csv", "--steps", "30", "--format",
         "json", files=HUGE_CSV, status=(0, 1), strict_json=True))

# ---- 5: SIGTERM and SIGHUP during train are Ctrl-C: finish the step, save, summarise, exit 143 / 129
LONG_TRAIN = ("train", "moons", "--steps", "1000000", "--save", "m.json")
for signum, status in [(signal.SIGTERM, 143), (signal.SIGHUP, 129)]:
    name = signal.Signals(signum).name
    add(case("5", DATA_LOSS, f"{name} while training saves and summarises", *LONG_TRAIN,
             signal=Signal(signum, when=r"step \d+/"), status=(status,), stdout_has="Training summary",
             checks=(json_file("m.json"),), timeout=60))
add(case("5", DATA_LOSS, "SIGTERM while training keeps a complete log", *LONG_TRAIN, "--log", "log.csv",
         signal=Signal(signal.SIGTERM, when=r"step \d+/"), status=(143,), checks=(complete_csv("log.csv", rows=1),),
         timeout=60))
add(case("5", DATA_LOSS, "SIGTERM while loading leaves no half model", *LONG_TRAIN,
         signal=Signal(signal.SIGTERM, after=0.3), status=(143,), checks=(json_or_absent("m.json"),), timeout=60))

# ---- 6: a value passed for e or pi makes it a variable
for argv, value in [(("grad", "e*x", "--x", "2", "--e", "3"), "6.0"), (("grad", "pi*x", "--x", "1", "--pi", "3"), "3.0"),
                    (("grad", "e*x", "x=2", "e=3"), "6.0"), (("check", "e*x", "--x", "2", "--e", "3"), "6.0"),
                    (("grad", "e**x", "--x", "1", "--e", "2"), "2.0")]:
    add(case("6", WRONG, " ".join(argv), *argv, "--format", "json", stdout_has=rf'"value": {value}\b',
             stderr=r"note|variable"))
add(case("6", WRONG, "without a value e stays the constant", "grad", "e*x", "--x", "2", "--format", "json",
         stdout_has=r'"value": 5\.43656'))

# ---- 7: non-finite results are said to be so; JSON stays strict
add(case("7", WRONG, "predict at 1e308 says the score is not finite", "predict", "m.json", "--x1", "1e308", "--x2",
         "1e308", files=MOONS, status=(0, 1, 2), stderr=r"not finite|nan|infinit|overflow"))
add(case("7", WRONG, "predict at 1e308 --format json", "predict", "m.json", "--x1", "1e308", "--x2", "1e308",
         "--format", "json", files=MOONS, status=(0, 1, 2), strict_json=True, stderr=r"not finite|nan|infinit|overflow"))
FAR = {"far.csv": "x1,x2,y\n" + "".join(f"{1e308 if i % 2 else -1e308},{1e308},{i % 2}\n" for i in range(10))}
add(case("7", WRONG, "eval on values at 1e308", "eval", "m.json", "far.csv", files={**MOONS, **FAR}, status=(0, 1, 2),
         stderr=r"not finite|nan|infinit|overflow"))
add(case("7", WRONG, "eval on values at 1e308 --format json", "eval", "m.json", "far.csv", "--format", "json",
         files={**MOONS, **FAR}, status=(0, 1, 2), strict_json=True))
add(case("7", WRONG, "check --range -1e308,1e308 never samples at inf", "check", "x*y", "--points", "5", "--range",
         "-1e308,1e308", status=(0, 1, 2), stdout_not=r"\binf\b", stderr=r"range|finite|overflow|infinit"))
add(case("7", WRONG, "grad x**x at 0 says the gradient is undefined", "grad", "x**x", "--x", "0", status=(0, 1),
         stderr=r"x\*\*x|not differentiable|undefined|domain|one-sided"))
add(case("7", WRONG, "check x**x at 0 --format json", "check", "x**x", "--x", "0", "--format", "json", status=(0, 1),
         strict_json=True))
add(case("7", WRONG, "predict --input of far values --format json", "predict", "m.json", "--input", "far.csv",
         "--format", "json", files={**MOONS, **FAR}, status=(0, 1, 2), strict_json=True))

# ---- 8: devices and FIFOs as inputs are refused at once, never read without bound
for name, argv, files in [
    ("train /dev/zero", ("train", "zero.csv"), {"zero.csv": Device("zero")}),
    ("train /dev/urandom", ("train", "rand.csv"), {"rand.csv": Device("urandom")}),
    ("train a FIFO", ("train", "pipe.csv"), {"pipe.csv": Fifo()}),
    ("eval on /dev/zero", ("eval", "m.json", "zero.csv"), {**MOONS, "zero.csv": Device("zero")}),
    ("datasets show /dev/zero", ("datasets", "show", "zero.csv"), {"zero.csv": Device("zero")}),
    ("datasets show a FIFO", ("datasets", "show", "pipe.csv"), {"pipe.csv": Fifo()}),
    ("predict a /dev/zero model", ("predict", "zero.json", "--x1", "1", "--x2", "2"), {"zero.json": Device("zero")}),
    ("predict a /dev/urandom model", ("predict", "rand.json", "--x1", "1"), {"rand.json": Device("urandom")}),
    ("predict a FIFO model", ("predict", "pipe.json", "--x1", "1"), {"pipe.json": Fifo()}),
    ("predict --input /dev/zero", ("predict", "m.json", "--input", "zero.csv"), {**MOONS, "zero.csv": Device("zero")}),
    ("predict --input a FIFO", ("predict", "m.json", "--input", "pipe.csv"), {**MOONS, "pipe.csv": Fifo()}),
    ("train --init-from /dev/zero", (*TRAIN, "--init-from", "zero.json"), {"zero.json": Device("zero")}),
    ("train --init-from a FIFO", (*TRAIN, "--init-from", "pipe.json"), {"pipe.json": Fifo()}),
    ("eval a /dev/zero model", ("eval", "zero.json", "moons"), {"zero.json": Device("zero")}),
    ("draw a /dev/zero model", ("draw", "zero.json", "-o", "n.svg"), {"zero.json": Device("zero")}),
]:
    add(case("8", UNBOUNDED, name, *argv, files=files, status=(2,), stderr=NOT_REGULAR, timeout=15,
             checks=(faster_than(10),)))
add(case("8", UNBOUNDED, "predict --input - from an endless stdin stops at the limit", "predict", "m.json", "--input",
         "-", files={**MOONS, "zero": Device("zero")}, stdin="zero", status=(2,), timeout=30, checks=(faster_than(10),)))

# ---- 9: work within documented limits is estimated before it starts (or runs bounded, with progress)
ESTIMATE = r"memory|[GM]B|estimat|limit|at most"
for name, argv, files in [
    ("train --layers 1000,1000,1000,1", ("train", "moons", "--layers", "1000,1000,1000,1", "--steps", "1"), {}),
    ("train 31 layers of 1024", ("train", "moons", "--layers", ",".join(["1024"] * 31 + ["1"]), "--steps", "1"), {}),
    ("eval a model of a million neurons", ("eval", "huge.json", "moons"),
     {"huge.json": Derived("moons.json", million_neurons)}),
    ("train --init-from a model of a million neurons", ("train", "moons", "--init-from", "huge.json", "--steps", "1"),
     {"huge.json": Derived("moons.json", million_neurons)}),
    ("predict --input of 200,000 rows", ("predict", "m.json", "--input", "rows.csv", "--format", "csv"),
     {**MOONS, "rows.csv": rows(200_000)}),
]:
    add(case("9", UNBOUNDED, name, *argv, files=files, status=(0, 2), checks=(if_refused(ESTIMATE),), timeout=40))
add(case("9", UNBOUNDED, "check --points 1,000,000,000", "check", "x*y", "--points", "1000000000", status=(2,),
         stderr=r"--points", timeout=20))
add(case("9", UNBOUNDED, "check --points with 20 digits", "check", "x", "--points", "9" * 20, status=(2,),
         stderr=r"--points", timeout=20))

# ---- 10: drawings are sized before they are built; the renderer is bounded
add(case("10", UNBOUNDED, "draw a million-neuron model --max-nodes 100 refuses fast", "draw", "huge.json", "-o",
         "n.svg", "--max-nodes", "100", files={"huge.json": Derived("moons.json", million_neurons)}, status=(2,),
         stderr=r"--max-nodes", timeout=30, checks=(faster_than(10),)))
add(case("10", UNBOUNDED, "draw a 90,000-edge model", "draw", "wide.json", "-o", "n.svg",
         files={"wide.json": Derived("moons.json", wide_model)}, status=(0, 2), timeout=40))
for suffix in ("svg", "png"):
    add(case("10", UNBOUNDED, f"draw a 1,000-term sum as .{suffix} (graphviz-pure)", "draw", SUM_1000, "--x", "1", "-o",
             f"g.{suffix}", "--renderer", "graphviz-pure", status=(0, 1, 2), timeout=40))

# ---- 11: a signal to draw ends its renderer too
for signum, status in [(signal.SIGTERM, 143), (signal.SIGHUP, 129)]:
    add(case("11", UNBOUNDED, f"{signal.Signals(signum).name} while graphviz-pure renders", "draw", SUM_500, "--x", "1",
             "-o", "g.svg", "--renderer", "graphviz-pure", signal=Signal(signum, after=3), status=(status,),
             timeout=30))

# ---- 12: big outputs are summarised or streamed
add(case("12", UNBOUNDED, "grad of a 1,000-term sum as a table", "grad", SUM_1000, "--x", "1", timeout=20,
         checks=(faster_than(10),)))
add(case("12", UNBOUNDED, "predict 50,000 rows as a table", "predict", "m.json", "--input", "rows.csv",
         files={**MOONS, "rows.csv": rows(50_000)}, timeout=30, checks=(faster_than(10),)))

# ---- 13: explore stays responsive after a long paste
PASTE = b"\x1b[200~" + b"x+" * 3000 + b"x\x1b[201~"
add(case("13", UNBOUNDED, "explore after a 6,000-character paste quits at once", "explore", "x**2", "--x", "1",
         keys=(Keys(b"e", wait=r"quit", pause=1.0), Keys(PASTE, pause=0.5), Keys(b"\x1b", pause=0.5),
               Keys(b"q", wait=r"edit cancelled", pause=0.2)), timeout=20, checks=(faster_than(12),)))
add(case("13", UNBOUNDED, "explore after 6,000 characters typed without bracketed paste", "explore", "x**2", "--x",
         "1", keys=(Keys(b"e", wait=r"quit", pause=1.0), Keys(b"x+" * 3000 + b"x", pause=0.5), Keys(b"\x1b", pause=0.5),
                    Keys(b"q", wait=r"edit cancelled", pause=0.2)), timeout=30, checks=(faster_than(12),)))
# q waits until Esc was read: a q that reaches the terminal's input together with the Esc before it (while the
# app still reads the typed keys) is one key, Alt+q, as in any terminal; a person presses them apart.

# ---- 14: environment and input problems are ordinary errors naming the cause
add(case("14", MESSAGES, "grad with stdout on a full device", "grad", "x", "--x", "1", files={"full": Device("full")},
         stdout="full", status=(1,), stderr=r"disk full|no space"))
add(case("14", MESSAGES, "train with stdout on a full device", *TRAIN, files={"full": Device("full")}, stdout="full",
         status=(1,), stderr=r"disk full|no space"))
DEEP = {"deep.json": Derived("moons.json", deep_nesting)}
for name, argv in [("predict", ("predict", "deep.json", "--x1", "1", "--x2", "2")),
                   ("eval", ("eval", "deep.json", "moons")),
                   ("train --init-from", ("train", "moons", "--init-from", "deep.json", "--steps", "1")),
                   ("draw", ("draw", "deep.json", "-o", "n.svg"))]:
    add(case("14", MESSAGES, f"{name} a model nested 100,000 deep", *argv, files=DEEP, status=(2,),
             stderr=r"(?m)^error: .*deep\.json"))
add(case("14", MESSAGES, "predict a model with a 400-digit weight", "predict", "big.json", "--x1", "1", "--x2", "2",
         files={"big.json": Derived("moons.json", huge_integer_weight)}, status=(2,), stderr=r"(?m)^error: .*big\.json"))
WIDE_FIELD = {"wide.csv": "x1,x2,y\n" + "1" * 200_000 + ",1,0\n" + "2,2,1\n" * 5}
for name, argv, files in [("train", ("train", "wide.csv"), WIDE_FIELD),
                          ("datasets show", ("datasets", "show", "wide.csv"), WIDE_FIELD),
                          ("predict --input", ("predict", "m.json", "--input", "wide.csv"), {**MOONS, **WIDE_FIELD})]:
    add(case("14", MESSAGES, f"{name} a CSV field over 128 KB", *argv, files=files, status=(2,),
             stderr=r"(?m)^error: .*wide\.csv"))
LONG_NAME = "a" * 300
add(case("14", MESSAGES, "train --save a 300-character file name", *TRAIN, "--save", LONG_NAME + ".json", status=(2,),
         stderr=r"(?m)^error: .*(too long|name)"))
add(case("14", MESSAGES, "train a 300-character CSV name", "train", LONG_NAME + ".csv", status=(2,),
         stderr=r"(?m)^error: .*(too long|name|no such)"))
add(case("14", MESSAGES, "predict --output a 300-character name", "predict", "m.json", "--x1", "1", "--x2", "2",
         "--output", LONG_NAME + ".csv", files=MOONS, status=(2,), stderr=r"(?m)^error: .*(too long|name)"))
add(case("14", MESSAGES, "explore with stdin closed", "explore", "x", "--x", "1", stdin="closed", status=(2,),
         stderr=r"terminal|stdin"))
add(case("14", MESSAGES, "predict a model with too few class labels", "predict", "few.json", "--x1", "1", "--x2", "2",
         files={"few.json": Derived("moons.json", one_class_label)}, status=(2,), stderr=r"(?m)^error: .*few\.json"))
for argv in [("grad", "x*y", "--x", "1", "--y", "2"), ("check", "sin(x)", "--x", "1"), ("datasets",)]:
    add(case("14", MESSAGES, f"PYTHONIOENCODING=ascii {' '.join(argv[:2])}", *argv,
             env={"PYTHONIOENCODING": "ascii"}, status=(0, 1)))
add(case("14", MESSAGES, "a bad MPLBACKEND with --plot", *TRAIN, "--plot", "p.png", env={"MPLBACKEND": "nonsense"},
         status=(0, 1, 2)))

# ---- 15: Ctrl-C at any moment: exit 130, one line, never a traceback, never a silent 0
# From 300 ms on: earlier, the launcher and then Python itself are starting (its `site` module runs the
# installed packages' .pth files; 40-100 ms here, more on a loaded machine), no code of gradcli runs yet,
# and what a signal does then is Python's own behaviour.  tests/test_signals.py sends one at each of gradcli's first imports instead.
for seconds in (0.3, 0.5, 1.0):
    add(case("15", MESSAGES, f"Ctrl-C after {seconds * 1000:.0f} ms of train", "train", "moons", "--steps", "1000000",
             signal=Signal(signal.SIGINT, after=seconds), status=(130,), timeout=40))
add(case("15", MESSAGES, "Ctrl-C at the first step of train", "train", "moons", "--steps", "1000000",
         signal=Signal(signal.SIGINT, when=r"step"), status=(130,), timeout=40))

# ---- 16: terminal control codes from arguments, CSV files and model files are escaped
ESC_CSV_HEADER = {"h.csv": "x1,\x1b[2Jx2,y\n" + "1,2,0\n3,4,1\n" * 5}
ESC_CSV_CELL = {"c.csv": "x1,x2,y\n1,\x1b[2J,0\n3,4,1\n" + "1,2,0\n" * 5}
for name, argv, files in [
    ("an OSC title in an expression", ("grad", "\x1b]0;pwned\x07x"), {}),
    ("an escape in a variable option", ("grad", "x", "--x", "1", "--\x1b[2J", "3"), {}),
    ("an escape in a dataset name", ("datasets", "show", "\x1b[2Jmoons"), {}),
    ("an escape in a choice", ("train", "moons", "--optimizer", "\x1b[31mred"), {}),
    ("an escape in an unknown option", ("train", "moons", "--\x1b[2J"), {}),
    ("an escape in a file name", ("eval", "m.json", "\x1b[2J.csv"), MOONS),
    ("a CSI (0x9b) in an expression", ("grad", "x\u009b2J", "--x", "1"), {}),
    ("an escape in a CSV header", ("train", "h.csv", "--steps", "3"), ESC_CSV_HEADER),
    ("an escape in a CSV cell", ("train", "c.csv"), ESC_CSV_CELL),
    ("escapes in a model's input names", ("predict", "esc.json", "--x1", "1"),
     {"esc.json": Derived("moons.json", escape_input_names)}),
]:
    add(case("16", MESSAGES, name, *argv, files=files, status=(0, 1, 2), stdout_not=RAW_CONTROL))

# ---- 17: output never vanishes with success
for argv in [("grad", "x", "--x", "1"), TRAIN, ("datasets",)]:
    add(case("17", MESSAGES, f"{argv[0]} with stdout closed", *argv, stdout="closed", status=(1,),
             stderr=r"stdout|output"))
for columns, argv, shown in [("0", ("grad", "x", "--x", "1"), "Gradients"), ("0", ("check", "x", "--x", "1"), "PASS"),
                             ("-3", ("grad", "x", "--x", "1"), "Gradients"), ("1", ("grad", "x", "--x", "1"), "x")]:
    add(case("17", MESSAGES, f"COLUMNS={columns} {argv[0]}", *argv, env={"COLUMNS": columns}, stdout_has=shown))
add(case("17", MESSAGES, "COLUMNS=0 and an error", "grad", "log(x)", "--x", "-1", env={"COLUMNS": "0"}, status=(1,),
         stderr=r"(?m)^error: .*log"))

# ---- 18: narrow terminals keep every identifying cell and verdict whole
NARROW = [
    ("check", ("check", "sin(x)*y + abs(z)", "--x", "1", "--y", "2", "--z", "0"), r"PASS.*kink", (40, 60)),
    ("grad", ("grad", "tanh(x1*w1 + x2*w2 + b)", "--x1", "2", "--x2", "0", "--w1", "-3", "--w2", "1", "--b", "6.88"),
     r"tanh\(x1\*w1.*x1\*w1", (40, 60, 80)),
    ("check --sweep of 4 variables", ("check", "x*y*z*w", "--x", "1", "--y", "2", "--z", "3", "--w", "4", "--sweep"),
     r"\|error\| w", (60, 80)),
    ("check --points", ("check", "sin(x)*y", "--points", "5"), r"PASS", (40,)),
    ("datasets", ("datasets",), r"reg-gauss.*toy4", (40, 60)),
    ("train", TRAIN, r"Training summary.*seed", (40,)),
    ("eval", ("eval", "m.json", "moons"), r"accuracy.*Confusion", (40,)),
]
for name, argv, shown, widths in NARROW:
    for columns in widths:
        add(case("18", MESSAGES, f"{name} at {columns} columns", *argv, env={"COLUMNS": str(columns)},
                 files=MOONS if argv[0] == "eval" else {}, stdout_has=shown, stdout_not="…", width=columns,
                 quick=columns == widths[0]))

# ---- 19: suggestions only when they are likely right
# min, atan and implicit multiplication are part of the language since issue 11: they now work.
for expression, wrong, status in [("min(x)", r"did you mean 'sin'", 0), ("atan(x)", r"tanh", 0),
                                  ("1,000", r"functions take one argument", 2), ("x(x+1)", r"unknown function 'x'", 0)]:
    add(case("19", MESSAGES, f"no misleading suggestion for {expression}", "grad", expression, "--x", "1",
             status=(status,), stderr=ERROR if status else None, stderr_not=wrong))
add(case("19", MESSAGES, "sinn(x) suggests sin", "grad", "sinn(x)", "--x", "1", status=(2,), stderr=r"\bsin\b"))

# ---- 20: the smaller ones
add(case("20.divergence", MESSAGES, "the divergence hint names --l2 when --l2 is the cause", "train", "moons", "--l2",
         "1e308", "--steps", "5", status=(0, 1, 2), stderr_not=r"lower learning rate|lower --lr",
         checks=(if_refused(r"--l2"),)))
add(case("20.dashdash", MESSAGES, "grad -- \"--x\" x=1", "grad", "--format", "json", "--", "--x", "x=1",
         stdout_has=r'"expression": "--x".*"value": 1\.0', quick=True))
add(case("20.dashdash", MESSAGES, "check -- \"--x\" x=2", "check", "--", "--x", "x=2", stdout_has=r"f = --x = 2",
         quick=True))
add(case("20.save-empty", MESSAGES, "--save \"\" says so clearly", *TRAIN, "--save", "", status=(2,),
         stderr=r"(?m)^error: .*(--save|empty)", stderr_not=r"cannot write :|''"))
for option, argv in [("--save", TRAIN), ("--output", ("predict", "m.json", "--x1", "1", "--x2", "2")),
                     ("--export", ("datasets", "show", "moons"))]:
    add(case("20.dash", MESSAGES, f"{option} - writes no file named '-'", *argv, option, "-", files=MOONS,
             status=(0, 2), checks=(absent("-"),)))
add(case("20.slash", MESSAGES, "--save out/ (a folder name) is refused", *TRAIN, "--save", "out/", status=(2,),
         stderr=ERROR, checks=(absent("out"),)))
add(case("20.slash", MESSAGES, "--save m.json/ is refused", *TRAIN, "--save", "m.json/", status=(2,), stderr=ERROR,
         checks=(absent("m.json"),)))
add(case("20.slash", MESSAGES, "predict --output o.csv/ is refused", "predict", "m.json", "--x1", "1", "--x2", "2",
         "--output", "o.csv/", files=MOONS, status=(2,), stderr=ERROR, checks=(absent("o.csv"),)))
add(case("20.features", MESSAGES, "--features \"\" is refused", "train", "moons", "--features", "", "--steps", "3",
         status=(2,), stderr=r"--features"))
USAGE = [("grad", "x", "--x", "1", "--precision", "99"), ("check", "x", "--x", "1", "--precision", "abc"),
         ("train", "moons", "--optimizer", "foo"), ("predict",), ("train", "moons", "--bogus", "3"),
         ("datasets", "show", "moons", "--width", "3"), ("train", "moons", "--lr"), ("tran", "moons"),
         ("eval", "m.json")]
for argv in USAGE:
    add(case("20.usage", MESSAGES, "usage error without a box: " + " ".join(argv), *argv, status=(2,), stderr=ERROR,
             stderr_not=NO_BOX, quick=True))
# Each output is larger than a pipe's buffer (64 KB), so that some of it is written after the reader has gone.
for name, argv, files in [
    ("grad", ("grad", SUM_1000, "--x", "1", "--format", "csv"), {}),
    ("check --points", ("check", "sin(x)*y", "--points", "3000", "--format", "json"), {}),
    ("datasets show", ("datasets", "show", "moons", "--samples", "20000", "--format", "json"), {}),
    ("predict", ("predict", "m.json", "--input", "rows.csv", "--format", "csv"), {**MOONS, "rows.csv": rows(20_000)}),
    ("train", ("train", "moons", "--steps", "6000", "--format", "json"), {}),  # 240 KB of history
]:
    add(case("20.pipe", MESSAGES, f"{name} into a closed pipe", *argv, files=files, stdout="head", status=(1,),
             agree="a closed pipe", timeout=60))
for name, cell in [("Arabic-Indic digits", "\u0661\u0662"), ("1_000", "1_000"), ("fullwidth digits", "\uff11")]:
    add(case("20.digits", MESSAGES, f"CSV cell {name} is not a number", "train", "u.csv",
             files={"u.csv": f"x1,x2,y\n1,{cell},0\n" + "1,2,1\n2,1,0\n" * 4}, status=(2,), stderr=r"not a number"))
add(case("20.loop", MESSAGES, "a symlink loop is named as such", "train", "loop.csv", files={"loop.csv": Link("loop.csv")},
         status=(2,), stderr=r"loop|symbolic", stderr_not=r"no such file"))
add(case("20.loop", MESSAGES, "a symlink loop as a model", "predict", "loop.json", "--x1", "1",
         files={"loop.json": Link("loop.json")}, status=(2,), stderr=r"loop|symbolic", stderr_not=r"no such file"))

# ---- 21: clarity
add(case("21", MESSAGES, "the decision map's legend explains its shading", "train", "moons", "--steps", "5",
         stdout_has=r"(?m)^ +o 0 +x 1[^\n]*\n?[^\n]*(shad|region|background)"))
add(case("21", MESSAGES, "no 'Green marks' without colour", "check", "x*y", "--x", "1", "--y", "2", "--sweep",
         stdout_not=r"Green marks"))
add(case("21", MESSAGES, "no activation shown for a network without hidden layers", "train", "moons", "--layers", "1",
         "--steps", "3", stdout_not=r"activation\s+relu"))
add(case("21", MESSAGES, "no preset note after the user overrode it", "train", "moons", "--standardize", "--steps", "3",
         stdout_not=r"dataset preset:"))
add(case("21", MESSAGES, "eval --seed help is eval's own", "eval", "-h", stdout_not=r"initial weights"))
add(case("21", MESSAGES, "--plot says where it wrote", *TRAIN, "--plot", "p.png", checks=(mentions(r"p\.png"),)))

# ---- guards: expressions
for attack in ["__import__('os').system('touch pwned')", "eval('1')", "exec('import os')", "x.__class__",
               "().__class__.__bases__", "lambda: 1", "[x for x in (1,)]", "open('/etc/passwd')", "globals()",
               "x if x else x", "x; import os", "x\nimport os", "f'{x}'", "{x}", "x[0]", "`x`", "$x", "x @ x"]:
    add(case(GUARD, EXPRESSIONS, f"refuses {attack!r}", "grad", attack, "--x", "1", status=(2,), stderr=ERROR,
             checks=(absent("pwned"),), quick=attack.startswith("__import__")))
for name, expression, status, message in [
    # the default limits are 10,000,000 characters and 1,000,000 nodes (issue 11); these lower them
    ("5,001 characters", ("x+" * 2500 + "x", "--max-length", "5000"), 2, r"the limit is 5,000"),
    ("101 levels of nesting", "(" * 101 + "x" + ")" * 101, 2, r"nests more than 100"),
    ("2,001 nodes", ("+".join(f"x{i}" for i in range(1001)), "--max-size", "2000"), 2, r"more than 2,000"),
    ("2**2**2**2**2", "2**2**2**2**2*x", 1, r"overflows"),
    ("1e999", "1e999*x", 2, r"too large"),
    ("log of a negative", "log(x-3)", 1, r"positive"),
    ("sqrt of a negative", "sqrt(x-3)", 1, r"sqrt"),
    ("division by zero", "1/(x-1)", 1, r"zero"),
    ("exp overflow", "exp(1000*x)", 1, r"overflows"),
    ("an empty expression", "", 2, ERROR),
    ("blanks", "   ", 2, ERROR),
    ("an open parenthesis", "(x", 2, ERROR),
    ("a dangling operator", "x+", 2, ERROR),
    ("a leading operator", "*x", 2, ERROR),
    ("1..2", "1..2*x", 2, ERROR),
    ("hexadecimal", "0x10*x", 2, ERROR),
    ("two names", "x y", 2, ERROR),
    ("a Cyrillic x", "\u0445+1", 2, ERROR),
    ("a right-to-left override", "x\u202e+1", 2, ERROR),
    ("a zero-width space", "x\u200b+1", 2, ERROR),
    ("an emoji", "x+\U0001f600", 2, ERROR),
]:
    text, *options = (expression,) if isinstance(expression, str) else expression
    add(case(GUARD, EXPRESSIONS, name, "grad", text, *options, "--x", "1", status=(status,), stderr=message,
             timeout=20, quick=name == "5,001 characters"))
for name, value, message in [("1e309", "1e309", r"too large"), ("nan", "nan", r"finite"), ("=-inf", "=-inf", r"finite"),
                             ("hexadecimal", "0x10", r"not a number"), ("empty", "", r"not a number"),
                             ("a space inside", "1 000", r"not a number"), ("10,001 digits", "1" + "0" * 10000,
                                                                            r"too large")]:
    option = ("--x" + value,) if value.startswith("=") else ("--x", value)
    add(case(GUARD, EXPRESSIONS, f"a variable given as {name}", "grad", "x", *option, status=(2,), stderr=message))
# found while writing this catalogue: `--x -inf` is read as the short options -i -n -f ("-f needs a value")
add(case(NEW, EXPRESSIONS, "a variable given as -inf", "grad", "x", "--x", "-inf", status=(2,), stderr=r"finite|-inf"))
add(case(GUARD, EXPRESSIONS, "a 1,000-character variable name", "grad", "a" * 1000, f"{'a' * 1000}=1", status=(0, 2)))
add(case(GUARD, EXPRESSIONS, "a variable named __class__", "grad", "__class__*2", "__class__=1", status=(0, 2),
         stdout_not=r"<class"))

# ---- guards: CSV files
for name, text, status, message in [
    ("an empty file", "", 2, r"empty"),
    ("a header only", "x1,x2,y\n", 2, ERROR),
    ("one data row", "x1,x2,y\n1,2,0\n", 2, ERROR),
    ("a ragged row", "x1,x2,y\n1,2,0\n1,2\n", 2, r"row 3"),
    ("a word", "x1,x2,y\n1,abc,0\n2,3,1\n", 2, r"not a number"),
    ("inf", "x1,x2,y\n1,inf,0\n2,3,1\n3,3,0\n", 2, ERROR),
    ("nan", "x1,x2,y\n1,nan,0\n2,3,1\n3,3,0\n", 2, ERROR),
    ("1e400", "x1,x2,y\n1,1e400,0\n2,3,1\n3,3,0\n", 2, ERROR),
    ("a blank cell", "x1,x2,y\n1, ,0\n2,3,1\n3,3,0\n", 2, ERROR),
    ("one class", "x1,x2,y\n1,2,1\n2,3,1\n3,3,1\n", 2, r"one class"),
    ("1,001 columns", ",".join(f"c{i}" for i in range(1001)) + "\n" + ",".join("1" * 1001) + "\n", 2, r"1,?000"),
    ("semicolons", "x1;x2;y\n1;2;0\n2;3;1\n", 2, ERROR),
]:
    add(case(GUARD, CSV, name, "train", "d.csv", "--steps", "3", "-q", files={"d.csv": text}, status=(status,),
             stderr=message, quick=name == "a ragged row"))
add(case("16", MESSAGES, "a NUL byte in a CSV cell", "train", "d.csv", files={"d.csv": "x1,x2,y\n1,\x002,0\n2,3,1\n"},
         status=(2,), stderr=ERROR))
add(case(GUARD, CSV, "invalid UTF-8", "train", "d.csv", files={"d.csv": b"x1,x2,y\n1,\xff\xfe,0\n"}, status=(2,),
         stderr=ERROR))
add(case(GUARD, CSV, "binary garbage", "train", "d.csv", files={"d.csv": bytes(range(256)) * 10}, status=(2,),
         stderr=ERROR))
add(case(GUARD, CSV, "a 60 MB file is refused unread", "train", "d.csv", files={"d.csv": Sparse(60_000_000)},
         status=(2,), stderr=r"(?m)^error: .*d\.csv", checks=(faster_than(10),)))
# issue 13 lifted the 100,000-row limit: a CSV file may have as many rows as --max-memory holds
add(case(GUARD, CSV, "100,001 rows are read", "train", "d.csv", "--steps", "3", "-q",
         files={"d.csv": "x1,y\n" + "1,0\n2,1\n" * 50_001}, timeout=40))
add(case(GUARD, CSV, "a CSV file beyond --max-memory", "train", "d.csv", "--max-memory", "1MB",
         files={"d.csv": "x1,y\n" + "1,0\n2,1\n" * 50_001}, status=(2,),
         stderr=r"reading d\.csv needs about [0-9.]+ MB of memory \(a CSV file of 391 KB\), more than --max-memory 1 MB"))
add(case(GUARD, CSV, "a folder", "train", "d.csv", files={"d.csv": Folder()}, status=(2,), stderr=ERROR))
add(case(GUARD, CSV, "a missing file", "train", "missing.csv", status=(2,), stderr=r"no such file"))
for name, text in [("a byte-order mark", "\ufeffx1,x2,y\n" + "1,2,0\n2,1,1\n" * 5),
                   ("CRLF line ends", "x1,x2,y\r\n" + "1,2,0\r\n2,1,1\r\n" * 5),
                   ("quoted fields", '"x1","x2","y"\n' + '"1","2","0"\n"2","1","1"\n' * 5),
                   ("-0 and exponents", "x1,x2,y\n" + "-0,1e-3,0\n2E1,1,1\n" * 5)]:
    add(case(GUARD, CSV, f"{name} is read", "train", "d.csv", "--steps", "3", "-q", files={"d.csv": text}))
add(case(GUARD, CSV, "predict --input with a missing column", "predict", "m.json", "--input", "i.csv",
         files={**MOONS, "i.csv": "x1,z\n1,2\n"}, status=(2,), stderr=r"x2"))

# ---- guards: model files
for name, content, message in [
    ("cut off", '{"format": "gradcli.mlp", "version": 1, "inp', r"not valid JSON"),
    ("empty", "", r"not valid JSON|empty"),
    ("a list", "[]", ERROR),
    ("null", "null", ERROR),
    ("a CSV file", "x1,x2,y\n1,2,0\n", r"not valid JSON"),
    ("version 99", Derived("moons.json", changed(version=99)), r"newer"),
    ("version '1'", Derived("moons.json", changed(version="1")), ERROR),
    ("another format", Derived("moons.json", changed(format="other")), r"format"),
    ("no layers", Derived("moons.json", changed(layers=[])), ERROR),
    ("layers not a list", Derived("moons.json", changed(layers="16,16,1")), ERROR),
    ("negative inputs", Derived("moons.json", changed(inputs=-2)), ERROR),
    ("a short weight row", Derived("moons.json", first_weight_row_short), r"layers\[0\]"),
    ("a NaN weight", Derived("moons.json", nan_weight), ERROR),
    ("a string weight", Derived("moons.json", string_weight), ERROR),
    ("a 60 MB file", Sparse(60_000_000), r"too large|at most|up to"),
    ("a folder", Folder(), ERROR),
]:
    add(case(GUARD, MODELS, name, "predict", "x.json", "--x1", "1", "--x2", "2", files={"x.json": content},
             status=(2,), stderr=message, quick=name == "version 99"))
add(case(GUARD, MODELS, "a missing model", "predict", "missing.json", "--x1", "1", status=(2,), stderr=r"not found"))
add(case(GUARD, MODELS, "extra fields are ignored", "predict", "x.json", "--x1", "1", "--x2", "2",
         files={"x.json": Derived("moons.json", changed(extra={"a": 1}))}))
add(case(GUARD, MODELS, "eval a model on data with other inputs", "eval", "m.json", "toy4", files=MOONS, status=(2,),
         stderr=r"inputs"))
add(case(GUARD, MODELS, "draw a corrupt model", "draw", "x.json", "-o", "n.svg", files={"x.json": "{"}, status=(2,),
         stderr=r"not valid JSON"))
add(case(GUARD, MODELS, "--init-from a model of other inputs", "train", "moons", "--init-from", "t.json",
         files={"t.json": Asset("toy4.json")}, status=(2,), stderr=r"inputs"))
add(case(GUARD, MODELS, "predict a class outside a 4-class model's labels", "predict", "b.json", "--x1", "0", "--x2",
         "0", files={"b.json": Asset("blobs.json")}, stdout_has=r"class"))

# ---- guards: output paths
for name, path, message in [("a missing folder", "no/such/m.json", r"does not exist"),
                            ("an existing folder", "d", ERROR),
                            ("a file as a folder", "f.txt/m.json", ERROR)]:
    add(case(GUARD, PATHS, f"--save into {name}", *TRAIN, "--save", path, files={"d": Folder(), "f.txt": "x"},
             status=(2,), stderr=message, unchanged=("f.txt",), quick=name == "a missing folder"))
for name, path in [("a Unicode name", "modèle-ü.json"), ("a name with a newline", "a\nb.json"),
                   ("a name starting with a dash", "-m.json"), ("a name with ..", "sub/../m.json")]:
    add(case(GUARD, PATHS, f"--save to {name}", *TRAIN, f"--save={path}", files={"sub": Folder()},
             checks=(json_file(path),)))
for name, output, status in [("no suffix", "graph", 2), ("a .gif", "g.gif", 2), ("upper-case .SVG", "g.SVG", (0, 2)),
                             ("only a suffix", ".svg", (0, 2))]:
    add(case(GUARD, PATHS, f"draw -o with {name}", "draw", "x", "--x", "1", "-o", output,
             status=status if isinstance(status, tuple) else (status,)))
add(case(GUARD, PATHS, "--plot with another suffix", *TRAIN, "--plot", "p.gif", status=(2,), stderr=r"\.png"))
add(case(GUARD, PATHS, "--export into a missing folder", "datasets", "show", "moons", "--export", "no/e.csv",
         status=(2,), stderr=r"does not exist"))
add(case(GUARD, PATHS, "a refused run leaves the old model", "train", "moons", "--steps", "-1", "--save", "m.json",
         files={"m.json": Asset("moons.json")}, status=(2,), unchanged=("m.json",)))

# ---- guards: signals
add(case(GUARD, SIGNALS, "Ctrl-C while training saves and summarises", *LONG_TRAIN,
         signal=Signal(signal.SIGINT, when=r"step \d+/"), status=(130,), stdout_has="Training summary",
         checks=(json_file("m.json"),), timeout=60))
add(case(GUARD, SIGNALS, "Ctrl-C while graphviz-pure renders", "draw", SUM_500, "--x", "1", "-o", "g.svg",
         "--renderer", "graphviz-pure", signal=Signal(signal.SIGINT, after=3), status=(130,), timeout=30,
         checks=(absent("g.svg"),)))
add(case(GUARD, SIGNALS, "Ctrl-C during check --points", "check", "sin(x)*cos(y)", "--points", "100000",
         signal=Signal(signal.SIGINT, after=2), status=(130,), timeout=30))
add(case(GUARD, SIGNALS, "Ctrl-C during a long grad table", "grad", SUM_1000, "--x", "1",
         signal=Signal(signal.SIGINT, after=2), status=(0, 130), timeout=30))
add(case(GUARD, SIGNALS, "SIGTERM during datasets show", "datasets", "show", "moons", "--samples", "100000",
         signal=Signal(signal.SIGTERM, after=0.5), status=(0, 143), timeout=30))

# ---- guards: environment variables
for name, env, argv in [
    ("TERM=dumb", {"TERM": "dumb"}, ("grad", "x*y", "--x", "1", "--y", "2")),
    ("LC_ALL=C", {"LC_ALL": "C", "LANG": "C"}, ("grad", "x*y", "--x", "1", "--y", "2")),
    ("FORCE_COLOR=1", {"FORCE_COLOR": "1", "NO_COLOR": None}, ("check", "x", "--x", "1")),
    ("COLUMNS=abc", {"COLUMNS": "abc"}, ("grad", "x", "--x", "1")),
    ("LINES=0", {"LINES": "0"}, ("datasets", "show", "moons")),
    ("HOME on a missing folder", {"HOME": "/nonexistent"}, (*TRAIN, "--plot", "p.png")),
    ("MPLCONFIGDIR on a missing folder", {"MPLCONFIGDIR": "/nonexistent/x"}, (*TRAIN, "--plot", "p.png")),
    ("GRADCLI_FAST_PARAMS=0", {"GRADCLI_FAST_PARAMS": "0"}, ("grad", "x", "--x", "1", "--precision", "3")),
    ("TMPDIR on a missing folder", {"TMPDIR": "/nonexistent"}, (*TRAIN, "--save", "m.json")),
    ("PATH without dot", {"PATH": "/nonexistent"}, ("draw", "x*y", "--x", "1", "--y", "2", "-o", "g.svg")),
    ("PYTHONWARNINGS=error", {"PYTHONWARNINGS": "error"}, ("grad", "x", "--x", "1")),
]:
    add(case(GUARD, ENVIRONMENT, name, *argv, env=env, quick=name == "COLUMNS=abc"))
add(case(GUARD, ENVIRONMENT, "GRADCLI_DEBUG=1 keeps a user error to one line", "grad", "log(x)", "--x", "-1",
         env={"GRADCLI_DEBUG": "1"}, status=(1,), stderr=r"(?m)^error: log"))

# ---- guards: explore
add(case(GUARD, EXPLORE, "without a terminal it explains and stops", "explore", "x**2", "--x", "1", status=(2,),
         stderr=r"terminal", quick=True))
add(case(GUARD, EXPLORE, "an expression over the limit", "explore", "x+" * 2600 + "x", "--x", "1", "--max-length",
         "1000", status=(2,), stderr=r"limit"))
add(case(GUARD, EXPLORE, "a long expression without a terminal gets a short hint", "explore", "x+" * 2600 + "x", "--x",
         "1", status=(2,), stderr=r"needs a terminal", stderr_not=r"x\+x\+x\+x"))
add(case(GUARD, EXPLORE, "--step nan", "explore", "x", "--x", "1", "--step", "nan", status=(2,), stderr=r"--step"))
# found while writing this catalogue: explore/state.py names the setting `step`, not `--step`
add(case(NEW, EXPLORE, "--step 0", "explore", "x", "--x", "1", "--step", "0", status=(2,), stderr=r"--step"))
add(case(GUARD, EXPLORE, "in a terminal: start and quit", "explore", "x**2", "--x", "3",
         keys=(Keys(b"q", wait=r"quit", pause=0.5),), stdout_has=r"gradcli grad", timeout=30))
add(case(GUARD, EXPLORE, "in a terminal: a bad edit, cancel, quit", "explore", "x**2", "--x", "3",
         keys=(Keys(b"e", wait=r"quit", pause=0.5), Keys(b"\x15log(((\r", pause=0.5), Keys(b"\x1b", pause=0.5),
               Keys(b"q", pause=0.5)), timeout=30))


# -- choosing cases ---------------------------------------------------------------------------------------


def item_number(case: Case) -> str:
    """``"20"`` for ``"20.usage"``."""
    return case.item.split(".")[0]


def select(quick: bool = False, enabled: bool = False, items=(), categories=()) -> list[Case]:
    """The cases to run: ``quick`` (the fast subset), ``enabled`` (items in ``FIXED`` only), or by item/category."""
    chosen = []
    for one in CASES:
        if quick and not one.quick:
            continue
        if enabled and one.item not in FIXED and item_number(one) not in FIXED:
            continue
        if items and one.item not in items and item_number(one) not in items:
            continue
        if categories and one.category not in categories:
            continue
        chosen.append(one)
    return chosen
