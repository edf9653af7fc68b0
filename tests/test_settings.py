"""Typed settings: one source of choices and defaults, the origin of every value, errors in Python's words."""

from __future__ import annotations

import json
import typing

import pytest
import typer

from gradcli.cli.app import app
from gradcli.cli.common import error_lines, flag_name
from gradcli.errors import GradcliWarning, UsageError
from gradcli.learn.config import CHOICES, TrainConfig
from gradcli.learn.run import DataOptions, prepare_run
from gradcli.learn.settings import SETTINGS, Source, resolve_settings


def command(name: str):
    return typer.main.get_command(app).commands[name]


def test_the_cli_choices_are_the_core_enums():
    from gradcli.cli.train_cmd import train_command

    hints = typing.get_type_hints(train_command, include_extras=True)
    for name, kind in CHOICES.items():
        optional, _ = typing.get_args(hints[name])  # Annotated[Optional[kind], typer.Option(...)]
        assert typing.get_args(optional)[0] is kind, name


def test_every_setting_has_a_train_option_and_a_row_in_the_settings_table():
    options = {param.name for param in command("train").params}
    assert set(SETTINGS) <= options
    rows = resolve_settings("moons", task="binary", n_classes=2).shown()
    assert [name for name, _, _ in rows] == list(SETTINGS)
    assert SETTINGS[-3:] == ("standardize", "engine", "seed")  # the table's order since 0.1


def test_strings_become_enum_members_and_unknown_ones_name_the_field():
    config = TrainConfig(activation="tanh", loss="cross-entropy", layers=(4, 2))
    assert config.activation is CHOICES["activation"].tanh and config.sizes == [4, 2]
    assert json.dumps([config.activation, config.loss]) == '["tanh", "cross-entropy"]'
    with pytest.raises(UsageError) as caught:
        TrainConfig(init="glorot")
    choices = "zeros, uniform, normal, xavier, xavier-normal, he, he-normal"
    assert str(caught.value) == f"init 'glorot' is not one of: {choices}"
    assert error_lines(caught.value) == [f"error: --init 'glorot' is not one of: {choices}"]


def test_sources_record_option_preset_and_default_for_every_setting():
    settings = resolve_settings("sine", task="regression", n_classes=0, requested={"steps": 7, "standardize": False})
    assert set(settings.sources) == set(SETTINGS)
    assert settings.sources["steps"] is Source.option and settings.sources["standardize"] is Source.option
    assert settings.sources["optimizer"] is Source.preset and settings.sources["lr"] is Source.preset
    assert settings.sources["seed"] is Source.default and settings.config.seed == 1337
    assert settings.sources["loss"] is Source.default and settings.config.loss == "mse"  # follows from the task
    with pytest.raises(TypeError):
        settings.sources["steps"] = Source.default  # read-only: settings are not patched on the way


def test_a_model_file_gives_layers_and_activation_unless_asked_otherwise(tmp_path):
    from gradcli.learn.modelfile import save_model
    from gradcli.learn.run import run_meta
    from gradcli.learn.train import train

    path = tmp_path / "small.json"
    first = prepare_run("moons", DataOptions(samples=20), layers=[4, 1], activation="tanh", steps=2)
    save_model(path, first.predictor.to_saved(run_meta(first, train(first.model, first.data, first.config), "x")))
    resumed = prepare_run("moons", DataOptions(samples=20), init_from=str(path), steps=2)
    assert resumed.config.sizes == [4, 1] and resumed.config.activation == "tanh"
    assert resumed.settings.sources["layers"] is Source.model_file
    assert resumed.settings.sources["activation"] is Source.model_file
    assert dict((name, source) for name, _, source in resumed.settings.shown())["layers"] == "init-from"
    overridden = prepare_run("moons", DataOptions(samples=20), init_from=str(path), activation="tanh", steps=2)
    assert overridden.settings.sources["activation"] is Source.option


def test_the_seed_is_an_option_only_when_given():
    assert prepare_run("xor", steps=1).settings.sources["seed"] is Source.default
    given = prepare_run("xor", steps=1, seed=1337)  # the default's value, but asked for
    assert given.settings.sources["seed"] is Source.option and given.config.seed == 1337


def test_an_unknown_setting_is_a_type_error_as_an_unknown_keyword_is():
    with pytest.raises(TypeError, match="'stepz' is not a setting"):
        prepare_run("moons", stepz=5)


def test_notes_are_warnings_in_python_words_and_flags_in_the_cli(cli):
    run = prepare_run("moons", DataOptions(samples=20), steps=1, batch_size=50)
    (note,) = run.notes
    assert isinstance(note, GradcliWarning)
    assert str(note) == "batch_size 50 is more than the 20 training samples: every step uses all of them"
    assert note.describe(flag_name).startswith("--batch-size 50 is more than")


