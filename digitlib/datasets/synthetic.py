"""Digits drawn by code, stroke by stroke on the pad's own canvas (``strokes.Drawing``).

Two hands, for lessons, tests and benchmarks that must run where nobody holds a mouse:

- a plain hand with every digit 0-9, placed where you ask (``draw_digits``); 1, 4, 5 and 7
  take two strokes, the way people draw them with a mouse;
- a synthetic *writer* with a distinctive hand (``write``), unlike MNIST on purpose: their 1
  has a long, curved flag (the continental 1 that an MNIST model reads as 7), their 2 is a Z
  with a crossbar, their 7 has a crossbar, a hooked start and a curly foot, their 4 an open top
  and their 9 a straight stem with a hooked tail. Every example is drawn with seeded jitter
  (slant, size, position, wobble of every point, brush width) in thick ink, then made 28x28
  exactly as the front ends do (``segment.whole_drawing`` then ``preprocess.to_mnist``).

    from digitlib.datasets import synthetic
    picture = synthetic.draw_digits([4, 2], synthetic.row_of_places(2), size=(200, 140))
    images28, labels, crops = synthetic.write(digits=(1, 2, 4, 7, 9), per_digit=20, seed=0)

A third source writes *numbers* with real MNIST digits (``mnist_string``): digits placed side by
side with gaps of a few pixels either way, so that neighbours touch or overlap, as people write
numbers fast; ``numbers`` writes many of them, of varied lengths, sizes and pens.

    canvas, labels, boxes = synthetic.mnist_string(x_test, y_test, rng, count=5, gaps=(-2, 1))
    for canvas, labels, boxes in synthetic.numbers(x_test, y_test, 300, digits=(2, 6), seed=15):
        ...
"""

import numpy as np
from PIL import Image
from scipy import ndimage

from digitlib.reading import images, segment
from digitlib.reading.preprocess import to_mnist
from digitlib.reading.strokes import Drawing

PAD = 280  # the writer writes on a square pad of the notebook pad's height


def arc(cx, cy, rx, ry, start, end, steps=24):
    """Points on an ellipse from ``start`` to ``end`` degrees (0 = right, 90 = down)."""
    angles = np.radians(np.linspace(start, end, steps))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles), strict=True))


# --- the plain hand ----------------------------------------------------------------------------

# Digits as pen strokes in a unit box (x right, y down). The second stroke of the 1 (its flag)
# does not touch the stem.
DIGIT_STROKES = {
    0: [arc(0.5, 0.5, 0.38, 0.5, 0, 360)],
    1: [[(0.55, 0.0), (0.55, 1.0)], [(0.2, 0.25), (0.42, 0.06)]],
    2: [arc(0.5, 0.28, 0.38, 0.28, 180, 390) + [(0.1, 1.0), (0.9, 1.0)]],
    3: [arc(0.45, 0.25, 0.4, 0.25, 200, 450) + arc(0.45, 0.75, 0.42, 0.25, 270, 520)],
    4: [[(0.6, 0.0), (0.05, 0.65), (0.95, 0.65)], [(0.7, 0.25), (0.7, 1.0)]],
    5: [[(0.2, 0.1), (0.15, 0.45)] + arc(0.45, 0.68, 0.38, 0.32, 240, 480),
        [(0.2, 0.0), (0.85, 0.0)]],
    6: [[(0.75, 0.0), (0.3, 0.35)] + arc(0.5, 0.7, 0.38, 0.3, 180, 540)],
    7: [[(0.05, 0.0), (0.95, 0.0), (0.4, 1.0)], [(0.4, 0.5), (0.85, 0.5)]],
    8: [arc(0.5, 0.25, 0.32, 0.25, 90, 450) + arc(0.5, 0.74, 0.4, 0.26, -90, 270)],
    9: [arc(0.5, 0.28, 0.35, 0.28, 0, 360) + [(0.85, 0.28), (0.8, 1.0)]],
}


