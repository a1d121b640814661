"""What the front ends show, decided once: colours, label text, the results line, the 28x28
preview, the probability chart and where each box and label goes.

The notebook pad (``digitlib.pads.widget``), the Tk app (``digitlib.pads.tk_app``) and
``annotate`` (the CLI's ``--annotate``, the notebooks' boxed pictures) all draw with these, so a
box looks the same everywhere. Where a label goes among its neighbours is
``digitlib.pads.label_geometry.place`` (pure geometry, also used here).
"""

from __future__ import annotations

import functools
import html
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitlib.pads import label_geometry
from digitlib.reading import paper, segment

SURE_COLOUR = "#009600"  # green box and label: the model is confident
UNSURE_COLOUR = "#e67800"  # orange, dashed, with "?": the model is unsure
ERROR_COLOUR = "#b00020"
QUIET_COLOUR = "#555555"  # hints such as "nothing drawn yet", and the model's name
OTHER_BAR_COLOUR = "#9aa5b1"  # the chart's bars for the digits not chosen
INK_COLOUR, PAD_COLOUR, FRAME_COLOUR = "#000000", "#ffffff", "#b0b0b0"
LABEL_TEXT_COLOUR = "#ffffff"
WHY_ON_COLOUR = "#ffd8a8"  # a Why? button that is on: the light orange of the heat map's warm end
UNSURE_DASH = (7, 4)  # dash and gap of an unsure box, in pixels
BOX_WIDTH, SELECTED_BOX_WIDTH = 2, 4
PREVIEW_SCALE = 3  # the 28x28 image the model saw, shown 3x (84x84) with crisp pixels
LABEL_PIXELS = 16  # the labels' bold font on a drawing: readable beside digits a pen draws
SMALLEST_LABEL_PIXELS = 9  # on a photo of tiny digits: smaller is no longer readable
LABEL_SHARE = 0.3  # a label's font about a third of a typical digit's box height
LABEL_PADDING = 4  # pixels around a label's text inside its coloured tag
LABEL_WEB_FONT = "'DejaVu Sans', sans-serif"  # measured by ``text_size``, see there

# The words of the pads' controls, the same in both front ends: (caption, tooltip).
CONTROLS = {
    "recognize": ("Recognize", "Read the digits on the pad"),
    "undo": ("Undo", "Remove the last stroke"),
    "clear": ("Clear", "Start again"),
    "open": ("Open image…", "Read the digits in a picture: a drawing, a photo or a scan of paper"),
    "live": ("Live", "Recognize at the end of each stroke"),
    "brush": ("Brush", "The width of the pen, in pixels"),
    "why": ("Why?", "Show which pixels made the model read the selected digit as it did"),
    "label": ("Label:", "The true digit of the selected reading"),
    "save": ("Save", "Save the selected digit with this label to your own dataset"),
    "undo_save": ("Undo save", "Remove the last example saved"),
    "preview": ("#{number}: {label}", "Show this digit's probabilities"),
}
UPLOAD_CAPTION = "Upload image"  # the notebook pad's Open image…, a file upload widget
UPLOAD_HINT = "Canvas not working in your front end? Upload a picture of digits:"
PAGE_LINE = ("<b>digits</b> — draw one or more digits in the white box with your mouse or "
             "finger, then press <b>Recognize</b>.")
# The standalone page (``make web``): no notebook margins, the pad as wide as the screen allows,
# and no page scrolling while a finger draws on the canvas.
PAGE_STYLE = """<style>
body, .jp-Notebook, .jp-Cell, .jp-OutputArea-output { margin: 0 !important; padding: 0 !important; }
.digits-page { box-sizing: border-box; width: 100%; max-width: 980px; margin: 0 auto;
               padding: 8px; overflow-x: hidden; }
.digits-page .digits-line { font-size: 16px; margin: 0 0 6px 0; }
.digits-page canvas.digits-canvas { touch-action: none; }
</style>"""

# The colour of a message under the pad, by kind (None: the toolkit's normal text colour).
MESSAGE_COLOURS = {"info": None, "result": None, "warning": UNSURE_COLOUR, "empty": QUIET_COLOUR,
                   "error": ERROR_COLOUR}


def colour(detection) -> str:
    """The colour of a reading's box, label and chart bar."""
    return UNSURE_COLOUR if detection.unsure else SURE_COLOUR


