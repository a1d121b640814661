"""Turn anything a learner may hand us into one validated ink array.

``to_ink`` accepts a PIL image in any mode, a numpy array or a file path, and returns a float32
(H, W) array in [0, 1] where 1 is ink and 0 is background, whatever the colours of the input:
black ink on a white pad and white ink on black both work. Bad input raises a ``ValueError``
or ``TypeError`` whose message names the problem.
"""

import errno
import io
import os
import stat
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digitlib.reading.preprocess import MNIST_SIZE, show_number

# Largest image accepted, in pixels (width x height): 25 megapixels, e.g. 5000 x 5000. Bigger
# images (a 20000 x 20000 decompression bomb, say) are refused before they are decoded.
MAX_PIXELS = 25_000_000

_FRAMES = "digitlib frames"  # open_image notes (file name, frame count) in Image.info

# Ink strength is measured against the picture's own contrast, so faint pencil or grey ink reads
# as ink; a contrast below this share of the full range is not scaled up further, so the grain
# and JPEG noise of a blank picture stay far below segment's ink level.
FULL_INK_CONTRAST = 0.2

EXIF_ORIENTATION = 0x0112  # the EXIF tag in which a camera says which way up it was held

ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
FILE_SOURCES = (str, os.PathLike, bytes, bytearray, memoryview)  # a file's path or its bytes


class ImageError(ValueError):
    """The input is not an image we can read a digit from; the message says why."""


class ImageFileNotFoundError(ImageError, FileNotFoundError):
    """The image file does not exist (catch it as ``ValueError`` or ``FileNotFoundError``)."""


class ImageWarning(UserWarning):
    """The image was read, but not all of it (e.g. only the first frame of an animation)."""


def to_ink(image) -> np.ndarray:
    """Any accepted image -> float32 (H, W) ink in [0, 1] (1 = ink, 0 = background).

    Accepted: a PIL image in any mode (transparent pixels count as background), a numpy array
    of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) holding uint8, bool or floats in [0, 1],
    the path of an image file, or an image file's bytes. At most ``MAX_PIXELS`` pixels.
    Images deeper than 8 bits (16-bit PNGs, float TIFFs) are scaled by the range of values
    they hold. What was not read (the other frames of an animated GIF) is said with an
    ``ImageWarning``; ``read_ink`` returns those notes instead.
    """
    ink, notes = read_ink(image)
    for note in notes:
        warnings.warn(note, ImageWarning, stacklevel=2)
    return ink


def read_ink(image) -> tuple[np.ndarray, list[str]]:
    """``(to_ink(image), notes)``: the notes say what was not read, e.g. "only the first of
    its 12 frames was read"; front ends show them beside the result."""
    picture, grey, alpha = to_grey(image)
    notes = image_notes(picture) if isinstance(picture, Image.Image) else []
    return ink_from_grey(grey, alpha), notes


def image_of(reading) -> np.ndarray:
    """The (28, 28) float32 image in [0, 1] of a reading or an array; a learner's error if not."""
    image = getattr(reading, "image28", reading)
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("L"))
    try:
        image = np.asarray(image, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"expected a Prediction or a 28x28 array, got {type(reading).__name__}"
                        ) from None
    image = image.squeeze()
    if image.shape != (MNIST_SIZE, MNIST_SIZE):
        raise ValueError(f"expected a 28x28 image, got shape {image.shape}")
    if not np.isfinite(image).all() or image.min() < 0:
        raise ValueError("pixel values must be finite and not negative")
    if image.max() > 1.5:  # 0-255 rather than 0-1
        if image.max() > 255:
            raise ValueError("pixel values must be in [0, 1] (or 0-255)")
        image = image / 255.0
    return np.minimum(image, 1.0).astype(np.float32)


class Grey(NamedTuple):
    """A picture decoded once (``to_grey``): the picture, its grey levels and transparency."""

    picture: Image.Image | np.ndarray  # the PIL image turned upright, or the array as given
    grey: np.ndarray  # (H, W) uint8 0-255, or float32 in [0, 1]; low is dark
    alpha: np.ndarray | None  # (H, W) float32 opacity in [0, 1]; None when all is opaque


