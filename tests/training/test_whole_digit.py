"""digitlib.training.whole_digit: the companion model's examples, and a network and schedule
that are the digit model's (and the committed companion's)."""

import keras
import numpy as np
import pytest

from digitlib.reading import whole_digit as companion
from digitlib.training import whole_digit
from tests.conftest import require
from tests.helpers import mnist_test_set


def test_examples_hold_whole_digits_and_fragments():
    x_test, y_test = mnist_test_set()
    pictures, classes = whole_digit.examples(x_test[:200], y_test[:200], count=5, seed=1)
    assert pictures.shape == (len(classes), 28, 28) and pictures.dtype == np.float32
    assert set(classes) <= set(range(companion.NOT_WHOLE_CLASS + 1))
    whole = classes != companion.NOT_WHOLE_CLASS
    assert 0 < whole.sum() < len(whole)  # both kinds


def test_examples_need_mnist_digits_and_their_labels():
    x_test, y_test = mnist_test_set()
    with pytest.raises(ValueError, match="uint8 images"):
        whole_digit.examples(x_test[:5] / 255, y_test[:5], count=1)
    with pytest.raises(ValueError, match="as many labels"):
        whole_digit.examples(x_test[:5], y_test[:4], count=1)


def layers_of(network):
    return [(type(layer).__name__, layer.output.shape, layer.count_params())
            for layer in network.layers]


def test_the_network_is_the_committed_companions():
    """Built by ``model.build_model``, it has the committed model's layers, shapes and
    parameters: retraining gives the same kind of network."""
    require(companion.MODEL_PATH.is_file(), "needs models/whole_digit.keras")
    committed = keras.models.load_model(companion.MODEL_PATH, compile=False)
    built = whole_digit.build_model()
    assert layers_of(built) == layers_of(committed)
    assert built.count_params() == committed.count_params()
    assert built.output_shape == (None, companion.NOT_WHOLE_CLASS + 1)
    built.set_weights(committed.get_weights())  # the same network: the weights fit and agree
    batch = np.random.default_rng(0).random((4, 28, 28, 1), np.float32)
    np.testing.assert_allclose(built(batch, training=False), committed(batch, training=False),
                               atol=1e-6)


def test_the_schedule_warms_up_to_the_peak_then_decays_to_a_hundredth():
    steps = 1000
    rate = whole_digit.schedule(steps)
    peak = whole_digit.PEAK_LEARNING_RATE
    warm = int(whole_digit.WARMUP_FRACTION * steps)
    expected = {0: peak / 10, warm // 2: (peak / 10 + peak) / 2, warm: peak,
                (warm + steps) // 2: peak * (0.01 + 0.99 / 2), steps: peak / 100}
    for step, value in expected.items():
        assert float(rate(step)) == pytest.approx(value, rel=1e-5), step


@pytest.mark.parametrize("argv", [[], ["model.h5"], ["a.keras", "b.keras"]])
def test_training_command_needs_one_keras_path(argv, capsys):
    assert whole_digit.main(argv) == 2
    assert "usage: python -m digitlib.training.whole_digit PATH.keras" in capsys.readouterr().err
