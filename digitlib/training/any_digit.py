"""Train the no-digit model (``digitlib.reading.any_digit``): the digits 0-9, or no digit at all.

A model told only "digits are MNIST, non-digits are pen drawings" learns the wrong thing: the
look of the ink. MNIST's ink is soft and uneven, a pen's is crisp and even, and such a model
calls most digits drawn with a pen "no digit". So each side is shown in both looks:

- digits: MNIST *training* digits on a pad canvas at many sizes (``DIGIT_SHARES``), the same
  digits re-drawn with a round pen along their skeleton (``pen_digit``), and the synthetic
  writer's pen-drawn digits (``synthetic.write``);
- no digit: pen drawings of ``nondigits.TRAINING_KINDS`` under ``nondigits.TRAINING`` (its own
  sizes, pens, wobble, slant and seed; no letters and no scattered strokes, which the benchmark
  then scores as shapes never seen), a share of them softened to look like MNIST's ink
  (``soften``).

Every example goes through what the predictor does to a drawing (``paper.page_of``,
``segment.find_digits``, ``to_mnist``); drawings that come apart into several pieces are left
out. It trains on the first 55,000 MNIST training images, like the digit model; the unsure rule
is judged on the last 5,000 (the validation split) and reported on the test digits (``make
bench-unsure``). Its network is the digit model's (``model.build_model``), smaller, and so is its
learning-rate schedule (``train.one_cycle``).

    python -m digitlib.training.any_digit models/any_digit.keras   # train it again (~5 min)
"""

import sys
import time

import numpy as np

from digitlib.datasets import nondigits, synthetic, transforms
from digitlib.reading import paper, segment
from digitlib.reading.any_digit import NO_DIGIT_CLASS
from digitlib.reading.preprocess import to_mnist
from digitlib.training import small_model

PAD = 280  # the notebook pad's canvas, where every example is drawn
MNIST_SIZES = (90, 280)  # an MNIST digit's side on the pad, in pixels
SLANTED = 0.3  # the share of MNIST digits slanted by up to SLANT either way first
SLANT = 0.3
PEN_DIGITS = 25000  # MNIST digits also re-drawn with a round pen
PEN_SIZES = (100, 240)  # ... this tall on the pad
PEN_RADII = (3, 15)  # ... with a pen this many pixels wide either side of the stroke
WRITER_DIGITS = 300  # of each digit, from the synthetic writer
NON_DIGITS = 42000  # pen drawings of no digit, as many of each kind
SOFTENED = 0.4  # the share of them shrunk to MNIST's size and blown up again (``soften``)
SOFT_SIZES = (24, 40)
# Half the companion's filters: it runs on every reading, and the companion's size (32, 64, 128)
# caught about as many non-digits of the tuning set at a higher cost per call.
CONV1_FILTERS, CONV2_FILTERS, DENSE_UNITS = 16, 32, 64
EPOCHS = 8
BATCH_SIZE = 256
PEAK_LEARNING_RATE = 3e-3
WARMUP_FRACTION = 0.1
VALIDATION_FRACTION = 0.05  # of the examples, held out to report the accuracy
NETWORK = small_model.SmallNetwork("any_digit", CONV1_FILTERS, CONV2_FILTERS, DENSE_UNITS,
                                   EPOCHS, BATCH_SIZE, PEAK_LEARNING_RATE, WARMUP_FRACTION,
                                   VALIDATION_FRACTION)


def one_piece(picture) -> np.ndarray | None:
    """The 28x28 image the predictor would read from a pad ``picture`` holding one piece of
    ink; None when it holds none or several."""
    found = segment.find_digits(paper.page_of(paper.decode(picture), False).ink)
    return to_mnist(found[0].ink) if len(found) == 1 else None


def mnist_on_pad(image, rng):
    """An MNIST digit (uint8 (28, 28), ink bright) as dark ink on a white pad, at a random size
    and place (bicubic: MNIST's soft ink, blown up)."""
    from PIL import Image

    size = int(rng.integers(MNIST_SIZES[0], MNIST_SIZES[1] + 1))
    canvas = Image.new("L", (PAD, PAD), 255)
    digit = Image.fromarray(255 - image).resize((size, size), Image.Resampling.BICUBIC)
    canvas.paste(digit, tuple(int(at) for at in rng.integers(0, PAD - size + 1, 2)))
    return canvas


def pen_digit(image, rng):
    """An MNIST digit re-drawn with a round pen along its skeleton, on a white pad."""
    from PIL import Image
    from scipy import ndimage
    from skimage.morphology import skeletonize

    size = int(rng.integers(*PEN_SIZES))
    big = np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BICUBIC)) > 128
    # every pixel within the pen's radius of the skeleton (a dilation by a disk, 10x faster)
    ink = ndimage.distance_transform_edt(~skeletonize(big)) <= int(rng.integers(*PEN_RADII))
    canvas = np.full((PAD, PAD), 255, np.uint8)
    top, left = rng.integers(0, PAD - size + 1, 2)
    canvas[top : top + size, left : left + size][ink] = 0
    return Image.fromarray(canvas)


