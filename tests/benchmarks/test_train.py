"""benchmarks.train: the committed model, the fixed peer, the quick recipe and the slant line."""

import re

import pytest

from benchmarks import train
from tests.benchmarks.running import PERCENT, SLANT_LINE, refused, run_bench


def test_bench_train_prints_the_peer_the_quick_recipe_and_the_slant_line():
    out = run_bench("train", fast=True)
    assert re.search(rf"committed model: test accuracy {PERCENT} \(card says {PERCENT}", out), out
    assert re.search(rf"keras-io mnist_convnet \(1 epochs, batch 128, 10% validation split\): "
                     rf"wall \d+ s, test accuracy {PERCENT}", out), out
    assert re.search(r"quick recipe \(1 epochs\): wall \d+ s \(data \+ training \+ scoring\), "
                     r"\d+\.\d\dx the peer's wall time   target <= 0\.75x", out), out
    assert re.search(rf"test accuracy {PERCENT}   target >= 99\.60 %; validation {PERCENT}",
                     out), out
    assert "upright vs sheared ±0.35-0.6" in out
    assert re.search(rf"committed, to_mnist without slant correction: +{SLANT_LINE}", out), out
    assert re.search(rf"committed, to_mnist as it is \(slant correction\): +{SLANT_LINE}", out), out
    assert re.search(rf"quick recipe \(new\), as it is: +{SLANT_LINE}", out), out


def test_bench_train_parts_run_alone():
    out = run_bench("train", "--slant-only", fast=True)
    assert re.search(rf"committed, to_mnist as it is \(slant correction\): +{SLANT_LINE}", out), out
    assert "keras-io" not in out and "quick recipe" not in out  # nothing trained
    out = run_bench("train", "--peer-only", fast=True)
    assert "keras-io mnist_convnet" in out and "slant" not in out and "quick" not in out


def test_bench_train_refuses_what_it_does_not_know(capsys):
    usage = "[--peer-only | --quick-only | --slant-only]"
    assert usage in refused(train.main, ["--everything"], capsys)
    assert "not allowed with argument --peer-only" in refused(
        train.main, ["--peer-only", "--slant-only"], capsys)
    with pytest.raises(ValueError, match="parts must be some of"):
        train.bench_train(("peer", "tea"))
