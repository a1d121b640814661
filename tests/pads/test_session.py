"""digitlib.pads.session: everything a drawing pad does, without a user interface.

Every message the user can see is checked here by the name it has in ``digitlib.pads.session``.
Most tests use the fake predictor of ``tests.fakes`` (a digit per run of inked columns); the
tests at the end read real image files of "274" with the real model. The jobs (load, read,
explain) are run here as a worker would: ``next_job``, ``job.run()``, then ``job_done``.
"""

import errno
import io
import json
import math
import struct
import sys
import types
import zlib

import numpy as np
import pytest
from PIL import Image

from digitlib import config
from digitlib.pads import display, session
from digitlib.pads.session import JobKind, Message, PadSession, Status
from digitlib.reading import images
from digitlib.reading.strokes import Drawing
from tests.fakes import FakePredictor, stroke


def one(pad, x=280):
    stroke(pad, [(x, 60), (x, 140), (x, 220)])


def read_pad(digits=(1, 7, 0), **options):
    pad = PadSession(FakePredictor(digits, **options))
    for x in (95, 280, 465)[:len(digits)]:
        one(pad, x)
    return pad, pad.recognize()


# ---------------------------------------------------------------------- strokes and edits

def test_a_new_pad_invites_drawing_and_a_loading_one_says_so():
    assert PadSession(FakePredictor()).message == Message(session.START)
    assert PadSession(model="committed").message == Message(session.LOADING)


def test_strokes_are_recorded_and_counted():
    pad = PadSession(FakePredictor())
    pad.pen_down(10, 20)
    assert pad.pen_move(30, 40) == (10.0, 20.0)
    assert pad.pen_up() and not pad.pen_up()  # a second pen-up finishes nothing
    assert pad.pen_move(50, 50) is None  # the pen is up
    assert pad.drawing.strokes[0].points == [(10.0, 20.0), (30.0, 40.0)]
    assert pad.message.text == session.STROKES_DRAWN.format(count=1, s="") == (
        "1 stroke drawn — press Recognize (or tick Live).")
    one(pad)
    assert pad.message.text.startswith("2 strokes drawn")


def test_undo_and_clear_say_what_happened():
    pad = PadSession(FakePredictor())
    assert not pad.undo() and pad.message == Message(session.NOTHING_TO_UNDO, "empty")
    one(pad, 95)
    one(pad, 280)
    assert pad.undo() and pad.message == Message(session.STROKE_REMOVED)
    assert pad.undo() and pad.message == Message(session.BLANK, "empty")
    one(pad)
    pad.recognize()
    pad.clear()
    assert pad.drawing.is_empty and pad.detections == [] and pad.selected is None
    assert pad.message == Message(session.START)


def test_the_brush_applies_to_new_strokes_and_is_validated():
    pad = PadSession(FakePredictor(), brush=10)
    one(pad, 95)
    pad.set_brush(30)
    one(pad, 280)
    assert [s.width for s in pad.drawing.strokes] == [10, 30]
    with pytest.raises(ValueError, match="brush size"):
        pad.set_brush(0)


# ------------------------------------------------------------------------------ reading

def test_a_blank_pad_says_so_without_calling_the_model():
    pad = PadSession(FakePredictor())
    assert pad.recognize() == [] and pad.predictor.images == []
    assert pad.message == Message(session.BLANK, "empty")


def test_recognize_reads_the_rasterised_strokes_in_order():
    pad, found = read_pad()
    assert [d.digit for d in found] == [1, 7, 0] and pad.is_read
    image = np.asarray(pad.predictor.images[0])
    assert image.shape == (280, 560) and image[140, 95] == 0 and image[140, 180] == 255
    assert pad.message == Message("Read: 1 7 0  (97%, 97%, 97%)", "result")
    assert pad.selected == 0 and pad.label == 1  # the first reading is selected


def test_what_the_predictor_left_out_is_said():
    """``predict_digits`` results carry ``warnings`` (e.g. ink left out): the pad says them."""
    from digitlib.reading.predict import Readings

    class Warning(FakePredictor):
        def predict_digits(self, image):
            return Readings(super().predict_digits(image),
                            warnings=["only the 500 largest pieces were read"])

    pad = PadSession(Warning(digits=[7]))
    stroke(pad, [(40, 40), (40, 200)])
    pad.recognize()
    note = session.WARNING_NOTE.format(warning="only the 500 largest pieces were read")
    assert pad.message == Message("Read: 7  (97%)" + note, "warning")
    pad.clear()
    assert pad.warnings == []


def test_unsure_readings_are_explained():
    pad, _ = read_pad((4,), confidences=[0.55])
    assert pad.message.kind == "warning"
    assert pad.message.text == "Read: 4  (55% unsure)" + session.UNSURE_ADVICE.format(which="it")
    pad, _ = read_pad((1, 7, 0), unsure={1, 2})
    assert pad.message.text.endswith(session.UNSURE_ADVICE.format(which="2 of them"))


def test_ink_that_looks_like_no_digit_is_said_so():
    """Marked for its ink (``predict.NOT_A_DIGIT``), not for a low %: "draw clearer" would be
    the wrong advice."""
    from digitlib.reading import predict

    class Doubting(FakePredictor):
        def predict_digits(self, image):
            found = super().predict_digits(image)
            for number in self.unsure:
                found[number].reason = predict.NO_DIGIT_MODEL
            return found

    pad = PadSession(Doubting(digits=(7,), confidences=[1.0], unsure={0}))
    one(pad)
    pad.recognize()
    assert pad.message == Message("Read: 7  (100% unsure)"
                                  + session.NOT_A_DIGIT_ADVICE.format(which="it does"), "warning")
    pad, _ = read_pad((1, 7, 0), confidences=[1.0], unsure={1, 2})
    assert pad.message.text.endswith(session.UNSURE_ADVICE.format(which="2 of them"))
    pad = PadSession(Doubting(digits=(1, 7, 0), confidences=[1.0], unsure={1, 2}))
    for x in (95, 280, 465):
        one(pad, x)
    pad.recognize()
    assert pad.message.text.endswith(
        session.NOT_A_DIGIT_ADVICE.format(which="2 of them do"))


