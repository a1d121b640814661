"""The exercises of notebook 01_load_data: the image with the most ink, twenty images of one digit,
one changed pixel and its fingerprint.
"""

import functools

import numpy as np

from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    answer_array,
    mnist_arrays,
    whole_number,
)

NOTEBOOK = 1
TITLE = "Load the data"


def _check_most_ink(answer, namespace):
    (x_train, y_train), _ = mnist_arrays()
    if isinstance(answer, np.ndarray) and answer.shape[-2:] == (28, 28):
        raise Incorrect("that is an image; give its index in `x_train` (np.argmax gives it).")
    index = whole_number(answer, "the index of an image")
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


q1 = Exercise(
    "01.q1", "most_ink", "the image with the most ink", _check_most_ink,
    ["Sum the pixel values of each image: x_train.sum(axis=(1, 2)) gives one number per "
     "image; np.argmax finds where the largest one is."],
    """
    ink = x_train.sum(axis=(1, 2))
    most_ink = int(np.argmax(ink))
    """,
)


@functools.cache
def _training_labels_by_image() -> dict[bytes, int]:
    """Each training image's bytes -> its label, to recognise images picked from ``x_train``."""
    (x_train, y_train), _ = mnist_arrays()
    return {image.tobytes(): int(label) for image, label in zip(x_train, y_train, strict=True)}


def _check_one_digit(answer, namespace):
    images = answer_array(answer, "`one_digit`")
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


q2 = Exercise(
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
)


def _check_changed(answer, namespace):
    from digitlib.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist_arrays()
    changed = answer_array(answer, "`changed`")
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


q3 = Exercise(
    "01.q3", "changed", "one changed pixel and its fingerprint", _check_changed,
    ["Start from x_train.copy() so x_train itself stays intact, change one pixel, then "
     "compute mnist.dataset_sha256(changed, y_train, x_test, y_test)."],
    """
    changed = x_train.copy()
    changed[0, 14, 14] += 1
    print(mnist.dataset_sha256(changed, y_train, x_test, y_test))
    print(mnist.EXPECTED_SHA256)
    """,
)


EXERCISES = [q1, q2, q3]
