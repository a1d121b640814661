"""digitlib.reading.images: any accepted input becomes ink in [0, 1]; bad input gets a clear
error."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitlib.reading import images, paper
from tests.helpers import release, special_files, within_deadline


def pad_with_a_bar(mode="L", ink=0, background=255, size=(60, 40)):
    """A pad with a filled bar (rows 10-19, columns 20-39) of ``ink`` on ``background``."""
    image = Image.new(mode, size, background)
    ImageDraw.Draw(image).rectangle((20, 10, 39, 19), fill=ink)
    return image


BAR = (slice(10, 20), slice(20, 40))


def assert_bar(ink):
    assert ink.dtype == np.float32 and ink.shape == (40, 60)
    assert ink.min() >= 0.0 and ink.max() <= 1.0
    assert np.allclose(ink[BAR], 1.0, atol=0.02), "the bar should be full ink"
    outside = ink.copy()
    outside[BAR] = 0
    assert outside.max() < 0.02, "the background should have no ink"


@pytest.mark.parametrize(
    "mode, ink, background",
    [
        ("L", 0, 255),  # black on white, like the drawing pads
        ("L", 255, 0),  # white on black, like MNIST
        ("1", 0, 1),
        ("RGB", (0, 0, 0), (255, 255, 255)),
        ("RGB", (255, 255, 255), (0, 0, 0)),
        ("CMYK", (0, 0, 0, 255), (0, 0, 0, 0)),
        ("I;16", 0, 65535),
        ("I", 65535, 0),
        ("F", 1.0, 0.0),
        ("LA", (0, 255), (255, 255)),
    ],
)
def test_modes_and_polarity(mode, ink, background):
    assert_bar(images.to_ink(pad_with_a_bar(mode, ink, background)))


def test_coloured_ink_on_coloured_paper():
    ink = images.to_ink(pad_with_a_bar("RGB", (250, 250, 90), (20, 0, 60)))
    assert ink[BAR].min() > 0.8
    ink[BAR] = 0
    assert ink.max() == 0


def test_palette_image():
    assert_bar(images.to_ink(pad_with_a_bar("RGB", (0, 0, 0), (255, 255, 255)).convert("P")))


@pytest.mark.parametrize("ink_colour", [(0, 0, 0, 255), (255, 255, 255, 255)])
def test_rgba_with_transparent_background(ink_colour):
    # Canvas exports: strokes on a fully transparent background, in dark or light ink.
    assert_bar(images.to_ink(pad_with_a_bar("RGBA", ink_colour, (0, 0, 0, 0))))


def test_palette_with_transparency():
    image = pad_with_a_bar("P", 1, 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    image.info["transparency"] = 0
    assert_bar(images.to_ink(image))


@pytest.mark.parametrize("polarity", ["dark ink", "light ink"])
@pytest.mark.parametrize("kind", ["uint8", "bool", "float32", "float64", "rgb", "rgba", "hw1"])
def test_numpy_arrays(kind, polarity):
    bar = np.zeros((40, 60), dtype=bool)
    bar[BAR] = True
    if polarity == "dark ink":
        bar = ~bar
    array = {
        "uint8": bar.astype(np.uint8) * 255,
        "bool": bar,
        "float32": bar.astype(np.float32),
        "float64": bar.astype(np.float64),
        "rgb": np.repeat(bar[..., None], 3, axis=2).astype(np.uint8) * 255,
        "rgba": np.dstack([np.repeat(bar[..., None], 3, axis=2), np.ones_like(bar)]).astype(
            np.float32),
        "hw1": bar[..., None].astype(np.uint8) * 255,
    }[kind]
    assert_bar(images.to_ink(array))


def test_grey_paper_is_background():
    array = np.full((40, 60), 0.8, np.float32)  # off-white paper, pencil ink at 0.2
    array[BAR] = 0.2
    ink = images.to_ink(array)
    assert ink[BAR].min() == pytest.approx(1.0)  # the picture's darkest ink is full ink
    assert ink[0, 0] == 0.0


def test_file_paths(tmp_path):
    path = tmp_path / "digit.png"
    pad_with_a_bar().save(path)
    assert_bar(images.to_ink(path))
    assert_bar(images.to_ink(str(path)))


def test_uniform_image_has_no_ink():
    for value in (0, 128, 255):
        assert images.to_ink(np.full((30, 30), value, np.uint8)).max() == 0.0


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "array, words",
    [
        (np.zeros((0, 10), np.uint8), "empty"),
        (np.zeros((10, 0, 3), np.uint8), "empty"),
        (np.zeros(10, np.uint8), "shape"),
        (np.zeros((2, 10, 10), np.float32), "shape"),
        (np.zeros((1, 28, 28, 1), np.float32), "shape"),
        (np.zeros((10, 10, 2), np.uint8), "shape"),
        (np.array(5.0), "shape"),
        (np.full((10, 10), np.nan, np.float32), "NaN"),
        (np.full((10, 10), np.inf), "NaN or infinite"),
        (np.full((10, 10), 255.0), "[0, 1]"),
        (np.full((10, 10), -0.5), "[0, 1]"),
    ],
)
def test_bad_arrays_raise_value_error(array, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        images.to_ink(array)


@pytest.mark.parametrize("dtype", [np.int64, np.uint16, np.complex64, object, "U3"])
def test_bad_dtypes_raise_type_error(dtype):
    with pytest.raises(TypeError, match="uint8"):
        images.to_ink(np.zeros((10, 10), dtype=dtype))


@pytest.mark.parametrize("thing", [None, 42, [[0, 1], [1, 0]]])
def test_unsupported_types_raise_type_error(thing):
    with pytest.raises(TypeError, match="PIL image, a numpy array or an image file path"):
        images.to_ink(thing)


def test_image_bytes_are_decoded_and_truncated_bytes_refused_clearly():
    upload = io.BytesIO()
    Image.new("L", (30, 20), 255).save(upload, "PNG")
    assert images.to_ink(upload.getvalue()).shape == (20, 30)
    with pytest.raises(images.ImageError, match="not an image file Pillow can read"):
        images.to_ink(b"\x89PNG")


def test_exif_orientation_is_applied_when_opening(tmp_path):
    """A phone photo taken sideways stores the pixels sideways and says so in EXIF."""
    sideways = Image.new("L", (40, 20), 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    stored = io.BytesIO()
    sideways.save(stored, "JPEG", exif=exif)
    assert images.open_image(stored.getvalue()).size == (20, 40)
    photo = tmp_path / "sideways.jpg"
    photo.write_bytes(stored.getvalue())
    assert images.to_ink(photo).shape == (40, 20)  # (height, width), upright


def test_huge_array_is_refused_before_any_copy():
    huge = np.broadcast_to(np.uint8(0), (20000, 20000))  # no memory behind it
    with pytest.raises(ValueError, match="too large"):
        images.to_ink(huge)


def test_huge_pil_image_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ValueError, match="too large"):
        images.to_ink(Image.new("L", (40, 30)))


def png_header_only(path, width, height):
    """A PNG that claims ``width`` x ``height`` pixels: a decompression bomb's header."""

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("side", [6000, 20000, 60000])
def test_decompression_bomb_file_is_refused(tmp_path, side):
    path = png_header_only(tmp_path / "bomb.png", side, side)
    with pytest.raises(ValueError, match="too large"):
        images.to_ink(path)


