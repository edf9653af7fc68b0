"""The files ``gradcli sweep`` writes while its runs finish: the results file, and each run's model and history.

``check_outputs`` refuses a bad path before any run starts.  ``SweepFiles.record(outcome)``
is called as each run finishes: with ``--save-dir`` it writes the run's model file and history
CSV (named by the run's settings), and it rewrites the results file (``--results``, and
``DIR/sweep.json``) whole, atomically, so that an interrupted or crashed sweep leaves every
finished run in it (``"stopped": "running"`` until the sweep ends).  Rewriting a large file
after every run would cost more than the runs: it is rewritten when the time since the last
write is at least ``REWRITE_FACTOR`` times what that write took, and always at the end.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..atomicfile import check_writable, write_text_atomic
from ..errors import UsageError

__all__ = ["check_outputs", "SweepFiles", "RESULT_SUFFIXES"]

RESULT_SUFFIXES = (".json", ".csv")
REWRITE_FACTOR = 10  # writing the results takes at most about a tenth of the sweep's time


def check_outputs(results: str | None, save_dir: str | None, plot: str | None) -> None:
    """Usage errors, before any run: a save folder that cannot be made (it is made here), a results file that
    is not .json or .csv or cannot be written, a plot path ``train --plot`` would refuse."""
    if save_dir is not None:
        if os.path.exists(save_dir) and not os.path.isdir(save_dir):
            raise UsageError(f"{{setting}} {save_dir} is a file, not a folder", setting="save_dir", value=save_dir)
        try:
            os.makedirs(save_dir, exist_ok=True)
        except OSError as exc:
            from ..paths import os_error_text

            raise UsageError(f"{{setting}} {save_dir}: cannot make the folder ({os_error_text(exc)})",
                             setting="save_dir", value=save_dir) from None
        check_writable(os.path.join(save_dir, "sweep.json"))
    if results is not None:
        if Path(results).suffix.lower() not in RESULT_SUFFIXES:
            raise UsageError(f"{{setting}} {results}: the file name must end in .json or .csv", setting="results",
                             value=results)
        check_writable(results)
    if plot is not None:
        from ..pictures.plot import check_plot_path

        check_plot_path(plot)


class SweepFiles:
    """Writes a sweep's files as its runs finish (see the module docstring)."""

    def __init__(self, grid, specs, results: str | None, save_dir: str | None, backend: str = ""):
        self.grid, self.specs, self.backend = grid, specs, backend
        self.save_dir = save_dir
        self.targets = [path for path in (results, save_dir and os.path.join(save_dir, "sweep.json")) if path]
        self.outcomes = []
        self.notes: list[str] = []
        self.start = time.perf_counter()
        self.next_write = 0.0  # perf_counter time from which the results may be rewritten

    @property
    def results_path(self) -> str | None:
        return self.targets[0] if self.targets else None

    def record(self, outcome) -> None:
        """Keep a finished run: its own files now, the results file when due."""
        self.outcomes.append(outcome)
        if self.save_dir is not None and outcome.saved is not None:
            self._save_run(outcome)
        if self.targets and time.perf_counter() >= self.next_write:
            self._write_results(self._partial())

    def finish(self, sweep, ranking) -> list[str]:
        """Write the results of the whole sweep; the warnings about what was written (numbers written as null)."""
        if self.targets:
            self._write_results(sweep, ranking)
        if self.notes:
            shown = self.notes[0]
            more = f" (and in {len(self.notes) - 1} more files)" if len(self.notes) > 1 else ""
            return [shown + more]
        return []

    def _save_run(self, outcome) -> None:
        from ..csvtext import write_csv_rows
        from ..learn.modelfile import model_from_json, save_model

        spec = self.specs[outcome.index]
        model_path = os.path.join(self.save_dir, spec.stem() + ".json")
        note = save_model(model_path, model_from_json(outcome.saved, model_path))
        if note:
            self.notes.append(f"{model_path}: {note}")
        header, rows = outcome.log
        note = write_csv_rows(os.path.join(self.save_dir, spec.stem() + ".csv"), header, rows)
        if note:
            self.notes.append(f"{spec.stem()}.csv: {note}")

    def _partial(self):
        from ..learn.sweep import SweepResult

        outcomes = sorted(self.outcomes, key=lambda outcome: outcome.index)
        return SweepResult(outcomes, len(self.specs), "running", time.perf_counter() - self.start, None, None,
                           self.backend)

    def _write_results(self, sweep, ranking=None) -> None:
        from ..csvtext import csv_text
        from ..jsontext import to_json
        from ..learn.ranking import rank
        from ..render.sweep import run_rows, sweep_document

        began = time.perf_counter()
        ranking = ranking if ranking is not None else rank(self.grid, sweep.outcomes)
        for path in self.targets:
            if path.lower().endswith(".csv"):
                text = csv_text(*run_rows(self.grid, sweep, self.specs))
            else:
                text = to_json(sweep_document(self.grid, sweep, ranking, self.specs), indent=1) + "\n"
            write_text_atomic(path, text)
        self.next_write = time.perf_counter() + REWRITE_FACTOR * (time.perf_counter() - began)
