"""digitlib.datasets.transforms: each change does what it says (moves, turns, grows, slants,
thickens or thins a digit about the centre), and the slant sets are the same digits upright and
leaning."""

import numpy as np
import pytest
from scipy import ndimage

from digitlib.datasets import mnist, transforms

DIGITS = 40  # MNIST test digits changed in these tests


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, y_test) = mnist.load_mnist()
    return x_test[:DIGITS].astype(np.float32) / 255.0, y_test[:DIGITS]


def centre_of_mass(image):
    return np.array(ndimage.center_of_mass(image))


def test_no_change_is_no_change(test_digits):
    image = test_digits[0][0]
    np.testing.assert_array_equal(transforms.transform(image), image)


def test_shift_moves_the_ink_by_that_many_pixels(test_digits):
    image = test_digits[0][0]
    moved = transforms.shift(image, right=3, down=-2)
    np.testing.assert_allclose(centre_of_mass(moved) - centre_of_mass(image), (-2, 3), atol=0.1)
    assert moved.dtype == np.float32 and 0 <= moved.min() and moved.max() <= 1


def test_rotate_and_scale_turn_and_grow_about_the_centre():
    bar = np.zeros((28, 28), np.float32)
    bar[13:15, 6:22] = 1.0  # a horizontal bar through the centre
    upright = transforms.rotate(bar, 90)
    rows, columns = np.nonzero(upright > 0.5)
    assert np.ptp(rows) > 12 and np.ptp(columns) <= 3  # now vertical
    grown = transforms.scale(bar, 1.5)
    assert np.ptp(np.nonzero(grown > 0.5)[1]) == pytest.approx(1.5 * 16, abs=2)
    np.testing.assert_allclose(centre_of_mass(grown), centre_of_mass(bar), atol=0.3)


def test_thicken_and_thin_change_the_stroke_width(test_digits):
    image = test_digits[0][0]
    ink = [transforms.transform(image, stroke=step).sum() for step in range(-2, 3)]
    assert ink == sorted(ink) and len(set(ink)) == 5
    with pytest.raises(ValueError, match="whole number"):
        transforms.thicken(image, 1.5)


def ink_slope(image):
    """How far the ink's column moves per row down (negative: leaning right, like italics)."""
    rows, columns = np.indices(image.shape)
    weights = image / image.sum()
    row_mean, column_mean = (weights * rows).sum(), (weights * columns).sum()
    return ((weights * (rows - row_mean) * (columns - column_mean)).sum()
            / (weights * (rows - row_mean) ** 2).sum())


def test_shear_leans_the_digit_about_its_centre():
    bar = np.zeros((28, 28), np.float32)
    bar[4:24, 13:15] = 1.0  # a vertical bar through the centre
    for shear in (0.5, -0.35):
        leaning = transforms.slant(bar, shear)
        assert ink_slope(leaning) == pytest.approx(-shear, abs=0.03)
        np.testing.assert_allclose(centre_of_mass(leaning), centre_of_mass(bar), atol=0.3)
    assert ink_slope(transforms.transform(bar, shear=0.5, degrees=0)) < 0  # top to the right
    with pytest.raises(TypeError, match="shear"):
        transforms.transform(bar, shear="a lot")
    with pytest.raises(ValueError, match="shear"):
        transforms.transform(bar, shear=5)


def test_slant_sets_are_the_same_digits_upright_and_leaning(test_digits):
    images, _ = test_digits
    upright, slanted = transforms.slant_sets(images[:40], seed=3)
    assert upright.shape == slanted.shape == (40, 28, 28) and slanted.dtype == np.float32
    assert 0 <= slanted.min() and slanted.max() <= 1
    leaning = np.abs([ink_slope(s) - ink_slope(u) for u, s in zip(upright, slanted,
                                                                  strict=True)])
    assert np.median(leaning) > 0.2  # sheared by 0.35-0.6, then fitted back into 20 px
    again, _ = transforms.slant_sets(images[:40] * 255, seed=3)
    np.testing.assert_allclose(again, upright, atol=1e-5)  # 0-255 or 0-1, same draw
    strokes = transforms.slant_sets(images[:40], seed=3, slants=(0.0, 0.0))
    np.testing.assert_allclose(strokes[0], strokes[1], atol=1e-5)  # no shear: no slant
    with pytest.raises(ValueError, match="slants"):
        transforms.slant_sets(images[:2], slants=(0.6, 0.35))
    with pytest.raises(ValueError, match="shape"):
        transforms.slant_sets(images[0])


@pytest.mark.parametrize(("options", "error"), [
    ({"degrees": "ten"}, TypeError), ({"factor": 0}, ValueError),
    ({"stroke": 9}, ValueError),
])
def test_bad_transforms_are_refused_in_words(test_digits, options, error):
    with pytest.raises(error):
        transforms.transform(test_digits[0][0], **options)
