"""Where the label of each box goes: one rule for ``display.annotate``, the notebook pad and the
Tk app, so that labels never cover a digit's box nor each other."""


TIERS = 3  # rows of labels above and below a row of digits: neighbours' labels take turns


def place(box, size, image_size, placed, avoid=()) -> tuple[int, int, int, int]:
    """The spot for a label of ``size`` (width, height) on ``box`` (left, top, right, bottom).

    Above the box, else below it (a row further out when those are taken, up to ``TIERS``),
    else beside it (left, then right), else inside its top: the
    first of these that lies in the image (``image_size``: width, height) and covers none of the
    labels already ``placed`` and none of the boxes in ``avoid`` (the digits' boxes); when none
    is clear, the one that covers them least. Returns (left, top, right, bottom), right and
    bottom exclusive like the boxes.
    """
    width, height = size
    image_width, image_height = image_size
    left = max(min(box[0], image_width - width), 0)
    right_aligned = max(min(box[2] - width, image_width - width), 0)
    top = max(min(box[1], image_height - height), 0)
    corners = []
    for tier in range(TIERS):  # right above (below) the box first, then a row further out
        for x in (left, right_aligned):
            corners += [(x, box[1] - (tier + 1) * height), (x, box[3] + tier * height)]
    corners += [(box[0] - width, top), (box[2], top)]
    spots = [(x, y, x + width, y + height) for x, y in corners
             if 0 <= x and x + width <= image_width and 0 <= y and y + height <= image_height]
    spots.append((left, max(box[1], 0), left + width, max(box[1], 0) + height))  # inside
    others = [*placed, *avoid]
    covered = [covers(spot, others) for spot in spots]
    return spots[covered.index(min(covered))]  # the first spot that covers least: 0 if clear


def covers(spot, others) -> int:
    """The area of ``spot`` that lies over any of ``others`` (added up)."""
    return sum(_overlap(spot, other) for other in others)


def _overlap(a, b) -> int:
    """The area two rectangles share."""
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