def test_nothing_found_and_bad_input_are_explained():
    pad = PadSession(FakePredictor())
    one(pad)
    pad.predictor.predict_digits = lambda image: []  # ink, but no digit in it
    assert pad.recognize() == [] and pad.message == Message(session.NOTHING_FOUND, "empty")
    pad = PadSession(FakePredictor(error=ValueError("image of 9x9 pixels is too small")))
    one(pad)
    assert pad.recognize() == []
    assert pad.message == Message(session.CANNOT_READ.format(
        error="image of 9x9 pixels is too small"), "error")


def test_a_reading_of_a_changed_drawing_is_dropped_and_the_drawing_read_again():
    pad = PadSession(FakePredictor())
    one(pad, 95)
    assert pad.next_job() is None  # nothing asked for yet
    pad.ask_reading()
    job = pad.next_job()
    assert job.kind is JobKind.READ and job.version == pad.version
    assert pad.message == Message(session.READING) and pad.status is Status.READING
    assert pad.state()["status"] == "reading" and pad.next_job() is None  # one at a time
    result = job.run()  # what the worker does
    one(pad, 280)  # the drawing changes while the worker reads
    assert not pad.job_done(job, result)
    assert pad.detections == [] and not pad.is_read
    job = pad.next_job()  # still asked: what is on the pad now
    assert pad.job_done(job, job.run()) and pad.status is Status.READY
    assert len(pad.detections) == 2 and pad.is_read
    pad.ask_reading()
    assert pad.next_job() is None  # already read: nothing to do
    one(pad, 465)
    pad.ask_reading()
    job = pad.next_job()
    one(pad, 540)
    assert pad.job_failed(job, ValueError("old"))  # a stale failure changes nothing ...
    assert pad.message.text == session.STROKES_DRAWN.format(count=4, s="s")
    assert pad.next_job() is None  # ... and is not read again unasked


def test_a_job_is_given_back_once():
    pad = PadSession(FakePredictor())
    one(pad)
    pad.ask_reading()
    job = pad.next_job()
    pad.job_done(job, job.run())
    with pytest.raises(ValueError, match="not the one handed out"):
        pad.job_done(job, [])


def test_a_bug_in_a_job_is_said_as_one_and_not_run_again():
    pad = PadSession(FakePredictor(error=RuntimeError("model exploded")))
    one(pad)
    pad.ask_reading()
    job = pad.next_job()
    with pytest.raises(RuntimeError) as error:
        job.run()
    assert not pad.job_failed(job, error.value)  # not an expected error: show the details
    assert pad.message == Message(session.SOMETHING_WRONG.format(
        error="RuntimeError: model exploded"), "error")
    assert pad.is_read and pad.detections == [] and pad.next_job() is None
    one(pad, 95)
    with pytest.raises(RuntimeError, match="model exploded"):
        pad.recognize()  # run_jobs raises it once it is said
    assert pad.message.kind == "error" and pad.job is None


def test_live_mode_wants_a_reading_after_each_stroke_and_keeps_the_last_boxes():
    pad = PadSession(FakePredictor(), live=True)
    pad.pen_down(95, 60)
    assert not pad.wants_reading  # not while the pen is down
    pad.pen_move(95, 220)
    pad.pen_up()
    assert pad.wants_reading
    pad.recognize()
    pad.pen_down(280, 60)
    assert len(pad.detections) == 1 and not pad.is_read  # shown until the next reading
    pad.pen_up()
    pad.recognize()
    assert len(pad.detections) == 2
    pad.set_live(False)
    one(pad, 465)
    assert pad.detections == [] and not pad.wants_reading
    pad.set_live(True)  # turning live on asks for a reading
    assert pad.wants_reading and pad.next_job().kind is JobKind.READ


# ----------------------------------------------------------------------------- the model

def test_the_active_model_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv(config.MODEL_VARIABLE, raising=False)
    pad = PadSession(model="committed")
    assert pad.model_text == (f"Model: {config.describe_model(config.DEFAULT_MODEL_PATH)}"
                              " — loading")
    model = tmp_path / "mine.keras"
    monkeypatch.setenv(config.MODEL_VARIABLE, str(model))
    assert PadSession().model_path == model
    assert PadSession(FakePredictor()).model_text == "Model: given in code"
    predictor = FakePredictor()
    predictor.path = config.DEFAULT_MODEL_PATH
    assert PadSession(predictor).model_text == "Model: the committed model (mnist_cnn.keras)"


def test_a_missing_model_is_explained_and_reading_says_so(tmp_path):
    pad = PadSession(model=tmp_path / "missing.keras")
    one(pad)
    assert pad.recognize() == [] and pad.predictor is None
    assert pad.message.kind == "error" and pad.model_status == "error"
    assert pad.message.text.startswith("No model to read digits with — no model at ")
    assert "make model" in pad.message.text and pad.model_text.endswith("— not loaded")
    assert pad.state()["status"] == "error"


