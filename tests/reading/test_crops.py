"""Digits cropped tight out of scans, photos and screenshots (issue #33): a visible digit is never
"nothing here", whichever way the picture reaches the reader.

The crops are generated (``digitlib.datasets.synthetic_crops``) from MNIST *test* digits with the
REPORT settings, the ones no rule was tuned on.
"""

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitlib.__main__ import main
from digitlib.datasets import synthetic_crops, synthetic_photos
from digitlib.pads.session import PadSession
from digitlib.reading import paper
from tests.helpers import mnist_test_set

# Every kind of crop, in both polarities: (polarity, bitmap, blur, jpeg, margin in pixels).
KINDS = [(polarity, bitmap, blur, jpeg, margin)
         for polarity in synthetic_crops.POLARITIES
         for bitmap, blur, jpeg, margin in ((False, False, False, 0), (True, False, False, 0),
                                            (False, True, False, 0), (False, False, True, 0),
                                            (True, False, True, 0), (False, True, True, 3),
                                            (False, False, False, 2))]


def kind_name(kind) -> str:
    polarity, bitmap, blur, jpeg, margin = kind
    return "-".join([polarity.replace(" ", "_"), "bitmap" if bitmap else "grey"]
                    + ["blur"] * blur + ["jpeg"] * jpeg + [f"margin{margin}"] * bool(margin))


def crops_of(kind, digits=1, count=4, seed=0):
    """``count`` crops of one kind, of MNIST test digits chosen so that the model reads each
    of them right when they are written MNIST's way (the test is of the crop, not the model)."""
    x_test, y_test = mnist_test_set()
    polarity, bitmap, blur, jpeg, margin = kind
    rng = np.random.default_rng(seed)
    crops = []
    for _ in range(count):
        chosen = rng.choice(len(x_test), digits, replace=False)
        crops.append(synthetic_crops.crop_of(x_test[chosen], y_test[chosen], rng,
                                             polarity=polarity, bitmap=bitmap, blur=blur,
                                             jpeg=jpeg, margin=margin))
    return crops


def read_one(predictor, image) -> str:
    found = predictor.predict_digit(image)
    return str(found.digit) if found else ""


def read_all(predictor, image) -> str:
    return "".join(str(d.digit) for d in predictor.predict_digits(image))


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", KINDS, ids=kind_name)
def test_a_tight_crop_reads_as_its_digit(predictor, kind):
    crops = crops_of(kind, seed=1)
    read = [read_one(predictor, crop.image) for crop in crops]
    assert "" not in read, "a visible digit came back as nothing"
    assert sum(text == crop.label for text, crop in zip(read, crops, strict=True)) >= 3, (
        read, [crop.label for crop in crops])
    # predict_digits reads the same single digit, and so does the picture's PNG file
    assert all(read_all(predictor, crop.image) == text for crop, text in zip(crops, read,
                                                                              strict=True))
    assert read_all(predictor, png_bytes(crops[0].image)) == read[0]


@pytest.mark.parametrize("kind", KINDS[::2], ids=kind_name)
def test_a_short_number_cropped_tight_reads_as_its_digits(predictor, kind):
    crops = crops_of(kind, digits=3, count=3, seed=2)
    read = [read_all(predictor, crop.image) for crop in crops]
    assert all(len(text) == 3 for text in read), read
    assert sum(text == crop.label for text, crop in zip(read, crops, strict=True)) >= 2, (
        read, [crop.label for crop in crops])


def test_the_cli_reads_every_kind_of_tight_crop(predictor, tmp_path, capsys,
                                               keep_tensorflow_threads):
    crops = [crops_of(kind, digits=digits, count=1, seed=3)[0]
             for kind in KINDS for digits in (1, 3)]
    paths = []
    for number, crop in enumerate(crops):  # saved as a user would: PNG, or JPEG when it was one
        jpeg = "jpeg" in crop.kinds
        paths.append(tmp_path / f"crop{number}.{'jpg' if jpeg else 'png'}")
        (crop.image.convert("RGB") if jpeg else crop.image).save(paths[-1], quality=95)
    assert main(["predict", *map(str, paths), "--json"]) == 0
    readings = json.loads(capsys.readouterr().out)
    assert all(reading["digits"] for reading in readings), "no crop is nothing"
    assert [reading["digits"] for reading in readings] == [
        read_all(predictor, Image.open(path)) for path in paths]
    right = sum(reading["digits"] == crop.label for reading, crop in zip(readings, crops,
                                                                         strict=True))
    assert right >= len(crops) - 2, [(r["digits"], c.label) for r, c in zip(readings, crops,
                                                                            strict=True)]


