"""benchmarks.explain: the heat-map methods side by side, next to one plain reading."""

import re

from benchmarks import explain
from tests.benchmarks.running import refused, run_bench


def test_bench_explain_compares_the_methods_side_by_side():
    out = run_bench("explain")
    assert re.search(r"baseline, one reading \(Predictor\.classify, ONNX Runtime\): \d+\.\d\d ms",
                     out), out
    for method in ("occlusion", "gradient_x_input", "integrated_gradients"):
        assert re.search(rf"  {method} +\d+\.\d ms +0\.\d{{3}} +0\.\d{{3}} +\d+\.\d%", out), out
    assert "(default)" in out and "target: <= 50 ms per digit" in out


def test_bench_explain_takes_a_count_of_digits(capsys):
    assert "expected 1 or more" in refused(explain.main, ["--count", "0"], capsys)
