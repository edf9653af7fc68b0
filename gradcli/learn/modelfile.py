"""Saved models: the ``gradcli.mlp`` JSON format, read and written safely.

A model file holds a trained MLP as plain numbers, plus what is needed to use
it on raw inputs (the input pipeline: features and standardisation), what
made it (``meta``: dataset, command line, metrics, creation time) and how it
learned (``history``: one entry per step, as ``train --json`` gives it)::

    {"format": "gradcli.mlp", "version": 2, "inputs": 2,
     "layers": [{"activation": "relu", "weights": [[...], ...], "biases": [...]},
                ...,
                {"activation": "linear", "weights": [[...]], "biases": [...]}],
     "input_names": ["x1", "x2"], "feature_names": ["x1", "x2"],
     "task": "binary", "class_labels": [0, 1], "pipeline": {...}, "meta": {...},
     "history": {"loss": [...], "accuracy": [...], "lr": [...]}}

``weights[j][i]`` is the weight from input i to neuron j of that layer.
Version 2 added ``history`` (null for a model nobody trained); a version 1
file still reads, without a history.  A history of more than
``MAX_HISTORY_POINTS`` steps is kept at that many steps spread over the run,
listed in its ``step`` entry.  Extra keys are allowed and ignored.
``load_model`` checks everything (format, version, shapes, numbers) and
raises ``ModelFileError`` naming the file and the field, and refuses what is
not a regular file, more than 50 MB, JSON nested more than 32 levels, an
integer no float can hold, or a version newer than this gradcli reads;
``save_model`` writes through ``atomicfile`` (never half written, the old
file's permissions kept) and returns the warning about any NaN or infinity
it wrote as null (the metrics of a diverged run).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from ..atomicfile import write_text_atomic
from ..data.choices import Task
from ..errors import ModelFileError
from ..jsontext import null_warning, to_json
from ..readfile import read_limited
from .config import Activation

__all__ = [
    "FORMAT", "VERSION", "ACTIVATIONS", "MAX_HISTORY_POINTS", "LayerSpec", "SavedModel", "load_model", "save_model",
    "load_json", "model_from_json",
]

FORMAT = "gradcli.mlp"
VERSION = 2  # 2: the training history ("history"); 1: without it (still read)
MAX_HISTORY_POINTS = 10_000  # steps kept in a saved history: 1,000,000 steps would outgrow MAX_BYTES
ACTIVATIONS = tuple(Activation)
TASKS = tuple(Task)
# A model of this tool is tiny (hundreds of parameters); a file above this is not ours.
MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 32  # JSON nesting: a model file nests 4 levels (layers, weights, rows); extra keys get room, not more


@dataclass
class LayerSpec:
    """One fully connected layer: ``weights[j][i]`` from input i to neuron j."""

    activation: str
    weights: list[list[float]]
    biases: list[float]

    @property
    def n_inputs(self) -> int:
        return len(self.weights[0]) if self.weights else 0

    @property
    def n_outputs(self) -> int:
        return len(self.weights)


@dataclass
class SavedModel:
    """A trained network and what is needed to apply it to raw inputs."""

    inputs: int
    layers: list[LayerSpec]
    input_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    task: str = "binary"
    class_labels: list = field(default_factory=list)
    pipeline: dict | None = None
    meta: dict = field(default_factory=dict)
    history: dict | None = None  # name -> one value per step (None: not evaluated); "step" when thinned
    version: int = VERSION  # the version of the file it was read from

    @property
    def command(self) -> str | None:
        """The command line that trained it (``gradcli train ...``), when the file records one."""
        command = self.meta.get("command")
        return command if isinstance(command, str) else None

    @property
    def sizes(self) -> list[int]:
        """Output size of each layer, as ``TrainConfig.layers`` gives them (e.g. [16, 16, 1])."""
        return [layer.n_outputs for layer in self.layers]

    @property
    def parameter_count(self) -> int:
        return sum(layer.n_outputs * (layer.n_inputs + 1) for layer in self.layers)

    def to_dict(self) -> dict:
        """The JSON object written to disk."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "inputs": self.inputs,
            "layers": [
                {"activation": layer.activation, "weights": layer.weights, "biases": layer.biases}
                for layer in self.layers
            ],
            "input_names": list(self.input_names),
            "feature_names": list(self.feature_names),
            "task": self.task,
            "class_labels": list(self.class_labels),
            "pipeline": self.pipeline,
            "meta": dict(self.meta),
            "history": self.history,
        }


