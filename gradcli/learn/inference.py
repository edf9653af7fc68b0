"""A trained network together with its input pipeline: raw inputs in, predictions out.

``train`` produces one, ``save_model`` writes it, ``predict`` and ``eval`` read it::

    predictor = Predictor.from_saved(load_model("model.json"))
    outputs = predictor.outputs(X_raw)           # (m, n_outputs): scores, logits or values
    labels = predictor.labels(X_raw)             # original class labels (or values)

The pipeline (features and standardisation, fitted on the training split) is
applied before the network, so a model is always used on raw inputs the way
it was trained.  No gradient is needed here: evaluation runs the network on
NumPy matrices (``Network.forward_array``, in blocks of rows); a model file's
network is rebuilt as a ``TensorMLP`` (a matrix per layer).

An output that is not a finite number (inputs so far outside the training
data that the network's arithmetic overflows) is no prediction: it gets no
class, counts as wrong in ``eval``'s accuracy, and ``Predictions.failed`` /
``Measurement.not_finite`` say which and how many (the CLI then exits 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data.features import InputPipeline
from ..errors import DomainError
from ..limits import DEFAULT_MAX_MEMORY, check_memory
from ..numbers import plain
from .estimate import network_estimate
from .losses import predict_classes
from .modelfile import SavedModel
from .network import Network
from .tensor_nn import TensorMLP
from .config import default_loss

__all__ = ["Predictor"]


@dataclass
class Predictor:
    model: Network  # a TensorMLP, or the nn.MLP a scalar-engine run trains
    pipeline: InputPipeline
    task: str  # "binary" | "multiclass" | "regression"
    class_labels: list = field(default_factory=list)
    target_name: str = "y"
    loss: str | None = None  # what it was trained with: "cross-entropy" outputs are logits of probabilities

    @property
    def input_names(self) -> list[str]:
        return list(self.pipeline.input_names)

    def outputs(self, X_raw) -> np.ndarray:
        """Network outputs for raw inputs: shape (m, n_outputs)."""
        with np.errstate(all="ignore"):
            return self.model.forward_array(self.pipeline.transform(X_raw))

    def classes(self, X_raw) -> np.ndarray:
        """Predicted class indices (classification only)."""
        return predict_classes(self.outputs(X_raw), self.task)

    def labels(self, X_raw) -> list:
        """Predictions as the user knows them: original class labels, or values for regression."""
        if self.task == "regression":
            return self.outputs(X_raw)[:, 0].tolist()
        indices = self.classes(X_raw)
        if not self.class_labels:
            return indices.tolist()
        return [self.class_labels[int(k)] for k in indices]

    def probabilities(self, X_raw) -> np.ndarray | None:
        """Softmax of the outputs for a cross-entropy model, shape (m, k); None for other models."""
        if self.loss != "cross-entropy":
            return None
        out = self.outputs(X_raw)
        e = np.exp(out - out.max(axis=1, keepdims=True))  # shifted: exp never overflows
        return e / e.sum(axis=1, keepdims=True)

    def map_values(self, points: np.ndarray) -> np.ndarray:
        """What a decision map shades: a binary score (sign = class), class indices, or the value."""
        out = self.outputs(points)
        if self.task == "regression" or (self.task == "binary" and out.shape[1] == 1):
            return out[:, 0]
        return predict_classes(out, self.task)

    # -- model files ------------------------------------------------------------

    def to_saved(self, meta: dict) -> SavedModel:
        return SavedModel(
            inputs=self.model.nin,
            layers=self.model.to_specs(),
            input_names=self.input_names,
            feature_names=self.pipeline.feature_names,
            task=self.task,
            class_labels=list(self.class_labels),
            pipeline=self.pipeline.to_dict(),
            meta={"target_name": self.target_name, **meta},
        )

    @classmethod
    def from_saved(cls, saved: SavedModel, *, max_memory: int = DEFAULT_MAX_MEMORY,
                   source: str = "the model file") -> "Predictor":
        """Rebuild from a model file; a file without a pipeline takes its inputs as they are.

        A network estimated to need more than ``max_memory`` bytes is refused (``LimitError``)
        before it is built (``estimate.network_estimate``).
        """
        check_memory(network_estimate(saved.inputs, saved.sizes, f"the network of {source}"), max_memory)
        if saved.pipeline is not None:
            pipeline = InputPipeline.from_dict(saved.pipeline)
        else:
            names = saved.input_names or [f"x{i + 1}" for i in range(saved.inputs)]
            pipeline = InputPipeline(list(names))
        if pipeline.n_inputs != saved.inputs:
            from ..errors import ModelFileError

            raise ModelFileError(
                f"the model file's pipeline gives {pipeline.n_inputs} network inputs but its first layer takes "
                f"{saved.inputs}"
            )
        model = TensorMLP.from_specs(saved.inputs, saved.layers)
        settings = saved.meta.get("settings") if isinstance(saved.meta.get("settings"), dict) else {}
        loss = settings.get("loss") or default_loss(saved.task, max(len(saved.class_labels), 2))
        return cls(model, pipeline, saved.task, list(saved.class_labels), saved.meta.get("target_name", "y"), loss)


@dataclass
class Measurement:
    """A model measured on a dataset (``gradcli eval``)."""

    samples: int
    loss_name: str
    loss: float  # mean per-sample loss, no penalty
    accuracy: float | None = None
    confusion: list[list[int]] | None = None  # [true class][predicted class], in the model's class order
    labels: list = field(default_factory=list)
    r2: float | None = None
    mse: float | None = None
    not_finite: int = 0  # samples whose output is not a finite number: no prediction (wrong, not in the matrix)


def measure_dataset(predictor: Predictor, dataset) -> Measurement:
    """Loss and accuracy (or R^2 and MSE) of ``predictor`` on every sample of ``dataset``.

    A sample whose output is not a finite number has no predicted class: it counts as
    wrong and is left out of the confusion matrix (``not_finite`` counts them; the loss
    is then not finite either).
    """
    from ..errors import DataError
    from .train import measure

    X_raw = _columns_by_name(dataset, predictor.input_names)
    if (predictor.task == "regression") != (dataset.task == "regression"):
        kinds = {"binary": "a binary classifier", "multiclass": "a multiclass classifier",
                 "regression": "a regression model"}
        raise DataError(f"the model is {kinds[predictor.task]}, but {dataset.name} is a {dataset.task} dataset")
    X = predictor.pipeline.transform(X_raw)
    loss_name = predictor.loss or default_loss(predictor.task, max(len(predictor.class_labels), 2))
    with np.errstate(all="ignore"):
        outputs = predictor.model.forward_array(X)
    finite = np.isfinite(outputs).all(axis=1)
    not_finite = int(len(finite) - finite.sum())
    if predictor.task == "regression":
        metrics = measure(predictor.model, X, dataset.y, "regression", loss_name, outputs)
        return Measurement(len(dataset.y), loss_name, metrics.loss, r2=metrics.r2, mse=metrics.mse,
                           not_finite=not_finite)
    y = _model_class_indices(predictor, dataset)
    metrics = measure(predictor.model, X, y, predictor.task, loss_name, outputs)
    k = max(len(predictor.class_labels), 2)
    confusion = np.zeros((k, k), dtype=int)
    predicted = predict_classes(outputs, predictor.task)
    np.add.at(confusion, (y[finite].astype(int), predicted[finite]), 1)
    accuracy = metrics.accuracy if not not_finite else float(np.trace(confusion)) / len(y)
    return Measurement(len(y), loss_name, metrics.loss, accuracy, confusion.tolist(),
                       list(predictor.class_labels) or list(range(k)), not_finite=not_finite)


def check_measurement(result: Measurement, dataset_name: str) -> None:
    """``DomainError`` when some samples had no finite output (after the report, the CLI exits 1 with it)."""
    if not result.not_finite:
        return
    consequence = ("they count as wrong and are not in the confusion matrix" if result.accuracy is not None
                   else "R^2 and MSE are not numbers")
    raise DomainError(
        f"the model's output is not a finite number for {result.not_finite} of the {result.samples} samples of "
        f"{dataset_name}: the network overflows at inputs this far from its training data; {consequence}",
        not_finite=result.not_finite)


def model_inputs(predictor: Predictor, dataset) -> np.ndarray:
    """The raw inputs of ``dataset`` in the order the model takes them (matched by name; DataError otherwise)."""
    return _columns_by_name(dataset, predictor.input_names)


def _columns_by_name(dataset, names: list[str]) -> np.ndarray:
    """The dataset's inputs in the model's order, found by name (the same names, in any order)."""
    from ..errors import DataError

    have = list(dataset.input_names)
    if sorted(have) != sorted(names):
        raise DataError(
            f"the model takes the inputs {', '.join(names)}, but {dataset.name} has {', '.join(have)}",
            hint="evaluate on data with the input columns the model was trained on ({setting} names the target column)",
            setting="target",
        )
    return dataset.X[:, [have.index(name) for name in names]]


def _model_class_indices(predictor: Predictor, dataset) -> np.ndarray:
    """Dataset class indices translated to the model's class order, matching the original labels."""
    from ..errors import DataError

    model_labels = [_comparable(label) for label in predictor.class_labels] or [0.0, 1.0]
    translation = []
    for label in dataset.class_labels:
        if _comparable(label) not in model_labels:
            known = ", ".join(str(v) for v in (predictor.class_labels or [0, 1]))
            raise DataError(f"{dataset.name} has class {label}, which the model does not know (its classes: {known})")
        translation.append(model_labels.index(_comparable(label)))
    return np.asarray(translation, dtype=np.float64)[dataset.y.astype(int)]