def rgb(colour_hex: str) -> tuple[int, int, int]:
    """``"#009600"`` -> ``(0, 150, 0)``, for Pillow."""
    return tuple(int(colour_hex[i:i + 2], 16) for i in (1, 3, 5))


def percent(probability: float) -> str:
    """``0.981`` -> ``"98%"``."""
    return f"{round(100 * float(probability))}%"


def label_text(detection) -> str:
    """The label on a box and under a preview: ``"7 98%"``, or ``"7? 61%"`` when unsure."""
    return f"{detection.digit}{'?' if detection.unsure else ''} {percent(detection.confidence)}"


def results_line(detections) -> str:
    """The results line, e.g. ``"Read: 4 2 7  (98%, 95%, 61% unsure)"``."""
    digits = " ".join(str(detection.digit) for detection in detections)
    confidences = ", ".join(percent(detection.confidence) + (" unsure" if detection.unsure else "")
                            for detection in detections)
    return f"Read: {digits}  ({confidences})"


def preview_image(image28, scale: int = PREVIEW_SCALE) -> Image.Image:
    """The 28x28 image the model saw (white ink on black, 0-1 or 0-255), scaled up with
    crisp pixels."""
    pixels = np.asarray(image28, dtype=np.float32).squeeze()
    if pixels.shape != (28, 28):
        raise ValueError(f"expected a 28x28 image, got shape {pixels.shape}")
    if pixels.max(initial=0.0) > 1.5:  # 0-255 rather than 0-1
        pixels = pixels / 255.0
    grey = np.round(np.clip(pixels, 0.0, 1.0) * 255).astype(np.uint8)
    return Image.fromarray(grey, "L").resize((28 * scale, 28 * scale), Image.Resampling.NEAREST)


def preview_png(image28, scale: int = PREVIEW_SCALE) -> bytes:
    """``preview_image`` as PNG bytes (for an image widget)."""
    buffer = io.BytesIO()
    preview_image(image28, scale).save(buffer, "PNG")
    return buffer.getvalue()


PREVIEW_SCALES = (PREVIEW_SCALE, 2, 1)  # smaller previews when many readings share a row


def preview_scale(count: int, room: int, text_width: int, frame: int) -> int:
    """The largest of ``PREVIEW_SCALES`` at which ``count`` previews fit in ``room`` pixels,
    each as wide as its image or its text (``text_width``), plus ``frame``; the smallest when
    none does."""
    for scale in PREVIEW_SCALES:
        if count * (max(28 * scale, text_width) + frame) <= room:
            return scale
    return PREVIEW_SCALES[-1]


def photo_picture(picture) -> Image.Image:
    """A photo of paper as the pad shows it: as it is, in colour (RGB)."""
    return picture.convert("RGB")


def ink_picture(ink) -> Image.Image:
    """Ink (1 = ink) as the pad shows it: dark ink on white, greyscale."""
    return Image.fromarray(np.round(255 * (1 - np.asarray(ink, dtype=np.float32))).astype(np.uint8))


# ------------------------------------------------------------------------ boxes and labels

def fit(picture_size, pad_size) -> tuple[float, int, int]:
    """(scale, x offset, y offset) that shows a picture whole and centred on the pad."""
    (width, height), (pad_width, pad_height) = picture_size, pad_size
    scale = min(pad_width / width, pad_height / height)
    shown = (max(1, round(width * scale)), max(1, round(height * scale)))
    return scale, (pad_width - shown[0]) // 2, (pad_height - shown[1]) // 2


def placed(shown: Image.Image, size, placement) -> tuple[Image.Image, tuple[int, int]]:
    """A picture as the pad shows it (``shown``, of a picture of ``size``) scaled to its
    ``placement`` (see ``fit``): the image to draw and the corner to draw it at."""
    scale, dx, dy = placement
    scaled = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
    return shown.resize(scaled), (dx, dy)


@dataclass(frozen=True)
class Box:
    """One reading's box as a front end draws it, in pad pixels."""

    box: tuple[float, float, float, float]  # left, top, right, bottom
    label: str
    colour: str
    unsure: bool
    selected: bool

    @property
    def line_width(self) -> int:
        return SELECTED_BOX_WIDTH if self.selected else BOX_WIDTH

    @property
    def dash(self) -> tuple[int, ...]:
        return UNSURE_DASH if self.unsure else ()


