"""digitlib.widget: the drawing pad, driven headless through its mouse/touch handlers.

Most tests use a tiny fake predictor (it finds ink columns and answers scripted digits) to
check the pad's own behaviour; the tests at the end use the real Predictor and model.
"""

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pytest
from ipycanvas.canvas import _CMD_LIST
from PIL import Image, ImageDraw

from digitlib import config
from digitlib.widget import (
    MESSAGE_BLANK,
    PREVIEW_SIZE,
    DrawingPad,
    OverlayItem,
    batched,
    label_for,
    preview_png,
)
from tests.conftest import require
from tests.fakes import detection, ink_boxes


class FakePredictor:
    """Finds runs of inked columns (one per digit) and answers ``digits`` in order."""

    def __init__(self, digits=(1, 7, 0), confidences=None, unsure=(), error=None):
        self.digits, self.error = list(digits), error
        self.confidences = list(confidences or [0.97] * len(self.digits))
        self.unsure = set(unsure)
        self.images = []

    def predict_digits(self, image):
        self.images.append(image)
        if self.error is not None:
            raise self.error
        return [detection(self.digits[number % len(self.digits)],
                          self.confidences[number % len(self.confidences)], box,
                          unsure=number in self.unsure)
                for number, box in enumerate(ink_boxes(image, gap=10))]


def stroke(pad, points):
    """Pen down at the first point, through the others, up at the last: what the browser sends."""
    pad._on_mouse_down(*points[0])
    for point in points[1:]:
        pad._on_mouse_move(*point)
    pad._on_mouse_up(*points[-1])


def one(pad, x=280):
    stroke(pad, [(x, 60), (x, 140), (x, 220)])


@pytest.fixture
def sent(monkeypatch):
    """Every canvas command sent to the browser, as (layer, command name, arguments)."""
    pad_commands = []
    from ipycanvas.canvas import _CANVAS_MANAGER

    original = _CANVAS_MANAGER.send_command

    def record(canvas, command, buffers=None):
        pad_commands.append((canvas, _CMD_LIST[command[0]], command[1]))
        return original(canvas, command, buffers or [])

    monkeypatch.setattr(_CANVAS_MANAGER, "send_command", record)
    return pad_commands


def test_the_pad_has_a_fixed_size_three_layers_and_never_syncs_pixels():
    pad = DrawingPad(FakePredictor())
    assert (pad.canvas.width, pad.canvas.height) == (560, 280)
    assert (pad.canvas.layout.width, pad.canvas.layout.height) == ("560px", "280px")
    assert len(pad.canvas._canvases) == 3
    assert not any(layer.sync_image_data for layer in [pad.canvas, *pad.canvas._canvases])
    assert "digits-result" in pad.message._dom_classes
    assert "digits-canvas" in pad.canvas._dom_classes
    assert pad.recognize_button.description == "Recognize"
    assert "Draw one or more digits" in pad.message_text


def test_mouse_events_record_strokes_and_draw_ink(sent):
    pad = DrawingPad(FakePredictor())
    pad._on_mouse_move(5, 5)  # pen up: nothing happens
    assert pad.drawing.is_empty
    stroke(pad, [(10, 20), (30, 40), (50, 60)])
    assert pad.drawing.strokes[0].points == [(10, 20), (30, 40), (50, 60)]
    assert not pad.drawing.drawing
    ink = [(name, args) for layer, name, args in sent if layer is pad.canvas[1]]
    assert ("fillCircle", [10, 20, pad.drawing.brush / 2]) in ink
    assert ("strokeLine", [30, 40, 50, 60]) in ink
    assert "1 stroke drawn" in pad.message_text


def test_events_arrive_through_ipycanvas_dispatch():
    """The handlers are wired to the layer that receives the browser's events."""
    pad = DrawingPad(FakePredictor())
    top = pad.canvas._canvases[-1]
    for event, x, y in [("mouse_down", 100, 50), ("mouse_move", 110, 150), ("mouse_up", 110, 200)]:
        top._handle_frontend_event(None, {"event": event, "x": x, "y": y}, [])
    assert pad.drawing.strokes[0].points == [(100, 50), (110, 150), (110, 200)]
    top._handle_frontend_event(None, {"event": "client_ready"}, [])  # a new view: redrawn
    assert pad.last_error is None


