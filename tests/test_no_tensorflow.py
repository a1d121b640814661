"""Reading a digit imports neither TensorFlow nor Keras: through ``Predictor``, the CLI's
``predict``, the Tk app's reader and ``PadSession``, each in a fresh process (issue #31). The
committed model's ONNX copy runs it (``digitlib.reading.runtime.load_copy``)."""

import json
import subprocess
import sys

import pytest

from digitlib import config
from digitlib.datasets.synthetic import draw_digits, row_of_places
from digitlib.reading import runtime
from tests.conftest import require

DIGITS = [4, 2, 7]
SIZE = (280, 140)
FORBIDDEN = ("tensorflow", "keras", "tf2onnx")

# Each prints, as its last line, JSON: the digits read and the forbidden modules imported.
REPORT = f"""
import json, sys
loaded = sorted(name for name in {FORBIDDEN!r} if name in sys.modules)
print(json.dumps({{"digits": digits, "loaded": loaded}}))
"""
WAYS = {
    "Predictor": """
from digitlib.reading.predict import Predictor
predictor = Predictor.load("committed", threads=1)
digits = [found.digit for found in predictor.predict_digits(PATH)]
assert predictor.predict_digit(PATH) is not None
""",
    "the CLI's predict": """
import contextlib, io, json
from digitlib.__main__ import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(["predict", PATH, "--json", "--model", "committed"]) == 0
digits = [found["digit"] for found in json.loads(out.getvalue())[0]["detections"]]
""",
    "the Tk app's reader": """
from digitlib.pads import tk_app
session = tk_app.PadSession("committed")  # what DigitApp reads with, without a display
assert session.load_image(PATH)
digits = [found.digit for found in session.recognize()]
""",
    "PadSession": """
from digitlib.pads.session import PadSession
session = PadSession("committed")
session.pen_down(60, 40); session.pen_move(60, 120); session.pen_move(60, 220)
session.pen_up()
digits = [found.digit for found in session.recognize()]
""",
}


@pytest.fixture(scope="module")
def drawing(tmp_path_factory):
    path = tmp_path_factory.mktemp("images") / "digits.png"
    draw_digits(DIGITS, row_of_places(len(DIGITS), gap=20), SIZE).save(path)
    return path


@pytest.mark.parametrize("way", list(WAYS))
def test_reading_imports_no_tensorflow(way, drawing):
    require(runtime.load_copy(config.COMMITTED_MODEL_PATH) is not None,
            "needs models/mnist_cnn.onnx, up to date with models/mnist_cnn.keras")
    code = f"PATH = {str(drawing)!r}\n" + WAYS[way] + REPORT
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=config.ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"{way} imported {report['loaded']}"
    assert report["digits"] == ([1] if way == "PadSession" else DIGITS)


def test_the_check_sees_tensorflow_when_it_is_imported(drawing):
    """Not vacuous: the old way (``onnx_copy=False``) imports both."""
    code = (f"PATH = {str(drawing)!r}\nfrom digitlib.reading.predict import Predictor\n"
            "digits = [found.digit for found in Predictor.load('committed', onnx_copy=False)"
            ".predict_digits(PATH)]\n" + REPORT)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=config.ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"tensorflow", "keras"} <= set(report["loaded"])
    assert report["digits"] == DIGITS
