"""A small companion model that says whether a piece of ink is one *whole* digit, and which.

The digit model (``models/mnist_cnn.keras``) always answers one of 0-9, often surely, even
for a fragment of a digit or for two touching digits. When ``digitlib.reading.touching``
searches a piece of ink for touching digits, this second opinion reads each candidate with
eleven classes: "the whole digit 0" ... "the whole digit 9" and "not one whole digit" (a
fragment, two touching digits, a digit with a neighbour's stroke). Its P(whole) decides which
pieces are searched (``touching.NOT_WHOLE``) and adds ``touching.WHOLE_WEIGHT`` times its
log-odds to each candidate's score; its reading of the digit, made on pieces cut the way the
search cuts them, is blended with the digit model's (``touching.COMPANION_SHARE``).

It is trained on the candidate digits that the search itself cuts from numbers written with
MNIST *training* digits (``synthetic.mnist_string``; 1-5 digits, upright, slanted or widened,
at many scales, pen widths and gaps) or with the synthetic writer's pen-drawn digits: a
candidate is that digit when its box matches one digit's box, else "not one whole digit". It
trains only on the first 55,000 training images, like the digit model, so that the search's
weights can be tuned honestly on numbers of the last 5,000 (the validation split), which
neither model has seen.
The 10-class model of the notebooks stays as it is.

    python -m digitlib.reading.whole_digit models/whole_digit.keras   # train it again (about 8 min)
"""

import sys
import time

import numpy as np

from digitlib import config
from digitlib.datasets import synthetic
from digitlib.reading import images, segment
from digitlib.reading.preprocess import MNIST_SIZE

MODEL_PATH = config.ROOT / "models" / "whole_digit.keras"
MATCH = 0.85  # a candidate whose box overlaps a digit's box this much (IoU) is that digit
NOT_WHOLE_CLASS = 10  # the class after the ten digits: a fragment, a pair, a digit with extras
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
CONV1_FILTERS, CONV2_FILTERS, DENSE_UNITS = 32, 64, 128  # the digit model's dense layer: 256
EPOCHS = 8
BATCH_SIZE = 256
PEAK_LEARNING_RATE = 3e-3  # one warm-up tenth, then cosine decay, as the digit model trains

_loaded = {}


def examples(x, y, count: int = NUMBERS, seed: int = 0):
    """``(images28 (N, 28, 28), classes (N,))``: every candidate digit of ``count`` numbers
    written with the MNIST digits ``x``, ``y`` (as they are, or each one slanted and made wider
    or narrower) or with the synthetic writer's digits, and its class: the digit it is, or
    ``NOT_WHOLE_CLASS`` when it is not one whole digit."""
    from digitlib.reading import touching

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

    from digitlib.datasets import transforms

    field = np.zeros((len(x), MNIST_SIZE, round(MNIST_SIZE * STRETCH[1])), np.uint8)
    for k, image in enumerate(x):
        leaning = transforms.slant(image, float(rng.uniform(-SLANT, SLANT)))
        wide = ndimage.zoom(leaning, (1, float(rng.uniform(*STRETCH))), order=1)
        left = (field.shape[2] - wide.shape[1]) // 2
        field[k, :, left : left + wide.shape[1]] = np.round(255 * np.clip(wide, 0, 1))
    return field


def build_model():
    """The digit model's shape (``digitlib.training.model``) with a smaller dense layer and an
    eleventh
    output: not one whole digit. Half as many filters read about one number in seventy fewer
    right on numbers of validation digits, for a third of the time."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((MNIST_SIZE, MNIST_SIZE, 1)),
        layers.Conv2D(CONV1_FILTERS, 5, use_bias=False),
        layers.MaxPooling2D(2),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Conv2D(CONV2_FILTERS, 5, use_bias=False),
        layers.MaxPooling2D(2),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Flatten(),
        layers.Dense(DENSE_UNITS, use_bias=False),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.Dropout(0.25),
        layers.Dense(NOT_WHOLE_CLASS + 1, activation="softmax"),
    ], name="whole_digit")


def train(path, count: int = NUMBERS, seed: int = 0):
    """Train the companion model on the first 55,000 MNIST training digits and save it to
    ``path`` (atomically; an existing file is replaced only because you named it). Returns the
    validation accuracy."""
    import keras

    from digitlib import files
    from digitlib.datasets import mnist
    from digitlib.training.train import split_validation

    keras.utils.set_random_seed(seed)
    (x_train, y_train), _ = split_validation(*mnist.load_mnist()[0])
    started = time.perf_counter()
    pictures, classes = examples(x_train, y_train, count, seed)
    print(f"{len(classes)} candidates from {count} numbers, "
          f"{np.mean(classes != NOT_WHOLE_CLASS):.0%} whole digits "
          f"({time.perf_counter() - started:.0f} s)")
    model = build_model()
    steps = EPOCHS * int(np.ceil(0.9 * len(classes) / BATCH_SIZE))  # 10 % held out below
    schedule = keras.optimizers.schedules.CosineDecay(
        PEAK_LEARNING_RATE / 10, steps - steps // 10, alpha=0.01,
        warmup_target=PEAK_LEARNING_RATE, warmup_steps=steps // 10)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(pictures[..., np.newaxis], classes, batch_size=BATCH_SIZE,
                        epochs=EPOCHS, validation_split=0.1, verbose=2)
    with files.atomic_path(path, suffix=".keras") as temporary:
        model.save(temporary)
    print(f"saved {path} ({time.perf_counter() - started:.0f} s in all)")
    return float(history.history["val_accuracy"][-1])


def load() -> bool:
    """Load the companion model (once per process) and run it once, so that the first touching
    number read is not slow; returns whether there is one (``MODEL_PATH`` exists)."""
    if "run" not in _loaded:
        _loaded["run"] = _load()
        if _loaded["run"] is not None:
            _loaded["run"](np.zeros((1, MNIST_SIZE, MNIST_SIZE, 1), np.float32))
    return _loaded["run"] is not None


def opinions(images28) -> np.ndarray | None:
    """The companion's reading (N, 11) of images (N, 28, 28): P(the whole digit 0), ...,
    P(the whole digit 9), P(not one whole digit); None when there is no companion model."""
    if not load():
        return None
    run = _loaded["run"]
    return run(np.asarray(images28, dtype=np.float32).reshape(-1, MNIST_SIZE, MNIST_SIZE, 1))


def probabilities(images28) -> np.ndarray | None:
    """P(one whole digit) (N,) for images (N, 28, 28); None when there is no companion model."""
    return whole(opinions(images28))


def whole(read: np.ndarray | None) -> np.ndarray | None:
    """P(one whole digit) (N,) from the companion's ``opinions`` (N, 11); None stays None."""
    return None if read is None else 1.0 - read[:, NOT_WHOLE_CLASS]


def _load():
    if not MODEL_PATH.is_file():
        return None
    import keras

    from digitlib.reading import runtime

    run, _ = runtime.compile_model(keras.models.load_model(MODEL_PATH, compile=False))
    return run


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not argv[0].endswith(".keras"):
        print("usage: python -m digitlib.reading.whole_digit PATH.keras", file=sys.stderr)
        return 2
    train(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
