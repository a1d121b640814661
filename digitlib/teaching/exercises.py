"""Exercises that check themselves: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

Each notebook ends with a few exercises. Load them, write your answer, then check it:

    from digitlib.teaching import exercises
    q1, q2 = exercises.notebook(2)

    my_normalize = ...      # your answer
    q2.check()              # one sentence: correct, or what is wrong

    q2.hint()               # a nudge
    q2.solution()           # the code of one solution

How a check finds your answer: every exercise names the variable that holds it (``q2.variable``
is ``"my_normalize"``), and ``check()`` reads that name from the namespace it is called from,
the notebook's own variables. That is the learntools habit (``q1.check()`` with nothing to
pass), but without its ``binder.bind(globals())`` set-up cell, which learners forget to run; and
it can tell "not defined yet" (you skipped the answer cell) from "not answered yet" (the cell
still holds ``...`` or ``None``), which an explicit argument cannot: Python would raise a
``NameError`` before the check even started. ``check(value)`` checks a value passed explicitly
instead: scripts and the tests use that.

Checks test the property that matters (the counts are MNIST's, the values are pixel / 255 in
float32 with a channel axis, the model is read as a 7), so any correct answer passes, and they
recognise the usual mistakes and name them. Long experiments use fast-mode sizes when
``DIGITS_FAST=1`` (``digitlib.config.fast_mode``).

Every exercise passed is written down in ``data/exercises_completed.json``; ``progress()`` and
``python -m digitlib progress`` list them, so a teacher can ask a class to show how far they got.
"""

import dataclasses
import functools
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from digitlib import config, files

PROGRESS_FILE = "exercises_completed.json"
NOT_GIVEN = object()  # check() called without a value: read the answer from the caller


# --- what check(), hint() and solution() show --------------------------------------------------


class Incorrect(Exception):
    """Raised by a check with the one sentence that says what is wrong."""


class NotAnswered(Exception):
    """Raised by a check when the answer is still the blank: a function that returns ``...``."""


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``status`` is "correct", "incorrect" or "unanswered"."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


@dataclass(frozen=True)
class Text:
    """Plain text that shows as itself in a notebook (a hint, the progress list)."""

    text: str

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


@dataclass(frozen=True)
class Code:
    """Solution code: highlighted in JupyterLab, plain in a terminal."""

    code: str

    def __repr__(self) -> str:
        return "Solution:\n" + self.code

    __str__ = __repr__

    def _repr_markdown_(self) -> str:
        return f"Solution:\n\n```python\n{self.code}\n```"


# --- one exercise ------------------------------------------------------------------------------


@dataclass
class Exercise:
    """One checked exercise of a notebook."""

    key: str  # "02.q1": notebook 02, question 1
    variable: str  # the name the learner's answer is stored under
    title: str
    checker: Callable  # checker(answer, namespace) -> success sentence, or raises Incorrect
    hints: list[str]
    solution_code: str

    def check(self, answer=NOT_GIVEN, namespace=None) -> Feedback:
        """Check the answer (read from the caller's variables unless given) in one sentence.

        ``namespace``: where to read the answer and the variables a check compares with, such
        as ``scores`` in notebook 05 (default: the caller's globals, the notebook's variables).
        """
        if namespace is None:
            namespace = sys._getframe(1).f_globals
        if answer is NOT_GIVEN:
            if self.variable not in namespace:
                return Feedback("unanswered", f"Not defined yet: `{self.variable}` does not exist; "
                                              f"run the answer cell above, then check again.")
            answer = namespace[self.variable]
        try:
            if answer is None or answer is Ellipsis:
                raise NotAnswered
            message = self.checker(answer, namespace)
        except NotAnswered:
            return Feedback("unanswered", f"Not answered yet: replace the `...` in the cell "
                                          f"that makes `{self.variable}` with your answer, run "
                                          f"it, then run this check again.")
        except Incorrect as wrong:
            return Feedback("incorrect", f"Not quite: {wrong}")
        except Exception as error:  # an answer no check foresaw: a sentence, not a traceback
            return Feedback("incorrect", f"Not quite: your answer, a {type(answer).__name__}, "
                                         f"could not be checked ({type(error).__name__}: "
                                         f"{error}); compare its type and shape with the task.")
        record_completed(self.key)
        return Feedback("correct", f"Correct: {message}")

    def hint(self, number: int = 1) -> Text:
        """The first hint, or hint ``number`` when there are several."""
        if not 1 <= number <= len(self.hints):
            raise ValueError(f"hint number must be 1 to {len(self.hints)}, got {number!r}")
        more = (f" (more: {self.short_name}.hint({number + 1}))"
                if number < len(self.hints) else "")
        return Text(f"Hint: {self.hints[number - 1]}{more}")

    def solution(self) -> Code:
        return Code(textwrap.dedent(self.solution_code).strip())

    @property
    def short_name(self) -> str:
        return self.key.split(".")[1]

    def __repr__(self) -> str:
        return (f"{self.short_name} ({self.title}): write `{self.variable} = ...`, then "
                f"{self.short_name}.check()")


# --- reference data, loaded once and only when a check needs it --------------------------------


@functools.cache

def _a(name: str) -> str:
    """``name`` with its article: "a list", "an Image"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"

def _mnist():
    from digitlib.datasets import mnist

    return mnist.load_mnist()


@functools.cache
def _network():
    from digitlib.training import model

    return model.build_model()


@functools.cache
def _predictor():
    from digitlib.reading.predict import Predictor

    return Predictor.load()  # the active model, as notebook 06 uses


@functools.cache
def _committed_test_predictions() -> np.ndarray:
    """The committed model's reading of each test image, as notebook 05 evaluates it."""
    from digitlib.reading.predict import Predictor

    _, (x_test, _) = _mnist()
    probabilities = Predictor.load(config.DEFAULT_MODEL_PATH).classify(x_test / np.float32(255))
    return probabilities.argmax(axis=1)


# --- helpers for the checks --------------------------------------------------------------------


def _whole_number(value, what: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"{what} should be a whole number, not {value!r}.")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise Incorrect(f"{what} should be a whole number, not {_a(type(value).__name__)}.")


