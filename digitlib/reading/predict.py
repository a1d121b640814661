"""One predictor for every front end: the notebook pad, the Tk app and the CLI.

    from digitlib.reading.predict import Predictor
    predictor = Predictor.load()                  # the active model, loaded once
    result = predictor.predict_digit(image)       # one digit, or None when nothing is drawn
    found = predictor.predict_digits(image)       # every digit on a canvas, in reading order

``image`` is a PIL image (any mode), a numpy array or a file path; see ``digitlib.reading.images``.
Photos and scans of paper are told from pad drawings by themselves and cleaned first
(``digitlib.reading.paper``; ``photo=True`` / ``False`` forces it, ``result.source`` says which).
Every digit goes through the same steps: ``digitlib.reading.segment`` finds it,
``digitlib.reading.preprocess.to_mnist`` makes the 28x28 image the MNIST way, and one call of the
model classifies all the digits of a canvas at once (``digitlib.reading.runtime``: ONNX Runtime
runs the ONNX copy saved beside the model, so reading imports neither TensorFlow nor Keras;
``predictor.model``, the Keras model that heat maps and attacks need, is loaded on first use).
Digits whose ink touches make one piece of ink: a piece that may hold several digits is
over-segmented along candidate cut paths and the jointly likeliest sequence of digits is kept
(``digitlib.reading.touching``, segmentation by recognition).

A result is ``unsure`` when its probability is below ``UNSURE_BELOW`` (0.80) or when its ink
does not look like a digit: much wider than tall (a line, a scribble) or a filled blob (a dot).
The ``"no-digit"`` rule (the default; ``unsure_rule="today"`` keeps the rule before it) also
asks whether the ink looks like any digit at all (``no_digit``): more ink than any digit has,
ink that both models doubt, one piece of ink read as several digits that do not look whole, or
ink that the no-digit model (``digitlib.reading.any_digit``) is all but sure is no digit.
A blank or near-blank image (nothing but specks) gives ``None`` / ``[]``. Bad input raises a
``ValueError`` or ``TypeError`` that names the problem (images above
``digitlib.reading.images.MAX_PIXELS``, 25 megapixels, are refused); model problems raise
``ModelError``, a ``ValueError``.
"""

import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitlib import config
from digitlib.reading import any_digit, images, paper, runtime, segment, touching, whole_digit
from digitlib.reading.preprocess import MNIST_SIZE, stroke_width, to_mnist

UNSURE_BELOW = 0.80  # a softmax probability below this is reported as unsure
LOW_CONFIDENCE = "low confidence"  # the reason given then; any other reason doubts the ink
TOO_WIDE = 2.5  # ink more than 2.5 times wider than tall is no digit (MNIST: at most 1.7)
BLOB = 0.4  # stroke width over the ink's longer side: MNIST at most 0.33, a filled dot 0.5
# Share of a digit's box covered by specks (``segment.Segment.clutter``): canvases of MNIST
# training digits, touching or not, with or without grain, have at most a few percent; random
# noise photos 7 % or more.
SPECKLED = 0.05
# A digit is drawn in one to three separate marks (a 4 or a 5 in two strokes, a dotted 7);
# read as one digit, more than this are scattered marks or noise.
SCATTERED = 3
# The readers of touching digits (``Predictor(touching=...)``): "search" is segmentation by
# recognition (``digitlib.reading.touching``); "columns" is the reader before it, kept for
# comparison (``make bench-strings``).
TOUCHING_READERS = ("search", "columns")
# The "columns" reader: a piece read less surely than SPLIT_BELOW is tried cut in two at a column
# (``segment.split_touching``); the halves replace it when both read at least SPLIT_SURE surely
# and each one's chance of being wrong (1 - confidence) is below SPLIT_ODDS times the whole's.
SPLIT_BELOW = 0.9999
SPLIT_SURE = 0.9
SPLIT_ODDS = 0.2
# ``Predictor.runtime`` when the model call was given (``Predictor(model_call=...)``).
GIVEN_MODEL_CALL = "the model_call given"
# The unsure rules: "today" is confidence and the shape of the box (``implausible``);
# "no-digit" also asks whether the ink looks like any digit at all (``no_digit``, issue #30).
UNSURE_RULES = ("today", "no-digit")
# The no-digit model (``digitlib.reading.any_digit``) doubts a reading when it is all but sure the
# ink is no digit: at even odds it doubted too many MNIST validation digits (bench-unsure).
NO_DIGIT_SURE = 0.99
NOT_A_DIGIT = "does not look like any digit"  # how every reason of ``no_digit`` begins
NO_DIGIT_MODEL = f"{NOT_A_DIGIT}: the no-digit model is sure of it"  # the reason it gives
# The companion model (``digitlib.reading.whole_digit``) thinks a piece is not one whole digit when
# its P(not one whole digit) is above even odds: the point where it leans towards "not a digit".
NOT_WHOLE_ODDS = 0.5
# ... and the digit model doubts a piece that it reads less surely than this. The companion alone
# is too wary of lone digits (it was trained mostly on fragments), so a piece is doubted only
# when both models doubt it; below this the digit model is rarely unsure of a real digit.
SURE_ENOUGH = 0.99
# Stroke length over the ink's longer side above which the ink is no digit (``ink_length``):
# about the longest of MNIST's training digits on a pad; longer is a scribble, zigzag or coil.
LONGEST_DIGIT = 3.0