def row_of_places(count: int, width=60, height=100, gap=20, top=20, left=20):
    """``count`` boxes (left, top, width, height) side by side, ``gap`` pixels apart."""
    return [(left + k * (width + gap), top, width, height) for k in range(count)]


def draw_digits(digits, places, size=(280, 280), brush=16.0):
    """A white ``size`` (width, height) Pillow image with ``digits`` drawn in black, each
    stretched over its place (left, top, width, height), e.g. from ``row_of_places``."""
    digits, places = list(digits), list(places)
    if len(digits) != len(places):
        raise ValueError(f"got {len(digits)} digits but {len(places)} places")
    unknown = [digit for digit in digits if digit not in DIGIT_STROKES]
    if unknown:
        raise ValueError(f"digits are 0-9, got {unknown}")
    pad = Drawing(*size, brush=brush)
    for digit, (left, top, width, height) in zip(digits, places, strict=True):
        for stroke in DIGIT_STROKES[digit]:
            pad.add_stroke([(left + x * width, top + y * height) for x, y in stroke])
    return pad.to_image()


# --- the synthetic writer -----------------------------------------------------------------------

# The writer's strokes in a unit box (x right, y down); each stroke is one pen-down ... pen-up.
WRITER_STROKES = {
    # A long flag curving up from the far left into a straight stem, no base.
    1: [[(0.0, 0.45), (0.30, 0.20), (0.60, 0.0), (0.60, 1.0)]],
    # A Z with a crossbar.
    2: [[(0.05, 0.05), (0.95, 0.05), (0.05, 0.95), (0.95, 0.95)], [(0.25, 0.50), (0.75, 0.50)]],
    # A hooked start, the top bar, a stem ending in a curl to the left, and a crossbar.
    7: [[(0.05, 0.25), (0.08, 0.06), (0.92, 0.06), (0.52, 0.70),
         *arc(0.40, 0.80, 0.16, 0.14, -40, 180, steps=10)],
        [(0.18, 0.42), (0.90, 0.42)]],
    # Open top: the left arm and the bar in one stroke, the tall stem apart and far to the right.
    4: [[(0.10, 0.00), (0.02, 0.62), (0.98, 0.62)], [(0.80, 0.20), (0.80, 1.00)]],
    # A small head high up, a long straight stem and a tail hooked to the right.
    9: [[*arc(0.45, 0.50, 0.38, 0.35, -20, 340, steps=20)], [(0.85, 0.20), (0.85, 0.95)]],
}


def _check_writer_digit(digit) -> int:
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)):
        raise TypeError(f"a digit must be an integer, got {digit!r}")
    if int(digit) not in WRITER_STROKES:
        raise ValueError(f"the synthetic writer only writes {sorted(WRITER_STROKES)}, "
                         f"not {digit!r}")
    return int(digit)


def draw(digit: int, rng: np.random.Generator):
    """One example of ``digit`` in the writer's hand: a white 280x280 PIL image, black ink."""
    strokes = WRITER_STROKES[_check_writer_digit(digit)]
    slant = rng.uniform(-0.20, 0.25)  # shear: x += slant * (0.5 - y)
    height = rng.uniform(150, 200)
    width = height * rng.uniform(0.55, 0.75)
    left = rng.uniform(20, PAD - 20 - width - 0.25 * height)
    top = rng.uniform(20, PAD - 20 - height)
    pad = Drawing(PAD, PAD, brush=float(rng.uniform(18, 26)))
    for stroke in strokes:
        wobbly = np.array(stroke) + rng.normal(0, 0.025, (len(stroke), 2))
        pad.add_stroke([(left + (x + slant * (0.5 - y)) * width + 0.1 * height, top + y * height)
                        for x, y in wobbly])
    return pad.to_image()


