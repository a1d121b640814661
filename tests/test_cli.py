"""``python -m digitlib predict IMAGE ... [--json] [--annotate OUT.png]``."""

import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from digitlib import config
from digitlib.__main__ import main
from digitlib.datasets.synthetic import draw_digits, row_of_places
from tests.helpers import expected_boxes, release, special_files

DIGITS, SIZE = [4, 2, 7], (280, 140)
PLACES = row_of_places(3, gap=20)


@pytest.fixture(autouse=True)
def keep_tensorflow_threads(monkeypatch):
    """The CLI limits TensorFlow to one thread for the whole process: not in the test run."""
    from digitlib.reading import predict

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


# --- never lose a file, never a traceback ----------------------------------------------------


def error_lines(text: str) -> list[str]:
    """What the program said on stderr, without TensorFlow's C++ start-up log lines."""
    return [line for line in text.splitlines()
            if line.strip() and not line.startswith(("WARNING: All log messages", "I0000"))]


def copies(folder, names, source):
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read_bytes())
        paths.append(path)
    return paths


def test_annotate_never_writes_over_an_input(model_path, drawing, tmp_path, capsys):
    first, second = copies(tmp_path, ["in1.png", "in2.png"], drawing)
    original = first.read_bytes()
    # The output name forgotten: IN1.png is taken as the output, and it exists.
    code = main(["predict", "--annotate", str(first), str(second), "--model", model_path])
    err = error_lines(capsys.readouterr().err)
    assert code == 2 and len(err) == 1 and "--force" in err[0] and "in1.png" in err[0]
    # The input itself as the output: refused even with --force.
    code = main(["predict", str(first), "--annotate", str(first), "--force",
                 "--model", model_path])
    err = error_lines(capsys.readouterr().err)
    assert code == 2 and err == [f"error: refusing to write {first}: it is one of the inputs"]
    assert first.read_bytes() == original


def test_annotate_replaces_an_existing_file_only_with_force(model_path, drawing, tmp_path,
                                                             capsys):
    output = tmp_path / "out.png"
    output.write_bytes(b"my precious file")
    assert main(["predict", str(drawing), "--annotate", str(output),
                 "--model", model_path]) == 2
    assert "exists" in capsys.readouterr().err and output.read_bytes() == b"my precious file"
    assert main(["predict", str(drawing), "--annotate", str(output), "--force",
                 "--model", model_path]) == 0
    assert Image.open(output).size == SIZE


def test_same_names_in_different_folders_are_annotated_apart(model_path, drawing, tmp_path,
                                                             capsys):
    images = copies(tmp_path, ["a/page.png", "b/page.png"], drawing)
    code = main(["predict", *map(str, images), "--annotate", str(tmp_path / "out.png"),
                 "--json", "--model", model_path])
    readings = json.loads(capsys.readouterr().out)
    assert code == 0
    written = [reading["annotated"] for reading in readings]
    assert written == [str(tmp_path / "out_page.png"), str(tmp_path / "out_page-2.png")]
    assert all(Image.open(path).size == SIZE for path in written)


def test_annotate_into_a_missing_folder_fails_before_reading(model_path, drawing, tmp_path,
                                                              capsys, monkeypatch):
    from digitlib.reading import predict

    def must_not_load(*args, **kwargs):
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr(predict.Predictor, "load", must_not_load)
    missing = tmp_path / "no such folder" / "out.png"
    for extra in ([], ["--json"]):
        code = main(["predict", str(drawing), "--annotate", str(missing), *extra,
                     "--model", model_path])
        captured = capsys.readouterr()
        assert code == 2
        assert error_lines(captured.err) == [
            f"error: cannot write {missing}: the folder {missing.parent} does not exist"]
        if extra:
            assert "does not exist" in json.loads(captured.out)[0]["error"]


def test_json_is_printed_even_when_the_model_fails_to_load(drawing, tmp_path, capsys):
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    code = main(["predict", str(drawing), "--json", "--model", str(empty)])
    captured = capsys.readouterr()
    assert code == 2
    [reading] = json.loads(captured.out)
    assert reading["image"] == str(drawing) and "empty (0 bytes)" in reading["error"]
    assert error_lines(captured.err) == [f"error: {reading['error']}"]


