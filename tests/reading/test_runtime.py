"""digitlib.reading.runtime: the fast model call is exact, and TensorFlow takes over when it cannot
be."""

import numpy as np
import pytest

from digitlib import config
from digitlib.datasets import mnist
from digitlib.reading import preprocess, runtime
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
