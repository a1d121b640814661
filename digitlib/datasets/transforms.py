"""Change a 28x28 digit the way handwriting varies: move, turn, grow, slant, bolder or thinner.

    from digitlib.datasets import transforms
    moved = transforms.transform(image28, right=3, degrees=20, factor=0.8, stroke=1)
    upright, slanted = transforms.slant_sets(images, seed=transforms.SLANT_SEED)

Transforms work on 28x28 images in [0, 1] (white ink on black), with ``scipy.ndimage``: shift,
rotate, scale and slant about the image centre in one resampling; thicken and thin with a grey
dilation or erosion by a small disc, done at twice the resolution so that one step makes the
strokes one pixel wider or narrower (half a pixel on each side). ``slant_sets`` makes the
upright and slanted test sets that model cards and ``bench-train`` score
(``digitlib.training.evaluate.slant_accuracy``); notebook 09 uses them through
``digitlib.insight.robustness``, and the companion model's training slants its digits with them.
"""

import functools

import numpy as np
from scipy import ndimage

from digitlib.reading.images import image_of
from digitlib.reading.preprocess import MNIST_SIZE, to_mnist

CENTRE = (MNIST_SIZE - 1) / 2  # rotations and scaling turn about the middle of the image
MAX_STROKE = 4  # widen or narrow strokes by at most 4 px: MNIST strokes are 2-5.5 px wide
# What each slider of the notebook and each sweep may change, with its "nothing changed" value.
TRANSFORMS = {"right": 0.0, "down": 0.0, "degrees": 0.0, "factor": 1.0, "stroke": 0,
              "shear": 0.0}
SLANTS = (0.35, 0.6)  # italic handwriting leans by a shear of about 0.35 to 0.6 either way
RESTROKES = (-1, 0, 1, 2)  # hairline (thinned 1 px) to bold (thickened 2 px)
SLANT_SEED = 14  # the draw of stroke changes and shears that bench-train and model cards use


def transform(image, right: float = 0.0, down: float = 0.0, degrees: float = 0.0,
              factor: float = 1.0, stroke: int = 0, shear: float = 0.0) -> np.ndarray:
    """A 28x28 digit shifted ``right``/``down`` by pixels, rotated by ``degrees``
    (anticlockwise), scaled by ``factor`` about the centre, slanted by ``shear`` (each row moved
    right by ``shear`` times its height above the centre: 0.5 leans like italics, negative
    leans left), and thickened (``stroke`` > 0) or thinned (< 0) by that many pixels. Returns
    float32 (28, 28) in [0, 1]."""
    image = image_of(image)
    for name, value in (("right", right), ("down", down), ("degrees", degrees),
                        ("factor", factor), ("shear", shear)):
        if not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
            raise TypeError(f"{name} must be a number, got {value!r}")
    if not 0.2 <= factor <= 5:
        raise ValueError(f"factor must be between 0.2 and 5, got {factor!r}")
    if stroke:
        image = thicken(image, stroke) if stroke > 0 else thin(image, -stroke)
    if not -2 <= shear <= 2:
        raise ValueError(f"shear must be between -2 and 2, got {shear!r}")
    if right or down or degrees or factor != 1 or shear:
        angle = np.deg2rad(degrees)
        # affine_transform maps output coordinates (row, column) to input coordinates.
        rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
        slant = np.array([[1.0, 0.0], [shear, 1.0]])  # output column c samples c + shear * row
        matrix = slant @ rotation / factor
        centre = np.array([CENTRE, CENTRE])
        offset = centre - matrix @ (centre + np.array([down, right]))
        image = ndimage.affine_transform(image, matrix, offset, order=1, mode="constant")
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def shift(image, right: float = 0.0, down: float = 0.0) -> np.ndarray:
    """The digit moved ``right`` and ``down`` pixels (negative: left, up)."""
    return transform(image, right=right, down=down)


def rotate(image, degrees: float) -> np.ndarray:
    """The digit turned ``degrees`` anticlockwise about the image centre."""
    return transform(image, degrees=degrees)


