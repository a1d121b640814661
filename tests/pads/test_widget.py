"""digitlib.pads.widget: the notebook pad as a view of a PadSession, driven headless through its
mouse/touch handlers and buttons.

What the pad *does* (messages, staleness, saving) is tested once, in tests/pads/test_session.py;
these tests check the ipywidgets/ipycanvas side: events reach the session, and the session's
state reaches the canvas layers and the widgets.
"""

import errno
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from ipycanvas.canvas import _CMD_LIST
from PIL import Image, ImageDraw

from digitlib import config
from digitlib.pads import display, session, widget
from digitlib.pads.widget import PREVIEW_SIZE, DrawingPad
from tests.fakes import FakePredictor


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
    assert pad.message_text == session.START


def test_the_pad_uses_no_private_ipycanvas_names():
    source = Path(widget.__file__).read_text()
    assert not re.search(r"ipycanvas\S*\._|_CANVAS_MANAGER|_caching", source)


def test_mouse_events_reach_the_session_and_draw_ink(sent):
    pad = DrawingPad(FakePredictor())
    pad._on_mouse_move(5, 5)  # pen up: nothing happens
    assert pad.drawing.is_empty
    stroke(pad, [(10, 20), (30, 40), (50, 60)])
    assert pad.drawing.strokes[0].points == [(10, 20), (30, 40), (50, 60)]
    assert not pad.drawing.in_stroke
    ink = [(name, args) for layer, name, args in sent if layer is pad.canvas[1]]
    assert ("fillCircle", [10, 20, pad.drawing.brush / 2]) in ink
    assert ("strokeLine", [30, 40, 50, 60]) in ink
    assert pad.message_text == session.STROKES_DRAWN.format(count=1, s="")
    assert "press Recognize" in pad.message.value


def test_events_arrive_through_ipycanvas_dispatch():
    """The handlers are wired to the layer that receives the browser's events."""
    pad = DrawingPad(FakePredictor())
    top = pad.canvas._canvases[-1]
    for event, x, y in [("mouse_down", 100, 50), ("mouse_move", 110, 150), ("mouse_up", 110, 200)]:
        top._handle_frontend_event(None, {"event": event, "x": x, "y": y}, [])
    assert pad.drawing.strokes[0].points == [(100, 50), (110, 150), (110, 200)]
    top._handle_frontend_event(None, {"event": "mouse_down", "x": 300, "y": 50}, [])
    top._handle_frontend_event(None, {"event": "mouse_out", "x": 600, "y": 50}, [])
    top._handle_frontend_event(None, {"event": "mouse_move", "x": 310, "y": 90}, [])
    assert pad.drawing.strokes[1].points == [(300, 50)]  # leaving the pad ended the stroke
    top._handle_frontend_event(None, {"event": "touch_start", "touches": [{"x": 200, "y": 60}]}, [])
    top._handle_frontend_event(None, {"event": "touch_move", "touches": [{"x": 200, "y": 160}]}, [])
    top._handle_frontend_event(None, {"event": "touch_end", "touches": []}, [])
    assert pad.drawing.strokes[2].points == [(200, 60), (200, 160)]
    top._handle_frontend_event(None, {"event": "client_ready"}, [])  # a new view: redrawn
    assert pad.last_error is None


def test_recognize_draws_the_sessions_boxes_and_labels_as_display_says(sent):
    predictor = FakePredictor(digits=[1, 7], confidences=[0.97, 0.55])
    pad = DrawingPad(predictor)
    one(pad, 100)
    one(pad, 400)
    sent.clear()
    pad.recognize_button.click()
    detections = pad.detections
    assert [d.digit for d in detections] == [1, 7]
    assert pad.message_text == pad.session.message.text and pad.message_text.startswith(
        "Read: 1 7  (97%, 55% unsure)")
    assert f"color:{display.UNSURE_COLOUR}" in pad.message.value  # a warning: one is unsure
    overlay = [(name, args) for layer, name, args in sent if layer is pad.canvas[2]]
    left, top, right, bottom = detections[1].box
    assert ("strokeRect", [left, top, right - left, bottom - top]) in [
        (name, [*map(float, args)]) for name, args in overlay if name == "strokeRect"]
    assert [args[0] for name, args in overlay if name == "fillText"] == ["1 97%", "7? 55%"]
    assert ("setLineDash", [list(display.UNSURE_DASH)]) in overlay  # the unsure box is dashed
    assert [item.colour for item in pad.overlay_items] == [display.SURE_COLOUR,
                                                           display.UNSURE_COLOUR]


