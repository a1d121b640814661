"""digitlib.pads.tk_app: the desktop app as a Tk view of a PadSession.

What the pad *does* (messages, staleness, saving) is tested once, in tests/pads/test_session.py,
and starting the app (no tkinter, no display) in tests/test_cli.py; these tests check the Tk
side: events reaching the session, the worker thread, and the session's state reaching the
canvas, the previews and the labels. They run on a real Tk root on a virtual display (the
``x_display`` fixture of conftest.py).
"""

import errno
import json
import time
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from digitlib.pads import display, session, tk_app
from tests.fakes import FakePredictor


def event(x, y):
    return SimpleNamespace(x=x, y=y)


# Handlers on a real Tk root -------------------------------------------------------------


@pytest.fixture
def root(x_display):
    root = tk_app.tk.Tk(screenName=x_display)
    try:
        yield root
    finally:
        if root.winfo_exists():
            root.destroy()


def make_app(root, predictor=None, **options):
    app = tk_app.DigitApp(root, model=predictor or FakePredictor((1, 2), [0.98, 0.61],
                                                                     gap=1), **options)
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


def read(app, root, *strokes):
    for points in strokes:
        draw(app, points)
    app.recognize()
    wait_for(root, lambda: app.session.is_read)


def overlay(app, kind):
    return [item for item in app.canvas.find_withtag("overlay") if app.canvas.type(item) == kind]


def boxes(app):
    """The outlines of the boxes (not the filled label backgrounds)."""
    return [item for item in overlay(app, "rectangle") if not app.canvas.itemcget(item, "fill")]


def test_handlers_draw_ink_and_recognize_reads_in_a_worker(root, tmp_path):
    state_file = tmp_path / "state.json"
    app = make_app(root, state_file=state_file)
    draw(app, [(60, 40), (60, 240)])
    draw(app, [(200, 40), (280, 40), (230, 240)])
    assert len(app.session.drawing.strokes) == 2
    assert len(app.canvas.find_withtag("ink")) == 2 + 1 + 2  # a dot per press, a line per drag
    assert app.results.cget("text") == session.STROKES_DRAWN.format(count=2, s="s")

    app.recognize()
    assert app.results.cget("text") == session.READING
    wait_for(root, lambda: app.session.is_read)
    assert app.session.predictor.threads == ["digits-predict_0"]  # never on the Tk thread
    assert app.results.cget("text").startswith("Read: 1 2  (98%, 61% unsure)")
    assert app.results.cget("foreground") == display.UNSURE_COLOUR
    assert [app.canvas.itemcget(item, "outline") for item in boxes(app)] == [
        display.SURE_COLOUR, display.UNSURE_COLOUR]
    assert app.canvas.itemcget(boxes(app)[1], "dash") != ""  # the unsure box is dashed
    assert [app.canvas.itemcget(item, "text") for item in overlay(app, "text")] == [
        "1 98%", "2? 61%"]
    assert len(app.preview_row.winfo_children()) == 2

    state = json.loads(state_file.read_text())
    assert state["digits"] == [1, 2] and state["message"] == app.results.cget("text")
    assert {"recognize", "open", "save", "undo_save"} <= set(state["buttons"])
    assert len(state["previews"]) == 2


def test_window_stays_responsive_while_predicting(root):
    app = make_app(root, FakePredictor((1, 2), delay=1.5, gap=1))
    draw(app, [(60, 40), (60, 240)])
    started = time.monotonic()
    app.recognize()
    assert time.monotonic() - started < 0.5  # recognize() returns at once
    draw(app, [(300, 40), (300, 240)])  # handlers still work while the worker is busy
    root.update()
    assert time.monotonic() - started < 1.0
    wait_for(root, lambda: app.session.is_read)
    # The first reading described a drawing that had changed, so it was dropped and the
    # drawing was read again: the result matches what is on the canvas now.
    assert len(app.session.predictor.images) == 2
    assert [found.digit for found in app.session.detections] == [1, 2]


def test_undo_clear_live_and_brush(root):
    app = make_app(root)
    app.brush_scale.set(30)
    root.update()
    read(app, root, [(60, 40), (60, 240)], [(300, 40), (300, 240)])
    assert app.session.drawing.strokes[0].width == 30.0
    app.undo()
    assert len(app.session.drawing.strokes) == 1 and not boxes(app)
    assert len(app.canvas.find_withtag("ink")) == 2  # the first stroke, drawn again
    app.clear()
    assert not app.canvas.find_withtag("ink") and not app.canvas.find_withtag("overlay")
    assert app.results.cget("text") == session.START
    app.live.set(True)
    app._live_toggled()
    draw(app, [(60, 40), (60, 240)])
    wait_for(root, lambda: app.session.is_read)
    assert app.results.cget("text").startswith("Read: 1  (98%)")


