"""digitlib.training.small_model: what the companion's and the no-digit model's training share."""

import json

import numpy as np

from digitlib.reading import runtime
from digitlib.training import any_digit, small_model, whole_digit


def test_a_small_network_trains_and_saves_with_its_copy_and_card(tmp_path, capsys):
    tiny = small_model.SmallNetwork("any_digit", 4, 4, 8, epochs=1, batch_size=16,
                                    validation_fraction=0.25)
    rng = np.random.default_rng(0)
    pictures = rng.random((64, 28, 28), np.float32)
    classes = rng.integers(0, small_model.CLASSES, 64).astype(np.int32)
    network, accuracy = tiny.fit(pictures, classes)
    assert network.output_shape == (None, small_model.CLASSES) and 0.0 <= accuracy <= 1.0
    path = tmp_path / "tiny.keras"
    tiny.save(network, path, seed=3, started=0.0, examples=64)
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["model"] == "any_digit" and card["examples"] == 64 and card["seed"] == 3
    assert card["trained_by"].startswith(f"python -m digitlib.training.any_digit {path} (seed 3")
    assert card["epochs"] == 1 and card["onnx"]["file"] == "tiny.onnx"
    assert runtime.load_copy(path) is not None
    assert "saved" in capsys.readouterr().out


def test_the_command_wants_one_keras_path(capsys):
    trained = []
    assert any_digit.NETWORK.command(trained.append, ["a.keras"]) == 0 and trained == ["a.keras"]
    assert whole_digit.NETWORK.command(trained.append, []) == 2
    assert "usage: python -m digitlib.training.whole_digit PATH.keras" in capsys.readouterr().err
    assert any_digit.main(["model.h5"]) == 2
