"""The exercises of notebook 08_photos_of_paper: flat paper, the pad's path against the photo path,
the stage that removes the ruled lines.
"""

import functools

import numpy as np

from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    active_predictor,
    answer_array,
    call_answer,
    mnist_arrays,
    with_article,
)

NOTEBOOK = 8
TITLE = "Photos of paper"

LIT_PHOTO_SEED = 0  # a photo of 3 test digits on plain paper, in a strong gradient and shadow
FLAT_BLOCKS = 6  # the paper is compared across 6 x 6 blocks (block medians: grain averages out)
FLAT_ENOUGH = 0.1  # the library's flattening leaves the block medians within 0.04 of each other
READ_PHOTOS = dict(split="test", count=20, digits_per_photo=(1, 3), seed=8)  # exercise 2's set
LINED_PHOTO_SEED = 5  # a photo of 3 test digits on ruled paper, for exercise 3


@functools.cache
def _lit_photo():
    """``(darkness, ink, paper)`` of the lit photo: its darkest channel, where the library
    finds ink, and where it finds paper well away from any ink."""
    from scipy import ndimage

    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    _, (x_test, y_test) = mnist_arrays()
    rng = np.random.default_rng(LIT_PHOTO_SEED)
    chosen = rng.choice(len(x_test), 3, replace=False)
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="plain",
                                      shadow=True)
    dark = paper.darkness(photo.image)
    flat = paper.flatten(dark, paper.background(dark))
    ink = flat < 0.5
    return dark, ink, (flat > 0.85) & ~ndimage.binary_dilation(ink, iterations=4)


