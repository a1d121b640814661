"""digitlib.reading.paper: photos and scans of paper, and telling them from clean pad drawings.

The photos are generated (``digitlib.datasets.synthetic_photos``) from MNIST *test* digits; tests
that read digits need the real model (models/mnist_cnn.keras).
"""

import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from digitlib import config
from digitlib.__main__ import main
from digitlib.datasets import synthetic_photos
from digitlib.pads import display
from digitlib.reading import images, paper, predict, segment
from digitlib.reading.strokes import Drawing
from tests.conftest import require

# A small test set: enough to tell the photo path from today's pad path (which reads about a
# third of these right), small enough for the test run.
SINGLES, NUMBERS = 40, 25


@pytest.fixture(scope="module")
def trained():
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"{config.DEFAULT_MODEL_PATH} is missing: run `make model`")
    return predict.Predictor.load()


@pytest.fixture(scope="module")
def mnist_test():
    from digitlib.datasets import mnist

    _, (x_test, y_test) = mnist.load_mnist()
    return x_test, y_test


def a_photo(mnist_test, digits=3, seed=0, **conditions):
    x_test, y_test = mnist_test
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(x_test), digits, replace=False)
    return synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, **conditions)


def pad_drawing(size=(280, 280), brush=16.0):
    """A 4 and a 7 drawn with the pad's own rasteriser."""
    pad = Drawing(*size, brush=brush)
    width, height = size
    for stroke in ([(0.3, 0.15), (0.1, 0.6), (0.45, 0.6)], [(0.35, 0.3), (0.35, 0.9)],
                   [(0.6, 0.2), (0.9, 0.2), (0.7, 0.9)]):
        pad.start(stroke[0][0] * width, stroke[0][1] * height)
        for x, y in stroke[1:]:
            pad.extend(x * width, y * height)
        pad.end()
    return pad.to_image()


def jpeg(image, quality=85):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


# --- telling photos from pad drawings -------------------------------------------------------


def test_clean_pad_drawings_are_never_photos(mnist_test):
    drawing = pad_drawing()
    x_test, _ = mnist_test
    canvas = Image.new("L", (500, 140), 255)
    for slot in range(5):
        canvas.paste(Image.fromarray(255 - x_test[slot]).resize((84, 84)), (10 + 95 * slot, 25))
    grey = np.asarray(drawing)
    variants = {
        "pad (L)": drawing, "pad (RGB)": drawing.convert("RGB"),
        "pad (RGBA)": drawing.convert("RGBA"), "pad as floats": grey / 255.0,
        "pad as bools": grey < 128, "white on black": 255 - grey,
        "pad saved as JPEG": jpeg(drawing), "a big pad": pad_drawing((1200, 900), brush=60),
        "MNIST canvas": canvas, "an MNIST digit": x_test[0],
    }
    for name, image in variants.items():
        assert paper.read_page(image).source == paper.DRAWING, name


def test_photos_are_told_apart(mnist_test):
    for seed in range(12):
        photo = a_photo(mnist_test, seed=seed)
        assert paper.read_page(photo.image).source == paper.PHOTO, photo.conditions


def test_the_path_can_be_forced(trained, mnist_test):
    photo = a_photo(mnist_test, seed=1)
    assert {d.source for d in trained.predict_digits(photo.image)} == {"photo"}
    assert {d.source for d in trained.predict_digits(photo.image, photo=False)} <= {"drawing"}
    drawing = pad_drawing()
    assert trained.predict_digit(drawing).source == "drawing"
    forced = trained.predict_digit(drawing, photo=True)
    assert forced.source == "photo" and forced.digit == trained.predict_digit(drawing).digit
    with pytest.raises(TypeError, match="photo must be"):
        trained.predict_digits(drawing, photo="yes")


def test_the_pad_path_is_unchanged():
    """Drawings go through today's ``images.to_ink``, bit for bit."""
    drawing = pad_drawing()
    for image in (drawing, drawing.convert("RGBA"), np.asarray(drawing) / 255.0):
        assert np.array_equal(paper.read_page(image).ink, images.to_ink(image))


