"""Read ink from photos and scans of paper, and tell them from clean pad drawings.

A pad drawing has a perfectly flat background, so ``digitlib.reading.images.to_ink`` can take the
border's colour as *the* background. A photo of paper has none: the light falls off across the
sheet, a hand casts a shadow, the paper may be cream or grey and printed with ruled or squared
lines, and the camera adds blur, grain and JPEG blocks. ``read_page`` decides which one it has
(cheaply: ``looks_like_photo``) and, for a photo, cleans it step by step on a reduced copy:

1. ``darkness``: each pixel's darkest colour channel, so blue, black and red ink all stand out.
2. ``flatten``: estimate the paper's brightness everywhere (the ink removed by a grey closing on
   a coarse copy) and divide by it: shadows and gradients vanish, the paper becomes 1.0.
3. ``threshold``: a locally adaptive (Sauvola) threshold, above a floor set by the grain.
4. ``remove_lines``: long thin horizontal and vertical runs are printed lines; they are
   removed, except where a stroke crosses them (ink just above and below stays joined).
5. Specks are dropped; what is left is soft ink in [0, 1], as the pad gives.

Boxes found on the reduced copy are mapped back to the original photo's pixels.
"""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from digitlib.reading import images

DRAWING, PHOTO = "drawing", "photo"
# Auto-detection: a pad drawing's background is one exact colour. When at least FLAT_SHARE of a
# sparse grid of pixels is within FLAT_TOLERANCE (of 255) of the border's median, the input is
# a drawing; a photo's grain and uneven light leave far fewer such pixels (even in the dark).
FLAT_SHARE = 0.5
FLAT_TOLERANCE = 0
SAMPLE_GRID = 64  # the grid samples about 64 x 64 pixels, whatever the size
# The working copy: photos are reduced (by an integer factor, a box filter) until their longer
# side is at most WORK_SIZE pixels: digits stay 20+ pixels tall on a photo of a whole page.
WORK_SIZE = 1024
# Illumination: the paper's brightness is estimated on a copy BACKGROUND_REDUCE times smaller,
# where a grey closing BACKGROUND_CLOSING pixels wide (8 x 9 = 72 working pixels) covers any
# stroke; BACKGROUND_SMOOTH then smooths it.
BACKGROUND_REDUCE = 8
BACKGROUND_CLOSING = 9
BACKGROUND_SMOOTH = 1.5
# Threshold: Sauvola over SAUVOLA_WINDOW pixels (odd; about a digit's width), with SAUVOLA_K.
# Ink must also be darker than the paper by MIN_CONTRAST and by GRAIN_FACTOR times the grain.
MAX_GRAIN = 0.1  # a camera's grain on paper is a few grey levels; ten times that is ink
SAUVOLA_WINDOW = 31
SAUVOLA_K = 0.2
MIN_CONTRAST = 0.15
GRAIN_FACTOR = 5.0
# Printed lines are looked for among pixels at least FAINT_CONTRAST (and FAINT_GRAIN times the
# grain) darker than the paper: pale blue or grey ruling is often fainter than ink.
FAINT_CONTRAST = 0.06
FAINT_GRAIN = 3.0
# Lines: the paper is first straightened: its tilt is the angle among TILT_ANGLES (degrees) at
# which up to TILT_SAMPLE ink pixels line up best. A row (column) is a printed line when at
# least LINE_SHARE of it is ink at most LINE_THICKNESS pixels thick across it: no row of
# digits is that full, and a stroke crossing or running along a line makes it thicker there.
# Strokes crossing a line are kept where ink lies within CROSSING pixels on both sides of it.
TILT_ANGLES = np.arange(-5.0, 5.01, 0.25)
TILT_SAMPLE = 20_000
LINE_SHARE = 0.5
LINE_THICKNESS = 10
CROSSING = 6
INK_OVER_LINE = 0.15  # ink on a line is darker than the line's own pixels by at least this
EDGE = 2  # marks within EDGE pixels of the picture's edge are cut by it: not digits ...
MAIN_SPAN = 0.5  # ... unless they span half the picture: then the picture was cropped to them
SPECK_AREA = 12  # pieces of ink smaller than this (working pixels) are specks
DASH = 3  # a mark at most LINE_THICKNESS tall and DASH times wider is a piece of a line
# Bad input: a photo whose paper is darker than TOO_DARK is refused; more than TOO_MANY marks
# of ink is printed text or a busy scene, not a few handwritten digits.
TOO_DARK = 0.12
POLARITY_SIZE = 256  # light_on_dark looks at a copy about this many pixels across ...
LIGHT_SCALE = 1 / 8  # ... and levels the light blurred over this share of it: wider than digits
# A picture whose grey levels span less than this share of the full range holds no clear ink
# (blank paper, a wall, a photo taken in the dark); faint pencil on white spans several times it.
CLEAR_CONTRAST = 0.15
TOO_MANY = 60


