"""digitlib.reading.predict: one predictor for the widget, the Tk app and the CLI.

Tests marked by the ``trained`` fixture need the real model (models/mnist_cnn.keras); the rest
run with a tiny untrained stand-in when it is missing.
"""

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image, ImageDraw

from digitlib import config
from digitlib.datasets.synthetic import draw_digits, row_of_places
from digitlib.reading import any_digit, images, predict, runtime, segment, touching, whole_digit
from digitlib.reading.predict import Detection, Prediction, Predictor
from digitlib.reading.preprocess import to_mnist
from tests.conftest import require
from tests.helpers import (
    ink_box,
    iou,
    mnist_canvas,
    mnist_test_set,
    release,
    special_files,
    tiny_model,
    touching_numbers,
    within_deadline,
)


@pytest.fixture(scope="session")
def trained():
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"{config.DEFAULT_MODEL_PATH} is missing: run `make model`")
    return Predictor.load("committed")


@pytest.fixture(scope="session")
def predictor():
    """The real model when there is one, else an untrained stand-in (for API and errors)."""
    if config.DEFAULT_MODEL_PATH.exists():
        return Predictor.load("committed")
    return Predictor(tiny_model())


def pad_with(digit, brush=16.0):
    return draw_digits([digit], [(90, 40, 100, 200)], brush=brush)


# --- the API the front ends code against ----------------------------------------------------


def check_prediction(result):
    assert isinstance(result, Prediction)
    assert isinstance(result.digit, int) and 0 <= result.digit <= 9
    assert isinstance(result.confidence, float) and 0.0 <= result.confidence <= 1.0
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-4)
    assert result.confidence == pytest.approx(result.probabilities.max())
    assert len(result.top3) == 3 and result.top3[0] == (result.digit, result.confidence)
    assert [p for _, p in result.top3] == sorted((p for _, p in result.top3), reverse=True)
    assert all(isinstance(d, int) and isinstance(p, float) for d, p in result.top3)
    assert isinstance(result.unsure, bool) and result.unsure == bool(result.reason)
    assert result.image28.shape == (28, 28) and result.image28.dtype == np.float32


def test_predict_digit_result(predictor):
    image = pad_with(3)
    result = predictor.predict_digit(image)
    check_prediction(result)
    # image28 is exactly what to_mnist makes of the drawing, and what the model saw.
    expected = to_mnist(segment.whole_drawing(images.to_ink(image)).ink)
    np.testing.assert_array_equal(result.image28, expected)
    direct = predictor.model.predict(expected[None, ..., None], verbose=0)[0]
    np.testing.assert_allclose(result.probabilities, direct, atol=1e-5)


def test_predict_digits_result(predictor):
    digits, places, size = [1, 2, 3], row_of_places(3), (280, 140)
    found = predictor.predict_digits(draw_digits(digits, places, size))
    assert len(found) == 3
    for detection in found:
        assert isinstance(detection, Detection) and isinstance(detection, Prediction)
        check_prediction(detection)
        assert len(detection.box) == 4 and all(isinstance(v, int) for v in detection.box)
    assert {field.name for field in dataclasses.fields(Detection)} >= {
        "digit", "confidence", "probabilities", "top3", "unsure", "image28", "box"}


def test_blank_gives_none():
    blank_predictor = Predictor(tiny_model())
    for blank in (Image.new("L", (280, 280), 255), np.zeros((280, 280), np.uint8),
                  np.ones((28, 28), np.float32), Image.new("RGBA", (100, 100), (0, 0, 0, 0))):
        assert blank_predictor.predict_digit(blank) is None
        assert blank_predictor.predict_digits(blank) == []


def no_confident_digit(predictor, image):
    single, several = predictor.predict_digit(image), predictor.predict_digits(image)
    return (single is None or single.unsure) and all(d.unsure for d in several)


def test_a_dot_is_no_confident_digit(predictor):
    for radius in (1, 4, 10, 30):
        image = Image.new("L", (280, 280), 255)
        ImageDraw.Draw(image).ellipse((140 - radius, 140 - radius, 140 + radius, 140 + radius), 0)
        assert no_confident_digit(predictor, image), f"a dot of radius {radius}"


@pytest.mark.parametrize("angle", [0, 8, -15])
@pytest.mark.parametrize("width", [1, 3, 12])
def test_a_ruler_line_is_no_confident_digit(predictor, angle, width):
    image = Image.new("L", (280, 280), 255)
    rise = 100 * np.tan(np.radians(angle))
    ImageDraw.Draw(image).line((40, 140 - rise, 240, 140 + rise), fill=0, width=width)
    assert no_confident_digit(predictor, image)