def test_previews_show_what_the_model_saw_and_a_click_selects_one():
    pad = DrawingPad(FakePredictor(digits=[1, 7, 0]))
    for x in (90, 280, 470):
        one(pad, x)
    pad.recognize()
    assert len(pad.previews.children) == 3
    picture = Image.open(io.BytesIO(pad.previews.children[0].children[0].value))
    assert picture.size == (PREVIEW_SIZE, PREVIEW_SIZE)
    assert pad.selected == 0 and "read as 1, 97%" in pad.chart.value
    pad.previews.children[2].children[1].click()  # the button under the third preview
    assert pad.selected == 2 and "read as 0, 97%" in pad.chart.value
    assert pad.chart.value.count("<tr>") == 10 and pad.label_choice.value == 0
    assert pad.previews.children[2].children[1].button_style == "info"
    assert [item.selected for item in pad.overlay_items] == [False, False, True]


def test_callback_errors_are_shown_not_lost_and_the_canvas_still_draws(sent):
    pad = DrawingPad(FakePredictor(error=RuntimeError("model exploded")))
    one(pad)
    pad.recognize_button.click()  # through the guarded callback, as in the browser
    assert pad.last_error == "RuntimeError: model exploded"
    assert pad.message_text == session.SOMETHING_WRONG.format(error=pad.last_error)
    shown = "".join(output.get("text", "") for output in pad.errors.outputs)
    assert "Traceback" in shown and "model exploded" in shown
    sent.clear()
    one(pad, 100)  # drawing goes on: no canvas command is held back
    assert any(name == "strokeLine" for _, name, _ in sent)


def test_a_missing_model_is_explained_not_a_crash(tmp_path):
    pad = DrawingPad(model=tmp_path / "missing.keras")
    assert pad.message_text.startswith("No model to read digits with — no model at")
    assert "not loaded" in pad.model_label.value
    one(pad)
    assert pad.recognize() == [] and pad.message_text.startswith("No model to read digits")
    assert pad.last_error is None and pad.errors.outputs == ()


def test_live_mode_reads_at_the_end_of_each_stroke():
    predictor = FakePredictor(digits=[1, 1])
    pad = DrawingPad(predictor, live=True)
    one(pad, 100)
    assert len(predictor.images) == 1 and len(pad.overlay_items) == 1
    one(pad, 400)
    assert len(predictor.images) == 2 and len(pad.overlay_items) == 2
    pad.undo()
    assert len(predictor.images) == 3 and len(pad.overlay_items) == 1
    pad.live_box.value = False
    one(pad, 400)
    assert len(predictor.images) == 3 and pad.overlay_items == []
    pad.live = True  # ticking Live reads what is there
    assert len(predictor.images) == 4 and len(pad.overlay_items) == 2


def test_unticking_live_mid_stroke_takes_the_stale_boxes_off_the_pad(sent):
    pad = DrawingPad(FakePredictor(digits=[1, 1]), live=True)
    one(pad, 100)
    pad._on_mouse_down(400, 60)  # a new stroke: live mode keeps the old boxes for now
    assert len(pad.overlay_items) == 1
    sent.clear()
    pad.live_box.value = False
    assert pad.overlay_items == []
    drawn = [name for layer, name, _ in sent if layer is pad._overlay]
    assert "clear" in drawn and "strokeRect" not in drawn  # the overlay wiped, no box again


def test_undo_clear_and_brush_buttons():
    pad = DrawingPad(FakePredictor())
    pad.brush_slider.value = 30
    one(pad, 100)
    one(pad, 400)
    assert [s.width for s in pad.drawing.strokes] == [30, 30]
    pad.recognize()
    pad.undo_button.click()
    assert len(pad.drawing.strokes) == 1 and pad.overlay_items == []  # results went stale
    assert pad.previews.children == () and pad.chart.value == ""
    pad.clear_button.click()
    assert pad.drawing.is_empty and pad.message_text == session.START


def _png(size=(200, 100), mode="RGB", background="white", ink="black"):
    picture = Image.new(mode, size, background)
    ImageDraw.Draw(picture).line((50, 20, 50, 80), fill=ink, width=8)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _upload(pad, name, data):
    pad.upload.value = ({"name": name, "type": "image/png", "size": len(data),
                         "content": memoryview(data), "last_modified": datetime.now(UTC)},)


