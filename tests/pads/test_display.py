"""digitlib.pads.display: what the front ends show, decided once."""

import numpy as np
import pytest

from digitlib.pads import display, label_geometry
from tests.fakes import detection


def test_one_label_format_and_one_results_line():
    sure, unsure = detection(7, 0.981), detection(4, 0.614)
    assert display.label_text(sure) == "7 98%" and display.label_text(unsure) == "4? 61%"
    assert display.results_line([sure, unsure]) == "Read: 7 4  (98%, 61% unsure)"


def test_one_green_and_one_orange():
    assert display.colour(detection(7, 0.98)) == display.SURE_COLOUR == "#009600"
    assert display.colour(detection(7, 0.5)) == display.UNSURE_COLOUR
    assert display.rgb(display.SURE_COLOUR) == (0, 150, 0)


def test_annotate_draws_in_the_same_colours():
    from PIL import Image

    picture = Image.new("L", (200, 100), 255)
    picture.paste(0, (40, 20, 60, 80))
    found = [detection(1, 0.98, box=(40, 20, 60, 80)), detection(7, 0.5, box=(120, 20, 140, 80))]
    picture.paste(0, (120, 20, 140, 80))
    pixels = {tuple(int(v) for v in pixel)
              for pixel in np.asarray(display.annotate(picture, found)).reshape(-1, 3)}
    assert display.rgb(display.SURE_COLOUR) in pixels
    assert display.rgb(display.UNSURE_COLOUR) in pixels


