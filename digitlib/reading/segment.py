"""Find the digits on a canvas and give each one's ink, in reading order.

1. Binarise the ink and label its connected blobs (8-connected).
2. Drop specks: blobs far smaller than the largest one.
3. Group the strokes of one digit: blobs stacked in the same column of one digit's height (a 5's
   bar over its body, a 4 or a 7 drawn in two strokes) merge, and a small piece joins the nearest
   bigger blob when it is close (the flag of a 1, a 5's bar drawn apart); a lone small piece
   far from everything is dropped. Side-by-side digits never share a column, so they stay apart
   even when they nearly touch.
4. Sort into rows (top to bottom), then left to right.

Digits whose ink touches make one blob. ``split_touching`` offers the ways to cut such a blob in
two; the predictor keeps a cut only when both halves read as digits more surely than the whole.

Boxes are ``(left, top, right, bottom)`` in the input's pixels, with ``right`` and ``bottom``
exclusive as in ``PIL.Image.crop``, and tight around the ink.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from digitlib.reading.preprocess import stroke_width

INK_LEVEL = 0.25  # a pixel is ink when its ink value is above this
SPECK_FRACTION = 0.05  # blobs under 5 % of the largest blob's area are specks
MIN_AREA_FRACTION = 1e-5  # ... and so is anything under this share of the image (at least 3 px)
COLUMN_OVERLAP = 0.5  # same column: at least half the narrower box lies over the other
MERGED_HEIGHT = 1.5  # a merged digit is at most this times a typical digit's height
SMALL_PIECE = 0.5  # a piece shorter than this share of a typical digit's height joins the
NEARBY = 0.25  # nearest digit when the gap between them is at most this share of that height
STRAY = 0.25  # a lone piece smaller than this share of a typical digit's height is dropped
# The specks' ink over the ink kept counts as clutter at this rate: a picture with half as much
# ink in specks as in its marks is as cluttered as a box covered one twentieth by specks
# (``predict.SPECKLED``).
SPECKS_TO_CLUTTER = 0.1
MAX_BLOBS = 500  # beyond this only the largest blobs are kept, and find_digits says so
# Touching digits: ink at least SPLIT_ASPECT times as wide as tall may be two digits. A cut is a
# column in the middle 60 % crossed by one stroke at most CUT_STROKES stroke widths long and at
# most CUT_HEIGHT of the height of the whole and of each piece. Each piece must be at least
# PIECE_HEIGHT as tall as the whole: digits written side by side are about the same height, while
# a 5's stem or a 1's flag is not. The CUTS_TRIED thinnest cuts are offered.
SPLIT_ASPECT = 0.9
CUT_STROKES = 2.5
CUT_HEIGHT = 0.5
PIECE_HEIGHT = 0.6
CUTS_TRIED = 3


@dataclass(eq=False)
class Segment:
    """One digit found on a canvas."""

    box: tuple[int, int, int, int]  # left, top, right, bottom (exclusive), in input pixels
    ink: np.ndarray  # the digit's ink alone (others' ink removed), ``box`` plus a small margin
    origin: tuple[int, int] = (0, 0)  # where ``ink`` starts in the input: left, top
    clutter: float = 0.0  # share of the box covered by specks: ink too small to be a digit's
    scattered: int = 1  # separate marks ``whole_drawing`` joined into this one digit


class Found(list):
    """A list of results that also carries ``warnings``: what was left out, and why.

    It is a plain list for every caller that does not look at the warnings.
    """

    def __init__(self, items=(), warnings=()):
        super().__init__(items)
        self.warnings = list(warnings)


def find_digits(ink: np.ndarray) -> Found:
    """The digits on ``ink`` (float (H, W) in [0, 1], 1 = ink) in reading order; [] if blank.

    The result is a list of ``Segment``; its ``warnings`` say when pieces of ink were left
    out (more than ``MAX_BLOBS``).
    """
    blobs = _blobs(ink)
    if blobs is None:
        return Found()
    labels, offset, boxes, ids, stroke, found, specks = blobs
    warnings = []
    if found > len(ids):
        warnings.append(f"{found:,} pieces of ink found: only the {len(ids)} largest were "
                        f"read (the limit is {MAX_BLOBS}); the others were left out")
    digits = [_cut_out(ink, box, (labels, offset, members), stroke, ids)
              for box, members in _reading_order(_digits(boxes, ids))]
    for digit in digits:  # salt-and-pepper noise is mostly specks; a drawing hardly has any
        digit.clutter = max(digit.clutter, specks * SPECKS_TO_CLUTTER)
    return Found(digits, warnings)


def whole_drawing(ink: np.ndarray) -> Segment | None:
    """All the ink but specks and stray marks, as one digit; None when nothing is drawn."""
    blobs = _blobs(ink)
    if blobs is None:
        return None
    labels, offset, boxes, ids, stroke, _, specks = blobs
    digits = _digits(boxes, ids)
    box = _union(np.array([box for box, _ in digits]))
    members = np.concatenate([members for _, members in digits])
    whole = _cut_out(ink, box, (labels, offset, members), stroke, ids)
    whole.scattered = len(digits)
    whole.clutter = max(whole.clutter, specks * SPECKS_TO_CLUTTER)
    return whole


def iou(first, second) -> float:
    """Intersection over union of two boxes (left, top, right, bottom): 1 for the same box, 0
    for boxes that do not overlap. How well a box found matches the box expected."""
    for box in (first, second):
        try:
            left, top, right, bottom = (float(value) for value in box)
        except (TypeError, ValueError):
            raise TypeError(f"a box is four numbers (left, top, right, bottom), got {box!r}"
                            ) from None
        if not (left <= right and top <= bottom):
            raise ValueError(f"a box needs left <= right and top <= bottom, got {box!r}")
    overlap = (max(0, min(first[2], second[2]) - max(first[0], second[0]))
               * max(0, min(first[3], second[3]) - max(first[1], second[1])))
    union = ((first[2] - first[0]) * (first[3] - first[1])
             + (second[2] - second[0]) * (second[3] - second[1]) - overlap)
    return float(overlap / union) if union > 0 else 0.0


def _digits(boxes: np.ndarray, ids: np.ndarray) -> list:
    """``(box, label ids)`` of each digit: strokes grouped, stray marks dropped."""
    if len(boxes) == 1:
        return [(_union(boxes), ids)]
    groups, typical = _group_strokes(boxes)
    merged = _unions(boxes, groups)
    # A lone piece much smaller than the digits around it is a stray mark.
    keep = np.maximum(merged[:, 2] - merged[:, 0], merged[:, 3] - merged[:, 1]) >= STRAY * typical
    return [(tuple(int(v) for v in box), ids[members])
            for box, members, kept in zip(merged, groups, keep, strict=True) if kept]


def _blobs(ink):
    """Label the ink and drop specks.

    Returns ``(labels, offset, boxes, ids, stroke, found, specks)``: ``labels`` covers the ink's
    bounding box, which starts at ``offset`` (top, left) of the input; ``boxes`` (N, 4) are in
    input pixels and ``ids`` (N,) are the labels of the blobs kept; ``stroke`` is the typical
    stroke width; ``found`` counts the blobs big enough to keep, before the ``MAX_BLOBS`` limit;
    ``specks`` is the ink of the specks dropped over the ink of the blobs kept.
    """
    mask = ink > INK_LEVEL
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    top, left = rows[0], columns[0]
    mask = mask[top : rows[-1] + 1, left : columns[-1] + 1]  # label only the inked part
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 1:  # one blob: nothing to sort out
        area = np.count_nonzero(mask)
        if area < max(3.0, MIN_AREA_FRACTION * ink.size):
            return None
        box = (left, top, left + mask.shape[1], top + mask.shape[0])
        return labels, (top, left), np.array([box]), np.array([1]), stroke_width(mask), 1, 0.0
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    smallest = max(3.0, MIN_AREA_FRACTION * ink.size, SPECK_FRACTION * areas.max())
    ids = np.flatnonzero(areas >= smallest) + 1
    if len(ids) == 0:
        return None
    found = len(ids)
    if found > MAX_BLOBS:
        # The largest; among equal ones the first on the page (labels run top to bottom).
        ids = np.sort(ids[np.argsort(-areas[ids - 1], kind="stable")[:MAX_BLOBS]])
    slices = ndimage.find_objects(labels)
    boxes = np.array([(s[1].start + left, s[0].start + top, s[1].stop + left, s[0].stop + top)
                      for s in (slices[i - 1] for i in ids)])
    kept = float(areas[ids - 1].sum())
    return labels, (top, left), boxes, ids, stroke_width(mask), found, (areas.sum() - kept) / kept


def _group_strokes(boxes: np.ndarray) -> tuple[list[list[int]], float]:
    """Indices of the boxes that make one digit, group by group, and a typical digit height."""
    heights = boxes[:, 3] - boxes[:, 1]
    typical = float(np.median(heights[heights >= 0.5 * heights.max()]))
    groups, merged = [[index] for index in range(len(boxes))], boxes
    while True:  # merge linked groups until no links are left
        links = _links(merged, typical)
        if not links.any():
            return groups, typical
        groups = _join(groups, links)
        merged = _unions(boxes, groups)


def _links(boxes: np.ndarray, typical: float) -> np.ndarray:
    """Which boxes belong to one digit: ``links[i, j]`` is True to merge box i with box j.

    Two boxes stacked in one column (at least half the narrower one over the other) that
    together are no taller than one digit merge. So does a short piece (the flag of a 1, the
    bar of a 5) with the nearest taller box close to it.
    """
    left, top, right, bottom = boxes.T
    width, height = right - left, bottom - top
    overlap_x = np.minimum.outer(right, right) - np.maximum.outer(left, left)
    overlap_y = np.minimum.outer(bottom, bottom) - np.maximum.outer(top, top)
    union_height = np.maximum.outer(bottom, bottom) - np.minimum.outer(top, top)
    one_digit_tall = union_height <= MERGED_HEIGHT * np.maximum.outer(
        np.maximum(height, typical), height)
    links = (overlap_x >= COLUMN_OVERLAP * np.minimum.outer(width, width)) & one_digit_tall

    distance = np.hypot(np.maximum(-overlap_x, 0), np.maximum(-overlap_y, 0))  # box to box
    candidates = (one_digit_tall & (distance <= NEARBY * typical)
                  & (height[:, np.newaxis] < np.minimum(height, SMALL_PIECE * typical)))
    pieces = np.flatnonzero(candidates.any(axis=1))
    nearest = np.argmin(np.where(candidates[pieces], distance[pieces], np.inf), axis=1)
    links[pieces, nearest] = True
    np.fill_diagonal(links, False)
    return links


def _join(groups: list[list[int]], links: np.ndarray) -> list[list[int]]:
    """Join linked groups (connected components of ``links``), with a small union-find."""
    root = list(range(len(groups)))

    def find(group):
        while root[group] != group:
            group = root[group]
        return group

    for first, second in zip(*np.nonzero(links), strict=True):
        root[find(first)] = find(second)
    joined = {}
    for group, members in enumerate(groups):
        joined.setdefault(find(group), []).extend(members)
    return list(joined.values())


def _unions(boxes: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """The box around each group of boxes, as an (N, 4) array."""
    ordered = boxes[np.concatenate(groups)]
    starts = np.cumsum([0] + [len(members) for members in groups[:-1]])
    low, high = np.minimum.reduceat(ordered, starts), np.maximum.reduceat(ordered, starts)
    return np.column_stack([low[:, :2], high[:, 2:]])


def _union(boxes: np.ndarray) -> tuple[int, int, int, int]:
    low, high = boxes.min(axis=0), boxes.max(axis=0)
    return int(low[0]), int(low[1]), int(high[2]), int(high[3])


def _reading_order(items):
    """Sort ``(box, payload)`` pairs into rows, top to bottom, each row left to right."""
    rows = []  # [top, bottom, items]
    for item in sorted(items, key=lambda item: item[0][1] - item[0][3]):  # tallest first
        left, top, right, bottom = item[0]
        centre = (top + bottom) / 2
        for row in rows:
            if row[0] <= centre <= row[1]:
                row[0], row[1] = min(row[0], top), max(row[1], bottom)
                row[2].append(item)
                break
        else:
            rows.append([top, bottom, [item]])
    rows.sort(key=lambda row: row[0])
    return [item for row in rows for item in sorted(row[2], key=lambda item: item[0][0])]


def _cut_out(ink, box, blobs, stroke, kept) -> Segment:
    """The ink inside ``box`` plus a margin for anti-aliasing, but only that of (and around)
    the blobs ``members`` of ``blobs = (labels, offset, members)``."""
    left, top, right, bottom = box
    margin = max(2, round(stroke / 4))
    outer_top, outer_left = max(top - margin, 0), max(left - margin, 0)
    digit = ink[outer_top : bottom + margin, outer_left : right + margin]
    labels, (label_top, label_left), members = blobs
    y, x = outer_top - label_top, outer_left - label_left  # labels start at the ink
    around = np.zeros(digit.shape, dtype=labels.dtype)
    inside = labels[max(y, 0) : y + digit.shape[0], max(x, 0) : x + digit.shape[1]]
    around[max(-y, 0) : max(-y, 0) + inside.shape[0],
           max(-x, 0) : max(-x, 0) + inside.shape[1]] = inside
    mine = around == members[0] if len(members) == 1 else np.isin(around, members)
    specks = 0
    if np.count_nonzero(around) > np.count_nonzero(mine):  # others' ink is in the way
        digit = np.where(_grow(mine, margin), digit, 0.0)
        specks = np.count_nonzero(around) - np.count_nonzero(np.isin(around, kept))
    return Segment(box=(left, top, right, bottom), ink=np.asarray(digit, dtype=np.float32),
                   origin=(outer_left, outer_top), clutter=specks / around.size)


def split_touching(found: Segment) -> list[tuple[Segment, Segment]]:
    """Ways to cut ``found`` into two touching digits, as (left, right) pairs; [] for none.

    Only wide ink is cut, at a column crossed by a single short stroke whose removal leaves
    two digit-sized pieces. Whether a cut is right is for the model to say (see
    ``digitlib.reading.predict``): most wide digits have no such column, and for those that do the
    halves rarely read as surely as the whole.
    """
    mask = found.ink > INK_LEVEL
    left, top, right, bottom = found.box
    if right - left < SPLIT_ASPECT * (bottom - top):
        return []
    stroke = stroke_width(mask)
    columns = np.arange(left + round(0.2 * (right - left)), left + round(0.8 * (right - left)))
    columns -= found.origin[0]
    crossings = np.count_nonzero(mask[1:, columns] & ~mask[:-1, columns], axis=0)
    crossings += mask[0, columns]
    ink = np.count_nonzero(mask[:, columns], axis=0)
    thin = (crossings == 1) & (ink <= CUT_STROKES * stroke) & (ink <= CUT_HEIGHT * (bottom - top))
    cuts = []
    for column in columns[thin][np.argsort(ink[thin], kind="stable")]:
        if all(abs(column - other) > stroke for other in cuts):  # distinct cuts only
            cuts.append(column)
    pairs = (_split_at(found, mask, column) for column in cuts[:CUTS_TRIED])
    return [pair for pair in pairs if pair is not None]


def _split_at(found: Segment, mask: np.ndarray, column: int):
    """The pieces left and right of ``column`` with its stroke cut out, or None when either is
    too small for a digit. No ink crosses an empty column, so the sides are the pieces."""
    cut_length = np.count_nonzero(mask[:, column])
    height = found.box[3] - found.box[1]
    x, y = found.origin
    pieces = []
    for side in (np.s_[:, :column], np.s_[:, column + 1 :]):
        piece = np.zeros_like(mask)
        piece[side] = mask[side]
        rows, columns = np.flatnonzero(piece.any(axis=1)), np.flatnonzero(piece.any(axis=0))
        if len(rows) < PIECE_HEIGHT * height or cut_length > CUT_HEIGHT * len(rows):
            return None
        top, left = max(rows[0] - 2, 0), max(columns[0] - 2, 0)  # a margin for anti-aliasing
        ink = np.where(_grow(piece, 2), found.ink, 0.0)[top : rows[-1] + 3, left : columns[-1] + 3]
        box = (x + columns[0], y + rows[0], x + columns[-1] + 1, y + rows[-1] + 1)
        pieces.append(Segment(box=tuple(int(v) for v in box), ink=ink.astype(np.float32),
                              origin=(int(x + left), int(y + top)), clutter=found.clutter))
    return tuple(pieces)


def _grow(mask: np.ndarray, steps: int) -> np.ndarray:
    """Dilate a binary mask by ``steps`` pixels (a square), with cheap array shifts."""
    for _ in range(steps):
        grown = mask.copy()
        grown[1:] |= mask[:-1]
        grown[:-1] |= mask[1:]
        mask = grown.copy()
        mask[:, 1:] |= grown[:, :-1]
        mask[:, :-1] |= grown[:, 1:]
    return mask
