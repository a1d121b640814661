import json
import os
import time

import numpy as np
import pytest

from digitlib import config
from digitlib.training import model, train
from tests.helpers import REQUIRED_CARD_FIELDS


def snapshot(directory):
    return {path.name: path.stat().st_mtime_ns for path in directory.iterdir()}


def test_fast_mode_trains_a_tiny_run_into_a_temporary_directory(monkeypatch):
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    models_before = snapshot(config.MODELS_DIR)
    started = time.perf_counter()

    path, history, card = train.train_and_save(verbose=0)

    assert time.perf_counter() - started < 60
    assert config.MODELS_DIR not in path.parents
    assert path.exists() and path.with_suffix(".json").exists()
    written = json.loads(path.with_suffix(".json").read_text())["onnx"]  # and its ONNX copy
    assert written["file"] == path.with_suffix(".onnx").name and path.with_suffix(".onnx").exists()
    assert snapshot(config.MODELS_DIR) == models_before, "fast mode touched models/"
    assert card["fast_mode"] is True and card["epochs"] == 1
    assert REQUIRED_CARD_FIELDS <= set(json.loads(path.with_suffix(".json").read_text()))
    assert 0.5 < card["test_accuracy"] <= 1.0  # learnt something, even in one tiny epoch
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_fast_mode_switch_is_read_from_the_environment(monkeypatch):
    for value, expected in [("1", True), ("true", True), ("0", False), ("", False)]:
        monkeypatch.setenv(config.FAST_MODE_VARIABLE, value)
        assert config.fast_mode() is expected


def test_model_shape_and_bad_hyperparameters():
    network = model.build_model()
    assert network.input_shape == (None, 28, 28, 1) and network.output_shape == (None, 10)
    with pytest.raises(ValueError, match="conv1_filters"):
        model.build_model(conv1_filters=0)
    with pytest.raises(ValueError, match="dropout"):
        model.build_model(dropout=1.5)


def test_validation_split_is_the_last_images_of_the_training_set():
    import numpy as np

    x, y = np.arange(20), np.arange(20) % 10
    (x_fit, _), (x_val, _) = train.split_validation(x, y, size=5)
    assert x_fit.tolist() == list(range(15)) and x_val.tolist() == list(range(15, 20))


# --- where a trained model goes: never over a tracked file unasked ------------------------------


def git(*arguments):
    import subprocess

    return subprocess.run(["git", "-C", str(config.ROOT), *arguments], capture_output=True,
                          text=True, timeout=60)


def test_full_mode_trains_the_learners_untracked_model_by_default(monkeypatch):
    monkeypatch.delenv(config.FAST_MODE_VARIABLE, raising=False)
    assert train.destination() == config.LEARNER_MODEL_PATH
    assert train.destination("mine") == config.LEARNER_MODEL_PATH
    if git("rev-parse").returncode != 0:  # a copy without git (CI's plain-commands part)
        pytest.skip("tracked or ignored: needs a git checkout (CI's make test part has one)")
    for path in (config.LEARNER_MODEL_PATH, config.LEARNER_MODEL_PATH.with_suffix(".json")):
        relative = str(path.relative_to(config.ROOT))
        assert git("ls-files", "--error-unmatch", relative).returncode != 0, f"{relative} tracked"
        assert git("check-ignore", "-q", relative).returncode == 0, f"{relative} not ignored"
    assert git("ls-files", "--error-unmatch", "models/mnist_cnn.keras").returncode == 0


def quick_train(recipe=None, verbose="auto"):
    """Stands in for ``train.train``: an untrained network and the info a card needs."""
    network = model.build_model()
    network.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    info = {"recipe": {"epochs": 0}, "chosen_epoch": None, "validation_accuracy": 0.1,
            "train_seconds": 0.0, "data_sha256": "not trained"}
    return network, None, info