def test_a_model_error_without_a_hint_gets_one():
    pad = PadSession(model="committed")
    pad.model_failed(ValueError("the model outputs shape (None, 3), not (None, 10)"))
    assert pad.message == Message(session.NO_MODEL.format(
        error="the model outputs shape (None, 3), not (None, 10). " + session.MODEL_HINT),
        "error")


def test_a_missing_personal_model_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setitem(config.MODEL_NAMES, "personal", tmp_path / "personal.keras")
    pad = PadSession(model="personal")
    assert pad.load_model() is None and "digitlib finetune" in pad.message.text


def test_the_model_is_loaded_first_and_reading_waits_for_it():
    pad = PadSession(model="committed")
    one(pad)
    load = pad.next_job()
    assert load.kind is JobKind.LOAD and pad.status is Status.LOADING
    pad.ask_reading()  # Recognize pressed while the model loads
    assert pad.message == Message(session.WAITING_FOR_MODEL) and pad.next_job() is None
    assert pad.job_done(load, FakePredictor()) and pad.status is Status.READY
    read = pad.next_job()  # read without Recognize being pressed again
    assert read.kind is JobKind.READ and pad.message == Message(session.READING)


def test_a_model_that_fails_to_load_is_said_once_and_not_loaded_again(tmp_path):
    pad = PadSession(model=tmp_path / "missing.keras")
    load = pad.next_job()
    with pytest.raises(FileNotFoundError) as error:
        load.run()
    assert pad.job_failed(load, error.value) and pad.status is Status.ERROR
    assert pad.next_job() is None
    one(pad)
    pad.ask_reading()
    assert pad.message.text.startswith("No model to read digits with") and pad.next_job() is None


def test_the_model_is_named_while_a_worker_is_still_importing_keras(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", types.ModuleType("keras"))  # no Model yet
    pad = PadSession(model="committed")
    assert pad.model_text.endswith("(mnist_cnn.keras) — loading")


def test_the_model_may_be_a_name_a_path_a_keras_model_or_a_predictor(tmp_path):
    from digitlib.reading.predict import Predictor
    from tests.helpers import tiny_model

    assert PadSession(model="mine").model_path == config.model_path("mine")
    assert PadSession(model=tmp_path / "m.keras").model_path == tmp_path / "m.keras"
    network = tiny_model()
    pad = PadSession(model=network)
    assert pad.model_text == "Model: given in code — loading" and pad.predictor is None
    load = pad.next_job()
    pad.job_done(load, load.run())
    assert isinstance(pad.predictor, Predictor) and pad.predictor.model is network
    assert pad.model_text == "Model: given in code"
    with pytest.raises(TypeError, match="a loaded Keras model or a Predictor, got int"):
        PadSession(model=7)
    with pytest.raises(ValueError, match="empty string"):
        PadSession(model="  ")


def test_a_loaded_model_replaces_the_loading_message():
    pad = PadSession(model="committed")
    pad.model_ready(FakePredictor())
    assert pad.message == Message(session.START) and pad.state()["status"] == "ready"


# ------------------------------------------------------------------- selection and saving

def test_select_sets_the_label_and_refuses_a_missing_digit():
    pad, _ = read_pad()
    pad.select(2)
    assert (pad.selected, pad.label) == (2, 0)
    with pytest.raises(IndexError, match="no digit #4"):
        pad.select(3)
    pad.set_label(" 8 ")
    assert pad.label == 8


def test_save_and_undo_save(tmp_path):
    pad, _ = read_pad()
    pad.personal_folder = tmp_path / "mine"
    pad.select(1)
    example_id = pad.save()
    folder = str(tmp_path / "mine")
    assert example_id and pad.message == Message(
        session.SAVED.format(label=7, count=1, s="", folder=folder), "result")
    pad.set_label(2)
    pad.save()
    assert pad.message.text == f"Saved as 2 (2 examples in {folder})"
    from digitlib.datasets.personal import PersonalDigits

    assert PersonalDigits(folder).labels.tolist() == [7, 2]
    left, top, right, bottom = pad.detections[1].box
    crop = PersonalDigits(folder).example(example_id).crop
    assert crop.shape == (bottom - top, right - left)  # the selected digit, cut from the pad
    assert bottom - top > 160 and crop.max() == 255

    assert pad.undo_save() and pad.message == Message(
        session.UNSAVED_REMOVED.format(count=1, folder=folder))
    pad.undo_save()
    assert pad.undo_save() is None
    assert pad.message == Message(session.NOTHING_SAVED.format(folder=folder), "empty")


def test_the_project_folder_is_named_relative_to_the_project():
    pad = PadSession(FakePredictor())
    assert pad._folder_text(config.PERSONAL_DATA_DIR) == "data/my_digits"


def test_nothing_is_saved_without_a_fresh_reading(tmp_path):
    pad = PadSession(FakePredictor(), personal_folder=tmp_path / "mine")
    assert pad.save() is None and pad.message == Message(session.NOTHING_TO_SAVE, "empty")
    one(pad)
    pad.recognize()
    one(pad, 95)  # the reading is stale now
    assert pad.save(label=1) is None and pad.message.text == session.NOTHING_TO_SAVE
    assert not (tmp_path / "mine").exists()


def test_a_bad_label_or_store_is_explained(tmp_path):
    pad, _ = read_pad()
    pad.personal_folder = tmp_path / "mine"
    assert pad.save(label=12) is None
    assert pad.message.kind == "error"
    assert pad.message.text.startswith(session.NOT_SAVED.format(error=""))
    assert "0-9" in pad.message.text
    (tmp_path / "file").write_text("a file, not a folder")
    pad.personal_folder = tmp_path / "file"
    assert pad.save() is None and pad.message.text.startswith("Not saved — ")
    assert pad.undo_save() is None
    assert pad.message.text.startswith(session.COULD_NOT_UNDO_SAVE.format(error=""))


@pytest.mark.parametrize(("number", "reason"), [
    (errno.ENOSPC, session.DISK_FULL), (errno.EROFS, session.READ_ONLY),
    (errno.EACCES, session.READ_ONLY),
])
def test_a_full_or_read_only_disk_says_could_not_save(tmp_path, monkeypatch, number, reason):
    from digitlib.datasets.personal import PersonalDigits

    def fail(self, *args, **kwargs):
        raise OSError(number, "the disk says no", str(self.folder / "x.npz"))

    monkeypatch.setattr(PersonalDigits, "save", fail)
    pad, _ = read_pad()
    pad.personal_folder = tmp_path
    assert pad.save() is None
    assert pad.message == Message(session.COULD_NOT_SAVE.format(
        reason=reason.format(folder=str(tmp_path))), "error")
    assert pad.message.text.startswith("could not save: ")


def test_any_other_os_error_on_save_is_one_line_too(tmp_path, monkeypatch):
    from digitlib.datasets.personal import PersonalDigits

    monkeypatch.setattr(PersonalDigits, "save", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.EIO, "Input/output error")))
    pad, _ = read_pad()
    pad.personal_folder = tmp_path
    pad.save()
    assert pad.message.text == f"could not save: Input/output error ({tmp_path})"


