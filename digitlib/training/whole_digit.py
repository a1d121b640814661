"""Train the companion model (``digitlib.reading.whole_digit``) that tells one whole digit from
a fragment, two touching digits or a digit with a neighbour's stroke.

It is trained on the candidate digits that the touching-digits search itself cuts
(``digitlib.reading.touching``) from numbers written with MNIST *training* digits
(``synthetic.mnist_string``; 1-5 digits, upright, slanted or widened, at many scales, pen widths
and gaps) or with the synthetic writer's pen-drawn digits: a candidate is that digit when its
box matches one digit's box, else "not one whole digit". It trains only on the first 55,000
training images, like the digit model, so that the search's weights can be tuned honestly on
numbers of the last 5,000 (the validation split), which neither model has seen. Its network is
the digit model's (``model.build_model``) and so is its learning-rate schedule
(``train.one_cycle``).

    python -m digitlib.training.whole_digit models/whole_digit.keras   # train it again (8 min)
"""

import sys
import time

import numpy as np

from digitlib.datasets import synthetic, transforms
from digitlib.reading import images, segment, touching
from digitlib.reading.preprocess import MNIST_SIZE
from digitlib.reading.whole_digit import NOT_WHOLE_CLASS
from digitlib.training import small_model

MATCH = 0.85  # a candidate whose box overlaps a digit's box this much (IoU) is that digit
NUMBERS = 8000  # numbers of 1-5 digits written to train on (about 230,000 candidates)
GAPS = (-3, 2)  # px at MNIST's scale: a little wider than bench-strings' -2..+1 either way
SCALES = (1.0, 4.0)
# Where the digits of a number come from: MNIST as it is, MNIST varied (each digit slanted by a
# shear of up to SLANT either way and made STRETCH times as wide: wide 0s and 7s are whole
# digits too) and the synthetic writer (``synthetic.write``: pen strokes, a 1 with a flag, a 7
# with a crossbar, WRITER_DIGITS of each), so drawings on the pad are judged as well as MNIST.
SOURCE_SHARES = (0.4, 0.4, 0.2)
SLANT = 0.3
STRETCH = (0.8, 1.5)
WRITER_DIGITS = 200
# Half the digit model's filters and dense units read about one number in seventy fewer right
# on numbers of validation digits, for a third of the time.
CONV1_FILTERS, CONV2_FILTERS, DENSE_UNITS = 32, 64, 128  # the digit model's dense layer: 256
EPOCHS = 8
BATCH_SIZE = 256
PEAK_LEARNING_RATE = 3e-3  # reached after a warm-up of WARMUP_FRACTION, then cosine decay
WARMUP_FRACTION = 0.1
VALIDATION_FRACTION = 0.1  # of the candidates, held out to report the accuracy
NETWORK = small_model.SmallNetwork("whole_digit", CONV1_FILTERS, CONV2_FILTERS, DENSE_UNITS,
                                   EPOCHS, BATCH_SIZE, PEAK_LEARNING_RATE, WARMUP_FRACTION,
                                   VALIDATION_FRACTION)


def examples(x, y, count: int = NUMBERS, seed: int = 0):
    """``(images28 (N, 28, 28), classes (N,))``: every candidate digit of ``count`` numbers
    written with the MNIST digits ``x``, ``y`` (as they are, or each one slanted and made wider
    or narrower) or with the synthetic writer's digits, and its class: the digit it is, or
    ``NOT_WHOLE_CLASS`` when it is not one whole digit."""
    x, y = small_model.mnist_digits(x, y)
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive number of numbers, got {count!r}")
    rng = np.random.default_rng(seed)
    varied = _varied(x, rng)
    drawn, drawn_labels, _ = synthetic.write(per_digit=WRITER_DIGITS, seed=seed)
    drawn = _varied(np.round(255 * drawn).astype(np.uint8), rng)
    sources = [(x, y), (varied, y), (drawn, drawn_labels)]
    pictures, classes = [], []
    for _ in range(count):
        scale = float(rng.uniform(*SCALES))
        pen = int(rng.choice(synthetic.PEN_WIDTHS))
        digits, labels = sources[rng.choice(len(sources), p=SOURCE_SHARES)]
        canvas, written, boxes = synthetic.mnist_string(
            digits, labels, rng, int(rng.integers(1, 6)), gaps=GAPS, scale=scale,
            pen=pen if scale >= 2 else max(pen, 0))  # small and thinned: erased
        for found in segment.find_digits(images.to_ink(canvas)):
            graph = touching.candidate_pieces(found)
            for piece in [found] + (graph.pieces if graph else []):
                pictures.append(touching.candidate_image(piece))
                overlaps = [segment.iou(piece.box, box) for box in boxes]
                best = int(np.argmax(overlaps))
                classes.append(written[best] if overlaps[best] > MATCH else NOT_WHOLE_CLASS)
    return np.stack(pictures), np.array(classes, dtype=np.int32)


def _varied(x, rng) -> np.ndarray:
    """Each digit of ``x`` (uint8 (N, 28, 28)) slanted by up to SLANT either way and made
    STRETCH times as wide, on a field wide enough for the widest (uint8 (N, 28, 42))."""
    from scipy import ndimage

    field = np.zeros((len(x), MNIST_SIZE, round(MNIST_SIZE * STRETCH[1])), np.uint8)
    for k, image in enumerate(x):
        leaning = transforms.slant(image, float(rng.uniform(-SLANT, SLANT)))
        wide = ndimage.zoom(leaning, (1, float(rng.uniform(*STRETCH))), order=1)
        left = (field.shape[2] - wide.shape[1]) // 2
        field[k, :, left : left + wide.shape[1]] = np.round(255 * np.clip(wide, 0, 1))
    return field


def build_model():
    """The digit model's network (``model.build_model``) with a smaller dense layer and an
    eleventh output: not one whole digit."""
    return NETWORK.build()


def schedule(steps: int):
    """The learning rate over ``steps`` batches: the digit model's one cycle
    (``train.one_cycle``) with this model's peak and a warm-up of a tenth."""
    return NETWORK.schedule(steps)


def train(path, count: int = NUMBERS, seed: int = 0):
    """Train the companion model on the first 55,000 MNIST training digits and save it to
    ``path`` with its ONNX copy and card (``export.save_model``: atomically; an existing file is
    replaced only because you named it). Returns the validation accuracy."""
    import keras

    from digitlib.datasets import mnist
    from digitlib.training.train import split_validation

    keras.utils.set_random_seed(seed)
    (x_train, y_train), _ = split_validation(*mnist.load_mnist()[0])
    started = time.perf_counter()
    pictures, classes = examples(x_train, y_train, count, seed)
    print(f"{len(classes)} candidates from {count} numbers, "
          f"{np.mean(classes != NOT_WHOLE_CLASS):.0%} whole digits "
          f"({time.perf_counter() - started:.0f} s)")
    network, accuracy = NETWORK.fit(pictures, classes)
    NETWORK.save(network, path, seed, started, numbers=count, candidates=int(len(classes)),
                 validation_accuracy=round(accuracy, 5))
    return accuracy


def main(argv=None) -> int:
    return NETWORK.command(train, argv)


if __name__ == "__main__":
    sys.exit(main())