def to_grey(image) -> Grey:
    """Any image ``to_ink`` accepts -> its ``Grey`` levels, validated (``ImageError`` says
    what is wrong). The one place where a file, a PIL image and an array part ways: a file is
    decoded in full (``open_image``: JPEG's faster draft decode loses faint strokes), a PIL
    image turned ``upright``, an array checked."""
    if isinstance(image, FILE_SOURCES):
        image = open_image(image)
    if isinstance(image, np.matrix):  # rows of a matrix stay 2-D: read it as a plain array
        image = np.asarray(image)
    if isinstance(image, Image.Image):
        image = upright(image)
        return Grey(image, *_pil_to_grey(image))
    if isinstance(image, np.ndarray):
        return Grey(image, *_array_to_grey(image))
    raise TypeError(
        f"expected a PIL image, a numpy array or an image file path, got {type(image).__name__}"
    )


def upright(image: Image.Image) -> Image.Image:
    """A PIL image as a file of it would be read: turned upright by the EXIF orientation a
    camera recorded (as ``open_image`` does), and a CIELAB image as its lightness channel, which
    is what a grey picture of it shows."""
    if image.mode == "LAB":
        lightness = image.getchannel("L")
        lightness.info = dict(image.info)
        image = lightness
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
        info = dict(image.info)
        image = ImageOps.exif_transpose(image)
        image.info = {**info, **image.info}
    return image


def image_notes(image: Image.Image) -> list[str]:
    """What reading ``image`` leaves out, in sentences (e.g. the frames after the first)."""
    name, frames = image.info.get(_FRAMES, ("the image", getattr(image, "n_frames", 1)))
    frame = image.tell() if _FRAMES not in image.info and hasattr(image, "tell") else 0
    if frames > 1:
        which = "the first" if frame == 0 else f"frame {frame} (counted from 0, as seek counts)"
        return [f"{name} holds {frames} frames (an animation or several pages): only {which} "
                f"was read"]
    return []