def test_a_store_that_says_could_not_save_is_shown_as_it_says(tmp_path, monkeypatch):
    from digitlib.datasets.personal import PersonalDigits

    class StoreFull(ValueError):  # what PersonalDigits.save raises once it catches OSError
        pass

    def fail(self, *args, **kwargs):
        raise StoreFull("could not save: disk full (data/my_digits)")

    monkeypatch.setattr(PersonalDigits, "save", fail)
    pad, _ = read_pad()
    pad.personal_folder = tmp_path
    assert pad.save() is None
    assert pad.message == Message("could not save: disk full (data/my_digits)", "error")


def test_an_unexpected_error_is_one_line():
    pad = PadSession(FakePredictor())
    assert pad.failure(KeyError("x")) == "KeyError: 'x'"
    assert pad.message == Message(session.SOMETHING_WRONG.format(error="KeyError: 'x'"), "error")


def test_every_message_is_checked_here():
    """Each message constant of digitlib.pads.session appears in an assertion of this module."""
    from pathlib import Path

    source = Path(__file__).read_text()
    messages = [name for name, value in vars(session).items()
                if name.isupper() and isinstance(value, str) and not name.startswith("PAD")]
    assert len(messages) >= 25
    assert [name for name in messages if f"session.{name}" not in source] == []


def test_the_desktop_apps_words_when_it_cannot_start_say_what_to_do():
    missing = session.TKINTER_MISSING.format(python="/usr/bin/python3")
    assert "python3-tk" in missing and "needs no Tk" in missing
    assert "Xvfb" in session.NO_DISPLAY.format(error="no display name")


def test_every_message_kind_has_a_colour_entry():
    assert set(session.MESSAGE_KINDS) == set(display.MESSAGE_COLOURS)


# ------------------------------------------------------------------------------- pictures

def test_an_opened_picture_replaces_the_strokes_and_is_read_in_its_own_pixels():
    pad = PadSession(FakePredictor(digits=[4, 2]))
    one(pad)
    picture = Image.new("L", (200, 100), 255)
    picture.paste(0, (20, 20, 40, 80))
    picture.paste(0, (150, 20, 170, 80))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    assert pad.load_image(buffer.getvalue(), name="two.png")
    assert pad.drawing.is_empty and pad.message == Message(
        session.PICTURE_OPENED.format(name="two.png"))
    assert pad.placement == (2.8, 0, 0)  # 200x100 fills the 560x280 pad
    assert [d.digit for d in pad.recognize()] == [4, 2]
    assert pad.predictor.images[-1].size == (200, 100)
    assert [b.box for b in display.boxes(pad.detections, None, pad.placement)][0] == (
        pytest.approx(56.0), pytest.approx(56.0), pytest.approx(112.0), pytest.approx(224.0))
    assert pad.state()["picture"] == "two.png"
    pad.pen_down(10, 10)  # drawing again replaces the picture
    assert pad.picture is None and len(pad.drawing.strokes) == 1


def _picture_read(pad, name="two.png"):
    picture = Image.new("L", (200, 100), 255)
    picture.paste(0, (20, 20, 40, 80))
    assert pad.load_image(picture, name=name)
    pad.recognize()


def test_drawing_on_an_opened_picture_says_the_picture_was_put_away():
    pad = PadSession(FakePredictor(digits=[4, 2]))
    _picture_read(pad)
    pad.pen_down(280, 60)
    assert pad.picture is None
    put_away = session.PICTURE_PUT_AWAY.format(name="two.png")
    assert pad.message == Message(put_away, "warning") == Message(
        "The picture you opened (two.png) was put away: reading your drawing.", "warning")
    pad.pen_move(280, 220)
    assert pad.pen_up()  # said again when the stroke ends, with what to do next
    assert pad.message == Message(
        put_away + " " + session.STROKES_DRAWN.format(count=1, s=""), "warning")
    one(pad, 95)
    assert pad.message.text.startswith(put_away) and "2 strokes drawn" in pad.message.text
    pad.recognize()  # and as a note on the drawing's first reading, once
    note = session.WARNING_NOTE.format(warning=session.PUT_AWAY.format(name="two.png"))
    assert pad.message == Message("Read: 4 2  (97%, 97%)" + note, "warning")
    assert note == " — note: the picture you opened (two.png) was put away"
    one(pad, 465)
    assert pad.message == Message(session.STROKES_DRAWN.format(count=3, s="s"))
    pad.recognize()
    assert "put away" not in pad.message.text