def soften(picture, rng):
    """A pen drawing made to look like MNIST's ink: shrunk to about MNIST's size and blown up
    again, so its strokes come out soft and uneven."""
    from PIL import Image

    small = int(rng.integers(*SOFT_SIZES))
    return picture.resize((small, small), Image.Resampling.LANCZOS).resize(
        (PAD, PAD), Image.Resampling.BICUBIC)


def examples(x, y, pen_digits: int = PEN_DIGITS, writer_digits: int = WRITER_DIGITS,
             non_digits: int = NON_DIGITS, seed: int = 0):
    """``(images28 (N, 28, 28) float32, classes (N,))``: every MNIST digit of ``x``, ``y`` on
    the pad, ``pen_digits`` of them re-drawn with a pen, ``writer_digits`` of each digit from
    the synthetic writer (their class: the digit), and ``non_digits`` pen drawings of no digit
    (``NO_DIGIT_CLASS``)."""
    x, y = small_model.mnist_digits(x, y)
    for name, count in (("pen_digits", pen_digits), ("writer_digits", writer_digits),
                        ("non_digits", non_digits)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{name} must be a whole number of at least 0, got {count!r}")
    rng = np.random.default_rng(seed)
    pictures, classes = [], []

    def add(picture, kind):
        image28 = one_piece(picture)
        if image28 is not None:
            pictures.append(image28)
            classes.append(kind)

    for image, digit in zip(x, y, strict=True):
        if rng.random() < SLANTED:
            leaning = transforms.slant(image, float(rng.uniform(-SLANT, SLANT)))
            image = np.round(255 * np.clip(leaning, 0, 1)).astype(np.uint8)
        add(mnist_on_pad(image, rng), int(digit))
    for k in rng.choice(len(x), min(pen_digits, len(x)), replace=False):
        add(pen_digit(x[k], rng), int(y[k]))
    if writer_digits:
        written, labels, _ = synthetic.write(per_digit=writer_digits, seed=seed)
        pictures.extend(written)
        classes.extend(int(label) for label in labels)
    drawn = np.random.default_rng([seed, nondigits.TRAINING.seed])
    kinds = list(nondigits.TRAINING_KINDS)
    for n in range(non_digits):
        picture = nondigits.draw(kinds[n % len(kinds)], drawn, nondigits.TRAINING)
        add(soften(picture, drawn) if drawn.random() < SOFTENED else picture, NO_DIGIT_CLASS)
    return np.stack(pictures).astype(np.float32), np.array(classes, dtype=np.int32)


def build_model():
    """The digit model's network (``model.build_model``), smaller, with an eleventh output:
    no digit."""
    return NETWORK.build()


def test_set_figures(run) -> dict:
    """What the card says of the model ``run`` (images (N, 28, 28, 1) -> (N, 11)) on the 10,000
    MNIST test digits as they are: how many it calls no digit at even odds, and how many above
    the predictor's ``NO_DIGIT_SURE`` (those a reading would be doubted for), and how many of
    them it reads right."""
    from digitlib.datasets import mnist
    from digitlib.reading.predict import NO_DIGIT_SURE
    from digitlib.reading.preprocess import normalize

    _, (x_test, y_test) = mnist.load_mnist()
    read = np.concatenate([run(normalize(x_test[at : at + 1000]))
                           for at in range(0, len(x_test), 1000)])
    return {"digits": int(len(y_test)),
            "called_no_digit": int(np.sum(read[:, NO_DIGIT_CLASS] > 0.5)),
            "called_no_digit_surely": int(np.sum(read[:, NO_DIGIT_CLASS] > NO_DIGIT_SURE)),
            "no_digit_sure": NO_DIGIT_SURE,
            "read_right": int(np.sum(read[:, :NO_DIGIT_CLASS].argmax(axis=1) == y_test))}


def train(path, seed: int = 0):
    """Train the model on the first 55,000 MNIST training digits and generated non-digits, and
    save it to ``path`` with its ONNX copy and card (``export.save_model``: atomically; an
    existing file is replaced only because you named it). Returns the validation accuracy."""
    import keras

    from digitlib.datasets import mnist
    from digitlib.training.train import split_validation

    keras.utils.set_random_seed(seed)
    (x_train, y_train), _ = split_validation(*mnist.load_mnist()[0])
    started = time.perf_counter()
    pictures, classes = examples(x_train, y_train, seed=seed)
    order = np.random.default_rng(seed).permutation(len(classes))
    pictures, classes = pictures[order], classes[order]
    print(f"{len(classes)} examples, {np.mean(classes == NO_DIGIT_CLASS):.0%} of no digit "
          f"({time.perf_counter() - started:.0f} s)")
    network, accuracy = NETWORK.fit(pictures, classes)
    NETWORK.save(network, path, seed, started, examples=int(len(classes)),
                 no_digit_examples=int(np.sum(classes == NO_DIGIT_CLASS)),
                 validation_accuracy=round(accuracy, 5),
                 test_set=test_set_figures(lambda batch: network.predict(batch, verbose=0)))
    return accuracy


def main(argv=None) -> int:
    return NETWORK.command(train, argv)


if __name__ == "__main__":
    sys.exit(main())
