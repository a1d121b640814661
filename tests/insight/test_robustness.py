"""digitlib.insight.robustness: sweeps of a transform, the MNIST-style 28x28 beats the naive one,
and a small, bounded change flips the model's answers. (The transforms themselves:
tests/datasets/test_transforms.py.)"""

import numpy as np
import pytest
from PIL import Image

from digitlib.datasets import transforms
from digitlib.insight import robustness
from tests.helpers import first_test_digits

DIGITS = 200  # MNIST test digits in the attack and sweep tests
# Measured on the first 500 test digits read right: FGSM at epsilon 0.1 flips 54 %, PGD
# (10 steps) 81 %; at 0.05, 12 % and 20 %. The bounds below leave room for another model.
EPSILON = 0.1
# one FGSM step flips fewer digits of a distilled model (flatter gradients: 33 % of these 200
# at 0.1, against 56 % for the model before it); ten PGD steps still flip over 80 %
FGSM_FLIPS_AT_LEAST = 0.25
PGD_FLIPS_AT_LEAST = 0.7


@pytest.fixture(scope="module")
def test_digits():
    return first_test_digits(DIGITS)


def test_the_notebook_finds_the_transforms_here():
    assert robustness.transform is transforms.transform
    assert robustness.SLANTS == transforms.SLANTS and robustness.TRANSFORMS is transforms.TRANSFORMS


def test_augmented_range_is_read_and_large_changes_are_not(predictor, test_digits):
    images, labels = test_digits
    rotated = robustness.sweep(images, labels, predictor, "degrees", [-8, 0, 8, 60])
    assert rotated[:3].min() >= 0.97  # training rotated digits by up to 8 degrees
    assert rotated[3] < 0.6
    thinned = robustness.sweep(images, labels, predictor, "stroke", [0, -3])
    assert thinned[0] >= 0.97 and thinned[1] < 0.5


# --- naive resize against MNIST-style -----------------------------------------------------


def small_in_a_corner(image):
    """An MNIST digit drawn small in the top-left corner of a 280x280 pad (black on white)."""
    pad = Image.new("L", (280, 280), 255)
    tile = Image.fromarray(np.round(255 * (1 - image)).astype(np.uint8)).resize((90, 90))
    pad.paste(tile, (10, 10))
    return pad


def test_mnist_style_reads_a_small_corner_digit_that_the_naive_resize_misses(
        predictor, test_digits):
    images, labels = test_digits
    pads = [small_in_a_corner(image) for image in images[:50]]
    naive = predictor.classify(np.stack([robustness.naive_28(pad) for pad in pads]))
    mnist_style = predictor.classify(np.stack([robustness.mnist_style_28(pad) for pad in pads]))
    assert np.mean(mnist_style.argmax(axis=1) == labels[:50]) >= 0.9
    assert np.mean(naive.argmax(axis=1) == labels[:50]) <= 0.5
    with pytest.raises(ValueError, match="blank"):
        robustness.mnist_style_28(Image.new("L", (50, 50), 255))


# --- adversarial examples -----------------------------------------------------------------


def test_fgsm_and_pgd_flip_most_correctly_read_digits(predictor, test_digits):
    images, labels = test_digits
    assert robustness.flip_rate(predictor, images, labels, EPSILON) >= FGSM_FLIPS_AT_LEAST
    assert robustness.flip_rate(predictor, images, labels, EPSILON,
                                steps=robustness.PGD_STEPS) >= PGD_FLIPS_AT_LEAST


def test_the_change_stays_within_epsilon_and_the_pixels_in_range(predictor, test_digits):
    images, _ = test_digits
    adversarial = robustness.pgd(predictor, images[:20], EPSILON)
    assert adversarial.shape == images[:20].shape
    assert np.abs(adversarial - images[:20]).max() <= EPSILON + 1e-6
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    one = robustness.fgsm(predictor.model, images[0], 0.05)
    assert one.shape == (28, 28)
    np.testing.assert_allclose(np.abs(one - images[0]).max(), 0.05, atol=1e-6)


def test_a_tiny_random_change_of_the_same_size_flips_almost_nothing(predictor, test_digits):
    """The attack's direction matters, not its size: random signs of the same epsilon."""
    images, labels = test_digits
    rng = np.random.default_rng(0)
    noisy = np.clip(images + EPSILON * rng.choice([-1.0, 1.0], images.shape), 0, 1)
    before = predictor.classify(images).argmax(axis=1)
    after = predictor.classify(noisy.astype(np.float32)).argmax(axis=1)
    assert np.mean(after != before) < 0.05


def test_an_attack_reports_before_and_after(predictor, test_digits):
    images, _ = test_digits
    found = robustness.attack(predictor, images[0], 0.15)
    assert found.method == "PGD, 10 steps" and found.flipped
    assert found.before.argmax() == 7 and found.after.argmax() != 7
    np.testing.assert_allclose(found.perturbation, found.adversarial - found.original)
    assert len(robustness.attack_figure(found).axes) == 6


@pytest.mark.parametrize(("options", "error"), [
    ({"epsilon": 0}, ValueError), ({"epsilon": 2.0}, ValueError),
    ({"epsilon": 0.1, "steps": 0}, ValueError),
])
def test_attack_options_are_checked(predictor, options, error):
    with pytest.raises(error):
        robustness.pgd(predictor, np.zeros((28, 28), np.float32), **options)


# --- figures and errors -------------------------------------------------------------------


def test_figures_are_made_in_the_package(predictor, test_digits):
    images, labels = test_digits
    assert len(robustness.reading_figure(images[0], predictor).axes) == 2
    assert len(robustness.transforms_figure(images[0], predictor).axes) == 25
    assert len(robustness.resize_figure(small_in_a_corner(images[0]), predictor).axes) == 5
    curves = {"rotation": ([0, 30], robustness.sweep(images[:10], labels[:10], predictor,
                                                     "degrees", [0, 30]))}
    assert len(robustness.sweep_figure(curves, {"rotation": (-8, 8)}).axes) == 1


def test_a_sweep_names_its_transforms(predictor, test_digits):
    images, labels = test_digits
    with pytest.raises(ValueError, match="one of right, down"):
        robustness.sweep(images, labels, predictor, "blur", [1])


def test_the_smallest_attack_is_the_first_epsilon_that_flips(predictor, test_digits):
    images, _ = test_digits
    found = robustness.smallest_attack(predictor, images[0], epsilons=(0.01, 0.1, 0.3))
    assert found.flipped and found.epsilon == 0.1  # 0.01 is too small for this 7