def test_leaving_the_pad_ends_the_stroke():
    pad = DrawingPad(FakePredictor())
    pad._on_mouse_down(10, 10)
    pad._on_mouse_move(20, 20)
    pad._on_mouse_out(600, 20)
    pad._on_mouse_move(40, 40)  # back over the pad with the button up: not drawing
    assert pad.drawing.strokes[0].points == [(10, 10), (20, 20)]


def test_touch_draws_like_the_mouse():
    pad = DrawingPad(FakePredictor())
    pad._on_touch_start([(100, 60)])
    pad._on_touch_move([(100, 120)])
    pad._on_touch_move([(100, 200)])
    pad._on_touch_end([])
    assert pad.drawing.strokes[0].points == [(100, 60), (100, 120), (100, 200)]
    assert not pad.drawing.drawing


def test_a_blank_pad_says_so_without_calling_the_model():
    predictor = FakePredictor()
    pad = DrawingPad(predictor)
    assert pad.recognize() == []
    assert pad.message_text == MESSAGE_BLANK
    assert predictor.images == [] and pad.overlay_items == []


def test_recognize_reads_the_rasterised_strokes_and_draws_boxes_and_labels(sent):
    predictor = FakePredictor(digits=[1, 7], confidences=[0.97, 0.88])
    pad = DrawingPad(predictor)
    one(pad, 100)
    one(pad, 400)
    detections = pad.recognize()

    image = predictor.images[-1]
    assert image.size == (560, 280) and image.mode == "L"
    assert image.getpixel((100, 140)) == 0 and image.getpixel((250, 140)) == 255
    assert [d.digit for d in detections] == [1, 7]
    assert pad.overlay_items == [
        OverlayItem(tuple(float(v) for v in d.box), label, False)
        for d, label in zip(detections, ["1 · 97 %", "7 · 88 %"], strict=True)
    ]
    assert pad.message_text.startswith("Read: 1 7")
    assert "97 %, 88 %" in pad.message_text

    overlay = [(name, args) for layer, name, args in sent if layer is pad.canvas[2]]
    rectangles = [args for name, args in overlay if name == "strokeRect"]
    left, top, right, bottom = detections[1].box
    assert [left, top, right - left, bottom - top] in [[*map(float, r)] for r in rectangles]
    assert [args[0] for name, args in overlay if name == "fillText"][-2:] == ["1 · 97 %",
                                                                              "7 · 88 %"]


def test_unsure_digits_are_marked():
    pad = DrawingPad(FakePredictor(digits=[4], confidences=[0.41], unsure={0}))
    one(pad)
    pad.recognize()
    assert pad.overlay_items[0].unsure and pad.overlay_items[0].label == "4? · 41 %"
    assert "unsure" in pad.message_text
    assert "digits-message-warning" in pad.message.value


def test_previews_show_what_the_model_saw_and_selecting_one_shows_its_probabilities():
    pad = DrawingPad(FakePredictor(digits=[1, 7, 0]))
    for x in (90, 280, 470):
        one(pad, x)
    pad.recognize()
    assert len(pad.previews.children) == 3
    picture = Image.open(io.BytesIO(pad.previews.children[0].children[0].value))
    assert picture.size == (PREVIEW_SIZE, PREVIEW_SIZE)
    assert pad.selected == 0 and "read as <b>1</b>" in pad.chart.value
    pad.previews.children[2].children[1].click()  # the button under the third preview
    assert pad.selected == 2 and "read as <b>0</b>" in pad.chart.value
    assert pad.chart.value.count("<tr>") == 10


def test_bad_input_is_explained_in_the_message_area():
    pad = DrawingPad(FakePredictor(error=ValueError("the image is 1x1 pixels, too small")))
    one(pad)
    assert pad.recognize() == []
    assert "Could not read this image: the image is 1x1 pixels, too small" in pad.message_text