def _comparable(label):
    """A class label as labels are compared: numbers as floats (1 == 1.0), a name (a model file may hold one) as it is."""
    return label if isinstance(label, str) else float(label)


def read_input_rows(path: str, names: list[str], max_memory: int = DEFAULT_MAX_MEMORY) -> np.ndarray:
    """Rows of raw inputs from a CSV file (``-``: stdin) whose header names the model's inputs, in any order."""
    from ..data.csvfile import read_text_table
    from ..errors import DataError

    table = read_text_table(path, stdin=True, max_memory=max_memory)
    missing = [name for name in names if name not in table.header]
    if missing:
        raise DataError(f"{path} has no column {', '.join(missing)}; the model's inputs are {', '.join(names)}",
                        hint=f"its header is: {', '.join(table.header)}")
    rows = table.numbers([table.header.index(name) for name in names])
    if not len(rows):
        raise DataError(f"{path} has no data rows after the header")
    return rows


@dataclass
class Predictions:
    """What ``predict`` shows: column names, one row per input (inputs, outputs, class), and the failures."""

    header: list[str]
    rows: list[list]
    n_inputs: int
    failed: list[int] = field(default_factory=list)  # 0-based rows whose outputs are not finite: class None

    def check(self) -> None:
        """``DomainError`` naming the predictions whose outputs are not finite numbers (None when all are)."""
        if not self.failed:
            return
        first = self.rows[self.failed[0]][:self.n_inputs]
        inputs = ", ".join(f"{name} = {plain(value)}" for name, value in zip(self.header, first))
        if len(self.rows) == 1:
            which = f"({inputs})"
        elif len(self.failed) == 1:
            which = f"for prediction {self.failed[0] + 1:,} of {len(self.rows):,} ({inputs})"
        else:
            numbers = ", ".join(f"{i + 1:,}" for i in self.failed[:5]) + (", ..." if len(self.failed) > 5 else "")
            which = f"for {len(self.failed):,} of {len(self.rows):,} predictions (numbers {numbers}; the first at {inputs})"
        raise DomainError(f"the model's output is not a finite number {which}: the network overflows at inputs "
                          "this far from its training data, so there is no class", failed=list(self.failed))


def prediction_table(predictor: Predictor, X_raw: np.ndarray) -> Predictions:
    """Column names and rows (inputs, outputs, prediction) for ``predict``: plain data for any renderer."""
    outputs = predictor.outputs(X_raw)
    failed = np.flatnonzero(~np.isfinite(outputs).all(axis=1)).tolist()
    probabilities = predictor.probabilities(X_raw)
    labels = predictor.class_labels or list(range(outputs.shape[1]))
    if predictor.task == "regression":
        out_names, out_values = [predictor.target_name], outputs
    elif probabilities is not None:
        out_names, out_values = [f"p({label})" for label in labels], probabilities
    elif outputs.shape[1] == 1:
        out_names, out_values = ["score"], outputs
    else:
        out_names, out_values = [f"output({label})" for label in labels], outputs
    header = list(predictor.input_names) + out_names
    rows = [list(x) + list(o) for x, o in zip(np.asarray(X_raw, dtype=float).tolist(), out_values.tolist())]
    if predictor.task != "regression":
        header.append("class")
        for row, label in zip(rows, predictor.labels(X_raw)):
            row.append(label)
        for index in failed:  # an output that is not a number decides no class
            rows[index][-1] = None
    return Predictions(header, rows, len(predictor.input_names), failed)
