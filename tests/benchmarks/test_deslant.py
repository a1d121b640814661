"""benchmarks.deslant: the slant limit of to_mnist, chosen on validation digits."""

import re

from benchmarks import deslant
from tests.benchmarks.running import PERCENT, SLANT_LINE, refused, run_bench


def test_bench_deslant_compares_each_limit_on_validation_digits():
    out = run_bench("deslant", fast=True)
    assert "500 validation digits" in out
    lines = re.findall(rf"(no correction|stand up beyond ±[\d.]+) +through to_mnist {PERCENT} "
                       rf"\( *(\d+)% changed\); re-stroked {SLANT_LINE}(.*)", out)
    assert [name for name, _, _ in lines] == [
        "no correction", *(f"stand up beyond ±{limit}" for limit in deslant.LIMITS[1:])]
    changed = [int(share) for _, share, _ in lines]
    assert changed[0] <= min(changed[1:]), "a limit changes as many digits as none, or more"
    assert sum("<- preprocess.UPRIGHT_ENOUGH" in mark for _, _, mark in lines) == 1, out


def test_bench_deslant_takes_only_a_model(capsys):
    assert "unrecognized arguments: 0.2" in refused(deslant.main, ["0.2"], capsys)