def test_train_and_save_without_arguments_in_full_mode_writes_only_the_learners_model(
        monkeypatch, tmp_path):
    monkeypatch.delenv(config.FAST_MODE_VARIABLE, raising=False)
    monkeypatch.setattr(config, "LEARNER_MODEL_PATH", tmp_path / "mnist_cnn_mine.keras")
    monkeypatch.setattr(train, "train", quick_train)  # no real training
    models_before = snapshot(config.MODELS_DIR)

    path, _, card = train.train_and_save()

    assert path == tmp_path / "mnist_cnn_mine.keras" and path.exists()
    assert json.loads(path.with_suffix(".json").read_text())["model_sha256"]
    assert card["fast_mode"] is False
    assert snapshot(config.MODELS_DIR) == models_before, "full mode touched models/"


def test_only_an_explicit_committed_refreshes_the_committed_model(monkeypatch):
    monkeypatch.delenv(config.FAST_MODE_VARIABLE, raising=False)
    assert train.destination("committed") == config.DEFAULT_MODEL_PATH
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    for committed in ("committed", config.DEFAULT_MODEL_PATH, str(config.DEFAULT_MODEL_PATH)):
        with pytest.raises(ValueError, match="refusing to overwrite the committed model"):
            train.destination(committed)
    # Nor a tiny run in place of the learner's model, which the notebooks and pads then use.
    with pytest.raises(ValueError, match="refusing to overwrite your model"):
        train.destination("mine")


def test_bad_destinations_are_refused_before_training(monkeypatch, tmp_path):
    def no_training(*args, **kwargs):
        raise AssertionError("trained before checking where to save")

    monkeypatch.setattr(train, "train", no_training)
    with pytest.raises(ValueError, match=".keras"):
        train.train_and_save(tmp_path / "model.h5")
    with pytest.raises(TypeError, match="model name or a file path"):
        train.train_and_save(3)


def test_cli_train_refuses_the_committed_model_in_fast_mode(monkeypatch, capsys):
    from digitlib.__main__ import main

    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    monkeypatch.setattr(train, "train", quick_train)
    before = snapshot(config.MODELS_DIR)
    assert main(["train", "--output", "committed"]) == 2
    assert "refusing to overwrite the committed model" in capsys.readouterr().err
    assert snapshot(config.MODELS_DIR) == before


def test_cli_train_writes_the_learners_model_by_default(monkeypatch, tmp_path, capsys):
    from digitlib.__main__ import main

    monkeypatch.delenv(config.FAST_MODE_VARIABLE, raising=False)
    monkeypatch.setattr(config, "LEARNER_MODEL_PATH", tmp_path / "mnist_cnn_mine.keras")
    monkeypatch.setattr(train, "train", quick_train)
    assert main(["train"]) == 0
    printed = capsys.readouterr().out
    assert (tmp_path / "mnist_cnn_mine.keras").exists()
    assert "your model from notebook 04" in printed and "DIGITS_MODEL=committed" in printed


COMMITTED = config.ROOT / "models" / "mnist_cnn.keras"  # tracked: only `make model` writes it


def paths_to_the_committed_model(folder):
    """The committed model reached directly, through a symlink to it, through a symlinked
    folder, through ``..`` (absolute and relative), and another tracked model."""
    (folder / "link.keras").symlink_to(COMMITTED)
    (folder / "models_link").symlink_to(COMMITTED.parent, target_is_directory=True)
    return [
        str(COMMITTED),
        str(folder / "link.keras"),
        str(folder / "models_link" / "mnist_cnn.keras"),
        str(config.ROOT / "models" / ".." / "models" / "mnist_cnn.keras"),
        os.path.relpath(COMMITTED, folder),  # run from ``folder``: ../../../work/...
        str(config.ROOT / "models" / "teachers" / "deotte_0.keras"),
    ]


# Run in a fresh process, where DIGITS_HOME is read: train and finetune with every path to the
# committed model, training replaced by a tripwire; prints each exit status and error line.
REFUSALS_IN_A_HOME = """
import contextlib, io, json, sys
from digitlib.reading import predict
from digitlib.training import train
from digitlib.__main__ import main

def tripwire(*args, **kwargs):
    raise AssertionError("the run started before the output was checked")

train.train = predict.load_model = tripwire
results = []
for output in json.loads(sys.argv[1]):
    for command in (["train"], ["finetune", "--data", sys.argv[2]]):
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            status = main([*command, "--output", output])
        results.append([command[0], output, status, errors.getvalue()])
print(json.dumps(results))
"""


