"""The exercises of notebook 05_evaluate: a confusion matrix by hand, the least sure correct
readings.
"""

import functools

import numpy as np

from digitlib import config
from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    answer_array,
    call_answer,
    mnist_arrays,
)

NOTEBOOK = 5
TITLE = "Evaluate"


@functools.cache
def _committed_test_predictions() -> np.ndarray:
    """The committed model's reading of each test image, as notebook 05 evaluates it."""
    from digitlib.reading.predict import Predictor

    _, (x_test, _) = mnist_arrays()
    probabilities = Predictor.load(config.DEFAULT_MODEL_PATH).classify(x_test / np.float32(255))
    return probabilities.argmax(axis=1)


def _check_confusion(answer, namespace):
    from digitlib.datasets import mnist

    confusion = answer_array(answer, "`my_confusion`")
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

        _, (_, y_test) = mnist_arrays()
        reference = evaluate.confusion_matrix(y_test, _committed_test_predictions())
    if not np.array_equal(confusion, reference):
        raise Incorrect("the rows add up, but the cells differ from evaluate's confusion "
                        "matrix: count confusion[y_test[i], predicted[i]] += 1 for every image.")
    return (f"it sums to 10,000 and its diagonal, {np.trace(confusion):,} digits read right, "
            f"matches evaluate.")


q1 = Exercise(
    "05.q1", "my_confusion", "a confusion matrix by hand", _check_confusion,
    ["Start from np.zeros((10, 10), dtype=int) and add 1 at [true digit, predicted digit] "
     "for every test image (np.add.at does it in one call)."],
    """
    my_confusion = np.zeros((10, 10), dtype=int)
    np.add.at(my_confusion, (y_test, scores.predicted), 1)
    """,
)


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
    result = answer_array(call_answer(answer, "least_sure_correct", probabilities.copy(),
                                      labels.copy(), count), "what your function returns")
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


q2 = Exercise(
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
)


EXERCISES = [q1, q2]