@dataclass(eq=False)
class Page:
    """The ink read from an image, and how it maps back to the image."""

    ink: np.ndarray  # float32 (h, w) in [0, 1], 1 = ink, on the working copy
    source: str  # DRAWING (today's pad path) or PHOTO (this module's path)
    scale: float = 1.0  # original pixels per working pixel
    size: tuple[int, int] = (0, 0)  # the original's (width, height)
    original: object = None  # the decoded original (PIL image or array), for annotations
    stages: dict = field(default_factory=dict)  # name -> image of each step, when asked
    angle: float = 0.0  # degrees the working copy was turned to straighten the paper
    file: object = None  # the file path or bytes it was read from, if any
    notes: list = field(default_factory=list)  # what was left out (``images.image_notes``)
    cropped: bool = False  # a photo's ink fills the picture: a crop around the ink, not a page
    cut_off: int = 0  # marks a photo's reading left out because the picture's edge cuts them

    def to_original(self, box) -> tuple[int, int, int, int]:
        """A (left, top, right, bottom) box on the working copy, in the original's pixels."""
        left, top, right, bottom = box
        if self.angle:  # the working copy was straightened: turn the box's corners back
            height, width = self.ink.shape
            centre = np.array([width / 2, height / 2])
            corners = np.array([(left, top), (right, top), (left, bottom), (right, bottom)],
                               np.float64) - centre
            turn = np.radians(self.angle)
            cos, sin = np.cos(turn), np.sin(turn)
            back = np.column_stack([corners[:, 0] * cos - corners[:, 1] * sin,
                                    corners[:, 0] * sin + corners[:, 1] * cos]) + centre
            left, top = back.min(axis=0)
            right, bottom = back.max(axis=0)
        width, height = self.size
        return (max(0, int(left * self.scale)), max(0, int(top * self.scale)),
                min(width, int(np.ceil(right * self.scale))),
                min(height, int(np.ceil(bottom * self.scale))))


class PhotoError(images.ImageError):
    """The photo cannot be read for digits (too dark, printed text); the message says why."""


class TooDarkError(PhotoError):
    """The picture is too dark for a photo of paper (or it is light ink on a dark ground)."""


@dataclass(eq=False)
class Decoded:
    """A picture decoded once, ready to be read either way (``page_of``)."""

    image: object  # the PIL image or array
    grey: np.ndarray  # its grey levels (uint8, or float in [0, 1])
    alpha: np.ndarray | None  # its transparency, if it has any
    file: object = None  # the file path or bytes it was read from, if any

    def looks_like_photo(self) -> bool:
        """The guess ``read_page`` makes when it is not told: a photo of paper or a drawing."""
        return self.alpha is None and looks_like_photo(self.grey)


def decode(image) -> Decoded:
    """Any accepted image (a PIL image, an array, a file path or a file's bytes), decoded."""
    file = image if isinstance(image, images.FILE_SOURCES) else None
    picture, grey, alpha = images.to_grey(image)
    return Decoded(picture, grey, alpha, file)


def read_page(image, photo: bool | None = None, keep_stages: bool = False) -> Page:
    """Any accepted image -> its ``Page`` of ink.

    ``photo``: None decides automatically (``looks_like_photo``), True forces the photo path,
    False today's pad path (``images.to_ink``). ``keep_stages`` keeps a picture of each step
    in ``page.stages`` (for teaching).
    """
    if photo not in (None, True, False):
        raise TypeError(f"photo must be True, False or None (decide), got {photo!r}")
    decoded = decode(image)
    return page_of(decoded, decoded.looks_like_photo() if photo is None else photo, keep_stages)