def test_an_upload_goes_through_the_session_and_is_boxed_in_canvas_pixels(sent):
    predictor = FakePredictor(digits=[1])
    pad = DrawingPad(predictor)
    _upload(pad, "one.png", _png())
    assert predictor.images[-1].size == (200, 100)
    assert pad.message_text.startswith("Read: 1")
    assert any(name == "putImageData" for layer, name, _ in sent if layer is pad.canvas[0])
    (item,) = pad.overlay_items
    # a 200x100 picture is shown at 2.8x, centred: x from 0 to 560, y from 0 to 280
    (box,) = [d.box for d in pad.detections]
    assert item.box == pytest.approx(tuple(v * 2.8 for v in box))
    assert pad.upload.value == ()  # ready for the next upload
    pad._on_mouse_down(280, 60)  # drawing again puts the picture away, and says so
    assert pad.message_text == session.PICTURE_PUT_AWAY.format(name="one.png")
    assert display.UNSURE_COLOUR in pad.message.value  # a warning's colour
    pad._on_mouse_up(280, 220)
    assert pad.message_text.startswith("The picture you opened (one.png) was put away")
    pad.recognize()
    assert predictor.images[-1].size == (560, 280)
    assert pad.message_text.endswith(session.PUT_AWAY.format(name="one.png"))


def test_an_upload_that_is_not_an_image_is_explained():
    pad = DrawingPad(FakePredictor())
    _upload(pad, "notes.txt", b"hello")
    assert pad.message_text.startswith("Could not open notes.txt as an image: ")
    assert pad.last_error is None and pad.errors.outputs == ()


def test_white_ink_on_a_transparent_upload_is_shown_dark_on_white():
    pad = DrawingPad(FakePredictor(digits=[1]))
    _upload(pad, "white.png", _png(mode="RGBA", background=(0, 0, 0, 0), ink="white"))
    shown = pad.session.picture_shown
    assert shown.getpixel((5, 5)) == 255 and shown.getpixel((50, 50)) == 0
    assert pad.message_text.startswith("Read: 1")


def test_the_active_model_is_shown(tmp_path):
    pad = DrawingPad(FakePredictor())
    assert "digits-model" in pad.model_label._dom_classes
    assert "Model: given in code" in pad.model_label.value
    predictor = FakePredictor()
    predictor.path = config.DEFAULT_MODEL_PATH
    assert "the committed model (mnist_cnn.keras)" in DrawingPad(predictor).model_label.value


# --------------------------------------------------------------- saving your own digits

def test_save_and_undo_save_through_the_buttons(tmp_path):
    from digitlib.datasets.personal import PersonalDigits

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
    pad.label_choice.value = 4  # the model read 7; the user says 4
    pad.save_button.click()
    assert PersonalDigits(folder).labels.tolist() == [7, 4]
    pad.undo_save_button.click()
    assert pad.message_text == f"Removed the last saved example (1 left in {folder})."
    assert PersonalDigits(folder).labels.tolist() == [7] and pad.last_error is None


def test_a_full_disk_says_could_not_save_without_a_traceback(tmp_path, monkeypatch):
    from digitlib.datasets.personal import PersonalDigits

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PersonalDigits, "save", full)
    pad = DrawingPad(FakePredictor(digits=[1]), personal_folder=tmp_path)
    one(pad)
    pad.recognize()
    pad.save_button.click()
    assert pad.message_text == f"could not save: disk full ({tmp_path})"
    assert f"color:{display.ERROR_COLOUR}" in pad.message.value
    assert pad.last_error is None and pad.errors.outputs == ()


# --------------------------------------------------------------- with the real model

SHAPES = {
    1: lambda x: [[(x + 6, 55), (x, 225)]],
    7: lambda x: [[(x - 55, 60), (x + 55, 55), (x - 14, 225)]],
    0: lambda x: [[(x + 50 * np.sin(t), 140 - 85 * np.cos(t))
                   for t in np.linspace(0, 2.1 * np.pi, 42)]],
}