def test_a_digit_limit_is_said_in_the_output(model_path, tmp_path, capsys):
    from digitlib.reading import segment

    page = np.full((700, 1000), 255, np.uint8)  # more marks than the limit, in a grid
    for row in range(25):
        for column in range(30):
            page[10 + 27 * row : 25 + 27 * row, 10 + 32 * column : 14 + 32 * column] = 0
    path = tmp_path / "page.png"
    Image.fromarray(page).save(path)
    code = main(["predict", str(path), "--json", "--model", model_path])
    captured = capsys.readouterr()
    [reading] = json.loads(captured.out)
    assert code == 0 and len(reading["detections"]) <= segment.MAX_BLOBS
    [warning] = reading["warnings"]
    assert "750 pieces of ink" in warning and f"only the {segment.MAX_BLOBS}" in warning
    assert error_lines(captured.err) == [f"warning: {path}: {warning}"]


def test_every_source_of_mnist_down_is_one_line(tmp_path, monkeypatch, capsys):
    from digitlib.datasets import mnist

    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(mnist, "_from_keras", offline)
    monkeypatch.setattr(mnist, "_from_mirror", offline)
    monkeypatch.setattr(mnist, "CACHE_PATH", tmp_path / "mnist.npz")
    assert main(["data"]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert line.startswith("error: Could not load MNIST") and "Fix:" in line


def test_zero_epochs_is_one_line(capsys):
    assert main(["train", "--epochs", "0"]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert line == "error: epochs and batch_size must be at least 1"


def test_a_usage_error_is_one_line(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["predict", "--no-such-option", "image.png"])
    assert stopped.value.code == 2
    [line] = error_lines(capsys.readouterr().err)
    assert "unrecognized arguments: --no-such-option" in line and "--help" in line


def test_an_unexpected_error_is_one_line_too(drawing, monkeypatch, capsys):
    from digitlib.reading import predict

    def broken(*args, **kwargs):
        raise KeyError("something nobody foresaw")

    monkeypatch.setattr(predict.Predictor, "load", broken)
    assert main(["predict", str(drawing)]) == 1
    assert error_lines(capsys.readouterr().err) == [
        "error: KeyError: 'something nobody foresaw'"]


def test_a_closed_pipe_stops_quietly(model_path, drawing, monkeypatch, capsys):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["predict", str(drawing), "--model", model_path]) == 141
    assert capsys.readouterr().err == ""


def test_predict_piped_into_head(model_path, drawing):
    """``predict ... | head -1``: the JSON is larger than the pipe's buffer, so the program
    meets the closed pipe while writing."""
    command = [sys.executable, "-m", "digitlib", "predict", "--json", "--model", model_path,
               *[str(drawing)] * 60]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=300)
    assert first == b"[\n"
    assert process.returncode == 141 and error_lines(stderr) == []


def test_a_phone_photo_taken_sideways_is_read_upright(model_path, tmp_path, capsys):
    """The camera stores the pixels sideways and an EXIF orientation saying how to turn them."""
    places = row_of_places(3, gap=20)
    upright = draw_digits([2, 7, 4], places, SIZE).convert("RGB")
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    photo = tmp_path / "IMG_0001.jpg"
    sideways.save(photo, "JPEG", quality=90, exif=exif)

    assert main(["predict", str(photo), "--json", "--model", model_path]) == 0
    [reading] = json.loads(capsys.readouterr().out)
    assert [tuple(d["box"]) for d in reading["detections"]] == expected_boxes(
        [2, 7, 4], places, SIZE)  # in the upright picture's pixels
    if config.DEFAULT_MODEL_PATH.exists():
        assert reading["digits"] == "274"
        ignored = tmp_path / "no_exif.jpg"  # the same pixels without the orientation
        sideways.save(ignored, "JPEG", quality=90)
        assert main(["predict", str(ignored), "--json", "--model", model_path]) == 0
        assert json.loads(capsys.readouterr().out)[0]["digits"] != "274"


def test_data_says_where_mnist_could_not_be_saved(tmp_path, monkeypatch, capsys):
    from digitlib.datasets import mnist

    arrays = mnist.load_mnist()  # the cache of this checkout, standing in for the download
    monkeypatch.setattr(mnist, "_from_keras", lambda: arrays)
    cache = tmp_path / "mnist.npz"
    cache.mkdir()  # a folder in the way of the cache file
    monkeypatch.setattr(mnist, "CACHE_PATH", cache)
    assert main(["data"]) == 0
    captured = capsys.readouterr()
    [line] = error_lines(captured.err)
    assert line.startswith(f"warning: MNIST was downloaded and verified but could not be saved "
                           f"to {cache} (a folder of that name is in the way)")
    assert captured.out.startswith("MNIST ready (in memory only): 60,000 training")


