"""One drawing-pad session, without any user interface: what a pad *does*.

``PadSession`` owns the strokes (``digitlib.reading.strokes.Drawing``), an opened picture, the
model and its predictor, live mode, the last reading and whether it is stale, the selected
reading and its label, Save / Undo save to the learner's dataset
(``digitlib.datasets.personal``), and every message the user sees. The notebook pad
(``digitlib.pads.widget``) and the Tk app (``digitlib.pads.tk_app``) are views: they turn events
into calls on a session and draw its state (``digitlib.pads.display`` decides how it looks).

Staleness is one counter: ``version`` goes up on every change to what is on the pad, and a
reading remembers the version it read. The slow work (loading the model, reading the pad,
explaining a reading for **Why?**) is handed out one ``Job`` at a time by ``next_job``; a job's
``run()`` touches nothing of the session, so it may run in a worker thread, and its result comes
back through ``job_done`` (its error through ``job_failed``). A result for a version that is no
longer on the pad is dropped. The Tk app runs the jobs in a worker; the notebook pad runs them
in its own thread with ``run_jobs``.

    session = PadSession()
    session.pen_down(100, 50); session.pen_move(100, 200); session.pen_up()
    session.recognize()          # [Detection(...)], and session.message says "Read: 1 ..."
"""

from __future__ import annotations

import enum
import errno
import functools
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitlib import config
from digitlib.pads import display
from digitlib.reading import images, paper, predict
from digitlib.reading.strokes import Drawing

PAD_WIDTH, PAD_HEIGHT = 560, 280  # room for several digits side by side
DEFAULT_BRUSH = 18
BRUSH_RANGE = (4, 40)  # the brush slider's ends

# Every message the user can see. Each test in tests/pads/test_session.py names the one it checks.
START = "Draw one or more digits in the white box, then press Recognize."
LOADING = "Loading the model… (you can start drawing)"
WAITING_FOR_MODEL = "Loading the model… will read your drawing when the model is ready."
BLANK = "Nothing drawn yet — draw a digit in the white box."
STROKES_DRAWN = "{count} stroke{s} drawn — press Recognize (or tick Live)."
STROKE_REMOVED = "Last stroke removed — press Recognize."
NOTHING_TO_UNDO = "Nothing to undo."
READING = "Reading…"
NOTHING_FOUND = "No digit found — draw bigger, with a thicker brush."
UNSURE_ADVICE = (" — the model is unsure about {which} (orange, marked ?): try drawing bigger "
                 "and clearer, each digit in its own space.")
# ... when every unsure reading was doubted because its ink looks like no digit at all
NOT_A_DIGIT_ADVICE = (" — {which} not look like any digit (orange, marked ?): the model names a "
                      "digit for any ink, even at 100%.")
WARNING_NOTE = " — note: {warning}"  # what the predictor says it had to leave out
PICTURE_OPENED = "Opened {name} — reading it…"
NOT_AN_IMAGE = "Could not open {name} as an image: {error}"
CANNOT_READ = "Could not read this image: {error}"
NO_MODEL = "No model to read digits with — {error}"
MODEL_HINT = "Train one with `make model` (or pass another model)."
NOTHING_TO_SAVE = "Nothing to save — draw a digit and press Recognize first."
SAVED = "Saved as {label} ({count} example{s} in {folder})"
NOT_SAVED = "Not saved — {error}"
COULD_NOT_SAVE = "could not save: {reason}"
DISK_FULL = "disk full ({folder})"
READ_ONLY = "folder is read-only ({folder})"
UNSAVED_REMOVED = "Removed the last saved example ({count} left in {folder})."
NOTHING_SAVED = "Nothing to undo — no saved examples in {folder}."
COULD_NOT_UNDO_SAVE = "Could not undo the save — {error}"
SOMETHING_WRONG = "Something went wrong — {error} (details below)"
PHOTO_OPENED = "Opened {name}, a photo of paper — reading it…"
# Drawing on an opened picture puts the picture away: said when the pen goes down, again when
# the stroke ends, and as a note on the drawing's first reading.
PICTURE_PUT_AWAY = "The picture you opened ({name}) was put away: reading your drawing."
PUT_AWAY = "the picture you opened ({name}) was put away"
WHY_SHOWN = ("Why {digit}? Orange pixels pushed the model towards {digit}, blue ones towards "
             "{runner_up} (its runner-up).")
