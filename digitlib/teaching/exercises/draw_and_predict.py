"""The exercises of notebook 06_draw_and_predict: a 7 with a crossbar, white ink on black."""

import os

import numpy as np

from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    active_predictor,
    answer_array,
    with_article,
)

NOTEBOOK = 6
TITLE = "Draw and predict"


def _check_crossed_seven(answer, namespace):
    from digitlib.reading.strokes import Drawing

    if not isinstance(answer, Drawing):
        raise Incorrect(f"give the strokes.Drawing you drew in, not "
                        f"{with_article(type(answer).__name__)}.")
    if answer.is_empty:
        raise Incorrect("the drawing is empty: draw a stroke with add_stroke, then another.")
    if len(answer.strokes) < 2:
        raise Incorrect("a crossed 7 has its crossbar as a separate stroke: draw the 7, then a "
                        "short stroke across its middle.")
    reading = active_predictor().predict_digit(answer.to_image())
    if reading.digit != 7:
        raise Incorrect(f"the model reads your drawing as a {reading.digit} "
                        f"({reading.confidence:.0%}), not a 7: look at reading.image28 to see "
                        f"what it saw.")
    second, probability = reading.top3[1]
    odds = f"{probability:.1%}" if probability >= 0.001 else "under 0.1%"
    return (f"read as a 7 ({reading.confidence:.0%}); the second choice is {second} "
            f"({odds}).")


q1 = Exercise(
    "06.q1", "crossed_seven", "a 7 with a crossbar", _check_crossed_seven,
    ["Draw the 7 as one stroke (start, extend to the top right, extend down to the bottom "
     "left, end), then the bar as a second stroke across the middle."],
    """
    crossed_seven = Drawing(280, 280, brush=16)
    stroke(crossed_seven, (86, 50), (194, 50), (131, 230))  # the 7
    stroke(crossed_seven, (120, 140), (200, 140))  # the crossbar
    predictor.predict_digit(crossed_seven.to_image()).top3
    """,
)


def _grey(answer) -> np.ndarray:
    from PIL import Image

    from digitlib.reading import images

    if isinstance(answer, (str, os.PathLike)):  # a saved picture works too
        try:
            answer = images.open_image(answer)
        except (ValueError, OSError) as error:
            raise Incorrect(f"cannot open {answer}: {error}") from None
    if isinstance(answer, Image.Image):
        return np.asarray(answer.convert("L"), dtype=np.float32)
    array = answer_array(answer, "`white_on_black`")
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        array = array[..., :3].mean(axis=-1)
    if array.ndim != 2:
        raise Incorrect(f"wrong shape {array.shape}: give a picture, a PIL image or a (H, W) "
                        f"array.")
    return array.astype(np.float32) * (255 if array.max() <= 1 else 1)


def _check_white_on_black(answer, namespace):
    grey = _grey(answer)
    if grey.mean() > 127:
        raise Incorrect("this is still dark ink on a light background: invert it "
                        "(PIL.ImageOps.invert, or 255 - array).")
    readings = active_predictor().predict_digits(grey.astype(np.uint8))
    if not readings:
        raise Incorrect("the picture is all background: save a drawing with some ink first.")
    normal = active_predictor().predict_digits((255 - grey).astype(np.uint8))
    digits = "".join(str(reading.digit) for reading in readings)
    usual = "".join(str(reading.digit) for reading in normal)
    if digits != usual:
        raise Incorrect(f"white on black reads {digits}, but the same picture inverted reads "
                        f"{usual}.")
    return (f"it reads {digits}, the same as dark ink on white: images.to_ink finds the ink "
            f"whichever colour it is.")


q2 = Exercise(
    "06.q2", "white_on_black", "white ink on black", _check_white_on_black,
    ["PIL.ImageOps.invert turns a greyscale image into its negative."],
    """
    from PIL import ImageOps

    white_on_black = ImageOps.invert(seven.to_image())
    """,
)


EXERCISES = [q1, q2]
