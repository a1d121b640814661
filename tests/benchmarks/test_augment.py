"""benchmarks.augment: the quick recipe without and with slant and stroke augmentation."""

import re

import pytest

from benchmarks import augment
from tests.benchmarks.running import PERCENT, SLANT_LINE, refused, run_bench


def test_bench_augment_scores_both_recipes_on_validation_only():
    out = run_bench("augment", fast=True)
    assert "scored on the 5000 validation digits" in out
    for name in ("without", "with"):
        assert re.search(rf"{name}: +validation {PERCENT} \(epoch 1\); re-stroked {SLANT_LINE}; "
                         r"wall \d+ s", out), out


def test_bench_augment_takes_a_number_of_epochs(capsys):
    assert "expected 1 or more, got 0" in refused(augment.main, ["--epochs=0"], capsys)
    assert "expected a whole number" in refused(augment.main, ["--epochs", "many"], capsys)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        augment.bench_augment(epochs=0)