EXPLAINING = "Working out why it read {digit}…"
NOTHING_TO_EXPLAIN = "Nothing to explain yet — press Recognize, then pick a digit."
CANNOT_EXPLAIN = "Could not explain this reading: {error}"

# The desktop app's words when it cannot start (printed, before any pad exists).
TKINTER_MISSING = """\
The desktop app needs tkinter, and this Python ({python}) was built without it.
Install Tk for the Python 3.11 that made .venv, then run `make app` again:
  Debian/Ubuntu:  sudo apt-get install python3-tk   (python3.11-tk for a deadsnakes Python)
  Fedora:         sudo dnf install python3-tkinter
  macOS:          brew install python-tk@3.11
  Windows:        re-run the python.org installer, choose Modify and tick "tcl/tk and IDLE"
  conda:          conda install tk
  pyenv:          install the Tk headers (e.g. sudo apt-get install tk-dev), then
                  pyenv install --force 3.11 and make clean setup
The notebook pad (make web, or notebook 06) needs no Tk."""

NO_DISPLAY = """\
The desktop app could not open a window: {error}
It needs a desktop session (on a server, run it under Xvfb or use the notebook pad: make web)."""

MESSAGE_KINDS = ("info", "result", "warning", "empty", "error")


class Status(enum.StrEnum):
    """What a pad is doing (the Tk app's state file says it). A ``StrEnum``: it compares with,
    and is written as, its text."""

    LOADING = "loading"  # the model is not loaded yet
    READY = "ready"
    READING = "reading"  # a reading is being made
    ERROR = "error"  # there is no model to read with


class JobKind(enum.Enum):
    """The slow work a pad hands out (``PadSession.next_job``)."""

    LOAD = "load"  # load the model
    READ = "read"  # read what is on the pad
    EXPLAIN = "explain"  # explain the selected reading (**Why?**)


# The errors by which a job's work says that what it was given cannot be used; the message
# says why. Any other error is a bug: said as SOMETHING_WRONG, with its details shown.
EXPECTED_ERRORS = {JobKind.LOAD: (OSError, ValueError), JobKind.READ: (ValueError, TypeError),
                   JobKind.EXPLAIN: (ValueError, TypeError)}


@dataclass(frozen=True)
class Job:
    """Work handed out by ``PadSession.next_job``: call ``run()`` (in a worker thread or not:
    it touches nothing of the session) and give its result to ``job_done``, or its exception
    to ``job_failed``, in the thread that owns the session."""

    kind: JobKind
    version: int  # what was on the pad when the job was handed out
    run: Callable[[], object]
    image: object = None  # READ: the image being read (Save cuts the digit from it)
    number: int | None = None  # EXPLAIN: the reading explained


@dataclass(frozen=True)
class Message:
    """A message for the user; ``kind`` (one of ``MESSAGE_KINDS``) decides its colour."""

    text: str
    kind: str = "info"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _is_keras_model(model) -> bool:
    """Whether ``model`` is a Keras model, without importing Keras: one exists only once Keras
    is imported (and a worker thread may be importing it right now)."""
    model_class = getattr(sys.modules.get("keras"), "Model", None)
    return isinstance(model_class, type) and isinstance(model, model_class)


def _checked_model(model):
    """``model`` as ``PadSession`` takes it, or a ``TypeError``/``ValueError`` that says what
    it may be."""
    if isinstance(model, str) and not model.strip():
        raise ValueError("model must be a model name (committed, mine, personal) or a file, "
                         "got an empty string")
    if not (model is None or isinstance(model, (str, os.PathLike))
            or hasattr(model, "predict_digits") or _is_keras_model(model)):
        raise TypeError("model must be a model name (committed, mine, personal), a .keras "
                        "file, a loaded Keras model or a Predictor, got "
                        f"{type(model).__name__}")
    return model


def _is_point(x, y) -> bool:
    """Whether (x, y) is a point the pad can draw: two finite numbers."""
    try:
        return math.isfinite(float(x)) and math.isfinite(float(y))
    except (TypeError, ValueError):
        return False


