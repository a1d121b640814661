import json
import time

import pytest

from digitlib import config, model, train
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


def test_save_refuses_a_wrong_suffix(tmp_path):
    with pytest.raises(ValueError, match=".keras"):
        train.save(model.build_model(), {}, tmp_path / "model.h5")


def test_validation_split_is_the_last_images_of_the_training_set():
    import numpy as np

    x, y = np.arange(20), np.arange(20) % 10
    (x_fit, _), (x_val, _) = train.split_validation(x, y, size=5)
    assert x_fit.tolist() == list(range(15)) and x_val.tolist() == list(range(15, 20))