def test_corrupt_file(tmp_path):
    path = tmp_path / "cut.png"
    pad_with_a_bar(size=(300, 300)).save(path)
    path.write_bytes(path.read_bytes()[:200])  # truncated in the middle of the pixels
    with pytest.raises(ValueError, match="corrupt or truncated"):
        images.to_ink(path)


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("these are not pixels")
    with pytest.raises(ValueError, match="not an image file"):
        images.to_ink(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ValueError, match="does not exist") as caught:
        images.to_ink(tmp_path / "nowhere.png")
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(ValueError, match="is a directory"):
        images.to_ink(tmp_path)


# --- deep images, uploads and animations: one decoding path for every front end ------------


def encoded(image, format_, **options) -> bytes:
    stored = io.BytesIO()
    image.save(stored, format_, **options)
    return stored.getvalue()


def deep_bar(dtype, ink, background):
    values = np.full((40, 60), background, dtype)
    values[BAR] = ink
    return Image.fromarray(values)


@pytest.mark.parametrize(
    "name, upload",
    [
        ("16-bit PNG, full range", lambda: encoded(deep_bar(np.uint16, 0, 65535), "PNG")),
        ("16-bit PNG using 0-1000", lambda: encoded(deep_bar(np.uint16, 0, 1000), "PNG")),
        ("16-bit PNG, light ink 1000 on 0", lambda: encoded(deep_bar(np.uint16, 1000, 0), "PNG")),
        ("float TIFF in [0, 1]", lambda: encoded(deep_bar(np.float32, 0.0, 1.0), "TIFF")),
        ("float TIFF in 0-4095", lambda: encoded(deep_bar(np.float32, 0.0, 4095.0), "TIFF")),
        ("white ink on a transparent PNG",
         lambda: encoded(pad_with_a_bar("RGBA", (255, 255, 255, 255), (0, 0, 0, 0)), "PNG")),
        ("black ink on a transparent PNG",
         lambda: encoded(pad_with_a_bar("RGBA", (0, 0, 0, 255), (255, 255, 255, 0)), "PNG")),
    ],
)
def test_deep_and_transparent_uploads_read_the_same_as_any_image(name, upload):
    assert_bar(images.to_ink(upload()))


