"""How a finished training run is shown: Rich summary tables, the final decision map, or JSON.

``summary_tables(run, result)`` -> renderables for the console;
``result_document(run, result, command, saved)`` -> the data of ``--format json`` (for the JSON writer);
``decision_picture(run, width, height)`` -> a terminal decision map for 2-D data.
"""

from __future__ import annotations

from ..numbers import decimals, percent, scientific, short
from .errors import flag_name
from . import style

LIVE_MAP_SIZE = (36, 12)  # columns x rows of the map drawn while training
FINAL_MAP_MAX_WIDTH = 64
SOURCE_MARKS = {"option": "your option", "preset": "dataset preset", "adapted": "preset, adapted",
                "init-from": "--init-from", "default": ""}


def summary_rows(run, result) -> list[tuple[str, str]]:
    """(name, value) rows of the result table."""
    data = run.dataset
    loss_name = result.config.loss
    penalty = " + penalty" if (result.config.l2 or result.config.l1) else ""
    rows = [("dataset", f"{data.name}: {run.n_train} training samples"
                        + (f", {run.n_test} held out" if run.n_test else "") + f", {data.task}"),
            ("final loss", f"{short(result.final_loss)}  ({loss_name}{penalty})")]
    if data.task == "regression":
        rows.append(("train R^2 / MSE", f"{decimals(result.train.r2)} / {short(result.train.mse)}"))
        if result.test:
            rows.append(("test R^2 / MSE", f"{decimals(result.test.r2)} / {short(result.test.mse)}"))
    else:
        rows.append(("train accuracy", percent(result.train.accuracy)))
        rows.append(("test accuracy", percent(result.test.accuracy) if result.test else "- (use --test-split 0.2)"))
    if result.test:
        rows.append(("test loss", f"{short(result.final_test_loss)}  ({loss_name}{penalty}, held out)"))
    if result.best is not None:
        which = "the final weights" if result.best.step is None else f"the weights of step {result.best.step}"
        rows.append(("kept", f"{which}  (best test loss {short(result.best.loss)})"))
    rows += [
        ("parameters", str(run.model.parameter_count)),
        ("steps", _steps_text(run, result)),
    ]
    if result.grad_checks:
        rows.append(("gradient check", _grad_check_text(result)))
    rate = "-" if result.steps_done == 0 else f"{result.steps_per_second:.0f}"
    rows.append(("time", f"{result.seconds:.2f} s  ({rate} steps/s, {result.config.engine} engine)"))
    return rows


def _steps_text(run, result) -> str:
    text = f"{result.steps_done} of {result.steps_planned}"
    config = result.config
    if config.epochs is not None:
        text += f"  ({config.epochs} epochs of {config.batches_per_epoch(run.n_train)} batches)"
    if result.stopped != "completed":
        text += f" ({result.stopped})"
    return text


def _grad_check_text(result) -> str:
    checks = [check for step in result.grad_checks for check in step.checks]
    failed = sum(not check.ok for check in checks)
    worst = result.worst_grad_check
    verdict = f"{failed} FAILED" if failed else "all passed"
    worst_text = "-" if worst is None else scientific(worst)
    return (f"worst relative error {worst_text} over {len(checks)} parameters at {len(result.grad_checks)} steps "
            f"({verdict}; limit 1e-05)")


def summary_tables(run, result) -> list:
    """The result table and the settings table (with where each setting came from)."""
    results = style.summary_table("Training summary", summary_rows(run, result))
    settings = style.table("Settings", rules=False)
    settings.add_column("setting")
    settings.add_column("value")
    settings.add_column("from", style="dim")
    for name, value, source in run.settings.shown(compact=True):
        settings.add_row(name.replace("_", "-"), value, SOURCE_MARKS.get(source, source))
    tables = [results, settings]
    note = run.settings.preset_note()  # only what the preset set in this run
    if note:
        from rich.text import Text

        tables.append(Text(f"dataset preset: {note}", style="dim"))
    return tables


def decision_picture(run, width: int, height: int):
    """A terminal map of the run's network (as it is now) over 2-D data; None for other data."""
    data = run.dataset
    if not data.is_2d:
        return None
    from ..pictures.termmap import decision_map

    return decision_map(run.predictor.map_values, data.X, data.y, width=width, height=height,
                        task=data.task, class_labels=data.class_labels or None,
                        x_label=data.input_names[0], y_label=data.input_names[1])


def final_map_size(console_width: int, X) -> tuple[int, int]:
    """Width and height of the final map: fit the console, keep the data's proportions."""
    from ..pictures.termmap import fit_size

    return fit_size(console_width, X, max_width=FINAL_MAP_MAX_WIDTH, max_height=22)


def result_document(run, result, command: str, saved: str | None) -> dict:
    """The data of ``train --format json``: settings, metrics, history and the command (NaN stays NaN here)."""
    from ..learn.run import history_record

    regression = run.dataset.task == "regression"
    config = result.config
    history = history_record(result)  # null at a step where the held-out set was not evaluated
    out = {
        "dataset": run.dataset.name,
        "task": run.dataset.task,
        "samples": {"train": run.n_train, "test": run.n_test},
        "layers": config.sizes,
        "activations": config.activations(),
        "activation": config.activation,
        "init": config.init,
        "init_scale": config.init_scale,
        "loss": config.loss,
        "optimizer": config.optimizer,
        "lr": config.lr,
        "schedule": config.schedule,
        "steps": result.steps_done,
        "steps_requested": result.steps_planned,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "shuffle": config.shuffle,
        "l2": config.l2,
        "l1": config.l1,
        "zero_grad": config.zero_grad,
        "eval_every": config.eval_every,
        "patience": config.patience,
        "check_grad_every": config.check_grad_every,
        "seed": config.seed,
        "engine": config.engine,
        "standardize": run.settings.standardize,
        "features": run.pipeline.feature_names,
        "parameters": run.model.parameter_count,
        "final_loss": result.final_loss,
        "train_accuracy": None if regression else result.train.accuracy,
        "test_accuracy": None if regression or not result.test else result.test.accuracy,
        "test_loss": result.final_test_loss,
        "best_step": None if result.best is None else result.best.step,
        "best_test_loss": None if result.best is None else result.best.loss,
        "grad_check": None if not result.grad_checks else {
            "steps": [check.step for check in result.grad_checks],
            "worst_relative_error": result.worst_grad_check,
            "failed": sum(not c.ok for check in result.grad_checks for c in check.checks)},
        "seconds": result.seconds,
        "steps_per_second": result.steps_per_second if result.steps_done else None,  # no rate without steps
        "stopped": result.stopped,
        "message": result.message,
        "command": command,
        "saved": saved,
        "warnings": [{"kind": w.facts.get("kind"), "message": w.describe(flag_name)}
                     for w in [*run.notes, *result.warnings]],
        "history": history,
    }
    if regression:
        out.update(train_r2=result.train.r2, train_mse=result.train.mse,
                   test_r2=result.test.r2 if result.test else None, test_mse=result.test.mse if result.test else None)
    return out
