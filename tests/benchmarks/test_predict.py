"""benchmarks.predict: the serving path next to a TensorFlow graph and model.predict."""

import re

from benchmarks import predict
from tests.benchmarks.running import refused, run_bench


def test_bench_predict_prints_every_figure():
    out = run_bench("predict")
    for name, target in (("predict_digit, 280x280 pad", 3), ("predict_digits, 8-digit canvas", 10)):
        assert re.search(rf"{re.escape(name)}: +\d+\.\d\d ms   target <= {target} ms", out), out
    assert len(re.findall(r"TensorFlow graph \d+\.\d\d ms \(\d+\.\dx slower\), with "
                          r"model\.predict \d+\.\d ms \(\d+x slower\)", out)) == 2, out
    assert "the model call (ONNX Runtime)" in out
    assert "read: pad 4 (drawn 4), canvas 31415926 (placed 31415926)" in out


def test_bench_predict_takes_only_a_model(capsys):
    assert "unrecognized arguments: --slant-only" in refused(predict.main, ["--slant-only"],
                                                             capsys)
