"""Score a trained model: accuracy, per-class accuracy, confusion matrix, confident mistakes."""

from dataclasses import dataclass

import numpy as np

from digitlib.reading.preprocess import NUM_CLASSES


@dataclass
class Scores:
    accuracy: float
    per_class_accuracy: list[float]
    confusion: np.ndarray  # confusion[true, predicted] counts
    predicted: np.ndarray
    probabilities: np.ndarray


def evaluate(model, images, labels, batch_size: int = 1000) -> Scores:
    """Score ``model`` on ``images`` (N, 28, 28, 1) floats in [0, 1] with integer ``labels``."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected images of shape (N, 28, 28, 1), got {images.shape}")
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"need as many labels as images (got {len(images)} and {len(labels)})")
    probabilities = model.predict(images, batch_size=batch_size, verbose=0)
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