def test_a_divergence_names_lr_for_python_and_lr_flag_for_the_cli():
    run = prepare_run("sine", optimizer="sgd", lr=50.0, activation="relu")
    from gradcli.learn.train import train

    result = train(run.model, run.data, run.config)
    assert result.stopped == "diverged" and result.message == str(result.divergence)
    assert result.message.endswith("Try a lower learning rate than lr 50")
    assert error_lines(result.divergence)[0].endswith("Try a lower learning rate than --lr 50")


@pytest.mark.parametrize("make, python, cli_words", [
    (lambda: prepare_run("toy4", DataOptions(features="x,y")), "leave out features", "leave out --features"),
    (lambda: prepare_run("moons", DataOptions(test_split=1.5)), "test_fraction must lie", "--test-split must lie"),
    (lambda: prepare_run("blobs", layers=[16, 1]), "loss cross-entropy needs one output per class: end layers with 3",
     "--loss cross-entropy needs one output per class: end --layers with 3"),
])
def test_core_errors_name_arguments_and_the_cli_names_flags(make, python, cli_words):
    with pytest.raises(UsageError) as caught:
        make()
    everything = str(caught.value) + " " + (caught.value.describe_hint() or "")
    assert python in everything and "--" not in everything
    assert cli_words in " ".join(error_lines(caught.value))


def test_a_missing_model_file_gets_the_command_that_makes_one():
    from gradcli.errors import ModelFileError
    from gradcli.learn.modelfile import load_model

    with pytest.raises(ModelFileError) as caught:
        load_model("nowhere.json")
    assert "gradcli" not in caught.value.hint  # Python's hint: save_model
    assert error_lines(caught.value)[1] == "hint: train one first: gradcli train moons --save model.json"


# -- a preset that no longer fits the model adapts, and says so -----------------------------------------------


def test_a_preset_keeps_its_recipe_for_the_model_it_was_tuned_for():
    for requested in ({}, {"layers": [16, 16, 1]}, {"layers": "16:relu,16,1:linear", "activation": "relu"},
                      {"steps": 50}, {"init": "uniform", "loss": "hinge"}, {"init_scale": 1}):
        settings = resolve_settings("moons", task="binary", n_classes=2, requested=requested)
        assert settings.config.optimizer == "sgd" and settings.notes == (), requested
    assert resolve_settings("toy4", task="binary", n_classes=2, requested={"layers": [4, 4, 1]}).notes == ()


@pytest.mark.parametrize("requested, differences", [
    ({"layers": [4, 4, 4, 1], "init": "xavier-normal", "loss": "mse"}, ["layers", "init", "loss"]),
    ({"activation": "tanh"}, ["layers"]),  # the activations are part of the layers' text
    ({"layers": "16,16,1:tanh"}, ["layers"]),
    ({"init_scale": 0.1}, ["init_scale"]),
])
def test_another_model_takes_the_adapted_recipe_for_what_nobody_chose(requested, differences):
    settings = resolve_settings("moons", task="binary", n_classes=2, requested=requested)
    config, sources = settings.config, settings.sources
    assert (config.optimizer, config.lr, config.schedule, config.steps) == ("adam", 0.03, "cosine", 300)
    assert all(sources[name] is Source.adapted for name in ("optimizer", "lr", "schedule", "steps"))
    (note,) = settings.notes
    assert note.facts["kind"] == "preset-adapted" and note.facts["differences"] == differences
    assert str(note).endswith("(choose optimizer or lr to decide)")
    assert error_lines(note)[0].endswith("(choose --optimizer or --lr to decide)")


def test_the_callers_choices_win_over_the_adapted_recipe():
    # a chosen rate or optimiser is the caller's recipe: nothing adapts (seed 000's run depends on it)
    for chosen in ({"lr": 0.5}, {"optimizer": "momentum"}):
        settings = resolve_settings("moons", task="binary", n_classes=2, requested={"layers": [8, 1], **chosen})
        assert settings.notes == () and settings.config.optimizer != "adam"
    partly = resolve_settings("moons", task="binary", n_classes=2, requested={"layers": [8, 1], "steps": 40})
    assert partly.config.steps == 40 and partly.sources["steps"] is Source.option and partly.config.optimizer == "adam"
    assert "40 steps" not in str(partly.notes[0])  # the note names only what it changes
    epochs = resolve_settings("moons", task="binary", n_classes=2, requested={"layers": [8, 1], "epochs": 3})
    assert epochs.config.steps is None and epochs.config.epochs == 3


def test_adam_presets_keep_their_recipe_for_any_model():
    settings = resolve_settings("spiral", task="binary", n_classes=2, requested={"layers": [8, 8, 1]})
    assert settings.notes == () and settings.sources["lr"] is Source.preset and settings.config.lr == 0.03


