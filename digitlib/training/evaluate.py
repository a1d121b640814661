"""Score a model: accuracy, per-class accuracy, confusion matrix, confident mistakes.

``evaluate`` scores a model on MNIST's test set (notebook 05); ``measure`` scores one on your
own digits (notebook 07: ``digitlib.datasets.personal``) and says, digit by digit, what it
misread. Both take a Keras model or anything that reads digits the way ``Predictor`` does
(``classify``); ``measure`` also takes a model's name or path.

    from digitlib.training.evaluate import measure
    result = measure(None, images, labels)       # the active model: accuracy, confusion, misread
    print(result.summary())
"""

import math
import os
from dataclasses import dataclass

import numpy as np

from digitlib import config
from digitlib.reading.preprocess import MNIST_SIZE, NUM_CLASSES


@dataclass
class Scores:
    accuracy: float
    per_class_accuracy: list[float]
    confusion: np.ndarray  # confusion[true, predicted] counts
    predicted: np.ndarray
    probabilities: np.ndarray


def evaluate(model, images, labels, batch_size: int = 1000) -> Scores:
    """Score ``model`` on ``images`` (N, 28, 28, 1) floats in [0, 1] with integer ``labels``.

    ``model``: a Keras model (its ``predict`` is called in batches of ``batch_size``) or a
    ``Predictor``, or anything with its ``classify(images)`` -> (N, 10) probabilities.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[1:] != (MNIST_SIZE, MNIST_SIZE, 1):
        raise ValueError(f"expected images of shape (N, 28, 28, 1), got {images.shape}")
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"need as many labels as images (got {len(images)} and {len(labels)})")
    if hasattr(model, "classify"):
        probabilities = np.asarray(model.classify(images))
    elif hasattr(model, "predict"):
        probabilities = model.predict(images, batch_size=batch_size, verbose=0)
    else:
        raise TypeError(f"expected a Keras model or a Predictor, got {type(model).__name__}")
    predicted = probabilities.argmax(axis=1)
    confusion = confusion_matrix(labels, predicted)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return Scores(
        accuracy=float((predicted == labels).mean()),
        per_class_accuracy=[float(value) for value in per_class],
        confusion=confusion,
        predicted=predicted,
        probabilities=probabilities,
    )


def confusion_matrix(labels, predicted) -> np.ndarray:
    """Counts of (true digit, predicted digit) pairs as a 10x10 integer array."""
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (np.asarray(labels), np.asarray(predicted)), 1)
    return confusion


def most_confident_mistakes(scores: Scores, labels, count: int = 12) -> np.ndarray:
    """Indices of the wrongly read images the model was most sure about."""
    wrong = np.flatnonzero(scores.predicted != np.asarray(labels))
    confidence = scores.probabilities[wrong].max(axis=1)
    return wrong[np.argsort(-confidence)][:count]


def slant_accuracy(network, upright, slanted, labels) -> tuple[float, float]:
    """Accuracy of a Keras model on the upright and on the slanted digits of
    ``digitlib.datasets.transforms.slant_sets``."""
    return tuple(float(np.mean(network.predict(images[..., np.newaxis], batch_size=1000,
                                               verbose=0).argmax(axis=1) == labels))
                 for images in (upright, slanted))


# --- measuring a model on your digits ---------------------------------------------------------


@dataclass
class Measurement:
    """How a model reads your digits."""

    accuracy: float
    per_digit_accuracy: list[float]  # NaN for a digit with no examples
    counts: np.ndarray  # (10,) examples of each digit
    confusion: np.ndarray  # confusion[true, predicted] counts (10, 10)
    predicted: np.ndarray  # (N,) the model's readings
    probabilities: np.ndarray  # (N, 10)
    misread: np.ndarray  # indices of wrongly read examples, most confident mistakes first

    def summary(self) -> str:
        total = int(self.counts.sum())
        lines = [f"{total - len(self.misread)} of {total} read correctly ({self.accuracy:.1%})"]
        for digit in range(NUM_CLASSES):
            if self.counts[digit]:
                wrong = {int(p): int(n) for p, n in enumerate(self.confusion[digit])
                         if n and p != digit}
                note = ("  misread as " + ", ".join(f"{p} ({n}x)" for p, n in wrong.items())
                        if wrong else "")
                lines.append(f"  {digit}: {self.per_digit_accuracy[digit]:6.1%} of "
                             f"{self.counts[digit]}{note}")
        return "\n".join(lines)


def measure(model, images, labels) -> Measurement:
    """Score ``model`` on your ``images`` (N, 28, 28) and ``labels``.

    ``model``: a ``Predictor``, a Keras model, a model name/path ("committed", "mine",
    "personal", or a ``.keras`` file) or None for the active model (``config.model_path()``).
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        from digitlib.reading.predict import Predictor

        model = Predictor.load(config.model_path(model))
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    labels = np.asarray(labels)
    scores = evaluate(model, images, labels)
    counts = scores.confusion.sum(axis=1)
    per_digit = [float(scores.confusion[d, d] / counts[d]) if counts[d] else math.nan
                 for d in range(NUM_CLASSES)]
    misread = most_confident_mistakes(scores, labels, count=len(labels))
    return Measurement(scores.accuracy, per_digit, counts, scores.confusion, scores.predicted,
                       scores.probabilities, misread)
