"""benchmarks.common: what several benchmarks share."""

import argparse

import numpy as np
import pytest

from benchmarks import common
from tests.helpers import mnist_test_set


def test_p50_ms_times_the_calls_after_the_warm_up():
    calls = []
    assert common.p50_ms(calls.append, 5, warmup=2) >= 0
    assert calls == [0, 1, 0, 1, 2, 3, 4]


def test_positive_takes_whole_numbers_of_one_or_more():
    assert common.positive("3") == 3
    for wrong in ("0", "-2", "2.5", "many"):
        with pytest.raises(argparse.ArgumentTypeError):
            common.positive(wrong)


def test_the_eight_digit_canvas_places_pi():
    canvas, expected = common.eight_digit_canvas(*mnist_test_set())
    assert expected == "31415926" and canvas.mode == "L" and canvas.size == (820, 124)
    assert np.asarray(canvas).min() < 50  # dark ink on white


def test_the_parser_is_named_after_its_module():
    arguments = common.parser("predict", "bench-predict: time it.\n\nMore.")
    assert arguments.prog == "python -m benchmarks.predict"
    assert arguments.description == "bench-predict: time it."
