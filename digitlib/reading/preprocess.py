"""Turn pixels into what the model expects.

``normalize`` prepares MNIST arrays for training. ``to_mnist`` turns any drawing into a 28x28
image made the way MNIST itself was made.
"""

import functools

import numpy as np
from PIL import Image
from scipy import ndimage


def normalize(images) -> np.ndarray:
    """uint8 images (N, 28, 28) with 0-255 ink -> float32 (N, 28, 28, 1) in [0, 1]."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (N, 28, 28), got {images.shape}")
    if images.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels 0-255, got dtype {images.dtype}")
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


# How MNIST was made (measured on its test set): each digit's longer side is scaled to 20 px,
# keeping the aspect ratio, and its centre of mass is put at pixel (14, 14) of a 28x28 field.
MNIST_SIZE = 28
NUM_CLASSES = 10  # the digits 0-9: every reader and scorer of MNIST gives ten answers
DIGIT_SIZE = 20
MNIST_CENTRE = 14.0
CROP_LEVEL = 0.1  # ink fainter than this is ignored when cropping
# Stroke width in pixels once the digit is 20 px tall: MNIST has 2-5.5 px (median 2.7). Thinner
# strokes are thickened, bolder ones thinned, to about the target, on a small working copy.
THIN_STROKE, THIN_TARGET = 1.5, 2.7
THICK_STROKE, THICK_TARGET = 5.5, 4.0
WORKING_SIZE = 40  # the working copy's longer side is 40-79 px: morphology there is cheap
# Slant correction: italics are stood back up to the lean that MNIST's own digits have. The
# moment slant of MNIST training digits is within ±0.35 for three in four of them (a 1 or a 7
# "leans" by its shape too); a digit leaning further is sheared back to ±0.35. Chosen on the
# validation digits (``python -m benchmarks.deslant``).
UPRIGHT_ENOUGH = 0.35


def stroke_width(mask) -> float:
    """Typical stroke width of a binary ``mask`` in pixels: twice the area over the boundary.

    A stroke of width w and length L has area w*L and about 2*L boundary pixels (a one-pixel
    line scores 2). A filled blob scores about half its diameter.
    """
    mask = np.asarray(mask, dtype=bool)
    area = np.count_nonzero(mask)
    # Interior pixels have all four neighbours inside; pixels on the array's edge never do.
    interior = (mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1]
                & mask[1:-1, :-2] & mask[1:-1, 2:])
    boundary = area - np.count_nonzero(interior)
    return 2.0 * area / boundary if boundary else 0.0


def show_number(value) -> str:
    """A float written with just the digits that tell it apart: 1.0001 stays 1.0001, not 1."""
    return np.format_float_positional(value, unique=True, trim="-")


def to_mnist(ink, stand_up: bool = True, upright_enough: float | None = None) -> np.ndarray:
    """Make a 28x28 image of one digit the way MNIST was made.

    ``ink`` is a float (H, W) array in [0, 1] with 1 for ink (``digitlib.reading.images.to_ink``
    makes one from any image). Crop to the ink, thicken hairlines and thin very bold strokes so the
    result has MNIST's stroke width, scale the longer side to 20 px with anti-aliasing, stand
    italics back up to MNIST's usual lean (``deslant``; not with ``stand_up=False``), and place it
    in 28x28 with its centre of mass at the centre. Returns float32 (28, 28) in [0, 1].

    ``upright_enough``: how far a digit may lean before ``deslant`` stands it up (default
    ``UPRIGHT_ENOUGH``; ``math.inf`` works as ``stand_up=False``).
    """
    ink = np.asarray(ink)
    if ink.ndim != 2 or not np.issubdtype(ink.dtype, np.floating):
        raise ValueError(f"expected a float ink array of shape (H, W), got {ink.dtype} {ink.shape}")
    if ink.size == 0:
        raise ValueError(f"the ink array is empty (shape {ink.shape}): there is no digit in it")
    brightest, faintest = ink.max(), ink.min()
    if not np.isfinite(brightest) or not np.isfinite(faintest):  # NaN propagates to max
        raise ValueError("ink values must be finite numbers in [0, 1]; the array holds NaN or "
                         "infinity")
    if faintest < 0 or brightest > 1:
        raise ValueError(f"ink values must lie in [0, 1], got {show_number(faintest)} to "
                         f"{show_number(brightest)}")
    if brightest < CROP_LEVEL:
        raise ValueError("there is no ink to centre: check for a blank image first")
    ink = np.divide(_crop(ink), brightest, dtype=np.float32)

    width = stroke_width(ink > 0.5) * DIGIT_SIZE / max(ink.shape)
    if not THIN_STROKE <= width <= THICK_STROKE:
        ink = _restroke(ink)

    height, width = ink.shape
    scale = DIGIT_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap: big drawings are first box-reduced by an integer factor (3x faster, and
    # within 2 % of a full Lanczos pass).
    small = np.array(Image.fromarray(ink).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
    np.clip(small, 0.0, 1.0, out=small)  # Lanczos rings a little outside [0, 1]
    small /= max(small.max(), 1e-6)
    if stand_up:
        small = deslant(small, upright_enough)

    # Integer shift, as MNIST did: the centre of mass lands within half a pixel of (14, 14).
    total = small.sum()
    row = small.sum(axis=1) @ np.arange(small.shape[0]) / total
    column = small.sum(axis=0) @ np.arange(small.shape[1]) / total
    top = min(max(round(MNIST_CENTRE - row), 0), MNIST_SIZE - small.shape[0])
    left = min(max(round(MNIST_CENTRE - column), 0), MNIST_SIZE - small.shape[1])
    image = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    image[top : top + small.shape[0], left : left + small.shape[1]] = small
    return image


def slant_of(ink) -> float:
    """How far the ink leans: the shear that its second moments show (x change per row; > 0
    leans right, as in italics). ``ink``: a 2-D array, high for ink; blank ink has slant 0."""
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink array, got shape {ink.shape}")
    rows = np.arange(ink.shape[0], dtype=np.float32)
    columns = np.arange(ink.shape[1], dtype=np.float32)
    row_mass = ink.sum(axis=1)
    total = row_mass.sum()
    if not total > 0:
        return 0.0
    rows -= rows @ row_mass / total
    columns -= columns @ ink.sum(axis=0) / total
    spread = rows * rows @ row_mass
    return float(-(rows @ ink @ columns) / spread) if spread > 0 else 0.0


def deslant(small, upright_enough: float | None = None) -> np.ndarray:
    """Stand a digit (a 20 px one, as ``to_mnist`` makes it) that leans further than
    ``upright_enough`` (default ``UPRIGHT_ENOUGH``) back to that lean, and fit it in 20 px again.
    Digits within it come back unchanged."""
    upright_enough = UPRIGHT_ENOUGH if upright_enough is None else upright_enough
    if not upright_enough >= 0:
        raise ValueError(f"upright_enough must be a slant of 0 or more, got {upright_enough!r}")
    slant = slant_of(small)
    if abs(slant) <= upright_enough:
        return small
    slant -= np.copysign(upright_enough, slant)
    height = small.shape[0]
    room = int(np.ceil(abs(slant) * height / 2)) + 1
    wide = np.pad(small, ((0, 0), (room, room)))
    centre = (height - 1) / 2
    # output (r, c) samples the input at (r, c + slant * (centre - r)): a right-leaning top
    # moves left, its bottom right
    upright = ndimage.affine_transform(wide, [[1.0, 0.0], [-slant, 1.0]],
                                       offset=(0.0, slant * centre), order=1)
    upright = _crop(np.clip(upright, 0.0, 1.0))
    if max(upright.shape) != DIGIT_SIZE:
        scale = DIGIT_SIZE / max(upright.shape)
        size = (max(1, round(upright.shape[1] * scale)), max(1, round(upright.shape[0] * scale)))
        upright = np.array(Image.fromarray(upright).resize(size, Image.Resampling.LANCZOS))
        np.clip(upright, 0.0, 1.0, out=upright)
    return upright / max(upright.max(), 1e-6)


def _restroke(ink: np.ndarray) -> np.ndarray:
    """Thicken or thin the strokes of a cropped digit to MNIST's width, on a small copy."""
    # Max-pooling shrinks the digit without losing hairlines.
    factor = max(1, max(ink.shape) // WORKING_SIZE)
    height, width = (-(-side // factor) * factor for side in ink.shape)
    padded = np.zeros((height, width), dtype=np.float32)
    padded[: ink.shape[0], : ink.shape[1]] = ink
    ink = np.maximum.reduce([padded[offset::factor] for offset in range(factor)])
    ink = np.maximum.reduce([ink[:, offset::factor] for offset in range(factor)])

    scale = DIGIT_SIZE / max(ink.shape)
    width = stroke_width(ink > 0.5) * scale
    if width < THIN_TARGET:
        radius = round((THIN_TARGET - width) / scale / 2)
        room = np.zeros((ink.shape[0] + 2 * radius, ink.shape[1] + 2 * radius), np.float32)
        room[radius : radius + ink.shape[0], radius : radius + ink.shape[1]] = ink
        return _round_morphology(ndimage.grey_dilation, room, radius)
    radius = round((width - THICK_TARGET) / scale / 2)
    thinner = _round_morphology(ndimage.grey_erosion, ink, radius)
    return _crop(thinner) if thinner.max() > 0.5 else ink


def _round_morphology(operation, ink: np.ndarray, radius: int) -> np.ndarray:
    """Dilate or erode with an octagon of ``radius`` (a square, then a diamond): nearly round."""
    if radius < 1:
        return ink
    square = radius // 2
    if square:
        ink = operation(ink, size=2 * square + 1)
    return operation(ink, footprint=_diamond(radius - square))


@functools.cache
def _diamond(radius: int) -> np.ndarray:
    return ndimage.iterate_structure(ndimage.generate_binary_structure(2, 1), radius)


def _crop(ink: np.ndarray) -> np.ndarray:
    inked = ink > CROP_LEVEL
    rows, columns = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