def page_of(decoded: Decoded, photo: bool, keep_stages: bool = False) -> Page:
    """The ``Page`` of a decoded picture, read as a photo of paper or as a drawing."""
    grey, image = decoded.grey, decoded.image
    size = (grey.shape[1], grey.shape[0])
    if not photo:
        page = Page(images.ink_from_grey(grey, decoded.alpha), DRAWING, size=size,
                    original=image)
    else:
        page = _photo_page(image, grey, size, keep_stages)
    page.file = decoded.file
    if isinstance(image, Image.Image):
        page.notes = images.image_notes(image) + page.notes
    return page


def is_photo(image) -> bool:
    """Whether ``read_page(image)`` would take ``image`` (a PIL image or an array) for a photo
    of paper: the same cheap test, for a front end that shows a photo as it is."""
    if not isinstance(image, (Image.Image, np.ndarray)):
        raise TypeError(f"expected a PIL image or a numpy array, got {type(image).__name__}")
    return decode(image).looks_like_photo()


def light_on_dark(grey: np.ndarray) -> bool:
    """Whether a grey image (uint8, or float in [0, 1]) shows light marks on a darker ground.

    Marks are the minority and lie far from the picture's typical level, whatever their
    colour: once the light is levelled (a wide blur taken away, so shadows and gradients go),
    the grey levels have a long tail on the marks' side: the sign of their third moment about
    the median. A picture without clear contrast (``CLEAR_CONTRAST``: a photo taken in the dark)
    is not light on dark, only dark.
    """
    full = 255.0 if grey.dtype == np.uint8 else 1.0
    step = max(1, int(np.ceil(max(grey.shape) / POLARITY_SIZE)))
    small = grey[::step, ::step].astype(np.float32) / full
    if float(np.ptp(small)) < CLEAR_CONTRAST:
        return False
    levelled = small - ndimage.gaussian_filter(small, max(small.shape) * LIGHT_SCALE,
                                               mode="nearest")
    tail = levelled - np.median(levelled)
    return bool(np.sum(tail**3) > 0)


