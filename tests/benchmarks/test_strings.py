"""benchmarks.strings: touching numbers read by the string reader and by the reader before it."""

import re

import numpy as np
import pytest

from benchmarks import strings
from tests.benchmarks.running import refused, run_bench


def test_string_scores():
    readings = {1: [1, 2, 3], 2: [1, 2], 3: [4, 5, 6, 7]}  # right; one missing; one extra
    numbers = [(1, [1, 2, 3]), (2, [1, 2, 3]), (3, [4, 5, 6])]
    scores = strings.string_scores(readings.__getitem__, numbers)
    assert scores == {"exact": 1 / 3, "count": 1 / 3, "digits": (3 + 2 + 2) / 9}
    assert strings.edit_distance([1, 2, 3], [1, 3]) == 1
    assert strings.edit_distance([], [4, 2]) == 2
    with pytest.raises(ValueError, match="nothing to score"):
        strings.string_scores(readings.__getitem__, [])


def test_write_numbers():
    made = strings.write_numbers(np.zeros((10, 28, 28), np.uint8) + 255, np.arange(10), 4, seed=0)
    assert len(made) == 4 and all(2 <= len(labels) <= 6 for _, labels in made)


def test_bench_strings_prints_both_readers():
    out = run_bench("strings", fast=True)
    assert "12 numbers with gaps -2..+1 px at 28-px scale; 4 with gaps 3..8 px" in out, out
    for title in ("string reader (digitlib.reading.touching)",
                  "reader before it (Predictor(touching=\"columns\"))"):
        assert f"  {title}:\n    touching:  exact" in out, out
    assert len(re.findall(r"p50: 8 separated digits +\d+\.\d ms \(target <= 5\), 5-digit "
                          r"touching number +\d+\.\d ms \(target <= 30\)", out)) == 2, out
    assert re.search(r"the timed 5-digit number is \d{5};", out), out


def test_bench_strings_takes_a_count_or_quick(capsys):
    assert "not allowed with argument --count" in refused(
        strings.main, ["--count", "50", "--quick"], capsys)
    assert "unrecognized arguments: --slow" in refused(strings.main, ["--slow"], capsys)