def scale(image, factor: float) -> np.ndarray:
    """The digit made ``factor`` times larger (or smaller) about the image centre."""
    return transform(image, factor=factor)


def slant(image, shear: float) -> np.ndarray:
    """The digit leaning like italics: with ``shear`` 0.5 a row 10 px above the centre moves
    5 px right (and one below it 5 px left); negative leans left."""
    return transform(image, shear=shear)


def thicken(image, pixels: int = 1) -> np.ndarray:
    """Strokes made ``pixels`` wider (a grey dilation)."""
    return _morphology(ndimage.grey_dilation, image, pixels)


def thin(image, pixels: int = 1) -> np.ndarray:
    """Strokes made ``pixels`` narrower (a grey erosion): 2 or more erases thin MNIST strokes."""
    return _morphology(ndimage.grey_erosion, image, pixels)


def _morphology(operation, image, pixels):
    if not isinstance(pixels, (int, np.integer)) or not 0 <= pixels <= MAX_STROKE:
        raise ValueError(f"pixels must be a whole number from 0 to {MAX_STROKE}, got {pixels!r}")
    image = image_of(image)
    if pixels == 0:
        return image
    # At twice the resolution a disc of radius ``pixels`` moves each edge by pixels / 2.
    large = ndimage.zoom(image, 2, order=1, grid_mode=True, mode="grid-constant")
    large = operation(large, footprint=_disc(int(pixels)))
    return large.reshape(MNIST_SIZE, 2, MNIST_SIZE, 2).mean(axis=(1, 3)).astype(np.float32)


@functools.cache
def _disc(radius: int) -> np.ndarray:
    rows, columns = np.ogrid[-radius:radius + 1, -radius:radius + 1]
    return rows ** 2 + columns ** 2 <= radius ** 2


def slant_sets(images, seed: int = 0, slants=SLANTS, restrokes=RESTROKES,
               upright_enough: float | None = None):
    """The same digits re-stroked and then read upright or slanted, both made 28x28 the way the
    pad does it (``to_mnist``: crop, 20 px box, centre of mass), so a slant is not cut off.

    Each digit gets a random stroke change from ``restrokes`` (pixels, hairline to bold) and a
    random shear of ``slants[0]`` to ``slants[1]``, leaning left or right. Returns ``(upright,
    slanted)``, two float32 (N, 28, 28) arrays in [0, 1]; ``images``: (N, 28, 28), 0-255 or 0-1.
    ``upright_enough``: ``to_mnist``'s slant limit (default ``preprocess.UPRIGHT_ENOUGH``).
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 3 or images.shape[1:] != (MNIST_SIZE, MNIST_SIZE):
        raise ValueError(f"expected images of shape (N, 28, 28), got {images.shape}")
    low, high = slants
    if not 0 <= low <= high <= 2:
        raise ValueError(f"slants must be (low, high) with 0 <= low <= high <= 2, got {slants!r}")
    images = images / 255.0 if images.max() > 1.5 else images
    rng = np.random.default_rng(seed)
    strokes = rng.choice(np.asarray(restrokes), len(images))
    shears = rng.uniform(low, high, len(images)) * rng.choice([-1.0, 1.0], len(images))
    margin = MNIST_SIZE // 2  # room for the slant: a 0.6 shear moves the top row up to 8 px
    centre = (MNIST_SIZE + 2 * margin - 1) / 2
    upright, slanted = [], []
    for image, stroke, shear in zip(images, strokes, shears, strict=True):
        restroked = transform(image, stroke=int(stroke))
        if restroked.max() < 0.5:  # a faint digit thinned away: keep its own stroke
            restroked = image
        large = np.pad(restroked, margin)
        matrix = np.array([[1.0, 0.0], [shear, 1.0]])
        leaning = ndimage.affine_transform(large, matrix, centre - matrix @ [centre, centre],
                                           order=1, mode="constant")
        upright.append(to_mnist(large, upright_enough=upright_enough))
        slanted.append(to_mnist(np.clip(leaning, 0.0, 1.0), upright_enough=upright_enough))
    return np.stack(upright), np.stack(slanted)