def committed_files():
    return {path: path.read_bytes() for path in (COMMITTED, COMMITTED.with_suffix(".json"))}


def test_train_and_finetune_refuse_every_path_to_the_committed_model(monkeypatch, tmp_path,
                                                                       capsys):
    from digitlib.__main__ import main
    from digitlib.reading import predict

    def tripwire(*args, **kwargs):
        raise AssertionError("the run started before the output was checked")

    monkeypatch.setattr(train, "train", tripwire)
    monkeypatch.setattr(predict, "load_model", tripwire)
    monkeypatch.chdir(tmp_path)
    before = committed_files()
    for output in paths_to_the_committed_model(tmp_path):
        for command in (["train"], ["finetune", "--data", str(tmp_path / "my_digits")]):
            assert main([*command, "--output", output]) == 2, (command, output)
            error = capsys.readouterr().err
            assert "it is a file of the repository" in error or "refusing to overwrite" in (
                error), (command, output, error)
    assert committed_files() == before


def test_train_and_finetune_refuse_the_committed_model_with_a_home_of_its_own(tmp_path):
    """The home holds its own default model: the guard must still know the committed one."""
    import subprocess
    import sys

    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / "mnist_cnn.keras").write_bytes(COMMITTED.read_bytes())
    outputs = paths_to_the_committed_model(tmp_path)
    environment = {**os.environ, config.HOME_VARIABLE: str(home),
                   "PYTHONPATH": os.pathsep.join(
                       [str(config.ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    environment.pop(config.MODEL_VARIABLE, None)
    before = committed_files()
    result = subprocess.run(
        [sys.executable, "-c", REFUSALS_IN_A_HOME, json.dumps(outputs), str(home / "my_digits")],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert len(results) == 2 * len(outputs)
    for command, output, status, error in results:
        assert status == 2 and "it is a file of the repository" in error, (command, output, error)
    assert committed_files() == before


def test_cli_train_into_a_read_only_folder_fails_before_training(monkeypatch, tmp_path, capsys):
    import errno

    from digitlib import files
    from digitlib.__main__ import main

    def tripwire(*args, **kwargs):
        raise AssertionError("trained before checking where to save")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(train, "train", tripwire)
    monkeypatch.setattr(files.tempfile, "TemporaryFile", read_only)
    assert main(["train", "--output", str(tmp_path / "model.keras")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: cannot write in {tmp_path}: the folder is read-only")


def test_cli_train_into_a_real_read_only_folder(monkeypatch, tmp_path, capsys):
    from digitlib.__main__ import main
    from tests.disks import make_read_only, tiny_disk

    def tripwire(*args, **kwargs):
        raise AssertionError("trained before checking where to save")

    monkeypatch.setattr(train, "train", tripwire)
    with tiny_disk(tmp_path / "disk") as disk:
        make_read_only(disk)
        assert main(["train", "--output", str(disk / "model.keras")]) == 2
        assert "the folder is read-only" in capsys.readouterr().err


def test_cli_train_passes_committed_on_by_name(monkeypatch, capsys):
    """`make model` still works: the name, not the path it stands for, reaches the trainer."""
    from digitlib.__main__ import main

    asked = []

    def record(path, *args, **kwargs):
        asked.append(path)
        raise KeyboardInterrupt  # stop here: nothing is trained or written

    monkeypatch.delenv(config.FAST_MODE_VARIABLE, raising=False)
    monkeypatch.setattr(train, "train_and_save", record)
    assert main(["train", "--output", "committed"]) == 130
    assert asked == ["committed"]
    assert "Training the committed model" in capsys.readouterr().out


def test_make_model_is_what_refreshes_the_committed_model():
    makefile = (config.ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmodel:", 1)[1].split("\n\n", 1)[0]
    assert "-m digitlib train --output committed --distil" in recipe


def test_augmentation_slants_and_restrokes_within_the_recipe():
    import tensorflow as tf

    bar = np.zeros((64, 28, 28, 1), np.float32)
    bar[:, 4:24, 13:15] = 1.0  # a vertical bar through the centre
    still = {"rotation_degrees": 0, "shift_fraction": 0, "zoom_fraction": 0, "shear": 0,
             "stroke": 0}
    for recipe in (train.Recipe(), train.Recipe.quick()):  # to_mnist stands italics up instead
        assert recipe.shear == 0 and recipe.stroke == 0
    slanted = train.Recipe(**{**still, "shear": 0.6})
    tf.random.set_seed(0)
    images = train.augment(tf.constant(bar), slanted).numpy()[..., 0]
    tops = [(image[4:9] * np.arange(28)).sum() / image[4:9].sum() for image in images]
    bottoms = [(image[19:24] * np.arange(28)).sum() / image[19:24].sum() for image in images]
    slopes = (np.array(bottoms) - np.array(tops)) / 15  # columns moved per row down
    assert np.abs(slopes).max() <= 0.6 + 0.05 and np.ptp(slopes) > 0.6  # both ways, up to 0.6
    stroked = train.Recipe(**{**still, "stroke": 0.5})
    ink = train.augment(tf.constant(bar), stroked).numpy().sum(axis=(1, 2, 3))
    assert ink.min() < bar[0].sum() < ink.max()  # thinner and bolder strokes
    assert 0 <= train.augment(tf.constant(bar), stroked).numpy().min()
    plain = train.Recipe(**still)
    np.testing.assert_allclose(train.augment(tf.constant(bar), plain).numpy(), bar, atol=1e-5)


def test_calibration_sharpens_a_smoothed_network_without_changing_its_readings():
    import keras

    keras.utils.set_random_seed(0)
    network = model.build_model(conv1_filters=4, conv2_filters=4, dense_units=8)
    images = np.random.default_rng(0).random((300, 28, 28, 1)).astype("float32")
    labels = network.predict(images, verbose=0).argmax(axis=1)  # a network that is always right
    last = network.layers[-1]
    kernel, bias = last.get_weights()
    last.set_weights([kernel * 0.01, bias * 0.01])  # ... but unsure, as label smoothing leaves it
    before = network.predict(images, verbose=0)

    temperature = train.calibrate(network, images, labels)

    after = network.predict(images, verbose=0)
    assert temperature < 1  # sharper
    assert (after.argmax(axis=1) == before.argmax(axis=1)).all()
    assert after.max(axis=1).mean() > before.max(axis=1).mean()
    rows = np.arange(len(labels))
    assert -np.log(after[rows, labels]).mean() < -np.log(before[rows, labels]).mean()
    last.activation = keras.activations.linear  # logits out: nothing to calibrate
    with pytest.raises(ValueError, match="softmax Dense"):
        train.calibrate(network, images, labels)


def test_impossible_recipes_are_refused_before_training():
    for recipe in (train.Recipe(epochs=0), train.Recipe(label_smoothing=1.0),
                   train.Recipe(label_smoothing=-0.1)):
        with pytest.raises(ValueError, match="epochs|label_smoothing"):
            train.train(recipe)


def test_keep_best_weights_keeps_the_epoch_with_the_lowest_validation_loss():
    network = model.build_model(conv1_filters=2, conv2_filters=2, dense_units=4)
    epochs = [  # (val_accuracy, val_loss): accuracy peaks by chance at the second epoch
        (0.9950, 10.60), (0.9972, 10.49), (0.9960, 10.47), (0.9968, 10.44), (0.9970, 10.45)]
    keep_best = train.KeepBestWeights()
    keep_best.set_model(network)
    last = network.layers[-1]
    for epoch, (accuracy, loss) in enumerate(epochs):
        last.set_weights([np.full_like(weights, epoch) for weights in last.get_weights()])
        keep_best.on_epoch_end(epoch, {"val_accuracy": accuracy, "val_loss": loss})
    keep_best.on_train_end()
    assert (keep_best.best_epoch, keep_best.best_accuracy) == (4, 0.9968)
    assert last.get_weights()[1][0] == 3  # the fourth epoch's weights are back in the network