def test_a_filled_blob_is_unsure(predictor):
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).rectangle((80, 60, 200, 220), fill=0)
    assert predictor.predict_digit(image).unsure
    assert "blob" in predictor.predict_digit(image).reason


def test_unsure_threshold():
    strict, lenient = Predictor(tiny_model(), unsure_below=1.0), Predictor(tiny_model(), 0.0)
    image = pad_with(7)
    assert strict.predict_digit(image).unsure
    assert "confidence" in strict.predict_digit(image).reason
    assert not lenient.predict_digit(image).unsure
    assert predict.UNSURE_BELOW == 0.8


def test_any_input_form_gives_the_same_reading(predictor, tmp_path):
    image = pad_with(2)  # black on white, mode L
    grey = np.asarray(image)
    transparent = Image.new("RGBA", image.size, (0, 0, 0, 0))
    transparent.putalpha(Image.fromarray(255 - grey))  # black strokes on a see-through pad
    path = tmp_path / "two.png"
    image.save(path)
    forms = [image, image.convert("RGB"), transparent, image.convert("CMYK"), grey,
             255 - grey, grey.astype(np.float32) / 255, grey < 128,
             np.dstack([grey] * 3), path, str(path)]
    reference = predictor.predict_digit(image)
    for form in forms:
        result = predictor.predict_digit(form)
        assert result.digit == reference.digit
        np.testing.assert_allclose(result.probabilities, reference.probabilities, atol=0.05)


@pytest.mark.parametrize("engine", [runtime.ONNX_RUNTIME, runtime.TENSORFLOW])
def test_serving_path_never_calls_keras(predictor, monkeypatch, engine):
    """Reading runs the compiled model only: neither ``model.predict`` (slow) nor ``model(x)``."""
    if engine == runtime.TENSORFLOW:  # the fallback: a TensorFlow graph traced at load
        monkeypatch.setattr(runtime, "_onnx_runtime", lambda model, threads: 1 / 0)
        predictor = Predictor(predictor.model)
    assert predictor.runtime == engine
    canvas = draw_digits([4, 7], row_of_places(2), (200, 140))
    image28 = to_mnist(segment.whole_drawing(images.to_ink(pad_with(5))).ink)
    expected = predictor.model(image28[None, ..., None], training=False)[0].numpy()

    def forbidden(*args, **kwargs):
        raise AssertionError("the serving path called Keras")

    # Python looks ``model(x)`` up on the class, never on the instance: patch the class.
    monkeypatch.setattr(type(predictor.model), "__call__", forbidden)
    monkeypatch.setattr(predictor.model, "predict", forbidden)
    with pytest.raises(AssertionError, match="called Keras"):  # the guards are in place
        predictor.model(image28[None, ..., None])
    with pytest.raises(AssertionError, match="called Keras"):
        predictor.model.predict(image28[None, ..., None])

    single = predictor.predict_digit(pad_with(5))
    several = predictor.predict_digits(canvas)

    check_prediction(single)
    np.testing.assert_allclose(single.probabilities, expected, atol=1e-5)
    assert len(several) == 2
    for detection in several:
        check_prediction(detection)


def test_all_digits_of_a_canvas_in_one_batched_call(predictor):
    calls = []

    def counting(batch):
        calls.append(batch.shape[0])
        return predictor.classify(batch)

    counted = Predictor(predictor.model, model_call=counting)
    assert counted.runtime == predict.GIVEN_MODEL_CALL and calls == [1]  # the warm-up
    digits = [3, 1, 4, 1, 5, 9, 2, 6]
    places = row_of_places(8, gap=12)
    found = counted.predict_digits(draw_digits(digits, places, (640, 140)))
    assert len(found) == 8 and calls == [1, 8]
    assert [d.digit for d in found] == [d.digit for d in predictor.predict_digits(
        draw_digits(digits, places, (640, 140)))]


# --- quality with the trained model ---------------------------------------------------------