@dataclass(eq=False)
class Prediction:
    """The reading of one digit."""

    digit: int
    confidence: float  # probability of ``digit``, in [0, 1]
    probabilities: np.ndarray  # (10,) softmax probabilities of the digits 0-9
    top3: list[tuple[int, float]]  # the three likeliest (digit, probability), likeliest first
    unsure: bool  # True when the reading should not be trusted; ``reason`` says why
    image28: np.ndarray  # the (28, 28) float32 image the model saw
    reason: str = ""  # "" when sure, else e.g. "low confidence (62%)" or "a filled blob"
    source: str = "drawing"  # how the ink was read: "drawing" (pad) or "photo" (reading.paper)


@dataclass(eq=False)
class Detection(Prediction):
    """A digit found on a canvas: its box plus every field of ``Prediction``."""

    box: tuple[int, int, int, int] = field(kw_only=True)  # left, top, right, bottom (exclusive)


class Readings(segment.Found):
    """What ``predict_digits`` returns: a list of ``Detection`` plus ``warnings``, the
    sentences a front end should show (e.g. that some ink was left out), and the ``page`` of
    ink it was read from."""

    def __init__(self, items=(), warnings=(), page=None):
        super().__init__(items, warnings)
        self.page = page


class ModelError(ValueError):
    """The model file cannot serve as a digit reader; the message says why."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """There is no model file yet."""


def limit_threads(count: int = 1) -> bool:
    """Let TensorFlow run each op on ``count`` threads; returns whether it took effect.

    When TensorFlow runs the model (``runtime.TENSORFLOW``), one thread is about twice as fast
    as the default for one drawing at a time on a small, busy machine (idle worker threads
    compete with the preprocessing). ONNX Runtime has its own pool (``runtime.THREADS``: two
    threads that sleep when idle, so they do not compete).
    It only works before TensorFlow starts, and it holds for the whole process: programs that
    only read digits (the CLI, the Tk app, bench-predict) call it first; a notebook that also
    trains should not.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(count)
        tf.config.threading.set_inter_op_parallelism_threads(count)
    except RuntimeError:  # TensorFlow has already started
        return False
    return True


