"""benchmarks.crops: tight crops read by digitlib and by two peers on the same model."""

import re

import pytest

from benchmarks import crops
from digitlib.datasets import synthetic_crops
from tests.benchmarks.running import refused, run_bench


def test_bench_crops_prints_digitlib_and_both_peers_by_kind():
    out = run_bench("crops", fast=True)
    rows = re.findall(r"^  (digitlib|ink-box peer|naive peer) +(\d+\.\d\d)% +(\d+) +"
                      r"(\d+\.\d)% +(\d+) +\d+\.\d$", out, re.M)
    assert [row[0] for row in rows] == ["digitlib", "ink-box peer", "naive peer"], out
    assert rows[0][2] == "0", "digitlib read a crop as nothing"
    kinds = re.findall(r"^    (.+?) +\d+ crops +\d+\.\d% / +\d+\.\d% / +\d+\.\d%$", out, re.M)
    assert kinds == list(synthetic_crops.KINDS), out
    assert "targets: single digits >= 99.5 %" in out


def test_bench_crops_checks_its_arguments(capsys):
    assert "expected a whole number" in refused(crops.main, ["--numbers", "few"], capsys)
    with pytest.raises(ValueError, match="split must be"):
        crops.bench_crops("validation")