def test_mnist_canvases_are_read(trained):
    rng = np.random.default_rng(2024)
    digits_right = digits_total = canvases_right = 0
    overlaps = []
    for trial in range(150):
        count = int(rng.integers(2, 9))
        canvas, labels, boxes = mnist_canvas(
            rng, count, rows=1 if count <= 4 else int(rng.integers(1, 3)),
            scale=rng.uniform(1.0, 4.0), gap=(2, 12), dark_ink=trial % 2 == 0)
        found = trained.predict_digits(canvas)
        read = [d.digit for d in found]
        digits_total += count
        canvases_right += read == labels
        if len(found) == count:
            digits_right += sum(r == label for r, label in zip(read, labels, strict=True))
            overlaps += [iou(d.box, box) for d, box in zip(found, boxes, strict=True)]
    assert digits_right / digits_total >= 0.98, f"{digits_right}/{digits_total} digits read"
    assert canvases_right / 150 >= 0.9
    assert np.median(overlaps) == 1.0 and np.mean(np.array(overlaps) >= 0.9) >= 0.98


def test_the_options_are_checked(predictor):
    with pytest.raises(ValueError, match=r"touching must be one of \('search', 'columns'\)"):
        Predictor(predictor.model, touching="cut")
    with pytest.raises(TypeError, match="model_call must be a function"):
        Predictor(predictor.model, model_call="onnx")
    with pytest.raises(predict.ModelError, match="not probabilities"):
        Predictor(predictor.model, model_call=lambda batch: np.ones((len(batch), 10)))


@pytest.fixture(scope="module")
def columns_reader(trained):
    """The reader of touching digits before the string reader, on the same model."""
    return Predictor(trained.model, path=trained.path, touching="columns")


def touching_pairs(count, seed):
    """``count`` canvases of two MNIST test digits whose ink touches (one blob)."""
    rng = np.random.default_rng(seed)
    pairs = []
    while len(pairs) < count:
        scale = rng.uniform(1.5, 4.0)
        canvas, labels, boxes = mnist_canvas(rng, 2, scale=scale, gap=(-round(3 * scale), -1))
        if len(segment.find_digits(images.to_ink(canvas))) == 1:
            pairs.append((canvas, labels, boxes))
    return pairs


def test_touching_digits_are_read_apart(trained, columns_reader, monkeypatch):
    pairs = touching_pairs(100, seed=5)
    found = [trained.predict_digits(canvas) for canvas, _, _ in pairs]
    right = [[d.digit for d in digits] == labels for digits, (_, labels, _) in zip(
        found, pairs, strict=True)]
    assert sum(right) >= 40, f"{sum(right)}/100 touching pairs read (about half expected)"
    overlaps = [iou(d.box, box) for digits, (_, _, boxes), ok in zip(found, pairs, right,
                                                                      strict=True) if ok
                for d, box in zip(digits, boxes, strict=True)]
    assert np.median(overlaps) > 0.9
    # the split before the string reader, and without it: one digit per pair
    monkeypatch.setattr(predict, "SPLIT_BELOW", 0.0)
    assert all(len(columns_reader.predict_digits(canvas)) == 1 for canvas, _, _ in pairs)


def test_single_digits_are_never_cut(trained):
    rng = np.random.default_rng(6)
    canvases = [mnist_canvas(rng, 1, scale=rng.uniform(1.0, 4.0))[0] for _ in range(300)]
    counts = [len(trained.predict_digits(canvas)) for canvas in canvases]
    assert counts == [len(segment.find_digits(images.to_ink(canvas))) for canvas in canvases]


# Numbers whose digits all touch: how many of 60 read exactly right, with the string reader
# (measured: 44 pairs, 37 triples) and with the reader before it (31 pairs, no triple).
@pytest.mark.parametrize(("digits", "seed", "least"), [(2, 1, 40), (3, 2, 33)])
def test_touching_numbers_are_read(trained, columns_reader, digits, seed, least):
    numbers = touching_numbers(60, digits, seed)

    def read_right(reader=trained):
        found = [reader.predict_digits(canvas) for canvas, _, _ in numbers]
        right = [[d.digit for d in digits] == labels
                 for digits, (_, labels, _) in zip(found, numbers, strict=True)]
        return found, right

    found, right = read_right()
    assert sum(right) >= least, f"{sum(right)}/60 numbers of {digits} touching digits read"
    # Each digit read has its own tight box, where the digit is.
    overlaps = [iou(d.box, box) for detections, (_, _, boxes), ok in zip(
        found, numbers, right, strict=True) if ok for d, box in zip(detections, boxes,
                                                                     strict=True)]
    assert np.median(overlaps) > 0.85
    assert sum(read_right(columns_reader)[1]) < least