def test_the_pad_reads_every_kind_of_uploaded_tight_crop(predictor):
    pad = PadSession(predictor)
    for kind in KINDS:
        for crop in (crops_of(kind, count=1, seed=5)[0], crops_of(kind, digits=2, count=1,
                                                                  seed=5)[0]):
            assert pad.load_image(png_bytes(crop.image), name="crop.png"), kind
            found = "".join(str(d.digit) for d in pad.recognize())
            assert found == read_all(predictor, crop.image) and len(found) == len(crop.label), (
                kind, found, crop.label)


# --- what is still nothing, or an error ----------------------------------------------------


def test_blank_and_near_blank_pictures_are_still_nothing(predictor):
    rng = np.random.default_rng(6)
    pictures = {
        "white": Image.new("L", (120, 160), 255),
        "black": Image.new("L", (120, 160), 0),
        "grey grain": Image.fromarray(np.clip(rng.normal(200, 2, (160, 120)), 0, 255)
                                      .astype(np.uint8)),
        "a speck": Image.new("L", (120, 160), 255),
        "blank paper": synthetic_photos.blank_page(rng),
        "a wall": synthetic_photos.wall(rng),
    }
    ImageDraw.Draw(pictures["a speck"]).point((60, 80), fill=0)
    for name, picture in pictures.items():
        assert predictor.predict_digit(picture) is None, name
        assert predictor.predict_digits(picture) == [], name


def test_noise_and_printed_text_are_still_not_digits(predictor):
    rng = np.random.default_rng(7)
    with pytest.raises(ValueError, match="printed text"):
        predictor.predict_digits(synthetic_photos.printed_text(rng))
    with pytest.raises(ValueError, match="too dark"):
        predictor.predict_digits(synthetic_photos.dark(rng))
    noise = Image.fromarray((rng.random((160, 160)) < 0.5).astype(np.uint8) * 255)
    assert all(d.unsure for d in predictor.predict_digits(noise))


# --- the pieces --------------------------------------------------------------------------


def test_the_generator_makes_every_kind_and_is_reproducible():
    first = synthetic_crops.crop_set("test", 40, (1, 3), seed=8)
    again = synthetic_crops.crop_set("test", 40, (1, 3), seed=8)
    assert [c.label for c in first] == [c.label for c in again]
    assert all(np.array_equal(np.asarray(a.image), np.asarray(b.image))
               for a, b in zip(first, again, strict=True))
    assert {kind for crop in first for kind in crop.kinds} == set(synthetic_crops.KINDS)
    for crop in first:  # tight: ink within the margin of every side
        grey = np.asarray(crop.image.convert("L"), np.float32)
        ink = (grey - grey.min()) / np.ptp(grey)
        if crop.conditions["polarity"] == "dark on light":
            ink = 1 - ink
        rows, columns = np.flatnonzero((ink > 0.1).any(axis=1)), np.flatnonzero(
            (ink > 0.1).any(axis=0))
        room = crop.conditions["margin"] + 2
        assert rows[0] <= room and columns[0] <= room
        assert rows[-1] >= ink.shape[0] - 1 - room and columns[-1] >= ink.shape[1] - 1 - room
    assert synthetic_crops.TUNING != synthetic_crops.REPORT
    with pytest.raises(ValueError):
        synthetic_crops.crop_set("validation")


def test_light_on_dark_is_told_by_the_marks_not_the_level():
    for ground, marks in ((0, 255), (40, 200), (160, 255), (100, 0), (255, 0), (200, 120)):
        picture = np.full((120, 90), ground, np.uint8)
        picture[20:100, 40:50] = marks
        picture[20:30, 20:70] = marks
        assert paper.light_on_dark(picture) == (marks > ground), (ground, marks)
    assert not paper.light_on_dark(np.full((50, 50), 7, np.uint8))  # dark, but no marks


def test_a_mark_that_fills_the_picture_is_not_cut_off_by_the_edge():
    picture = np.full((90, 40), 235, np.uint8)
    picture[:, 20:32] = 20  # a 1 cropped tight: its ink runs into the top and bottom edges
    picture[:12, 6:32] = 20
    page = paper.read_page(picture, photo=True)
    assert page.ink.max() > 0.5 and page.cropped and page.cut_off == 0
    sheet = np.full((300, 400), 235, np.uint8)
    sheet[:40, 100:112] = 20  # a stroke of the next line, cut by the photo's top edge
    sheet[120:200, 200:212] = 20  # a 1 inside the photo
    page = paper.read_page(sheet, photo=True)
    assert page.cut_off == 1 and not page.cropped
    assert page.ink[:40, 90:120].max() == 0 and page.ink[120:200, 200:212].max() > 0.5
