"""digitlib.reading.runtime: the fast model call is exact, and TensorFlow takes over when it cannot
be."""

import numpy as np
import pytest

from digitlib import config, files
from digitlib.datasets import mnist
from digitlib.reading import predict, preprocess, runtime
from digitlib.reading.predict import Predictor
from tests.conftest import require
from tests.helpers import tiny_model


@pytest.fixture(scope="module")
def network():
    import keras

    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    return keras.models.load_model(config.DEFAULT_MODEL_PATH, compile=False)


def test_the_committed_model_runs_on_onnx_runtime_and_agrees_with_keras(network):
    run, name = runtime.compile_model(network)
    assert name == runtime.ONNX_RUNTIME
    _, (x_test, y_test) = mnist.load_mnist()
    batch = preprocess.normalize(x_test)
    fast = np.concatenate([run(part) for part in np.array_split(batch, 10)])
    keras_outputs = network.predict(batch, batch_size=1000, verbose=0)
    assert fast.shape == (10000, 10) and fast.dtype == np.float32
    assert np.abs(fast - keras_outputs).max() <= runtime.AGREEMENT
    # The same reading of every test image, so the model card's accuracy holds for the predictor.
    assert (fast.argmax(axis=1) == keras_outputs.argmax(axis=1)).all()
    assert (fast.argmax(axis=1) == y_test).mean() >= 0.995


def test_any_batch_size(network):
    run, _ = runtime.compile_model(network)
    for size in (1, 2, 8, 33):
        images = np.random.default_rng(size).random((size, 28, 28, 1), dtype=np.float32)
        assert run(images).shape == (size, 10)


def test_tensorflow_takes_over_when_conversion_fails(monkeypatch):
    def broken(*args):
        raise RuntimeError("tf2onnx cannot convert this layer")

    monkeypatch.setattr(runtime, "_onnx_runtime", broken)
    model = tiny_model()
    run, name = runtime.compile_model(model)
    assert name == runtime.TENSORFLOW
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(run(images), model(images, training=False), atol=1e-6)
    assert Predictor(model).runtime == runtime.TENSORFLOW


def test_tensorflow_takes_over_when_onnx_runtime_disagrees(monkeypatch):
    def wrong(model, threads):  # the signature of _onnx_runtime
        return lambda batch: np.full((len(batch), 10), 0.1, np.float32)

    monkeypatch.setattr(runtime, "_onnx_runtime", wrong)
    assert runtime.compile_model(tiny_model())[1] == runtime.TENSORFLOW


def test_untrained_models_convert_too():
    assert Predictor(tiny_model()).runtime == runtime.ONNX_RUNTIME


# The ONNX copy beside a saved model (issue #31) ------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    """A tiny model saved as a learner's model would be, with no copy yet."""
    path = tmp_path / "mine.keras"
    tiny_model().save(path)
    return path


def test_a_model_without_a_copy_is_converted_once_and_the_copy_kept(saved, monkeypatch):
    first = Predictor.load(saved)
    assert first.onnx_path == runtime.copy_path(saved) == saved.with_suffix(".onnx")
    copy = runtime.load_copy(saved)
    assert copy.metadata[runtime.MADE_FROM] == files.sha256_of(saved)

    def no_keras(path):
        raise AssertionError("Keras was loaded")

    monkeypatch.setattr(predict, "load_model", no_keras)
    second = Predictor.load(saved)  # the copy runs it: neither Keras nor a conversion
    assert second.runtime == runtime.ONNX_RUNTIME and second.onnx_path == first.onnx_path
    image = np.random.default_rng(1).random((5, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(second.classify(image), first.classify(image), atol=1e-6)
    with pytest.raises(AssertionError, match="Keras was loaded"):
        second.model  # noqa: B018 - the Keras model is loaded on first use only


def test_a_copy_made_from_another_file_is_not_used(saved):
    Predictor.load(saved)
    tiny_model(activation="softmax").save(saved)  # saved again: other weights
    assert runtime.load_copy(saved) is None
    reloaded = Predictor.load(saved)  # converted again, and the copy written again
    assert runtime.load_copy(saved).metadata[runtime.MADE_FROM] == files.sha256_of(saved)
    image = np.random.default_rng(2).random((3, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(reloaded.classify(image[..., 0]),
                               reloaded.model(image, training=False), atol=runtime.AGREEMENT)


def test_a_damaged_copy_is_made_again(saved):
    runtime.copy_path(saved).write_bytes(b"not an ONNX model")
    assert runtime.load_copy(saved) is None
    assert Predictor.load(saved).runtime == runtime.ONNX_RUNTIME
    assert runtime.load_copy(saved) is not None


def test_the_old_way_neither_reads_nor_writes_a_copy(saved):
    predictor = Predictor.load(saved, onnx_copy=False)
    assert predictor.onnx_path is None and not runtime.copy_path(saved).exists()
    assert predictor.runtime == runtime.ONNX_RUNTIME  # converted in memory
    with pytest.raises(TypeError, match="onnx_copy"):
        Predictor.load(saved, onnx_copy="yes")


def test_a_copy_never_replaces_a_file_of_the_repository(saved, monkeypatch):
    monkeypatch.setattr(config, "is_tracked", lambda path: True)
    assert Predictor.load(saved).onnx_path is None
    assert not runtime.copy_path(saved).exists()


def test_the_committed_models_run_their_committed_copies():
    from digitlib.reading import any_digit, whole_digit

    for path in (config.COMMITTED_MODEL_PATH, whole_digit.MODEL_PATH, any_digit.MODEL_PATH):
        require(path.exists(), f"needs {path}")
        copy = runtime.load_copy(path)
        assert copy is not None, f"{runtime.copy_path(path)} is missing or out of date"
        assert copy.input_shape == (None, 28, 28, 1)


def test_an_onnx_model_is_checked_by_its_signature():
    with pytest.raises(predict.ModelError, match="outputs shape"):
        Predictor(runtime.OnnxModel(runtime.to_onnx(tiny_model(outputs=5))))
    with pytest.raises(predict.ModelError, match="input of shape"):
        Predictor(runtime.OnnxModel(runtime.to_onnx(tiny_model(input_shape=(32, 32, 3)))))
    given = Predictor(runtime.OnnxModel(runtime.to_onnx(tiny_model())))
    assert given.runtime == runtime.ONNX_RUNTIME and given.onnx_path is None
    with pytest.raises(predict.ModelError, match="no Keras model"):
        given.model  # noqa: B018
    with pytest.raises(ValueError, match="threads"):
        runtime.OnnxModel(runtime.to_onnx(tiny_model()), threads=0)