def test_callback_errors_are_shown_not_lost():
    pad = DrawingPad(FakePredictor(error=RuntimeError("model exploded")))
    one(pad)
    pad.recognize_button.click()  # through the guarded callback, as in the browser
    assert pad.last_error == "RuntimeError: model exploded"
    assert "Something went wrong" in pad.message_text
    shown = "".join(output.get("text", "") for output in pad.errors.outputs)
    assert "Traceback" in shown and "model exploded" in shown


def test_a_missing_model_is_explained_not_a_crash(tmp_path):
    pad = DrawingPad(model_path=tmp_path / "missing.keras")
    assert pad.message_text.startswith("No model to read digits with — no model at")
    one(pad)
    assert pad.recognize() == [] and pad.message_text.startswith("No model to read digits")
    assert pad.last_error is None and pad.errors.outputs == ()


def test_the_reason_for_an_unsure_reading_is_shown():
    predictor = FakePredictor(digits=[4], confidences=[0.41], unsure={0})
    pad = DrawingPad(predictor)
    one(pad)
    original = predictor.predict_digits

    def with_reason(image):
        found = original(image)
        found[0].reason = "low confidence (41%)"
        return found

    predictor.predict_digits = with_reason
    pad.recognize()
    assert "<b>unsure</b>: low confidence (41%)" in pad.chart.value


def test_an_error_while_drawing_does_not_hold_back_later_drawing(sent):
    from ipycanvas.canvas import _CANVAS_MANAGER

    pad = DrawingPad(FakePredictor())
    with pytest.raises(ZeroDivisionError), batched():
        pad.canvas[2].stroke_rect(1, 2, 3, 4)
        _ = 1 / 0
    assert not _CANVAS_MANAGER._caching
    sent.clear()
    one(pad)
    assert any(name == "strokeLine" for _, name, _ in sent)


def test_live_mode_reads_at_the_end_of_each_stroke():
    predictor = FakePredictor(digits=[1, 1])
    pad = DrawingPad(predictor, live=True)
    one(pad, 100)
    assert len(predictor.images) == 1 and len(pad.overlay_items) == 1
    one(pad, 400)
    assert len(predictor.images) == 2 and len(pad.overlay_items) == 2
    pad.undo()
    assert len(predictor.images) == 3 and len(pad.overlay_items) == 1


def test_undo_and_clear():
    pad = DrawingPad(FakePredictor())
    one(pad, 100)
    one(pad, 400)
    pad.recognize()
    pad.undo()
    assert len(pad.drawing.strokes) == 1 and pad.overlay_items == []  # results went stale
    pad.undo()
    assert pad.drawing.is_empty and pad.message_text == MESSAGE_BLANK
    pad.undo()
    assert pad.message_text == "Nothing to undo."
    one(pad)
    pad.recognize()
    pad.clear_button.click()
    assert pad.drawing.is_empty and pad.overlay_items == [] and pad.previews.children == ()


def test_brush_size_applies_to_new_strokes():
    pad = DrawingPad(FakePredictor())
    pad.brush_slider.value = 30
    one(pad)
    assert pad.drawing.strokes[0].width == 30


def _png(size=(200, 100), strokes=((50, 20, 50, 80),), mode="RGB", background="white"):
    picture = Image.new(mode, size, background)
    pen = ImageDraw.Draw(picture)
    for line in strokes:
        pen.line(line, fill="black", width=8)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_uploaded_picture_is_read_and_boxed_in_canvas_pixels():
    predictor = FakePredictor(digits=[1])
    pad = DrawingPad(predictor)
    data = _png()
    pad.upload.value = ({"name": "one.png", "type": "image/png", "size": len(data),
                         "content": memoryview(data), "last_modified": datetime.now(UTC)},)
    assert predictor.images[-1].size == (200, 100) and predictor.images[-1].mode == "L"
    assert pad.message_text.startswith("Read: 1")
    (item,) = pad.overlay_items
    # a 200x100 picture is shown at 2.8x, centred: x from 0 to 560, y from 0 to 280
    (box,) = [d.box for d in pad.detections]
    assert item.box == pytest.approx(tuple(v * 2.8 for v in box))
    assert pad.upload.value == ()  # ready for the next upload
    one(pad)  # drawing again replaces the picture
    pad.recognize()
    assert predictor.images[-1].size == (560, 280)


