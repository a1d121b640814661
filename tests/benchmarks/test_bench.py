"""benchmarks.bench: the benchmark commands run and print their figures (speed is not judged here:
``make bench-predict`` on a quiet machine is where the targets are measured)."""

import os
import re
import subprocess
import sys

import numpy as np

from benchmarks import bench
from digitlib import config
from digitlib.datasets import synthetic_crops
from tests.conftest import require


def test_bench_predict_prints_every_figure():
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench", "predict"],
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
    usage = ("usage: python -m benchmarks.bench "
             "{train|predict|explain|photos|strings|augment|deslant|unsure|crops}")
    assert usage in capsys.readouterr().err
    for wrong in (["predict", "--slant-only"], ["train", "--everything"],
                  ["train", "--peer-only", "--slant-only"], ["augment", "--epochs=0"]):
        assert bench.main(wrong) == 2
        assert "train [--peer-only|--quick-only|--slant-only]" in capsys.readouterr().err


def fast_bench(*arguments):
    """Run a benchmark in fast mode (tiny trainings): every figure prints, none means much."""
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench", *arguments],
                            capture_output=True, text=True, timeout=600, cwd=config.ROOT,
                            env={**os.environ, config.FAST_MODE_VARIABLE: "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "FAST MODE" in result.stdout
    return result.stdout


PERCENT = r"\d+\.\d\d%"
SLANT_LINE = rf"upright {PERCENT}, slanted {PERCENT} \([+-]\d+\.\d\d points\)"


def test_bench_train_prints_the_peer_the_quick_recipe_and_the_slant_line():
    out = fast_bench("train")
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
    out = fast_bench("train", "--slant-only")
    assert re.search(rf"committed, to_mnist as it is \(slant correction\): +{SLANT_LINE}", out), out
    assert "keras-io" not in out and "quick recipe" not in out  # nothing trained
    out = fast_bench("train", "--peer-only")
    assert "keras-io mnist_convnet" in out and "slant" not in out and "quick" not in out


def test_bench_deslant_compares_each_limit_on_validation_digits():
    out = fast_bench("deslant")
    assert "500 validation digits" in out
    lines = re.findall(rf"(no correction|stand up beyond ±[\d.]+) +through to_mnist {PERCENT} "
                       rf"\( *\d+% changed\); re-stroked {SLANT_LINE}(.*)", out)
    assert [name for name, _ in lines] == [
        "no correction", *(f"stand up beyond ±{choice}" for choice in bench.DESLANT_CHOICES[1:])]
    assert sum("<- preprocess.UPRIGHT_ENOUGH" in mark for _, mark in lines) == 1, out


def test_bench_augment_scores_both_recipes_on_validation_only():
    out = fast_bench("augment")
    assert "scored on the 5000 validation digits" in out
    for name in ("without", "with"):
        assert re.search(rf"{name}: +validation {PERCENT} \(epoch 1\); re-stroked {SLANT_LINE}; "
                         r"wall \d+ s", out), out


def test_bench_explain_compares_the_methods_side_by_side():
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench", "explain"],
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


def test_bench_unsure_prints_both_rules_on_both_sets():
    out = fast_bench("unsure")
    for part in ("tuning set", "report set"):
        assert part in out
    rows = re.findall(r"^    (today|new) +\d+\.\d%  +\d+\.\d%  ((?: +\d+%){8})$", out, re.M)
    assert [name for name, _ in rows] == ["today", "new", "today", "new"], out
    assert len(re.findall(r"MNIST digits marked unsure +\d+\.\d\d% \(\d+ of 40\); \d+\.\d\d ms a "
                          r"digit", out)) == 4, out
    assert re.search(r"new - today on MNIST digits: [+-]\d+\.\d\d points   targets: non-digits "
                     r">= 80 %, MNIST test <= \+0\.50 points", out), out
    assert "reasons given (new rule" in out


def test_bench_crops_prints_digitlib_and_both_peers_by_kind():
    out = fast_bench("crops")
    rows = re.findall(r"^  (digitlib|ink-box peer|naive peer) +(\d+\.\d\d)% +(\d+) +"
                      r"(\d+\.\d)% +(\d+) +\d+\.\d$", out, re.M)
    assert [row[0] for row in rows] == ["digitlib", "ink-box peer", "naive peer"], out
    assert rows[0][2] == "0", "digitlib read a crop as nothing"
    kinds = re.findall(r"^    (.+?) +\d+ crops +\d+\.\d% / +\d+\.\d% / +\d+\.\d%$", out, re.M)
    assert kinds == list(synthetic_crops.KINDS), out
    assert "targets: single digits >= 99.5 %" in out