def boxes(detections, selected=None, placement=(1.0, 0, 0)) -> list[Box]:
    """The boxes of ``detections`` on the pad; ``placement`` (scale, x, y) maps a picture's
    pixels to the pad's (see ``fit``)."""
    scale, dx, dy = placement
    return [Box((left * scale + dx, top * scale + dy, right * scale + dx, bottom * scale + dy),
                label_text(detection), colour(detection), bool(detection.unsure),
                number == selected)
            for number, detection in enumerate(detections)
            for left, top, right, bottom in [detection.box]]


def label_spots(drawn_boxes, sizes, image_size) -> list[tuple[int, int, int, int]]:
    """Where each box's label goes (left, top, right, bottom), given each label's ``sizes``
    (width, height) as the toolkit measures it: labels cover no digit's box (where there is
    room) and never each other."""
    corners = [tuple(round(value) for value in (box.box if isinstance(box, Box) else box))
               for box in drawn_boxes]
    placed = []
    for box, size in zip(corners, sizes, strict=True):
        placed.append(label_geometry.place(box, size, image_size, placed, corners))
    return placed


@dataclass(frozen=True)
class Label:
    """One box's label as a front end draws it: its text, font size and spot on the pad."""

    text: str  # "7 98%", or a numbered tag "#3" where the full text would cover a digit
    pixels: int  # the font's size in pixels (bold)
    spot: tuple[int, int, int, int]  # left, top, right, bottom


