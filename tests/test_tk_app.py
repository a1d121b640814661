"""The Tk app: its logic without a display, and its handlers on a real Tk root under Xvfb.

The handler tests use a small fake predictor so they are fast and exact; the end-to-end test
in tests/e2e/test_tk_app_xvfb.py drives the real app and model with the mouse.
"""

import json
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from digitlib import tk_app
from tests.conftest import require
from tests.e2e import xdisplay
from tests.fakes import detection, ink_boxes


class FakePredictor:
    """Reads each blob of ink (split at empty columns) as 1, 2, 3...; records every call."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.threads = []
        self.images = []

    def predict_digits(self, image):
        self.threads.append(threading.current_thread().name)
        self.images.append(image)
        time.sleep(self.delay)
        return [detection(index + 1, 0.98 - 0.37 * index, box)
                for index, box in enumerate(ink_boxes(image))]


def event(x, y):
    return SimpleNamespace(x=x, y=y)


# Logic, no display needed ---------------------------------------------------------------


def test_results_line_matches_the_issue_example():
    found = [detection(4, 0.98), detection(2, 0.95), detection(7, 0.61)]
    assert tk_app.format_results(found) == "Read: 4 2 7  (98 %, 95 %, 61 % unsure)"
    assert tk_app.format_results([]).startswith("Read: nothing")


def test_pad_records_strokes_and_drops_stale_readings():
    pad = tk_app.ReadingPad(FakePredictor())
    assert pad.results_line().startswith("Draw digits")
    assert pad.drag(5, 5) is None  # pen up: nothing recorded
    pad.press(10, 20)
    assert pad.drag(30, 40) == (10.0, 20.0)
    assert pad.release() and pad.version == 1
    assert pad.drawing.strokes[0].points == [(10.0, 20.0), (30.0, 40.0)]
    assert pad.results_line().startswith("Press Recognize")

    reading = pad.predictor.predict_digits(pad.drawing.to_image())
    assert pad.accept(pad.version, reading) and pad.is_read
    assert pad.results_line() == "Read: 1  (98 %)"
    assert pad.state()["digits"] == [1] and pad.state()["boxes"][0][0] < 10

    pad.press(200, 20)
    pad.release()
    assert not pad.is_read and pad.state()["digits"] == []
    assert not pad.accept(pad.version - 1, reading)  # describes the old drawing: dropped
    assert pad.undo() and pad.version == 3 and len(pad.drawing.strokes) == 1
    pad.clear()
    assert pad.drawing.is_empty and not pad.undo()


def test_preview_is_the_28x28_image_scaled_up():
    image28 = np.zeros((28, 28), np.float32)
    image28[10:18, 13:15] = 1.0
    preview = tk_app.preview_image(image28, scale=3)
    assert preview.size == (84, 84)
    assert preview.getpixel((13 * 3 + 1, 10 * 3 + 1)) == 255 and preview.getpixel((0, 0)) == 0


def test_missing_tkinter_says_how_to_install_it():
    blocked = ("import runpy, sys; sys.modules['tkinter'] = None; "
               "runpy.run_module('digitlib.tk_app', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    for hint in ("sudo apt-get install python3-tk", "sudo dnf install python3-tkinter",
                 "brew install python-tk@3.11", "tcl/tk and IDLE", "conda install tk"):
        assert hint in result.stderr


def test_no_display_gives_a_clear_message():
    require(tk_app.tk is not None, "this Python has no tkinter")
    environment = {"PATH": "/usr/bin:/bin"}  # no DISPLAY
    result = subprocess.run([sys.executable, "-m", "digitlib.tk_app"], capture_output=True,
                            text=True, timeout=120, env=environment)
    assert result.returncode == 1
    assert "could not open a window" in result.stderr


# Handlers on a real Tk root -------------------------------------------------------------


@pytest.fixture(scope="module")
def display():
    require(tk_app.tk is not None, "this Python has no tkinter (see the app's install hints)")
    require(xdisplay.have_tools(), xdisplay.MISSING_TOOLS)
    with xdisplay.virtual_display() as name:
        yield name


@pytest.fixture
def root(display):
    root = tk_app.tk.Tk(screenName=display)
    try:
        yield root
    finally:
        if root.winfo_exists():
            root.destroy()


def make_app(root, predictor=None, **options):
    app = tk_app.DigitApp(root, predictor=predictor or FakePredictor(), **options)
    root.update()
    return app


def draw(app, points):
    app.on_press(event(*points[0]))
    for point in points[1:]:
        app.on_drag(event(*point))
    app.on_release(event(*points[-1]))


def wait_for(root, condition, timeout=30.0):
    """Run the Tk main loop until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        root.update()
        time.sleep(0.01)