# --- reading photos -------------------------------------------------------------------------


def test_reads_generated_photos_of_mnist_test_digits(trained):
    singles = synthetic_photos.photo_set("test", SINGLES, (1, 1), seed=101)
    numbers = synthetic_photos.photo_set("test", NUMBERS, (2, 6), seed=102)
    single_right = [(lambda found: found is not None and str(found.digit) == photo.label)(
        trained.predict_digit(photo.image)) for photo in singles]
    number_right = ["".join(str(d.digit) for d in trained.predict_digits(photo.image))
                    == photo.label for photo in numbers]
    today = ["".join(str(d.digit) for d in trained.predict_digits(photo.image, photo=False))
             == photo.label for photo in numbers]
    assert np.mean(single_right) >= 0.9, f"{np.mean(single_right):.0%} of single digits"
    assert np.mean(number_right) >= 0.8, f"{np.mean(number_right):.0%} of numbers"
    assert np.mean(today) < 0.6, "the generated photos are too easy to tell anything"


@pytest.mark.parametrize("ruling", synthetic_photos.RULINGS)
@pytest.mark.parametrize("ink", sorted(synthetic_photos.INKS))
def test_each_ink_on_each_paper(trained, mnist_test, ruling, ink):
    right = 0
    for seed in range(3):
        photo = a_photo(mnist_test, digits=3, seed=seed, ruling=ruling, ink=ink)
        right += "".join(str(d.digit) for d in trained.predict_digits(photo.image)) == photo.label
    assert right >= 2, f"{ink} ink on {ruling} paper: {right} of 3 read right"


def test_printed_lines_are_removed_but_crossing_strokes_kept(mnist_test):
    photo = a_photo(mnist_test, digits=2, seed=4, ruling="squared", tilt=1.5)
    page = paper.read_page(photo.image, keep_stages=True)
    assert page.stages["lines"].mean() > 0.03, "the grid was found"
    # The photo was turned 1.5 degrees counter-clockwise: its lines fall 1.5 degrees.
    assert abs(page.angle + 1.5) <= 0.5, "and the sheet straightened"
    for box in photo.boxes:  # each digit is still there, in one piece or a few
        inside = page.ink[box[1] + 3 : box[3] - 3, box[0] + 3 : box[2] - 3]
        assert (inside > 0.5).mean() > 0.05


def test_boxes_map_back_through_the_turn():
    page = paper.Page(np.zeros((300, 400), np.float32), paper.PHOTO, scale=2.0, size=(800, 600),
                      angle=3.0)
    left, top, right, bottom = page.to_original((100, 100, 140, 160))
    assert 180 <= left <= 220 and 180 <= top <= 220 and right - left >= 80
    assert page.to_original((0, 0, 400, 300))[2:] == (800, 600)


# --- big photos, annotations, the CLI -------------------------------------------------------


@pytest.fixture(scope="module")
def big_photo(mnist_test):
    """A 2400x1800 JPEG of three digits (big enough to be decoded at a reduced size)."""
    photo = a_photo(mnist_test, digits=3, seed=7, size=(800, 600), digit_height=90,
                    ruling="ruled", tilt=1.0)
    return photo, synthetic_photos.large_photo(photo, (2400, 1800))


def test_big_photo_boxes_are_in_the_original_pixels(trained, big_photo):
    photo, data = big_photo
    found = trained.predict_digits(data)
    assert "".join(str(d.digit) for d in found) == photo.label
    for detection, box in zip(found, photo.boxes, strict=True):
        expected = tuple(3 * value for value in box)  # 800x600 -> 2400x1800
        assert segment.iou(detection.box, expected) > 0.6, (detection.box, expected)