def test_a_16_bit_image_using_little_of_its_range_is_not_blank(tmp_path):
    path = tmp_path / "scan.png"
    deep_bar(np.uint16, 0, 1000).save(path)
    assert Image.open(path).mode.startswith("I")  # really stored deeper than 8 bits
    assert_bar(images.to_ink(path))


def test_a_tiff_holding_nan_is_refused():
    values = np.zeros((40, 60), np.float32)
    values[5, 5] = np.nan
    with pytest.raises(images.ImageError, match="NaN"):
        images.to_ink(encoded(Image.fromarray(values), "TIFF"))


def test_a_decompression_bomb_upload_is_refused(tmp_path):
    bomb = png_header_only(tmp_path / "bomb.png", 30000, 30000).read_bytes()
    with pytest.raises(images.ImageError, match="too large"):
        images.to_ink(bomb)


def test_an_animated_gif_says_only_its_first_frame_was_read(tmp_path):
    frames = [pad_with_a_bar("L"), Image.new("L", (60, 40), 0), Image.new("L", (60, 40), 128)]
    path = tmp_path / "wave.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    with pytest.warns(images.ImageWarning, match="wave.gif holds 3 frames.*only the first"):
        assert_bar(images.to_ink(path))
    ink, notes = images.read_ink(path.read_bytes())
    assert_bar(ink)
    assert notes == ["the image holds 3 frames (an animation or several pages): only the "
                     "first was read"]
    still = tmp_path / "still.gif"
    frames[0].save(still)
    assert images.read_ink(still)[1] == []


def test_a_float_pixel_just_above_one_shows_the_real_range():
    array = np.zeros((40, 60), np.float32)
    array[0, 0] = 1.0001
    with pytest.raises(images.ImageError, match=r"got 0 to 1\.0001 "):
        images.to_ink(array)


# --- paths that are not image files: refused at once, in one line ---------------------------


@pytest.fixture
def odd_files(tmp_path):
    yield special_files(tmp_path)
    release(tmp_path)


ODD_FILE_WORDS = {"fifo": "is a named pipe (FIFO), not a regular file",
                  "folder": "is a directory, not an image file",
                  "socket": "is a socket, not a regular file",
                  "/dev/zero": "is a device, not a regular file",
                  "/dev/null": "is a device, not a regular file"}


@pytest.mark.parametrize("kind", list(ODD_FILE_WORDS))
def test_a_path_that_is_not_a_regular_file_is_refused_at_once(odd_files, kind):
    for read in (images.open_image, images.to_ink, paper.read_page):
        _, error = within_deadline(read, odd_files[kind])
        assert isinstance(error, images.ImageError), (read, error)
        assert str(error) == f"image file {str(odd_files[kind])!r} {ODD_FILE_WORDS[kind]}" + (
            "" if kind == "folder" else ": save the picture to a file first")


def test_a_name_too_long_for_the_system_is_refused_in_one_line():
    for read in (images.to_ink, paper.read_page):
        with pytest.raises(images.ImageError, match="name of 5,000 characters is too long"):
            read("7" * 5000)