def overlay_boxes(app):
    return [item for item in app.canvas.find_withtag("overlay")
            if app.canvas.type(item) == "rectangle" and app.canvas.itemcget(item, "width") == "2.0"]


def test_handlers_draw_ink_and_recognize_reads_in_a_worker(root, tmp_path):
    state_file = tmp_path / "state.json"
    app = make_app(root, state_file=state_file)
    draw(app, [(60, 40), (60, 240)])
    draw(app, [(200, 40), (280, 40), (230, 240)])
    assert len(app.pad.drawing.strokes) == 2
    assert len(app.canvas.find_withtag("ink")) == 2 + 1 + 2  # a dot per press, a line per drag
    assert app.results.cget("text").startswith("Press Recognize")

    app.recognize()
    wait_for(root, lambda: app.pad.is_read)
    assert app.pad.predictor.threads == ["digits-predict_0"]  # never on the Tk thread
    assert app.results.cget("text") == "Read: 1 2  (98 %, 61 % unsure)"
    assert len(overlay_boxes(app)) == 2
    labels = [app.canvas.itemcget(item, "text") for item in app.canvas.find_withtag("overlay")
              if app.canvas.type(item) == "text"]
    assert labels == ["1 98%", "2? 61%"]
    assert len(app.preview_row.winfo_children()) == 2

    # The model sees exactly what was drawn, in canvas coordinates.
    image = np.asarray(app.pad.predictor.images[0])
    assert image.shape == (tk_app.CANVAS_HEIGHT, tk_app.CANVAS_WIDTH)
    assert image[140, 60] == 0 and image[140, 120] == 255

    state = json.loads(state_file.read_text())
    assert state["digits"] == [1, 2] and state["results_line"] == app.results.cget("text")
    assert set(state["buttons"]) == {"recognize", "undo", "clear"}


def test_window_stays_responsive_while_predicting(root):
    app = make_app(root, FakePredictor(delay=1.5))
    draw(app, [(60, 40), (60, 240)])
    started = time.monotonic()
    app.recognize()
    assert time.monotonic() - started < 0.5  # recognize() returns at once
    assert app.results.cget("text") == "Reading..."
    draw(app, [(300, 40), (300, 240)])  # handlers still work while the worker is busy
    root.update()
    assert time.monotonic() - started < 1.0
    wait_for(root, lambda: app.pad.is_read)
    # The first reading described a drawing that had changed, so it was dropped and the
    # drawing was read again: the result matches what is on the canvas now.
    assert len(app.pad.predictor.images) == 2
    assert [found.digit for found in app.pad.detections] == [1, 2]


def test_undo_and_clear_remove_ink_and_results(root):
    app = make_app(root)
    draw(app, [(60, 40), (60, 240)])
    draw(app, [(300, 40), (300, 240)])
    app.recognize()
    wait_for(root, lambda: app.pad.is_read)
    app.undo()
    assert len(app.pad.drawing.strokes) == 1 and not overlay_boxes(app)
    assert len(app.canvas.find_withtag("ink")) == 2  # the first stroke, drawn again
    app.recognize()
    wait_for(root, lambda: app.pad.is_read)
    assert app.results.cget("text") == "Read: 1  (98 %)"
    app.clear()
    assert app.pad.drawing.is_empty and not app.canvas.find_withtag("ink")
    assert not app.canvas.find_withtag("overlay")
    assert app.results.cget("text").startswith("Draw digits")


def test_live_mode_reads_after_each_stroke(root):
    app = make_app(root, live=True)
    draw(app, [(60, 40), (60, 240)])
    wait_for(root, lambda: app.pad.is_read)
    assert app.results.cget("text") == "Read: 1  (98 %)"
    draw(app, [(300, 40), (300, 240)])
    wait_for(root, lambda: app.pad.is_read)
    assert app.results.cget("text").startswith("Read: 1 2")


def test_brush_slider_sets_the_stroke_width(root):
    app = make_app(root)
    app.brush.set(30)
    app._brush_changed("30")
    draw(app, [(60, 40), (60, 240)])
    assert app.pad.drawing.strokes[0].width == 30.0