def test_annotate_draws_on_the_original_photo(trained, big_photo):
    photo, data = big_photo
    found = trained.predict_digits(data)
    picture = display.annotate(data, found)
    assert picture.size == (2400, 1800) and picture.mode == "RGB"
    original = np.asarray(images.open_image(data).convert("RGB")).astype(int)
    drawn = np.asarray(picture).astype(int)
    changed = np.abs(drawn - original).max(axis=2) > 0
    assert changed.mean() < 0.05, "the photo itself, with a few boxes and labels on it"
    left, top, right, bottom = found[0].box
    edge = drawn[(top + bottom) // 2, left]
    assert edge[1] > edge[0] + 50 or edge[0] > edge[2] + 100, "a green or orange box line"
    single = trained.predict_digit(photo.image)  # one Prediction: boxed round all the ink
    assert display.annotate(photo.image, single).size == photo.image.size


def test_cli_photo(trained, big_photo, tmp_path, capsys, keep_tensorflow_threads,
                   monkeypatch):
    photo, data = big_photo
    path = tmp_path / "homework.jpg"
    path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    assert main(["predict", str(path), "--photo", "--json"]) == 0
    [reading] = json.loads(capsys.readouterr().out)
    assert reading["source"] == "photo" and reading["digits"] == photo.label
    assert sorted(os.listdir(tmp_path)) == ["homework.jpg"], "nothing written unasked"
    assert main(["predict", str(path)]) == 0  # decided by itself, said in the output
    assert "(read as a photo of paper)" in capsys.readouterr().out
    out = tmp_path / "boxed.png"
    assert main(["predict", str(path), "--photo", "--annotate", str(out)]) == 0
    assert Image.open(out).size == (2400, 1800)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("ruling", synthetic_photos.RULINGS)
def test_blank_paper_gives_nothing(trained, ruling):
    for seed in range(3):
        page = synthetic_photos.blank_page(np.random.default_rng(seed), ruling=ruling)
        assert trained.predict_digits(page, photo=True) == []
        assert trained.predict_digits(page) == []
        assert trained.predict_digit(page) is None


def test_a_wall_gives_nothing(trained):
    for seed in range(3):
        wall = synthetic_photos.wall(np.random.default_rng(seed))
        assert trained.predict_digits(wall) == []


def test_a_dark_photo_is_refused_clearly(trained):
    dark = synthetic_photos.dark(np.random.default_rng(0))
    with pytest.raises(ValueError, match="too dark"):
        trained.predict_digits(dark, photo=True)
    with pytest.raises(ValueError, match="too dark"):
        trained.predict_digits(dark)


def test_printed_text_is_refused_clearly(trained):
    text = synthetic_photos.printed_text(np.random.default_rng(0))
    with pytest.raises(ValueError, match="printed text"):
        trained.predict_digits(text, photo=True)


def test_a_huge_file_is_refused_clearly(tmp_path, keep_tensorflow_threads, capsys):
    path = tmp_path / "huge.jpg"
    Image.new("RGB", (6000, 5000), (240, 240, 240)).save(path, quality=50)
    with pytest.raises(ValueError, match="too large"):
        paper.read_page(path)
    with pytest.raises(ValueError, match="too large"):
        paper.read_page(path.read_bytes(), photo=True)
    model = str(config.DEFAULT_MODEL_PATH)
    require(config.DEFAULT_MODEL_PATH.exists(), "no model")
    assert main(["predict", str(path), "--photo", "--model", model]) == 1
    assert "too large" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["huge.jpg"]


def test_printed_text_is_refused_when_decided_too(trained):
    text = synthetic_photos.printed_text(np.random.default_rng(1))
    with pytest.raises(ValueError, match="printed text"):
        trained.predict_digits(text)


def test_a_big_photo_taken_sideways_is_read_upright(trained, big_photo):
    """A phone records how it was held in EXIF; the reduced decoding applies it too."""
    photo, data = big_photo
    sideways = Image.open(io.BytesIO(data)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to view
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", quality=85, exif=exif)
    found = trained.predict_digits(buffer.getvalue())
    assert "".join(str(d.digit) for d in found) == photo.label
    assert paper.read_page(buffer.getvalue()).size == (2400, 1800)
    assert display.annotate(buffer.getvalue(), found).size == (2400, 1800)


def test_printed_text_is_refused_for_one_digit_too(trained):
    text = synthetic_photos.printed_text(np.random.default_rng(2))
    with pytest.raises(ValueError, match="printed text"):
        trained.predict_digit(text)


def test_is_photo_agrees_with_read_page_for_the_pad(mnist_test):
    drawing = pad_drawing()
    for image in (drawing, drawing.convert("RGBA"), np.asarray(drawing) / 255.0,
                  Image.open(io.BytesIO(jpeg(drawing)))):
        assert not paper.is_photo(image)
    for seed in range(3):
        photo = a_photo(mnist_test, seed=seed).image
        assert paper.is_photo(photo) and paper.read_page(photo).source == paper.PHOTO
    with pytest.raises(TypeError, match="PIL image or a numpy array"):
        paper.is_photo("photo.jpg")


# --- issue 32: photos deeper than 8 bits ------------------------------------------------------


def test_a_deep_photo_reads_as_its_8_bit_copy(trained, mnist_test):
    """A 16-bit PNG or a float TIFF of a photo of 721 reads as the same photo in 8 bits: the
    photo path scales deep values by their range instead of clipping them to colours."""
    x_test, y_test = mnist_test
    photo = synthetic_photos.photo_of(x_test[[0, 1, 2]], y_test[[0, 1, 2]],
                                      np.random.default_rng(0), ruling="plain", tilt=0.0)
    grey = np.asarray(photo.image.convert("L"))
    expected = "".join(str(d.digit) for d in trained.predict_digits(Image.fromarray(grey)))
    assert expected == "721"
    for name, deep in (("PNG", Image.fromarray(grey.astype(np.uint16) * 257)),
                       ("TIFF", Image.fromarray(grey.astype(np.float32) / 255))):
        stored = io.BytesIO()
        deep.save(stored, name)
        found = trained.predict_digits(stored.getvalue())
        assert "".join(str(d.digit) for d in found) == expected, name
        assert found[0].source == paper.PHOTO, name


def test_a_faint_pencil_photo_reads_the_same_whatever_the_route(trained, mnist_test, tmp_path):
    """Issue 30: a 12-MP photo of faint pencil digits gives one reading from its path, its
    bytes, the PIL image and the pad (a reduced JPEG decode used to lose the faint last 0)."""
    from digitlib.pads.session import PadSession

    x_test, y_test = mnist_test
    chosen = [int(np.flatnonzero(y_test == digit)[k])
              for k, digit in enumerate((3, 1, 8, 5, 6, 2, 0), start=1)]
    small = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], np.random.default_rng(5),
                                      size=(1000, 750), digit_height=70, ruling="plain",
                                      ink="black", tilt=0.0)
    pixels = np.asarray(small.image, np.float32)
    paper_colour = np.median(pixels.reshape(-1, 3), axis=0)
    pencil = (paper_colour + (pixels - paper_colour) * 0.45).clip(0, 255).astype(np.uint8)
    faint = synthetic_photos.SyntheticPhoto(Image.fromarray(pencil), small.label, small.boxes,
                                            small.conditions)
    path = tmp_path / "pencil.jpg"
    path.write_bytes(synthetic_photos.large_photo(faint, (4000, 3000)))
    routes = {"path": path, "bytes": path.read_bytes(), "PIL": Image.open(path)}
    read = {name: "".join(str(d.digit) for d in trained.predict_digits(source))
            for name, source in routes.items()}
    pad = PadSession(trained)
    assert pad.load_image(path.read_bytes(), name="pencil.jpg")
    read["pad"] = "".join(str(d.digit) for d in pad.recognize())
    assert len(set(read.values())) == 1, read  # one reading, whatever the route
    assert len(read["path"]) == 7 and read["path"].endswith("0"), read
