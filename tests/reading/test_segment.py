"""digitlib.reading.segment: digits found on a canvas, strokes kept together, in reading order."""

import numpy as np
import pytest
from PIL import Image

from digitlib.datasets.synthetic import arc, draw_digits, row_of_places
from digitlib.reading import images, segment
from digitlib.reading.strokes import Drawing
from tests.helpers import expected_boxes, ink_box, mnist_canvas


def find(image):
    return segment.find_digits(images.to_ink(image))


# --- tests -----------------------------------------------------------------------------------


def test_blank_and_near_blank():
    assert find(Image.new("L", (280, 280), 255)) == []
    assert segment.whole_drawing(np.zeros((50, 50), np.float32)) is None
    specks = np.zeros((280, 280), np.float32)
    specks[10, 10] = specks[100, 200] = 1.0  # single stray pixels
    assert segment.find_digits(specks) == []
    faint = np.full((280, 280), 0.1, np.float32)  # a grey smudge fainter than ink
    assert segment.find_digits(faint) == []


def test_one_digit_box_is_tight():
    image = draw_digits([3], [(90, 40, 100, 200)])
    [found] = find(image)
    assert found.box == ink_box(image)
    assert found.ink.dtype == np.float32 and found.ink.max() == pytest.approx(1.0)


@pytest.mark.parametrize("digit", [4, 5, 7, 1])
def test_digits_drawn_in_two_strokes_stay_one_digit(digit):
    places = [(100, 40, 80, 200)]
    image = draw_digits([digit], places)
    found = find(image)
    assert len(found) == 1, f"the two strokes of a {digit} were split"
    assert found[0].box == ink_box(image)


def test_two_stroke_digits_among_others():
    digits = [1, 4, 5, 7, 1, 2]
    places = row_of_places(len(digits), gap=14)
    size = (520, 140)
    found = find(draw_digits(digits, places, size))
    assert [f.box for f in found] == expected_boxes(digits, places, size)


@pytest.mark.parametrize("gap", [1, 2, 4])
def test_nearly_touching_digits_are_separated(gap):
    # 46-px cells ``gap`` px apart, drawn with a 10 px brush: the ink of neighbours comes
    # within 1-5 px (the 4's bar and the 7's top even overlap in x). Digits whose ink really
    # touches are one blob, and are not split.
    digits = [1, 4, 7, 5, 2, 0, 3, 8]
    places = row_of_places(len(digits), width=46, gap=gap, left=10)
    size = (10 + len(digits) * (46 + gap) + 10, 140)
    found = find(draw_digits(digits, places, size, brush=10))
    assert len(found) == len(digits)
    for got, want in zip(found, expected_boxes(digits, places, size, brush=10), strict=True):
        assert segment.iou(got.box, want) > 0.9


def test_a_digit_keeps_only_its_own_ink():
    digits, places, size = [4, 7], row_of_places(2, width=50, gap=0), (160, 140)
    four, seven = find(draw_digits(digits, places, size, brush=10))
    alone = images.to_ink(draw_digits([4], places[:1], size, brush=10))
    margin = (four.ink.shape[0] - (four.box[3] - four.box[1])) // 2  # for anti-aliasing
    left, top = four.box[0] - margin, four.box[1] - margin
    expected = alone[top : top + four.ink.shape[0], left : left + four.ink.shape[1]]
    assert np.abs(four.ink - expected).max() < 1e-6, "the 7's ink leaked into the 4"


def test_specks_are_dropped():
    digits, places, size = [2, 8], row_of_places(2), (200, 140)
    image = np.asarray(draw_digits(digits, places, size)).copy()
    for x, y in [(5, 5), (190, 130), (100, 70), (150, 3)]:
        image[y : y + 2, x : x + 2] = 0  # 2x2 specks of ink, one between the digits
    found = find(image)
    assert [f.box for f in found] == expected_boxes(digits, places, size)


def test_stray_marks_do_not_count():
    # A short stroke far from the digit: too big for a speck, too small for a digit.
    places, size = [(40, 40, 100, 200)], (280, 280)
    image = draw_digits([3], places, size)
    digit_box = ink_box(image)
    pad = np.asarray(image).copy()
    pad[240:256, 220:250] = 0
    assert segment.whole_drawing(images.to_ink(pad)).box == digit_box
    assert [f.box for f in find(pad)] == [digit_box]


