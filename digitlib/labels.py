"""Where the label of each box goes: one rule for ``predict.annotate``, the notebook pad and the
Tk app, so that labels of neighbouring digits never cover each other."""


def place(box, size, image_size, placed) -> tuple[int, int, int, int]:
    """The spot for a label of ``size`` (width, height) on ``box`` (left, top, right, bottom).

    Above the box, else below it, else inside its top: the first of these that lies in the image
    (``image_size``: width, height) and stays clear of the labels already ``placed`` (when none
    does, the one that covers them least). Returns (left, top, right, bottom), right and bottom
    exclusive like the boxes.
    """
    width, height = size
    left = max(min(box[0], image_size[0] - width), 0)
    tops = [top for top in (box[1] - height, box[3], box[1])
            if 0 <= top and top + height <= image_size[1]] or [max(box[1], 0)]
    spots = [(left, top, left + width, top + height) for top in tops]
    covered = [sum(_overlap(spot, other) for other in placed) for spot in spots]
    return spots[covered.index(min(covered))]  # the first spot that covers least: 0 if clear


def _overlap(a, b) -> int:
    """The area two rectangles share."""
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