def test_an_upload_that_is_not_an_image_is_explained():
    pad = DrawingPad(FakePredictor())
    pad.upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 5,
                         "content": memoryview(b"hello"), "last_modified": datetime.now(UTC)},)
    assert "Could not open notes.txt as an image" in pad.message_text
    assert pad.last_error is None


def test_transparent_uploads_become_black_on_white():
    predictor = FakePredictor(digits=[1])
    pad = DrawingPad(predictor)
    pad.show_image(Image.open(io.BytesIO(_png(mode="RGBA", background=(0, 0, 0, 0)))))
    seen = predictor.images[-1]
    assert seen.getpixel((5, 5)) == 255 and seen.getpixel((50, 50)) == 0


def test_labels_and_previews():
    detection = SimpleNamespace(digit=3, confidence=0.954, unsure=False)
    assert label_for(detection) == "3 · 95 %"
    assert label_for(SimpleNamespace(digit=3, confidence=0.5, unsure=True)) == "3? · 50 %"
    ramp = np.linspace(0, 255, 28 * 28).reshape(28, 28)  # 0-255 input is accepted too
    picture = Image.open(io.BytesIO(preview_png(ramp)))
    assert picture.size == (PREVIEW_SIZE, PREVIEW_SIZE) and picture.getpixel((83, 83)) == 255
    with pytest.raises(ValueError):
        preview_png(np.zeros(5))


# --------------------------------------------------------------- saving your own digits


def test_the_active_model_is_shown(tmp_path):
    pad = DrawingPad(FakePredictor())
    assert "digits-model" in pad.model_label._dom_classes
    assert "Model:" in pad.model_label.value and "given in code" in pad.model_label.value
    predictor = FakePredictor()
    predictor.path = tmp_path / "mnist_cnn_personal.keras"
    assert "mnist_cnn_personal.keras" in DrawingPad(predictor).model_label.value
    missing = DrawingPad(model=tmp_path / "missing.keras")
    assert "none loaded" in missing.model_label.value
    assert missing.message_text.startswith("No model to read digits with — no model at")


def test_a_missing_personal_model_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setitem(config.MODEL_NAMES, "personal", tmp_path / "personal.keras")
    pad = DrawingPad(model="personal")
    assert "python -m digitlib finetune" in pad.message_text
    assert pad.last_error is None


def test_save_a_confirmed_reading(tmp_path):
    from digitlib.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    pad = DrawingPad(FakePredictor(digits=[1, 7]), personal_folder=folder)
    one(pad, 100)
    one(pad, 400)
    pad.recognize()
    assert pad.label_choice.value == 1  # preset to the selected reading
    pad.previews.children[1].children[1].click()  # select the second digit
    assert pad.label_choice.value == 7
    pad.save_button.click()
    assert pad.message_text == f"Saved as 7 (1 example in {folder})"
    mine = PersonalDigits(folder)
    (example_id,) = mine.ids
    example = mine.example(example_id)
    assert example.label == 7 and example.image28.shape == (28, 28)
    left, top, right, bottom = pad.detections[1].box
    assert example.crop.shape == (bottom - top, right - left) and example.crop.max() == 255
    assert pad.last_error is None


def test_save_a_corrected_label_and_show_the_count(tmp_path):
    from digitlib.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    pad = DrawingPad(FakePredictor(digits=[1]), personal_folder=folder)
    one(pad)
    pad.recognize()
    pad.label_choice.value = 4  # the model read 1; the user says 4
    assert pad.save() is not None
    pad.save_button.click()
    assert pad.message_text == f"Saved as 4 (2 examples in {folder})"
    assert PersonalDigits(folder).labels.tolist() == [4, 4]


