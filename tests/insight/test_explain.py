"""digitlib.insight.explain: the heat maps are a real property of the model, and the overlays are
what a view can draw."""

import keras
import numpy as np
import pytest
from PIL import Image

from digitlib.insight import explain
from digitlib.pads import display
from digitlib.reading.strokes import Drawing
from tests.helpers import first_test_digits

DIGITS = 100  # MNIST test digits in the deletion test
# The deletion test with 20 pixels on the first 200 test digits (``python -m benchmarks.explain``):
# the marked pixels hurt more in 95 % (occlusion) to 99 % (integrated gradients)
# of the digits and about 10 times as much on average; the bounds leave room for another model.
LEAST_WINS = 0.9
LEAST_RATIO = 5.0


@pytest.fixture(scope="module")
def test_digits():
    return first_test_digits(DIGITS)


def closed_four():
    """A 4 drawn with a closed, rounded top: the committed model reads it as 9."""
    drawing = Drawing(280, 280, brush=18)
    for stroke in ([(180, 50), (130, 45), (100, 90), (95, 140), (190, 140)],
                   [(185, 40), (185, 260)]):
        drawing.start(*stroke[0])
        for point in stroke[1:]:
            drawing.extend(*point)
        drawing.end()
    return drawing.to_image()


@pytest.mark.parametrize("method", explain.METHODS)
def test_blanking_the_marked_pixels_hurts_the_answer_more_than_random_ink(
        predictor, test_digits, method):
    images, _ = test_digits
    result = explain.deletion_test(images, predictor, method)
    assert result.marked_drop.shape == result.random_drop.shape == (DIGITS,)
    assert result.wins >= LEAST_WINS, f"{method}: marked pixels hurt more in {result.wins:.0%}"
    assert result.marked_drop.mean() >= LEAST_RATIO * result.random_drop.mean()


def test_a_shuffled_map_fails_the_deletion_test(predictor, test_digits):
    """The test can fail: the same map with its pixels shuffled is no better than chance."""
    images, _ = test_digits
    rng = np.random.default_rng(1)
    marked, random, answers = [], [], []
    for image in images[:50]:
        why = explain.explain(image, predictor)
        shuffled = rng.permutation(why.evidence.ravel()).reshape(why.evidence.shape)
        marked.append(explain.blank_most_important(image, shuffled, explain.DELETED_PIXELS))
        random.append(explain.blank_random_ink(image, explain.DELETED_PIXELS, rng))
        answers.append(why.digit)
    rows = np.arange(len(answers))
    before = predictor.classify(images[:50])[rows, answers]
    shuffled_drop = before - predictor.classify(np.stack(marked))[rows, answers]
    random_drop = before - predictor.classify(np.stack(random))[rows, answers]
    assert shuffled_drop.mean() < LEAST_RATIO * random_drop.mean()


def test_integrated_gradients_add_up_to_the_logit_difference(predictor, test_digits):
    images, _ = test_digits
    gaps = []
    for image in images[:20]:
        why = explain.explain(image, predictor)
        gap = explain.logit_gap(why, predictor)
        gaps.append(abs(float(why.evidence.sum()) - gap) / abs(gap))
    assert np.median(gaps) < 0.05


def test_the_misread_closed_four_is_explained_against_the_four(predictor):
    reading = predictor.predict_digit(closed_four())
    assert (reading.digit, reading.top3[1][0]) == (9, 4)
    why = explain.explain(reading, predictor)
    assert (why.digit, why.runner_up) == (9, 4)
    # The closed top (rows 7-8 of the 28x28 image) is the 9's evidence, the crossbar the 4's.
    top = why.evidence[:9].sum()
    crossbar_row = int(np.argmax(why.image28[12:20, :].sum(axis=1))) + 12
    assert top > 0 > why.evidence[crossbar_row - 1:crossbar_row + 2].sum()


def test_readings_arrays_and_models_give_the_same_map(predictor, test_digits):
    images, _ = test_digits
    reading = predictor.predict_digit(closed_four())
    from_reading = explain.explain(reading, predictor)
    from_array = explain.explain(reading.image28 * 255, predictor)  # 0-255 works too
    from_model = explain.explain(reading.image28, predictor.model)
    np.testing.assert_allclose(from_array.evidence, from_reading.evidence, atol=1e-3)
    np.testing.assert_allclose(from_model.evidence, from_reading.evidence, atol=1e-3)
    against = explain.explain(images[0], predictor, explain.OCCLUSION, against=3)
    assert against.runner_up == 3 and against.method == explain.OCCLUSION