def _block_range(image: np.ndarray, where: np.ndarray) -> tuple[float, float]:
    """The darkest and the brightest median of the ``where`` pixels of FLAT_BLOCKS^2 blocks."""
    height, width = image.shape
    medians = []
    for row in range(FLAT_BLOCKS):
        for column in range(FLAT_BLOCKS):
            block = (slice(row * height // FLAT_BLOCKS, (row + 1) * height // FLAT_BLOCKS),
                     slice(column * width // FLAT_BLOCKS, (column + 1) * width // FLAT_BLOCKS))
            if where[block].sum() > 50:
                medians.append(float(np.median(image[block][where[block]])))
    return min(medians), max(medians)


def _check_my_flatten(answer, namespace):
    dark, ink, paper_pixels = _lit_photo()
    flat = answer_array(call_answer(answer, "my_flatten", dark.copy()), "what `my_flatten` returns")
    if flat.shape != dark.shape:
        raise Incorrect(f"wrong shape {flat.shape}: return one value per pixel of the photo, "
                        f"shape {dark.shape}.")
    flat = flat.astype(np.float64)
    paper_level = float(np.median(flat[paper_pixels]))
    if paper_level > 2:
        raise Incorrect(f"the paper is at {paper_level:.0f}: keep the photo's scale, [0, 1], so "
                        f"the flattened paper is 1.0.")
    if abs(paper_level) < 0.2:
        raise Incorrect(f"the paper is at {paper_level:.2f}, not 1.0: divide the photo by the "
                        f"paper's brightness instead of subtracting it.")
    ink_level = float(np.median(flat[ink]))
    if paper_level - ink_level < 0.3:
        raise Incorrect(f"the ink is gone (ink at {ink_level:.2f}, paper at "
                        f"{paper_level:.2f}): that is the paper's brightness; divide the photo "
                        f"by it.")
    darkest, brightest = _block_range(flat, paper_pixels)
    if brightest - darkest > FLAT_ENOUGH:
        raise Incorrect(f"the shadow is still there: the paper goes from {darkest:.2f} to "
                        f"{brightest:.2f} across the photo; estimate the paper's brightness at "
                        f"every pixel, not one value for the whole photo.")
    if abs(paper_level - 1) > 0.1:
        raise Incorrect(f"the paper is flat but at {paper_level:.2f}: divide by the paper's "
                        f"brightness so the paper becomes 1.0.")
    return (f"the paper now stays between {darkest:.2f} and {brightest:.2f} across the shadow, "
            f"and the ink stands out at {ink_level:.2f}.")


q1 = Exercise(
    "08.q1", "my_flatten", "flat paper", _check_my_flatten,
    ["A stroke is a few pixels wide, a shadow hundreds: a grey closing (scipy.ndimage."
     "grey_closing) wider than any stroke replaces the ink by the paper around it, which is "
     "the paper's brightness at every pixel (paper.background does it on a coarse copy).",
     "Divide the photo by that brightness and clip to [0, 1]: the paper becomes 1.0, the "
     "ink stays darker."],
    """
    from scipy import ndimage

    def my_flatten(dark):
        brightness = ndimage.grey_closing(dark, size=31)  # wider than any stroke
        brightness = ndimage.gaussian_filter(brightness, 5)
        return np.clip(dark / np.maximum(brightness, 1e-3), 0, 1)
    """,
)


@functools.cache
def _read_right() -> dict[str, float]:
    """The share of exercise 2's photos whose digits each path reads exactly."""
    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    photos = synthetic_photos.photo_set(**READ_PHOTOS)
    predictor = active_predictor()
    shares = {}
    for source, photo in ((paper.DRAWING, False), (paper.PHOTO, True)):
        read = ["".join(str(found.digit) for found in predictor.predict_digits(p.image,
                                                                                photo=photo))
                for p in photos]
        shares[source] = float(np.mean([text == p.label for text, p in zip(read, photos,
                                                                            strict=True)]))
    return shares


def _check_read_right(answer, namespace):
    from digitlib.reading import paper

    count = READ_PHOTOS["count"]
    keys = (paper.DRAWING, paper.PHOTO)
    if not isinstance(answer, dict):
        raise Incorrect(f"give a dict {{\"{keys[0]}\": share, \"{keys[1]}\": share}}, not a "
                        f"{type(answer).__name__}.")
    if sorted(map(str, answer)) != sorted(keys):
        raise Incorrect(f"give exactly the keys \"{keys[0]}\" (the pad's path, photo=False) "
                        f"and \"{keys[1]}\" (the photo path), not "
                        f"{', '.join(map(repr, answer))}.")
    if any(isinstance(value, (bool, np.bool_)) for value in answer.values()):
        raise Incorrect("give each path's share of photos read right, a number from 0 to 1, "
                        "not True or False.")
    given = {str(key): float(value) for key, value in answer.items()}
    expected = _read_right()
    close = 0.5 / count
    if all(abs(given[key] - expected[key]) <= close for key in keys):
        return (f"the pad's path reads {expected[keys[0]]:.0%} of the {count} photos right, "
                f"the photo path {expected[keys[1]]:.0%}.")
    if all(abs(given[key] - expected[key] * count) <= 0.5 for key in keys):
        raise Incorrect(f"those are counts: divide by the number of photos, {count}, for "
                        f"shares.")
    if all(abs(given[key] - 100 * expected[key]) <= 100 * close for key in keys):
        raise Incorrect("those are percentages: give shares between 0 and 1.")
    if all(abs(given[key] - expected[other]) <= close for key, other in zip(keys, keys[::-1],
                                                                            strict=True)):
        raise Incorrect("you swapped the two: \"drawing\" is the pad's path (photo=False), "
                        "\"photo\" the photo path.")
    wrong = next(key for key in keys if abs(given[key] - expected[key]) > close)
    raise Incorrect(f"the {wrong} path reads another share of the {count} photos right than "
                    f"{given[wrong]:.2f}: a photo counts when the digits read, joined, equal "
                    f"photo.label exactly (no digit missing, none extra).")


q2 = Exercise(
    "08.q2", "read_right", "the pad's path against the photo path", _check_read_right,
    ["predictor.predict_digits(photo.image, photo=False) reads a photo the pad's way, "
     "photo=True the photo way; join the digits read and compare with photo.label.",
     "np.mean of a list of True / False is the share of True."],
    """
    photos = synthetic_photos.photo_set("test", 20, digits_per_photo=(1, 3), seed=8)

    def read(photo, as_photo):
        found = predictor.predict_digits(photo.image, photo=as_photo)
        return "".join(str(reading.digit) for reading in found)

    read_right = {
        "drawing": np.mean([read(photo, False) == photo.label for photo in photos]),
        "photo": np.mean([read(photo, True) == photo.label for photo in photos]),
    }
    """,
)


@functools.cache
def _lined_page():
    from digitlib.datasets import synthetic_photos
    from digitlib.reading import paper

    _, (x_test, y_test) = mnist_arrays()
    rng = np.random.default_rng(LINED_PHOTO_SEED)
    chosen = rng.choice(len(x_test), 3, replace=False)
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="ruled")
    return paper.read_page(photo.image, photo=True, keep_stages=True)


def _check_lines_removed_by(answer, namespace):
    from digitlib.reading import paper

    page = _lined_page()
    lines = page.stages["lines"]
    stage = getattr(answer, "__name__", answer)  # paper.remove_lines itself is fine too
    if not isinstance(stage, str):
        raise Incorrect(f"give the name of a stage, one of {', '.join(paper.STAGE_TITLES)}, "
                        f"not {with_article(type(answer).__name__)}.")
    if stage == "remove_lines":
        stage = "ink"
    if stage not in paper.STAGE_TITLES:
        raise Incorrect(f"{stage!r} is not a stage of read_page: use one of "
                        f"{', '.join(paper.STAGE_TITLES)}.")
    left = {name: float(np.mean(page.stages[name][lines] > 0.5)) for name in ("threshold", "ink")}
    if stage == "lines":
        raise Incorrect("that stage *finds* the printed lines (it shows them): which stage "
                        "after it no longer has them?")
    if stage == "threshold":
        raise Incorrect(f"the threshold still marks {left['threshold']:.0%} of the line pixels "
                        f"as ink: printed lines are as dark as ink.")
    if stage != "ink":
        raise Incorrect(f"the lines are still in the {stage!r} picture: the steps before the "
                        f"threshold change light and shadow, not lines.")
    return (f"the adaptive threshold keeps {left['threshold']:.0%} of the line pixels as ink, "
            f"remove_lines leaves {left['ink']:.0%} of them in the final ink.")


q3 = Exercise(
    "08.q3", "lines_removed_by", "the stage that removes the ruled lines",
    _check_lines_removed_by,
    ["Read a photo of ruled paper with paper.read_page(photo.image, photo=True, "
     "keep_stages=True) and look at paper.plot_stages(page): in which picture are the "
     "lines gone for the first time?"],
    """
    page = paper.read_page(photo.image, photo=True, keep_stages=True)
    paper.plot_stages(page)
    lines_removed_by = "ink"  # step 6: remove_lines, after "lines" found them
    """,
)


EXERCISES = [q1, q2, q3]
