"""digitlib.reading.preprocess: ``normalize`` for training, ``to_mnist`` for drawings."""

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from digitlib.datasets import mnist
from digitlib.reading import preprocess
from digitlib.reading.preprocess import stroke_width, to_mnist


@pytest.fixture(scope="module")
def mnist_test_digits():
    _, (x_test, y_test) = mnist.load_mnist()
    return x_test[:300], y_test[:300]


def ring(size, thickness, round_=False):
    """A '0' as float ink: an ellipse (or a circle) ``size`` px tall, ``thickness`` px strokes."""
    image = Image.new("L", (size, size), 0)
    box = (size * (0.05 if round_ else 0.2), 0, size * (0.95 if round_ else 0.8), size - 1)
    ImageDraw.Draw(image).ellipse(box, outline=255, width=max(1, round(thickness)))
    return np.asarray(image, dtype=np.float32) / 255


def box_of(image, level=0.1):
    rows = np.flatnonzero((image > level).any(axis=1))
    columns = np.flatnonzero((image > level).any(axis=0))
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def centre_of_mass(image):
    rows, columns = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (columns * image).sum() / image.sum()


def test_normalize_is_unchanged():
    images = np.zeros((2, 28, 28), np.uint8)
    images[0, 3, 4] = 255
    out = preprocess.normalize(images)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32 and out[0, 3, 4, 0] == 1.0
    with pytest.raises(TypeError):
        preprocess.normalize(images.astype(np.float32))


def test_mnist_digits_come_back_as_they_were(mnist_test_digits):
    # MNIST was made this way, so its own digits must pass through (nearly) untouched, unless
    # they lean further than most: those are stood up a little.
    x, _ = mnist_test_digits
    original = x.astype(np.float32) / 255
    usual = [abs(preprocess.slant_of(image)) <= preprocess.UPRIGHT_ENOUGH for image in original]
    assert np.mean(usual) > 0.7
    again = np.stack([to_mnist(image) for image in original[usual]])
    difference = np.abs(again - original[usual]).mean(axis=(1, 2))
    assert np.median(difference) < 0.002
    assert np.mean(difference < 0.02) > 0.97


def sheared(image, shear):
    """``image`` (28x28 in [0, 1]) leaning right by ``shear`` (x grows by it per row upwards),
    on a wider field so nothing is cut off."""
    wide = np.pad(image, ((0, 0), (20, 20)))
    centre = (wide.shape[0] - 1) / 2
    # output (r, c) samples the input at (r, c - shear * (centre - r)): the top moves right
    return np.clip(ndimage.affine_transform(wide, [[1.0, 0.0], [shear, 1.0]],
                                            offset=(0.0, -shear * centre), order=1), 0.0, 1.0)


@pytest.mark.parametrize("shear", [0.6, -0.6])
def test_italics_are_stood_up(mnist_test_digits, shear):
    x, _ = mnist_test_digits
    upright = [image for image in x[:60].astype(np.float32) / 255
               if abs(preprocess.slant_of(image)) < 0.1]
    assert len(upright) >= 5
    closer = []
    for image in upright:
        leaning = sheared(image, shear)
        assert np.sign(preprocess.slant_of(leaning)) == np.sign(shear)
        assert abs(preprocess.slant_of(leaning)) > 0.5
        stood_up = to_mnist(leaning)
        assert abs(preprocess.slant_of(stood_up)) <= preprocess.UPRIGHT_ENOUGH + 0.05
        assert max(box_of(stood_up)) in (19, 20, 21), "stood up, still 20 px"
        with_correction = np.corrcoef(stood_up.ravel(), to_mnist(image).ravel())[0, 1]
        as_it_is = to_mnist(leaning, stand_up=False)
        assert abs(preprocess.slant_of(as_it_is)) > 0.5
        without = np.corrcoef(as_it_is.ravel(), to_mnist(image).ravel())[0, 1]
        closer.append(with_correction - without)
    assert min(closer) > 0 and np.median(closer) > 0.1, "stood up, it is closer to the original"


def test_to_mnist_takes_its_slant_limit_as_an_argument(mnist_test_digits):
    x, _ = mnist_test_digits
    upright = next(image for image in x.astype(np.float32) / 255
                   if abs(preprocess.slant_of(image)) < 0.1)
    leaning = sheared(upright, 0.6)
    as_it_is = to_mnist(leaning, stand_up=False)
    # no limit is no correction; the default is UPRIGHT_ENOUGH; a stricter limit stands it up more
    np.testing.assert_array_equal(to_mnist(leaning, upright_enough=np.inf), as_it_is)
    np.testing.assert_array_equal(to_mnist(leaning), to_mnist(
        leaning, upright_enough=preprocess.UPRIGHT_ENOUGH))
    slants = [preprocess.slant_of(to_mnist(leaning, upright_enough=limit))
              for limit in (0.5, preprocess.UPRIGHT_ENOUGH, 0.1)]
    assert slants[0] > slants[1] > slants[2] > 0, slants
    assert slants[2] <= 0.1 + 0.05
    with pytest.raises(ValueError, match="0 or more"):
        to_mnist(leaning, upright_enough=-0.1)


def test_deslant_leaves_upright_digits_alone():
    bar = np.zeros((20, 6), np.float32)
    bar[:, 2:4] = 1.0
    assert preprocess.slant_of(bar) == pytest.approx(0.0)
    assert preprocess.deslant(bar) is bar