@pytest.mark.parametrize("present", [True, False])
def test_load_also_loads_the_small_models(monkeypatch, tmp_path, present):
    """The string reader's companion model and the no-digit model are loaded (and run once) with
    the digit model, so the first drawing is not slow; without their files the predictor still
    reads numbers."""
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras")
    for module in (whole_digit, any_digit):
        if present:
            require(module.MODEL_PATH.is_file(), f"needs {module.MODEL_PATH}")
        path = module.MODEL_PATH if present else tmp_path / "none.keras"
        monkeypatch.setattr(module, "MODEL", runtime.SmallModel(path))
    loaded = Predictor.load("committed")
    for module in (whole_digit, any_digit):
        assert module.MODEL._loaded and (module.MODEL._run is not None) == present
    (canvas, labels, _), = touching_numbers(1, 2, seed=3)
    assert len(loaded.predict_digits(canvas)) >= 1


@pytest.mark.parametrize("digit", [0, 1, 4, 5, 7])
@pytest.mark.parametrize("width", [60, 160])
def test_the_string_reader_never_cuts_one_digit(trained, monkeypatch, digit, width):
    """A wide 0, a 1 with a flag, 4, 5 and 7 drawn in two strokes: one digit each, even when
    every piece of ink is searched for touching digits."""
    monkeypatch.setattr(touching, "SURELY_SEVERAL", 0.0)  # search every piece
    picture = draw_digits([digit], [(20, 20, width, 100)], (width + 40, 140), brush=12)
    found = trained.predict_digits(picture)
    assert len(found) == 1
    assert found[0].box == ink_box(picture)


@pytest.mark.parametrize("brush", [6, 16, 30])
def test_drawn_digits_are_read(trained, brush):
    read = [trained.predict_digit(pad_with(digit, brush)) for digit in range(10)]
    right = [r.digit == digit for digit, r in enumerate(read)]
    assert sum(right) >= 9, f"read {[r.digit for r in read]} at brush {brush}"
    assert all(not r.unsure for r, ok in zip(read, right, strict=True) if ok)


def test_two_stroke_digits_come_back_as_one_digit_each(trained):
    digits = [4, 5, 7, 1, 4, 7, 5]
    places, size = row_of_places(len(digits), gap=16), (580, 140)
    found = trained.predict_digits(draw_digits(digits, places, size, brush=12))
    assert [d.digit for d in found] == digits
    for detection, place, digit in zip(found, places, digits, strict=True):
        alone = ink_box(draw_digits([digit], [place], size, brush=12))
        assert detection.box == alone


def test_the_single_pad_reads_mnist_digits(trained):
    x_test, y_test = mnist_test_set()
    right = 0
    for image, label in zip(x_test[:200], y_test[:200], strict=True):
        big = Image.fromarray(255 - image).resize((280, 280), Image.Resampling.BICUBIC)
        right += trained.predict_digit(big).digit == label
    assert right >= 196


# --- bad input and bad models ---------------------------------------------------------------


def png_bomb(path, side):
    import struct
    import zlib

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def bad_inputs(tmp_path):
    corrupt = tmp_path / "corrupt.png"
    pad_with(3).save(corrupt)
    corrupt.write_bytes(corrupt.read_bytes()[:150])
    not_image = tmp_path / "digits.png"
    not_image.write_text("no pixels here")
    return {
        "empty": (np.zeros((0, 0), np.uint8), ValueError, "empty"),
        "zero-size": (np.zeros((10, 0), np.float32), ValueError, "empty"),
        "nan": (np.full((20, 20), np.nan), ValueError, "NaN"),
        "inf": (np.full((20, 20), np.inf, np.float32), ValueError, "infinite"),
        "1-d": (np.zeros(784, np.uint8), ValueError, "shape"),
        "batch": (np.zeros((5, 28, 28), np.uint8), ValueError, "shape"),
        "int64": (np.zeros((28, 28), np.int64), TypeError, "uint8"),
        "0-255 floats": (np.full((28, 28), 200.0), ValueError, "divide 0-255"),
        "huge": (np.broadcast_to(np.uint8(0), (20000, 20000)), ValueError, "too large"),
        "bomb file": (png_bomb(tmp_path / "bomb.png", 20000), ValueError, "too large"),
        "corrupt": (corrupt, ValueError, "corrupt"),
        "not an image": (not_image, ValueError, "not an image"),
        "missing": (tmp_path / "nowhere.png", ValueError, "does not exist"),
        "list": ([[0, 1], [1, 0]], TypeError, "numpy array"),
        "none": (None, TypeError, "PIL image"),
    }