class Predictor:
    """Reads digits with a trained model, loaded once and compiled once.

    ``model``: a Keras model (converted to ONNX in memory, ``runtime.compile_model``) or a
    ``runtime.OnnxModel`` (run as it is; ``load`` gives one, the model's ONNX copy).
    ``touching``: how a piece of ink that may hold several touching digits is read, "search"
    (segmentation by recognition, the default) or "columns" (the reader before it: one cut at a
    column). ``model_call``: a function from a float32 batch (N, 28, 28, 1) to probabilities
    (N, 10) that runs the model instead of the compiled one (e.g. ``runtime.tensorflow_graph``
    or Keras's ``model.predict``, to compare them on the same path); ``runtime`` then says
    ``GIVEN_MODEL_CALL``.
    """

    def __init__(self, model, unsure_below: float = UNSURE_BELOW, path=None,
                 unsure_rule: str = "no-digit", touching: str = "search", model_call=None):
        check_model(model)
        if not 0.0 <= unsure_below <= 1.0:
            raise ValueError(f"unsure_below must be in [0, 1], got {unsure_below!r}")
        if unsure_rule not in UNSURE_RULES:
            raise ValueError(f"unsure_rule must be one of {UNSURE_RULES}, got {unsure_rule!r}")
        if touching not in TOUCHING_READERS:
            raise ValueError(f"touching must be one of {TOUCHING_READERS}, got {touching!r}")
        if model_call is not None and not callable(model_call):
            raise TypeError(f"model_call must be a function batch -> probabilities, got "
                            f"{type(model_call).__name__}")
        onnx_model = isinstance(model, runtime.OnnxModel)
        self._keras_model = None if onnx_model else model  # else loaded on first use (.model)
        self._keras_threads = None  # ``load(threads=...)``: limit TensorFlow first, if it loads
        self.path = path  # where the model was loaded from, if from a file
        # the ONNX copy it runs, when it runs one (``load``); None when converted in memory
        self.onnx_path = model.path if onnx_model else None
        self.unsure_below = unsure_below
        self.unsure_rule = unsure_rule  # "no-digit", or "today": the rule before issue #30
        self.touching = touching  # "search", or "columns": the reader before it
        try:
            # self.runtime: "ONNX Runtime", or "TensorFlow" when the model cannot be converted
            if model_call is not None:
                self._run, self.runtime = model_call, GIVEN_MODEL_CALL
            elif onnx_model:
                self._run, self.runtime = model, runtime.ONNX_RUNTIME
            else:
                self._run, self.runtime = runtime.compile_model(model)
            warm_up = self.classify(np.zeros((1, MNIST_SIZE, MNIST_SIZE), np.float32))
        except Exception as error:  # whatever the runtime raised, say it in one line
            raise ModelError(f"the model cannot be run: {type(error).__name__}: "
                             f"{one_line(error)}") from None
        if not np.allclose(warm_up.sum(axis=1), 1.0, atol=1e-3) or warm_up.min() < 0:
            raise ModelError("the model's outputs are not probabilities: it must end in softmax")

    @property
    def model(self):
        """The Keras model, for what needs more than its outputs (Why? heat maps, feature maps,
        attacks): loaded from ``path`` on first use, since reading digits runs the ONNX copy."""
        if self._keras_model is None:
            if self.path is None:
                raise ModelError("this predictor runs an ONNX model given in code: there is no "
                                 "Keras model to load (load it with Predictor.load(PATH.keras))")
            if self._keras_threads is not None:
                limit_threads(self._keras_threads)
            self._keras_model = load_model(self.path)
        return self._keras_model

    @classmethod
    def load(cls, path=None, threads: int | None = None, onnx_copy: bool = True,
             **options) -> "Predictor":
        """Load a saved model and make it ready to read digits.

        ``path``: a model name from ``config.MODEL_NAMES`` ("committed", "mine", "personal") or
        a file; None means the active model (``config.model_path()``). The model's ONNX copy
        (``runtime.load_copy``) runs it when it is up to date, without TensorFlow; otherwise the
        Keras model is loaded and converted in memory, and the conversion is kept as its copy
        when it may be written (``runtime.write_copy``), so that happens once.
        ``onnx_copy=False`` ignores the copy and writes none: the way before the copies (for
        ``make bench-start``). ``threads=1`` calls ``limit_threads(1)`` before TensorFlow loads:
        right for programs that only read digits (the CLI, the Tk app); leave it out in a
        notebook that also trains. The string reader's companion model
        (``digitlib.reading.whole_digit``) is loaded here too, the same way, when there is one.
        """
        name = path
        path = config.model_path(path)
        if not path.is_file():
            if name == "personal" or path == config.PERSONAL_MODEL_PATH:
                raise ModelNotFoundError(
                    f"no personal model at {path}: save some of your digits, then make it "
                    f"with `python -m digitlib finetune`"
                )
            raise ModelNotFoundError(
                f"no model at {path}: train one with `python -m digitlib train` (or `make model`)"
            )
        if not isinstance(onnx_copy, bool):
            raise TypeError(f"onnx_copy must be True or False, got {onnx_copy!r}")
        copy = runtime.load_copy(path) if onnx_copy else None
        if copy is not None:
            predictor = cls(copy, path=path, **options)
            predictor._keras_threads = threads
        else:
            if threads is not None:
                limit_threads(threads)
            predictor = cls(load_model(path), path=path, **options)
            if onnx_copy:
                predictor.onnx_path = runtime.write_copy(predictor._run, path)
        whole_digit.load(onnx_copy)  # the string reader's companion model, if there is one
        any_digit.load(onnx_copy)  # the no-digit model, if there is one
        return predictor

    def classify(self, images28) -> np.ndarray:
        """Probabilities (N, 10) for images (N, 28, 28) in [0, 1], in one call of the model."""
        batch = np.asarray(images28, dtype=np.float32).reshape(-1, MNIST_SIZE, MNIST_SIZE, 1)
        return self._run(batch)

    def predict_digit(self, image, photo: bool | None = None) -> Prediction | None:
        """Read the drawing as one digit; None when nothing is drawn.

        ``photo``: None tells a photo or scan of paper from a pad drawing by itself
        (``digitlib.reading.paper``), True or False forces it; ``result.source`` says which was
        used.
        """
        found = self._read(image, photo, self._whole)
        for note in found.warnings:  # what predict_digits says in its warnings
            warnings.warn(note, images.ImageWarning, stacklevel=2)
        return found[0] if found else None

    def predict_digits(self, image, photo: bool | None = None) -> "Readings":
        """Read every digit on a canvas, in reading order; [] when nothing is drawn.

        The result is a list of ``Detection``; its ``warnings`` (a list of sentences) say what
        the reader should know, e.g. that some ink was left out. ``photo`` as in
        ``predict_digit``; on a photo the boxes are in the original's pixels.
        """
        return self._read(image, photo, self._pieces)

    def _read(self, image, photo, read) -> "Readings":
        """``read(page)`` of the picture's page, read as a photo or a drawing as ``photo`` says.

        When left to guess (``photo=None``), the guess never costs a visible digit. A picture
        with a flat ground is a drawing. Any other is read as a photo of paper first; but a
        photo whose ink fills the picture (a digit cropped tight from a scan or a screenshot),
        light ink on a dark ground, a picture too dark for a photo, and a reading that finds
        nothing or only ink that cannot be a digit, are read as a drawing too, and the more
        plausible reading is kept (``_plausibility``). A photo of which nothing was found stays
        blank unless the edge cut off a mark or the ground is dark, and the drawing's reading
        finds a digit it is sure of: read as a drawing, blank paper's shadows pass for ink.
        """
        if photo not in (None, True, False):
            raise TypeError(f"photo must be True, False or None (decide), got {photo!r}")
        decoded = paper.decode(image)
        if photo is not None:
            return read(paper.page_of(decoded, photo))
        if not decoded.looks_like_photo():
            return read(paper.page_of(decoded, False))  # a flat ground: no photo of paper
        try:
            first = read(paper.page_of(decoded, True))
        except paper.TooDarkError:
            other = read(paper.page_of(decoded, False))
            if _plausibility(other) == NOTHING:
                raise
            return other
        # Light ink on a dark ground may be a crop, or a photo in a deep shadow, and a photo
        # whose ink fills the picture is a crop around it: both are the drawing path's kind of
        # picture, so they are read that way too (and a crop's tie goes to the drawing).
        dark_ground = paper.light_on_dark(decoded.grey)
        cropped = first.page.cropped
        if not first:  # blank paper and walls stay blank: no edge cut a mark, or no sure digit
            if not (first.page.cut_off or dark_ground):
                return first
            other = read(paper.page_of(decoded, False))
            return other if _plausibility(other) > NOTHING else first
        if not (cropped or dark_ground or any(_shape_doubt(reading) for reading in first)):
            return first  # digits, each one of them plausible (if not surely read)
        other = read(paper.page_of(decoded, False))
        if _plausibility(other) > _plausibility(first) or (
                cropped and _plausibility(other) == _plausibility(first)):
            return other
        return first

    def _whole(self, page) -> "Readings":
        """All the ink on ``page`` read as one digit (``predict_digit``)."""
        found = segment.whole_drawing(page.ink)
        if found is None:
            return Readings(warnings=page.notes, page=page)
        image28 = to_mnist(found.ink)
        reading = self._reading(Prediction, self.classify(image28[np.newaxis])[0], image28,
                                found, source=page.source)
        return Readings(self._doubt([reading], [found]), page.notes, page=page)

    def _pieces(self, page) -> "Readings":
        """Every digit on ``page``, in reading order (``predict_digits``)."""
        found = segment.find_digits(page.ink)
        notes = page.notes + found.warnings
        if not found:
            return Readings(warnings=notes, page=page)
        readings = self._detections(found)  # every digit in one call of the model
        if self.touching == "search":  # segmentation by recognition (digitlib.reading.touching)
            digits = touching.read_pieces(
                found, readings, self.classify,
                lambda p, image28, piece: self._reading(Detection, p, image28, piece,
                                                        box=piece.box))
        else:  # the reader before it, kept for comparison (bench-strings, tests): doubtful wide
            # pieces cut in two at a column, the halves kept when they read much more surely
            splits = [segment.split_touching(digit) if reading.confidence < SPLIT_BELOW else []
                      for digit, reading in zip(found, readings, strict=True)]
            halves = iter(self._detections([half for pairs in splits for pair in pairs
                                            for half in pair]))
            digits = [digit for reading, pairs in zip(readings, splits, strict=True)
                      for digit in _touching(reading, [(next(halves), next(halves))
                                                       for _ in pairs])]
        digits = self._doubt(digits, found)  # issue #30: does the ink look like any digit?
        if page.source == paper.PHOTO or page.scale != 1.0:  # boxes in the original's pixels
            for digit in digits:
                digit.source, digit.box = page.source, page.to_original(digit.box)
        else:
            for digit in digits:
                digit.source = page.source
        return Readings(digits, notes, page=page)

    def _detections(self, pieces: list[segment.Segment]) -> list[Detection]:
        """Read each piece of ink as one digit, in one call of the model."""
        if not pieces:
            return []
        batch = np.stack([to_mnist(piece.ink) for piece in pieces])
        return [self._reading(Detection, p, image28, piece, box=piece.box)
                for p, image28, piece in zip(self.classify(batch), batch, pieces, strict=True)]

    def _reading(self, kind, probabilities, image28, found, **extra):
        order = np.argsort(probabilities)[::-1]
        confidence = float(probabilities[order[0]])
        reason = implausible(found)
        if not reason and confidence < self.unsure_below:
            reason = f"{LOW_CONFIDENCE} ({confidence:.0%})"
        return kind(
            digit=int(order[0]),
            confidence=confidence,
            probabilities=probabilities,
            top3=[(int(d), float(probabilities[d])) for d in order[:3]],
            unsure=bool(reason),
            image28=image28,
            reason=reason,
            **extra,
        )

    def _doubt(self, readings: list, pieces: list[segment.Segment]) -> list:
        """``readings`` of the ink ``pieces`` (in order; a piece may be read as several digits),
        each marked unsure when its ink does not look like any digit (``no_digit``) under the
        "no-digit" rule. The companion model reads, in one call, only the readings whose
        verdict it can change: digits cut from one piece, and single ones read less surely than
        ``SURE_ENOUGH``. The no-digit model then reads, in one call, every reading still sure:
        a scribble or a chevron is often read as a digit at 100 %."""
        if self.unsure_rule == "today" or not readings:
            return readings
        groups = _grouped(readings, pieces)
        asked = [k for _, members in groups for k in members if len(members) > 1 or (
            not readings[k].unsure and readings[k].confidence < SURE_ENOUGH)]
        not_whole = dict.fromkeys(asked)
        opinions = (whole_digit.opinions(np.stack([readings[k].image28 for k in asked]))
                    if asked else None)
        if opinions is not None:
            not_whole.update(zip(asked, map(float, opinions[:, whole_digit.NOT_WHOLE_CLASS]),
                                 strict=True))
        for piece, members in groups:
            reason = no_digit(piece, [readings[k] for k in members],
                              [not_whole.get(k) for k in members])
            for k in members:
                if reason and not readings[k].unsure:
                    readings[k].unsure, readings[k].reason = True, reason
        sure = [k for k, reading in enumerate(readings) if not reading.unsure]
        doubts = any_digit.no_digit(np.stack([readings[k].image28 for k in sure])) if sure else None
        for k, doubt in zip(sure, [] if doubts is None else doubts, strict=False):
            if doubt > NO_DIGIT_SURE:
                readings[k].unsure, readings[k].reason = True, NO_DIGIT_MODEL
        return readings