def test_in_live_mode_the_reading_of_the_drawing_says_the_picture_was_put_away():
    pad = PadSession(FakePredictor(digits=[4, 2]), live=True)
    _picture_read(pad, "four.png")
    pad.pen_down(280, 60)
    assert pad.message.text == session.PICTURE_PUT_AWAY.format(name="four.png")
    pad.pen_move(280, 220)
    assert pad.pen_up() and pad.message.text.startswith("The picture you opened (four.png)")
    assert pad.wants_reading
    pad.recognize()
    assert pad.message.text.endswith("the picture you opened (four.png) was put away")


@pytest.mark.parametrize("then", ["clear", "undo"])
def test_a_put_away_picture_is_forgotten_once_the_pad_starts_afresh(then):
    pad = PadSession(FakePredictor(digits=[4, 2]))
    _picture_read(pad)
    one(pad)
    if then == "clear":
        pad.clear()
    else:
        assert pad.undo() and pad.message == Message(session.BLANK, "empty")
    one(pad)
    assert pad.message == Message(session.STROKES_DRAWN.format(count=1, s=""))
    pad.recognize()
    assert "put away" not in pad.message.text


def test_only_the_picture_last_opened_is_named_as_put_away():
    pad = PadSession(FakePredictor(digits=[4, 2]))
    _picture_read(pad)
    one(pad)
    _picture_read(pad, "other.png")
    one(pad)
    assert pad.message.text.startswith(session.PICTURE_PUT_AWAY.format(name="other.png"))
    pad.recognize()
    assert pad.message.text.endswith(session.PUT_AWAY.format(name="other.png"))
    assert "two.png" not in pad.message.text


def test_drawing_on_an_empty_pad_says_nothing_of_pictures():
    pad = PadSession(FakePredictor())
    pad.pen_down(10, 10)
    assert pad.message == Message(session.START)


def test_a_picture_can_be_a_path_or_a_pil_image(tmp_path):
    path = tmp_path / "digit.png"
    Image.new("L", (50, 50), 255).save(path)
    pad = PadSession(FakePredictor())
    assert pad.load_image(path) and pad.picture_name == "digit.png"
    assert pad.load_image(Image.new("L", (50, 50), 255))
    assert pad.picture_name == "the image"


def test_a_file_that_is_not_an_image_is_explained():
    pad = PadSession(FakePredictor())
    one(pad)
    assert not pad.load_image(b"not an image", name="notes.txt")
    assert pad.message == Message(session.NOT_AN_IMAGE.format(
        name="notes.txt", error="the image is not an image file Pillow can read"), "error")
    assert len(pad.drawing.strokes) == 1  # what was drawn stays


# -------------------------------------------- real files, read like the library reads them

# "274" as strokes in a 100 x 200 box each (the shapes of the Xvfb end-to-end test).
def _arc(cx, cy, rx, ry, start, end, count):
    angles = [math.radians(start + (end - start) * i / count) for i in range(count + 1)]
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


DIGIT_STROKES = {
    2: [_arc(50, 55, 45, 50, -170, 30, 16) + [(0, 200), (100, 195)]],
    7: [[(0, 8), (95, 0), (35, 200)]],
    4: [[(20, 0), (5, 125), (100, 125)], [(75, 30), (75, 200)]],
}


def ink_274() -> np.ndarray:
    """Ink (1 = ink) of "274" written with the pad's rasteriser, 400 x 240 pixels."""
    drawing = Drawing(400, 240, brush=16)
    for index, digit in enumerate((2, 7, 4)):
        for points in DIGIT_STROKES[digit]:
            drawing.start(40 + index * 120 + 0.7 * points[0][0], 25 + 0.95 * points[0][1])
            for x, y in points[1:]:
                drawing.extend(40 + index * 120 + 0.7 * x, 25 + 0.95 * y)
            drawing.end()
    return 1 - np.asarray(drawing.to_image(), dtype=np.float64) / 255


