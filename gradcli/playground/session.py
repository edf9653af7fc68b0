"""One playground run: settings -> a prepared run, training in segments, and ``Frame``s of numbers to draw.

No UI here, and no threads: ``trainer.py`` calls these methods from its
training thread, the tests call them directly::

    session = Session(PlaygroundSettings("xor"))
    session.train(on_step=lambda info: None, stop=lambda: session.steps_done >= 50)
    frame = session.frame(ViewSize(map_width=40, map_height=20, tile_width=6, tile_height=3))
    frame.step, frame.train.loss, frame.decision.values.shape      # 50, 0.91..., (40, 40)
    session.save("xor.json")       # a gradcli.mlp file that predict, eval and show read

A run is ``learn.run.prepare_run`` with the session's settings and a constant
learning rate over ``MAX_STEPS`` updates (the playground has no planned end);
``train`` is one call of ``learn.train.train`` on it, from where the last one
stopped, until ``stop()`` says so.  Because the schedule is constant and the
batches are drawn pass after pass from the seed, the model after N updates
of one segment is the model of ``gradcli train ... --steps N``
(``command_line``).  A new learning rate applies from the next segment (as
in the Playground, without starting again); every other change builds a new
run (``apply``), all or nothing: a change that cannot be built leaves the
session as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..data.datasets import GENERATORS, Dataset, load_dataset, split
from ..learn.config import MAX_STEPS
from ..learn.inspect import input_maps, neuron_maps, plane_bounds, plane_grid
from ..learn.modelfile import save_model
from ..learn.losses import penalty_value
from ..learn.run import DataOptions, prepare_run, run_meta
from ..learn.train import Metrics, StepInfo, TrainResult, measure, train
from ..limits import DEFAULT_MAX_MEMORY
from .controls import PLAYGROUND_SETS, feature_label
from .settings import DataFacts, PlaygroundSettings

__all__ = ["ViewSize", "MapValues", "LayerView", "Frame", "Session", "dataset_facts", "CURVE_POINTS"]

CURVE_POINTS = 2000  # the loss curve keeps at most this many points (thinned by half when full)


@dataclass(frozen=True)
class ViewSize:
    """The sizes the screen draws at, in text cells: the decision map and each neuron's tile."""

    map_width: int = 40
    map_height: int = 20  # two pixel rows per text row
    tile_width: int = 6
    tile_height: int = 3


@dataclass(frozen=True)
class MapValues:
    """The network's prediction over the plane: ``values`` (2 * height, width) over ``bounds``."""

    values: np.ndarray
    bounds: tuple[float, float, float, float]
    width: int
    height: int


@dataclass(frozen=True)
class LayerView:
    """One column of the network: its units' maps over the plane (None: not 2-D), and the weights into it."""

    title: str  # "4 tanh", "x², y, ..." for the inputs
    size: int
    activation: str | None  # None for the inputs
    maps: np.ndarray | None  # (size, 2 * tile height, tile width), top row first
    weights: np.ndarray | None  # (size, inputs) into this column; None for the inputs
    labels: tuple[str, ...] = ()  # the inputs' names


@dataclass(frozen=True)
class Frame:
    """What the screen draws at one moment: plain numbers, made on the training thread, never changed after."""

    serial: int
    settings: PlaygroundSettings
    facts: DataFacts
    step: int
    epoch: float
    train: Metrics
    test: Metrics | None
    curve: tuple  # (step, train loss, test loss or None), oldest first
    dataset: Dataset
    train_X: np.ndarray  # raw inputs of the training split (for the points on the map)
    train_y: np.ndarray
    test_X: np.ndarray | None
    test_y: np.ndarray | None
    decision: MapValues | None
    map_note: str | None  # why there is no map
    columns: tuple  # LayerView per column: the inputs, every hidden layer, the output
    applied: int = 0  # the number of the last settings change this frame shows (``Session.apply``)
    notice: tuple = (0, "", False)  # (number, text, is an error): the last thing the session has to say

    @property
    def metric_name(self) -> str:
        return "r2" if self.facts.task == "regression" else "accuracy"


def dataset_facts(dataset: Dataset) -> DataFacts:
    """What the settings need to know about a loaded dataset."""
    generator = GENERATORS.get(dataset.name)
    info = generator.info if generator is not None else None
    return DataFacts(str(dataset.task), dataset.n_classes, dataset.is_2d,
                     info.noise_range if info is not None else None, generated=info is not None,
                     playground=dataset.name in PLAYGROUND_SETS,
                     takes_classes=bool(info is not None and info.takes_classes))


