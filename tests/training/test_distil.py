import json

import keras
import numpy as np
import pytest

from digitlib import config, files
from digitlib.training import distil, model
from tests.helpers import REQUIRED_CARD_FIELDS


def test_cli_distils_a_tiny_run_from_the_committed_teachers(monkeypatch, tmp_path, capsys):
    from digitlib.__main__ import main

    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    path = tmp_path / "student.keras"
    assert main(["train", "--distil", "--output", str(path)]) == 0
    count = len(distil.teacher_paths())
    assert f"Distilling from the {count} teachers" in capsys.readouterr().out

    card = json.loads(path.with_suffix(".json").read_text())
    assert REQUIRED_CARD_FIELDS <= set(card)
    teachers = card["distillation"]["teachers"]
    assert [teacher["file"] for teacher in teachers] == [
        teacher.name for teacher in distil.teacher_paths()]
    for teacher in teachers:
        assert files.sha256_of(distil.TEACHERS_DIR / teacher["file"]) == teacher["sha256"]
    assert card["distillation"]["teachers_validation_accuracy"] > 0.99
    assert 0.5 < card["test_accuracy"] <= 1.0

    # the student is the usual network, wider, with probabilities out, as every front end expects
    student = keras.models.load_model(path)
    assert [layer.name for layer in student.layers] == [
        layer.name for layer in model.build_model().layers]
    wider = model.build_model(**distil.STUDENT)
    assert [(layer.name, layer.output.shape) for layer in student.layers] == [
        (layer.name, layer.output.shape) for layer in wider.layers]
    assert card["network"]["parameters"] == student.count_params() == wider.count_params()
    probabilities = student.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert probabilities.sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_loss_rewards_agreeing_with_the_teachers_and_the_label():
    teachers = np.log(np.array([[0.7, 0.29] + [0.001] * 8], "float32"))
    label = np.eye(10, dtype="float32")[[0]]
    y_true = np.concatenate([label, teachers], axis=1)
    loss = distil.distillation_loss()
    agreeing = float(loss(y_true, teachers)[0])
    sure_of_the_label = float(loss(y_true, np.log(np.array([[0.98] + [0.002] * 9], "float32")))[0])
    wrong = float(loss(y_true, np.log(np.array([[0.01, 0.01, 0.9] + [0.08 / 7] * 7],
                                               "float32")))[0])
    assert agreeing < sure_of_the_label < wrong
    # with the whole loss on the label, it is the usual cross-entropy
    only_labels = distil.distillation_loss(label_share=1.0)
    logits = np.array([[2.0, 1.0] + [0.0] * 8], "float32")
    expected = -np.log(np.exp(2.0) / (np.exp(2.0) + np.exp(1.0) + 8))
    assert float(only_labels(y_true, logits)[0]) == pytest.approx(expected, rel=1e-5)


def test_ensemble_is_the_mean_of_the_teachers_log_probabilities():
    def constant(probabilities, name):
        inputs = keras.Input((28, 28, 1))
        flat = keras.layers.Flatten()(inputs)
        logits = keras.layers.Dense(
            10, kernel_initializer="zeros",
            bias_initializer=keras.initializers.Constant(np.log(probabilities)))(flat)
        return keras.Model(inputs, keras.layers.Softmax()(logits), name=name)

    first = np.array([0.5, 0.5] + [0.0] * 8) + 1e-9
    second = np.array([0.9, 0.1] + [0.0] * 8) + 1e-9
    ensemble = distil.Ensemble([constant(first, "a"), constant(second, "b")])
    reading = keras.ops.convert_to_numpy(ensemble(np.zeros((1, 28, 28, 1), "float32")))[0]
    assert reading[:2] == pytest.approx(
        (np.log(first[:2] + 1e-7) + np.log(second[:2] + 1e-7)) / 2, abs=1e-4)


def test_missing_teachers_are_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no teacher models"):
        distil.teacher_paths(tmp_path)
    with pytest.raises(ValueError, match="not found: .*absent.keras"):
        distil.distil([tmp_path / "absent.keras"])
    with pytest.raises(TypeError, match="a list of model paths"):
        distil.distil("models/teachers/cnn_a.keras")


def test_every_teacher_has_a_card_that_describes_its_file():
    for path in distil.teacher_paths():
        card = json.loads(path.with_suffix(".json").read_text())
        assert card["model_sha256"] == files.sha256_of(path)
        assert {"architecture", "made_by", "recipe", "validation_accuracy"} <= set(card)


def test_committed_teachers_are_build_teacher_networks_trained_as_their_settings_say():
    paths = distil.teacher_paths()
    assert [path.name for path in paths] == [
        f"deotte_{index}.keras" for index in range(len(distil.TEACHER_SETTINGS))]
    expected = distil.build_teacher()
    for index, path in enumerate(paths):
        teacher = keras.models.load_model(path, compile=False)
        assert [(type(layer).__name__, layer.output.shape) for layer in teacher.layers] == [
            (type(layer).__name__, layer.output.shape) for layer in expected.layers]
        assert teacher.count_params() == expected.count_params()
        card = json.loads(path.with_suffix(".json").read_text())
        settings = distil.TEACHER_SETTINGS[index]
        assert card["recipe"]["seed"] == settings["seed"]
        for name, value in settings.items():
            assert card["recipe"][name] == value, (path.name, name)
        assert card["recipe"]["label_smoothing"] == 0.0


def test_committed_model_card_names_the_committed_teachers():
    card = json.loads(config.DEFAULT_MODEL_PATH.with_suffix(".json").read_text())
    teachers = card["distillation"]["teachers"]
    assert [teacher["file"] for teacher in teachers] == [
        path.name for path in distil.teacher_paths()]
    for teacher in teachers:
        assert files.sha256_of(distil.TEACHERS_DIR / teacher["file"]) == teacher["sha256"]
    assert card["epochs"] == distil.EPOCHS  # make model's recipe is the committed model's