def _bytes(image, kind, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def files_274() -> dict[str, bytes]:
    ink = ink_274()
    white_ink = np.zeros((*ink.shape, 4), np.uint8)
    white_ink[..., :3] = 255
    white_ink[..., 3] = np.round(255 * ink)
    return {
        # a 16-bit scan: ink at 2000, paper at 60000 (Pillow's own 8-bit conversion clips both)
        "16-bit PNG": _bytes(Image.fromarray(np.round(2000 + 58000 * (1 - ink)).astype(np.uint16)),
                             "PNG"),
        "float TIFF": _bytes(Image.fromarray((1 - ink).astype(np.float32), "F"), "TIFF"),
        "white ink on transparent PNG": _bytes(Image.fromarray(white_ink, "RGBA"), "PNG"),
        "8-bit JPEG": _bytes(Image.fromarray(np.round(255 * (1 - ink)).astype(np.uint8)),
                             "JPEG", quality=90),
    }


@pytest.mark.parametrize("kind", list(files_274()))
def test_an_upload_is_read_exactly_as_the_library_reads_the_file(predictor, tmp_path, kind):
    data = files_274()[kind]
    path = tmp_path / "upload"
    path.write_bytes(data)
    pad = PadSession(predictor)
    assert pad.load_image(data, name=kind), pad.message
    found = pad.recognize()
    library = predictor.predict_digits(path)
    assert [d.digit for d in found] == [d.digit for d in library] == [2, 7, 4], pad.message
    assert [d.box for d in found] == [d.box for d in library]
    assert np.array_equal(images.to_ink(pad.picture), images.to_ink(path))
    assert pad.message.text.startswith("Read: 2 7 4")


def test_a_tiff_holding_nan_is_refused_as_the_library_refuses_it(tmp_path):
    values = (1 - ink_274()).astype(np.float32)
    values[5, 5] = np.nan
    data = _bytes(Image.fromarray(values, "F"), "TIFF")
    (tmp_path / "nan.tif").write_bytes(data)
    with pytest.raises(images.ImageError) as library:
        images.to_ink(tmp_path / "nan.tif")
    pad = PadSession(FakePredictor())
    assert not pad.load_image(data, name="nan.tif")
    assert pad.message == Message(session.NOT_AN_IMAGE.format(name="nan.tif",
                                                              error=library.value), "error")
    assert "NaN" in pad.message.text and pad.predictor.images == []


def test_a_decompression_bomb_is_refused_before_decoding():
    # A PNG whose header says 20000 x 20000 pixels (400 megapixels, beyond Pillow's own bomb
    # limit) in a file of a few hundred bytes: it must be refused before anything is decoded.
    data = bytearray(_bytes(Image.new("L", (100, 100), 255), "PNG"))
    header = data[12:29]  # b"IHDR", width, height, depth, colour, ...
    header[4:12] = struct.pack(">II", 20_000, 20_000)
    data[12:33] = header + struct.pack(">I", zlib.crc32(header))
    data = bytes(data)
    with pytest.raises(images.ImageError) as library:
        images.to_ink(data)
    pad = PadSession(FakePredictor())
    assert not pad.load_image(data, name="bomb.png")
    assert pad.message == Message(session.NOT_AN_IMAGE.format(name="bomb.png",
                                                              error=library.value), "error")
    assert "too large" in pad.message.text


# ---------------------------------------------------------------------------------- Why?

class FakeExplainer:
    """Stands in for ``explain.explain``: records what it was asked; raises ``error``."""

    def __init__(self, error=None):
        self.calls, self.error = [], error

    def __call__(self, detection, predictor):
        self.calls.append(detection)
        if self.error is not None:
            raise self.error
        return types.SimpleNamespace(digit=detection.digit, runner_up=(detection.digit + 1) % 10)


def why_pad(**options):
    pad, _ = read_pad(**options)
    pad.explainer = FakeExplainer()
    return pad


def test_why_explains_the_selected_reading_once_and_names_both_digits():
    pad = why_pad()
    assert pad.explanation is None and not pad.wants_explanation  # Why? is off
    pad.set_why(True)
    assert pad.wants_explanation
    pad.run_jobs()
    why = pad.explanation
    assert why is not None and pad.explainer.calls == [pad.detections[0]]
    assert pad.message == Message(session.WHY_SHOWN.format(digit=1, runner_up=2), "result")
    assert pad.message.text == ("Why 1? Orange pixels pushed the model towards 1, blue ones "
                                "towards 2 (its runner-up).")
    pad.run_jobs()
    assert pad.explanation is why and len(pad.explainer.calls) == 1  # kept
    pad.select(1)
    assert pad.explanation is None and pad.wants_explanation
    pad.run_jobs()
    assert pad.explanation.digit == 7 and len(pad.explainer.calls) == 2
    pad.select(0)  # back to the first: its explanation was kept, and is said again
    assert pad.explanation is why and len(pad.explainer.calls) == 2
    assert pad.message.text.startswith("Why 1?")
    assert pad.state()["why"] and pad.state()["explained"]
    assert json.loads(json.dumps(pad.state()))["status"] == "ready"  # the Status, as text
    pad.set_why(False)
    assert pad.explanation is None and not pad.wants_explanation
    assert pad.message.text.startswith("Read: 1 7 0")


def test_why_with_nothing_read_says_what_to_do():
    pad = PadSession(FakePredictor())
    pad.explainer = FakeExplainer()
    pad.set_why(True)
    assert pad.message == Message(session.NOTHING_TO_EXPLAIN, "empty")
    one(pad)
    pad.run_jobs()
    assert pad.explanation is None and pad.explainer.calls == []  # not read yet
    pad.recognize()
    assert pad.explanation is not None  # Why? stayed on: the reading is explained with it


def test_an_explanation_goes_as_soon_as_its_reading_is_stale():
    pad = why_pad()
    pad.set_why(True)
    pad.run_jobs()
    one(pad, 540)
    assert pad.explanation is None and not pad.wants_explanation  # not read yet
    pad.ask_reading()
    read = pad.next_job()
    pad.job_done(read, read.run())
    assert pad.wants_explanation  # Why? is still on: the new reading wants explaining
    explain = pad.next_job()
    assert explain.kind is JobKind.EXPLAIN and pad.job_done(explain, explain.run())
    assert pad.explanation is not None and len(pad.explainer.calls) == 2


def test_in_live_mode_the_kept_boxes_lose_their_explanation_too():
    pad = why_pad()
    pad.set_live(True)
    pad.set_why(True)
    pad.run_jobs()
    one(pad, 540)
    assert pad.detections and pad.explanation is None


def test_a_worker_explanation_of_a_stale_reading_is_dropped():
    pad = why_pad()
    pad.set_why(True)
    job = pad.next_job()
    assert job.kind is JobKind.EXPLAIN and job.number == 0
    assert pad.message == Message(session.EXPLAINING.format(digit=1))
    assert pad.next_job() is None  # one at a time
    assert pad.state()["why"] and not pad.state()["explained"]
    result = job.run()
    one(pad, 540)  # the drawing changes while the worker explains
    assert not pad.job_done(job, result) and pad.explanation is None
    pad.recognize()  # the new reading, explained in turn
    assert pad.explanation is not None


def test_an_explanation_that_fails_is_said_and_turns_why_off():
    pad, _ = read_pad()
    pad.explainer = FakeExplainer(error=TypeError("expected a digitlib Predictor"))
    pad.set_why(True)
    pad.run_jobs()
    assert pad.explanation is None
    assert pad.message == Message(session.CANNOT_EXPLAIN.format(
        error="expected a digitlib Predictor"), "error")
    assert not pad.why and not pad.wants_explanation


def test_why_explains_a_real_reading_with_the_real_model(predictor):
    pad = PadSession(predictor)
    assert pad.load_image(files_274()["8-bit JPEG"], name="274.jpg")
    pad.recognize()
    pad.select(2)
    pad.set_why(True)
    pad.run_jobs()
    why = pad.explanation
    assert why.digit == 4 and why.runner_up != 4 and why.evidence.shape == (28, 28)
    assert why.evidence.max() > 0  # some ink pushed towards the answer
    assert pad.message == Message(session.WHY_SHOWN.format(digit=4, runner_up=why.runner_up),
                                  "result")
    preview = display.why_preview(why)
    assert preview.size == (84, 84) and preview.mode == "RGBA"
    assert preview.tobytes() != display.preview_image(why.image28).convert("RGBA").tobytes()
    (left, top), heat = display.why_box(why, display.boxes(pad.detections, 2,
                                                            pad.placement)[2].box)
    assert heat.mode == "RGBA" and np.asarray(heat)[..., 3].max() > 0


# -------------------------------------------------------------------------- photos of paper

def test_a_photo_is_shown_as_it_is_and_its_boxes_land_on_its_digits(predictor):
    from digitlib.datasets import mnist, synthetic_photos

    (_, _), (x_test, y_test) = mnist.load_mnist()
    chosen = [3, 2, 1]  # MNIST test digits 0, 1, 2
    rng = np.random.default_rng(16)
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="ruled",
                                      size=(480, 260), digit_height=60, tilt=0.0)
    pad = PadSession(predictor)
    assert pad.load_image(_bytes(photo.image.convert("RGB"), "JPEG", quality=92), "sheet.jpg")
    assert pad.picture_is_photo and pad.state()["photo"]
    assert pad.message == Message(session.PHOTO_OPENED.format(name="sheet.jpg"))
    assert pad.picture_shown.mode == "RGB"
    assert np.array_equal(np.asarray(pad.picture_shown), np.asarray(pad.picture.convert("RGB")))
    found = pad.recognize()
    assert "".join(str(d.digit) for d in found) == photo.label
    scale, dx, dy = pad.placement
    for shown, (left, top, right, bottom) in zip(
            display.boxes(found, None, pad.placement), photo.boxes, strict=True):
        truth = (left * scale + dx, top * scale + dy, right * scale + dx, bottom * scale + dy)
        centre = ((shown.box[0] + shown.box[2]) / 2, (shown.box[1] + shown.box[3]) / 2)
        assert truth[0] <= centre[0] <= truth[2] and truth[1] <= centre[1] <= truth[3]


