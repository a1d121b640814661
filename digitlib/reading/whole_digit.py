"""A small companion model that says whether a piece of ink is one *whole* digit, and which.

The digit model (``models/mnist_cnn.keras``) always answers one of 0-9, often surely, even
for a fragment of a digit or for two touching digits. When ``digitlib.reading.touching``
searches a piece of ink for touching digits, this second opinion reads each candidate with
eleven classes: "the whole digit 0" ... "the whole digit 9" and "not one whole digit" (a
fragment, two touching digits, a digit with a neighbour's stroke). Its P(whole) decides which
pieces are searched (``touching.NOT_WHOLE``) and adds ``touching.WHOLE_WEIGHT`` times its
log-odds to each candidate's score; its reading of the digit, made on pieces cut the way the
search cuts them, is blended with the digit model's (``touching.COMPANION_SHARE``).

This is the half that reads; ``digitlib.training.whole_digit`` trains the model
(``python -m digitlib.training.whole_digit models/whole_digit.keras``), and saves its ONNX copy
``models/whole_digit.onnx`` beside it, which is what runs here (``runtime.load_copy``: no
TensorFlow). Without the file the reader still works, less well. The 10-class model of the
notebooks stays as it is.
"""

import numpy as np

from digitlib import config
from digitlib.reading import runtime

MODEL_PATH = config.COMMITTED_MODELS_DIR / "whole_digit.keras"
NOT_WHOLE_CLASS = 10  # the class after the ten digits: a fragment, a pair, a digit with extras

MODEL = runtime.SmallModel(MODEL_PATH)


def load(onnx_copy: bool = True) -> bool:
    """Load the companion model (once per process) and run it once, so that the first touching
    number read is not slow; returns whether there is one (``MODEL_PATH`` exists).
    ``onnx_copy``: as in ``runtime.SmallModel.load``."""
    return MODEL.load(onnx_copy)


def opinions(images28) -> np.ndarray | None:
    """The companion's reading (N, 11) of images (N, 28, 28): P(the whole digit 0), ...,
    P(the whole digit 9), P(not one whole digit); None when there is no companion model."""
    return MODEL(images28)


def probabilities(images28) -> np.ndarray | None:
    """P(one whole digit) (N,) for images (N, 28, 28); None when there is no companion model."""
    return whole(opinions(images28))


def whole(read: np.ndarray | None) -> np.ndarray | None:
    """P(one whole digit) (N,) from the companion's ``opinions`` (N, 11); None stays None."""
    return None if read is None else 1.0 - read[:, NOT_WHOLE_CLASS]