def example(digit: int, rng: np.random.Generator):
    """``(image28, crop)``: the 28x28 float image the model sees and the raw uint8 ink crop."""
    found = segment.whole_drawing(images.to_ink(draw(digit, rng)))
    crop = np.round(found.ink * 255).astype(np.uint8)
    return to_mnist(found.ink), crop


def write(digits=tuple(WRITER_STROKES), per_digit: int = 10, seed: int = 0):
    """``(images28 (N, 28, 28) float32, labels (N,) int64, crops)`` for ``per_digit`` of each.

    Examples come digit by digit, in the order of ``digits``; the same seed gives the same set.
    """
    digits = [_check_writer_digit(digit) for digit in digits]
    if isinstance(per_digit, bool) or not isinstance(per_digit, int) or per_digit < 1:
        raise ValueError(f"per_digit must be a whole number of at least 1, got {per_digit!r}")
    if not digits:
        raise ValueError("give at least one digit to write")
    rng = np.random.default_rng(seed)
    written, labels, crops = [], [], []
    for digit in digits:
        for _ in range(per_digit):
            image28, crop = example(digit, rng)
            written.append(image28)
            crops.append(crop)
            labels.append(digit)
    return np.stack(written).astype(np.float32), np.array(labels, dtype=np.int64), crops


# --- numbers written with MNIST digits ----------------------------------------------------------

# Pen widths of ``mnist_string`` at the canvas's scale: -1 thins MNIST's stroke by a pixel, 0
# keeps it, 2 makes it bolder by two pixels on each side.
PEN_WIDTHS = (-1, 0, 1, 2)


def mnist_string(x, y, rng: np.random.Generator, count: int, gaps=(-2, 1), scale: float = 3.0,
                 pen: int = 0, jitter: int = 2, margin: int = 12):
    """A number written with ``count`` random digits of ``x`` (uint8 (N, 28, 28), MNIST's way)
    and labels ``y``: each digit cropped to its ink, placed after the previous one with a gap
    drawn from ``gaps`` (pixels at MNIST's 28-px scale, inclusive; negative: the boxes overlap,
    so the ink touches or crosses), moved up or down by up to ``jitter`` px, then scaled by
    ``scale`` and its strokes made ``pen`` px thicker (negative: thinner).

    Returns ``(canvas, labels, boxes)``: a uint8 canvas with ink bright (as MNIST), the digits'
    labels left to right and each digit's tight ink box (left, top, right, bottom) on it.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.dtype != np.uint8 or len(x) != len(y):
        raise ValueError("x must be uint8 images (N, H, W) and y their N labels")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    picks = rng.choice(len(x), count, replace=False)
    placed, left = [], 0.0  # (tile, left, top) at the canvas's scale
    for index in picks:
        digit = x[index]
        rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        digit = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        top = rows[0] + int(rng.integers(-jitter, jitter + 1))
        tile = _pen(_scaled(digit, scale), pen)
        placed.append((tile, round(left * scale) - max(pen, 0), round(top * scale) - max(pen, 0)))
        left += digit.shape[1] + int(rng.integers(gaps[0], gaps[1] + 1))
    low = min(top for _, _, top in placed)
    width = max(left + tile.shape[1] for tile, left, _ in placed) + 2 * margin
    height = max(top + tile.shape[0] for tile, _, top in placed) - low + 2 * margin
    canvas = np.zeros((height, width), np.uint8)
    boxes = []
    for tile, left, top in placed:
        top += margin - low
        left += margin
        region = canvas[top : top + tile.shape[0], left : left + tile.shape[1]]
        np.maximum(region, tile, out=region)
        mask = tile > 255 * segment.INK_LEVEL
        rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        boxes.append((left + int(columns[0]), top + int(rows[0]),
                      left + int(columns[-1]) + 1, top + int(rows[-1]) + 1))
    return canvas, [int(y[index]) for index in picks], boxes


def numbers(x, y, count: int | None = None, digits=(2, 6), gaps=(-2, 1), scales=(2.0, 4.0),
            pens=PEN_WIDTHS, pens_in_turn: bool = False, seed: int = 0):
    """``count`` numbers written with the MNIST digits ``x``, ``y`` (``mnist_string``), one after
    the other from one random generator seeded with ``seed``: an iterator of ``(canvas, labels,
    boxes)``; ``count=None`` writes them without end.

    Each number takes ``digits`` digits (a count, or the range ``(fewest, most)``, inclusive),
    ``gaps`` as in ``mnist_string``, a scale (a number, or a range ``(low, high)`` drawn from
    uniformly) and a pen width: ``pens`` is one width or a sequence of them, drawn from at random
    or, with ``pens_in_turn=True``, taken in turn so that each width is used as often.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.dtype != np.uint8 or len(x) != len(y):
        raise ValueError("x must be uint8 images (N, H, W) and y their N labels")
    if count is not None and (isinstance(count, bool) or not isinstance(count, (int, np.integer))
                              or count < 0):
        raise ValueError(f"count must be a whole number of 0 or more (or None), got {count!r}")
    fewest, most = _range_of(digits, "digits", whole=True)
    if fewest < 1 or most > len(x):
        raise ValueError(f"digits must lie between 1 and the {len(x)} images given, got "
                         f"{digits!r}")
    if not _range_of(scales, "scales")[0] > 0:
        raise ValueError(f"scales must be positive, got {scales!r}")
    widths = tuple(np.atleast_1d(pens).tolist())
    if not widths or not all(isinstance(width, int) for width in widths):
        raise ValueError(f"pens must be a whole pen width or a sequence of them, got {pens!r}")
    return _numbers(x, y, count, digits, gaps, scales, pens, pens_in_turn, seed)


