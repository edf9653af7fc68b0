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