def test_the_real_model_reads_three_digits_in_order(predictor):
    pad = DrawingPad(predictor, live=True)
    for digit, x in [(1, 95), (7, 280), (0, 465)]:
        for points in SHAPES[digit](x):
            stroke(pad, points)
    assert [d.digit for d in pad.detections] == [1, 7, 0]
    assert [item.label[0] for item in pad.overlay_items] == ["1", "7", "0"]
    centres = [(item.box[0] + item.box[2]) / 2 for item in pad.overlay_items]
    assert centres == sorted(centres) and len(pad.previews.children) == 3
    assert pad.message_text.startswith("Read: 1 7 0")


def test_why_shows_the_heat_map_over_the_preview_and_faintly_over_the_box(predictor, sent):
    pad = DrawingPad(predictor)
    for digit, x in [(1, 95), (7, 280)]:
        for points in SHAPES[digit](x):
            stroke(pad, points)
    pad.recognize()
    plain = [preview.children[0].value for preview in pad.previews.children]
    assert "digits-why" in pad.why_button._dom_classes and not pad.why_button.value
    sent.clear()
    pad.why_button.value = True  # the learner presses Why?
    why = pad.session.explanation
    assert why is not None and why.digit == pad.detections[0].digit
    assert pad.message_text == session.WHY_SHOWN.format(digit=why.digit, runner_up=why.runner_up)
    assert pad.previews.children[0].children[0].value == display.why_preview_png(why) != plain[0]
    assert pad.previews.children[1].children[0].value == plain[1]
    heat = [args for layer, name, args in sent if layer is pad.canvas[2] and name ==
            "putImageData"]
    (left, top), _ = display.why_box(why, pad.overlay_items[0].box)  # where display says
    assert len(heat) == 1 and [round(value) for value in heat[0][:2]] == [left, top]
    pad.previews.children[1].children[1].click()  # select the 7: explained in turn
    assert pad.session.explanation.digit == pad.detections[1].digit
    assert pad.previews.children[0].children[0].value == plain[0]
    assert pad.previews.children[1].children[0].value != plain[1]
    pad.why_button.value = False
    assert pad.session.explanation is None and pad.previews.children[1].children[0].value == (
        plain[1])
    assert pad.message_text.startswith("Read: 1 7")


def test_why_with_nothing_read_says_so_and_a_failure_turns_the_button_off():
    pad = DrawingPad(FakePredictor())
    pad.why_button.value = True
    assert pad.message_text == session.NOTHING_TO_EXPLAIN
    one(pad)
    pad.recognize()  # FakePredictor has no Keras model: explain refuses it, clearly
    assert pad.message_text.startswith("Could not explain this reading: expected a digitlib")
    assert not pad.why_button.value and pad.last_error is None


def test_an_uploaded_photo_is_shown_in_colour_with_its_boxes_on_its_digits(predictor, sent):
    from digitlib.datasets import mnist, synthetic_photos

    (_, _), (x_test, y_test) = mnist.load_mnist()
    photo = synthetic_photos.photo_of(x_test[[3, 2]], y_test[[3, 2]], np.random.default_rng(6),
                                      ruling="squared", size=(400, 240), digit_height=56,
                                      tilt=0.0)
    buffer = io.BytesIO()
    photo.image.convert("RGB").save(buffer, "JPEG", quality=90)
    pad = DrawingPad(predictor)
    sent.clear()
    _upload(pad, "sheet.jpg", buffer.getvalue())
    assert pad.session.picture_is_photo and pad.message_text.startswith(f"Read: {photo.label[0]}")
    (args,) = [args for layer, name, args in sent if layer is pad.canvas[0]
               and name == "putImageData"]
    scale, dx, dy = pad.session.placement
    assert [round(value) for value in args[:2]] == [dx, dy]
    for item, (left, top, right, bottom) in zip(pad.overlay_items, photo.boxes, strict=True):
        centre = ((item.box[0] + item.box[2]) / 2, (item.box[1] + item.box[3]) / 2)
        assert left * scale + dx <= centre[0] <= right * scale + dx
        assert top * scale + dy <= centre[1] <= bottom * scale + dy


def test_the_label_choice_empties_when_no_reading_is_selected():
    from digitlib.pads.widget import DrawingPad
    from tests.fakes import FakePredictor

    pad = DrawingPad(FakePredictor((4,), [0.98], gap=1))
    pad.session.pen_down(60, 40)
    pad.session.pen_move(60, 240)
    pad._end_stroke()
    pad.recognize()
    assert pad.label_choice.value == 4
    pad.clear()  # the reading goes: so does its label
    assert pad.label_choice.value is None and pad.session.label is None