def open_image(source) -> Image.Image:
    """Open and decode an image file, with clear errors for missing, corrupt or huge files.

    ``source`` is a file path, the file's bytes (an upload, say) or a binary file object. The
    EXIF orientation a phone camera records is applied here, so every path that reads a
    picture (library, CLI, pad upload, desktop app) sees it upright.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, stream = "the image", io.BytesIO(bytes(source))
    elif hasattr(source, "read"):
        name, stream = getattr(source, "name", None) or "the image", source
        name = Path(name).name if isinstance(name, (str, os.PathLike)) else "the image"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        check_image_file(path)
        name, stream = path.name, path
    else:
        raise TypeError(f"expected an image file path, bytes or a binary file object, "
                        f"got {type(source).__name__}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:  # reads the header only ...
                _check_size(image.width, image.height)
                image.load()  # ... and decodes the pixels once the size is known to be sane
                upright = ImageOps.exif_transpose(image)
                upright.info[_FRAMES] = (name, getattr(image, "n_frames", 1))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"{name}: image too large ({error})") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image file Pillow can read") from None
    except PermissionError:
        raise ImageError(f"{name} cannot be read: permission denied") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:  # truncated or corrupt data
        raise ImageError(f"{name} is corrupt or truncated: {error}") from None
    return upright


def check_image_file(path) -> None:
    """Refuse, before anything opens it, a path that is not a regular file: a missing file, a
    folder, a named pipe (opening one waits for a writer, forever), a device such as
    ``/dev/zero``, a socket, or a name too long for the system. One-line ``ImageError``s."""
    shown = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ImageFileNotFoundError(f"image file {shown!r} does not exist") from None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise ImageError(f"an image file name of {len(shown):,} characters is too long for "
                             f"this system: pass the file's path") from None
        raise ImageError(f"cannot open image file {shown!r}: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise ImageFileNotFoundError(f"image file {shown!r} is a directory, not an image file")
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket"
                if stat.S_ISSOCK(mode) else "a device")
        raise ImageError(f"image file {shown!r} is {kind}, not a regular file: save the "
                         f"picture to a file first")


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ImageError(f"the image is empty ({width}x{height} pixels)")
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"image of {width}x{height} pixels is too large: the limit is {MAX_PIXELS:,} pixels "
            f"(e.g. 5000x5000); shrink it first"
        )


def _pil_to_grey(image: Image.Image):
    """PIL image -> (grey float32 in [0, 1], alpha float32 or None)."""
    _check_size(image.width, image.height)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"the image could not be decoded: {error}") from None
    has_alpha = image.mode in ALPHA_MODES or (
        image.mode in {"P", "L", "RGB"} and "transparency" in image.info
    )
    if has_alpha:
        try:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        except ValueError as error:
            raise ImageError(f"images in mode {image.mode} are not supported ({error})") from None
        return _luminance(rgba[..., :3]), rgba[..., 3]
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)  # 16/32-bit integers or floats
        if not np.isfinite(values).all():
            raise ImageError("the image holds NaN or infinite pixel values")
        return _deep_to_grey(values), None
    try:
        grey = image if image.mode == "L" else image.convert("L")
    except ValueError as error:
        raise ImageError(f"images in mode {image.mode} are not supported ({error})") from None
    return np.asarray(grey), None  # uint8, scaled in ink_from_grey


def _deep_to_grey(values: np.ndarray) -> np.ndarray:
    """Pixels deeper than 8 bits -> grey in [0, 1]: values in [0, 1] are kept, values in
    0-255 divided by 255, and any other range (a 16-bit image using 0-1000, say) is
    stretched from its lowest to its highest value."""
    low, high = values.min(), values.max()
    if low >= 0.0 and high <= 1.0:
        return values.astype(np.float32)
    if low >= 0.0 and high <= 255.0:
        return (values / 255.0).astype(np.float32)
    if high == low:  # one value all over (a blank 16-bit scan): blank, whatever the value
        return np.ones(values.shape, np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


def _array_to_grey(array: np.ndarray):
    """numpy array -> (grey float32 in [0, 1], alpha float32 or None), validated."""
    is_float = np.issubdtype(array.dtype, np.floating)
    if not (array.dtype == np.uint8 or array.dtype == bool or is_float):
        raise TypeError(
            f"array pixels must be uint8 (0-255), bool or float (0-1), got dtype {array.dtype}"
        )
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (1, 3, 4))):
        raise ImageError(
            f"expected one image of shape (H, W), (H, W, 3) or (H, W, 4), got shape {array.shape}"
        )
    height, width = array.shape[:2]
    _check_size(width, height)
    if array.dtype == np.uint8 and array.ndim == 2:
        return array, None  # scaled in ink_from_grey
    if is_float:
        if not np.isfinite(array).all():
            raise ImageError("the image holds NaN or infinite values")
        low, high = array.min(), array.max()
        if low < 0.0 or high > 1.0:
            raise ImageError(f"float pixels must be in [0, 1], got {show_number(low)} to "
                             f"{show_number(high)} (divide 0-255 images by 255)")
    values = array.astype(np.float32)
    if array.dtype == np.uint8:
        values /= 255.0
    if values.ndim == 2 or values.shape[2] == 1:
        return values.reshape(height, width), None
    if values.shape[2] == 3:
        return _luminance(values), None
    return _luminance(values[..., :3]), values[..., 3]


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return (rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).astype(np.float32)


def ink_from_grey(grey: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    """Grey levels (``to_grey``: uint8, or float in [0, 1]) -> float32 ink in [0, 1] (1 = ink),
    dark ink on a light ground or light ink on a dark one: the side of the picture's range away
    from its border's level is ink. Transparent pixels (``alpha`` below 1) are background."""
    grey = np.asarray(grey)
    if grey.ndim != 2 or grey.size == 0:
        raise ValueError(f"expected grey levels of shape (H, W), got shape {grey.shape}")
    if not (grey.dtype == np.uint8 or np.issubdtype(grey.dtype, np.floating)):
        raise TypeError(f"grey levels must be uint8 or float in [0, 1], got dtype {grey.dtype}")
    if alpha is not None and np.shape(alpha) != grey.shape:
        raise ValueError(f"alpha must have the grey levels' shape {grey.shape}, got "
                         f"{np.shape(alpha)}")
    if alpha is not None and alpha.min() < 1.0:
        # Transparent pixels are background: lay the image on a backdrop that contrasts
        # with the colour of its visible (opaque) pixels.
        weight = alpha.sum()
        ink_colour = float((grey * alpha).sum() / weight) if weight > 0 else 0.0
        backdrop = 1.0 if ink_colour < 0.5 else 0.0
        grey = grey * alpha + backdrop * (1.0 - alpha)
    full = 255.0 if grey.dtype == np.uint8 else 1.0
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border)) / full
    darkest, brightest = float(grey.min()) / full, float(grey.max()) / full
    # The ink is on the side of the picture's range away from the background, whatever the
    # background's own level (black ink on mid-grey, white ink on light grey) ...
    if background > (darkest + brightest) / 2:  # dark ink: ink = (background - grey) / contrast
        contrast = max(background - darkest, FULL_INK_CONTRAST)
        scale, offset = -1.0 / (contrast * full), background / contrast
    else:  # light ink: ink = (grey - background) / contrast
        contrast = max(brightest - background, FULL_INK_CONTRAST)
        scale, offset = 1.0 / (contrast * full), -background / contrast
    ink = grey.astype(np.float32)
    ink *= scale
    ink += offset
    return np.clip(ink, 0.0, 1.0, out=ink)
