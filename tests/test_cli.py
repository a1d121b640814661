"""``python -m digitlib predict IMAGE ... [--json] [--annotate OUT.png]``."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from digitlib import config
from digitlib.__main__ import main
from digitlib.synthetic import draw_digits, row_of_places
from tests.helpers import expected_boxes

DIGITS, SIZE = [4, 2, 7], (280, 140)
PLACES = row_of_places(3, gap=20)


@pytest.fixture(autouse=True)
def keep_tensorflow_threads(monkeypatch):
    """The CLI limits TensorFlow to one thread for the whole process: not in the test run."""
    from digitlib import predict

    monkeypatch.setattr(predict, "limit_threads", lambda count=1: False)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """The real model when there is one, else a tiny untrained stand-in."""
    if config.DEFAULT_MODEL_PATH.exists():
        return str(config.DEFAULT_MODEL_PATH)
    import keras

    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(10, activation="softmax")]).save(path)
    return str(path)


@pytest.fixture(scope="module")
def drawing(tmp_path_factory):
    path = tmp_path_factory.mktemp("images") / "digits.png"
    draw_digits(DIGITS, PLACES, SIZE).save(path)
    return path


def test_json_output(model_path, drawing, capsys):
    assert main(["predict", str(drawing), "--json", "--model", model_path]) == 0
    [reading] = json.loads(capsys.readouterr().out)
    assert reading["image"] == str(drawing)
    found = reading["detections"]
    assert [tuple(d["box"]) for d in found] == expected_boxes(DIGITS, PLACES, SIZE)
    assert reading["digits"] == "".join(str(d["digit"]) for d in found)
    for d in found:
        assert 0 <= d["confidence"] <= 1 and isinstance(d["unsure"], bool)
        assert len(d["top3"]) == 3 and d["top3"][0][0] == d["digit"]
    if config.DEFAULT_MODEL_PATH.exists():
        assert reading["digits"] == "427"


def test_text_output_and_annotation(model_path, drawing, tmp_path, capsys):
    blank = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(blank)
    annotated = tmp_path / "out.png"
    code = main(["predict", str(drawing), str(blank), "--annotate", str(annotated),
                 "--model", model_path])
    assert code == 0
    out = capsys.readouterr().out
    assert f"{drawing}: " in out and out.count("  box (") == 3
    assert f"{blank}: no digits found" in out
    # Several images: one annotated picture each, named after the image.
    picture = Image.open(tmp_path / "out_digits.png")
    assert picture.size == SIZE and picture.mode == "RGB"
    pixels = np.asarray(picture).astype(int)
    left, top, right, bottom = expected_boxes(DIGITS, PLACES, SIZE)[0]
    edge = pixels[(top + bottom) // 2, left]  # the left edge of the first box
    assert edge[1] > edge[0] + 50 or edge[0] > edge[2] + 100, "a green or orange box line"
    assert (tmp_path / "out_blank.png").exists()


def test_single_image_annotation_path(model_path, drawing, tmp_path, capsys):
    annotated = tmp_path / "exactly.png"
    assert main(["predict", str(drawing), "--annotate", str(annotated),
                 "--model", model_path]) == 0
    assert Image.open(annotated).size == SIZE


def test_bad_images_are_reported_and_the_rest_still_read(model_path, drawing, tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("hello")
    code = main(["predict", str(text), str(tmp_path / "missing.png"), str(drawing), "--json",
                 "--model", model_path])
    captured = capsys.readouterr()
    assert code == 1
    assert "notes.png is not an image file" in captured.err
    assert "does not exist" in captured.err
    assert "Traceback" not in captured.err
    readings = json.loads(captured.out)
    assert "error" in readings[0] and "error" in readings[1]
    assert len(readings[2]["detections"]) == 3


def test_missing_model_says_how_to_make_one(drawing, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "digitlib", "predict", str(drawing),
         "--model", str(tmp_path / "none.keras")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "python -m digitlib train" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "digitlib", "predict", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--json", "--annotate", "--model", "IMAGE"):
        assert option in result.stdout