# --- every failure with --json is JSON, and no path shows a traceback ---------------------------


def run_cli(*arguments, env=None, stdout=subprocess.PIPE, timeout=300, script=None):
    """``python -m digitlib ARGUMENTS`` (or ``python -c SCRIPT ARGUMENTS``) in a fresh process;
    the timeout is a hang guard."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(config.ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    start = ["-c", script] if script else ["-m", "digitlib"]
    return subprocess.run([sys.executable, *start, *map(str, arguments)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=environment, timeout=timeout)


def assert_one_line_no_traceback(stderr):
    lines = error_lines(stderr)
    assert "Traceback" not in stderr and len(lines) >= 1, stderr
    assert all(line.startswith(("error: ", "warning: ", "python -m digitlib")) for line in lines)


@pytest.mark.parametrize("case", ["no image", "unknown option", "home is a file",
                                  "odd files", "model fails"])
def test_every_failure_with_json_prints_json_and_no_traceback(case, model_path, drawing,
                                                              tmp_path):
    odd = special_files(tmp_path)
    arguments, env, images = {
        "no image": (["predict", "--json"], {}, [None]),
        "unknown option": (["predict", "--json", "--bogus", drawing], {}, [None]),
        "home is a file": (["predict", "--json", drawing], {config.HOME_VARIABLE: str(drawing)},
                           [str(drawing)]),
        "odd files": (["predict", "--json", "--model", model_path, *odd.values()], {},
                      list(map(str, odd.values()))),
        "model fails": (["predict", "--json", "--model", tmp_path / "none.keras", drawing], {},
                        [str(drawing)]),
    }[case]
    try:
        result = run_cli(*arguments, env=env)
    finally:
        release(tmp_path)
    assert result.returncode in (1, 2)
    readings = json.loads(result.stdout)
    assert [reading["image"] for reading in readings] == images
    assert all(reading["error"] and "\n" not in reading["error"] for reading in readings)
    assert_one_line_no_traceback(result.stderr)
    if case == "odd files":
        assert "does not exist" not in result.stdout
        assert len(error_lines(result.stderr)) == len(odd)


@pytest.mark.parametrize("json_option", [[], ["--json"]])
def test_a_home_that_is_a_file_is_one_line(json_option, drawing):
    result = run_cli("predict", *json_option, drawing,
                     env={config.HOME_VARIABLE: str(drawing)})
    assert result.returncode == 2
    assert error_lines(result.stderr) == [
        f"error: {config.HOME_VARIABLE}={drawing} is a file: point it to a folder, which will "
        f"hold data/ and models/ (it may be empty or not exist yet)"]


@pytest.mark.parametrize("json_option", [[], ["--json"]])
def test_a_closed_stdout_is_one_line(json_option, drawing):
    result = subprocess.run(
        ["bash", "-c", '"$0" -m digitlib "$@" >&-', sys.executable, "predict", *json_option,
         str(drawing)], stderr=subprocess.PIPE, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(config.ROOT)})
    assert result.returncode == 2
    assert error_lines(result.stderr) == [
        "error: standard output is closed, so nothing could be shown: send it to a file or to "
        "/dev/null instead"]


@pytest.mark.parametrize("json_option", [[], ["--json"]])
def test_stdout_on_a_full_disk_is_one_line(json_option, model_path, drawing, monkeypatch,
                                           capsys):
    class FullDisk:
        def write(self, text):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        flush = write

    monkeypatch.setattr(sys, "stdout", FullDisk())
    assert main(["predict", *json_option, str(drawing), "--model", model_path]) == 2
    assert error_lines(capsys.readouterr().err) == [
        "error: could not write the output: the disk is full"]


def test_json_into_dev_full_is_one_line(model_path, drawing):
    with open("/dev/full", "w") as full:
        result = run_cli("predict", "--json", "--model", model_path, drawing, stdout=full)
    assert result.returncode == 2
    assert error_lines(result.stderr) == ["error: could not write the output: the disk is full"]


# Reads the images, with a real SIGINT sent to itself while reading the second one.
INTERRUPTED_AT_THE_SECOND_IMAGE = """
import os, signal, sys
from digitlib.reading import predict
from digitlib.__main__ import main

