"""Helpers several test modules share: where ink is, canvases of MNIST test digits, a tiny model.

Drawing digits in code is the package's job (``digitlib.datasets.synthetic``); what is here only
checks results or stands in for the trained model.
"""

import itertools

import numpy as np
from PIL import Image

from digitlib.datasets import mnist, synthetic
from digitlib.reading import images, segment
from digitlib.reading.segment import iou  # noqa: F401 (the package's one IoU, shared here)

# What every model card must hold (``train.model_card``, and the committed card).
REQUIRED_CARD_FIELDS = {
    "test_accuracy", "per_class_accuracy", "data_sha256", "seed", "epochs", "train_seconds",
    "versions", "created", "validation_accuracy", "chosen_epoch", "model_sha256", "recipe", "slant",
}


def tiny_model(input_shape=(28, 28, 1), outputs=10, activation="softmax"):
    """An untrained stand-in for the digit model: fast to build, the same input and output."""
    import keras

    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(outputs, activation=activation)])


def ink_box(image):
    """The tight box (left, top, right, bottom) of an image's ink, as segment defines it."""
    mask = images.to_ink(image) > segment.INK_LEVEL
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (columns[0], rows[0], columns[-1] + 1, rows[-1] + 1)


def expected_boxes(digits, places, size, brush=16.0):
    """Each digit of ``synthetic.draw_digits`` drawn alone: where its ink is."""
    return [ink_box(synthetic.draw_digits([digit], [place], size, brush))
            for digit, place in zip(digits, places, strict=True)]


_MNIST = {}


def mnist_test_set():
    """The MNIST test images and labels, loaded once per test run."""
    if not _MNIST:
        _, (_MNIST["x"], _MNIST["y"]) = mnist.load_mnist()
    return _MNIST["x"], _MNIST["y"]


def mnist_canvas(rng, count, rows=1, scale=2.0, gap=(2, 10), dark_ink=False):
    """``count`` random MNIST test digits in ``rows``, cropped, scaled by ``scale`` and placed
    ``gap`` px apart (negative: overlapping) with some vertical jitter. Returns (uint8 canvas,
    labels, boxes)."""
    x_test, y_test = mnist_test_set()
    picks = rng.choice(len(x_test), count, replace=False)
    tiles = []
    for index in picks:
        digit = x_test[index]
        rows_, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        digit = digit[rows_[0] : rows_[-1] + 1, columns[0] : columns[-1] + 1]
        size = (round(digit.shape[1] * scale), round(digit.shape[0] * scale))
        tiles.append(np.asarray(Image.fromarray(digit).resize(size, Image.Resampling.BICUBIC)))
    per_row, row_height = -(-count // rows), round(28 * scale)
    row_pitch = row_height + round(8 * scale)
    width = sum(tile.shape[1] for tile in tiles) + (count + 2) * max(gap[1], 1) + 20
    canvas = np.zeros((rows * row_pitch + 20, width), np.uint8)
    boxes, labels = [], []
    for k, (index, tile) in enumerate(zip(picks, tiles, strict=True)):
        row, column = divmod(k, per_row)
        if column == 0:
            x = 10 + int(rng.integers(0, max(gap[1], 1)))
        y = 10 + row * row_pitch + int(rng.integers(0, row_height - tile.shape[0] + 1))
        region = canvas[y : y + tile.shape[0], x : x + tile.shape[1]]
        np.maximum(region, tile, out=region)
        mask = tile > 255 * segment.INK_LEVEL
        rows_, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        boxes.append((x + columns[0], y + rows_[0], x + columns[-1] + 1, y + rows_[-1] + 1))
        labels.append(int(y_test[index]))
        x += tile.shape[1] + int(rng.integers(gap[0], gap[1] + 1))
    return (255 - canvas if dark_ink else canvas), labels, boxes


def touching_numbers(count, digits, seed):
    """``count`` numbers of ``digits`` MNIST test digits written so close that all their ink is
    one piece (``synthetic.numbers``, gaps -2..0 px at 28-px scale, scales 1.5-4, any pen width)."""
    written = synthetic.numbers(*mnist_test_set(), None, digits=digits, gaps=(-2, 0),
                                scales=(1.5, 4.0), seed=seed)
    one_piece = (number for number in written
                 if len(segment.find_digits(images.to_ink(number[0]))) == 1)
    return list(itertools.islice(one_piece, count))


# A hang guard, not a timing: refusing a path that is not a regular file takes microseconds.
HANG_SECONDS = 2.0


def special_files(folder) -> dict:
    """Paths that are no regular files, by name: a named pipe (opening it waits for a writer,
    forever), a folder, a socket, ``/dev/zero`` (endless) and ``/dev/null`` (empty). Call
    ``release`` on the folder afterwards: it frees any reader still waiting on the pipe."""
    import os
    import socket

    fifo, place, plug = folder / "pipe.png", folder / "folder.png", folder / "socket.png"
    os.mkfifo(fifo)
    place.mkdir()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(plug))
    listener.close()  # the socket file stays
    return {"fifo": fifo, "folder": place, "socket": plug, "/dev/zero": "/dev/zero",
            "/dev/null": "/dev/null"}


def release(folder) -> None:
    """Give every named pipe in ``folder`` a writer that leaves at once: a reader stuck
    opening one (a regression) gets end-of-file instead of blocking the test run."""
    import contextlib
    import os
    import stat

    for path in folder.iterdir():
        if stat.S_ISFIFO(path.lstat().st_mode):
            with contextlib.suppress(OSError):  # no reader: nothing to free
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def within_deadline(function, *arguments):
    """``function(*arguments)`` in a worker thread: ``(result, None)`` or ``(None, error)``.
    Fails the test if it has not returned after ``HANG_SECONDS``, instead of hanging."""
    import threading

    import pytest

    outcome = {}

    def work():
        try:
            outcome["result"] = function(*arguments)
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG_SECONDS)
    if worker.is_alive():
        pytest.fail(f"{getattr(function, '__name__', function)}{arguments} still runs after "
                    f"{HANG_SECONDS} s: it hangs")
    return outcome.get("result"), outcome.get("error")


def first_test_digits(count):
    """The first ``count`` MNIST test digits as float32 in [0, 1], and their labels."""
    x_test, y_test = mnist_test_set()
    return x_test[:count].astype(np.float32) / 255.0, y_test[:count]