def test_bad_input_gets_a_clear_error(predictor, tmp_path):
    for name, (thing, error, words) in bad_inputs(tmp_path).items():
        for function in (predictor.predict_digit, predictor.predict_digits):
            with pytest.raises(error, match=words) as caught:
                function(thing)
            assert "tensorflow" not in str(caught.value).lower(), name


def test_paths_that_are_not_image_files_are_refused_at_once(predictor, tmp_path):
    """A named pipe used to block for ever; a device or a socket was said not to exist."""
    odd = special_files(tmp_path)
    try:
        for name, path in odd.items():
            for function in (predictor.predict_digit, predictor.predict_digits):
                _, error = within_deadline(function, path)
                assert isinstance(error, images.ImageError), (name, error)
                assert "\n" not in str(error) and "does not exist" not in str(error), name
    finally:
        release(tmp_path)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_a_matrix_or_a_very_long_name_gets_a_clear_error_or_a_reading(predictor):
    drawing = np.asarray(pad_with(3))
    assert [d.box for d in predictor.predict_digits(np.matrix(drawing))] == [
        d.box for d in predictor.predict_digits(drawing)]
    for function in (predictor.predict_digit, predictor.predict_digits):
        with pytest.raises(images.ImageError, match="5,000 characters is too long"):
            function("x" * 5000)


def test_missing_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m digitlib train") as caught:
        Predictor.load(tmp_path / "nothing.keras")
    assert isinstance(caught.value, ValueError) and "make model" in str(caught.value)


def test_load_by_name(tmp_path, monkeypatch):
    monkeypatch.setitem(config.MODEL_NAMES, "personal", tmp_path / "personal.keras")
    with pytest.raises(FileNotFoundError, match="python -m digitlib finetune") as caught:
        Predictor.load("personal")
    assert "personal.keras" in str(caught.value) and "digitlib train" not in str(caught.value)
    tiny_model().save(tmp_path / "personal.keras")
    assert Predictor.load("personal").path == tmp_path / "personal.keras"
    require(config.DEFAULT_MODEL_PATH.exists(), "needs the model file")
    assert Predictor.load("default").path == config.DEFAULT_MODEL_PATH


@pytest.mark.parametrize(
    "model, words",
    [
        (tiny_model(input_shape=(32, 32, 3)), "input of shape"),
        (tiny_model(input_shape=(28, 28)), "input of shape"),
        (tiny_model(outputs=5), "outputs shape"),
        (tiny_model(activation="linear"), "softmax"),
    ],
)
def test_unsuitable_model(tmp_path, model, words):
    path = tmp_path / "odd.keras"
    model.save(path)
    with pytest.raises(ValueError, match=words):
        Predictor.load(path)


def test_load_can_limit_tensorflow_threads(monkeypatch):
    calls = []
    monkeypatch.setattr(predict, "limit_threads", lambda count=1: calls.append(count) or False)
    require(config.DEFAULT_MODEL_PATH.exists(), "needs the model file")
    Predictor.load(onnx_copy=False, threads=1)  # TensorFlow runs the conversion: limited first
    Predictor.load(onnx_copy=False)
    assert calls == [1]
    reader = Predictor.load("committed", threads=1)  # the ONNX copy: no TensorFlow yet
    assert reader.onnx_path == config.COMMITTED_MODEL_PATH.with_suffix(".onnx")
    assert calls == [1]
    assert reader.model.output_shape == (None, 10)  # loads Keras, limited first
    assert calls == [1, 1]


