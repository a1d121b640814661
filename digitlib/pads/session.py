"""One drawing-pad session, without any user interface: what a pad *does*.

``PadSession`` owns the strokes (``digitlib.reading.strokes.Drawing``), an opened picture, the
predictor and which model is active, live mode, the last reading and whether it is stale,
the selected reading and its label, Save / Undo save to the learner's dataset
(``digitlib.datasets.personal``), and every message the user sees. The notebook pad
(``digitlib.pads.widget``) and the Tk app (``digitlib.pads.tk_app``) are views: they turn events
into
calls on a session and draw its state (``digitlib.pads.display`` decides how it looks).

Staleness is one counter: ``version`` goes up on every change to what is on the pad, and a
reading remembers the version it read. The Tk app reads in a worker thread
(``start_reading`` -> ``Predictor.predict_digits`` in the worker -> ``finish_reading``); a
reading that comes back after the drawing changed is dropped. The notebook pad reads
synchronously with ``recognize``.

**Why?** (``set_why``) explains the selected reading with ``digitlib.insight.explain`` (a heat map
of
the evidence, ``explanation``), in the same way: ``explain_selected`` in this thread, or
``start_explaining`` / ``finish_explaining`` around a worker; explanations are kept per reading
and dropped as soon as the reading goes stale.

    session = PadSession()
    session.pen_down(100, 50); session.pen_move(100, 200); session.pen_up()
    session.recognize()          # [Detection(...)], and session.message says "Read: 1 ..."
"""

from __future__ import annotations

import errno
import math
from dataclasses import dataclass
from pathlib import Path

from digitlib import config
from digitlib.pads import display
from digitlib.reading import images, paper
from digitlib.reading.strokes import Drawing

PAD_WIDTH, PAD_HEIGHT = 560, 280  # room for several digits side by side
DEFAULT_BRUSH = 18
BRUSH_RANGE = (4, 40)  # the brush slider's ends

# Every message the user can see. Each test in tests/test_session.py names the one it checks.
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

MESSAGE_KINDS = ("info", "result", "warning", "empty", "error")


@dataclass(frozen=True)
class Message:
    """A message for the user; ``kind`` (one of ``MESSAGE_KINDS``) decides its colour."""

    text: str
    kind: str = "info"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _is_point(x, y) -> bool:
    """Whether (x, y) is a point the pad can draw: two finite numbers."""
    try:
        return math.isfinite(float(x)) and math.isfinite(float(y))
    except (TypeError, ValueError):
        return False