def test_overlays_have_the_shapes_and_colours_a_view_draws(predictor, test_digits):
    images, _ = test_digits
    why = explain.explain(images[0], predictor)
    overlay = why.overlay()
    assert overlay.shape == (28, 28, 4) and overlay.dtype == np.uint8
    assert overlay[..., 3].max() == round(255 * explain.OVERLAY_OPACITY)
    blank = why.image28 == 0  # integrated gradients give no evidence where there is no ink
    assert (overlay[blank, 3] == 0).all()
    assert (overlay[why.evidence > 0, :3] == explain.ANSWER_COLOUR).all()
    assert (overlay[why.evidence < 0, :3] == explain.RUNNER_UP_COLOUR).all()
    assert (why.evidence < 0).any() and (why.evidence > 0).any()
    np.testing.assert_array_equal(why.towards_answer - why.towards_runner_up, why.evidence)

    preview = why.overlay_image()
    assert (preview.mode, preview.size) == ("RGBA", (84, 84))
    np.testing.assert_array_equal(np.asarray(preview)[::3, ::3], overlay)
    top, bottom, left, right = why.ink_bounds()
    inked = why.image28 > explain.INK_LEVEL
    assert inked[top:bottom, left:right].sum() == inked.sum()  # all the ink, and no more:
    assert inked[top].any() and inked[bottom - 1].any()
    assert inked[:, left].any() and inked[:, right - 1].any()
    assert why.preview_image().size == (84, 84)


def test_heat_rgba_of_a_zero_map_is_transparent():
    rgba = explain.heat_rgba(np.zeros((28, 28)))
    assert rgba.shape == (28, 28, 4) and (rgba[..., 3] == 0).all()


def test_the_figure_shows_every_method(predictor):
    picture = closed_four()
    reading = predictor.predict_digit(picture)
    figure = explain.explanation_figure(reading, predictor, picture=picture)
    assert len(figure.axes) == 3 + len(explain.METHODS)


@pytest.mark.parametrize(("reading", "options", "error"), [
    (np.zeros((28, 27)), {}, ValueError),
    (np.full((28, 28), np.nan), {}, ValueError),
    (np.full((28, 28), -1.0), {}, ValueError),
    ("a seven", {}, TypeError),
    (np.zeros((28, 28)), {"method": "saliency"}, ValueError),
    (np.zeros((28, 28)), {"against": 12}, ValueError),
])
def test_bad_input_is_refused_in_words(predictor, reading, options, error):
    with pytest.raises(error):
        explain.explain(reading, predictor, **options)


def test_a_predictor_is_needed():
    with pytest.raises(TypeError, match="Predictor or a Keras model"):
        explain.explain(np.zeros((28, 28)), "model")


def test_the_ink_bounds_of_a_blank_image_are_the_whole_map():
    blank = explain.Explanation(np.zeros((28, 28)), np.full(10, 0.1), 1, 2, np.zeros((28, 28)),
                                explain.OCCLUSION)
    assert blank.ink_bounds() == (0, 28, 0, 28)


def test_a_picture_of_a_digit_is_explained(predictor, test_digits):
    images, _ = test_digits
    picture = Image.fromarray(np.round(images[1] * 255).astype(np.uint8))
    assert explain.explain(picture, predictor).digit == int(
        predictor.classify(images[1:2]).argmax())
    assert isinstance(predictor.model, keras.Model)


def test_each_detection_on_a_canvas_gets_an_overlay_for_its_box(predictor, test_digits):
    images, labels = test_digits
    canvas = Image.new("L", (300, 120), 255)
    for slot, image in enumerate(images[:3]):
        tile = Image.fromarray(np.round(255 * (1 - image)).astype(np.uint8)).resize((84, 84))
        canvas.paste(tile, (10 + 100 * slot, 18))
    found = predictor.predict_digits(canvas)
    assert [d.digit for d in found] == list(labels[:3])
    for detection in found:
        left, top, right, bottom = detection.box
        (x, y), overlay = display.why_box(explain.explain(detection, predictor), detection.box)
        assert overlay.size[0] >= right - left and overlay.size[1] >= bottom - top
        assert x <= left and y <= top and np.asarray(overlay)[..., 3].max() > 0  # to see
