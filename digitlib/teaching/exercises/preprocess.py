"""The exercises of notebook 02_preprocess: standardise the training images, write normalize
yourself.
"""


import numpy as np

from digitlib import config
from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    answer_array,
    call_answer,
    mnist_arrays,
)

NOTEBOOK = 2
TITLE = "Preprocess"


def _check_standardized(answer, namespace):
    (x_train, _), _ = mnist_arrays()
    values = answer_array(answer, "`standardized`")
    if values.shape not in {x_train.shape, x_train.shape + (1,)}:
        raise Incorrect(f"wrong shape {values.shape}: standardise all of `x_train`, shape "
                        f"{x_train.shape} (or {x_train.shape + (1,)} with a channel axis).")
    if not np.issubdtype(values.dtype, np.floating):
        raise Incorrect(f"wrong dtype {values.dtype}: standardised values are fractions and "
                        f"negative, so convert to float32 first (x_train.astype(np.float32)).")
    values = values.reshape(x_train.shape)
    mean, spread = float(values.mean(dtype=np.float64)), float(values.std(dtype=np.float64))
    per_image_means = values.mean(axis=(1, 2), dtype=np.float64)
    if np.abs(per_image_means).max() < 1e-3:
        raise Incorrect("you standardised each image with its own mean and standard deviation; "
                        "use one mean and one standard deviation, those of the whole training set.")
    if values.min() >= 0 and values.max() <= 1 + 1e-6:
        raise Incorrect("these values are scaled to [0, 1] (divided by 255), not standardised: "
                        "subtract the mean and divide by the standard deviation.")
    centred, unit = abs(mean) < 1e-2, abs(spread - 1) < 1e-2
    if centred and not unit:
        raise Incorrect(f"the mean is 0 but the standard deviation is {spread:.3g}: divide by "
                        f"the training set's standard deviation too.")
    if unit and not centred:
        raise Incorrect(f"the standard deviation is 1 but the mean is {mean:.3g}: subtract the "
                        f"training set's mean before dividing.")
    if not (centred and unit):
        raise Incorrect(f"the mean is {mean:.3g} and the standard deviation {spread:.3g}; "
                        f"standardised values have mean 0 and standard deviation 1.")
    sample = np.random.default_rng(config.SEED).integers(0, x_train.size, 2000)
    pixels = x_train.reshape(-1)[sample].astype(np.float64)
    expected = (pixels - x_train.mean(dtype=np.float64)) / x_train.std(dtype=np.float64)
    if not np.allclose(values.reshape(-1)[sample], expected, atol=1e-2):
        raise Incorrect("mean 0 and standard deviation 1, but your values are not (pixel - mean) "
                        "/ std of the same pixels of `x_train`.")
    return (f"mean {abs(mean):.2f} and standard deviation {spread:.2f}; the histogram keeps its "
            f"shape, only shifted and stretched (background is now {values.min():.2f}).")


q1 = Exercise(
    "02.q1", "standardized", "standardise the training images", _check_standardized,
    ["Compute the mean and the standard deviation of all of x_train once (x_train.mean(), "
     "x_train.std()), then apply them to every pixel."],
    """
    pixels = x_train.astype(np.float32)
    standardized = (pixels - pixels.mean()) / pixels.std()
    plt.hist(standardized.ravel(), bins=50)
    """,
)


def _check_my_normalize(answer, namespace):
    (x_train, _), _ = mnist_arrays()
    images = x_train[:8].copy()
    images[1] //= 2  # a faint image, brightest pixel 127: normalising must not brighten it
    result = answer_array(call_answer(answer, "my_normalize", images.copy()),
                          "what your function returns")
    expected_shape = images.shape + (1,)
    if result.shape == images.shape:
        raise Incorrect(f"wrong shape {result.shape}: add a channel axis at the end, so "
                        f"(N, 28, 28) becomes (N, 28, 28, 1) (for example with [..., np.newaxis]).")
    if result.shape != expected_shape:
        raise Incorrect(f"wrong shape {result.shape}: for 8 images of 28x28 expected "
                        f"{expected_shape}.")
    if np.issubdtype(result.dtype, np.integer) or result.dtype == bool:
        raise Incorrect(f"wrong dtype {result.dtype}: whole numbers cannot hold values between "
                        f"0 and 1; convert to float32 before dividing (and divide with /, not //).")
    if result.dtype != np.float32:
        raise Incorrect(f"wrong dtype {result.dtype}: the model works in float32 "
                        f"(.astype(np.float32)), which also takes half the memory of float64.")
    pixels = result[..., 0]
    if pixels.max() > 1.5:
        raise Incorrect(f"off by a factor of 255: the values reach {pixels.max():.0f}; divide "
                        f"by 255 so they lie in [0, 1].")
    if np.allclose(pixels, images / 255.0, atol=1e-6):
        return "float32 in [0, 1] with shape (N, 28, 28, 1), exactly what the model expects."
    brightest = images.max(axis=(1, 2), keepdims=True)
    if np.allclose(pixels, images / brightest, atol=1e-6):
        raise Incorrect("you divided each image by its own brightest pixel; divide every image "
                        "by 255 so the same ink gives the same value in every image.")
    image, row, column = np.argwhere(~np.isclose(pixels, images / 255.0, atol=1e-6))[0]
    raise Incorrect(f"image {image}, pixel ({row}, {column}) is {images[image, row, column]} in "
                    f"uint8, so expected {images[image, row, column] / 255:.4f}, got "
                    f"{pixels[image, row, column]:.4f}.")


q2 = Exercise(
    "02.q2", "my_normalize", "write normalize yourself", _check_my_normalize,
    ["Three steps: convert to float32, divide by 255, add a channel axis at the end.",
     "images[..., np.newaxis] turns (N, 28, 28) into (N, 28, 28, 1)."],
    """
    def my_normalize(images):
        return (images.astype(np.float32) / 255)[..., np.newaxis]
    """,
)


EXERCISES = [q1, q2]
