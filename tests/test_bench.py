"""digitlib.bench: the benchmark commands run and print their figures (speed is not judged here:
``make bench-predict`` on a quiet machine is where the targets are measured)."""

import re
import subprocess
import sys

from digitlib import bench, config
from tests.conftest import require


def test_bench_predict_prints_every_figure():
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    result = subprocess.run([sys.executable, "-m", "digitlib.bench", "predict"],
                            capture_output=True, text=True, timeout=600, cwd=config.ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for name, target in (("predict_digit, 280x280 pad", 3), ("predict_digits, 8-digit canvas", 10)):
        assert re.search(rf"{re.escape(name)}: +\d+\.\d\d ms   target <= {target} ms", out), out
    assert len(re.findall(r"TensorFlow graph \d+\.\d\d ms \(\d+\.\dx slower\), with "
                          r"model\.predict \d+\.\d ms \(\d+x slower\)", out)) == 2, out
    assert "the model call (ONNX Runtime)" in out
    assert "read: pad 4 (drawn 4), canvas 31415926 (placed 31415926)" in out


def test_bench_names_its_benchmarks(capsys):
    assert bench.main(["nonsense"]) == 2
    usage = "usage: python -m digitlib.bench {train|predict|explain|photos}"
    assert usage in capsys.readouterr().err


def test_bench_explain_compares_the_methods_side_by_side():
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    result = subprocess.run([sys.executable, "-m", "digitlib.bench", "explain"],
                            capture_output=True, text=True, timeout=600, cwd=config.ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"baseline, one reading \(Predictor\.classify, ONNX Runtime\): \d+\.\d\d ms",
                     out), out
    for method in ("occlusion", "gradient_x_input", "integrated_gradients"):
        assert re.search(rf"  {method} +\d+\.\d ms +0\.\d{{3}} +0\.\d{{3}} +\d+\.\d%", out), out
    assert "(default)" in out and "target: <= 50 ms per digit" in out
