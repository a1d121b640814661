"""digitlib.datasets.synthetic: digits drawn in code, the plain hand and the synthetic writer."""

import numpy as np
import pytest

from digitlib.datasets import synthetic
from digitlib.reading import images, preprocess, segment
from tests.helpers import ink_box, iou


def test_draw_digits_puts_each_digit_in_its_place():
    digits, places, size = [0, 4, 7], synthetic.row_of_places(3), (260, 140)
    picture = synthetic.draw_digits(digits, places, size)
    assert picture.mode == "L" and picture.size == size
    assert set(np.unique(np.asarray(picture))) >= {0, 255}  # black ink on white
    found = segment.find_digits(images.to_ink(picture))
    assert len(found) == 3
    for digit, place, piece in zip(digits, places, found, strict=True):
        left, top, width, height = place
        alone = ink_box(synthetic.draw_digits([digit], [place], size))
        assert piece.box == alone
        # The ink fills the place, give or take half a brush.
        assert iou(alone, (left, top, left + width, top + height)) > 0.6


def test_every_plain_digit_has_strokes_and_two_stroke_digits_stay_one():
    assert sorted(synthetic.DIGIT_STROKES) == list(range(10))
    for digit in (1, 4, 5, 7):
        assert len(synthetic.DIGIT_STROKES[digit]) == 2
        picture = synthetic.draw_digits([digit], [(40, 20, 80, 200)], (160, 240))
        assert len(segment.find_digits(images.to_ink(picture))) == 1


def test_row_of_places():
    assert synthetic.row_of_places(3, width=10, height=20, gap=5, top=2, left=1) == [
        (1, 2, 10, 20), (16, 2, 10, 20), (31, 2, 10, 20)]
    assert synthetic.row_of_places(0) == []


def test_draw_digits_refuses_bad_input():
    with pytest.raises(ValueError, match="2 digits but 1 places"):
        synthetic.draw_digits([1, 2], [(0, 0, 10, 10)])
    with pytest.raises(ValueError, match="0-9"):
        synthetic.draw_digits([12], [(0, 0, 10, 10)])
    with pytest.raises(ValueError, match="pad size"):
        synthetic.draw_digits([1], [(0, 0, 10, 10)], size=(0, 10))


def test_the_writer_is_repeatable_and_writes_what_it_is_asked():
    first = synthetic.write(digits=(7, 1), per_digit=3, seed=4)
    again = synthetic.write(digits=(7, 1), per_digit=3, seed=4)
    other = synthetic.write(digits=(7, 1), per_digit=3, seed=5)
    written, labels, crops = first
    assert written.shape == (6, 28, 28) and written.dtype == np.float32
    assert labels.dtype == np.int64 and labels.tolist() == [7, 7, 7, 1, 1, 1]
    assert len(crops) == 6 and all(crop.dtype == np.uint8 and crop.ndim == 2 for crop in crops)
    np.testing.assert_array_equal(written, again[0])
    assert not np.array_equal(written, other[0])
    assert len({image.tobytes() for image in written}) == 6  # every example differs (jitter)


def test_writer_examples_are_made_as_the_front_ends_make_them():
    image28, crop = synthetic.example(9, np.random.default_rng(3))
    picture = synthetic.draw(9, np.random.default_rng(3))
    assert picture.size == (synthetic.PAD, synthetic.PAD) and picture.mode == "L"
    found = segment.whole_drawing(images.to_ink(picture))
    np.testing.assert_array_equal(image28, preprocess.to_mnist(found.ink))
    assert crop.shape == found.ink.shape and crop.max() == 255
    assert 0.0 <= image28.min() and image28.max() <= 1.0 and image28.sum() > 20  # real ink


def test_the_writers_hand_is_unlike_the_plain_hand():
    """The writer's 1 has a long flag: far wider than the plain 1, relative to its height."""
    ones = synthetic.write(digits=(1,), per_digit=5, seed=0)[2]
    plain = segment.whole_drawing(images.to_ink(
        synthetic.draw_digits([1], [(100, 40, 60, 200)]))).ink
    aspect = [crop.shape[1] / crop.shape[0] for crop in ones]
    assert min(aspect) > 1.5 * plain.shape[1] / plain.shape[0]


@pytest.mark.parametrize("digits, per_digit, error, words", [
    ((3,), 1, ValueError, "only writes"),
    ((1, 10), 1, ValueError, "only writes"),
    (("7",), 1, TypeError, "integer"),
    ((1,), 0, ValueError, "per_digit"),
    ((1,), 2.5, ValueError, "per_digit"),
    ((), 1, ValueError, "at least one digit"),
])
def test_the_writer_refuses_bad_requests(digits, per_digit, error, words):
    with pytest.raises(error, match=words):
        synthetic.write(digits=digits, per_digit=per_digit)


