"""digitlib.reading.whole_digit: the companion model tells whole digits from fragments and
pairs. (Its training: tests/training/test_whole_digit.py.)"""

import numpy as np

from digitlib.reading import runtime, whole_digit
from digitlib.reading.preprocess import to_mnist
from tests.conftest import require
from tests.helpers import mnist_test_set


def test_the_companion_tells_whole_digits_from_halves():
    require(whole_digit.MODEL_PATH.is_file(), "needs models/whole_digit.keras")
    x_test, _ = mnist_test_set()
    digits = [image.astype(np.float32) / 255 for image in x_test[:200]]
    wholes = whole_digit.probabilities(np.stack([to_mnist(digit) for digit in digits]))
    halves = []
    for digit in digits:  # the left half of each digit's ink
        columns = np.flatnonzero(digit.max(axis=0) > 0.25)
        half = digit.copy()
        half[:, (columns[0] + columns[-1]) // 2 :] = 0
        halves.append(to_mnist(half))
    fragments = whole_digit.probabilities(np.stack(halves))
    # It is trained on far more fragments than whole digits, so it is cautious about whole
    # ones (median 0.63 measured) and all but sure about halves (median 0.0002).
    assert np.mean(wholes > fragments) > 0.95
    assert np.mean(fragments < 0.1) > 0.9
    assert np.median(wholes) > 0.3


def test_the_companion_reads_whole_digits():
    require(whole_digit.MODEL_PATH.is_file(), "needs models/whole_digit.keras")
    x_test, y_test = mnist_test_set()
    digits = np.stack([to_mnist(image.astype(np.float32) / 255, stand_up=False)
                       for image in x_test[:300]])
    opinions = whole_digit.opinions(digits)
    assert opinions.shape == (300, whole_digit.NOT_WHOLE_CLASS + 1)
    np.testing.assert_allclose(opinions.sum(axis=1), 1.0, rtol=1e-4)
    assert np.mean(opinions[:, :-1].argmax(axis=1) == y_test[:300]) > 0.97
    np.testing.assert_allclose(whole_digit.probabilities(digits), 1.0 - opinions[:, -1])


def test_no_companion_means_no_opinion(monkeypatch, tmp_path):
    monkeypatch.setattr(whole_digit, "MODEL", runtime.SmallModel(tmp_path / "none.keras"))
    assert whole_digit.probabilities(np.zeros((2, 28, 28), np.float32)) is None
    assert whole_digit.opinions(np.zeros((2, 28, 28), np.float32)) is None
