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
    assert "usage: python -m digitlib.bench {train|predict|photos}" in capsys.readouterr().err