def _grouped(readings, pieces) -> list[tuple[segment.Segment, list[int]]]:
    """Which readings (indices, in order) came from which piece of ink: a reading's box lies in
    its piece's box, and readings come piece by piece."""
    groups, at = [], 0
    for number, piece in enumerate(pieces):
        later = pieces[number + 1] if number + 1 < len(pieces) else None
        members = []
        while at < len(readings) and _inside(_box(readings[at], piece), piece.box) and not (
                members and later is not None and readings[at].box == later.box):
            members.append(at)
            at += 1
        if members:
            groups.append((piece, members))
    return groups + [(None, [k]) for k in range(at, len(readings))]  # none should be left


def _box(reading, piece):
    return getattr(reading, "box", piece.box)  # a Prediction of the whole drawing has no box


def _inside(box, outer) -> bool:
    return (box[0] >= outer[0] and box[1] >= outer[1] and box[2] <= outer[2]
            and box[3] <= outer[3])


def ink_length(found: segment.Segment) -> float:
    """How long the strokes of ``found`` are, over its ink's longer side: ink area over stroke
    width. A 1 is about 1, an 8 about 2.5; a scribble or a zigzag far more."""
    left, top, right, bottom = found.box
    mask = found.ink > segment.INK_LEVEL
    return float(np.count_nonzero(mask) / max(stroke_width(mask), 1.0)
                 / max(right - left, bottom - top, 1))


