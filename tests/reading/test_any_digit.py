"""digitlib.reading.any_digit: the no-digit model reads digits as digits, in MNIST's ink and a
pen's, and most non-digit drawings as no digit; its card's claims hold on the real test set.
(Its training: tests/training/test_any_digit.py; the unsure rule: test_unsure.py.)"""

import json

import numpy as np
import pytest

from digitlib.datasets import nondigits
from digitlib.datasets.synthetic import draw_digits
from digitlib.reading import any_digit, images, predict, preprocess, runtime, segment
from tests.conftest import require
from tests.helpers import mnist_test_set


@pytest.fixture(scope="module")
def card():
    require(any_digit.MODEL_PATH.is_file(), "needs models/any_digit.keras")
    return json.loads(any_digit.MODEL_PATH.with_suffix(".json").read_text())


def test_the_card_holds_on_the_real_test_set(card):
    """The card's count of test digits called no digit, and read right, measured again."""
    x_test, y_test = mnist_test_set()
    read = any_digit.opinions(preprocess.normalize(x_test))
    assert read.shape == (10000, any_digit.NO_DIGIT_CLASS + 1)
    np.testing.assert_allclose(read.sum(axis=1), 1.0, rtol=1e-4)
    figures = card["test_set"]
    assert figures["digits"] == len(y_test) == 10000
    doubts = any_digit.no_digit(preprocess.normalize(x_test))
    called = int(np.sum(doubts > 0.5))
    assert abs(called - figures["called_no_digit"]) <= 2  # the ONNX copy, within a tie or two
    assert figures["no_digit_sure"] == predict.NO_DIGIT_SURE
    surely = int(np.sum(doubts > predict.NO_DIGIT_SURE))
    assert abs(surely - figures["called_no_digit_surely"]) <= 2
    assert surely <= 30, "at most one test digit in 300 doubted by the unsure rule"
    right = int(np.sum(read[:, : any_digit.NO_DIGIT_CLASS].argmax(axis=1) == y_test))
    assert abs(right - figures["read_right"]) <= 2
    assert right >= 9800


def pieces28(picture):
    found = segment.find_digits(images.to_ink(picture))
    return np.stack([preprocess.to_mnist(piece.ink) for piece in found])


@pytest.mark.parametrize("brush", [5, 12, 20, 32])
def test_digits_drawn_with_a_pen_are_digits(card, brush):
    """A generator it never trained on (``draw_digits``), at pen widths from hairline to bold."""
    drawn = np.concatenate([pieces28(draw_digits([digit], [(90, 40, 100, 200)], brush=brush))
                            for digit in range(10)])
    assert len(drawn) == 10
    doubts = any_digit.no_digit(drawn)
    assert (doubts < 0.5).all(), np.round(doubts, 2)


def test_most_non_digit_drawings_are_no_digit(card):
    """The benchmark's report settings: other sizes, pens and seeds than it trained on."""
    drawings = nondigits.generate(6, nondigits.REPORT,
                                  kinds=("scribble", "zigzag", "loops", "random walk"))
    doubts = any_digit.no_digit(np.concatenate([pieces28(picture) for _, picture in drawings]))
    assert np.mean(doubts > 0.5) >= 0.75, np.round(doubts, 2)


def test_no_model_means_no_opinion(monkeypatch, tmp_path):
    monkeypatch.setattr(any_digit, "MODEL", runtime.SmallModel(tmp_path / "none.keras"))
    assert any_digit.no_digit(np.zeros((2, 28, 28), np.float32)) is None
    assert any_digit.opinions(np.zeros((2, 28, 28), np.float32)) is None
    with pytest.raises(TypeError, match="onnx_copy"):
        any_digit.load(onnx_copy="yes")