def looks_like_photo(grey: np.ndarray) -> bool:
    """Whether a grey image (uint8, or float in [0, 1]) looks like a photo rather than a pad
    drawing: too few of a sparse grid of pixels share the border's exact colour."""
    height, width = grey.shape
    if min(height, width) < 32:  # MNIST-sized images are drawings
        return False
    sample = grey[:: max(1, height // SAMPLE_GRID), :: max(1, width // SAMPLE_GRID)]
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = np.median(border)
    if grey.dtype == np.uint8:
        flat = np.abs(sample.astype(np.int16) - np.int16(round(float(background))))
        return float(np.count_nonzero(flat <= FLAT_TOLERANCE)) < FLAT_SHARE * sample.size
    flat = np.abs(sample - np.float32(background)) <= FLAT_TOLERANCE / 255 + 1e-6
    return float(np.count_nonzero(flat)) < FLAT_SHARE * sample.size


# --- the photo path ------------------------------------------------------------------------


def _photo_page(image, grey, size, keep_stages) -> Page:
    factor = max(1, int(np.ceil(max(size) / WORK_SIZE)))
    deep = isinstance(image, Image.Image) and (image.mode.startswith("I") or image.mode == "F")
    # Deeper than 8 bits: the grey levels, already scaled by their own range, not the colours
    # (which would clip them).
    dark = darkness(grey if deep else image, factor)
    paper = background(dark)
    if float(np.median(paper)) < TOO_DARK:
        raise TooDarkError(
            f"the photo is too dark to read (its paper is at {np.median(paper):.0%} brightness): "
            "take it again in better light"
        )
    flat = flatten(dark, paper)
    grain = _grain(flat)
    angle = tilt(flat[::2, ::2] < 1.0 - _faint_level(grain))  # a half-size copy is enough
    inside = np.ones(flat.shape, bool)  # the part of the working copy that shows the photo
    if angle:  # straighten the sheet so its lines run along rows and columns
        flat = straighten(flat, angle, fill=OUTSIDE)
        inside = flat <= 1.0  # the corners the turn leaves (and their blurred edge) are out
        flat = np.minimum(flat, 1.0)
    mask, faint, contrast = threshold(flat, grain)
    horizontal, vertical, line_rows, line_columns = line_masks(faint, inside)
    clean, cut_off = _drop_specks(remove_lines(mask, horizontal, vertical, contrast), inside)
    clean = _drop_line_pieces(clean, line_rows, line_columns)
    check_marks(ndimage.label(clean, structure=np.ones((3, 3), bool))[1])
    ink = soft_ink(clean, contrast)
    stages = {}
    if keep_stages:
        stages = dict(photo=dark, background=paper, flattened=flat, threshold=mask,
                      lines=horizontal | vertical, ink=ink)
    notes = [f"{cut_off} mark{'s' if cut_off > 1 else ''} cut by the picture's edge "
             f"{'were' if cut_off > 1 else 'was'} left out (the edge of the sheet or a digit "
             "only partly in the picture)"] if cut_off else []
    return Page(ink, PHOTO, scale=float(factor), size=size, original=image, stages=stages,
                angle=angle, notes=notes, cropped=fills(clean, inside), cut_off=cut_off)


OUTSIDE = 2.0  # fills the corners a turn leaves: brighter than any paper


def straighten(flat: np.ndarray, angle: float, fill: float = 1.0) -> np.ndarray:
    """``flat`` turned by ``angle`` degrees about its centre (counter-clockwise), the corners
    it leaves filled with ``fill`` (1.0: paper)."""
    turned = Image.fromarray(flat).rotate(angle, resample=Image.Resampling.BILINEAR,
                                          fillcolor=fill)
    return np.asarray(turned, dtype=np.float32)


def darkness(image, factor: int = 1) -> np.ndarray:
    """Brightness in [0, 1] of each pixel's darkest colour channel, reduced ``factor`` times.

    Blue, black and red ink are all dark in at least one channel, while white, cream and grey
    paper are bright in all three.
    """
    if isinstance(image, np.ndarray):
        array = _as_uint8(image)
        if array.ndim == 3:
            array = array[..., :3].min(axis=2)
        image = Image.fromarray(array.reshape(array.shape[:2]))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if factor > 1:
        image = image.reduce(factor)
    array = np.asarray(image)
    if array.ndim == 3:
        array = array.min(axis=2)
    return array.astype(np.float32) / 255


def background(dark: np.ndarray) -> np.ndarray:
    """The paper's brightness at every pixel: ink closed away on a coarse copy, smoothed."""
    height, width = dark.shape
    coarse = Image.fromarray(dark).reduce(BACKGROUND_REDUCE) if min(height, width) > (
        4 * BACKGROUND_REDUCE) else Image.fromarray(dark)
    paper = ndimage.grey_closing(np.asarray(coarse), size=BACKGROUND_CLOSING, mode="nearest")
    paper = ndimage.gaussian_filter(paper, BACKGROUND_SMOOTH, mode="nearest")
    full = Image.fromarray(paper).resize((width, height), Image.Resampling.BILINEAR)
    return np.maximum(np.asarray(full), 1e-3)


def flatten(dark: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """The photo divided by its paper's brightness: the paper becomes 1.0 everywhere."""
    return np.clip(dark / paper, 0.0, 1.0).astype(np.float32)


def _grain(flat: np.ndarray) -> float:
    """The photo's grain: the spread of the flattened paper (a robust standard deviation). A
    spread wider than ``MAX_GRAIN`` is no grain but ink filling much of the picture (a tight
    crop): then only pixels within ``MIN_CONTRAST`` of white count as paper."""
    sample = flat[::3, ::3]
    grain = 1.4826 * float(np.median(np.abs(sample - np.median(sample))))
    if grain <= MAX_GRAIN:
        return grain
    paper = sample[sample > 1.0 - MIN_CONTRAST]
    return 1.4826 * float(np.median(np.abs(paper - np.median(paper)))) if paper.size else 0.0


def _faint_level(grain: float) -> float:
    return max(FAINT_CONTRAST, FAINT_GRAIN * grain)


def threshold(flat: np.ndarray, grain: float | None = None):
    """Ink where the flattened photo is darker than a Sauvola threshold and than a floor.

    Returns ``(mask, faint, contrast)``: the ink, everything at least faintly darker than the
    paper (where printed lines are looked for: they are often pale) and ``1 - flat``.
    """
    from skimage.filters import threshold_sauvola

    grain = _grain(flat) if grain is None else grain
    floor = max(MIN_CONTRAST, GRAIN_FACTOR * grain)
    smooth = ndimage.uniform_filter(flat, 3)  # JPEG blocks and grain averaged out
    local = threshold_sauvola(smooth, window_size=SAUVOLA_WINDOW, k=SAUVOLA_K)
    darker = 1.0 - smooth
    return (smooth < local) & (darker > floor), darker > _faint_level(grain), 1.0 - flat


def _run_filter(mask: np.ndarray, length: int, axis: int, operation: str) -> np.ndarray:
    """Binary dilation, erosion, opening or closing of ``mask`` by a line of ``length`` pixels
    (odd) along ``axis``; one-dimensional filters cost the same whatever the length."""
    grow, shrink = ndimage.maximum_filter1d, ndimage.minimum_filter1d
    values = mask.view(np.uint8)
    steps = {"dilate": [grow], "erode": [shrink], "open": [shrink, grow],
             "close": [grow, shrink]}[operation]
    for step in steps:
        values = step(values, length, axis=axis, mode="constant", cval=0)
    return values.view(bool)


def thin_pixels(mask: np.ndarray, axis: int) -> np.ndarray:
    """The pixels of ``mask`` in runs at most ``LINE_THICKNESS`` long across ``axis`` (axis 1:
    thin vertically, as a horizontal line is; axis 0: thin horizontally)."""
    return mask & ~_run_filter(mask, LINE_THICKNESS + 1, 1 - axis, "open")


def tilt(faint: np.ndarray) -> float:
    """The angle (degrees) of the printed lines of ruled or squared paper, 0.0 when it has none.

    Each candidate angle shears the thin pixels' coordinates along it; at the lines' angle
    their rows pile up into sharp peaks (the largest sum of squared row counts).
    """
    rows, columns = np.nonzero(thin_pixels(faint, 1))
    if len(rows) == 0:
        return 0.0
    step = max(1, len(rows) // TILT_SAMPLE)
    rows, columns = rows[::step].astype(np.float32), columns[::step].astype(np.float32)
    best, best_score, best_peak = 0.0, -1.0, 0
    for angle in TILT_ANGLES:
        sheared = np.round(rows - columns * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(sheared - sheared.min())
        score = float(np.dot(counts, counts))
        if score > best_score:
            best, best_score, best_peak = float(angle), score, int(counts.max())
    has_lines = best_peak * step >= LINE_SHARE * faint.shape[1]
    return best if has_lines else 0.0


def line_masks(faint: np.ndarray, inside: np.ndarray | None = None):
    """The pixels of ``faint`` on printed horizontal lines and on vertical ones, and which rows
    and which columns hold a line (the paper already straightened, see ``tilt``).

    A line is a row (column) of which at least ``LINE_SHARE`` is faint ink that is thin across
    it: at most ``LINE_THICKNESS`` pixels, so where a stroke crosses or runs along a line the
    line is thick there and stays. Vertical lines are looked for once the horizontal ones are
    gone, so the grid's crossings go too.
    """
    found, bands, rest = [], [], faint
    for axis in (1, 0):  # horizontal lines (rows), then vertical ones (columns)
        thin = thin_pixels(rest, axis)
        # A line that is still tilted a little, or wavy, spreads over neighbouring rows.
        covered = np.maximum(inside.sum(axis=axis), 1) if inside is not None else thin.shape[axis]
        share = _run_filter(thin, 3, 1 - axis, "dilate").sum(axis=axis) / covered
        on_line = ndimage.binary_dilation(share >= LINE_SHARE, np.ones(3, bool))
        lines = thin & (on_line[:, np.newaxis] if axis == 1 else on_line[np.newaxis, :])
        found.append(lines)
        bands.append(on_line)
        rest = rest & ~lines
    return found[0], found[1], bands[0], bands[1]


def remove_lines(mask: np.ndarray, horizontal: np.ndarray, vertical: np.ndarray,
                 contrast: np.ndarray | None = None) -> np.ndarray:
    """``mask`` without the lines, but strokes that cross a line stay whole: a pixel of a
    horizontal line is kept when ink lies within ``CROSSING`` pixels above and below it (and
    left and right of a vertical line). With ``contrast``, a line pixel next to the ink left
    that is clearly darker than its line (``INK_OVER_LINE``) is ink on the line and kept too."""
    rest = mask & ~horizontal & ~vertical
    if not (horizontal.any() or vertical.any()):
        return rest
    reach = 2 * CROSSING + 1
    crossed_up = _run_filter(rest, reach, 0, "close")
    crossed_side = _run_filter(rest, reach, 1, "close")
    kept = (horizontal & crossed_up) | (vertical & crossed_side)
    if contrast is not None:
        near = _run_filter(_run_filter(rest, 5, 0, "dilate"), 5, 1, "dilate")
        for lines, axis in ((horizontal, 1), (vertical, 0)):
            count = np.maximum(lines.sum(axis=axis, keepdims=True), 1)
            level = np.where(lines, contrast, 0).sum(axis=axis, keepdims=True) / count
            kept |= lines & near & (contrast > level + INK_OVER_LINE)
    return rest | (mask & kept)


def _drop_specks(mask: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, int]:
    """``mask`` without specks, marks cut by the picture's edge (the ends of printed lines, the
    edge of the sheet: digits are written inside the photo) and dashes left of lines; and how
    many marks cut by the edge were left out that were neither line-thin nor specks.

    A mark cut by the edge that is the picture's main content stays: one that spans at least
    ``MAIN_SPAN`` of the picture's height or width and is thicker than a printed line both
    ways. That is a digit cropped tight (a scan, a screenshot), whose ink reaches the edge
    because the crop was made around it; the end of a printed line or a sliver of the next
    sheet is thin, or small beside the picture.
    """
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if count == 0:
        return mask, 0
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    dropped = areas < SPECK_AREA
    edge = ~_run_filter(_run_filter(inside, 2 * EDGE + 1, 0, "erode"), 2 * EDGE + 1, 1, "erode")
    at_edge = np.zeros(count + 1, bool)
    at_edge[np.unique(labels[edge & mask])] = True
    inside_height, inside_width = inside.any(axis=1).sum(), inside.any(axis=0).sum()
    cut_off = 0
    for index, (rows, columns) in enumerate(ndimage.find_objects(labels), start=1):
        height, width = rows.stop - rows.start, columns.stop - columns.start
        line_thin = min(height, width) <= LINE_THICKNESS
        if height <= LINE_THICKNESS and width >= DASH * height:
            dropped[index] = True
        elif at_edge[index] and not dropped[index]:
            main = not line_thin and (height >= MAIN_SPAN * inside_height
                                      or width >= MAIN_SPAN * inside_width)
            dropped[index] = not main
            cut_off += not main and not line_thin
    dropped[0] = True
    return ~dropped[labels], cut_off


def fills(mask: np.ndarray, inside: np.ndarray) -> bool:
    """Whether the marks of ``mask`` together span at least ``MAIN_SPAN`` of the picture's
    height and of its width (``inside``): a picture cropped around its ink, not a page."""
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return False
    inside_rows, inside_columns = inside.any(axis=1).sum(), inside.any(axis=0).sum()
    return bool(rows[-1] - rows[0] + 1 >= MAIN_SPAN * inside_rows
                and columns[-1] - columns[0] + 1 >= MAIN_SPAN * inside_columns)


def _drop_line_pieces(mask: np.ndarray, line_rows, line_columns) -> np.ndarray:
    """``mask`` without the pieces of printed lines left over: marks no thicker than a line that
    lie along a row (column) holding a line."""
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    dropped = np.zeros(count + 1, bool)
    near_rows = ndimage.binary_dilation(line_rows, np.ones(LINE_THICKNESS // 2 * 2 + 1, bool))
    near_columns = ndimage.binary_dilation(line_columns,
                                           np.ones(LINE_THICKNESS // 2 * 2 + 1, bool))
    for index, (rows, columns) in enumerate(ndimage.find_objects(labels), start=1):
        if rows.stop - rows.start <= LINE_THICKNESS and near_rows[rows].all():
            dropped[index] = True
        if columns.stop - columns.start <= LINE_THICKNESS and near_columns[columns].all():
            dropped[index] = True
    return mask & ~dropped[labels] if dropped.any() else mask


def soft_ink(mask: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Ink values in [0, 1] on ``mask`` (and a one-pixel rim, for anti-aliasing), scaled so a
    typical stroke's core is 1.0, as on the pad."""
    if not mask.any():
        return np.zeros(mask.shape, np.float32)
    strength = max(float(np.percentile(contrast[mask], 75)), MIN_CONTRAST)
    rim = ndimage.binary_dilation(mask) & ~mask
    ink = np.where(mask, np.clip(contrast / strength, 0.5, 1.0), 0.0)
    ink = np.where(rim, np.clip(contrast / strength, 0.0, 0.5), ink)
    return ink.astype(np.float32)


def original_rgb(page: Page) -> Image.Image:
    """The page's original image as an RGB PIL image, at full resolution (to draw boxes on)."""
    original = page.original
    if isinstance(original, np.ndarray):
        array = _as_uint8(original)
        original = Image.fromarray(array.reshape(array.shape[:2]) if array.ndim == 2
                                   or array.shape[2] == 1 else array[..., :3])
    return original.convert("RGB")


def check_marks(count: int) -> None:
    """Refuse a page with more marks than a few handwritten digits (printed text, a scene)."""
    if count > TOO_MANY:
        raise PhotoError(
            f"found {count} separate marks: this looks like printed text or a busy picture, not "
            "a few handwritten digits; crop the photo to the digits"
        )


# --- pictures of each step, for the notebook ------------------------------------------------

STAGE_TITLES = {
    "photo": "1. the photo (darkest channel)", "background": "2. the paper's brightness",
    "flattened": "3. divided by it: flat paper", "threshold": "4. adaptive threshold",
    "lines": "5. printed lines found", "ink": "6. ink, lines removed",
}


def plot_stages(page: Page, names=None, columns: int = 3):
    """A matplotlib figure with a picture of each step of ``read_page(..., keep_stages=True)``
    (dark = ink or shadow, as on paper)."""
    import matplotlib.pyplot as plt

    if not page.stages:
        raise ValueError("the page keeps no stages: read it with read_page(image, "
                         "photo=True, keep_stages=True)")
    names = list(names or STAGE_TITLES)
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, name in zip(axes.flat, names, strict=False):  # more axes than names at most
        picture = page.stages[name]
        if name in ("threshold", "lines", "ink"):  # ink is 1: show it dark on white
            picture = 1.0 - picture.astype(np.float32)
        axis.imshow(picture, cmap="gray", vmin=0, vmax=1)
        axis.set_title(STAGE_TITLES.get(name, name), fontsize=10)
    figure.tight_layout()
    return figure


def plot_pictures(pictures: dict, columns: int | None = None, size: float = 4.0):
    """A matplotlib figure showing ``{title: image}`` side by side (PIL images, or arrays in
    [0, 1] shown grey with 0 black; ink arrays from ``to_ink`` are shown dark on white when
    their title says "ink")."""
    import matplotlib.pyplot as plt

    columns = columns or len(pictures)
    rows = -(-len(pictures) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, 0.8 * size * rows),
                                squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, (title, picture) in zip(axes.flat, pictures.items(), strict=False):
        if isinstance(picture, np.ndarray):
            shown = 1.0 - picture if "ink" in title else picture
            axis.imshow(shown, cmap="gray", vmin=0, vmax=1)
        elif picture.mode in ("1", "L"):  # grey: shown in grey, not a colour map
            axis.imshow(np.asarray(picture.convert("L")), cmap="gray", vmin=0, vmax=255)
        else:
            axis.imshow(picture)
        axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def _as_uint8(array: np.ndarray) -> np.ndarray:
    """An accepted image array (uint8, bool, or floats in [0, 1]) as uint8 0-255."""
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        return np.round(array * 255).astype(np.uint8)
    return array