def no_digit(found: segment.Segment | None, readings: list, not_whole: list) -> str:
    """Why the ink ``found``, read as ``readings`` (one or several digits), looks like no digit
    ("" when it may be digits). ``not_whole``: the companion model's P(not one whole digit) of
    each reading (None: there is no companion model)."""
    if found is None:
        return ""
    known = [doubt for doubt in not_whole if doubt is not None]
    if len(readings) > 1:  # one piece of ink read as several digits (touching digits?)
        if any(doubt > NOT_WHOLE_ODDS for doubt in known):
            return f"{NOT_A_DIGIT}: its parts are no whole digits"
        return ""
    (reading,) = readings
    if ink_length(found) > LONGEST_DIGIT:
        return f"{NOT_A_DIGIT}: far more ink than a digit has"
    if known and known[0] > NOT_WHOLE_ODDS and reading.confidence < SURE_ENOUGH and (
            touching.may_hold_several(found, reading.confidence, 1.0 - known[0])):
        return f"{NOT_A_DIGIT}: neither model is sure of it"
    return ""


def load_model(path):
    """The Keras model saved at ``path``, checked to be a digit reader, or ``ModelError``
    saying in one line what is wrong with the file (empty, not a model, damaged, wrong shape)."""
    import zipfile

    import keras

    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"no model at {path}" if not path.exists() else
                                 f"the model path {path} is a folder, not a .keras file")
    size = path.stat().st_size
    if size == 0:
        raise ModelError(f"could not load the model {path}: it is empty (0 bytes), its save "
                         f"did not finish; make it again")
    if path.suffix == ".keras" and not zipfile.is_zipfile(path):
        raise ModelError(f"could not load the model {path}: it is damaged or not a Keras model "
                         f"({size:,} bytes, not the zip archive a .keras file is); make it again")
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises many kinds for unreadable files
        raise ModelError(f"could not load the model {path}: {one_line(error)}") from None
    check_model(model)
    return model