class Session:
    """The settings, the run they prepare, the updates done so far, and the loss curve."""

    def __init__(self, settings: PlaygroundSettings, *, max_memory: int = DEFAULT_MAX_MEMORY):
        self.max_memory = max_memory
        self._facts: dict = {}  # (dataset, classes) -> DataFacts, for the settings panel
        self.applied = 0
        self.notice = (0, "", False)
        self._install(self._build(settings))

    # -- building a run ----------------------------------------------------------------

    def facts_of(self, name: str, settings: PlaygroundSettings) -> DataFacts:
        """What dataset ``name`` is (loaded once per name and classes; generated sets are quick)."""
        key = (name, settings.classes)
        if key in self._facts:
            return self._facts[key]
        generator = GENERATORS.get(name)
        if generator is None:  # a CSV file: read it (once) to know its task and width
            facts = dataset_facts(load_dataset(name, target=settings.target, task=settings.task))
        else:  # from the generator's description alone: no data made, no scikit-learn imported
            info = generator.info
            classes = (settings.classes if info.takes_classes else None) or generator.default_classes
            task = info.task if info.task == "regression" else ("binary" if classes == 2 else "multiclass")
            facts = DataFacts(str(task), 0 if task == "regression" else classes, info.is_2d, info.noise_range,
                              playground=name in PLAYGROUND_SETS, takes_classes=info.takes_classes)
        self._facts[key] = facts
        return facts

    def _build(self, settings: PlaygroundSettings) -> tuple:
        """The prepared run of ``settings`` and its raw splits; raises before anything changes."""
        facts = self.facts_of(settings.dataset, settings)
        options = DataOptions(**settings.data_keywords(facts))
        run = prepare_run(settings.dataset, options, max_memory=self.max_memory,
                          **settings.train_keywords(facts, MAX_STEPS))
        train_set, test_set = split(run.dataset, options.test_split, run.config.seed)
        return settings, dataset_facts(run.dataset), run, train_set, test_set

    def _install(self, built: tuple) -> None:
        self.settings, self.facts, self.run, self.train_set, self.test_set = built
        self._facts[(self.settings.dataset, self.settings.classes)] = self.facts
        self.steps_done = 0
        self.lr_changed_at: int | None = None  # a new learning rate after the first update: the path is not repeatable
        self.curve: list = []
        self.seconds = 0.0

    def apply(self, settings: PlaygroundSettings) -> bool:
        """Take new settings; True when training starts again (anything but the learning rate changed)."""
        self.applied += 1
        if replace(settings, lr=self.settings.lr) == self.settings:
            if settings.lr != self.settings.lr and self.steps_done:
                self.lr_changed_at = self.steps_done
            self.settings = settings
            return False
        self._install(self._build(settings))
        return True

    def say(self, text: str, error: bool = False) -> None:
        """Something for the status line (the next frame carries it)."""
        self.notice = (self.notice[0] + 1, text, error)

    # -- training -------------------------------------------------------------------------

    def train(self, on_step: Callable[[StepInfo], None] | None = None,
              stop: Callable[[], bool] | None = None) -> TrainResult | None:
        """One segment: update from where the last segment stopped until ``stop()`` (or ``MAX_STEPS`` in all)."""
        left = MAX_STEPS - self.steps_done
        if left <= 0:
            self.say(f"the run has made {MAX_STEPS:,} updates, the most one run makes: press r to start again",
                     error=True)
            return None
        config = replace(self.run.config, lr=self.settings.lr, steps=left)
        start, offset = time.perf_counter(), self.steps_done

        def counted(info: StepInfo) -> None:
            self.steps_done = offset + info.step
            if on_step is not None:
                on_step(info)

        try:
            return train(self.run.model, self.run.data, config, on_step=counted, stop=stop)
        finally:
            self.seconds += time.perf_counter() - start

    # -- what the screen draws ------------------------------------------------------------------

    def measure(self) -> tuple[Metrics, Metrics | None]:
        """Loss (mean over the split, without the penalty) and accuracy or R^2, on the training and test splits."""
        data, loss = self.run.data, self.run.config.loss
        train_metrics = measure(self.run.model, data.X, data.y, data.task, loss)
        test_metrics = measure(self.run.model, data.X_test, data.y_test, data.task, loss) if data.has_test else None
        return train_metrics, test_metrics

    def frame(self, view: ViewSize, serial: int = 0) -> Frame:
        """The numbers of this moment (call it between steps: the model must not change meanwhile)."""
        train_metrics, test_metrics = self.measure()
        self._record(train_metrics, test_metrics)
        dataset, predictor = self.run.dataset, self.run.predictor
        decision, note = None, None
        if dataset.is_2d:
            bounds = plane_bounds(dataset.X)
            grid = plane_grid(bounds, view.map_width, 2 * view.map_height)
            values = np.asarray(predictor.map_values(grid), dtype=np.float64)
            decision = MapValues(values.reshape(2 * view.map_height, view.map_width), bounds, view.map_width,
                                 view.map_height)
        else:
            note = (f"no map: {dataset.name} has {dataset.n_inputs} input{'s' if dataset.n_inputs != 1 else ''} "
                    f"({', '.join(dataset.input_names)}); a map needs 2-D data")
        batches = self.run.config.batches_per_epoch(self.run.n_train)
        return Frame(serial, self.settings, self.facts, self.steps_done, self.steps_done / batches, train_metrics,
                     test_metrics, tuple(self.curve), dataset, self.train_set.X, self.train_set.y,
                     None if self.test_set is None else self.test_set.X,
                     None if self.test_set is None else self.test_set.y,
                     decision, note, self._columns(view, decision), self.applied, self.notice)

    def _record(self, train_metrics: Metrics, test_metrics: Metrics | None) -> None:
        point = (self.steps_done, train_metrics.loss, None if test_metrics is None else test_metrics.loss)
        if self.curve and self.curve[-1][0] == self.steps_done:
            self.curve[-1] = point
        else:
            self.curve.append(point)
        if len(self.curve) > CURVE_POINTS:  # keep the first and the latest, every other one between
            self.curve = self.curve[:-1:2] + [self.curve[-1]]

    def _columns(self, view: ViewSize, decision: MapValues | None) -> tuple:
        """The inputs, then every layer: titles, maps (2-D data) and incoming weights."""
        predictor = self.run.predictor
        specs = predictor.model.to_specs()
        maps = inputs = None
        if decision is not None:
            size = (view.tile_width, 2 * view.tile_height)
            maps = neuron_maps(predictor, decision.bounds, *size)
            inputs = input_maps(predictor, decision.bounds, *size)
        names = tuple(self._feature_labels())
        columns = [LayerView("inputs", len(names), None, inputs, None, names)]
        for k, spec in enumerate(specs):
            last = k == len(specs) - 1
            title = f"{'output' if last else f'layer {k + 1}'}: {spec.n_outputs} {spec.activation}"
            columns.append(LayerView(title, spec.n_outputs, spec.activation, None if maps is None else maps[k],
                                     np.asarray(spec.weights, dtype=np.float64)))
        return tuple(columns)

    def _feature_labels(self) -> list[str]:
        pipeline = self.run.pipeline
        if pipeline.features is None:
            return list(pipeline.input_names)
        return [feature_label(code) for code in pipeline.features]

    # -- the way out -------------------------------------------------------------------------------

    def command_line(self) -> str:
        """The ``gradcli train`` command that trains this model: these settings, the updates done so far."""
        return self.settings.command_line(self.facts, self.steps_done)

    def save(self, path: str) -> str | None:
        """Write the model as it is now (a ``gradcli.mlp`` file, atomically); the writer's warning, if any."""
        train_metrics, test_metrics = self.measure()
        config = replace(self.run.config, lr=self.settings.lr, steps=self.steps_done)
        run = replace(self.run, settings=replace(self.run.settings, config=config))
        penalty = penalty_value(run.model.parameters(), config.l2, config.l1)
        result = TrainResult(run.model, config, {}, "r2" if self.facts.task == "regression" else "accuracy",
                             self.steps_done, self.seconds, "completed", None, train_metrics.loss + penalty,
                             train_metrics, test_metrics, steps_planned=self.steps_done)
        meta = run_meta(run, result, self.command_line())
        meta["playground"] = True
        if self.lr_changed_at is not None:
            meta["note"] = (f"the learning rate changed at step {self.lr_changed_at}: the command trains at the "
                            "last rate from the start")
        return save_model(path, run.predictor.to_saved(meta))



