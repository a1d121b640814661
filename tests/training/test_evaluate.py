"""digitlib.training.evaluate: scores on a test set, and ``measure`` on your own digits (a Keras
model, a Predictor or a model's name)."""

import math

import numpy as np
import pytest

from digitlib import config
from digitlib.datasets.synthetic import write
from digitlib.training.evaluate import evaluate, measure
from tests.conftest import require


class Fixed:
    """A stand-in model that always gives the same probabilities."""

    def __init__(self, predicted):
        self.probabilities = np.eye(10, dtype=np.float32)[predicted] * 0.9 + 0.01

    def predict(self, images, batch_size=None, verbose=0):
        assert len(images) == len(self.probabilities)
        return self.probabilities


def test_measure_gives_per_digit_accuracy_confusion_and_misread():
    images = write(per_digit=3, seed=7)[0][:5]
    labels = np.array([1, 1, 7, 7, 2])
    result = measure(Fixed([1, 7, 7, 7, 3]), images, labels)
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.per_digit_accuracy[1] == 0.5 and result.per_digit_accuracy[7] == 1.0
    assert result.per_digit_accuracy[2] == 0.0 and math.isnan(result.per_digit_accuracy[0])
    assert result.counts.tolist() == [0, 2, 1, 0, 0, 0, 0, 2, 0, 0]
    assert result.confusion[1, 7] == 1 and result.confusion[2, 3] == 1
    assert sorted(result.misread.tolist()) == [1, 4]
    summary = result.summary()
    assert "3 of 5" in summary and "misread as 7 (1x)" in summary


def test_measure_by_name_or_the_active_model():
    require(config.DEFAULT_MODEL_PATH.exists(), "no committed model: run `make model`")
    images, labels, _ = write(per_digit=3, seed=7)
    images, labels = images[:6], labels[:6]
    by_name = measure("committed", images, labels)
    active = measure(None, images, labels)  # the tests' active model is the committed one
    np.testing.assert_array_equal(active.predicted, by_name.predicted)
    assert by_name.probabilities.shape == (6, 10)


class Reads:
    """A stand-in for a ``Predictor``: it reads digits through ``classify``, not ``predict``."""

    def __init__(self, predicted):
        self.probabilities = np.eye(10, dtype=np.float32)[predicted]

    def classify(self, images28):
        assert len(images28) == len(self.probabilities)
        return self.probabilities


def test_evaluate_takes_a_keras_model_or_a_predictor():
    images = np.zeros((3, 28, 28, 1), np.float32)
    labels = np.array([4, 4, 2])
    by_predict = evaluate(Fixed([4, 2, 2]), images, labels)
    by_classify = evaluate(Reads([4, 2, 2]), images, labels)
    assert by_predict.accuracy == by_classify.accuracy == pytest.approx(2 / 3)
    np.testing.assert_array_equal(by_predict.confusion, by_classify.confusion)
    with pytest.raises(TypeError, match="Keras model or a Predictor"):
        evaluate("committed", images, labels)
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        evaluate(Fixed([4]), images[0], labels[:1])
