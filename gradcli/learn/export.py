"""A saved model as an ONNX graph: its input pipeline and its network, so that it runs without gradcli.

``gradcli export`` is: ``load_model`` -> ``onnx_model`` -> ``write_onnx``::

    graph = onnx_model(load_model("model.json"))          # an onnx.ModelProto, checked
    write_onnx("model.onnx", graph)                       # atomically

The graph takes the raw inputs (``inputs``: one row per sample, one column per
input name, in the model file's order) and does what ``Predictor`` does:

1. the Playground features (``x, y, x2, y2, xy, sinx, siny``), when the model has them;
2. standardisation with the stored means and deviations, when it has it;
3. each layer as ``Gemm`` (``h @ W^T + b``) and its activation: ``Relu``, ``Tanh``, ``Sigmoid``;
   leaky-relu written out as ``relu(z) * 0.99 + z * 0.01`` in the graph's own precision (``LeakyRelu``
   takes its slope as a float32, 2e-10 off, which shows at 1e-8); softplus written out as
   ``max(z, 0) + log1p(exp(-|z|))`` (ONNX has no ``log1p``: it is computed as ``log(u) * t / (u - 1)``
   with ``u = 1 + t``, exact to rounding where ``Softplus``'s ``log(1 + e^z)`` loses every digit, for
   ``z`` far below 0); nothing for linear.

Its outputs are ``outputs`` (the network's outputs, as ``predict`` shows them: a score, one per
class, or the value), ``probabilities`` (softmax, for a cross-entropy classifier) and ``label`` (a
classifier's prediction as originally labelled: numbers as int64 or double, names as strings).
The numbers are float64, as gradcli computes them (``float32=True``: float32, for runtimes that
prefer it).  ``opset`` 17 and IR version 8 keep the file readable by ONNX Runtime, Netron and
PyTorch's ONNX tooling.  The ``onnx`` package is imported here only (``gradcli[onnx]``).
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import MissingPackageError, ModelFileError
from .modelfile import SavedModel
from .nn import LEAKY_SLOPE

__all__ = ["onnx_model", "write_onnx", "OPSET", "IR_VERSION", "FEATURE_NODES"]

OPSET = 17
IR_VERSION = 8  # the IR of opset 17: newer readers take it, older ones are not refused a newer IR


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MissingPackageError("gradcli export writes ONNX with the onnx package, which is not installed",
                                  hint="install it with: pip install 'gradcli[onnx]'") from None
    return onnx


class _Graph:
    """Nodes and constants added one by one, each output named once (``h1``, ``h2``, ...)."""

    def __init__(self, onnx, dtype):
        self.onnx, self.dtype = onnx, dtype
        self.nodes, self.constants, self.count = [], [], 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def constant(self, stem: str, values, dtype=None) -> str:
        name = self.name(stem)
        self.constants.append(self.onnx.numpy_helper.from_array(np.asarray(values, dtype=dtype or self.dtype), name))
        return name

    def node(self, op: str, inputs: list[str], stem: str, output: str | None = None, **attributes) -> str:
        output = output or self.name(stem)
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [output], name=self.name(op), **attributes))
        return output


# feature code -> how its column is made from the two input columns a, b (data.features.FEATURES' forms)
FEATURE_NODES = {
    "x": lambda g, a, b: a,
    "y": lambda g, a, b: b,
    "x2": lambda g, a, b: g.node("Mul", [a, a], "x2"),
    "y2": lambda g, a, b: g.node("Mul", [b, b], "y2"),
    "xy": lambda g, a, b: g.node("Mul", [a, b], "xy"),
    "sinx": lambda g, a, b: g.node("Sin", [a], "sinx"),
    "siny": lambda g, a, b: g.node("Sin", [b], "siny"),
}


def _pipeline(g: _Graph, pipeline: dict | None, h: str) -> str:
    """Features, then standardisation, as ``InputPipeline.transform`` applies them."""
    if pipeline is None:
        return h
    features = pipeline.get("features")
    if features:
        columns = [g.node("Gather", [h, g.constant("column", [k], np.int64)], "column", axis=1) for k in (0, 1)]
        try:
            parts = [FEATURE_NODES[code](g, *columns) for code in features]
        except KeyError as missing:
            raise ModelFileError(f"the model's pipeline has the feature {missing}, which export does not know") from None
        h = g.node("Concat", parts, "features", axis=1)
    scaling = pipeline.get("standardize")
    if scaling:
        h = g.node("Sub", [h, g.constant("mean", scaling["mean"])], "centred")
        h = g.node("Div", [h, g.constant("std", scaling["std"])], "standardized")
    return h


def _activation(g: _Graph, name: str, z: str) -> str:
    if name == "relu":
        return g.node("Relu", [z], "relu")
    if name == "tanh":
        return g.node("Tanh", [z], "tanh")
    if name == "sigmoid":
        return g.node("Sigmoid", [z], "sigmoid")
    if name == "leaky-relu":  # as nn.apply_array writes it; LeakyRelu's alpha is a float32 (0.01 + 2e-10)
        kept = g.node("Mul", [g.node("Relu", [z], "positive"), g.constant("kept", 1.0 - LEAKY_SLOPE)], "kept_part")
        return g.node("Add", [kept, g.node("Mul", [z, g.constant("slope", LEAKY_SLOPE)], "sloped")], "leaky_relu")
    if name == "softplus":
        return _softplus(g, z)
    return z  # linear


def _softplus(g: _Graph, z: str) -> str:
    """max(z, 0) + log1p(t) with t = exp(-|z|) <= 1; log1p(t) = log(u) * t / (u - 1), u = 1 + t (t where u == 1)."""
    one = g.constant("one", 1.0)
    t = g.node("Exp", [g.node("Neg", [g.node("Abs", [z], "abs")], "neg")], "t")
    u = g.node("Add", [one, t], "u")
    ratio = g.node("Div", [g.node("Mul", [g.node("Log", [u], "log_u"), t], "log_u_t"),
                           g.node("Sub", [u, one], "u_1")], "ratio")
    log1p = g.node("Where", [g.node("Equal", [u, one], "u_is_1"), t, ratio], "log1p")
    return g.node("Add", [g.node("Relu", [z], "positive"), log1p], "softplus")


def _labels(saved: SavedModel) -> np.ndarray:
    """The class labels as a tensor: int64 when every label is a whole number, double for other numbers,
    strings when any label is a name."""
    classes = 2 if saved.layers[-1].n_outputs == 1 else saved.layers[-1].n_outputs
    labels = list(saved.class_labels) or list(range(classes))
    if any(isinstance(label, str) for label in labels):
        return np.asarray([str(label) for label in labels], dtype=object)
    if all(float(label).is_integer() for label in labels):
        return np.asarray([int(label) for label in labels], dtype=np.int64)
    return np.asarray(labels, dtype=np.float64)


def onnx_model(saved: SavedModel, *, float32: bool = False, source: str = "the model"):
    """The ONNX model of ``saved`` (see the module docstring), checked with ``onnx.checker``."""
    onnx = _onnx()
    helper = onnx.helper
    dtype = np.float32 if float32 else np.float64
    element = onnx.TensorProto.FLOAT if float32 else onnx.TensorProto.DOUBLE
    g = _Graph(onnx, dtype)
    n_raw = len(saved.pipeline["input_names"]) if saved.pipeline else saved.inputs
    h = _pipeline(g, saved.pipeline, "inputs")
    last = len(saved.layers) - 1
    for index, layer in enumerate(saved.layers):
        weights = g.constant(f"W{index + 1}", layer.weights)  # (out, in): Gemm's transB reads it as in -> out
        biases = g.constant(f"b{index + 1}", layer.biases)
        z = g.node("Gemm", [h, weights, biases], f"z{index + 1}", transB=1)
        h = _activation(g, layer.activation, z)
        if index == last:
            h = g.node("Identity", [h], "outputs", output="outputs")
    n_out = saved.layers[-1].n_outputs
    outputs = [helper.make_tensor_value_info("outputs", element, ["N", n_out])]
    if saved.task != "regression":
        settings = saved.meta.get("settings") if isinstance(saved.meta.get("settings"), dict) else {}
        if settings.get("loss") == "cross-entropy" and n_out > 1:
            g.node("Softmax", ["outputs"], "probabilities", output="probabilities", axis=1)
            outputs.append(helper.make_tensor_value_info("probabilities", element, ["N", n_out]))
        labels = _labels(saved)
        if n_out == 1:  # the sign of the score: class 1 above 0
            positive = g.node("Greater", ["outputs", g.constant("zero", [0.0])], "positive")
            index = g.node("Cast", [g.node("Squeeze", [positive, g.constant("axis", [1], np.int64)], "above")],
                           "class", to=onnx.TensorProto.INT64)
        else:
            index = g.node("ArgMax", ["outputs"], "class", axis=1, keepdims=0)
        g.node("Gather", [g.constant("labels", labels, labels.dtype), index], "label", output="label", axis=0)
        label_type = {np.dtype(np.int64): onnx.TensorProto.INT64, np.dtype(np.float64): onnx.TensorProto.DOUBLE}
        outputs.append(helper.make_tensor_value_info("label", label_type.get(labels.dtype, onnx.TensorProto.STRING),
                                                     ["N"]))
    inputs = [helper.make_tensor_value_info("inputs", element, ["N", n_raw])]
    names = saved.pipeline["input_names"] if saved.pipeline else (saved.input_names or [f"x{i + 1}" for i in
                                                                                       range(saved.inputs)])
    graph = helper.make_graph(g.nodes, "gradcli_mlp", inputs, outputs, g.constants,
                              doc_string=f"inputs: one row per sample, columns {', '.join(names)}")
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="gradcli",
                              ir_version=IR_VERSION, doc_string=f"gradcli MLP exported from {source}")
    helper.set_model_props(model, {"input_names": json.dumps(list(names)), "task": saved.task,
                                   "class_labels": json.dumps(list(saved.class_labels)),
                                   "command": saved.command or ""})
    from .. import __version__

    model.producer_version = __version__
    onnx.checker.check_model(model, full_check=True)
    return model


def write_onnx(path, model) -> int:
    """Write the ONNX model to ``path`` atomically; the number of bytes written."""
    from ..atomicfile import write_bytes_atomic

    data = model.SerializeToString()
    write_bytes_atomic(path, data)
    return len(data)