def test_a_model_loads_in_the_worker_and_a_missing_one_is_explained(root, tmp_path):
    app = tk_app.DigitApp(root, model=tmp_path / "no_such_model.keras")
    assert app.model_label.cget("text").endswith("no_such_model.keras) — loading")
    wait_for(root, lambda: app.session.model_status != "loading", timeout=120)
    assert app.session.model_status == "error"
    assert "no_such_model.keras" in app.results.cget("text")
    assert app.results.cget("foreground") == display.ERROR_COLOUR
    draw(app, [(60, 40), (60, 240)])
    app.recognize()  # nothing to read with: the error stays
    root.update()
    assert app.results.cget("text").startswith("No model to read digits with")


def test_open_image_reads_a_picture_through_the_session(root, tmp_path):
    picture = Image.new("I;16", (200, 100), 65535)  # a 16-bit picture of two strokes
    picture.paste(0, (20, 20, 40, 80))
    picture.paste(0, (150, 20, 170, 80))
    path = tmp_path / "two.png"
    picture.save(path)
    app = make_app(root)
    draw(app, [(60, 40), (60, 240)])
    assert app.open_image(str(path))
    wait_for(root, lambda: app.session.is_read)
    assert app.session.drawing.is_empty and not app.canvas.find_withtag("ink")
    assert app.canvas.find_withtag("picture")
    assert app.session.predictor.images[-1].size == (200, 100)
    assert app.results.cget("text").startswith("Read: 1 2")
    left, top, right, bottom = app.canvas.coords(boxes(app)[0])
    assert (left, right) == pytest.approx((20 * 2.8, 40 * 2.8))  # in the pad's pixels
    assert not app.open_image(b"not an image", name="notes.txt")
    assert app.results.cget("text").startswith("Could not open notes.txt as an image")
    app.on_press(event(60, 40))  # drawing again puts the picture away, and says so
    assert not app.canvas.find_withtag("picture")
    assert app.results.cget("text") == session.PICTURE_PUT_AWAY.format(name="two.png")
    assert app.results.cget("foreground") == display.UNSURE_COLOUR
    app.on_drag(event(60, 240))
    app.on_release(event(60, 240))
    assert app.results.cget("text").startswith("The picture you opened (two.png) was put away")
    app.recognize()
    wait_for(root, lambda: app.session.is_read)
    assert app.results.cget("text").endswith(session.PUT_AWAY.format(name="two.png"))


def test_the_open_image_button_asks_for_a_file(root, tmp_path, monkeypatch):
    path = tmp_path / "one.png"
    Image.fromarray(np.pad(np.zeros((60, 20), np.uint8), 20, constant_values=255)).save(path)
    monkeypatch.setattr(tk_app.filedialog, "askopenfilename", lambda **options: str(path))
    app = make_app(root)
    app.open_button.invoke()
    wait_for(root, lambda: app.session.is_read)
    assert app.session.state()["picture"] == "one.png"
    assert app.results.cget("text").startswith("Read: 1")


def test_an_error_in_a_callback_is_shown_in_the_window(root, capsys):
    app = make_app(root)
    app.root.after(0, lambda: 1 / 0)
    wait_for(root, lambda: app.session.message.kind == "error")
    assert app.results.cget("text") == session.SOMETHING_WRONG.format(
        error="ZeroDivisionError: division by zero")
    assert "Traceback" in capsys.readouterr().err  # the details go to the terminal


# Saving your own digits -----------------------------------------------------------------


def test_select_save_and_undo_save(root, tmp_path):
    from digitlib.datasets.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    app = make_app(root, personal_folder=folder)
    read(app, root, [(60, 40), (60, 240)], [(300, 40), (300, 240)])
    assert app.session.selected == 0 and app.label.get() == "1"  # preset to the first reading
    app.preview_row.winfo_children()[1].event_generate("<Button-1>")  # select the second
    root.update()
    assert app.session.selected == 1 and app.label.get() == "2"
    assert app.label_caption.cget("text") == "Label of #2:"
    assert app.preview_row.winfo_children()[1].cget("relief") == "solid"
    app.save_button.invoke()
    assert app.results.cget("text") == f"Saved as 2 (1 example in {folder})"
    app.label.set("5")  # the user corrects the label in the box
    app.save_button.invoke()
    assert app.results.cget("text") == f"Saved as 5 (2 examples in {folder})"
    assert PersonalDigits(folder).labels.tolist() == [2, 5]
    app.undo_save_button.invoke()
    assert app.results.cget("text") == f"Removed the last saved example (1 left in {folder})."
    app.label.set("x")
    assert app.save() is None and app.results.cget("text").startswith("Not saved — ")
    assert app.results.cget("foreground") == display.ERROR_COLOUR