def test_annotate_boxes_each_reading_of_the_real_model(predictor):
    from digitlib.datasets.synthetic import draw_digits, row_of_places

    digits, places, size = [1, 7], row_of_places(2), (200, 140)
    image = draw_digits(digits, places, size)
    found = predictor.predict_digits(image)
    picture = display.annotate(image, found)
    assert picture.mode == "RGB" and picture.size == size
    pixels = np.asarray(picture).astype(int)
    for reading in found:
        left, top, right, bottom = reading.box
        colour = tuple(pixels[bottom - 1, (left + right) // 2])  # the box's bottom edge
        assert colour == ((230, 120, 0) if reading.unsure else (0, 150, 0))
    assert display.annotate(image, []).size == size
    assert display.annotate(image, predictor.predict_digit(image)).size == size


def test_annotate_refuses_what_is_not_a_reading():
    from PIL import Image

    with pytest.raises(TypeError, match="readings of predict_digits"):
        display.annotate(Image.new("L", (20, 20), 255), "7")


def test_the_preview_is_the_28x28_image_scaled_up_with_crisp_pixels():
    ramp = np.linspace(0, 255, 28 * 28).reshape(28, 28)  # 0-255 input is accepted too
    preview = display.preview_image(ramp)
    assert preview.size == (84, 84) and preview.getpixel((83, 83)) == 255
    assert preview.getpixel((0, 0)) == preview.getpixel((2, 2))  # one pixel is 3x3
    assert display.preview_image(np.eye(28), scale=2).size == (56, 56)
    assert display.preview_png(np.eye(28)).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="28x28"):
        display.preview_image(np.zeros(5))


def test_a_picture_is_fitted_whole_and_centred_and_its_boxes_follow():
    assert display.fit((200, 100), (560, 280)) == (2.8, 0, 0)
    assert display.fit((100, 100), (560, 280)) == (2.8, 140, 0)
    (box,) = display.boxes([detection(1, 0.98, box=(10, 0, 20, 50))], 0, (2.8, 140, 0))
    assert box.box == pytest.approx((168, 0, 196, 140))
    assert box.selected and box.line_width == display.SELECTED_BOX_WIDTH and box.dash == ()
    (unsure,) = display.boxes([detection(1, 0.5)])
    assert unsure.dash == display.UNSURE_DASH and not unsure.selected


def test_labels_of_neighbours_never_cover_each_other():
    drawn = display.boxes([detection(1, 0.98, box=(10, 40, 40, 120)),
                           detection(2, 0.98, box=(30, 40, 60, 120))])
    first, second = display.label_spots(drawn, [(40, 12), (40, 12)], (200, 200))
    assert first[3] <= second[1] or second[3] <= first[1] or first[2] <= second[0]


def test_the_chart_of_a_reading():
    chart = display.chart(detection(7, 0.6), 1)
    assert chart.title == "Digit #2: read as 7, 60%"
    assert chart.unsure_reason == "low confidence (60%)" and chart.next_likeliest == "8 (4%)"
    assert [digit for digit, _, _ in chart.bars] == list(range(10))
    assert [colour for digit, _, colour in chart.bars if digit == 7] == [display.UNSURE_COLOUR]
    assert {colour for digit, _, colour in chart.bars if digit != 7} == {
        display.OTHER_BAR_COLOUR}
    assert display.chart(detection(7, 0.98), 0).unsure_reason == ""


def crowded_photo():
    """A 12-MP generated photo of eight small MNIST digits written in a row on paper."""
    from digitlib.datasets import mnist, synthetic_photos

    (_, _), (x_test, y_test) = mnist.load_mnist()
    return synthetic_photos.photo_of(x_test[:8], y_test[:8], np.random.default_rng(4),
                                     size=(4000, 3000), digit_height=150, ruling="plain",
                                     paper="white", ink="black", tilt=0.0)


def test_labels_on_a_photo_of_small_digits_cover_no_digit_and_no_label():
    photo = crowded_photo()
    pad = (560, 280)
    placement = display.fit(photo.image.size, pad)
    readings = [detection(int(digit), 0.98 if number % 3 else 0.55, box=box)
                for number, (digit, box) in enumerate(zip(photo.label, photo.boxes, strict=True))]
    items = display.boxes(readings, 0, placement)
    layout = display.label_layout(items, display.text_size, pad)
    assert layout[0].pixels < display.LABEL_PIXELS  # smaller labels for smaller digits
    for number, label in enumerate(layout):
        left, top, right, bottom = label.spot
        assert 0 <= left and right <= pad[0] and 0 <= top and bottom <= pad[1]
        width, _ = display.text_size(label.text, label.pixels)
        assert right - left >= width + 2 * display.LABEL_PADDING  # the whole text fits
        for item in items:
            assert label_geometry.covers(label.spot, [tuple(round(v) for v in item.box)]) == 0, (
                f"label {label.text!r} covers a digit")
        for other in layout[number + 1:]:
            assert label_geometry.covers(label.spot, [other.spot]) == 0, "two labels overlap"
    assert any(label.text == items[n].label for n, label in enumerate(layout))


def test_a_label_is_measured_not_estimated():
    width, height = display.text_size("7 100%", display.LABEL_PIXELS)
    assert width > 10 * len("7 100%") + 4 - 2 * display.LABEL_PADDING  # wider than the old guess
    assert display.text_size("1", 16)[0] < display.text_size("100%", 16)[0]
    (item,) = display.boxes([detection(7, 1.0, box=(100, 100, 160, 220))])
    (label,) = display.label_layout([item], display.text_size, (560, 280))
    assert label.text == "7 100%" and label.spot[2] - label.spot[0] >= width + 8
    with pytest.raises(TypeError, match="text must be a str"):
        display.text_size(7, 16)


# ------------------------------------------------------------------------------ Why?

def _explanation(evidence, image28=None):
    from digitlib.insight.explain import Explanation

    evidence = np.asarray(evidence, np.float32)
    image28 = (evidence != 0).astype(np.float32) if image28 is None else image28
    return Explanation(image28, np.full(10, 0.1), 7, 1, evidence, "test")


def _over(rgba, background):
    """An RGBA colour composited over an RGB background, as a canvas shows it."""
    alpha = rgba[3] / 255
    return np.array(rgba[:3]) * alpha + np.array(background) * (1 - alpha)


def _luminance(rgb):
    return float(np.dot(rgb, (0.2126, 0.7152, 0.0722)))


def test_the_why_map_over_black_ink_shows_its_colours_and_leaves_the_stroke_visible():
    evidence = np.zeros((28, 28), np.float32)
    evidence[10, 5:15], evidence[20, 5:15] = 2.0, -1.0  # a stroke for the answer, one against
    evidence[13, 5:15] = 2.0 * display.WHY_BOX_WEAKEST  # the weakest evidence coloured
    evidence[16, 5:15] = 0.1  # evidence too weak to colour: the ink stays black
    rgba = display.why_box_rgba(evidence)
    assert rgba.shape == (28, 28, 4) and rgba.dtype == np.uint8
    assert rgba[..., 3].max() == round(255 * display.WHY_BOX_OPACITY) == 191
    assert rgba[13, 8, 3] == round(255 * display.WHY_BOX_FAINTEST) and rgba[16, 8, 3] == 0
    assert tuple(rgba[10, 8, :3]) == display.WHY_WARM and tuple(rgba[20, 8, :3]) == display.WHY_COOL
    black, white = display.rgb(display.INK_COLOUR), display.rgb(display.PAD_COLOUR)
    for pixel in (rgba[10, 8], rgba[20, 8], rgba[13, 8]):  # strong warm, cool, weakest warm
        on_ink, on_paper = _over(pixel, black), _over(pixel, white)
        assert on_ink.max() >= 130  # a colour, not black (the old map: (103, 38, 6), dark brown)
        assert _luminance(on_paper) - _luminance(on_ink) >= 60  # the stroke stays darker
    on_ink = _over(rgba[10, 8], black)
    assert on_ink[0] > on_ink[1] > on_ink[2] and on_ink[0] >= 170  # orange
    on_ink = _over(rgba[20, 8], black)
    assert on_ink[2] > on_ink[1] > on_ink[0] and on_ink[2] >= 170  # blue
    # the colour spreads one pixel onto the paper beside the stroke, no further
    assert rgba[9, 8, 3] == rgba[10, 8, 3] and rgba[8, 8, 3] == 0 and rgba[18, 8, 3] == 0
    assert (display.why_box_rgba(np.zeros((28, 28)))[..., 3] == 0).all()
    with pytest.raises(ValueError):
        display.why_box_rgba(np.full((28, 28), np.nan))


def test_the_why_map_is_stretched_over_the_box_with_a_halo_round_it():
    evidence = np.zeros((28, 28), np.float32)
    evidence[4:24, 9:19] = 1.0  # ink in rows 4-23, columns 9-18: 20 high, 10 wide
    why = _explanation(evidence)
    assert why.ink_bounds() == (4, 24, 9, 19)
    (left, top), image = display.why_box(why, (100, 50, 150, 150))  # 5x the map, both ways
    assert (image.mode, image.size) == ("RGBA", (50 + 2 * 5, 100 + 2 * 5))
    assert (left, top) == (95, 45)  # one map pixel (5 pad pixels) of halo all round
    alpha = np.asarray(image)[..., 3]
    assert alpha[55, 30] == round(255 * display.WHY_BOX_OPACITY)  # over the ink
    assert alpha[2, 2] > 0  # the halo, outside the box
    assert display.why_box(why, (100, 50, 101, 150)) is None  # too small to draw


# ------------------------------------------------------------- what both front ends share

def test_previews_shrink_to_fit_their_row():
    assert display.preview_scale(3, 800, 50, 10) == display.PREVIEW_SCALE  # 3 x (84 + 10)
    assert display.preview_scale(12, 800, 50, 10) == 2  # 12 x (56 + 10) fit in 800
    assert display.preview_scale(13, 800, 50, 10) == 1  # 13 x (50 + 10): the text is wider
    assert display.preview_scale(40, 800, 50, 10) == display.PREVIEW_SCALES[-1]  # cut off


def test_the_chart_in_words_and_in_html():
    unsure = display.chart(detection(7, 0.6), 1)
    assert display.chart_notes(unsure) == "unsure: low confidence (60%)\nnext likeliest: 8 (4%)"
    assert display.chart_notes(display.chart(detection(7, 1.0), 0)) == "next likeliest: 8 (0%)"
    page = display.chart_html(unsure)
    assert page.count("<tr>") == 10 and "<b>unsure</b>: low confidence (60%)" in page
    assert f"background:{display.UNSURE_COLOUR}" in page


def test_a_message_is_shown_in_its_kinds_colour_and_escaped():
    from digitlib.pads.session import Message

    shown = display.message_html(Message("Could not open <b>.png", "error"))
    assert f"color:{display.ERROR_COLOUR}" in shown and "&lt;b&gt;" in shown
    assert "color:" not in display.message_html(Message("Read: 7", "result"))
    assert display.label_caption([detection(1, 0.9)], 0) == "Label:"
    assert display.label_caption([detection(1, 0.9)] * 3, 1) == "Label of #2:"


def test_the_overlay_holds_boxes_labels_and_the_heat_map_of_the_selected_reading():
    evidence = np.zeros((28, 28), np.float32)
    evidence[4:24, 9:19] = 1.0
    readings = [detection(1, 0.98, box=(10, 40, 40, 120)),
                detection(7, 0.5, box=(90, 40, 130, 120))]
    plain = display.overlay(readings, 1, (1.0, 0, 0), None, display.text_size, (200, 200))
    assert [box.selected for box in plain.boxes] == [False, True] and plain.heat is None
    assert [label.text for label in plain.labels] == ["1 98%", "7? 50%"]
    why = display.overlay(readings, 1, (1.0, 0, 0), _explanation(evidence), display.text_size,
                          (200, 200))
    assert why.heat[0] == display.why_box(_explanation(evidence), (90, 40, 130, 120))[0]


def test_a_picture_is_scaled_to_its_place_on_the_pad():
    from PIL import Image

    picture, corner = display.placed(Image.new("L", (100, 50)), (100, 50), (2.8, 0, 70))
    assert picture.size == (280, 140) and corner == (0, 70)