def test_unreadable_model(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(predict.ModelError, match="could not load"):
        Predictor.load(path)
    with pytest.raises(TypeError):
        Predictor("models/mnist_cnn.keras")


# --- property-based: anything goes in, a result or a clear error comes out -------------------

array_inputs = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.bool_, np.float32, np.float64, np.float16, np.int32]),
    shape=st.one_of(
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=40),
        st.tuples(st.integers(1, 60), st.integers(1, 60), st.sampled_from([1, 2, 3, 4])),
    ),
    elements={"allow_nan": True, "allow_infinity": True},
)
image_inputs = st.builds(
    lambda array, mode: Image.fromarray(array).convert(mode),
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 80), st.integers(1, 80))),
    st.sampled_from(["L", "RGB", "RGBA", "LA", "1", "P", "I", "I;16", "F", "CMYK"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(thing=st.one_of(array_inputs, image_inputs, st.integers(), st.text(max_size=5)))
def test_anything_gives_a_result_or_a_clear_error(predictor, thing):
    try:
        single = predictor.predict_digit(thing)
        several = predictor.predict_digits(thing)
    except (ValueError, TypeError) as error:
        assert str(error) and "tensorflow" not in str(error).lower()
        return
    assert single is None or isinstance(single, Prediction)
    if single is not None:
        check_prediction(single)
    height, width = (thing.height, thing.width) if isinstance(thing, Image.Image) else \
        np.shape(thing)[:2]
    for detection in several:
        check_prediction(detection)
        left, top, right, bottom = detection.box
        assert 0 <= left < right <= width and 0 <= top < bottom <= height


# --- noise, limits and damaged model files --------------------------------------------------


def test_a_noise_photo_gives_no_sure_digit(predictor):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (3000, 4000, 3), dtype=np.uint8)  # a 12-megapixel photo
    assert not [d for d in predictor.predict_digits(noise) if not d.unsure]  # as a photo
    found = predictor.predict_digits(noise, photo=False)  # as a pad drawing: all of it is ink
    assert found, "noise is read as ink, but ..."
    assert all(d.unsure for d in found), "... never as a sure digit"
    assert {d.reason for d in found} == {"among specks of noise, not handwriting"}


def test_the_result_is_a_list_that_carries_warnings(predictor):
    found = predictor.predict_digits(pad_with(7))
    assert isinstance(found, list) and isinstance(found, predict.Readings)
    assert found.warnings == [] and len(found) == 1
    blank = predictor.predict_digits(Image.new("L", (50, 50), 255))
    assert blank == [] and blank.warnings == []


def test_digits_left_out_by_the_limit_are_said(predictor, monkeypatch):
    monkeypatch.setattr(segment, "MAX_BLOBS", 2)
    found = predictor.predict_digits(draw_digits([1, 4, 7], row_of_places(3), (280, 140)))
    assert len(found) == 2
    assert found.warnings == ["3 pieces of ink found: only the 2 largest were read (the limit "
                              "is 2); the others were left out"]


def test_an_animation_is_said_in_the_result(predictor, tmp_path):
    path = tmp_path / "moving.gif"
    pad_with(3).save(path, save_all=True, append_images=[Image.new("L", (280, 280), 255)])
    found = predictor.predict_digits(path)
    assert len(found) == 1 and "only the first was read" in found.warnings[0]


@pytest.mark.parametrize(
    "content, words",
    [
        (lambda good: b"", "is empty (0 bytes)"),
        (lambda good: b"junk" * 100, "damaged or not a Keras model"),
        (lambda good: good[: len(good) // 2], "damaged or not a Keras model"),
    ],
)
def test_a_damaged_model_file_is_described_in_one_line(tmp_path, content, words):
    good = tmp_path / "good.keras"
    tiny_model().save(good)
    damaged = tmp_path / "damaged.keras"
    damaged.write_bytes(content(good.read_bytes()))
    with pytest.raises(predict.ModelError, match=re.escape(words)) as caught:
        Predictor.load(damaged)
    message = str(caught.value)
    assert "File not found" not in message and "\n" not in message and str(damaged) in message


def test_one_line_drops_colour_codes_and_line_breaks():
    keras_like = ValueError("\x1b[1mInput 0 of layer\x1b[0m is incompatible:\n  expected 28,\n"
                            "  found 32\n")
    assert predict.one_line(keras_like) == "Input 0 of layer is incompatible: expected 28, found 32"


# --- issue 32: one path for predict_digit and predict_digits ---------------------------------


@pytest.mark.parametrize("share", [0.01, 0.05])
def test_salt_and_pepper_noise_is_no_sure_digit(predictor, share):
    rng = np.random.default_rng(3)
    noise = np.full((280, 280), 255, np.uint8)
    salted = rng.random(noise.shape) < share
    noise[salted] = rng.choice(np.array([0, 255], np.uint8), int(salted.sum()))
    single = predictor.predict_digit(noise)
    assert single is None or single.unsure
    assert all(reading.unsure for reading in predictor.predict_digits(noise))


def test_predict_digit_says_which_frame_of_an_animation_it_read(predictor, tmp_path):
    frames = [pad_with(7), Image.new("L", (280, 280), 0), Image.new("L", (280, 280), 128)]
    path = tmp_path / "wave.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    with pytest.warns(images.ImageWarning, match="holds 3 frames.*only the first"):
        assert predictor.predict_digit(path).digit == 7
    assert predictor.predict_digits(path).warnings
