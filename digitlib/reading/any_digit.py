"""A second small model that says whether a piece of ink looks like any digit at all.

The digit model (``models/mnist_cnn.keras``) always answers one of 0-9, and often surely: a
scribble is an "8 92%", a chevron a "1 100%". This model reads a piece of ink (the 28x28 image
the digit model reads) with eleven classes, the digits 0-9 and "no digit", and the predictor
marks a reading unsure ("does not look like any digit") when its P(no digit) is above even
odds (``digitlib.reading.predict``, the "no-digit" rule). It learned digits from MNIST training
digits, as they are and re-drawn with a round pen, and the synthetic writer's digits; and
non-digits from pen drawings (``digitlib.datasets.nondigits.TRAINING_KINDS``): scribbles,
zigzags, loops, shapes, letters other than the benchmark's, some softened to look like MNIST's
ink, so that the look of the ink tells it nothing and only the shape does.

This is the half that reads; ``digitlib.training.any_digit`` trains the model
(``python -m digitlib.training.any_digit models/any_digit.keras``) and saves its ONNX copy
``models/any_digit.onnx`` beside it, which is what runs here (no TensorFlow). Without the file
the predictor still works, and marks only what the digit model doubts.
"""

import numpy as np

from digitlib import config
from digitlib.reading import runtime

MODEL_PATH = config.COMMITTED_MODELS_DIR / "any_digit.keras"
NO_DIGIT_CLASS = 10  # the class after the ten digits: no digit at all

MODEL = runtime.SmallModel(MODEL_PATH)


def load(onnx_copy: bool = True) -> bool:
    """Load the model (once per process) and run it once, so that the first drawing read is not
    slow; returns whether there is one (``MODEL_PATH`` exists). ``onnx_copy``: as in
    ``runtime.SmallModel.load``."""
    return MODEL.load(onnx_copy)


def opinions(images28) -> np.ndarray | None:
    """The model's reading (N, 11) of images (N, 28, 28): P(the digit 0), ..., P(the digit 9),
    P(no digit); None when there is no model."""
    return MODEL(images28)


def no_digit(images28) -> np.ndarray | None:
    """P(no digit at all) (N,) for images (N, 28, 28); None when there is no model."""
    read = opinions(images28)
    return None if read is None else read[:, NO_DIGIT_CLASS]