def save_model(path, model: SavedModel) -> str | None:
    """Write ``model`` to ``path`` atomically (``atomicfile``); the warning about numbers written as null, if any.

    The parameters are checked to be finite; a metric in ``meta`` that is not
    (the loss of a diverged run) is written as null, as JSON requires, and the
    returned warning names it (None when every number was finite).
    """
    document = model.to_dict()
    _check_model(document, str(path))  # never write a file we could not read back
    write_text_atomic(path, to_json(document, indent=1) + "\n", ModelFileError)
    return null_warning(document)


def load_model(path) -> SavedModel:
    """Read and check a model file; raise ``ModelFileError`` naming the file and the field.

    The file is read by ``readfile.read_limited``: a regular file of at most
    ``MAX_BYTES``; anything else (a folder, a device, a pipe) is refused by name.
    """
    name = str(path)
    raw_bytes = read_limited(path, MAX_BYTES, ModelFileError, what="model file", not_found=f"model file {name} not found",
                             hint="train one and save it first (save_model)")
    return model_from_json(_parse_json(_decode(raw_bytes, name, "gradcli.mlp JSON"), name), name)


def load_json(path, what: str = "file"):
    """The JSON value in the file ``path``, read with a model file's limits (size, nesting, numbers).

    For the other JSON files gradcli reads (``compare``: ``train --json`` outputs); ``ModelFileError``
    naming the file when it is missing, too large, not UTF-8 or not JSON.
    """
    name = str(path)
    raw_bytes = read_limited(path, MAX_BYTES, ModelFileError, what=what, not_found=f"{what} {name} not found")
    return _parse_json(_decode(raw_bytes, name, "JSON"), name)


def model_from_json(raw, name: str) -> SavedModel:
    """The model in the JSON value ``raw`` read from ``name``, checked (``ModelFileError`` naming the field)."""
    return _check_model(raw, name)


def _decode(raw_bytes: bytes, name: str, expected: str) -> str:
    try:
        return raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{name} is not a text file (expected {expected})") from None


def _parse_json(text: str, name: str):
    """The JSON value in ``text``: finite numbers only, integers that fit a float, at most ``MAX_DEPTH`` levels."""
    try:
        raw = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:  # the parser gave up on the nesting; the message is the same as below
        raise ModelFileError(_too_deep(name)) from None
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    if _depth_exceeds(raw, MAX_DEPTH):
        raise ModelFileError(_too_deep(name))
    return raw


def _too_deep(name: str) -> str:
    return f"{name}: the JSON nests more than {MAX_DEPTH} levels deep; a gradcli model nests a few"


