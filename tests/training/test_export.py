"""digitlib.training.export: a saved model comes with its ONNX copy and a card that says which
``.keras`` file the copy was made from."""

import json

import keras
import pytest

from digitlib import config, files
from digitlib.reading import runtime
from digitlib.reading.predict import Predictor
from digitlib.training import export, train
from tests.conftest import require
from tests.helpers import tiny_model


def test_save_model_writes_the_model_its_copy_and_its_card(tmp_path):
    path = export.save_model(tiny_model(), tmp_path / "mine.keras", {"model": "tiny"})
    card = json.loads(path.with_suffix(".json").read_text())
    copy = runtime.copy_path(path)
    assert card["model"] == "tiny" and card["model_sha256"] == files.sha256_of(path)
    entry = card["onnx"]
    assert entry["file"] == copy.name and entry["sha256"] == files.sha256_of(copy)
    assert entry["keras_sha256"] == card["model_sha256"]
    assert entry["largest_difference"] <= runtime.AGREEMENT
    assert entry["agrees_on"] == f"{export.CHECK_IMAGES} random images"
    assert runtime.load_copy(path).metadata[runtime.MADE_FROM] == card["model_sha256"]
    assert Predictor.load(path).onnx_path == copy


def test_a_model_onnx_cannot_express_is_saved_without_a_copy(tmp_path, monkeypatch):
    def unconvertible(network):
        raise ValueError("tf2onnx: no converter for this layer")

    monkeypatch.setattr(runtime, "to_onnx", unconvertible)
    with pytest.warns(UserWarning, match="no ONNX copy of odd.keras: tf2onnx"):
        path = export.save_model(tiny_model(), tmp_path / "odd.keras", {})
    assert json.loads(path.with_suffix(".json").read_text())["onnx"] is None
    assert path.is_file() and not runtime.copy_path(path).exists()


def test_a_copy_that_disagrees_is_not_written(tmp_path, monkeypatch):
    class Wrong(runtime.OnnxModel):
        def __call__(self, batch):
            return super().__call__(batch) + 0.01

    monkeypatch.setattr(runtime, "OnnxModel", Wrong)
    path = tmp_path / "off.keras"
    tiny_model().save(path)
    with pytest.raises(export.CopyError, match="differs from Keras"):
        export.write_copy(path)
    assert not runtime.copy_path(path).exists()


def test_another_keras_backend_converts_in_a_tensorflow_process(tmp_path, monkeypatch):
    """The GPU trainer runs Keras on torch: its copy is made by a TensorFlow subprocess."""
    path = tmp_path / "student.keras"
    tiny_model().save(path)
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    entry = export.write_copy(path)
    assert entry["keras_sha256"] == files.sha256_of(path)
    assert entry["sha256"] == files.sha256_of(runtime.copy_path(path))
    assert not path.with_suffix(".json").exists(), "the caller writes the card"


def test_the_command_adds_a_copy_to_a_model_and_its_card(tmp_path, capsys):
    path = tmp_path / "old.keras"
    tiny_model().save(path)
    assert export.main([str(path)]) == 0
    assert "wrote" in capsys.readouterr().out
    card = json.loads(path.with_suffix(".json").read_text())  # made: there was none
    assert card["model_sha256"] == card["onnx"]["keras_sha256"] == files.sha256_of(path)
    other = tmp_path / "other.keras"
    tiny_model().save(other)
    path.with_suffix(".json").replace(other.with_suffix(".json"))  # another model's card
    assert export.main([str(other)]) == 1
    assert "describes another file" in capsys.readouterr().err


def test_the_command_never_writes_a_committed_copy_unless_told():
    require(runtime.copy_path(config.COMMITTED_MODEL_PATH).exists(), "needs models/mnist_cnn.onnx")
    before = files.sha256_of(runtime.copy_path(config.COMMITTED_MODEL_PATH))
    assert export.main([str(config.COMMITTED_MODEL_PATH)]) == 1
    assert files.sha256_of(runtime.copy_path(config.COMMITTED_MODEL_PATH)) == before


def test_training_checks_where_the_copy_goes_before_it_starts(tmp_path, monkeypatch):
    checked = []
    monkeypatch.setattr(files, "check_output", lambda path, **options: checked.append(path))
    train.check_model_output(tmp_path / "mine.keras")
    assert [path.suffix for path in checked] == [".keras", ".json", ".onnx"]


def test_save_model_refuses_what_is_not_a_model_file_or_a_card(tmp_path):
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        export.save_model(tiny_model(), tmp_path / "mine.h5", {})
    with pytest.raises(TypeError, match="card must be a dict"):
        export.save_model(tiny_model(), tmp_path / "mine.keras", ["card"])
    assert not list(tmp_path.iterdir())