def test_rows_in_reading_order():
    digits = [3, 1, 4, 1, 5, 9, 2, 6]
    places = [(20 + (k % 4) * 80, 20 + (k // 4) * 140 + 6 * (k % 4), 60, 100)
              for k in range(8)]  # two rows, each sloping down a little
    size = (360, 300)
    found = find(draw_digits(digits, places, size))
    assert [f.box for f in found] == expected_boxes(digits, places, size)


def test_boxes_are_in_input_pixels_for_any_shape_and_polarity():
    places = [(300, 25, 30, 50)]
    image = draw_digits([7], places, size=(400, 90), brush=6)
    inverted = 255 - np.asarray(image)  # white on black
    assert [f.box for f in find(inverted)] == [ink_box(image)]


def test_mnist_canvases():
    rng = np.random.default_rng(1)
    found_right, total, overlaps = 0, 0, []
    for _ in range(40):
        count = int(rng.integers(2, 9))
        canvas, _, boxes = mnist_canvas(rng, count, rows=1 if count < 5 else 2,
                                        scale=rng.uniform(1.0, 3.0), dark_ink=count % 2 == 0)
        found = find(canvas)
        total += 1
        if len(found) == len(boxes):
            found_right += 1
            overlaps += [segment.iou(f.box, b) for f, b in zip(found, boxes, strict=True)]
    assert found_right / total >= 0.95
    assert np.median(overlaps) == 1.0 and np.mean(np.array(overlaps) > 0.9) > 0.98


def test_noise_does_not_hang():
    rng = np.random.default_rng(0)
    noise = rng.random((400, 400)).astype(np.float32)
    found = segment.find_digits(noise)
    assert len(found) <= segment.MAX_BLOBS


def rings(count, bridge=True, size=(300, 140)):
    """``count`` drawn 0s side by side, joined by a short stroke when ``bridge``."""
    pad = Drawing(*size, brush=10.0)
    for k in range(count):
        pad.add_stroke(arc(40 + 90 * k, 70, 30, 45, 0, 360))
        if bridge and k:
            pad.add_stroke([(40 + 90 * k - 60, 70), (40 + 90 * k - 30, 70)])
    return pad.to_image()


def test_touching_digits_can_be_cut_apart():
    (whole,) = find(rings(2))  # one blob: the bridge joins the rings
    alone = find(rings(2, bridge=False))
    pairs = segment.split_touching(whole)
    assert pairs, "no cut offered through the bridge"
    assert any(segment.iou(left.box, alone[0].box) > 0.85
               and segment.iou(right.box, alone[1].box) > 0.85 for left, right in pairs)
    for left, right in pairs:
        assert left.box[2] <= right.box[0]  # the cut leaves a left and a right piece
        assert whole.box[0] == left.box[0] and right.box[2] == whole.box[2]


def test_single_digits_offer_no_cut():
    drawn = {digit: find(draw_digits([digit], [(20, 20, 100, 100)], (140, 140)))[0]
             for digit in (0, 1, 8)}
    assert segment.split_touching(drawn[1]) == []  # narrow
    assert segment.split_touching(drawn[0]) == []  # wide, but crossed twice everywhere
    assert segment.split_touching(drawn[8]) == []


def grid_of_marks(rows, columns, size=(15, 4), pitch=(27, 32)):
    """Dark marks on white paper, ``rows`` x ``columns`` of them: more than a page of digits."""
    page = np.full((rows * pitch[0] + 20, columns * pitch[1] + 20), 255, np.uint8)
    for row in range(rows):
        for column in range(columns):
            top, left = 10 + pitch[0] * row, 10 + pitch[1] * column
            page[top : top + size[0], left : left + size[1]] = 0
    return page


def test_a_limit_that_leaves_ink_out_says_so():
    found = find(grid_of_marks(25, 30))
    assert len(found) == segment.MAX_BLOBS
    [warning] = found.warnings
    assert "750 pieces of ink" in warning and "only the 500 largest" in warning
    tops = sorted({digit.box[1] for digit in found})
    assert tops[0] == 10 and len(tops) == 17, "marks of one size: the first rows are kept"
    assert find(grid_of_marks(5, 6)).warnings == []  # under the limit: nothing to say
    assert find(np.zeros((30, 30), np.uint8)).warnings == []  # blank: nothing to say


def test_specks_around_a_digit_are_measured():
    rng = np.random.default_rng(0)
    canvas, _, _ = mnist_canvas(rng, 4, scale=3.0)
    clean = find(canvas)
    assert clean and max(digit.clutter for digit in clean) < 0.01
    noise = rng.integers(0, 256, (600, 800, 3), dtype=np.uint8)  # a photo of nothing
    speckled = find(noise)
    assert speckled and min(digit.clutter for digit in speckled) > 0.05


def test_iou_measures_how_much_two_boxes_overlap():
    assert segment.iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert segment.iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert segment.iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert segment.iou((3, 3, 3, 3), (3, 3, 3, 3)) == 0.0  # two empty boxes share nothing
    with pytest.raises(ValueError, match="left <= right"):
        segment.iou((10, 0, 0, 10), (0, 0, 10, 10))
    with pytest.raises(TypeError, match="four numbers"):
        segment.iou((0, 0, 10), (0, 0, 10, 10))