def test_a_read_only_disk_says_could_not_save(root, tmp_path, monkeypatch):
    from digitlib.datasets.personal import PersonalDigits

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(PersonalDigits, "save", read_only)
    app = make_app(root, personal_folder=tmp_path)
    read(app, root, [(60, 40), (60, 240)])
    app.save_button.invoke()  # never silent: the user must not believe it saved
    assert app.results.cget("text") == f"could not save: folder is read-only ({tmp_path})"
    assert app.results.cget("foreground") == display.ERROR_COLOUR


class SlowExplainer:
    """A stand-in for ``explain.explain`` that takes ``delay`` seconds and records its thread;
    it returns a real ``explain.Explanation`` (ink pushing towards the answer)."""

    def __init__(self, delay=0.0):
        self.delay, self.threads = delay, []

    def __call__(self, detection, predictor):
        import threading

        from digitlib.insight import explain

        self.threads.append(threading.current_thread().name)
        time.sleep(self.delay)
        image28 = np.asarray(detection.image28, np.float32)
        return explain.Explanation(image28, detection.probabilities, detection.digit,
                                   (detection.digit + 1) % 10, image28 - 0.2, "test")


def test_why_is_worked_out_in_the_worker_and_shown_on_preview_and_box(root, tmp_path):
    state_file = tmp_path / "state.json"
    app = make_app(root, state_file=state_file)
    app.session.explainer = explainer = SlowExplainer(delay=0.2)
    read(app, root, [(60, 40), (60, 240)], [(200, 40), (280, 40), (230, 240)])
    plain = app.preview_row.winfo_children()[0].cget("image")
    app.why_button.invoke()  # the learner presses Why?
    assert app.why_button.cget("text") == tk_app.WHY_ON_TEXT
    assert app.results.cget("text") == session.EXPLAINING.format(digit=1)
    wait_for(root, lambda: app.session.explanation is not None)
    assert explainer.threads == ["digits-predict_0"]  # never on the Tk thread
    assert app.results.cget("text") == session.WHY_SHOWN.format(digit=1, runner_up=2)
    assert app.preview_row.winfo_children()[0].cget("image") != plain
    (heat,) = app.canvas.find_withtag("why")
    corner, _ = display.why_box(app.session.explanation, app.canvas.coords(boxes(app)[0]))
    assert app.canvas.coords(heat) == pytest.approx(corner)  # where display says
    state = json.loads(state_file.read_text())
    assert state["why"] and state["explained"] and "why" in state["buttons"]
    app.select(1)  # the other digit is explained in turn
    wait_for(root, lambda: app.session.explanation is not None)
    assert app.results.cget("text") == session.WHY_SHOWN.format(digit=2, runner_up=3)
    assert app.preview_row.winfo_children()[0].cget("image") == plain
    app.why_button.invoke()  # off again
    assert not app.session.why and not app.canvas.find_withtag("why")


def test_an_explanation_of_a_changed_drawing_is_dropped_and_redone(root):
    app = make_app(root)
    app.session.explainer = explainer = SlowExplainer(delay=0.4)
    read(app, root, [(60, 40), (60, 240)])
    app.explain_why(True)
    draw(app, [(200, 40), (280, 40), (230, 240)])  # while the worker explains the first
    wait_for(root, lambda: app._running is None)
    assert app.session.explanation is None and not app.canvas.find_withtag("why")
    read(app, root)
    wait_for(root, lambda: app.session.explanation is not None)
    assert len(explainer.threads) == 2 and app.session.why


def test_why_with_the_fake_predictor_says_it_cannot_explain(root):
    app = make_app(root)  # FakePredictor: no Keras model, so the real explainer refuses it
    read(app, root, [(60, 40), (60, 240)])
    app.why_button.invoke()
    wait_for(root, lambda: app._running is None)
    assert app.results.cget("text").startswith("Could not explain this reading")
    assert app.why_button.cget("text") == tk_app.WHY_OFF_TEXT


# A window that holds still ---------------------------------------------------------------


def geometry(app, root):
    """Where the canvas is on the screen and how big the window is."""
    root.update()
    return (app.canvas.winfo_rootx(), app.canvas.winfo_rooty(), root.winfo_width(),
            root.winfo_height())