def test_a_drawing_upload_is_still_shown_as_its_ink():
    pad = PadSession(FakePredictor())
    picture = Image.new("L", (200, 100), 255)
    picture.paste(0, (20, 20, 40, 80))
    assert pad.load_image(picture, name="drawn.png") and not pad.picture_is_photo
    assert pad.message == Message(session.PICTURE_OPENED.format(name="drawn.png"))
    assert pad.picture_shown.mode == "L"


# ------------------------------------------------- issue 32: odd input never breaks the pad


def test_pen_events_at_nan_or_infinite_points_are_ignored():
    pad = PadSession(FakePredictor())
    for bad in [(math.nan, 60), (95, math.inf), (-math.inf, math.nan), ("x", 1), (None, 2)]:
        pad.pen_down(*bad)
        assert not pad.drawing.in_stroke and pad.is_empty
    pad.pen_down(95, 60)
    assert pad.pen_move(math.nan, 140) is None and pad.pen_move(95, math.inf) is None
    pad.pen_move(95, 220)
    pad.pen_up()
    assert pad.drawing.strokes[0].points == [(95.0, 60.0), (95.0, 220.0)]
    assert [d.digit for d in pad.recognize()] == [1]


def test_a_drawing_refuses_nan_and_infinite_points():
    drawing = Drawing(100, 100)
    with pytest.raises(ValueError, match="finite numbers"):
        drawing.start(math.nan, 5)
    drawing.start(5, 5)
    with pytest.raises(ValueError, match="finite numbers"):
        drawing.extend(5, math.inf)
    with pytest.raises(TypeError, match="two numbers"):
        drawing.extend("left", 5)
    assert drawing.strokes[0].points == [(5.0, 5.0)]
    drawing.to_image()


def test_save_without_a_label_says_the_label_it_saved(tmp_path):
    pad, _ = read_pad()
    pad.personal_folder = tmp_path / "mine"
    pad.select(1)
    pad.set_label(None)  # e.g. the label chooser emptied
    assert pad.save()
    assert pad.message.text == f"Saved as 7 (1 example in {tmp_path / 'mine'})"
    from digitlib.datasets.personal import PersonalDigits

    assert PersonalDigits(tmp_path / "mine").labels.tolist() == [7]