def test_undo_save_removes_the_last_example(tmp_path):
    from digitlib.personal import PersonalDigits

    folder = tmp_path / "my_digits"
    pad = DrawingPad(FakePredictor(digits=[1]), personal_folder=folder)
    pad.undo_save_button.click()
    assert pad.message_text.startswith("Nothing to undo — no saved examples")
    one(pad)
    pad.recognize()
    first = pad.save(label=2)
    second = pad.save(label=3)
    pad.undo_save_button.click()
    assert PersonalDigits(folder).ids == [first] and second not in pad.message_text
    assert "1 left in" in pad.message_text
    assert pad.undo_save() == first and len(PersonalDigits(folder)) == 0
    assert pad.last_error is None


def test_save_with_nothing_recognised_writes_nothing(tmp_path):
    folder = tmp_path / "my_digits"
    pad = DrawingPad(FakePredictor(), personal_folder=folder)
    pad.save_button.click()
    assert pad.message_text.startswith("Nothing to save — draw a digit and press Recognize")
    one(pad)  # drawn but not read yet
    assert pad.save() is None
    pad.recognize()
    one(pad, 450)  # a new stroke makes the reading stale
    assert pad.save() is None and "Nothing to save" in pad.message_text
    assert not folder.exists() and pad.last_error is None


def test_a_bad_save_is_explained(tmp_path):
    (tmp_path / "my_digits").write_text("a file, not a folder")
    pad = DrawingPad(FakePredictor(digits=[1]), personal_folder=tmp_path / "my_digits")
    one(pad)
    pad.recognize()
    pad.save_button.click()
    assert pad.message_text.startswith("Not saved — ") and "is a file" in pad.message_text
    pad.personal_folder = tmp_path / "elsewhere"
    assert pad.save(label=12) is None and "digit 0-9" in pad.message_text
    assert not pad.personal_folder.exists() and pad.last_error is None


# --------------------------------------------------------------- with the real model

@pytest.fixture(scope="module")
def predictor():
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"no model at {config.DEFAULT_MODEL_PATH} (make model)")
    from digitlib.predict import Predictor

    return Predictor.load()


SHAPES = {
    1: lambda x: [[(x + 6, 55), (x, 225)]],
    7: lambda x: [[(x - 55, 60), (x + 55, 55), (x - 14, 225)]],
    0: lambda x: [[(x + 50 * np.sin(t), 140 - 85 * np.cos(t))
                   for t in np.linspace(0, 2.1 * np.pi, 42)]],
}


def draw_digit(pad, digit, x):
    for points in SHAPES[digit](x):
        stroke(pad, points)


def test_the_real_model_reads_a_drawn_seven(predictor):
    pad = DrawingPad(predictor)
    draw_digit(pad, 7, 280)
    (detection,) = pad.recognize()
    assert detection.digit == 7
    assert pad.message_text.startswith("Read: 7")
    (item,) = pad.overlay_items
    left, top, right, bottom = item.box
    assert left < 280 < right and top < 140 < bottom
    assert item.label.startswith("7")


def test_the_real_model_reads_three_digits_in_order(predictor):
    pad = DrawingPad(predictor, live=True)
    for digit, x in [(1, 95), (7, 280), (0, 465)]:
        draw_digit(pad, digit, x)
    assert [d.digit for d in pad.detections] == [1, 7, 0]
    assert [item.label[0] for item in pad.overlay_items] == ["1", "7", "0"]
    centres = [(item.box[0] + item.box[2]) / 2 for item in pad.overlay_items]
    assert centres == sorted(centres) and len(pad.previews.children) == 3


def test_the_real_model_on_a_blank_pad(predictor):
    pad = DrawingPad(predictor)
    assert pad.recognize() == [] and pad.message_text == MESSAGE_BLANK
    assert predictor.predict_digits(pad.drawing.to_image()) == []