def test_the_window_holds_still_while_loading_reading_selecting_and_long_messages(
        root, monkeypatch):
    import threading

    loaded = threading.Event()

    def slow_model(self):
        assert loaded.wait(60), "the test never let the model load"
        return FakePredictor((1, 2), [0.98, 0.61], gap=1)

    monkeypatch.setattr(session.PadSession, "open_model", slow_model)
    app = tk_app.DigitApp(root)
    root.update()
    assert app.model_label.cget("text").endswith(" — loading")
    where = geometry(app, root)
    draw(app, [(60, 40), (60, 240)])
    draw(app, [(300, 40), (300, 240)])
    app.recognize()  # pressed while the model loads: queued, and it says so
    root.update()
    assert app.results.cget("text") == session.WAITING_FOR_MODEL
    assert "will read" in session.WAITING_FOR_MODEL
    assert geometry(app, root) == where
    loaded.set()
    wait_for(root, lambda: app.session.is_read)  # read without pressing Recognize again
    assert app.results.cget("text").startswith("Read: 1 2")
    assert not app.model_label.cget("text").endswith(" — loading")
    assert geometry(app, root) == where
    app.select(1)
    assert app.label_caption.cget("text") == "Label of #2:"
    assert geometry(app, root) == where
    app.session.failure(ValueError("a very long error message " * 20))
    app.show()
    assert geometry(app, root) == where
    for count in (5, 9, 14):  # more previews than fit at 3x: they shrink instead
        app.clear()
        read(app, root, *[[(20 + 38 * n, 40), (20 + 38 * n, 240)] for n in range(count)])
        assert len(app.session.detections) == count
        assert geometry(app, root) == where, f"{count} previews moved the canvas"
    app.why_button.invoke()
    root.update()
    assert geometry(app, root) == where


def test_the_why_button_is_a_button_that_shows_when_it_is_on(root):
    app = make_app(root)
    app.session.explainer = SlowExplainer()
    read(app, root, [(60, 40), (60, 240)])
    assert isinstance(app.why_button, tk_app.tk.Button)
    assert app.why_button.winfo_class() == app.save_button.winfo_class() == "Button"
    width = app.why_button.winfo_reqwidth()
    app.why_button.invoke()
    wait_for(root, lambda: app.session.explanation is not None)
    assert app.why_button.cget("text") == tk_app.WHY_ON_TEXT
    assert app.why_button.cget("relief") == "sunken"
    assert app.why_button.cget("background") == display.WHY_ON_COLOUR
    assert app.why_button.winfo_reqwidth() == width  # on or off, the same size
    app.why_button.invoke()
    assert app.why_button.cget("text") == tk_app.WHY_OFF_TEXT
    assert app.why_button.cget("relief") == "raised"


def test_the_chart_shows_the_selected_readings_probabilities(root):
    app = make_app(root)
    assert not app.chart.find_all()  # nothing read yet
    read(app, root, [(60, 40), (60, 240)], [(300, 40), (300, 240)])
    texts = [app.chart.itemcget(item, "text") for item in app.chart.find_all()
             if app.chart.type(item) == "text"]
    assert texts[0] == "Digit #1: read as 1, 98%" and "98.0%" in texts
    bars = [item for item in app.chart.find_all() if app.chart.type(item) == "rectangle"]
    assert len(bars) == 10
    widths = [app.chart.coords(bar)[2] - app.chart.coords(bar)[0] for bar in bars]
    assert widths.index(max(widths)) == 1  # the bar of digit 1 is the longest
    assert app.chart.itemcget(bars[1], "fill") == display.SURE_COLOUR
    app.select(1)
    texts = [app.chart.itemcget(item, "text") for item in app.chart.find_all()
             if app.chart.type(item) == "text"]
    assert texts[0] == "Digit #2: read as 2, 61%"
    assert any(text.startswith("unsure: ") for text in texts)
    for item in app.chart.find_all():  # everything inside the chart's area
        left, top, right, bottom = app.chart.bbox(item)
        assert left >= -1 and right <= tk_app.CHART_WIDTH + 1, app.chart.itemcget(item, "text")
        assert bottom <= int(app.chart.cget("height")) + 1


def test_a_long_unsure_reason_fits_under_the_bars(root):
    """The notes under the bars take as many lines as they wrap to, and the bars make room."""
    from digitlib.reading import predict

    class Doubting(FakePredictor):
        def predict_digits(self, image):
            found = super().predict_digits(image)
            found[0].unsure, found[0].reason = True, predict.NO_DIGIT_MODEL
            return found

    app = make_app(root, Doubting((7,), [1.0]))
    read(app, root, [(60, 40), (160, 140), (60, 240)])
    notes = [item for item in app.chart.find_all() if app.chart.type(item) == "text"
             and app.chart.itemcget(item, "text").startswith("unsure: ")]
    assert len(notes) == 1 and predict.NO_DIGIT_MODEL in app.chart.itemcget(notes[0], "text")
    left, top, right, bottom = app.chart.bbox(notes[0])
    assert bottom <= int(app.chart.cget("height")) + 1 and right <= tk_app.CHART_WIDTH + 1
    assert bottom - top > 40  # it wraps to three lines or more
    bars = [item for item in app.chart.find_all() if app.chart.type(item) == "rectangle"]
    assert len(bars) == 10 and max(app.chart.bbox(bar)[3] for bar in bars) <= top
