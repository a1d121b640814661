"""digitlib.training.any_digit: the no-digit model's examples (digits in MNIST's ink and a pen's,
non-digits in a pen's and MNIST-like ink), and a network that is the committed one's."""

import keras
import numpy as np
import pytest

from digitlib.reading import any_digit as reader
from digitlib.training import any_digit
from tests.conftest import require
from tests.helpers import mnist_test_set


def test_examples_hold_digits_and_non_digits():
    x_test, y_test = mnist_test_set()
    pictures, classes = any_digit.examples(x_test[:20], y_test[:20], pen_digits=10,
                                           writer_digits=1, non_digits=14, seed=1)
    assert pictures.shape == (len(classes), 28, 28) and pictures.dtype == np.float32
    assert pictures.min() >= 0 and pictures.max() <= 1
    digits = classes != reader.NO_DIGIT_CLASS
    assert set(classes[digits]) <= set(range(10))
    assert 35 <= digits.sum() <= 40  # 20 on the pad, 10 with a pen, 10 from the writer
    assert 10 <= (~digits).sum() <= 14  # a drawing may come apart, and is left out
    again, _ = any_digit.examples(x_test[:20], y_test[:20], pen_digits=10, writer_digits=1,
                                  non_digits=14, seed=1)
    np.testing.assert_array_equal(pictures, again)


def test_a_pen_digit_and_a_softened_drawing_change_the_look_not_the_shape():
    x_test, _ = mnist_test_set()
    rng = np.random.default_rng(0)
    pen = np.asarray(any_digit.pen_digit(x_test[0], rng)) < 128
    assert pen.shape == (any_digit.PAD, any_digit.PAD) and 0.005 < pen.mean() < 0.3
    image28 = any_digit.one_piece(any_digit.pen_digit(x_test[0], rng))
    assert image28.shape == (28, 28)
    from digitlib.datasets import nondigits

    drawn = nondigits.draw("zigzag", rng, nondigits.TRAINING)
    soft = np.asarray(any_digit.soften(drawn, rng), np.float32)
    assert soft.shape == (any_digit.PAD, any_digit.PAD)
    grey = np.mean((soft > 40) & (soft < 215)) / max(np.mean(soft <= 215), 1e-9)
    sharp = np.asarray(drawn, np.float32)
    assert grey > np.mean((sharp > 40) & (sharp < 215)) / max(np.mean(sharp <= 215), 1e-9)


def test_examples_need_mnist_digits_and_whole_counts():
    x_test, y_test = mnist_test_set()
    with pytest.raises(ValueError, match="uint8 images"):
        any_digit.examples(x_test[:5] / 255, y_test[:5])
    with pytest.raises(ValueError, match="as many labels"):
        any_digit.examples(x_test[:5], y_test[:4])
    with pytest.raises(ValueError, match="non_digits"):
        any_digit.examples(x_test[:5], y_test[:5], non_digits=-1)


def layers_of(network):
    return [(type(layer).__name__, layer.output.shape, layer.count_params())
            for layer in network.layers]


def test_the_network_is_the_committed_models():
    require(reader.MODEL_PATH.is_file(), "needs models/any_digit.keras")
    committed = keras.models.load_model(reader.MODEL_PATH, compile=False)
    built = any_digit.build_model()
    assert layers_of(built) == layers_of(committed)
    assert built.output_shape == (None, reader.NO_DIGIT_CLASS + 1)


def test_the_training_kinds_leave_out_what_the_benchmark_scores_as_unseen():
    from digitlib.datasets import nondigits

    assert "letter" not in nondigits.TRAINING_KINDS and "strokes" not in nondigits.TRAINING_KINDS
    assert not set(nondigits.SHAPES) & set(nondigits.LETTERS)
    assert nondigits.TRAINING.seed not in (nondigits.TUNING.seed, nondigits.REPORT.seed)
