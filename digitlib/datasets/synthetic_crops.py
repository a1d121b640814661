"""Digits cropped tight out of a scan, a photo or a screenshot, for tests, tuning and benchmarks.

Anyone who cuts a digit out of a bigger picture with an image tool crops it to its ink, so the
strokes reach the picture's edge, and then the picture is whatever the source was: grey and
anti-aliased, or a black-and-white bitmap; dark ink on light paper or light ink on a dark
screen; often blurred and saved as JPEG. ``crop_of`` makes such a picture from MNIST digits,
``crop_set`` a labelled set of them.

The settings that vary come in two sets that differ on purpose: tune thresholds on
``TUNING`` crops of MNIST *training* digits, report on ``REPORT`` crops of *test* digits. Real
crops match neither, so a rule that only works for one set of settings shows up as a gap.
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

POLARITIES = ("dark on light", "light on dark")
KINDS = ("dark on light", "light on dark", "grey", "bitmap", "blur", "jpeg", "margin", "number")


@dataclass(frozen=True)
class CropSettings:
    """The ranges a crop's conditions are drawn from (pixels are the crop's own)."""

    scale: tuple[float, float]  # the digit is this many times MNIST's size
    crop_level: int  # the crop keeps MNIST pixels above this (0: every trace of ink)
    margin: tuple[int, int]  # background pixels left around the ink, when a crop has a margin
    blur: tuple[float, float]  # Gaussian blur, in MNIST pixels (scaled with the crop)
    jpeg_quality: tuple[int, int]
    paper: tuple[int, int]  # background grey level, dark on light (light on dark: 255 - it)
    ink: tuple[int, int]  # ink grey level, dark on light (light on dark: 255 - it)
    gaps: tuple[int, int]  # between a number's digits, at MNIST's scale (mnist_string)
    share_bitmap: float = 0.25  # shares of crops drawn with each condition
    share_blur: float = 0.4
    share_jpeg: float = 0.4
    share_margin: float = 0.4
    share_colour: float = 0.2  # grey crops saved as RGB with a coloured ink


TUNING = CropSettings(scale=(2.0, 8.0), crop_level=0, margin=(1, 2), blur=(0.2, 0.5),
                      jpeg_quality=(45, 90), paper=(215, 255), ink=(0, 50), gaps=(1, 5))
REPORT = CropSettings(scale=(2.5, 10.0), crop_level=40, margin=(1, 4), blur=(0.3, 0.7),
                      jpeg_quality=(25, 80), paper=(190, 255), ink=(0, 80), gaps=(2, 7))
BLURRED_CROP_LEVEL = 0.15  # a blurred digit is cropped where its halo is still visible
INK_COLOURS = [(28, 48, 150), (22, 22, 28), (176, 22, 34), (30, 110, 40)]


@dataclass
class SyntheticCrop:
    image: Image.Image  # the crop as a user would hand it over (JPEG crops already decoded)
    label: str  # the digits, left to right
    kinds: tuple  # which of ``KINDS`` it is
    conditions: dict  # the values drawn: scale, margin, blur, quality, ...


def crop_of(digits28, labels, rng, settings: CropSettings = REPORT, *, polarity=None,
            bitmap=None, blur=None, jpeg=None, margin=None) -> SyntheticCrop:
    """A tight crop of ``digits28`` (uint8 (N, 28, 28) MNIST images, white ink on black): one
    digit, or a number written left to right. Conditions left as None are drawn from ``rng``
    with ``settings``; ``margin`` is in the crop's pixels (0: the ink touches every side)."""
    from digitlib.datasets import synthetic

    digits28, labels = np.asarray(digits28), [int(label) for label in labels]
    if digits28.ndim != 3 or digits28.dtype != np.uint8 or len(digits28) != len(labels):
        raise ValueError("digits28 must be uint8 images (N, 28, 28) and labels their N labels")
    if len(digits28) == 1:
        ink = digits28[0]
    else:  # a number: the digits side by side, at MNIST's scale
        ink, labels, _ = synthetic.mnist_string(digits28, np.array(labels), rng, len(labels),
                                                gaps=settings.gaps, scale=1.0, jitter=2,
                                                margin=0)
    ink = _tight(ink, settings.crop_level)
    polarity = polarity or str(rng.choice(POLARITIES))
    bitmap = bool(rng.random() < settings.share_bitmap) if bitmap is None else bitmap
    blur = (not bitmap and rng.random() < settings.share_blur) if blur is None else blur
    jpeg = bool(rng.random() < settings.share_jpeg) if jpeg is None else jpeg
    if margin is None:
        margin = int(rng.integers(settings.margin[0], settings.margin[1] + 1)) if (
            rng.random() < settings.share_margin) else 0
    scale = float(rng.uniform(*settings.scale))
    conditions = dict(polarity=polarity, scale=round(scale, 2), margin=margin)

    if bitmap:  # a black-and-white bitmap, blown up pixel by pixel
        factor = max(2, round(scale))
        binary = _tight((ink > 127).astype(np.uint8), 0)  # cropped to the pixels it keeps
        alpha = np.kron(binary, np.ones((factor, factor), np.uint8)).astype(np.float32)
        conditions["scale"] = factor
    else:
        size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
        alpha = np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.BICUBIC),
                           np.float32) / 255
    if blur:  # the scan was blurred before it was cropped: crop again where ink shows
        sigma = float(rng.uniform(*settings.blur)) * scale
        room = int(np.ceil(3 * sigma))
        alpha = ndimage.gaussian_filter(np.pad(alpha, room), sigma)
        alpha = _tight(alpha, BLURRED_CROP_LEVEL)
        conditions["blur"] = round(sigma, 2)
    alpha = np.pad(np.clip(alpha, 0, 1), margin)
    paper = float(rng.integers(settings.paper[0], settings.paper[1] + 1))
    ink_level = float(rng.integers(settings.ink[0], settings.ink[1] + 1))
    if bitmap:
        paper, ink_level = 255.0, 0.0
    if polarity == "light on dark":
        paper, ink_level = 255 - paper, 255 - ink_level
    colour = not bitmap and polarity == "dark on light" and rng.random() < settings.share_colour
    if colour:
        ink_rgb = np.array(INK_COLOURS[rng.integers(len(INK_COLOURS))], np.float32)
        pixels = paper + (ink_rgb - paper) * alpha[..., np.newaxis]
        conditions["colour"] = tuple(int(v) for v in ink_rgb)
    else:
        pixels = paper + (ink_level - paper) * alpha
    image = Image.fromarray(np.clip(np.round(pixels), 0, 255).astype(np.uint8))
    if bitmap and not jpeg and rng.random() < 0.5:
        image = image.convert("1")  # as a 1-bit PNG or GIF holds it
    if jpeg:
        quality = int(rng.integers(settings.jpeg_quality[0], settings.jpeg_quality[1] + 1))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality)
        image = Image.open(io.BytesIO(buffer.getvalue()))
        image.load()
        conditions["jpeg_quality"] = quality
    kinds = (polarity, "bitmap" if bitmap else "grey") + tuple(
        name for name, present in (("blur", blur), ("jpeg", jpeg), ("margin", margin > 0),
                                   ("number", len(labels) > 1)) if present)
    return SyntheticCrop(image, "".join(map(str, labels)), kinds, conditions)


def crop_set(split="test", count=100, digits=(1, 1), seed=0, settings=None):
    """``count`` tight crops of MNIST digits from ``split`` ("train" or "test"), each of 1 to
    several digits (the inclusive range ``digits``). Settings: ``TUNING`` for the training
    split and ``REPORT`` for the test split, unless given."""
    from digitlib.datasets import mnist

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    settings = settings or (TUNING if split == "train" else REPORT)
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    rng = np.random.default_rng(seed)
    crops = []
    for _ in range(count):
        chosen = rng.choice(len(x), int(rng.integers(digits[0], digits[1] + 1)), replace=False)
        crops.append(crop_of(x[chosen], y[chosen], rng, settings))
    return crops


def _tight(ink: np.ndarray, level: int) -> np.ndarray:
    """``ink`` cropped to its pixels above ``level`` (or above 0, if none is)."""
    inked = ink > level if (ink > level).any() else ink > 0
    rows, columns = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