def _depth_exceeds(value, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest deeper than ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return False


def _reject_constant(token: str):
    raise ValueError(f"{token} is not a finite number (model files hold finite numbers only)")


def _parse_int(text: str) -> int:
    """A JSON integer, refused when no float can hold it (a 400-digit weight)."""
    digits = len(text.lstrip("-"))
    if digits <= 15:  # every model file's integers: no check needed
        return int(text)
    too_large = ValueError(f"the integer {text[:12]}... ({digits} digits) is too large for a float "
                           "(the largest is about 1.8e308)")
    if digits > 309:  # also keeps int() clear of Python's 4300-digit limit
        raise too_large
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise too_large from None
    return value


def _check_model(raw, name: str) -> SavedModel:
    """Validate the JSON object ``raw`` read from ``name`` and build a SavedModel."""
    if not isinstance(raw, dict):
        raise ModelFileError(f"{name}: expected a JSON object with \"format\": \"{FORMAT}\"")
    if raw.get("format") != FORMAT:
        raise ModelFileError(f"{name}: field \"format\" is {raw.get('format')!r}, expected \"{FORMAT}\"")
    version = raw.get("version")
    if not _is_int(version) or version < 1:
        raise ModelFileError(f"{name}: field \"version\" must be a positive integer, got {version!r}")
    if version > VERSION:
        raise ModelFileError(
            f"{name}: model file version {version} is newer than this gradcli supports (version {VERSION})",
            hint="upgrade gradcli to read it",
        )
    inputs = raw.get("inputs")
    if not _is_int(inputs) or inputs < 1:
        raise ModelFileError(f"{name}: field \"inputs\" must be a positive integer, got {inputs!r}")
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise ModelFileError(f"{name}: field \"layers\" must be a non-empty list of layers")
    layers = []
    fan_in = inputs
    for index, layer_raw in enumerate(layers_raw):
        layer = _check_layer(layer_raw, f"{name}: layers[{index}]", fan_in)
        layers.append(layer)
        fan_in = layer.n_outputs
    input_names = _string_list(raw.get("input_names"), f"{name}: field \"input_names\"")
    feature_names = _string_list(raw.get("feature_names"), f"{name}: field \"feature_names\"")
    if feature_names and len(feature_names) != inputs:
        raise ModelFileError(
            f"{name}: field \"feature_names\" has {len(feature_names)} names but \"inputs\" is {inputs}"
        )
    task = raw.get("task", "binary" if layers[-1].n_outputs == 1 else "multiclass")
    if task not in TASKS:
        raise ModelFileError(f"{name}: field \"task\" is {task!r}, expected one of {', '.join(TASKS)}")
    class_labels = raw.get("class_labels") or []
    if not isinstance(class_labels, list):
        raise ModelFileError(f"{name}: field \"class_labels\" must be a list")
    _check_class_labels(class_labels, task, layers[-1].n_outputs, name)
    pipeline = raw.get("pipeline")
    if pipeline is not None and not isinstance(pipeline, dict):
        raise ModelFileError(f"{name}: field \"pipeline\" must be an object or null")
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise ModelFileError(f"{name}: field \"meta\" must be an object")
    history = _check_history(raw.get("history"), name) if version >= 2 else None
    return SavedModel(inputs, layers, input_names, feature_names, task, class_labels, pipeline, meta, history,
                      version)


def _check_history(raw, name: str) -> dict | None:
    """A history: an object of equally long lists of numbers or nulls (``step``: increasing step numbers)."""
    if raw is None:
        return None
    where = f"{name}: field \"history\""
    if not isinstance(raw, dict):
        raise ModelFileError(f"{where} must be an object of lists (one value per step) or null")
    lengths = set()
    for key, values in raw.items():
        if not isinstance(values, list):
            raise ModelFileError(f"{where}.{key} must be a list (one value per step)")
        for index, value in enumerate(values):
            if value is not None:
                _number(value, f"{where}.{key}[{index}]")
        lengths.add(len(values))
    if len(lengths) > 1:
        raise ModelFileError(f"{where}: its lists have different lengths ({', '.join(map(str, sorted(lengths)))})")
    steps = raw.get("step")
    if steps is not None and any(not _is_int(s) or s < 1 or (i and s <= steps[i - 1]) for i, s in enumerate(steps)):
        raise ModelFileError(f"{where}.step must hold increasing step numbers from 1")
    return raw


def _check_class_labels(labels: list, task: str, n_outputs: int, name: str) -> None:
    """A classifier's labels: one per class it predicts (2 for one output, else one per output), each once."""
    if task == Task.regression:
        return
    classes = 2 if n_outputs == 1 else n_outputs
    if not labels:
        return  # the classes are 0..k-1
    for index, label in enumerate(labels):
        if not isinstance(label, str):
            _number(label, f"{name}: class_labels[{index}]")
    if len(labels) != classes:
        raise ModelFileError(f"{name}: field \"class_labels\" has {len(labels)} label{'s' if len(labels) != 1 else ''}, "
                             f"but the network predicts {classes} classes (one label each)")
    if len({json.dumps(label) for label in labels}) != len(labels):
        raise ModelFileError(f"{name}: field \"class_labels\" names a class twice: {json.dumps(labels)}")


def _check_layer(raw, where: str, fan_in: int) -> LayerSpec:
    if not isinstance(raw, dict):
        raise ModelFileError(f"{where} must be an object with \"activation\", \"weights\", \"biases\"")
    activation = raw.get("activation")
    if activation not in ACTIVATIONS:
        raise ModelFileError(f"{where}.activation is {activation!r}, expected one of {', '.join(ACTIVATIONS)}")
    weights = raw.get("weights")
    if not isinstance(weights, list) or not weights:
        raise ModelFileError(f"{where}.weights must be a non-empty list of rows (one per neuron)")
    rows = []
    for j, row in enumerate(weights):
        if not isinstance(row, list) or len(row) != fan_in:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise ModelFileError(f"{where}.weights[{j}] must hold {fan_in} numbers (one per input), got {got}")
        rows.append([_number(x, f"{where}.weights[{j}][{i}]") for i, x in enumerate(row)])
    biases = raw.get("biases")
    if not isinstance(biases, list) or len(biases) != len(rows):
        got = len(biases) if isinstance(biases, list) else type(biases).__name__
        raise ModelFileError(f"{where}.biases must hold {len(rows)} numbers (one per neuron), got {got}")
    return LayerSpec(activation, rows, [_number(b, f"{where}.biases[{j}]") for j, b in enumerate(biases)])


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ModelFileError(f"{where} is {json.dumps(x)}, not a number")
    try:
        value = float(x)
    except OverflowError:  # a Python int beyond the float range
        raise ModelFileError(f"{where} is too large for a float (the largest is about 1.8e308)") from None
    if not math.isfinite(value):
        raise ModelFileError(f"{where} is not a finite number")
    return value


def _string_list(raw, where: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise ModelFileError(f"{where} must be a list of strings")
    return list(raw)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)