def check_model(model) -> None:
    """Raise ``TypeError`` or ``ModelError`` unless ``model`` (a Keras model, or an ONNX one:
    ``runtime.OnnxModel``, checked by its signature) maps (N, 28, 28, 1) images to (N, 10)
    scores."""
    if isinstance(model, runtime.OnnxModel):
        input_shape, output_shape = model.input_shape, model.output_shape
    else:
        keras = sys.modules.get("keras")  # a Keras model exists only once Keras is imported
        if keras is None or not isinstance(model, keras.Model):
            raise TypeError(f"expected a keras.Model or a runtime.OnnxModel, got "
                            f"{type(model).__name__}")
        try:
            input_shape, output_shape = model.input_shape, model.output_shape
        except (AttributeError, ValueError):  # a model that was never built
            input_shape = output_shape = None
    expected = (None, MNIST_SIZE, MNIST_SIZE, 1)
    if not (isinstance(input_shape, tuple) and input_shape[1:] == expected[1:]):
        raise ModelError(f"the model takes input of shape {input_shape}, but a digit "
                         f"reader needs {expected}: train one with `python -m digitlib train`")
    if output_shape != (None, 10):
        raise ModelError(f"the model outputs shape {output_shape}, not (None, 10)")


def one_line(error) -> str:
    """An exception's message on one line, without terminal colour codes (Keras adds them)."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(error))
    return " ".join(part.strip() for part in text.splitlines() if part.strip()) or (
        type(error).__name__)


def _touching(whole: Detection, splits: list[tuple[Detection, Detection]]) -> list[Detection]:
    """``[whole]``, or the two halves of its best split when both read as digits surely (at
    least ``SPLIT_SURE``) and surer than the whole: then two digits touched."""

    def sureness(pair):
        return min(0.0 if half.unsure else half.confidence for half in pair)

    best = max(splits, key=sureness, default=None)
    if best and sureness(best) >= SPLIT_SURE and (
            1 - sureness(best) < SPLIT_ODDS * (1 - whole.confidence)):
        return list(best)
    return [whole]


NOTHING, DOUBTFUL, PLAUSIBLE = 0, 1, 2  # ``_plausibility``, from worst to best


def _plausibility(readings) -> int:
    """How plausible a reading of a picture is, to choose between the two ways of reading it:
    ``PLAUSIBLE`` when every piece of ink found reads surely as a digit, ``DOUBTFUL`` when only
    some do, ``NOTHING`` when none does (nothing found, a smudge, a shadow read unsurely). The
    count of digits is left out on purpose: the wrong way of reading a picture breaks its ink
    into more pieces, or joins it into fewer, as often as not."""
    sure = sum(not reading.unsure for reading in readings)
    if sure == 0:
        return NOTHING
    return PLAUSIBLE if sure == len(readings) else DOUBTFUL


def _shape_doubt(reading) -> bool:
    """Whether the reading was doubted for its ink's shape (``implausible``), not only for a
    low probability."""
    return bool(reading.reason) and not reading.reason.startswith(LOW_CONFIDENCE)


def implausible(found: segment.Segment) -> str:
    """Why this ink cannot be a digit ("" when it can): scattered marks read as one, a piece of
    noise (its box or its picture full of specks), too wide, or a filled blob."""
    left, top, right, bottom = found.box
    if found.scattered > SCATTERED:
        return f"{found.scattered} separate marks, not one digit"
    if found.clutter > SPECKLED:
        return "among specks of noise, not handwriting"
    width, height = right - left, bottom - top
    if width > TOO_WIDE * height:
        return "much wider than tall: a line, not a digit"
    mask = found.ink > segment.INK_LEVEL
    if stroke_width(mask) > BLOB * max(width, height):
        return "a filled blob or a dot, not a digit"
    return ""