def test_missing_model_shows_how_to_make_it(root, tmp_path):
    app = tk_app.DigitApp(root, model_path=tmp_path / "no_such_model.keras")
    wait_for(root, lambda: app.pad.status != "loading", timeout=120)
    assert app.pad.status == "error"
    assert "make model" in app.results.cget("text")
    assert "no_such_model.keras" in app.results.cget("text")
    draw(app, [(60, 40), (60, 240)])
    app.recognize()  # nothing to read with: the message stays
    root.update()
    assert "make model" in app.results.cget("text")


# Saving your own digits -----------------------------------------------------------------


def read(app, root, *strokes):
    for points in strokes:
        draw(app, points)
    app.recognize()
    wait_for(root, lambda: app.pad.is_read)


def test_the_active_model_is_shown(root, tmp_path):
    app = make_app(root)
    assert app.model_label.cget("text") == "Model: given in code"
    predictor = FakePredictor()
    predictor.path = tmp_path / "mnist_cnn_personal.keras"
    other = make_app(tk_app.tk.Toplevel(root), predictor)
    assert other.model_label.cget("text") == "Model: mnist_cnn_personal.keras"
    assert other.state()["model"] == "Model: mnist_cnn_personal.keras"


def test_a_missing_personal_model_says_how_to_make_it(root, tmp_path, monkeypatch):
    monkeypatch.setitem(tk_app.config.MODEL_NAMES, "personal", tmp_path / "personal.keras")
    app = tk_app.DigitApp(root, model_path="personal")
    assert app.model_label.cget("text") == "Model: personal.keras (loading)"
    wait_for(root, lambda: app.pad.status != "loading", timeout=120)
    assert app.pad.status == "error"
    assert "python -m digitlib finetune" in app.results.cget("text")
    assert "make model" not in app.results.cget("text")
    assert app.model_label.cget("text") == "Model: personal.keras (not loaded)"


def test_save_the_reading_as_read_and_corrected(root, tmp_path):
    from digitlib.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    app = make_app(root, personal_folder=folder)
    read(app, root, [(60, 40), (60, 240)], [(300, 40), (300, 240)])
    assert app.selected == 0 and app.label.get() == "1"  # preset to the first reading
    preview = app.preview_row.winfo_children()[1]
    preview.event_generate("<Button-1>")  # select the second digit
    root.update()
    assert app.selected == 1 and app.label.get() == "2"
    assert app.label_caption.cget("text") == "Label of #2:"
    app.save_button.invoke()
    assert app.results.cget("text") == f"Saved as 2 (1 example in {folder})"
    app.label.set("5")  # the user corrects the label
    app.save_button.invoke()
    assert app.results.cget("text") == f"Saved as 5 (2 examples in {folder})"
    mine = PersonalDigits(folder)
    assert mine.labels.tolist() == [2, 5]
    example = mine.example(mine.ids[0])
    left, top, right, bottom = app.pad.detections[1].box
    assert example.crop.shape == (bottom - top, right - left) and example.crop.max() == 255
    assert app.state()["notice"] == app.results.cget("text")
    draw(app, [(450, 40), (450, 240)])  # a change: the notice goes, the reading is stale
    assert app.results.cget("text").startswith("Press Recognize")


def test_undo_save_removes_the_last_example(root, tmp_path):
    from digitlib.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    app = make_app(root, personal_folder=folder)
    app.undo_save_button.invoke()
    assert app.results.cget("text").startswith("Nothing to undo — no saved examples")
    read(app, root, [(60, 40), (60, 240)])
    first = app.save(label=3)
    app.save(label=4)
    app.undo_save_button.invoke()
    assert PersonalDigits(folder).ids == [first]
    assert app.results.cget("text") == f"Removed the last saved example (1 left in {folder})."


def test_save_with_nothing_read_or_a_bad_label_writes_nothing(root, tmp_path):
    folder = tmp_path / "my_digits"
    app = make_app(root, personal_folder=folder)
    app.save_button.invoke()
    assert app.results.cget("text") == tk_app.NOTHING_TO_SAVE
    draw(app, [(60, 40), (60, 240)])  # drawn but not read
    assert app.save() is None and app.results.cget("text") == tk_app.NOTHING_TO_SAVE
    read(app, root)
    app.label.set("x")
    assert app.save() is None
    assert app.results.cget("text").startswith("Not saved — a label must be")
    assert app.results.cget("foreground") == tk_app.ERROR_COLOUR
    app.label.set("12")
    assert app.save() is None and "digit 0-9" in app.results.cget("text")
    assert not folder.exists()