class PadSession:
    """Everything a drawing pad does, for any front end.

    ``predictor``: a ``digitlib.reading.predict.Predictor`` (or anything with ``predict_digits``);
    when None, ``model`` (a name such as "committed", "mine", "personal", or a path; None: the
    active model, see ``config.model_path``) is loaded on first need, or by ``load_model``.
    ``personal_folder``: where Save puts the learner's digits (default ``data/my_digits/``).
    """

    def __init__(self, predictor=None, *, model=None, personal_folder=None,
                 width: int = PAD_WIDTH, height: int = PAD_HEIGHT, brush=DEFAULT_BRUSH,
                 live: bool = False):
        self.drawing = Drawing(width, height, brush)
        self.personal_folder = personal_folder
        self.live = bool(live)
        self._predictor = predictor
        self.model = model
        self.model_status = "ready" if predictor is not None else "loading"  # or "error"
        self.model_error: str | None = None
        self.picture = None  # an opened picture (PIL image) read instead of the strokes
        self.picture_shown = None  # the picture as the pad shows it: its ink, dark on white
        self.picture_name = ""
        self.put_away: str | None = None  # the picture drawing put away, until it is read
        self.placement = (1.0, 0, 0)  # scale, x and y offset of the picture on the pad
        self.version = 0  # goes up on every change to what is on the pad
        self.read_version: int | None = None  # the version the detections describe
        self.reading_version: int | None = None  # the version being read now, if any
        self.detections: list = []
        self.warnings: list[str] = []  # what the predictor said it left out of the reading
        self.selected: int | None = None
        self.label: int | None = None  # the label Save uses (the selected digit, or as set)
        self._read_image = None  # the image the detections come from
        self.picture_is_photo = False  # the picture is a photo of paper: shown as it is
        self.why = False  # **Why?** is on: explain the selected reading
        self.explaining: tuple[int, int] | None = None  # (version, reading) being explained
        self._explanations: dict = {}  # reading number -> its explanation, for this reading
        self.explainer = explain_reading  # (detection, predictor) -> explain.Explanation
        self.message = Message(START if predictor is not None else LOADING)

    # ---------------------------------------------------------------------------- the model

    @property
    def model_path(self) -> Path | None:
        """The active model's file (None for a predictor given in code without one)."""
        if self._predictor is not None:
            path = getattr(self._predictor, "path", None)
            return Path(path) if path is not None else None
        return config.model_path(self.model)

    @property
    def model_text(self) -> str:
        """One line naming the model, e.g. ``Model: the committed model (mnist_cnn.keras)``."""
        path = self.model_path
        name = config.describe_model(path) if path is not None else "given in code"
        status = {"loading": " — loading", "error": " — not loaded"}.get(
            "ready" if self._predictor is not None else self.model_status, "")
        return f"Model: {name}{status}"

    @property
    def predictor(self):
        """The predictor, or None while it is not loaded (see ``load_model``)."""
        return self._predictor

    def open_model(self):
        """Load the active model and return its predictor, changing nothing here: a worker
        thread may call it, then ``model_ready`` / ``model_failed`` in the UI thread."""
        from digitlib.reading.predict import Predictor

        return Predictor.load(self.model)

    def model_ready(self, predictor) -> None:
        self._predictor, self.model_status, self.model_error = predictor, "ready", None
        if self.message.text == LOADING:
            self.message = Message(START)

    def model_failed(self, error: Exception) -> None:
        """Say why there is no model (a missing file, or not a digit model)."""
        text = str(error) or type(error).__name__
        if "make model" not in text and "finetune" not in text and "train" not in text:
            text = f"{text}. {MODEL_HINT}"
        self.model_status, self.model_error = "error", NO_MODEL.format(error=text)
        self.message = Message(self.model_error, "error")

    def load_model(self):
        """Load the model now unless it is loaded; the predictor, or None after saying why."""
        if self._predictor is None:
            try:
                self.model_ready(self.open_model())
            except (FileNotFoundError, ValueError) as error:  # no file, or not a digit model
                self.model_failed(error)
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
        self._changed()
        self._forget_reading()
        self.message = Message(START)

    def set_brush(self, width) -> None:
        """The brush width of the next strokes (validated by ``Drawing``)."""
        self.drawing.brush = width

    def set_live(self, live: bool) -> bool:
        """Turn live mode on or off; True when the pad should be read now. Turned off, the
        boxes live mode kept from a stale reading go."""
        self.live = bool(live)
        if not self.live and not self.is_read:
            self._forget_reading()
        return self.wants_reading

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
    def is_empty(self) -> bool:
        return self.picture is None and self.drawing.is_empty

    def _changed(self) -> None:
        self.version += 1
        self._explanations, self.explaining = {}, None  # they explain a reading now stale
        if not self.live:  # live mode keeps the last boxes until the next reading
            self._forget_reading()

    def _forget_reading(self) -> None:
        self.detections, self.selected, self.label, self._read_image = [], None, None, None
        self.warnings = []
        self._explanations, self.explaining = {}, None

    # ---------------------------------------------------------------------------- reading

    @property
    def is_read(self) -> bool:
        """True when ``detections`` describe what is on the pad now (not stale)."""
        return self.read_version == self.version

    @property
    def wants_reading(self) -> bool:
        """True when live mode is on and what is on the pad has not been read."""
        return self.live and not self.is_empty and not self.is_read and not self.drawing.in_stroke

    def start_reading(self):
        """``(version, image)`` to give to ``predictor.predict_digits``, or None (after saying
        why) when there is nothing to read, no model yet, or this version is already read."""
        if self.is_empty:
            self._forget_reading()
            self.read_version = self.version
            self.message = Message(BLANK, "empty")
            return None
        if self._predictor is None:
            if self.model_status == "error":
                self.message = Message(self.model_error, "error")
            else:
                self.message = Message(WAITING_FOR_MODEL)
            return None
        if self.is_read:
            return None
        image = self.picture if self.picture is not None else self.drawing.to_image()
        self.reading_version = self.version
        self.message = Message(READING)
        return self.version, image

    def finish_reading(self, version: int, image, detections) -> bool:
        """Keep the reading of ``version``; False (and nothing changes) when it is stale."""
        if self.reading_version == version:
            self.reading_version = None
        if version != self.version:
            return False
        self.warnings = list(getattr(detections, "warnings", ()))  # e.g. ink left out
        detections = list(detections)
        self.detections, self.read_version = detections, version
        self._read_image = image if detections else None
        self.selected = self.label = None
        self._explanations, self.explaining = {}, None
        if detections:
            self.select(0)
        self.message = self._results_message()
        if self.put_away is not None:  # said once, on the drawing's first reading
            note = WARNING_NOTE.format(warning=PUT_AWAY.format(name=self.put_away))
            self.message, self.put_away = Message(self.message.text + note, "warning"), None
        return True

    def reading_failed(self, version: int, error: Exception) -> None:
        """The predictor refused the image (its ``ValueError``/``TypeError`` says why)."""
        if self.reading_version == version:
            self.reading_version = None
        if version == self.version:
            self._forget_reading()
            self.read_version = version
            self.message = Message(CANNOT_READ.format(error=error), "error")

    def recognize(self) -> list:
        """Read what is on the pad now (in this thread); returns the detections shown."""
        if self._predictor is None and not self.is_empty:
            self.load_model()
        job = self.start_reading()
        if job is None:
            return self.detections if self.is_read else []
        version, image = job
        try:
            detections = self._predictor.predict_digits(image)
        except (ValueError, TypeError) as error:  # the predictor's words for bad input
            self.reading_failed(version, error)
            return []
        self.finish_reading(version, image, detections)
        return self.detections

    def _results_message(self) -> Message:
        notes = "".join(WARNING_NOTE.format(warning=warning) for warning in self.warnings)
        if not self.detections:
            return Message(NOTHING_FOUND + notes, "warning" if notes else "empty")
        text = display.results_line(self.detections)
        unsure = sum(bool(detection.unsure) for detection in self.detections)
        if not unsure:
            return Message(text + notes, "warning" if notes else "result")
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
                and self.selected not in self._explanations and self.explaining is None
                and self._predictor is not None)

    def set_why(self, on: bool) -> bool:
        """Turn **Why?** on or off; True when the selected reading should be explained now
        (``explain_selected``, or ``start_explaining`` for a worker)."""
        self.why = bool(on)
        if not self.why:
            if self.is_read and self.detections:
                self.message = self._results_message()
            return False
        if not (self.is_read and self.detections and self.selected is not None):
            self.message = Message(NOTHING_TO_EXPLAIN, "empty")
            return False
        if self.explanation is not None:
            self.message = self._why_message(self.explanation)
        return self.wants_explanation

    def start_explaining(self):
        """``(version, number, detection)`` to explain (in a worker: ``explainer(detection,
        predictor)``), or None when there is nothing to explain now."""
        if not self.wants_explanation:
            return None
        detection = self.detections[self.selected]
        self.explaining = (self.version, self.selected)
        self.message = Message(EXPLAINING.format(digit=detection.digit))
        return self.version, self.selected, detection

    def finish_explaining(self, version: int, number: int, explanation) -> bool:
        """Keep the explanation of reading ``number`` of ``version``; False (and nothing
        changes) when that reading has gone stale meanwhile."""
        if self.explaining == (version, number):
            self.explaining = None
        if version != self.version or not self.is_read or number >= len(self.detections):
            return False
        self._explanations[number] = explanation
        if self.why and number == self.selected:
            self.message = self._why_message(explanation)
        return True

    def explaining_failed(self, version: int, number: int, error: Exception) -> None:
        """The explainer refused the reading (its ``ValueError``/``TypeError`` says why)."""
        if self.explaining == (version, number):
            self.explaining = None
        if version == self.version and self.is_read:
            self.why = False  # so the same error is not asked for again at once
            self.message = Message(CANNOT_EXPLAIN.format(error=error), "error")

    def explain_selected(self):
        """Explain the selected reading now (in this thread); its explanation, or None."""
        job = self.start_explaining()
        if job is None:
            return self.explanation
        version, number, detection = job
        try:
            explanation = self.explainer(detection, self._predictor)
        except (ValueError, TypeError) as error:  # e.g. a predictor without a Keras model
            self.explaining_failed(version, number, error)
            return None
        self.finish_explaining(version, number, explanation)
        return self.explanation

    @staticmethod
    def _why_message(explanation) -> Message:
        return Message(WHY_SHOWN.format(digit=explanation.digit,
                                        runner_up=explanation.runner_up), "result")

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
            "status": "error" if self.model_status == "error" else
                      "loading" if self._predictor is None else
                      "reading" if self.reading_version is not None else "ready",
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