def test_a_file_without_read_permission_is_not_called_corrupt(tmp_path, monkeypatch):
    path = tmp_path / "locked.png"
    pad_with_a_bar().save(path)

    def refuse(*args, **kwargs):  # what open() says without read permission (root reads all)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Image, "open", refuse)
    for read in (images.to_ink, paper.read_page):
        with pytest.raises(images.ImageError) as caught:
            read(path)
        assert str(caught.value) == "locked.png cannot be read: permission denied"


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_a_numpy_matrix_reads_as_the_array_it_holds():
    array = np.asarray(pad_with_a_bar(), dtype=np.uint8)
    assert_bar(images.to_ink(np.matrix(array)))
    assert_bar(paper.read_page(np.matrix(array)).ink)


def test_a_gif_read_at_another_frame_says_which(tmp_path):
    frames = [Image.new("L", (60, 40), grey) for grey in (0, 64, 128)] + [pad_with_a_bar("L")]
    path = tmp_path / "wave.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    with Image.open(path) as animation:
        animation.seek(3)
        ink, notes = images.read_ink(animation)
    assert_bar(ink)
    assert notes == ["the image holds 4 frames (an animation or several pages): only frame 3 "
                     "(counted from 0, as seek counts) was read"]


# --- issue 32: pictures whose levels are not black on white ----------------------------------


def seven_on(ground: int, ink: int) -> Image.Image:
    """A 7 drawn in grey level ``ink`` on a flat ground of grey level ``ground``."""
    picture = Image.new("L", (280, 280), ground)
    ImageDraw.Draw(picture).line([(80, 60), (200, 60), (120, 230)], fill=ink, width=18)
    return picture


@pytest.mark.parametrize("ground, ink", [(100, 0), (127, 0), (128, 255), (160, 255),
                                         (255, 200), (0, 60)])
def test_ink_is_the_side_the_strokes_are_on_at_their_own_contrast(ground, ink):
    """Black ink on mid-grey, white ink on light grey, faint grey pencil: the strokes are ink
    and reach full strength, whatever the background's level."""
    strokes = images.to_ink(seven_on(ground, ink))
    assert strokes[60, 140] == pytest.approx(1.0) and strokes[250, 20] == 0.0


def test_a_constant_deep_image_is_blank_without_a_numpy_warning():
    import warnings

    for value in (1000, 65535):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ink = images.to_ink(Image.fromarray(np.full((50, 50), value, np.uint16)))
        assert ink.max() == 0.0


def test_a_lab_picture_is_read_by_its_lightness():
    lab = seven_on(255, 0).convert("RGB").convert("LAB")
    stored = io.BytesIO()
    lab.save(stored, "TIFF")
    assert np.array_equal(images.to_ink(stored.getvalue()) > 0.5, images.to_ink(
        seven_on(255, 0)) > 0.5)


def test_a_pil_image_with_an_exif_orientation_is_turned_upright_as_its_file_is(tmp_path):
    sideways = Image.new("L", (40, 20), 255)
    sideways.paste(0, (0, 0, 10, 20))  # ink at the left, which is the top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "sideways.jpg"
    sideways.save(path, "JPEG", exif=exif, quality=95)
    from_path, from_pil = images.to_ink(path), images.to_ink(Image.open(path))
    assert from_pil.shape == from_path.shape == (40, 20)
    assert np.array_equal(from_pil > 0.5, from_path > 0.5)
    assert paper.read_page(Image.open(path)).ink.shape == (40, 20)


def test_to_grey_decodes_a_file_a_pil_image_and_an_array_the_same_way(tmp_path):
    path = tmp_path / "bar.png"
    pad_with_a_bar().save(path)
    from_file, from_image = images.to_grey(path), images.to_grey(pad_with_a_bar())
    assert isinstance(from_file.picture, Image.Image) and from_file.alpha is None
    np.testing.assert_array_equal(from_file.grey, from_image.grey)
    array = np.asarray(pad_with_a_bar())
    picture, grey, alpha = images.to_grey(array)
    assert picture is array and alpha is None
    assert_bar(images.ink_from_grey(grey, alpha))
    assert_bar(images.ink_from_grey(from_file.grey))
    with pytest.raises(TypeError, match="PIL image, a numpy array"):
        images.to_grey([[0, 1]])


def test_ink_from_grey_refuses_what_is_not_grey_levels():
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        images.ink_from_grey(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(TypeError, match="uint8 or float"):
        images.ink_from_grey(np.zeros((4, 4), np.int64))
    with pytest.raises(ValueError, match="alpha"):
        images.ink_from_grey(np.zeros((4, 4), np.uint8), np.ones((2, 2), np.float32))
