"""benchmarks.start: cold starts of the CLI, the way before the ONNX copies, TensorFlow's import
and the Tk app, each a fresh process (speed is not judged here)."""

import re

from benchmarks import start
from tests.benchmarks.running import refused, run_bench

FIGURES = r" +\d+\.\d\d s +\d+ MB"


def test_bench_start_prints_every_figure():
    out = run_bench("start", "--repeats", "1", "--model", "committed")
    assert re.search(rf"python -m digitlib predict one\.png:{FIGURES}   target <= 0\.8 s, "
                     r"<= 250 MB", out), out
    assert re.search(rf"the way before \(Keras load \+ tf2onnx\):{FIGURES}\n", out), out
    assert re.search(rf'python -c "import tensorflow":{FIGURES}\n', out), out
    if start.app_unavailable():
        assert "Tk app: not timed: " in out
    else:
        assert re.search(rf"Tk app, launch to first reading \(Xvfb\):{FIGURES}   target <= "
                         r"1\.5 s", out), out
        assert "app: ready: Read: 1" in out
    assert re.search(r"the new way: \d+\.\dx faster, \d+\.\dx less memory", out), out
    assert "read: new 1, before 1 (drawn 1)" in out


def test_bench_start_refuses_zero_repeats(capsys):
    assert "expected 1 or more" in refused(start.main, ["--repeats", "0"], capsys)