class PadSession:
    """Everything a drawing pad does, for any front end.

    ``model``: the model that reads the digits. A name ("committed", "mine", "personal") or a
    ``.keras`` file, loaded by the first ``LOAD`` job (None: the active model, see
    ``config.model_path``); a loaded Keras model; or a ``digitlib.reading.predict.Predictor``
    (or anything with its ``predict_digits``), used as it is.
    ``personal_folder``: where Save puts the learner's digits (default ``data/my_digits/``).
    """

    def __init__(self, model=None, *, personal_folder=None, width: int = PAD_WIDTH,
                 height: int = PAD_HEIGHT, brush=DEFAULT_BRUSH, live: bool = False):
        self.model = _checked_model(model)
        self._keras_model = _is_keras_model(model)  # loaded by the LOAD job into a Predictor
        self.drawing = Drawing(width, height, brush)
        self.personal_folder = personal_folder
        self.live = bool(live)
        given = hasattr(model, "predict_digits")
        self._predictor = model if given else None
        self.model_status = Status.READY if given else Status.LOADING  # or Status.ERROR
        self.model_error: str | None = None
        self.picture = None  # an opened picture (PIL image) read instead of the strokes
        self.picture_shown = None  # the picture as the pad shows it: its ink, dark on white
        self.picture_name = ""
        self.put_away: str | None = None  # the picture drawing put away, until it is read
        self.placement = (1.0, 0, 0)  # scale, x and y offset of the picture on the pad
        self.version = 0  # goes up on every change to what is on the pad
        self.read_version: int | None = None  # the version the detections describe
        self.job: Job | None = None  # the job handed out and not yet given back
        self._reading_asked = False  # Recognize was pressed: read as soon as possible
        self.detections: list = []
        self.warnings: list[str] = []  # what the predictor said it left out of the reading
        self.selected: int | None = None
        self.label: int | None = None  # the label Save uses (the selected digit, or as set)
        self._read_image = None  # the image the detections come from
        self.picture_is_photo = False  # the picture is a photo of paper: shown as it is
        self.why = False  # **Why?** is on: explain the selected reading
        self._explanations: dict = {}  # reading number -> its explanation, for this reading
        self.explainer = explain_reading  # (detection, predictor) -> explain.Explanation
        self.message = Message(START if given else LOADING)

    # ---------------------------------------------------------------------------- the model

    @property
    def model_path(self) -> Path | None:
        """The model's file (None for a model given in code without one)."""
        if self._predictor is not None:
            path = getattr(self._predictor, "path", None)
            return Path(path) if path is not None else None
        return None if self._keras_model else config.model_path(self.model)

    @property
    def model_text(self) -> str:
        """One line naming the model, e.g. ``Model: the committed model (mnist_cnn.keras)``."""
        path = self.model_path
        name = config.describe_model(path) if path is not None else "given in code"
        status = {Status.LOADING: " — loading", Status.ERROR: " — not loaded"}.get(
            self.model_status, "")
        return f"Model: {name}{status}"

    @property
    def predictor(self):
        """The predictor, or None while the model is not loaded (see ``load_model``)."""
        return self._predictor

    @property
    def status(self) -> Status:
        """What the pad is doing: loading its model, reading, ready, or without a model."""
        if self.model_status is not Status.READY:
            return self.model_status
        return Status.READING if self.job is not None and self.job.kind is JobKind.READ else (
            Status.READY)

    def open_model(self):
        """The predictor of ``model`` (the work of a ``LOAD`` job: it changes nothing here)."""
        from digitlib.reading.predict import Predictor

        if self._keras_model:
            return Predictor(self.model)
        return Predictor.load(self.model)

    def model_ready(self, predictor) -> None:
        self._predictor, self.model_status, self.model_error = predictor, Status.READY, None
        if self.message.text == LOADING:
            self.message = Message(START)

    def model_failed(self, error: Exception) -> None:
        """Say why there is no model (a missing file, or not a digit model)."""
        text = str(error) or type(error).__name__
        if "make model" not in text and "finetune" not in text and "train" not in text:
            text = f"{text}. {MODEL_HINT}"
        self.model_status, self.model_error = Status.ERROR, NO_MODEL.format(error=text)
        self._reading_asked = False  # there is nothing to read with
        self.message = Message(self.model_error, "error")

    def load_model(self):
        """Load the model now, in this thread, unless it is loaded; the predictor, or None
        after saying why."""
        if self._predictor is None:
            self.run_jobs()
        return self._predictor

    # --------------------------------------------------------------------- the pen and edits

    def pen_down(self, x: float, y: float) -> None:
        """The pen touches the pad at (x, y): a new stroke starts (it puts an opened picture
        away, and says so: ``PICTURE_PUT_AWAY``, then a note on the drawing's first reading).
        Pen events at a point that is not two finite numbers (a toolkit's NaN, say) are
        ignored, here and in ``pen_move``."""
        if not _is_point(x, y):
            return
        put_away = self.picture is not None
        if put_away:
            self.picture, self.put_away = None, self.picture_name
            self.drawing.clear()
        self.drawing.start(x, y)
        self._changed()
        if put_away:
            self.message = Message(PICTURE_PUT_AWAY.format(name=self.put_away), "warning")

    def pen_move(self, x: float, y: float):
        """The pen moved to (x, y); returns the previous point (to draw a segment from), or
        None when the pen is up."""
        if not self.drawing.in_stroke or not _is_point(x, y):
            return None
        previous = self.drawing.strokes[-1].points[-1]
        self.drawing.extend(x, y)
        self._changed()  # a reading taken while the pen was down is stale now
        return previous

    def pen_up(self) -> bool:
        """The pen left the pad; returns True when a stroke was finished (then read it when
        ``wants_reading``)."""
        if not self.drawing.end():
            return False
        self._changed()
        count = len(self.drawing.strokes)
        if not self.live:
            text = STROKES_DRAWN.format(count=count, s=_plural(count))
            if self.put_away is not None:
                put_away = PICTURE_PUT_AWAY.format(name=self.put_away)
                self.message = Message(f"{put_away} {text}", "warning")
            else:
                self.message = Message(text)
        return True

    def undo(self) -> bool:
        """Remove the last stroke; returns False when there was none."""
        if not self.drawing.undo():
            self.message = Message(NOTHING_TO_UNDO, "empty")
            return False
        self._changed()
        if self.is_empty:
            self._forget_reading()
            self.put_away = None
            self.message = Message(BLANK, "empty")
        elif not self.live:
            self.message = Message(STROKE_REMOVED)
        return True

    def clear(self) -> None:
        """Wipe the strokes, the picture and the reading."""
        self.drawing.clear()
        self.picture = self.put_away = None
        self._reading_asked = False
        self._changed()
        self._forget_reading()
        self.message = Message(START)

    def set_brush(self, width) -> None:
        """The brush width of the next strokes (validated by ``Drawing``)."""
        self.drawing.brush = width

    def set_live(self, live: bool) -> None:
        """Turn live mode on or off (on, the pad is read after each stroke: ``wants_reading``).
        Turned off, the boxes live mode kept from a stale reading go."""
        self.live = bool(live)
        if not self.live and not self.is_read:
            self._forget_reading()

    def load_image(self, source, name: str | None = None) -> bool:
        """Put a picture on the pad instead of strokes: an image file's bytes, its path or a
        PIL image. It is decoded by ``digitlib.reading.images`` exactly as the library and the CLI
        decode it. Returns False after saying why when it cannot be read."""
        if name is None:
            name = Path(source).name if isinstance(source, (str, Path)) else "the image"
        try:
            picture = source if hasattr(source, "getbands") else images.open_image(source)
            ink = images.to_ink(picture)  # refuses NaN, huge and empty images
        except (ValueError, TypeError) as error:
            self.message = Message(NOT_AN_IMAGE.format(name=name, error=error), "error")
            return False
        self.drawing.clear()
        self.picture, self.picture_name, self.put_away = picture, name, None
        # A photo of paper is shown as it is (its boxes come back in its own pixels); a
        # drawing is shown as the ink the model reads.
        self.picture_is_photo = paper.is_photo(picture)
        self.picture_shown = (display.photo_picture(picture) if self.picture_is_photo
                              else display.ink_picture(ink))
        self.placement = display.fit(picture.size, (self.drawing.width, self.drawing.height))
        self._changed()
        self._forget_reading()
        opened = PHOTO_OPENED if self.picture_is_photo else PICTURE_OPENED
        self.message = Message(opened.format(name=name))
        return True

    @property
    def picture_on_pad(self):
        """The opened picture as the pad shows it, scaled to its place: ``(image, (x, y))``,
        or None without a picture."""
        if self.picture is None:
            return None
        return display.placed(self.picture_shown, self.picture.size, self.placement)

    def overlay(self, measure) -> display.Overlay:
        """What lies over the pad: each reading's box and label, its text measured by the
        front end's ``measure(text, pixels)`` -> (width, height), and the **Why?** heat map."""
        placement = self.placement if self.picture is not None else (1.0, 0, 0)
        return display.overlay(self.detections, self.selected, placement, self.explanation,
                               measure, (self.drawing.width, self.drawing.height))

    @property
    def is_empty(self) -> bool:
        return self.picture is None and self.drawing.is_empty

    def _changed(self) -> None:
        self.version += 1
        self._explanations = {}  # they explain a reading now stale
        if not self.live:  # live mode keeps the last boxes until the next reading
            self._forget_reading()

    def _forget_reading(self) -> None:
        self.detections, self.selected, self.label, self._read_image = [], None, None, None
        self.warnings = []
        self._explanations = {}

    # ---------------------------------------------------------------------------- reading

    @property
    def is_read(self) -> bool:
        """True when ``detections`` describe what is on the pad now (not stale)."""
        return self.read_version == self.version

    @property
    def wants_reading(self) -> bool:
        """True when live mode is on and what is on the pad has not been read."""
        return self.live and not self.is_empty and not self.is_read and not self.drawing.in_stroke

    def ask_reading(self) -> None:
        """Recognize was pressed: the pad is read as soon as the model and the worker are free
        (``next_job``). Says at once why not when there is nothing to read or no model."""
        if self.is_empty:
            self._forget_reading()
            self.read_version = self.version
            self.message = Message(BLANK, "empty")
        elif self.model_status is Status.ERROR:
            self.message = Message(self.model_error, "error")
        else:
            self._reading_asked = True
            if self._predictor is None:
                self.message = Message(WAITING_FOR_MODEL)

    def recognize(self) -> list:
        """Read what is on the pad now, in this thread (and explain the reading while **Why?**
        is on); returns the detections shown."""
        self.ask_reading()
        self.run_jobs()
        return self.detections if self.is_read else []

    def _keep_reading(self, image, detections) -> None:
        self.warnings = list(getattr(detections, "warnings", ()))  # e.g. ink left out
        detections = list(detections)
        self.detections, self.read_version = detections, self.version
        self._read_image = image if detections else None
        self.selected = self.label = None
        self._explanations = {}
        if detections:
            self.select(0)
        self.message = self._results_message()
        if self.put_away is not None:  # said once, on the drawing's first reading
            note = WARNING_NOTE.format(warning=PUT_AWAY.format(name=self.put_away))
            self.message, self.put_away = Message(self.message.text + note, "warning"), None

    def _results_message(self) -> Message:
        notes = "".join(WARNING_NOTE.format(warning=warning) for warning in self.warnings)
        if not self.detections:
            return Message(NOTHING_FOUND + notes, "warning" if notes else "empty")
        text = display.results_line(self.detections)
        unsure = sum(bool(detection.unsure) for detection in self.detections)
        if not unsure:
            return Message(text + notes, "warning" if notes else "result")
        if all(str(getattr(detection, "reason", "")).startswith(predict.NOT_A_DIGIT)
               for detection in self.detections if detection.unsure):
            which = "it does" if len(self.detections) == 1 else f"{unsure} of them do"
            return Message(text + NOT_A_DIGIT_ADVICE.format(which=which) + notes, "warning")
        which = "it" if len(self.detections) == 1 else f"{unsure} of them"
        return Message(text + UNSURE_ADVICE.format(which=which) + notes, "warning")

    # ------------------------------------------------------------------------------ Why?

    @property
    def explanation(self):
        """The heat map (``explain.Explanation``) of the selected reading while **Why?** is on
        and the reading is not stale; None otherwise (or while it is being worked out)."""
        if not (self.why and self.is_read and self.selected is not None):
            return None
        return self._explanations.get(self.selected)

    @property
    def wants_explanation(self) -> bool:
        """True when **Why?** is on and the selected reading has no explanation yet."""
        return (self.why and self.is_read and self.selected is not None
                and self.selected not in self._explanations and self._predictor is not None)

    def set_why(self, on: bool) -> None:
        """Turn **Why?** on or off; on, the selected reading is explained (``next_job``)."""
        self.why = bool(on)
        if not self.why:
            if self.is_read and self.detections:
                self.message = self._results_message()
        elif not (self.is_read and self.detections and self.selected is not None):
            self.message = Message(NOTHING_TO_EXPLAIN, "empty")
        elif self.explanation is not None:
            self.message = self._why_message(self.explanation)

    @staticmethod
    def _why_message(explanation) -> Message:
        return Message(WHY_SHOWN.format(digit=explanation.digit,
                                        runner_up=explanation.runner_up), "result")

    # ------------------------------------------------------------------------------ jobs

    def next_job(self) -> Job | None:
        """The next slow piece of work, or None when nothing is due or a job is still out
        (one at a time): load the model; else read the pad (Recognize was pressed, or live
        mode wants it); else explain the selected reading (**Why?**). Run ``job.run()``, in a
        worker thread or not, and hand the result back with ``job_done`` / ``job_failed``."""
        if self.job is not None:
            return None
        if self._predictor is None:
            if self.model_status is Status.LOADING:
                self.job = Job(JobKind.LOAD, self.version, self.open_model)
            return self.job
        if self._reading_asked or self.wants_reading:
            self._reading_asked = False
            if not self.is_empty and not self.is_read:
                image = self.picture if self.picture is not None else self.drawing.to_image()
                self.message = Message(READING)
                self.job = Job(JobKind.READ, self.version,
                               functools.partial(self._predictor.predict_digits, image), image)
                return self.job
        if self.wants_explanation:
            detection = self.detections[self.selected]
            self.message = Message(EXPLAINING.format(digit=detection.digit))
            self.job = Job(JobKind.EXPLAIN, self.version, functools.partial(
                self.explainer, detection, self._predictor), number=self.selected)
        return self.job

    def job_done(self, job: Job, result) -> bool:
        """Keep a job's result (a predictor, a reading, an explanation); False, and nothing
        changes, when what it worked on has changed meanwhile (a stale reading is asked for
        again)."""
        self._given_back(job)
        if job.kind is JobKind.LOAD:
            self.model_ready(result)
        elif job.version != self.version:
            self._reading_asked |= job.kind is JobKind.READ  # read what is there now
            return False
        elif job.kind is JobKind.READ:
            self._keep_reading(job.image, result)
        elif self.is_read and job.number < len(self.detections):
            self._explanations[job.number] = result
            if self.why and job.number == self.selected:
                self.message = self._why_message(result)
        else:
            return False
        return True

    def job_failed(self, job: Job, error: Exception) -> bool:
        """A job's work raised ``error``: say why, so that the job is not handed out again.
        True when the error says what was wrong with the job's input (``EXPECTED_ERRORS``),
        False for a bug: then the message is ``SOMETHING_WRONG`` and a front end shows the
        details."""
        self._given_back(job)
        if job.kind is JobKind.LOAD:
            self.model_failed(error)
        elif job.version == self.version and job.kind is JobKind.READ:
            self._forget_reading()
            self.read_version = job.version
            self.message = Message(CANNOT_READ.format(error=error), "error")
        elif job.version == self.version and self.is_read:
            self.why = False  # so the same error is not asked for again at once
            self.message = Message(CANNOT_EXPLAIN.format(error=error), "error")
        expected = isinstance(error, EXPECTED_ERRORS[job.kind])
        if not expected:
            self.failure(error)
        return expected

    def _given_back(self, job: Job) -> None:
        if job is not self.job:
            raise ValueError(f"this {job.kind.value} job is not the one handed out")
        self.job = None

    def run_jobs(self) -> None:
        """Run every job that is due, one after the other, in this thread (the notebook pad
        does; the Tk app runs them in a worker). A bug's error is raised once it is said."""
        while (job := self.next_job()) is not None:
            try:
                result = job.run()
            except Exception as error:  # noqa: BLE001 - job_failed says which ones are bugs
                if not self.job_failed(job, error):
                    raise
            else:
                self.job_done(job, result)

    # ----------------------------------------------------------------- selection and saving

    def select(self, index: int) -> None:
        """Choose the reading that Save saves; its label starts as the model's reading."""
        if not 0 <= index < len(self.detections):
            raise IndexError(f"there are {len(self.detections)} digits, no digit #{index + 1}")
        self.selected, self.label = index, int(self.detections[index].digit)
        if self.explanation is not None:
            self.message = self._why_message(self.explanation)

    def set_label(self, label) -> None:
        """The true digit of the selected reading, as the user corrects it (checked by Save)."""
        if isinstance(label, str) and label.strip().isdigit():
            label = int(label.strip())
        self.label = label

    @property
    def store_folder(self) -> Path:
        """Where Save puts the learner's digits."""
        return Path(config.PERSONAL_DATA_DIR if self.personal_folder is None
                    else self.personal_folder)

    def _folder_text(self, folder) -> str:
        """The dataset folder as the user knows it: ``data/my_digits`` inside the project."""
        try:
            return str(Path(folder).resolve().relative_to(config.ROOT))
        except ValueError:
            return str(folder)

    def save(self, label=None) -> str | None:
        """Save the selected reading with ``label`` (default ``self.label``) to the learner's
        dataset; the new example's id, or None after saying why nothing was saved."""
        from digitlib.datasets.personal import PersonalDigits

        if not (self.is_read and self.detections and self.selected is not None
                and self._read_image is not None):
            self.message = Message(NOTHING_TO_SAVE, "empty")
            return None
        label = self.label if label is None else label
        if label is None:  # no label chosen: the reading's own, as the store would save it
            label = int(self.detections[self.selected].digit)
        folder = self._folder_text(self.store_folder)
        try:
            store = PersonalDigits(self.personal_folder)
            example_id = store.save_detection(self.detections[self.selected], label,
                                              self._read_image)
            count = len(store)
        except OSError as error:  # today's PersonalDigits lets a full/read-only disk through
            self.message = Message(self._could_not_save(error, folder), "error")
            return None
        except ValueError as error:  # a bad label, a damaged dataset, or "could not save: …"
            text = str(error)
            if not text.startswith("could not save:"):
                text = NOT_SAVED.format(error=text)
            self.message = Message(text, "error")
            return None
        self.message = Message(SAVED.format(label=label, count=count, s=_plural(count),
                                            folder=folder), "result")
        return example_id

    @staticmethod
    def _could_not_save(error: OSError, folder: str) -> str:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            reason = DISK_FULL.format(folder=folder)
        elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            reason = READ_ONLY.format(folder=folder)
        else:
            reason = f"{error.strerror or error} ({folder})"
        return COULD_NOT_SAVE.format(reason=reason)

    def undo_save(self) -> str | None:
        """Remove the last example saved to the dataset; its id, or None (after saying why)."""
        from digitlib.datasets.personal import PersonalDigits

        folder = self._folder_text(self.store_folder)
        try:
            store = PersonalDigits(self.personal_folder)
            removed = store.delete_last()
            count = len(store)
        except (OSError, ValueError) as error:
            self.message = Message(COULD_NOT_UNDO_SAVE.format(error=error), "error")
            return None
        if removed is None:
            self.message = Message(NOTHING_SAVED.format(folder=folder), "empty")
        else:
            self.message = Message(UNSAVED_REMOVED.format(count=count, folder=folder))
        return removed

    # ---------------------------------------------------------------------- errors and state

    def failure(self, error: Exception) -> str:
        """An unexpected error in a front end's callback: say so; returns the one-line error."""
        text = f"{type(error).__name__}: {error}"
        self.message = Message(SOMETHING_WRONG.format(error=text), "error")
        return text

    def state(self) -> dict:
        """A JSON-ready summary (the Tk app's ``--state-file``, and tests)."""
        shown = self.detections if self.is_read else []
        return {
            "status": self.status,
            "message": self.message.text,
            "message_kind": self.message.kind,
            "model": self.model_text,
            "version": self.version,
            "read_version": self.read_version,
            "strokes": len(self.drawing.strokes),
            "picture": self.picture_name if self.picture is not None else None,
            "digits": [int(detection.digit) for detection in shown],
            "confidences": [float(detection.confidence) for detection in shown],
            "unsure": [bool(detection.unsure) for detection in shown],
            "boxes": [[int(value) for value in detection.box] for detection in shown],
            "reasons": [getattr(detection, "reason", "") for detection in shown],
            "selected": self.selected,
            "label": self.label,
            "why": self.why,
            "explained": self.explanation is not None,
            "photo": self.picture_is_photo if self.picture is not None else None,
        }


def explain_reading(detection, predictor):
    """The session's explainer: ``digitlib.insight.explain.explain`` (imported on first use)."""
    from digitlib.insight import explain

    return explain.explain(detection, predictor)
