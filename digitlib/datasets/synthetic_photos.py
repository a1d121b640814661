"""Photo-like pictures of MNIST digits written on paper, for tests, tuning and benchmarks.

``photo_of(digits, rng)`` writes 28x28 MNIST digits in ink on a sheet of paper and "photographs"
it: plain, ruled or squared paper (white, cream or grey; lines in any colour), blue, black or
red ink, a small tilt, uneven light with a shadow, blur, sensor noise and JPEG compression.
Every condition is drawn at random from ``rng``, so one seed gives one reproducible set.

``photo_set(split, count, ...)`` builds a labelled set: tune thresholds on ``split="train"``
(digits from MNIST's training set), report on ``split="test"`` (writers the model never saw).
"""

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

PAPERS = {"white": (246, 246, 242), "cream": (244, 234, 204), "grey": (206, 206, 202)}
INKS = {"blue": (28, 48, 150), "black": (22, 22, 28), "red": (176, 22, 34)}
LINE_COLOURS = [(150, 190, 230), (160, 160, 160), (110, 150, 205), (90, 90, 90), (225, 120, 120)]
RULINGS = ("plain", "ruled", "squared")


@dataclass
class SyntheticPhoto:
    image: Image.Image  # the RGB "photo", JPEG-decoded
    label: str  # the digits written, in reading order
    boxes: list  # each digit's (left, top, right, bottom) before the tilt
    conditions: dict  # what was drawn: paper, ink, ruling, tilt, ...