def label_pixels(drawn_boxes) -> int:
    """The labels' font size: ``LABEL_PIXELS`` on a drawing, smaller on a picture of small
    digits (about a third of a typical box's height), never below ``SMALLEST_LABEL_PIXELS``."""
    heights = sorted(box.box[3] - box.box[1] for box in drawn_boxes)
    if not heights:
        return LABEL_PIXELS
    typical = heights[len(heights) // 2]
    return int(min(LABEL_PIXELS, max(SMALLEST_LABEL_PIXELS, round(LABEL_SHARE * typical))))


def label_layout(drawn_boxes, measure, image_size) -> list[Label]:
    """Each box's label, measured by the toolkit (``measure(text, pixels)`` -> (width, height)
    of the text) and placed where it covers no digit's box and no other label. Where the full
    text ("7 98%") finds no such spot, the label is a numbered tag ("#3"); the results line and
    the previews give the full text."""
    pixels = label_pixels(drawn_boxes)
    corners = [tuple(round(value) for value in box.box) for box in drawn_boxes]
    placed, layout = [], []
    for number, (box, corner) in enumerate(zip(drawn_boxes, corners, strict=True)):
        for text in (box.label, f"#{number + 1}"):
            width, height = measure(text, pixels)
            size = (math.ceil(width) + 2 * LABEL_PADDING, math.ceil(height) + LABEL_PADDING)
            spot = label_geometry.place(corner, size, image_size, placed, corners)
            if label_geometry.covers(spot, [*placed, *corners]) == 0:
                break
        placed.append(spot)
        layout.append(Label(text, pixels, spot))
    return layout


@dataclass(frozen=True)
class Overlay:
    """Everything a front end draws over the pad, in pad pixels."""

    boxes: list[Box]
    labels: list[Label]  # one per box
    heat: tuple[tuple[int, int], Image.Image] | None  # Why?: the corner and the RGBA heat map


def overlay(detections, selected, placement, explanation, measure, pad_size) -> Overlay:
    """The boxes of ``detections`` (``boxes``), their labels measured by the toolkit
    (``label_layout``) and, when the ``selected`` reading has an ``explanation``, its heat map
    over its box (``why_box``)."""
    drawn = boxes(detections, selected, placement)
    heat = None
    if explanation is not None and selected is not None and selected < len(drawn):
        heat = why_box(explanation, drawn[selected].box)
    return Overlay(drawn, label_layout(drawn, measure, pad_size), heat)


def _label_font_file() -> str:
    """DejaVu Sans Bold, the first font the notebook pad asks the browser for (it comes with
    matplotlib, so it is here to measure with)."""
    import importlib.util
    from pathlib import Path

    matplotlib = importlib.util.find_spec("matplotlib")
    folder = Path(next(iter(matplotlib.submodule_search_locations)))
    return str(folder / "mpl-data" / "fonts" / "ttf" / "DejaVuSans-Bold.ttf")


@functools.lru_cache(maxsize=8)
def _label_font(pixels: int):
    from PIL import ImageFont

    return ImageFont.truetype(_label_font_file(), pixels)


def text_size(text: str, pixels: int) -> tuple[float, float]:
    """(width, height) of ``text`` in ``LABEL_WEB_FONT`` at ``pixels``: the notebook pad's
    measure. Fonts that a browser uses in its place (Arial, Helvetica) are narrower."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    font = _label_font(int(pixels))
    ascent, descent = font.getmetrics()
    return font.getlength(text), ascent + descent


# ----------------------------------------------------------------- a picture, annotated

ANNOTATE_LABEL_SHARE = 0.18  # a label's font about a fifth of a typical box's height ...
ANNOTATE_LABEL_WIDTH = 0.4  # ... and narrower than its digit: "7 98%" is about 3.5 fonts wide
ANNOTATE_FONT_RANGE = (10, 40)  # readable on a small drawing, not huge on a 12-MP photo
ANNOTATE_LINE_SHARE = 150  # box lines one pixel per 150 of the picture's shorter side


def annotate(image, detections, photo: bool | None = None) -> Image.Image:
    """The image (dark ink on white) with each reading's box and label drawn on it.

    Sure readings are green, unsure ones orange and marked "?", in the colours and label text
    the notebook pad and the Tk app show. Works with the ``Detection``s of
    ``Predictor.predict_digits`` and with a single ``Prediction`` of ``predict_digit`` (boxed
    around all the ink). Readings of a photo (``source == "photo"``, or ``photo=True``) are
    drawn on the original photo, at full resolution.
    """
    if hasattr(detections, "digit"):  # one Prediction
        detections = [detections]
    if not isinstance(detections, (list, tuple)) or not all(
            hasattr(reading, "digit") for reading in detections):
        raise TypeError("detections must be the readings of predict_digits (a list) or one "
                        f"reading of predict_digit, got {type(detections).__name__}")
    if photo is None and any(getattr(d, "source", None) == paper.PHOTO for d in detections):
        photo = True
    page = paper.read_page(image, photo)
    if page.source == paper.PHOTO or page.scale != 1.0:  # boxes are in the original's pixels
        picture = paper.original_rgb(page)
    else:
        picture = Image.fromarray(np.round(255 * (1 - page.ink)).astype(np.uint8)).convert("RGB")
    # The font is sized on the boxes, a single reading's being the whole picture ...
    boxes = [d.box if hasattr(d, "box") else (0, 0, *picture.size) for d in detections]
    heights, widths = [box[3] - box[1] for box in boxes], [box[2] - box[0] for box in boxes]
    font_size = (int(np.clip(min(ANNOTATE_LABEL_SHARE * np.median(heights),
                                 ANNOTATE_LABEL_WIDTH * np.median(widths)), *ANNOTATE_FONT_RANGE))
                 if boxes else ANNOTATE_FONT_RANGE[0])
    font = ImageFont.load_default(size=font_size)
    line = max(1, round(min(picture.size) / ANNOTATE_LINE_SHARE))
    # ... and the box drawn round a single reading is its ink's
    boxes = [d.box if hasattr(d, "box") else page.to_original(_ink_box(page.ink))
             for d in detections]
    draw = ImageDraw.Draw(picture)
    texts = [label_text(d) for d in detections]
    text_boxes = [draw.textbbox((0, 0), text, font=font) for text in texts]
    sizes = [(text_box[2] + 2 * line, text_box[3] - text_box[1] + 2 * line)
             for text_box in text_boxes]
    spots = label_spots(boxes, sizes, picture.size)
    for d, box, text, text_box, (left, top, right, bottom) in zip(
            detections, boxes, texts, text_boxes, spots, strict=True):
        fill = rgb(colour(d))
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), outline=fill, width=line)
        draw.rectangle((left, top, right - 1, bottom - 1), fill=fill)
        draw.text((left + line, top + line - text_box[1]), text, fill=rgb(LABEL_TEXT_COLOUR),
                  font=font)
    return picture


def _ink_box(ink) -> tuple[int, int, int, int]:
    """The box around all the ink (the whole picture when there is none)."""
    rows = np.flatnonzero((ink > segment.INK_LEVEL).any(axis=1))
    columns = np.flatnonzero((ink > segment.INK_LEVEL).any(axis=0))
    if len(rows) == 0:
        return (0, 0, ink.shape[1], ink.shape[0])
    return (int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1)


# ------------------------------------------------------------------ the probability chart

@dataclass(frozen=True)
class Chart:
    """The probabilities of one reading, ready to draw as a bar chart."""

    title: str  # "Digit #2: read as 7, 98%"
    unsure_reason: str  # "" when sure
    next_likeliest: str  # "1 (1%), 2 (0%)"
    bars: list[tuple[int, float, str]]  # (digit, probability, colour) for the digits 0-9


def chart(detection, number: int) -> Chart:
    """The chart of reading ``number`` (0-based) shown next to the previews."""
    probabilities = np.asarray(detection.probabilities, dtype=float).ravel()
    bars = [(digit, float(p), colour(detection) if digit == detection.digit else OTHER_BAR_COLOUR)
            for digit, p in enumerate(probabilities)]
    reason = (getattr(detection, "reason", "") or "unsure") if detection.unsure else ""
    others = ", ".join(f"{digit} ({percent(p)})" for digit, p in list(detection.top3)[1:])
    return Chart(f"Digit #{number + 1}: read as {detection.digit}, "
                 f"{percent(detection.confidence)}", reason, others, bars)


def chart_notes(described: Chart) -> str:
    """The lines under a chart's bars: why the reading is unsure, and the next likeliest."""
    notes = [f"unsure: {described.unsure_reason}"] if described.unsure_reason else []
    if described.next_likeliest:
        notes.append(f"next likeliest: {described.next_likeliest}")
    return "\n".join(notes)


CHART_BAR_PIXELS = 200  # the HTML chart's longest bar, for a probability of 1


def chart_html(described: Chart) -> str:
    """A ``Chart`` as a small HTML bar chart (the notebook pad's)."""
    rows = "".join(
        f'<tr><td style="padding:0 6px;font-weight:bold">{digit}</td>'
        f'<td style="width:{CHART_BAR_PIXELS + 4}px"><div style="background:{bar_colour};'
        f'height:11px;width:{max(1, round(CHART_BAR_PIXELS * probability))}px"></div></td>'
        f'<td style="padding:0 6px;text-align:right">{100 * probability:.1f}%</td></tr>'
        for digit, probability, bar_colour in described.bars)
    title = html.escape(described.title)
    if described.unsure_reason:
        title += f" — <b>unsure</b>: {html.escape(described.unsure_reason)}"
    if described.next_likeliest:
        title += f"<br>next likeliest: {html.escape(described.next_likeliest)}"
    return (f'<div style="font-size:13px;line-height:1.2"><div>{title}</div>'
            f'<table style="border-collapse:collapse">{rows}</table></div>')


def message_html(message) -> str:
    """A session's ``Message`` as the notebook pad shows it: in its kind's colour."""
    message_colour = MESSAGE_COLOURS.get(message.kind)
    style = f' style="color:{message_colour}"' if message_colour else ""
    return (f'<span class="digits-message digits-message-{message.kind}"{style}>'
            f"{html.escape(message.text)}</span>")


def model_html(text: str) -> str:
    """The line naming the model, as the notebook pad shows it: quiet."""
    return (f'<span title="the model reading your digits" style="color:{QUIET_COLOUR}">'
            f"{html.escape(text)}</span>")


def label_caption(detections, selected) -> str:
    """The caption of the label box: which reading Save labels, when there are several."""
    several = len(detections) > 1 and selected is not None
    return f"Label of #{selected + 1}:" if several else "Label:"


# ------------------------------------------------------------------------------ Why? On the 28x28
# preview (white ink on black) the heat map has ``digitlib.insight.explain``'s colours and opacity,
# as in the notebooks' figures. Over a digit's box on the pad it lies on black ink, where those
# colours at a low opacity come out dark brown and navy. There it is drawn in light warm and cool
# tints, never fainter than ``WHY_BOX_FAINTEST`` (any tint fainter than about half is brown or navy
# over black); ink whose evidence is weaker than ``WHY_BOX_WEAKEST`` of the strongest stays plain
# black. So over the ink the colours read as orange and blue, the stroke stays darker than the paper
# around it, and the colour also shows as a halo on the paper beside the stroke. The front ends draw
# the map only through these functions.

WHY_WARM = (255, 160, 60)  # over the box: pixels that pushed towards the answer (orange)
WHY_COOL = (120, 190, 255)  # pixels that pushed towards the runner-up (blue)
WHY_BOX_OPACITY = 0.75  # alpha of the strongest evidence over the box: a black stroke under it
#                         comes out at 75% of the tint, the paper at 25% white + 75% tint
WHY_BOX_FAINTEST = 0.55  # alpha of the weakest evidence shown
WHY_BOX_WEAKEST = 0.12  # evidence below this share of the strongest is not coloured
WHY_HALO = 1  # 28x28 pixels the colour spreads beyond the ink, onto the paper beside a stroke


def why_preview(explanation, scale: int = PREVIEW_SCALE) -> Image.Image:
    """The 28x28 preview (as ``preview_image``) with the heat map over it, RGBA."""
    base = preview_image(explanation.image28, scale).convert("RGBA")
    return Image.alpha_composite(base, explanation.overlay_image(base.width))


def why_preview_png(explanation, scale: int = PREVIEW_SCALE) -> bytes:
    """``why_preview`` as PNG bytes (for an image widget)."""
    buffer = io.BytesIO()
    why_preview(explanation, scale).save(buffer, "PNG")
    return buffer.getvalue()


def _grow(alpha: np.ndarray, steps: int) -> np.ndarray:
    """Each pixel takes the largest value within ``steps`` pixels (a 3x3 maximum, repeated)."""
    for _ in range(steps):
        padded = np.pad(alpha, 1)
        alpha = np.max([padded[1 + dy:padded.shape[0] - 1 + dy, 1 + dx:padded.shape[1] - 1 + dx]
                        for dy in (-1, 0, 1) for dx in (-1, 0, 1)], axis=0)
    return alpha


def why_box_rgba(evidence, opacity: float = WHY_BOX_OPACITY, halo: int = WHY_HALO) -> np.ndarray:
    """(H, W, 4) uint8 RGBA of a signed map (> 0: the answer, < 0: the runner-up) as the pad
    lays it over a digit's box: ``WHY_WARM`` / ``WHY_COOL`` where the value is at least
    ``WHY_BOX_WEAKEST`` of the largest, alpha growing with it from ``WHY_BOX_FAINTEST`` to
    ``opacity`` (the largest), each colour spread ``halo`` pixels around its ink."""
    evidence = np.asarray(evidence, dtype=np.float32)
    if evidence.ndim != 2 or not np.isfinite(evidence).all():
        raise ValueError(f"expected a finite 2-D map, got shape {evidence.shape}")
    if not 0 <= opacity <= 1:
        raise ValueError(f"opacity must be in [0, 1], got {opacity!r}")
    largest = float(np.abs(evidence).max(initial=0.0)) or 1.0

    def alpha(strength):
        shown = strength >= WHY_BOX_WEAKEST
        above = np.clip((strength - WHY_BOX_WEAKEST) / (1 - WHY_BOX_WEAKEST), 0, 1)
        faintest = min(WHY_BOX_FAINTEST, opacity)
        return _grow(np.where(shown, faintest + (opacity - faintest) * np.sqrt(above), 0), halo)

    warm, cool = alpha(evidence / largest), alpha(-evidence / largest)
    rgba = np.zeros((*evidence.shape, 4), np.uint8)
    rgba[..., :3] = np.where((warm >= cool)[..., np.newaxis], WHY_WARM, WHY_COOL)
    rgba[..., 3] = np.round(255 * np.maximum(warm, cool))
    return rgba


def why_box(explanation, box) -> tuple[tuple[int, int], Image.Image] | None:
    """The heat map to lay over a reading's box on the pad: ``((left, top), RGBA image)``, with
    ``box`` (left, top, right, bottom) in pad pixels, or None for a box too small. The part of
    the 28x28 map that holds ink is stretched to the box, with a margin of ``WHY_HALO`` map
    pixels all round for the halo (so the image starts a little above and left of the box)."""
    left, top, right, bottom = (round(value) for value in box)
    if right - left < 2 or bottom - top < 2:
        return None
    first_row, end_row, first_column, end_column = explanation.ink_bounds()
    scale_x = (right - left) / (end_column - first_column)
    scale_y = (bottom - top) / (end_row - first_row)
    margin_x, margin_y = round(WHY_HALO * scale_x), round(WHY_HALO * scale_y)
    heat = np.pad(why_box_rgba(explanation.evidence), ((WHY_HALO,) * 2, (WHY_HALO,) * 2, (0, 0)))
    crop = heat[first_row:end_row + 2 * WHY_HALO, first_column:end_column + 2 * WHY_HALO]
    size = (right - left + 2 * margin_x, bottom - top + 2 * margin_y)
    image = Image.fromarray(np.ascontiguousarray(crop), "RGBA").resize(
        size, Image.Resampling.BILINEAR)  # Pillow resizes RGBA premultiplied: no dark fringes
    return (left - margin_x, top - margin_y), image
