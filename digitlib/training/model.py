"""The convolutional network that reads digits.

Two blocks of convolution -> max pooling -> batch normalisation -> ReLU learn strokes and then
parts of digits; a dense layer combines them and a softmax gives ten probabilities. Pooling
before normalising gives the same kind of network as the textbook order (max pooling commutes
with the increasing ReLU) at a quarter of the normalisation cost.
"""

import keras
from keras import layers

from digitlib.reading.preprocess import MNIST_SIZE, NUM_CLASSES

INPUT_SHAPE = (MNIST_SIZE, MNIST_SIZE, 1)


def build_model(
    conv1_filters: int = 32,
    conv2_filters: int = 64,
    dense_units: int = 256,
    dropout: float = 0.25,
    num_classes: int = NUM_CLASSES,
    name: str = "mnist_cnn",
) -> keras.Model:
    """Build (not train) the CNN: input (N, 28, 28, 1) floats in [0, 1], output (N, 10), or
    (N, ``num_classes``) for another reader of digits (the companion model has 11)."""
    for setting, value in (("conv1_filters", conv1_filters), ("conv2_filters", conv2_filters),
                           ("dense_units", dense_units), ("num_classes", num_classes)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{setting} must be a positive integer, got {value!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Conv2D(conv1_filters, 5, use_bias=False, name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.BatchNormalization(name="norm1"),
            layers.ReLU(name="relu1"),
            layers.Conv2D(conv2_filters, 5, use_bias=False, name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.BatchNormalization(name="norm2"),
            layers.ReLU(name="relu2"),
            layers.Flatten(name="flatten"),
            layers.Dense(dense_units, use_bias=False, name="dense"),
            layers.BatchNormalization(name="norm3"),
            layers.ReLU(name="relu3"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="probabilities"),
        ],
        name=name,
    )
