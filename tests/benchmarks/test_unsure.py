"""benchmarks.unsure: today's unsure rule and the new one on non-digits and MNIST digits."""

import re

from benchmarks import unsure
from tests.benchmarks.running import refused, run_bench


def test_bench_unsure_prints_both_rules_on_both_sets():
    out = run_bench("unsure", fast=True)
    for part in ("tuning set", "report set"):
        assert part in out
    rows = re.findall(r"^    (today|new) +\d+\.\d%  +\d+\.\d%  ((?: +\d+%){8})$", out, re.M)
    assert [name for name, _ in rows] == ["today", "new", "today", "new"], out
    assert len(re.findall(r"MNIST digits marked unsure +\d+\.\d\d% \(\d+ of 40\); \d+\.\d\d ms a "
                          r"digit", out)) == 4, out
    assert re.search(r"new - today on MNIST digits: [+-]\d+\.\d\d points   targets: non-digits "
                     r">= 80 %, MNIST test <= \+0\.50 points", out), out
    assert "reasons given (new rule" in out


def test_bench_unsure_takes_its_set_sizes(capsys):
    assert "expected 1 or more" in refused(unsure.main, ["--per-kind", "0"], capsys)
