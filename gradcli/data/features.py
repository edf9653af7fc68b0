"""From a dataset's raw inputs to a network's inputs: Playground features, then standardisation.

The TensorFlow Playground feeds its networks chosen functions of the two
coordinates: x, y, x^2, y^2, x*y, sin(x), sin(y).  ``InputPipeline`` does the
same for any 2-D dataset (``features=None`` passes the raw inputs through, for
data of any width), then optionally scales every column to zero mean and unit
variance with statistics fitted on the training split.  The whole pipeline is
stored in the model file (``to_dict``) so that ``predict`` transforms new
inputs exactly as training did.

    pipeline = InputPipeline.build(train_set, ["x", "y", "xy"], standardize=True, fit_X=train_set.X)
    network_inputs = pipeline.transform(train_set.X)       # (n, 3)
    same = InputPipeline.from_dict(pipeline.to_dict())
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ModelFileError, UsageError

# feature code -> (display form over the two inputs a, b; the function of the columns)
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x": ("{a}", lambda a, b: a),
    "y": ("{b}", lambda a, b: b),
    "x2": ("{a}^2", lambda a, b: a * a),
    "y2": ("{b}^2", lambda a, b: b * b),
    "xy": ("{a}*{b}", lambda a, b: a * b),
    "sinx": ("sin({a})", lambda a, b: np.sin(a)),
    "siny": ("sin({b})", lambda a, b: np.sin(b)),
}

# other spellings people type for the same features
ALIASES = {
    "x^2": "x2", "x**2": "x2", "xx": "x2",
    "y^2": "y2", "y**2": "y2", "yy": "y2",
    "x*y": "xy", "yx": "xy", "y*x": "xy",
    "sin(x)": "sinx", "sin(y)": "siny",
}

DEFAULT_FEATURES = ["x", "y"]
ALLOWED_TEXT = "x, y, x2 (x squared), y2, xy, sinx, siny"


def parse_features(text: str) -> list[str]:
    """``"x,y,x2"`` -> ``["x", "y", "x2"]``: feature codes, aliases resolved, checked (an empty text too)."""
    if not text.strip():
        raise UsageError(f"{{setting}} is empty: give features such as x,y,x2; the features are {ALLOWED_TEXT}",
                         setting="features", value=text)
    names = [part.strip().lower().replace(" ", "") for part in text.split(",")]
    return normalize_features(names)


def normalize_features(names: list[str]) -> list[str]:
    """Resolve aliases; ``UsageError`` for an unknown, repeated or empty list of features."""
    codes: list[str] = []
    for name in names:
        code = ALIASES.get(name, name)
        if code not in FEATURES:
            raise UsageError(f"unknown feature '{name}'; the features are {ALLOWED_TEXT}")
        if code in codes:
            raise UsageError(f"the feature '{name}' is given twice")
        codes.append(code)
    if not codes:
        raise UsageError(f"no features given; choose from {ALLOWED_TEXT}")
    return codes


def require_2d(dataset) -> None:
    """``UsageError`` unless ``dataset`` has two inputs: the features are made of a point (x, y)."""
    count = len(dataset.input_names)
    if count != 2:
        raise UsageError(
            f"features ({ALLOWED_TEXT}) need 2-D data; {dataset.name} has {count} input{'s' if count != 1 else ''} "
            f"({', '.join(dataset.input_names)})",
            hint="leave out {setting} to use the inputs as they are", setting="features",
        )


@dataclass
class InputPipeline:
    """Raw inputs (m, d_raw) -> network inputs (m, n_inputs)."""

    input_names: list[str]
    features: list[str] | None = None   # feature codes (2-D data only); None: the raw inputs as given
    mean: np.ndarray | None = None      # per network input; None: no standardisation
    std: np.ndarray | None = None

    @classmethod
    def build(cls, dataset, features: list[str] | None, standardize: bool, fit_X: np.ndarray) -> "InputPipeline":
        """Check ``features`` against ``dataset`` and fit the scaling on ``fit_X`` (the training inputs)."""
        if features is not None:
            features = normalize_features(list(features))
            require_2d(dataset)
        pipeline = cls(list(dataset.input_names), features)
        if standardize:
            expanded = pipeline._expand(np.asarray(fit_X, dtype=np.float64))
            std = expanded.std(axis=0)
            # a constant column cannot be scaled; centring it is all that makes sense
            pipeline.mean, pipeline.std = expanded.mean(axis=0), np.where(std > 0, std, 1.0)
        return pipeline

    @property
    def n_inputs(self) -> int:
        return len(self.features) if self.features is not None else len(self.input_names)

    @property
    def feature_names(self) -> list[str]:
        """Names of the network inputs, e.g. ["x1", "x2", "x1^2", "sin(x2)"]."""
        if self.features is None:
            return list(self.input_names)
        a, b = self.input_names
        return [FEATURES[code][0].format(a=a, b=b) for code in self.features]

    @property
    def standardized(self) -> bool:
        return self.mean is not None

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        """(m, d_raw) raw inputs (or one sample as (d_raw,)) -> (m, n_inputs) network inputs."""
        X = np.asarray(X_raw, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != len(self.input_names):
            raise UsageError(
                f"expected {len(self.input_names)} inputs ({', '.join(self.input_names)}), "
                f"got {X.shape[-1] if X.ndim else 0}"
            )
        out = self._expand(X)
        if self.mean is not None:
            out = (out - self.mean) / self.std
        return out

    def _expand(self, X: np.ndarray) -> np.ndarray:
        if self.features is None:
            return X.copy()
        a, b = X[:, 0], X[:, 1]
        return np.column_stack([FEATURES[code][1](a, b) for code in self.features])

    def to_dict(self) -> dict:
        """A JSON-safe description, stored in the model file."""
        return {
            "input_names": list(self.input_names),
            "features": list(self.features) if self.features is not None else None,
            "standardize": None if self.mean is None else {
                "mean": [float(v) for v in self.mean],
                "std": [float(v) for v in self.std],
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> "InputPipeline":
        """The inverse of ``to_dict``; ``ModelFileError`` when the entry is malformed."""
        try:
            names = data["input_names"]
            features = data.get("features")
            scaling = data.get("standardize")
            if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
                raise ValueError("input_names must be a non-empty list of names")
            if features is not None:
                if len(names) != 2:
                    raise ValueError("features need exactly two input names")
                features = normalize_features(list(features))
            pipeline = cls(list(names), features)
            if scaling is not None:
                mean = np.asarray(scaling["mean"], dtype=np.float64)
                std = np.asarray(scaling["std"], dtype=np.float64)
                if mean.shape != (pipeline.n_inputs,) or std.shape != mean.shape or np.any(std <= 0):
                    raise ValueError(f"standardize needs {pipeline.n_inputs} means and positive deviations")
                pipeline.mean, pipeline.std = mean, std
            return pipeline
        except (KeyError, TypeError, ValueError, UsageError) as error:
            detail = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise ModelFileError(f"the model file's input pipeline is malformed: {detail}") from None
