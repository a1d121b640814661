"""A synthetic writer with a distinctive hand, for testing ``digitlib.personal`` and fine-tuning.

Their 1 has a long, curved flag (the continental 1 that an MNIST model reads as 7), their 2 is a
Z with a crossbar, their 7 has a crossbar, a hooked start and a curly foot, their 4 an open top
and their 9 a straight stem with a hooked tail. Each example is drawn stroke by stroke with the
pad's own rasteriser (``digitlib.strokes.Drawing``) in thick ink, with seeded jitter (slant,
size, position, wobble of every point, brush width), then made 28x28 exactly as the front ends
do (``segment.whole_drawing`` then ``preprocess.to_mnist``).

    from tests.writer import write
    images28, labels, crops = write(digits=(1, 2, 4, 7, 9), per_digit=20, seed=0)
"""

import math

import numpy as np

from digitlib import images, segment
from digitlib.preprocess import to_mnist
from digitlib.strokes import Drawing

PAD = 280


def _arc(cx, cy, rx, ry, start, end, steps=14):
    """Points on an ellipse from ``start`` to ``end`` degrees (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, steps)]


# Strokes in a unit box (x right, y down); each stroke is one pen-down ... pen-up.
STYLE = {
    # A long flag curving up from the far left into a straight stem, no base.
    1: [[(0.0, 0.45), (0.30, 0.20), (0.60, 0.0), (0.60, 1.0)]],
    # A Z with a crossbar.
    2: [[(0.05, 0.05), (0.95, 0.05), (0.05, 0.95), (0.95, 0.95)], [(0.25, 0.50), (0.75, 0.50)]],
    # A hooked start, the top bar, a stem ending in a curl to the left, and a crossbar.
    7: [[(0.05, 0.25), (0.08, 0.06), (0.92, 0.06), (0.52, 0.70),
         *_arc(0.40, 0.80, 0.16, 0.14, -40, 180, steps=10)],
        [(0.18, 0.42), (0.90, 0.42)]],
    # Open top: the left arm and the bar in one stroke, the tall stem apart and far to the right.
    4: [[(0.10, 0.00), (0.02, 0.62), (0.98, 0.62)], [(0.80, 0.20), (0.80, 1.00)]],
    # A small head high up, a long straight stem and a tail hooked to the right.
    9: [[*_arc(0.45, 0.50, 0.38, 0.35, -20, 340, steps=20)], [(0.85, 0.20), (0.85, 0.95)]],
}


def draw(digit: int, rng: np.random.Generator):
    """One example of ``digit`` in the writer's style: a white 280x280 PIL image, black ink."""
    slant = rng.uniform(-0.20, 0.25)  # shear: x += slant * (0.5 - y)
    height = rng.uniform(150, 200)
    width = height * rng.uniform(0.55, 0.75)
    left = rng.uniform(20, PAD - 20 - width - 0.25 * height)
    top = rng.uniform(20, PAD - 20 - height)
    pad = Drawing(PAD, PAD, brush=float(rng.uniform(18, 26)))
    for stroke in STYLE[digit]:
        points = np.array(stroke) + rng.normal(0, 0.025, (len(stroke), 2))
        for index, (x, y) in enumerate(points):
            x = left + (x + slant * (0.5 - y)) * width + 0.1 * height
            y = top + y * height
            (pad.start if index == 0 else pad.extend)(x, y)
        pad.end()
    return pad.to_image()


def example(digit: int, rng: np.random.Generator):
    """``(image28, crop)``: the 28x28 float image the model sees and the raw uint8 ink crop."""
    found = segment.whole_drawing(images.to_ink(draw(digit, rng)))
    crop = np.round(found.ink * 255).astype(np.uint8)
    return to_mnist(found.ink), crop


def write(digits=tuple(STYLE), per_digit: int = 10, seed: int = 0):
    """``(images28 (N, 28, 28) float32, labels (N,) int64, crops)`` for ``per_digit`` of each.

    Examples come digit by digit, in the order of ``digits``; the same seed gives the same set.
    """
    rng = np.random.default_rng(seed)
    written, labels, crops = [], [], []
    for digit in digits:
        for _ in range(per_digit):
            image28, crop = example(digit, rng)
            written.append(image28)
            crops.append(crop)
            labels.append(digit)
    return np.stack(written).astype(np.float32), np.array(labels, dtype=np.int64), crops