def photo_of(digits28, labels, rng, size=None, digit_height=None, ruling=None, paper=None,
             ink=None, tilt=None, shadow=True, quality=None) -> SyntheticPhoto:
    """One photo of ``digits28`` (uint8 (N, 28, 28) MNIST images, white ink on black) written
    in a row; any condition left as None is drawn from ``rng`` (a ``numpy.random.Generator``)."""
    count = len(digits28)
    height_px = digit_height or int(rng.integers(36, 80))
    scale = height_px / 20  # an MNIST digit is about 20 of its 28 pixels tall
    tile = round(28 * scale)
    advance = round(tile * rng.uniform(0.8, 1.0))  # MNIST digits fill about 20 of 28 px
    if size is None:
        width = max(int(rng.integers(320, 640)), 4 * height_px, advance * count + tile + 40)
        size = (width, int(rng.integers(max(240, 4 * height_px), max(520, 4 * height_px + 1))))
    width, height = size
    paper = paper or str(rng.choice(list(PAPERS)))
    ink = ink or str(rng.choice(list(INKS)))
    ruling = ruling or str(rng.choice(RULINGS))
    tilt = float(rng.uniform(-3, 3)) if tilt is None else tilt
    paper_rgb = np.array(PAPERS[paper], np.float32) + rng.uniform(-6, 6, 3)

    # The sheet: paper colour, then printed lines, then the ink (darkest wins: ink covers lines).
    sheet = np.ones((height, width, 3), np.float32) * paper_rgb
    if ruling != "plain":
        spacing = int(rng.integers(int(0.35 * height_px) + 12, int(0.9 * height_px) + 16))
        colour = np.array(LINE_COLOURS[rng.integers(len(LINE_COLOURS))], np.float32)
        thickness = int(rng.integers(1, 4))
        lines = np.zeros((height, width), bool)
        for y in range(int(rng.integers(0, spacing)), height, spacing):
            lines[y : y + thickness] = True
        if ruling == "squared":
            for x in range(int(rng.integers(0, spacing)), width, spacing):
                lines[:, x : x + thickness] = True
        elif rng.random() < 0.5:  # a red margin line
            margin = int(rng.integers(10, max(11, width // 6)))
            sheet[:, margin : margin + 2] = (215, 90, 90)
        sheet[lines] = np.minimum(sheet[lines], colour)

    left = int(rng.integers(10, max(11, width - advance * (count - 1) - tile - 10)))
    top = int(rng.integers(10, max(11, height - tile - 10)))
    alpha = np.zeros((height, width), np.float32)
    boxes = []
    for index, digit in enumerate(digits28):
        big = np.asarray(Image.fromarray(digit).resize((tile, tile), Image.Resampling.BICUBIC),
                         np.float32) / 255
        x, y = left + index * advance, top + int(rng.integers(-tile // 10, tile // 10 + 1))
        y = int(np.clip(y, 0, height - tile))
        region = alpha[y : y + tile, x : x + tile]
        region[...] = np.maximum(region, np.clip(big[: region.shape[0], : region.shape[1]], 0, 1))
        rows, columns = np.nonzero(big > 0.3)
        if len(rows):  # (a blank page has a digit without ink)
                boxes.append((x + int(columns.min()), y + int(rows.min()),
                          x + int(columns.max()) + 1, y + int(rows.max()) + 1))
    ink_rgb = np.array(INKS[ink], np.float32) + rng.uniform(-15, 15, 3)
    strength = rng.uniform(0.75, 1.0)  # a pen is not always fully dark
    sheet = sheet * (1 - strength * alpha[..., None]) + ink_rgb * strength * alpha[..., None]

    # The camera: tilt, uneven light and a shadow, blur, noise, JPEG.
    picture = Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8))
    picture = picture.rotate(tilt, resample=Image.Resampling.BILINEAR,
                             fillcolor=tuple(int(v) for v in paper_rgb))
    light = _lighting(height, width, rng, shadow)
    pixels = np.asarray(picture, np.float32) * light[..., None]
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    blur = float(rng.uniform(0.3, 1.3))
    picture = picture.filter(ImageFilter.GaussianBlur(blur))
    noise = float(rng.uniform(1, 7))
    pixels = np.asarray(picture, np.float32) + rng.normal(0, noise, (height, width, 1))
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    quality = quality or int(rng.integers(35, 90))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    picture = Image.open(io.BytesIO(buffer.getvalue()))
    picture.load()
    conditions = dict(paper=paper, ink=ink, ruling=ruling, tilt=round(tilt, 2), blur=round(blur, 2),
                      noise=round(noise, 1), quality=quality, digit_height=height_px)
    return SyntheticPhoto(picture, "".join(str(int(label)) for label in labels), boxes,
                          conditions)


def _lighting(height, width, rng, shadow):
    """A light field in (0, 1]: a gradient across the sheet, and perhaps a soft shadow."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    along = (np.cos(angle) * x / width + np.sin(angle) * y / height)
    along = (along - along.min()) / max(float(np.ptp(along)), 1e-6)
    light = 1.0 - rng.uniform(0.1, 0.4) * along
    if shadow:  # a soft-edged shadow over a half-plane (a hand, a phone)
        angle = rng.uniform(0, 2 * np.pi)
        offset = rng.uniform(0.3, 0.7)
        side = (np.cos(angle) * (x / width - offset) + np.sin(angle) * (y / height - 0.5))
        edge = rng.uniform(0.01, 0.06)
        light *= 1.0 - rng.uniform(0.2, 0.45) / (1.0 + np.exp(-side / edge))
    return light


def photo_set(split="test", count=100, digits_per_photo=(1, 1), seed=0):
    """``count`` photos of 1 to several MNIST digits from ``split`` ("train" or "test"), with
    the number of digits drawn from the inclusive range ``digits_per_photo``."""
    from digitlib.datasets import mnist

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    rng = np.random.default_rng(seed)
    photos = []
    for _ in range(count):
        n = int(rng.integers(digits_per_photo[0], digits_per_photo[1] + 1))
        chosen = rng.choice(len(x), n, replace=False)
        photos.append(photo_of(x[chosen], y[chosen], rng))
    return photos


def blank_page(rng, size=(480, 360), ruling="plain"):
    """A photo of paper with nothing written on it (plain, ruled or squared)."""
    nothing = np.zeros((1, 28, 28), np.uint8)  # a digit with no ink
    return photo_of(nothing, [0], rng, size=size, ruling=ruling).image


def wall(rng, size=(480, 360)):
    """A photo of a painted wall: a smooth, low-contrast texture in uneven light."""
    from scipy import ndimage

    height, width = size[1], size[0]
    texture = sum(ndimage.gaussian_filter(rng.normal(0, 1, (height, width)), sigma) * sigma
                  for sigma in (1, 4, 16))
    texture = 6 * texture / texture.std()
    base = np.array([212, 200, 182], np.float32)
    pixels = (base + texture[..., None]) * _lighting(height, width, rng, True)[..., None]
    pixels += rng.normal(0, 3, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def printed_text(rng, size=(640, 480)):
    """A photo of a page of printed text (letters in lines), in uneven light."""
    from PIL import ImageDraw, ImageFont

    page = Image.new("RGB", size, PAPERS["white"])
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=18)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "paper", "ink",
             "digits", "learn", "model", "photo", "scan", "read"]
    for y in range(20, size[1] - 30, 28):
        line = " ".join(rng.choice(words, 12))
        draw.text((20, y), line, fill=(25, 25, 25), font=font)
    pixels = np.asarray(page, np.float32) * _lighting(size[1], size[0], rng, False)[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def dark(rng, size=(480, 360)):
    """A photo taken in the dark: almost black, with sensor noise."""
    pixels = rng.normal(8, 3, (size[1], size[0], 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def large_photo(photo: SyntheticPhoto, size=(4000, 3000), quality=85) -> bytes:
    """``photo`` as a big phone photo's JPEG file bytes (upscaled, fresh grain)."""
    rng = np.random.default_rng(0)
    big = np.asarray(photo.image.resize(size, Image.Resampling.BILINEAR), np.int16)
    big = big + rng.integers(-4, 5, big.shape[:2] + (1,), dtype=np.int16)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(big, 0, 255).astype(np.uint8)).save(buffer, format="JPEG",
                                                                quality=quality)
    return buffer.getvalue()
