"""digitlib.bench: the benchmark commands run and print their figures (speed is not judged here:
``make bench-predict`` on a quiet machine is where the targets are measured)."""

import re
import subprocess
import sys

import numpy as np

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
    usage = "usage: python -m digitlib.bench {train|predict|explain|photos|strings}"
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


def test_string_scores():
    readings = {1: [1, 2, 3], 2: [1, 2], 3: [4, 5, 6, 7]}  # right; one missing; one extra
    strings = [(1, [1, 2, 3]), (2, [1, 2, 3]), (3, [4, 5, 6])]
    scores = bench.string_scores(readings.__getitem__, strings)
    assert scores == {"exact": 1 / 3, "count": 1 / 3, "digits": (3 + 2 + 2) / 9}
    made = bench.make_strings(np.zeros((10, 28, 28), np.uint8) + 255, np.arange(10), 4, seed=0)
    assert len(made) == 4 and all(2 <= len(labels) <= 6 for _, labels in made)