# -- issue 10, item 21: what the Settings table and the preset note say ------------------------------------------


def test_the_activation_row_says_when_no_layer_uses_it(cli):
    rows = dict((name, value) for name, value, _ in
                resolve_settings("moons", task="binary", n_classes=2, requested={"layers": [1]}).shown())
    assert rows["activation"] == "- (no hidden layer)"
    result = cli("train", "linear2", "--layers", "1", "--steps", "2", "--quiet")
    assert "activation     - (no hidden layer)" in result.stdout and "activation     relu" not in result.stdout


def test_the_preset_note_names_only_what_the_preset_set(cli):
    note = resolve_settings("spiral", task="binary", n_classes=2, requested={"steps": 50}).preset_note()
    assert note == "optimizer adam, lr 0.03, standardize yes (the arms need many small adaptive steps)"
    full = cli("train", "moons", "--steps", "2", "--quiet").stdout
    assert "dataset preset: standardize no (micrograd's demo trains on the raw inputs)" in full
    overridden = cli("train", "moons", "--steps", "2", "--standardize", "--quiet").stdout
    assert "dataset preset" not in overridden  # the user overrode all it set


def test_the_settings_table_leaves_out_features_a_run_does_not_use(cli):
    plain = cli("train", "moons", "--steps", "2", "--quiet").stdout
    for name in ("epochs", "patience", "check-grad-every", "zero-grad", "init-scale", "eval-every", "shuffle"):
        assert f"  {name} " not in plain
    used = cli("train", "moons", "--epochs", "1", "--batch-size", "50", "--no-shuffle", "--quiet").stdout
    assert "epochs         1" in used and "shuffle        no" in used and "steps          as the epochs take" in used
    assert "steps             2 of 2  (1 epochs of 2 batches)" in used


@pytest.mark.parametrize("args, message", [
    (["--patience", "0", "--test-split", "0.2"], "--patience must lie in 1..1,000,000, got 0"),
    (["--epochs", "3", "--steps", "10"], "give --steps or --epochs, not both"),
    (["--layers", "16:nope,1"], "--layers '16:nope': 'nope' is not an activation; choose one of relu, tanh"),
    (["--init-scale", "-1"], "--init-scale must be a positive number, got -1 (for all-zero weights use --init zeros)"),
    (["--check-grad-every", "500"], "--check-grad-every 500 is more than the 100 steps of the run"),
    (["--patience", "5"], "--patience stops on the test loss, and this run holds out no data: add --test-split 0.2"),
    (["--eval-every", "0"], "--eval-every must lie in 1..1,000,000, got 0"),
    (["--epochs", "20000", "--batch-size", "1"], "--epochs 20,000 at 100 batches each make 2,000,000 steps"),
])
def test_bad_training_2_input_is_one_clear_line_and_exit_2(cli, args, message):
    result = cli("train", "moons", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) <= 2


def test_harmless_settings_that_do_nothing_are_noted(cli):
    result = cli("train", "moons", "--init", "zeros", "--init-scale", "2", "--eval-every", "5", "--steps", "1",
                 "--quiet")
    assert result.exit_code == 0
    assert "warning: --init-scale has no effect with --init zeros" in result.stderr
    assert "warning: --eval-every has no effect: this run holds out no data" in result.stderr


@pytest.mark.parametrize("flag", ["--shuffle", "--no-shuffle"])
def test_shuffle_does_nothing_when_every_step_takes_the_whole_set(cli, flag):
    result = cli("train", "moons", flag, "--steps", "1", "--quiet")
    assert result.exit_code == 0
    # the setting is named as the Settings table names it, whichever way it was given
    assert "warning: --shuffle has no effect: every step uses the whole training set" in result.stderr
    whole = cli("train", "moons", flag, "--batch-size", "100", "--steps", "1", "--quiet")  # moons has 100
    assert "--shuffle has no effect" in whole.stderr
    batched = cli("train", "moons", flag, "--batch-size", "10", "--steps", "1", "--quiet")
    assert "has no effect" not in batched.stderr


def test_init_settings_do_nothing_when_the_weights_come_from_a_model_file(cli, tmp_path):
    path = tmp_path / "m.json"
    assert cli("train", "moons", "--layers", "4,1", "--steps", "1", "--save", str(path), "--quiet").exit_code == 0
    result = cli("train", "moons", "--init-from", str(path), "--init", "zeros", "--init-scale", "2", "--steps", "1",
                 "--quiet")
    assert result.exit_code == 0
    assert f"warning: --init has no effect with --init-from: the weights start from {path}'s" in result.stderr
    assert "warning: --init-scale has no effect with --init-from" in result.stderr
    quiet = cli("train", "moons", "--init-from", str(path), "--steps", "1", "--quiet")
    assert "has no effect" not in quiet.stderr