def test_big_mnist_digits_shrink_back(mnist_test_digits):
    x, _ = mnist_test_digits
    correlations = []
    usual = [image for image in x[:40]  # digits leaning further are stood up a little
             if abs(preprocess.slant_of(image / 255.0)) <= preprocess.UPRIGHT_ENOUGH]
    for image in usual:
        big = np.asarray(Image.fromarray(image).resize((280, 280), Image.Resampling.BICUBIC))
        small = to_mnist(big.astype(np.float32) / 255)
        correlations.append(max(  # allow for a one-pixel difference in the centring
            np.corrcoef(np.roll(small, (dy, dx), axis=(0, 1)).ravel(), image.ravel())[0, 1]
            for dy in (-1, 0, 1) for dx in (-1, 0, 1)))
    assert np.median(correlations) > 0.95 and min(correlations) > 0.8


@pytest.mark.parametrize("height, width", [(200, 40), (40, 200), (500, 300), (7, 5)])
def test_longer_side_is_20_and_aspect_is_kept(height, width):
    ink = np.zeros((height + 20, width + 30), np.float32)
    ink[10 : 10 + height, 15 : 15 + width] = 1.0
    image = to_mnist(ink)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() == pytest.approx(1.0)
    rows, columns = box_of(image, level=0.5)
    assert max(rows, columns) in (19, 20, 21)
    assert rows / columns == pytest.approx(height / width, rel=0.25)
    row, column = centre_of_mass(image)
    assert abs(row - 14) <= 0.75 and abs(column - 14) <= 0.75


def test_centre_of_mass_not_box_centre():
    # A 7-like shape, heavy at the top: its centre of mass, not its box, goes to the centre.
    ink = np.zeros((200, 200), np.float32)
    ink[20:40, 20:180] = 1.0  # a bar on top
    ink[40:180, 140:180] = 1.0  # a stem
    image = to_mnist(ink)
    row, column = centre_of_mass(image)
    assert abs(row - 14) <= 0.75 and abs(column - 14) <= 0.75
    rows = np.flatnonzero((image > 0.1).any(axis=1))
    assert rows[0] + rows[-1] > 28, "the box sits low, so the heavy bar lands in the middle"


@pytest.mark.parametrize("size", [280, 1200])
def test_hairlines_survive_the_shrink(size):
    image = to_mnist(ring(size, thickness=1))
    assert image.max() == pytest.approx(1.0)
    width = stroke_width(image > 0.5)
    assert 2.0 <= width <= 4.5, f"stroke width {width:.1f} px is not MNIST-like"
    assert image[14, 14] < 0.1, "the ring's hole must stay open"


@pytest.mark.parametrize("thickness", [85, 100])
def test_bold_strokes_do_not_become_blobs(thickness):
    ink = ring(280, thickness, round_=True)
    # Shrunk plainly, the ring would be bolder than any MNIST digit (5.5 px at most) ...
    plain = np.asarray(Image.fromarray(ink).resize((20, 20), Image.Resampling.LANCZOS))
    assert stroke_width(plain > 0.5) > 5.5
    # ... to_mnist thins it to an MNIST-like width, with the hole open.
    image = to_mnist(ink)
    assert stroke_width(image > 0.5) <= 5.0
    assert image[13:16, 13:16].max() < 0.5, "the ring's hole must stay open"


def test_same_drawing_at_two_scales_gives_the_same_image():
    small, large = ring(280, thickness=16), ring(1400, thickness=80)
    assert np.abs(to_mnist(small) - to_mnist(large)).mean() < 0.03


def test_faint_pencil_is_stretched_to_full_ink():
    ink = ring(280, thickness=16) * 0.4
    assert to_mnist(ink).max() == pytest.approx(1.0)


def test_stroke_width_measures_lines():
    for width in (2, 5, 12):
        mask = np.zeros((300, 300), bool)
        mask[50:250, 100 : 100 + width] = True
        assert stroke_width(mask) == pytest.approx(width, rel=0.1)
    assert stroke_width(np.zeros((5, 5), bool)) == 0.0


@pytest.mark.parametrize(
    "ink, error",
    [
        (np.zeros((10, 10), np.uint8), ValueError),
        (np.zeros((2, 10, 10), np.float32), ValueError),
        (np.full((10, 10), np.nan, np.float32), ValueError),
        (np.full((10, 10), 2.0, np.float32), ValueError),
        (np.zeros((10, 10), np.float32), ValueError),  # blank: nothing to centre
    ],
)
def test_bad_ink(ink, error):
    with pytest.raises(error):
        to_mnist(ink)


@pytest.mark.parametrize(
    "ink, words",
    [
        (np.zeros((0, 0), np.float32), r"empty \(shape \(0, 0\)\)"),
        (np.zeros((0, 12), np.float64), r"empty \(shape \(0, 12\)\)"),
        (np.pad(np.full((5, 5), 1.0001, np.float32), 3), r"got 0 to 1\.0001$"),
        (np.full((4, 4), -0.25), r"got -0\.25 to -0\.25$"),
        (np.array([[0.5, np.inf]]), "NaN or infinity"),
    ],
)
def test_bad_ink_is_explained_with_the_real_range(ink, words):
    with pytest.raises(ValueError, match=words):
        to_mnist(ink)


def test_slant_of_explains_bad_input_and_blank_ink():
    with pytest.raises(ValueError, match="2-D"):
        preprocess.slant_of(np.zeros((2, 3, 4)))
    assert preprocess.slant_of(np.zeros((5, 5))) == 0.0
    leaning = np.eye(10)[::-1]  # a stroke from bottom-left to top-right: leans right
    assert preprocess.slant_of(leaning) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="0 or more"):
        preprocess.deslant(leaning, upright_enough=-0.1)