def _array(value, what: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception:
        kind = _a(type(value).__name__)
        raise Incorrect(f"{what} should be a NumPy array, not {kind}.") from None
    if array.dtype == object:
        raise Incorrect(f"{what} should be an array of numbers, not {_a(type(value).__name__)} "
                        f"of mixed things.")
    return array


def _call(function, name: str, *arguments):
    if not callable(function):
        raise Incorrect(f"`{name}` should be a function (def {name}(...): ...), not a "
                        f"{type(function).__name__}.")
    try:
        result = function(*arguments)
    except Exception as error:
        raise Incorrect(f"calling your function raised {type(error).__name__}: {error}") from None
    if result is Ellipsis:  # the blank answer cell: `return ...`
        raise NotAnswered
    if result is None:
        raise Incorrect("your function returns None: did you forget the `return` line?")
    return result


# --- notebook 01: load the data ----------------------------------------------------------------


def _check_most_ink(answer, namespace):
    (x_train, y_train), _ = _mnist()
    if isinstance(answer, np.ndarray) and answer.shape[-2:] == (28, 28):
        raise Incorrect("that is an image; give its index in `x_train` (np.argmax gives it).")
    index = _whole_number(answer, "the index of an image")
    if not 0 <= index < len(x_train):
        raise Incorrect(f"{index} is not an index of `x_train`, which runs from 0 to "
                        f"{len(x_train) - 1:,}.")
    ink = x_train.sum(axis=(1, 2), dtype=np.int64)
    if ink[index] == ink.max():
        return (f"image {index} (a {y_train[index]}) holds {ink[index]:,} of ink, the most in "
                f"the training set.")
    if ink[index] == ink.min():
        raise Incorrect("that is the image with the *least* ink: you want the most (np.argmax, "
                        "not np.argmin).")
    raise Incorrect(f"image {index} holds {ink[index]:,} of ink, but another holds "
                    f"{ink.max():,}: sum each image's pixels over axes 1 and 2, take the largest.")


@functools.cache
def _training_labels_by_image() -> dict[bytes, int]:
    """Each training image's bytes -> its label, to recognise images picked from ``x_train``."""
    (x_train, y_train), _ = _mnist()
    return {image.tobytes(): int(label) for image, label in zip(x_train, y_train, strict=True)}


def _check_one_digit(answer, namespace):
    images = _array(answer, "`one_digit`")
    if images.ndim == 1:
        raise Incorrect("these look like labels; give the images themselves, "
                        "x_train[...] with shape (20, 28, 28).")
    if images.shape != (20, 28, 28):
        raise Incorrect(f"wrong shape {images.shape}: give 20 images of 28x28, shape "
                        f"(20, 28, 28).")
    if images.dtype != np.uint8:
        raise Incorrect(f"wrong dtype {images.dtype}: pick the images straight from `x_train` "
                        f"(uint8), without converting them.")
    known = _training_labels_by_image()
    labels = [known.get(image.tobytes()) for image in images]
    if None in labels:
        raise Incorrect(f"image {labels.index(None)} is not a training image: pick them from "
                        f"`x_train`.")
    if len(set(labels)) > 1:
        shown = ", ".join(str(digit) for digit in sorted(set(labels)))
        raise Incorrect(f"these images show several digits ({shown}): keep the images whose "
                        f"label is the digit you chose, x_train[y_train == 4].")
    return (f"20 training images of a {labels[0]}; look for open and closed tops, slants and "
            f"strokes added or left out.")


def _check_changed(answer, namespace):
    from digitlib.datasets import mnist

    (x_train, y_train), (x_test, y_test) = _mnist()
    changed = _array(answer, "`changed`")
    learners = namespace.get("x_train")
    if isinstance(learners, np.ndarray) and np.may_share_memory(changed, learners):
        raise Incorrect("`changed` shares its pixels with `x_train`, so you changed `x_train` "
                        "too: start from `x_train.copy()` (and reload `x_train` with "
                        "mnist.load_mnist()).")
    if changed.shape != x_train.shape:
        raise Incorrect(f"wrong shape {changed.shape}: `changed` should be a copy of the whole "
                        f"`x_train`, shape {x_train.shape}.")
    if changed.dtype != np.uint8:
        raise Incorrect(f"wrong dtype {changed.dtype}: keep the copy uint8, like `x_train` "
                        f"(x_train.copy()).")
    different = int((changed != x_train).sum())
    if different == 0:
        raise Incorrect("not a single pixel differs from MNIST's `x_train`: change one, for "
                        "example changed[0, 14, 14] += 1.")
    if different > 1:
        raise Incorrect(f"{different:,} pixels differ from `x_train`; change exactly one.")
    fingerprint = mnist.dataset_sha256(changed, y_train, x_test, y_test)
    return (f"one pixel of 47 million changed the fingerprint from "
            f"{mnist.EXPECTED_SHA256[:10]}… to {fingerprint[:10]}…, so a damaged download "
            f"cannot go unnoticed.")


# --- notebook 02: preprocess -------------------------------------------------------------------


def _check_standardized(answer, namespace):
    (x_train, _), _ = _mnist()
    values = _array(answer, "`standardized`")
    if values.shape not in {x_train.shape, x_train.shape + (1,)}:
        raise Incorrect(f"wrong shape {values.shape}: standardise all of `x_train`, shape "
                        f"{x_train.shape} (or {x_train.shape + (1,)} with a channel axis).")
    if not np.issubdtype(values.dtype, np.floating):
        raise Incorrect(f"wrong dtype {values.dtype}: standardised values are fractions and "
                        f"negative, so convert to float32 first (x_train.astype(np.float32)).")
    values = values.reshape(x_train.shape)
    mean, spread = float(values.mean(dtype=np.float64)), float(values.std(dtype=np.float64))
    per_image_means = values.mean(axis=(1, 2), dtype=np.float64)
    if np.abs(per_image_means).max() < 1e-3:
        raise Incorrect("you standardised each image with its own mean and standard deviation; "
                        "use one mean and one standard deviation, those of the whole training set.")
    if values.min() >= 0 and values.max() <= 1 + 1e-6:
        raise Incorrect("these values are scaled to [0, 1] (divided by 255), not standardised: "
                        "subtract the mean and divide by the standard deviation.")
    centred, unit = abs(mean) < 1e-2, abs(spread - 1) < 1e-2
    if centred and not unit:
        raise Incorrect(f"the mean is 0 but the standard deviation is {spread:.3g}: divide by "
                        f"the training set's standard deviation too.")
    if unit and not centred:
        raise Incorrect(f"the standard deviation is 1 but the mean is {mean:.3g}: subtract the "
                        f"training set's mean before dividing.")
    if not (centred and unit):
        raise Incorrect(f"the mean is {mean:.3g} and the standard deviation {spread:.3g}; "
                        f"standardised values have mean 0 and standard deviation 1.")
    sample = np.random.default_rng(config.SEED).integers(0, x_train.size, 2000)
    pixels = x_train.reshape(-1)[sample].astype(np.float64)
    expected = (pixels - x_train.mean(dtype=np.float64)) / x_train.std(dtype=np.float64)
    if not np.allclose(values.reshape(-1)[sample], expected, atol=1e-2):
        raise Incorrect("mean 0 and standard deviation 1, but your values are not (pixel - mean) "
                        "/ std of the same pixels of `x_train`.")
    return (f"mean {abs(mean):.2f} and standard deviation {spread:.2f}; the histogram keeps its "
            f"shape, only shifted and stretched (background is now {values.min():.2f}).")


def _check_my_normalize(answer, namespace):
    (x_train, _), _ = _mnist()
    images = x_train[:8].copy()
    images[1] //= 2  # a faint image, brightest pixel 127: normalising must not brighten it
    result = _array(_call(answer, "my_normalize", images.copy()), "what your function returns")
    expected_shape = images.shape + (1,)
    if result.shape == images.shape:
        raise Incorrect(f"wrong shape {result.shape}: add a channel axis at the end, so "
                        f"(N, 28, 28) becomes (N, 28, 28, 1) (for example with [..., np.newaxis]).")
    if result.shape != expected_shape:
        raise Incorrect(f"wrong shape {result.shape}: for 8 images of 28x28 expected "
                        f"{expected_shape}.")
    if np.issubdtype(result.dtype, np.integer) or result.dtype == bool:
        raise Incorrect(f"wrong dtype {result.dtype}: whole numbers cannot hold values between "
                        f"0 and 1; convert to float32 before dividing (and divide with /, not //).")
    if result.dtype != np.float32:
        raise Incorrect(f"wrong dtype {result.dtype}: the model works in float32 "
                        f"(.astype(np.float32)), which also takes half the memory of float64.")
    pixels = result[..., 0]
    if pixels.max() > 1.5:
        raise Incorrect(f"off by a factor of 255: the values reach {pixels.max():.0f}; divide "
                        f"by 255 so they lie in [0, 1].")
    if np.allclose(pixels, images / 255.0, atol=1e-6):
        return "float32 in [0, 1] with shape (N, 28, 28, 1), exactly what the model expects."
    brightest = images.max(axis=(1, 2), keepdims=True)
    if np.allclose(pixels, images / brightest, atol=1e-6):
        raise Incorrect("you divided each image by its own brightest pixel; divide every image "
                        "by 255 so the same ink gives the same value in every image.")
    image, row, column = np.argwhere(~np.isclose(pixels, images / 255.0, atol=1e-6))[0]
    raise Incorrect(f"image {image}, pixel ({row}, {column}) is {images[image, row, column]} in "
                    f"uint8, so expected {images[image, row, column] / 255:.4f}, got "
                    f"{pixels[image, row, column]:.4f}.")


# --- notebook 03: build the model --------------------------------------------------------------


def _layer_shapes():
    conv1, conv2, dense = (_network().get_layer(name) for name in ("conv1", "conv2", "dense"))
    return conv1.kernel_size[0], conv1.filters, conv2.filters, dense.units


def _check_conv2_parameters(answer, namespace):
    kernel, channels, filters, _ = _layer_shapes()
    count = _whole_number(answer, "`conv2_parameters`")
    expected = _network().get_layer("conv2").count_params()
    if count == expected:
        return (f"{kernel} × {kernel} × {channels} × {filters} = {expected:,} weights, and no "
                f"bias.")
    if count == expected + filters:
        raise Incorrect("that counts a bias per filter, but conv2 has none (use_bias=False: the "
                        "batch normalisation after it adds its own shift).")
    if count in {kernel * kernel * filters, kernel * kernel * filters + filters}:
        raise Incorrect(f"each of the {filters} filters has a {kernel}×{kernel} kernel for every "
                        f"one of the {channels} channels coming from conv1: multiply by "
                        f"{channels} too.")
    raise Incorrect(f"{count:,} is not it: multiply kernel height × width × channels in × "
                    f"filters.")


def _check_dense_without_pooling(answer, namespace):
    kernel, _, filters, units = _layer_shapes()
    count = _whole_number(answer, "`dense_without_pooling`")
    trim = kernel - 1  # a 'valid' convolution loses kernel - 1 rows and columns

    def weights(side):
        return side * side * filters * units

    side = 28 - 2 * trim
    expected = weights(side)
    if count == expected:
        return (f"{side} × {side} × {filters} = {side * side * filters:,} inputs × {units} units "
                f"= {expected:,} weights, "
                f"{expected // _network().get_layer('dense').count_params()} times as many as "
                f"with pooling.")
    after_conv1 = 28 - trim
    mistakes = {
        expected + units: "the dense layer has no bias (use_bias=False); count its weights only.",
        weights(28): f"without padding each {kernel}×{kernel} convolution trims {trim // 2} "
                     f"pixels on every side: 28 → {after_conv1} → {after_conv1 - trim}.",
        weights(after_conv1): f"conv2 trims the image too: {after_conv1} → "
                              f"{after_conv1 - trim}.",
        weights((after_conv1 // 2 - trim) // 2): "that is today's dense layer, with both "
                                                 "pooling layers; remove them both.",
        weights((after_conv1 - trim) // 2): "that still has pool2; remove both pooling layers.",
        weights(after_conv1 // 2 - trim): "that still has pool1; remove both pooling layers.",
    }
    if count in mistakes:
        raise Incorrect(mistakes[count])
    raise Incorrect(f"{count:,} is not it: follow the image size through both convolutions, "
                    f"then multiply its area by {filters} channels and {units} units.")


SMALL_MODEL = {"conv1_filters": 8, "dense_units": 64}  # the smaller model of exercise 3


@functools.cache
def _parameter_changes() -> dict[str, int]:
    """How many parameters each layer loses in the smaller model."""
    from digitlib.training import model

    small = model.build_model(**SMALL_MODEL)
    return {layer.name: layer.count_params() - small.get_layer(layer.name).count_params()
            for layer in _network().layers}


def _check_changes_most(answer, namespace):
    name = getattr(answer, "name", answer)  # a layer object works as well as its name
    if not isinstance(name, str):
        raise Incorrect(f"give the layer's name (a string such as \"conv1\"), not a "
                        f"{type(answer).__name__}.")
    changes = _parameter_changes()
    if name not in changes:
        raise Incorrect(f"there is no layer called {name!r}; the names are "
                        f"{', '.join(changes)}.")
    most = max(changes, key=changes.get)
    if name == "conv1" and name != most:
        raise Incorrect(f"conv1's filters changed, but it only loses {changes[name]:,} "
                        f"parameters: a change ripples into the layers after it.")
    if name != most:
        raise Incorrect(f"{name} loses {changes[name]:,} parameters, but another layer loses "
                        f"more: compare count_params() of each layer in both models.")
    return (f"{name} loses {changes[name]:,} parameters: it had the most to lose, since it "
            f"connects every flattened feature to every unit.")


# --- notebook 04: train ------------------------------------------------------------------------

AUGMENTATION_FIELDS = ("rotation_degrees", "shift_fraction", "zoom_fraction")
# Without augmentation the model may lose up to this much validation accuracy against the
# committed (augmented) model and still count as trained properly (full mode).
NO_AUGMENTATION_MARGIN = 0.01
# In fast mode (1 epoch on 2,000 images) only a model that learnt something passes.
FAST_NO_AUGMENTATION_FLOOR = 0.80


def _same_recipe_otherwise(recipe, reference_class, changed: tuple[str, ...]):
    """The fields other than ``changed`` that differ from both the full and the fast recipe."""
    references = [reference_class(), reference_class.default()]
    differences = []
    for reference in references:
        differences.append([(f.name, getattr(recipe, f.name), getattr(reference, f.name))
                            for f in dataclasses.fields(reference)
                            if f.name not in changed
                            and getattr(recipe, f.name) != getattr(reference, f.name)])
    return min(differences, key=len)


def _check_no_augmentation(answer, namespace):
    from digitlib.training import train

    if not isinstance(answer, train.Recipe):
        raise Incorrect(f"give a train.Recipe (train.Recipe(rotation_degrees=0, ...)), not a "
                        f"{type(answer).__name__}.")
    still_on = [f"{name}={getattr(answer, name)}" for name in AUGMENTATION_FIELDS
                if getattr(answer, name) != 0]
    if still_on:
        raise Incorrect(f"augmentation is still on ({', '.join(still_on)}): set "
                        f"rotation_degrees, shift_fraction and zoom_fraction to 0.")
    others = _same_recipe_otherwise(answer, train.Recipe, AUGMENTATION_FIELDS)
    if others:
        name, value, reference = others[0]
        raise Incorrect(f"only the augmentation should change, but {name} is {value} instead "
                        f"of {reference}: a fair comparison changes one thing at a time.")
    return "the same recipe, without rotations, shifts or zooms."


def _check_no_augmentation_run(answer, namespace):
    if isinstance(answer, tuple) and len(answer) == 3 and isinstance(answer[2], dict):
        network, history, info = answer
    elif isinstance(answer, dict) and "recipe" in answer:
        history, info = None, answer
    else:
        raise Incorrect("give what train.train returns: `no_augmentation_run = "
                        "train.train(no_augmentation)`, the tuple (network, history, info).")
    recipe = info.get("recipe", {})
    still_on = [f"{name}={recipe.get(name)}" for name in AUGMENTATION_FIELDS
                if recipe.get(name) != 0]
    if still_on:
        raise Incorrect(f"this run still used augmentation ({', '.join(still_on)}): train with "
                        f"the `no_augmentation` recipe of the exercise above.")
    accuracy = float(info["validation_accuracy"])
    if config.fast_mode():
        floor = FAST_NO_AUGMENTATION_FLOOR
        expectation = f"at least {floor:.0%} in fast mode"
    else:
        committed = json.loads(config.DEFAULT_MODEL_PATH.with_suffix(".json").read_text())
        augmented = committed["validation_accuracy"]
        floor = augmented - NO_AUGMENTATION_MARGIN
        expectation = f"within a point of the augmented model's {augmented:.2%}"
    if accuracy < floor:
        raise Incorrect(f"validation accuracy {accuracy:.2%} is lower than expected "
                        f"({expectation}): did it train for all of the recipe's epochs on all "
                        f"its images?")
    fit = (f", while it fits its training images at {history.history['accuracy'][-1]:.2%}"
           if history is not None and "accuracy" in getattr(history, "history", {}) else "")
    return f"without augmentation the model reaches {accuracy:.2%} on validation{fit}."


# --- notebook 05: evaluate ---------------------------------------------------------------------


def _check_confusion(answer, namespace):
    from digitlib.datasets import mnist

    confusion = _array(answer, "`my_confusion`")
    if confusion.shape != (10, 10):
        raise Incorrect(f"wrong shape {confusion.shape}: a confusion matrix has a row per true "
                        f"digit and a column per predicted digit, (10, 10).")
    if not np.allclose(confusion, np.round(confusion)):
        raise Incorrect("it holds fractions: count images (whole numbers), don't normalise.")
    confusion = np.round(confusion).astype(np.int64)
    total = int(confusion.sum())
    if total != 10_000:
        raise Incorrect(f"it counts {total:,} images, but the test set has 10,000: count every "
                        f"test image once.")
    if np.trace(confusion) == total:
        raise Incorrect("every image sits on the diagonal: you compared the labels with "
                        "themselves; compare `y_test` with the model's predictions "
                        "(scores.predicted).")
    true_counts = np.array(mnist.EXPECTED_TEST_COUNTS)
    if not np.array_equal(confusion.sum(axis=1), true_counts):
        if np.array_equal(confusion.sum(axis=0), true_counts):
            raise Incorrect("rows and columns are swapped: put the true digit in the row and the "
                            "prediction in the column, confusion[true, predicted].")
        raise Incorrect("each row should hold every test image of one true digit, but the row "
                        "sums are not the test set's digit counts.")
    scores = namespace.get("scores")
    if hasattr(scores, "confusion"):
        reference = scores.confusion
    else:
        from digitlib.training import evaluate

        _, (_, y_test) = _mnist()
        reference = evaluate.confusion_matrix(y_test, _committed_test_predictions())
    if not np.array_equal(confusion, reference):
        raise Incorrect("the rows add up, but the cells differ from evaluate's confusion "
                        "matrix: count confusion[y_test[i], predicted[i]] += 1 for every image.")
    return (f"it sums to 10,000 and its diagonal, {np.trace(confusion):,} digits read right, "
            f"matches evaluate.")


def _least_sure_case():
    """Made-up probabilities (60, 10) and labels: 45 correct readings and 15 mistakes."""
    rng = np.random.default_rng(config.SEED)
    probabilities = rng.dirichlet(np.full(10, 0.3), size=60).astype(np.float32)
    predicted = probabilities.argmax(axis=1)
    labels = predicted.copy()
    wrong = rng.choice(60, 15, replace=False)
    labels[wrong] = (predicted[wrong] + rng.integers(1, 10, 15)) % 10
    return probabilities, labels


def _check_least_sure_correct(answer, namespace):
    probabilities, labels = _least_sure_case()
    count = 5
    result = _array(_call(answer, "least_sure_correct", probabilities.copy(), labels.copy(),
                          count), "what your function returns")
    if np.issubdtype(result.dtype, np.floating) and result.size and result.max() <= 1:
        raise Incorrect("return the images' indices, not their probabilities.")
    if result.ndim != 1 or not np.issubdtype(result.dtype, np.integer):
        raise Incorrect(f"return a 1-D array of indices, got shape {result.shape} of "
                        f"{result.dtype}.")
    if len(result) != count:
        raise Incorrect(f"asked for count={count}, your function returned {len(result)} "
                        f"indices.")
    predicted, top = probabilities.argmax(axis=1), probabilities.max(axis=1)
    correct = np.flatnonzero(predicted == labels)
    order = correct[np.argsort(top[correct], kind="stable")]
    mistakes = [int(i) for i in result if predicted[i] != labels[i]]
    if mistakes:
        raise Incorrect(f"image {mistakes[0]} is read as {predicted[mistakes[0]]} but labelled "
                        f"{labels[mistakes[0]]}: keep only the correctly read images.")
    if set(result.tolist()) == set(order[-count:].tolist()):
        raise Incorrect("these are the *most* sure correct readings: sort by the top "
                        "probability going up.")
    if set(result.tolist()) != set(order[:count].tolist()):
        raise Incorrect("these are correct readings, but not the least sure ones: rank them by "
                        "their top probability, probabilities.max(axis=1).")
    if not np.all(np.diff(top[result]) >= 0):
        raise Incorrect("the right images in the wrong order: least sure first.")
    return "correct readings only, least sure first, for any probabilities and labels."


# --- notebook 06: draw and predict -------------------------------------------------------------


def _check_crossed_seven(answer, namespace):
    from digitlib.reading.strokes import Drawing

    if not isinstance(answer, Drawing):
        raise Incorrect(f"give the strokes.Drawing you drew in, not {_a(type(answer).__name__)}.")
    if answer.is_empty:
        raise Incorrect("the drawing is empty: draw a stroke with add_stroke, then another.")
    if len(answer.strokes) < 2:
        raise Incorrect("a crossed 7 has its crossbar as a separate stroke: draw the 7, then a "
                        "short stroke across its middle.")
    reading = _predictor().predict_digit(answer.to_image())
    if reading.digit != 7:
        raise Incorrect(f"the model reads your drawing as a {reading.digit} "
                        f"({reading.confidence:.0%}), not a 7: look at reading.image28 to see "
                        f"what it saw.")
    second, probability = reading.top3[1]
    odds = f"{probability:.1%}" if probability >= 0.001 else "under 0.1%"
    return (f"read as a 7 ({reading.confidence:.0%}); the second choice is {second} "
            f"({odds}).")


def _grey(answer) -> np.ndarray:
    from PIL import Image

    from digitlib.reading import images

    if isinstance(answer, (str, os.PathLike)):  # a saved picture works too
        try:
            answer = images.open_image(answer)
        except (ValueError, OSError) as error:
            raise Incorrect(f"cannot open {answer}: {error}") from None
    if isinstance(answer, Image.Image):
        return np.asarray(answer.convert("L"), dtype=np.float32)
    array = _array(answer, "`white_on_black`")
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        array = array[..., :3].mean(axis=-1)
    if array.ndim != 2:
        raise Incorrect(f"wrong shape {array.shape}: give a picture, a PIL image or a (H, W) "
                        f"array.")
    return array.astype(np.float32) * (255 if array.max() <= 1 else 1)


def _check_white_on_black(answer, namespace):
    grey = _grey(answer)
    if grey.mean() > 127:
        raise Incorrect("this is still dark ink on a light background: invert it "
                        "(PIL.ImageOps.invert, or 255 - array).")
    readings = _predictor().predict_digits(grey.astype(np.uint8))
    if not readings:
        raise Incorrect("the picture is all background: save a drawing with some ink first.")
    normal = _predictor().predict_digits((255 - grey).astype(np.uint8))
    digits = "".join(str(reading.digit) for reading in readings)
    usual = "".join(str(reading.digit) for reading in normal)
    if digits != usual:
        raise Incorrect(f"white on black reads {digits}, but the same picture inverted reads "
                        f"{usual}.")
    return (f"it reads {digits}, the same as dark ink on white: images.to_ink finds the ink "
            f"whichever colour it is.")


# --- notebook 07: your handwriting -------------------------------------------------------------


def _check_no_replay(answer, namespace):
    from digitlib.training import finetune, train

    if isinstance(answer, train.Recipe):
        raise Incorrect("that is train.Recipe, for training from scratch; fine-tuning has its "
                        "own recipe, finetune.FinetuneRecipe.")
    if not isinstance(answer, finetune.FinetuneRecipe):
        raise Incorrect(f"give a finetune.FinetuneRecipe, not {_a(type(answer).__name__)}.")
    if answer.replay_images != 0:
        raise Incorrect(f"replay_images is still {answer.replay_images}: set it to 0 to "
                        f"fine-tune on your digits alone.")
    others = _same_recipe_otherwise(answer, finetune.FinetuneRecipe, ("replay_images",))
    if others:
        name, value, reference = others[0]
        raise Incorrect(f"only the replay should change, but {name} is {value} instead of "
                        f"{reference}: change one thing at a time.")
    return "no MNIST replay, everything else as usual."


def _per_digit_case():
    """Labels with no 7 at all, and readings with a few mistakes."""
    rng = np.random.default_rng(config.SEED)
    labels = np.repeat([0, 1, 2, 3, 4, 5, 6, 8, 9], 6)
    predicted = labels.copy()
    wrong = rng.choice(len(labels), 12, replace=False)
    predicted[wrong] = rng.integers(0, 10, 12)
    return labels, predicted


def _check_accuracy_per_digit(answer, namespace):
    labels, predicted = _per_digit_case()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 / 0 for the missing digit
        result = _array(_call(answer, "accuracy_per_digit", labels.copy(), predicted.copy()),
                        "what your function returns").astype(np.float64)
    if result.ndim == 0:
        raise Incorrect("that is one number, the overall accuracy: give one accuracy per digit "
                        "(10 values).")
    if result.shape != (10,):
        raise Incorrect(f"wrong shape {result.shape}: give 10 values, one per digit 0 to 9.")
    expected = np.array([np.mean(predicted[labels == d] == d) if np.any(labels == d) else np.nan
                         for d in range(10)])
    present = ~np.isnan(expected)
    if np.allclose(result[present], 100 * expected[present]):
        raise Incorrect("these look like percentages: give fractions from 0 to 1.")
    by_reading = np.array([np.mean(labels[predicted == d] == d) if np.any(predicted == d)
                           else np.nan for d in range(10)])
    if np.allclose(result[present], by_reading[present], equal_nan=True) and not np.allclose(
            result[present], expected[present]):
        raise Incorrect("you divided by how often each digit was *read*; divide by how often it "
                        "was *written* (labels == digit).")
    if not np.allclose(result[present], expected[present]):
        digit = int(np.flatnonzero(present & ~np.isclose(result, expected))[0])
        raise Incorrect(f"digit {digit}: {expected[digit]:.3f} of its examples are read "
                        f"right, your function says {result[digit]:.3f}.")
    if not np.isnan(result[7]):
        raise Incorrect(f"digit 7 has no examples here, so it has no accuracy: give NaN "
                        f"(np.nan), not {result[7]:g}; a 0 would blame the model for a digit "
                        f"you never wrote.")
    return "one accuracy per written digit, and NaN for a digit with no examples."


# --- notebook 08: photos of paper --------------------------------------------------------------

LIT_PHOTO_SEED = 0  # a photo of 3 test digits on plain paper, in a strong gradient and shadow
FLAT_BLOCKS = 6  # the paper is compared across 6 x 6 blocks (block medians: grain averages out)
FLAT_ENOUGH = 0.1  # the library's flattening leaves the block medians within 0.04 of each other
READ_PHOTOS = dict(split="test", count=20, digits_per_photo=(1, 3), seed=8)  # exercise 2's set
LINED_PHOTO_SEED = 5  # a photo of 3 test digits on ruled paper, for exercise 3


@functools.cache
def _lit_photo():
    """``(darkness, ink, paper)`` of the lit photo: its darkest channel, where the library
    finds ink, and where it finds paper well away from any ink."""
    from scipy import ndimage

    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    _, (x_test, y_test) = _mnist()
    rng = np.random.default_rng(LIT_PHOTO_SEED)
    chosen = rng.choice(len(x_test), 3, replace=False)
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="plain",
                                      shadow=True)
    dark = paper.darkness(photo.image)
    flat = paper.flatten(dark, paper.background(dark))
    ink = flat < 0.5
    return dark, ink, (flat > 0.85) & ~ndimage.binary_dilation(ink, iterations=4)


def _block_range(image: np.ndarray, where: np.ndarray) -> tuple[float, float]:
    """The darkest and the brightest median of the ``where`` pixels of FLAT_BLOCKS^2 blocks."""
    height, width = image.shape
    medians = []
    for row in range(FLAT_BLOCKS):
        for column in range(FLAT_BLOCKS):
            block = (slice(row * height // FLAT_BLOCKS, (row + 1) * height // FLAT_BLOCKS),
                     slice(column * width // FLAT_BLOCKS, (column + 1) * width // FLAT_BLOCKS))
            if where[block].sum() > 50:
                medians.append(float(np.median(image[block][where[block]])))
    return min(medians), max(medians)


def _check_my_flatten(answer, namespace):
    dark, ink, paper_pixels = _lit_photo()
    flat = _array(_call(answer, "my_flatten", dark.copy()), "what `my_flatten` returns")
    if flat.shape != dark.shape:
        raise Incorrect(f"wrong shape {flat.shape}: return one value per pixel of the photo, "
                        f"shape {dark.shape}.")
    flat = flat.astype(np.float64)
    paper_level = float(np.median(flat[paper_pixels]))
    if paper_level > 2:
        raise Incorrect(f"the paper is at {paper_level:.0f}: keep the photo's scale, [0, 1], so "
                        f"the flattened paper is 1.0.")
    if abs(paper_level) < 0.2:
        raise Incorrect(f"the paper is at {paper_level:.2f}, not 1.0: divide the photo by the "
                        f"paper's brightness instead of subtracting it.")
    ink_level = float(np.median(flat[ink]))
    if paper_level - ink_level < 0.3:
        raise Incorrect(f"the ink is gone (ink at {ink_level:.2f}, paper at "
                        f"{paper_level:.2f}): that is the paper's brightness; divide the photo "
                        f"by it.")
    darkest, brightest = _block_range(flat, paper_pixels)
    if brightest - darkest > FLAT_ENOUGH:
        raise Incorrect(f"the shadow is still there: the paper goes from {darkest:.2f} to "
                        f"{brightest:.2f} across the photo; estimate the paper's brightness at "
                        f"every pixel, not one value for the whole photo.")
    if abs(paper_level - 1) > 0.1:
        raise Incorrect(f"the paper is flat but at {paper_level:.2f}: divide by the paper's "
                        f"brightness so the paper becomes 1.0.")
    return (f"the paper now stays between {darkest:.2f} and {brightest:.2f} across the shadow, "
            f"and the ink stands out at {ink_level:.2f}.")


@functools.cache
def _read_right() -> dict[str, float]:
    """The share of exercise 2's photos whose digits each path reads exactly."""
    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    photos = synthetic_photos.photo_set(**READ_PHOTOS)
    predictor = _predictor()
    shares = {}
    for source, photo in ((paper.DRAWING, False), (paper.PHOTO, True)):
        read = ["".join(str(found.digit) for found in predictor.predict_digits(p.image,
                                                                                photo=photo))
                for p in photos]
        shares[source] = float(np.mean([text == p.label for text, p in zip(read, photos,
                                                                            strict=True)]))
    return shares


def _check_read_right(answer, namespace):
    from digitlib.reading import paper

    count = READ_PHOTOS["count"]
    keys = (paper.DRAWING, paper.PHOTO)
    if not isinstance(answer, dict):
        raise Incorrect(f"give a dict {{\"{keys[0]}\": share, \"{keys[1]}\": share}}, not a "
                        f"{type(answer).__name__}.")
    if sorted(map(str, answer)) != sorted(keys):
        raise Incorrect(f"give exactly the keys \"{keys[0]}\" (the pad's path, photo=False) "
                        f"and \"{keys[1]}\" (the photo path), not "
                        f"{', '.join(map(repr, answer))}.")
    if any(isinstance(value, (bool, np.bool_)) for value in answer.values()):
        raise Incorrect("give each path's share of photos read right, a number from 0 to 1, "
                        "not True or False.")
    given = {str(key): float(value) for key, value in answer.items()}
    expected = _read_right()
    close = 0.5 / count
    if all(abs(given[key] - expected[key]) <= close for key in keys):
        return (f"the pad's path reads {expected[keys[0]]:.0%} of the {count} photos right, "
                f"the photo path {expected[keys[1]]:.0%}.")
    if all(abs(given[key] - expected[key] * count) <= 0.5 for key in keys):
        raise Incorrect(f"those are counts: divide by the number of photos, {count}, for "
                        f"shares.")
    if all(abs(given[key] - 100 * expected[key]) <= 100 * close for key in keys):
        raise Incorrect("those are percentages: give shares between 0 and 1.")
    if all(abs(given[key] - expected[other]) <= close for key, other in zip(keys, keys[::-1],
                                                                            strict=True)):
        raise Incorrect("you swapped the two: \"drawing\" is the pad's path (photo=False), "
                        "\"photo\" the photo path.")
    wrong = next(key for key in keys if abs(given[key] - expected[key]) > close)
    raise Incorrect(f"the {wrong} path reads another share of the {count} photos right than "
                    f"{given[wrong]:.2f}: a photo counts when the digits read, joined, equal "
                    f"photo.label exactly (no digit missing, none extra).")


@functools.cache
def _lined_page():
    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    _, (x_test, y_test) = _mnist()
    rng = np.random.default_rng(LINED_PHOTO_SEED)
    chosen = rng.choice(len(x_test), 3, replace=False)
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="ruled")
    return paper.read_page(photo.image, photo=True, keep_stages=True)


def _check_lines_removed_by(answer, namespace):
    from digitlib.reading import paper

    page = _lined_page()
    lines = page.stages["lines"]
    stage = getattr(answer, "__name__", answer)  # paper.remove_lines itself is fine too
    if not isinstance(stage, str):
        raise Incorrect(f"give the name of a stage, one of {', '.join(paper.STAGE_TITLES)}, "
                        f"not {_a(type(answer).__name__)}.")
    if stage == "remove_lines":
        stage = "ink"
    if stage not in paper.STAGE_TITLES:
        raise Incorrect(f"{stage!r} is not a stage of read_page: use one of "
                        f"{', '.join(paper.STAGE_TITLES)}.")
    left = {name: float(np.mean(page.stages[name][lines] > 0.5)) for name in ("threshold", "ink")}
    if stage == "lines":
        raise Incorrect("that stage *finds* the printed lines (it shows them): which stage "
                        "after it no longer has them?")
    if stage == "threshold":
        raise Incorrect(f"the threshold still marks {left['threshold']:.0%} of the line pixels "
                        f"as ink: printed lines are as dark as ink.")
    if stage != "ink":
        raise Incorrect(f"the lines are still in the {stage!r} picture: the steps before the "
                        f"threshold change light and shadow, not lines.")
    return (f"the adaptive threshold keeps {left['threshold']:.0%} of the line pixels as ink, "
            f"remove_lines leaves {left['ink']:.0%} of them in the final ink.")


# --- notebook 09: fool the model ---------------------------------------------------------------

FOOLED_DIGIT = 0  # the test image the notebook plays with: a 7


def _fooled_digit() -> np.ndarray:
    _, (x_test, _) = _mnist()
    return x_test[FOOLED_DIGIT].astype(np.float32) / 255


def _reading(image) -> np.ndarray:
    return _predictor().classify(np.asarray(image, np.float32)[np.newaxis])[0]


@functools.cache
def _smallest_turn() -> int:
    from digitlib.insight import robustness

    original = int(_reading(_fooled_digit()).argmax())
    return next(degrees for degrees in range(181) if int(_reading(
        robustness.transform(_fooled_digit(), degrees=degrees)).argmax()) != original)


def _check_smallest_turn(answer, namespace):
    from digitlib.insight import robustness

    turn = _whole_number(answer, "`smallest_turn`")
    smallest = _smallest_turn()
    if turn < 0:
        raise Incorrect("anticlockwise turns are positive degrees in robustness.transform: look "
                        "for the smallest positive angle.")
    if abs(turn - smallest) <= 1:
        read = int(_reading(robustness.transform(_fooled_digit(), degrees=smallest)).argmax())
        return (f"from {smallest}° on, the 7 is read as a {read}: training only turned digits "
                f"by up to 8°.")
    if turn < smallest:
        raise Incorrect(f"turned by {turn}° the model still reads a 7: try larger angles.")
    raise Incorrect(f"the answer already changes at a smaller turn than {turn}°: try every "
                    f"whole degree from 0 up and stop at the first change.")


def _check_my_fgsm(answer, namespace):
    from digitlib.insight import robustness

    _, (x_test, _) = _mnist()
    predictor = _predictor()
    epsilon = 0.1
    images = x_test[:3].astype(np.float32) / 255
    for image in images:
        result = _array(_call(answer, "my_fgsm", image.copy(), epsilon), "what `my_fgsm` returns")
        if result.shape != image.shape:
            raise Incorrect(f"wrong shape {result.shape}: return one 28x28 image, like the one "
                            f"given.")
        label = predictor.classify(image[np.newaxis]).argmax(axis=1)
        sign = np.sign(robustness.loss_gradients(predictor.model, image[np.newaxis], label)[0])
        if np.allclose(result, np.clip(image + epsilon * sign, 0, 1), atol=1e-5):
            continue
        if result.min() < 0 or result.max() > 1:
            raise Incorrect("some pixels leave [0, 1]: clip the result with np.clip(..., 0, 1).")
        if np.allclose(result, np.clip(image - epsilon * sign, 0, 1), atol=1e-5):
            raise Incorrect("you stepped *down* the loss, which makes the answer surer: add "
                            "epsilon times the sign of the gradient.")
        if np.abs(result - image).max() > epsilon + 1e-5:
            raise Incorrect(f"some pixels moved more than epsilon = {epsilon}: every pixel "
                            f"moves by epsilon times the *sign* of its gradient.")
        raise Incorrect("the pixels moved, but not as FGSM moves them: epsilon times "
                        "np.sign of the loss gradient of the model's own answer.")
    return "your FGSM moves every pixel exactly as robustness.fgsm does."


def _check_confident_mistake(answer, namespace):
    from digitlib.insight import robustness

    if not isinstance(answer, dict):
        raise Incorrect(f"give a dict of transform arguments such as {{\"degrees\": 30}}, not a "
                        f"{type(answer).__name__}.")
    unknown = sorted(set(answer) - set(robustness.TRANSFORMS))
    if unknown:
        raise Incorrect(f"robustness.transform has no argument {', '.join(map(str, unknown))}: "
                        f"use {', '.join(robustness.TRANSFORMS)}.")
    try:
        image = robustness.transform(_fooled_digit(), **answer)
    except (TypeError, ValueError) as error:
        raise Incorrect(f"robustness.transform refused it: {error}") from None
    probabilities = _reading(image)
    read, sure = int(probabilities.argmax()), float(probabilities.max())
    if read == 7:
        raise Incorrect(f"the model still reads a 7 ({sure:.0%}): change the digit more.")
    if sure < _predictor().unsure_below:
        raise Incorrect(f"read as a {read}, but only {sure:.0%} sure, so the pad would mark it "
                        f"unsure: find a change it is sure about.")
    return (f"read as a {read}, {sure:.0%} sure: wrong, and above the unsure line, so nothing "
            f"would warn you.")


# --- the exercises of each notebook ------------------------------------------------------------

NOTEBOOK_TITLES = {
    1: "Load the data",
    2: "Preprocess",
    3: "Build the model",
    4: "Train",
    5: "Evaluate",
    6: "Draw and predict",
    7: "Your handwriting",
    8: "Photos of paper",
    9: "Fool the model",
}

EXERCISES = [
    Exercise(
        "01.q1", "most_ink", "the image with the most ink", _check_most_ink,
        ["Sum the pixel values of each image: x_train.sum(axis=(1, 2)) gives one number per "
         "image; np.argmax finds where the largest one is."],
        """
        ink = x_train.sum(axis=(1, 2))
        most_ink = int(np.argmax(ink))
        """,
    ),
    Exercise(
        "01.q2", "one_digit", "twenty images of one digit", _check_one_digit,
        ["y_train == 4 is True where the label is 4; use it to index x_train, then keep the "
         "first 20."],
        """
        one_digit = x_train[y_train == 4][:20]

        fig, axes = plt.subplots(2, 10, figsize=(10, 2.4))
        for ax, image in zip(axes.flat, one_digit):
            ax.imshow(image, cmap="gray_r")
            ax.axis("off")
        """,
    ),
    Exercise(
        "01.q3", "changed", "one changed pixel and its fingerprint", _check_changed,
        ["Start from x_train.copy() so x_train itself stays intact, change one pixel, then "
         "compute mnist.dataset_sha256(changed, y_train, x_test, y_test)."],
        """
        changed = x_train.copy()
        changed[0, 14, 14] += 1
        print(mnist.dataset_sha256(changed, y_train, x_test, y_test))
        print(mnist.EXPECTED_SHA256)
        """,
    ),
    Exercise(
        "02.q1", "standardized", "standardise the training images", _check_standardized,
        ["Compute the mean and the standard deviation of all of x_train once (x_train.mean(), "
         "x_train.std()), then apply them to every pixel."],
        """
        pixels = x_train.astype(np.float32)
        standardized = (pixels - pixels.mean()) / pixels.std()
        plt.hist(standardized.ravel(), bins=50)
        """,
    ),
    Exercise(
        "02.q2", "my_normalize", "write normalize yourself", _check_my_normalize,
        ["Three steps: convert to float32, divide by 255, add a channel axis at the end.",
         "images[..., np.newaxis] turns (N, 28, 28) into (N, 28, 28, 1)."],
        """
        def my_normalize(images):
            return (images.astype(np.float32) / 255)[..., np.newaxis]
        """,
    ),
    Exercise(
        "03.q1", "conv2_parameters", "count conv2's parameters by hand",
        _check_conv2_parameters,
        ["Every filter of conv2 has a 5×5 kernel for each channel of its input. How many "
         "channels does conv1 produce? And does conv2 have a bias (look for use_bias)?"],
        """
        conv2_parameters = 5 * 5 * 32 * 64  # kernel, channels in, filters; no bias
        network.get_layer("conv2").count_params()  # the same number
        """,
    ),
    Exercise(
        "03.q2", "dense_without_pooling", "the dense layer without pooling",
        _check_dense_without_pooling,
        ["Without pooling, follow the image size: a 5×5 convolution without padding makes "
         "28×28 into 24×24. Then multiply the flattened size by the dense layer's units."],
        """
        side = 28 - 4 - 4  # each 5x5 convolution trims 4 rows and 4 columns
        dense_without_pooling = side * side * 64 * 256  # no bias in dense
        """,
    ),
    Exercise(
        "03.q3", "changes_most", "which layer shrinks the most", _check_changes_most,
        ["Build the smaller model and compare layer.count_params() of every layer with the "
         "same layer of `network`."],
        """
        small = model.build_model(conv1_filters=8, dense_units=64)
        lost = {layer.name: layer.count_params() - small.get_layer(layer.name).count_params()
                for layer in network.layers}
        changes_most = max(lost, key=lost.get)
        """,
    ),
    Exercise(
        "04.q1", "no_augmentation", "a recipe without augmentation", _check_no_augmentation,
        ["Start from train.Recipe.default() (it is small in fast mode) and change only the "
         "three augmentation settings, for example with dataclasses.replace."],
        """
        import dataclasses

        no_augmentation = dataclasses.replace(
            train.Recipe.default(), rotation_degrees=0, shift_fraction=0, zoom_fraction=0
        )
        """,
    ),
    Exercise(
        "04.q2", "no_augmentation_run", "train without augmentation", _check_no_augmentation_run,
        ["Call train.train with your recipe from the exercise above and keep all three "
         "results; plot history.history like the curves above to compare."],
        """
        with notebook_output.live_output():
            no_augmentation_run = train.train(no_augmentation)
        network_plain, history_plain, info_plain = no_augmentation_run
        """,
    ),
    Exercise(
        "05.q1", "my_confusion", "a confusion matrix by hand", _check_confusion,
        ["Start from np.zeros((10, 10), dtype=int) and add 1 at [true digit, predicted digit] "
         "for every test image (np.add.at does it in one call)."],
        """
        my_confusion = np.zeros((10, 10), dtype=int)
        np.add.at(my_confusion, (y_test, scores.predicted), 1)
        """,
    ),
    Exercise(
        "05.q2", "least_sure_correct", "the least sure correct readings",
        _check_least_sure_correct,
        ["Keep the indices where probabilities.argmax(axis=1) == labels, then sort them by "
         "probabilities.max(axis=1), lowest first (np.argsort)."],
        """
        def least_sure_correct(probabilities, labels, count=12):
            correct = np.flatnonzero(probabilities.argmax(axis=1) == labels)
            top = probabilities[correct].max(axis=1)
            return correct[np.argsort(top)][:count]

        least_sure_correct(scores.probabilities, y_test)
        """,
    ),
    Exercise(
        "06.q1", "crossed_seven", "a 7 with a crossbar", _check_crossed_seven,
        ["Draw the 7 as one stroke (start, extend to the top right, extend down to the bottom "
         "left, end), then the bar as a second stroke across the middle."],
        """
        crossed_seven = Drawing(280, 280, brush=16)
        stroke(crossed_seven, (86, 50), (194, 50), (131, 230))  # the 7
        stroke(crossed_seven, (120, 140), (200, 140))  # the crossbar
        predictor.predict_digit(crossed_seven.to_image()).top3
        """,
    ),
    Exercise(
        "06.q2", "white_on_black", "white ink on black", _check_white_on_black,
        ["PIL.ImageOps.invert turns a greyscale image into its negative."],
        """
        from PIL import ImageOps

        white_on_black = ImageOps.invert(seven.to_image())
        """,
    ),
    Exercise(
        "07.q1", "no_replay", "fine-tune without replay", _check_no_replay,
        ["Start from FinetuneRecipe.default() and change replay_images only "
         "(dataclasses.replace)."],
        """
        import dataclasses

        from digitlib.training.finetune import FinetuneRecipe

        no_replay = dataclasses.replace(FinetuneRecipe.default(), replay_images=0)
        """,
    ),
    Exercise(
        "07.q2", "accuracy_per_digit", "accuracy per digit, honestly", _check_accuracy_per_digit,
        ["For each digit d, look only at the examples labelled d (labels == d) and count how "
         "many are read as d.",
         "A digit without examples has no accuracy: give np.nan for it."],
        """
        def accuracy_per_digit(labels, predicted):
            return [float(np.mean(predicted[labels == digit] == digit))
                    if np.any(labels == digit) else np.nan
                    for digit in range(10)]
        """,
    ),
    Exercise(
        "08.q1", "my_flatten", "flat paper", _check_my_flatten,
        ["A stroke is a few pixels wide, a shadow hundreds: a grey closing (scipy.ndimage."
         "grey_closing) wider than any stroke replaces the ink by the paper around it, which is "
         "the paper's brightness at every pixel (paper.background does it on a coarse copy).",
         "Divide the photo by that brightness and clip to [0, 1]: the paper becomes 1.0, the "
         "ink stays darker."],
        """
        from scipy import ndimage

        def my_flatten(dark):
            brightness = ndimage.grey_closing(dark, size=31)  # wider than any stroke
            brightness = ndimage.gaussian_filter(brightness, 5)
            return np.clip(dark / np.maximum(brightness, 1e-3), 0, 1)
        """,
    ),
    Exercise(
        "08.q2", "read_right", "the pad's path against the photo path", _check_read_right,
        ["predictor.predict_digits(photo.image, photo=False) reads a photo the pad's way, "
         "photo=True the photo way; join the digits read and compare with photo.label.",
         "np.mean of a list of True / False is the share of True."],
        """
        photos = synthetic_photos.photo_set("test", 20, digits_per_photo=(1, 3), seed=8)

        def read(photo, as_photo):
            found = predictor.predict_digits(photo.image, photo=as_photo)
            return "".join(str(reading.digit) for reading in found)

        read_right = {
            "drawing": np.mean([read(photo, False) == photo.label for photo in photos]),
            "photo": np.mean([read(photo, True) == photo.label for photo in photos]),
        }
        """,
    ),
    Exercise(
        "08.q3", "lines_removed_by", "the stage that removes the ruled lines",
        _check_lines_removed_by,
        ["Read a photo of ruled paper with paper.read_page(photo.image, photo=True, "
         "keep_stages=True) and look at paper.plot_stages(page): in which picture are the "
         "lines gone for the first time?"],
        """
        page = paper.read_page(photo.image, photo=True, keep_stages=True)
        paper.plot_stages(page)
        lines_removed_by = "ink"  # step 6: remove_lines, after "lines" found them
        """,
    ),
    Exercise(
        "09.q1", "smallest_turn", "the smallest turn that changes the answer",
        _check_smallest_turn,
        ["Try every whole degree from 0 up: robustness.transform(digit, degrees=d) turns the "
         "digit, predictor.classify(image[np.newaxis]).argmax() reads it; stop at the first "
         "answer that is not 7."],
        """
        smallest_turn = next(
            degrees for degrees in range(181)
            if predictor.classify(robustness.transform(digit, degrees=degrees)[np.newaxis])
            .argmax() != 7)
        """,
    ),
    Exercise(
        "09.q2", "my_fgsm", "FGSM by hand", _check_my_fgsm,
        ["robustness.loss_gradients(predictor.model, batch, labels) gives the gradient of the "
         "loss for a batch (N, 28, 28) and the labels to attack (the model's own answers).",
         "FGSM: image + epsilon * np.sign(gradient), then np.clip to [0, 1]."],
        """
        def my_fgsm(image, epsilon):
            answer = predictor.classify(image[np.newaxis]).argmax(axis=1)
            gradient = robustness.loss_gradients(predictor.model, image[np.newaxis], answer)[0]
            return np.clip(image + epsilon * np.sign(gradient), 0, 1)
        """,
    ),
    Exercise(
        "09.q3", "confident_mistake", "a confident mistake", _check_confident_mistake,
        ["Large turns (try negative angles too) or much thinner strokes change the 7 into "
         "something else; print the probabilities to see how sure the model is."],
        """
        confident_mistake = {"degrees": -90}
        robustness.reading_figure(robustness.transform(digit, **confident_mistake), predictor)
        """,
    ),
]
BY_KEY = {exercise.key: exercise for exercise in EXERCISES}


def notebook(number: int) -> list[Exercise]:
    """The exercises of notebook ``number`` (``NOTEBOOK_TITLES``), in order:
    ``q1, q2 = notebook(2)``."""
    if number not in NOTEBOOK_TITLES:
        raise ValueError(f"notebook must be one of {sorted(NOTEBOOK_TITLES)}, got {number!r}")
    return [exercise for exercise in EXERCISES if exercise.key.startswith(f"{number:02d}.")]


# --- progress: which exercises were passed -----------------------------------------------------


def progress_path():
    """The small file that lists the exercises passed (under ``data/``, never committed)."""
    return config.DATA_DIR / PROGRESS_FILE


def completed() -> dict[str, str]:
    """``{"02.q1": "2026-11-27T06:40:00+00:00", ...}``: each exercise passed, and when first."""
    path = progress_path()
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        warnings.warn(f"{path} is unreadable; progress starts again from here", stacklevel=2)
        return {}
    done = stored.get("completed", {}) if isinstance(stored, dict) else {}
    return {key: str(when) for key, when in done.items() if key in BY_KEY} if isinstance(
        done, dict) else {}


def record_completed(key: str) -> None:
    """Write down that exercise ``key`` was passed (kept at its first time), atomically."""
    if key not in BY_KEY:
        raise ValueError(f"no exercise {key!r}; known: {', '.join(BY_KEY)}")
    done = completed()
    if key in done:
        return
    done[key] = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps({"completed": dict(sorted(done.items()))}, indent=2) + "\n"
    try:
        files.write_text_atomic(progress_path(), text)
    except OSError as error:  # a read-only folder must not spoil a correct answer
        warnings.warn(f"could not save your progress to {progress_path()}: {error}",
                      stacklevel=2)


def progress() -> Text:
    """One line per notebook: which exercises are done (✓) and which are still open (·)."""
    done = completed()
    lines = [f"Exercises completed: {len(done)} of {len(EXERCISES)}"]
    for number, title in NOTEBOOK_TITLES.items():
        marks = "  ".join(f"{exercise.short_name} {'✓' if exercise.key in done else '·'}"
                          for exercise in notebook(number))
        lines.append(f"  {number:02d} {title:<17} {marks}")
    return Text("\n".join(lines))