def test_turning_live_off_drops_the_boxes_of_a_stale_reading():
    pad = PadSession(FakePredictor(), live=True)
    one(pad, 95)
    pad.recognize()
    pad.pen_down(280, 60)  # live mode keeps the boxes while the drawing changes ...
    assert len(pad.detections) == 1 and not pad.is_read
    pad.set_live(False)  # ... but without live mode nothing will replace them
    assert pad.detections == [] and pad.selected is None and pad.state()["boxes"] == []


def test_a_deeply_nested_index_is_said_on_save_and_undo_save(tmp_path):
    pad, _ = read_pad()
    pad.personal_folder = tmp_path / "mine"
    pad.select(0)
    assert pad.save()
    index = tmp_path / "mine" / "index.json"
    index.write_text("[" * 200_000 + "]" * 200_000)
    assert pad.save() is None
    assert pad.message.kind == "error" and "is corrupt" in pad.message.text
    assert pad.message.text.startswith("Not saved — the index")
    assert pad.undo_save() is None
    assert pad.message.kind == "error" and "nested too deeply" in pad.message.text
    assert pad.message.text.startswith("Could not undo the save — the index")


RANDOM_OPERATIONS = 2500  # enough to meet every pair of operations many times, in a few seconds
ODD_NUMBERS = [math.nan, math.inf, -math.inf, 1e300, -1e300, 1e9, -5.0]


def random_point(rng):
    """A point on the pad mostly, sometimes far off it, NaN, infinite or huge."""
    if rng.random() < 0.15:
        return (float(rng.choice(ODD_NUMBERS)), float(rng.uniform(0, session.PAD_HEIGHT)))[
            :: 1 if rng.random() < 0.5 else -1]
    return float(rng.uniform(-20, session.PAD_WIDTH + 20)), float(
        rng.uniform(-20, session.PAD_HEIGHT + 20))


class RecordingExplainer:
    """Stands in for ``explain.explain``: cheap, and records what it was asked."""

    def __call__(self, detection, predictor):
        return types.SimpleNamespace(digit=detection.digit, runner_up=(detection.digit + 1) % 10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_operations_raise_only_documented_errors_and_never_show_a_stale_reading(
        tmp_path, seed):
    """Thousands of random pad operations (odd points included), with a worker's readings
    finishing late: only the documented errors, and a reading is shown as current only
    while the pad still holds exactly what was read."""
    rng = np.random.default_rng(seed)
    pad = PadSession(FakePredictor(digits=(3, 1, 4, 1, 5)), personal_folder=tmp_path / "mine",
                     live=bool(rng.integers(2)))
    pad.explainer = RecordingExplainer()
    picture = Image.new("L", (120, 60), 255)
    picture.paste(0, (50, 10, 62, 50))
    pending = []  # the job a worker runs, done but not yet given back: (job, result)
    read_pixels = {}  # version -> the pixels that were read for it

    def pixels_now():
        image = pad.picture if pad.picture is not None else pad.drawing.to_image()
        return image.tobytes()

    def here(action):
        """``action``, with what is on the pad now noted (it may read it)."""
        def noted(*args):
            read_pixels.setdefault(pad.version, pixels_now())  # also what a blank pad reads
            return action(*args)
        return noted

    def start():
        read_pixels.setdefault(pad.version, pixels_now())
        job = pad.next_job()
        if job is not None:
            if job.kind is JobKind.READ:
                assert job.image.tobytes() == read_pixels[job.version]
            pending.append((job, job.run()))

    def finish():
        if pending:
            pad.job_done(*pending.pop())

    operations = {
        "pen_down": lambda: pad.pen_down(*random_point(rng)),
        "pen_move": lambda: [pad.pen_move(*random_point(rng)) for _ in range(3)],
        "pen_up": lambda: pad.wants_reading and pad.pen_up(),
        "pen_up_always": pad.pen_up,
        "recognize": here(pad.recognize),
        "ask": here(pad.ask_reading),
        "start": start,
        "finish": finish,
        "undo": pad.undo,
        "clear": pad.clear,
        "live": lambda: pad.set_live(bool(rng.integers(2))),
        "brush": lambda: pad.set_brush(rng.choice([1, 4, 18, 40, 200, 0, -3, math.nan, 1e9])),
        "select": lambda: pad.select(int(rng.integers(-1, 5))),
        "label": lambda: pad.set_label(rng.choice([0, 7, 9, 10, -1, "3", "x", None, 2.5])),
        "save": pad.save,
        "undo_save": pad.undo_save,
        "why": lambda: pad.set_why(bool(rng.integers(2))),
        "run": here(pad.run_jobs),
        "picture": lambda: pad.load_image(picture, "bar.png"),
        "state": pad.state,
    }
    documented = {"brush": ValueError, "select": IndexError}
    names = sorted(operations)
    for _ in range(RANDOM_OPERATIONS):
        name = names[int(rng.integers(len(names)))]
        try:
            operations[name]()
        except documented.get(name, ()):
            pass
        state = pad.state()
        if pad.is_read:
            assert read_pixels[pad.version] == pixels_now(), f"stale reading after {name}"
        else:
            assert state["digits"] == state["boxes"] == [] and pad.explanation is None, name
            if not pad.live:
                assert pad.detections == [], f"stale boxes kept without live mode after {name}"
        assert state["message"] and state["message_kind"] in session.MESSAGE_KINDS