def _numbers(x, y, count, digits, gaps, scales, pens, pens_in_turn, seed):
    # The draws for each number come in this order (digit count, scale, pen, then the number's
    # own): the numbers that a seed gives stay the same whichever of them are fixed.
    rng = np.random.default_rng(seed)
    made = 0
    while count is None or made < count:
        length = digits if np.ndim(digits) == 0 else int(rng.integers(digits[0], digits[1] + 1))
        scale = scales if np.ndim(scales) == 0 else float(rng.uniform(scales[0], scales[1]))
        if np.ndim(pens) == 0:
            pen = pens
        elif pens_in_turn:
            pen = pens[made % len(pens)]
        else:
            pen = int(rng.choice(pens))
        yield mnist_string(x, y, rng, int(length), gaps=gaps, scale=float(scale), pen=int(pen))
        made += 1


def _range_of(value, name: str, whole: bool = False) -> tuple:
    """``(low, high)`` of a number or a ``(low, high)`` pair; a ValueError naming ``name``."""
    kinds = (int, np.integer) if whole else (int, float, np.integer, np.floating)
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    numbers_only = all(isinstance(v, kinds) and not isinstance(v, bool) for v in pair)
    if len(pair) != 2 or not numbers_only or pair[0] > pair[1]:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} or a range (low, high) with low <= high, got "
                         f"{value!r}")
    return pair


def _scaled(digit: np.ndarray, scale: float) -> np.ndarray:
    size = (max(1, round(digit.shape[1] * scale)), max(1, round(digit.shape[0] * scale)))
    return np.asarray(Image.fromarray(digit).resize(size, Image.Resampling.BICUBIC))


def _pen(tile: np.ndarray, pen: int) -> np.ndarray:
    """The tile's strokes ``pen`` px bolder (or thinner when negative); grows by ``pen``."""
    if pen > 0:
        tile = np.pad(tile, pen)
        return ndimage.grey_dilation(tile, footprint=_disk(pen))
    if pen < 0:
        return ndimage.grey_erosion(tile, footprint=_disk(-pen))
    return tile


def _disk(radius: int) -> np.ndarray:
    offsets = np.arange(-radius, radius + 1)
    return np.hypot(*np.meshgrid(offsets, offsets)) <= radius + 0.5