def test_mnist_string_places_digits_with_the_gaps_asked():
    x = np.zeros((3, 28, 28), np.uint8)
    x[:, 4:24, 10:18] = 255  # three 8 px wide, 20 px tall bars
    y = np.array([1, 2, 3])
    rng = np.random.default_rng(0)
    canvas, labels, boxes = synthetic.mnist_string(x, y, rng, 3, gaps=(-2, -2), scale=2.0,
                                                   jitter=0)
    assert canvas.dtype == np.uint8 and sorted(labels) == [1, 2, 3]
    assert [box[2] - box[0] for box in boxes] == [16, 16, 16]
    assert [b[0] - a[2] for a, b in zip(boxes, boxes[1:], strict=False)] == [-4, -4]
    assert len(segment.find_digits(images.to_ink(canvas))) == 1  # they overlap: one piece
    apart, _, _ = synthetic.mnist_string(x, y, rng, 3, gaps=(3, 3), scale=2.0)
    assert len(segment.find_digits(images.to_ink(apart))) == 3
    bold, _, bold_boxes = synthetic.mnist_string(x, y, rng, 1, scale=2.0, pen=2)
    assert bold_boxes[0][2] - bold_boxes[0][0] == 16 + 2 * 2


def test_mnist_string_refuses_bad_requests():
    x, y = np.zeros((3, 28, 28), np.uint8), np.arange(3)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="count"):
        synthetic.mnist_string(x, y, rng, 0)
    with pytest.raises(ValueError, match="uint8"):
        synthetic.mnist_string(x.astype(float), y, rng, 2)
    with pytest.raises(ValueError, match="scale"):
        synthetic.mnist_string(x, y, rng, 2, scale=0)


def bars(count=10):
    """``count`` MNIST-like images: 8 px wide, 20 px tall bars, labelled 0 .. count - 1."""
    x = np.zeros((count, 28, 28), np.uint8)
    x[:, 4:24, 10:18] = 255
    return x, np.arange(count)


def test_numbers_writes_many_numbers_the_same_for_a_seed():
    x, y = bars()
    written = list(synthetic.numbers(x, y, 12, digits=(2, 4), seed=3))
    assert len(written) == 12 and {len(labels) for _, labels, _ in written} == {2, 3, 4}
    for canvas, labels, boxes in written:
        assert canvas.dtype == np.uint8 and len(boxes) == len(labels)
    again = list(synthetic.numbers(x, y, 12, digits=(2, 4), seed=3))
    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(written, again,
                                                                          strict=True))
    # a fixed count, scale and pen: the numbers that mnist_string writes with the same generator
    canvas, labels, boxes = next(synthetic.numbers(x, y, 1, digits=3, scales=2.0, pens=0,
                                                   seed=7))
    expected = synthetic.mnist_string(x, y, np.random.default_rng(7), 3, scale=2.0)
    assert np.array_equal(canvas, expected[0]) and (labels, boxes) == expected[1:]
    # without end, or none at all
    endless = synthetic.numbers(x, y, digits=2, seed=0)
    assert len([next(endless) for _ in range(30)]) == 30
    assert list(synthetic.numbers(x, y, 0)) == []


def test_numbers_takes_pens_in_turn_or_at_random():
    x, y = bars()

    def widths(**options):  # a bar 8 px wide at scale 1 grows by 2 px per pen pixel
        return [boxes[0][2] - boxes[0][0] - 8 for _, _, boxes in synthetic.numbers(
            x, y, 8, digits=1, scales=1.0, seed=0, **options)]

    assert widths(pens=(0, 1, 2), pens_in_turn=True) == [0, 2, 4, 0, 2, 4, 0, 2]
    assert set(widths(pens=(0, 2))) == {0, 4}
    assert widths(pens=1) == [2] * 8


@pytest.mark.parametrize(
    "options, words",
    [
        ({"count": -1}, "count must be a whole number"),
        ({"count": 2.5}, "count must be a whole number"),
        ({"digits": 0}, "digits must lie between 1 and the 10 images"),
        ({"digits": (2, 11)}, "digits must lie between 1 and the 10 images"),
        ({"digits": (4, 2)}, "digits must be a whole number or a range"),
        ({"digits": 2.5}, "digits must be a whole number or a range"),
        ({"scales": (0.0, 2.0)}, "scales must be positive"),
        ({"scales": "big"}, "scales must be a number or a range"),
        ({"pens": (1.5,)}, "pens must be a whole pen width"),
        ({"pens": ()}, "pens must be a whole pen width"),
    ],
)
def test_numbers_refuses_bad_requests_at_once(options, words):
    x, y = bars()
    with pytest.raises(ValueError, match=words):
        synthetic.numbers(x, y, **{"count": 1, **options})  # before the first number is asked
    with pytest.raises(ValueError, match="uint8"):
        synthetic.numbers(x.astype(float), y, 1)