read = predict.Predictor.predict_digits
calls = []

def interrupted_at_the_second(self, image, photo=None):
    calls.append(image)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGINT)
    return read(self, image, photo=photo)

predict.Predictor.predict_digits = interrupted_at_the_second
sys.exit(main(sys.argv[1:]))
"""


def test_an_interrupt_with_json_prints_the_readings_so_far(model_path, drawing):
    result = run_cli("predict", "--json", "--model", model_path, drawing, drawing, drawing,
                     script=INTERRUPTED_AT_THE_SECOND_IMAGE)
    assert result.returncode == 130
    assert error_lines(result.stderr) == ["error: interrupted"]
    first, *rest = json.loads(result.stdout)
    assert len(first["detections"]) == 3
    assert rest == [{"image": str(drawing), "error": "interrupted"}] * 2


def test_an_interrupt_while_loading_with_json_says_so_for_every_image(drawing, monkeypatch,
                                                                       capsys):
    from digitlib.reading import predict

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(predict.Predictor, "load", interrupted)
    assert main(["predict", "--json", str(drawing), str(drawing)]) == 130
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [{"image": str(drawing), "error": "interrupted"}] * 2
    assert error_lines(captured.err) == ["error: interrupted"]


def test_a_usage_error_with_json_is_json(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["predict", "--json"])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    [reading] = json.loads(captured.out)
    assert reading["image"] is None and "required: IMAGE" in reading["error"]
    assert error_lines(captured.err) == [reading["error"]]


# --- the help names the data folder; `app` starts the Tk pad, or says in one line why not ----


def test_the_help_says_where_data_and_models_go(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.rstrip().endswith(config.describe_home())
    assert "app" in run_cli("--help").stdout


class FakeTk:
    """``tk_app.tk`` without a window: ``Tk()`` gives a root whose main loop returns at once,
    or raises ``TclError`` as Tk does without a display."""

    class TclError(Exception):
        pass

    def __init__(self, display_error=None):
        self.display_error = display_error
        self.looped = False

    def Tk(self):  # noqa: N802 - tkinter's name
        if self.display_error:
            raise self.TclError(self.display_error)
        fake = self

        class Root:
            def mainloop(self):
                fake.looped = True

        return Root()


def test_app_opens_the_pad_with_the_model_asked_for(model_path, monkeypatch):
    from digitlib.pads import tk_app

    opened = []
    fake = FakeTk()
    monkeypatch.setattr(tk_app, "tk", fake)
    monkeypatch.setattr(tk_app, "DigitApp", lambda root, **options: opened.append(options))
    assert main(["app", "--model", model_path, "--live"]) == 0
    assert opened == [{"model": model_path, "live": True}] and fake.looped


@pytest.mark.parametrize("case", ["no display", "no tkinter", "no model"])
def test_app_that_cannot_start_says_why_in_one_line(case, monkeypatch, capsys, tmp_path):
    from digitlib.pads import tk_app

    tk = {"no display": FakeTk('couldn\'t connect to display ""'), "no tkinter": None,
          "no model": FakeTk()}[case]
    monkeypatch.setattr(tk_app, "tk", tk)
    model = ["--model", str(tmp_path / "none.keras")] if case == "no model" else []
    assert main(["app", *model]) == 2
    [line] = error_lines(capsys.readouterr().err)
    expected = {
        "no display": 'error: The desktop app could not open a window: couldn\'t connect to '
                      'display "". It needs a desktop session (on a server, run it under Xvfb',
        "no tkinter": "error: The desktop app needs tkinter, and this Python",
        "no model": f"error: no model at {tmp_path / 'none.keras'}: name one with --model",
    }[case]
    assert line.startswith(expected)


def test_app_without_a_display_is_one_line_in_a_real_process():
    result = run_cli("app", "--model", "committed", env={"DISPLAY": ""}, timeout=120)
    assert result.returncode == 2
    assert_one_line_no_traceback(result.stderr)
    assert len(error_lines(result.stderr)) == 1


@pytest.mark.parametrize("brush", ["0", "thick"])
def test_app_refuses_a_brush_it_cannot_draw_with(brush, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["app", "--brush", brush])
    assert exit_.value.code == 2
    assert "--brush" in capsys.readouterr().err
