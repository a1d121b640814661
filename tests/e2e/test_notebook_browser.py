"""Notebook 06 in JupyterLab and the standalone pad page (web/pad.ipynb) in Voilà, in a real
browser: Chromium driven by Playwright, digits drawn with the real mouse, read by the real model, a
reading selected, saved and the save undone (into a throwaway dataset folder), the reading
explained with **Why?** (its heat map over the preview and the box), and a generated photo of
digits on ruled paper uploaded, shown as it is and boxed digit by digit.

Screenshots are saved under build/screenshots/ (look at them: drawn digits, boxes, labels).
"""

import re
import secrets
import time

import numpy as np
import pytest

from digitlib.datasets.personal import PersonalDigits
from digitlib.pads import display
from digitlib.pads.display import SURE_COLOUR, UNSURE_COLOUR
from tests.e2e import jupyter_browser as jb

pytestmark = pytest.mark.e2e

RENDER_TIMEOUT_MS = 240_000  # first cell on a busy 2-core machine: kernel start + TensorFlow
RESULT_TIMEOUT_MS = 90_000
READ = re.compile(r"Read:\s*((?:\d\s*)+)")


@pytest.fixture(scope="module")
def browser():
    for old in [*jb.SCREENSHOTS.glob("lab_*.png"), *jb.SCREENSHOTS.glob("voila_*.png")]:
        old.unlink()  # what is there after the run is this run's
    with jb.chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error"
            and problems.append(f"console: {message.text}"))
    page.problems = problems
    yield page
    context.close()


def _copy_notebook(folder, personal, notebook=jb.NOTEBOOK, maker="DrawingPad"):
    """A throwaway copy of ``notebook`` (06, or the standalone page with ``maker``
    "standalone_page") in ``folder`` whose pad saves into ``personal`` (the committed notebook
    and the learner's data/my_digits are never written)."""
    text = notebook.read_text()
    assert text.count(f"{maker}()") == 1, f"{notebook.name} should make its pad with {maker}()"
    folder.mkdir(exist_ok=True)
    copy = folder / notebook.name
    copy.write_text(text.replace(f"{maker}()", f"{maker}(personal_folder={str(personal)!r})"))
    return copy


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free port with a token, serving a throwaway copy of notebook 06."""
    workdir = tmp_path_factory.mktemp("lab")
    root = workdir / "notebooks"
    _copy_notebook(root, workdir / "my_digits")
    port, token = jb.free_port(), secrets.token_hex(16)
    with jb.running_server("jupyterlab", jb.jupyter_lab_command(port, token, root), port, token,
                           workdir, probe="/api/status", shutdown_path="/api/shutdown") as server:
        yield server


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voilà serving the standalone pad page, as ``make web`` does."""
    workdir = tmp_path_factory.mktemp("voila")
    notebook = _copy_notebook(workdir / "notebooks", workdir / "my_digits",
                              jb.ROOT / "web" / "pad.ipynb", "standalone_page")
    port, token = jb.free_port(), secrets.token_hex(16)
    with jb.running_server("voila", jb.voila_command(notebook, port, token), port, token,
                           workdir, probe="tcp") as server:
        yield server


def _evidence(page, server, name):
    """Save a screenshot of the page and return a text for an assertion message."""
    jb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = jb.SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    problems = "\n".join(page.problems[-20:])
    return f"screenshot {path}\nbrowser:\n{problems}\n{server.name} log:\n{server.log_tail()}"


def _screenshot_pad(page, name):
    jb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".digits-pad").screenshot(path=str(jb.SCREENSHOTS / f"{name}.png"))


def _read(page, server, name):
    """Click Recognize, wait for 'Read: ...' and return the digits shown."""
    page.locator(".digits-recognize").click()
    result = page.locator(".digits-result")
    try:
        result.filter(has_text="Read:").wait_for(timeout=RESULT_TIMEOUT_MS)
    except Exception as error:
        evidence = _evidence(page, server, name)
        raise AssertionError(f"no result shown ({error})\n{evidence}") from error
    match = READ.search(result.inner_text())
    assert match, f"unexpected result text {result.inner_text()!r}"
    return [int(d) for d in match.group(1).split()]


def _settled(measure, expected, seconds=15.0):
    """``measure()`` once it equals ``expected``, or its last value after ``seconds``: widget
    views and canvas commands reach the page a moment after the result text."""
    deadline = time.monotonic() + seconds
    while (value := measure()) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
    return value


def _boxes(page):
    """The boxes drawn on the overlay, read back from the canvas's pixels, left to right."""
    png = page.locator("canvas.digits-canvas").screenshot()
    return jb.overlay_boxes(png, [SURE_COLOUR, UNSURE_COLOUR])


def _no_callback_errors(page):
    errors = page.locator(".digits-errors").inner_text()
    assert not errors.strip(), f"the pad reported an error:\n{errors}"


def _wait_for_pad(page, server, name):
    canvas = page.locator("canvas.digits-canvas")
    dialog_button = page.locator(".jp-Dialog .jp-mod-accept")  # e.g. "Select Kernel"
    deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
    while not canvas.is_visible() and time.monotonic() < deadline:
        if dialog_button.is_visible():
            dialog_button.click()
        page.wait_for_timeout(500)
    try:
        canvas.wait_for(state="visible", timeout=1000)
        page.locator(".digits-recognize").wait_for(state="visible")
    except Exception as error:
        raise AssertionError(f"the pad did not render ({error})\n"
                             f"{_evidence(page, server, name)}") from error
    _no_callback_errors(page)
    return canvas


def _draw_one_and_read(page, server, canvas, prefix):
    jb.draw(page, canvas, jb.digit_strokes(7, centre_x=280))
    digits = _read(page, server, f"{prefix}_one_digit_failed")
    _settled(lambda: len(_boxes(page)), 1)
    boxes = _boxes(page)
    _screenshot_pad(page, f"{prefix}_one_digit")
    assert digits == [7], f"drew a 7, the pad shows {digits}\n{_evidence(page, server, prefix)}"
    assert len(boxes) == 1, f"expected one box on the overlay, found {boxes}"
    left, _, right, _ = boxes[0]
    assert left < 280 < right, f"the box {boxes[0]} is not around the digit drawn at x=280"
    assert _settled(page.locator(".digits-preview").count, 1) == 1
    _no_callback_errors(page)


def _select_save_and_undo_save(page, server, number, digit):
    """Click preview ``number`` (1-based), Save it as read, then Undo save."""
    folder = server.log.parent / "my_digits"  # the server's workdir (see the fixtures)
    page.locator(".digits-preview").nth(number - 1).locator("button").click()
    chart = page.locator(".digits-probabilities")
    chart.filter(has_text=f"Digit #{number}: read as {digit}").wait_for(timeout=30_000)
    page.locator(".digits-save").click()
    result = page.locator(".digits-result")
    result.filter(has_text="Saved as").wait_for(timeout=30_000)
    assert result.inner_text().startswith(f"Saved as {digit} (1 example in "), (
        f"{result.inner_text()!r}\n{_evidence(page, server, f'{server.name}_save')}")
    assert PersonalDigits(folder).labels.tolist() == [digit]
    _screenshot_pad(page, f"{server.name}_saved")
    page.locator(".digits-undo-save").click()
    result.filter(has_text="Removed the last saved example").wait_for(timeout=30_000)
    assert "(0 left in" in result.inner_text()
    assert len(PersonalDigits(folder)) == 0
    _no_callback_errors(page)


def _pixels(locator):
    """A screenshot of ``locator`` as an (H, W, 3) float array."""
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"), dtype=float)


def _canvas_pixels(page):
    return _pixels(page.locator("canvas.digits-canvas"))


def _warm(pixels):
    return pixels[..., 0] - pixels[..., 2] > 60


def _why(page, server, number, digit):
    """Press Why? for the selected preview ``number`` (1-based, read as ``digit``): the message
    names the digit, its preview gets the heat map and its box a faint one."""
    preview = page.locator(".digits-preview img").nth(number - 1)
    canvas_before = _canvas_pixels(page)
    assert not _warm(_pixels(preview)).any(), "the plain preview is grey"
    page.locator(".digits-why").click()
    result = page.locator(".digits-result")
    try:
        result.filter(has_text=f"Why {digit}?").wait_for(timeout=RESULT_TIMEOUT_MS)
    except Exception as error:
        raise AssertionError(f"no explanation shown ({error})\n"
                             f"{_evidence(page, server, f'{server.name}_why_failed')}") from error
    assert "Orange pixels pushed the model towards" in result.inner_text()
    shown = _settled(lambda: bool(_warm(_pixels(preview)).sum() > 10), True)
    assert shown, "the selected preview shows no heat map"
    assert page.locator(".digits-preview.digits-why-shown").count() == 1
    changed = _settled(lambda: bool(np.abs(_canvas_pixels(page) - canvas_before).max() > 40),
                       True)
    _screenshot_pad(page, f"{server.name}_why")
    assert changed, "the canvas shows no heat map over the box"
    # orange over black ink or white paper stays warm (red well above blue): count new ones
    newly_warm = _warm(_canvas_pixels(page)) & ~_warm(canvas_before)
    assert newly_warm.sum() > 20, "no orange evidence drawn over the digit's box"
    page.locator(".digits-why").click()  # off again: the plain preview comes back
    assert _settled(lambda: not _warm(_pixels(preview)).any(), True), "Why? off kept the map"
    assert page.locator(".digits-preview.digits-why-shown").count() == 0
    _no_callback_errors(page)


def _photo_file(folder):
    """A small generated photo of MNIST test digits on ruled paper (JPEG) and its digits."""
    import numpy as np

    from digitlib.datasets import mnist, synthetic_photos

    (_, _), (x_test, y_test) = mnist.load_mnist()
    chosen = [0, 2, 1]  # MNIST test digits 7, 1, 2
    photo = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], np.random.default_rng(13),
                                      ruling="ruled", ink="blue", paper="white",
                                      size=(520, 300), digit_height=64, tilt=1.0)
    path = folder / "homework.jpg"
    photo.image.convert("RGB").save(path, "JPEG", quality=88)
    return path, photo


def _upload_photo(page, server):
    """Upload a generated photo: it is read as a photo, shown in colour, every digit boxed."""
    path, photo = _photo_file(server.log.parent)
    page.locator(".digits-clear").click()  # so the next "Read:" is the photo's
    page.locator(".digits-result", has_text="Draw one or more digits").wait_for()
    with page.expect_file_chooser() as chooser:
        page.locator(".digits-upload").click()
    chooser.value.set_files(str(path))
    result = page.locator(".digits-result")
    try:
        result.filter(has_text="Read:").wait_for(timeout=RESULT_TIMEOUT_MS)
    except Exception as error:
        raise AssertionError(f"the photo was not read ({error})\n"
                             f"{_evidence(page, server, f'{server.name}_photo_failed')}") from error
    digits = [int(d) for d in READ.search(result.inner_text()).group(1).split()]
    count = len(photo.label)
    _settled(lambda: len(_boxes(page)), count)
    boxes = _boxes(page)
    _screenshot_pad(page, f"{server.name}_photo")
    evidence = _evidence(page, server, f"{server.name}_photo")
    assert digits == [int(d) for d in photo.label], f"photo of {photo.label}: {digits}\n{evidence}"
    assert len(boxes) == count, f"expected {count} boxes on the photo, found {boxes}\n{evidence}"
    scale, dx, dy = display.fit(photo.image.size, (560, 280))
    for (left, top, right, bottom), truth in zip(boxes, photo.boxes, strict=True):
        centre_x = (truth[0] + truth[2]) / 2 * scale + dx
        centre_y = (truth[1] + truth[3]) / 2 * scale + dy
        assert left < centre_x < right and top < centre_y < bottom, (
            f"no box around the digit at ({centre_x:.0f}, {centre_y:.0f}): {boxes}\n{evidence}")
    pixels = _canvas_pixels(page)
    blue = int(((pixels[..., 2] - pixels[..., 0]) > 50).sum())  # blue ink: the photo itself
    assert blue > 300, f"the pad does not show the photo in colour ({blue} blue pixels)"
    _no_callback_errors(page)


def test_jupyterlab_draw_and_recognize(page, lab):
    page.goto(lab.page_url(f"/lab/tree/{jb.NOTEBOOK.name}"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    # the kernel is connected once the status bar says "<kernel name> | Idle"
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\S \| Idle")).first.wait_for(
        timeout=RENDER_TIMEOUT_MS)
    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    canvas = _wait_for_pad(page, lab, "lab_not_rendered")

    _draw_one_and_read(page, lab, canvas, "lab")
    page.screenshot(path=str(jb.SCREENSHOTS / "lab_one_digit_page.png"))

    page.locator(".digits-clear").click()
    page.locator(".digits-result", has_text="Draw one or more digits").wait_for()
    assert _settled(page.locator(".digits-preview").count, 0) == 0
    assert _settled(lambda: len(_boxes(page)), 0) == 0, "Clear left boxes on the overlay"
    drawn = {1: 95, 7: 280, 0: 465}
    for digit, centre_x in drawn.items():
        jb.draw(page, canvas, jb.digit_strokes(digit, centre_x=centre_x))
    digits = _read(page, lab, "lab_three_digits_failed")
    _settled(lambda: len(_boxes(page)), 3)
    boxes = _boxes(page)
    _screenshot_pad(page, "lab_three_digits")
    page.screenshot(path=str(jb.SCREENSHOTS / "lab_three_digits_page.png"), full_page=True)
    assert digits == list(drawn), (f"drew 1 7 0, the pad shows {digits}\n"
                                   f"{_evidence(page, lab, 'lab_three_digits')}")
    assert len(boxes) == 3, f"expected three boxes on the overlay, found {boxes}"
    for (left, _, right, _), centre_x in zip(boxes, drawn.values(), strict=True):
        assert left < centre_x < right, f"no box around the digit drawn at x={centre_x}: {boxes}"
    assert _settled(page.locator(".digits-preview").count, 3) == 3
    _no_callback_errors(page)
    _select_save_and_undo_save(page, lab, 2, 7)
    _why(page, lab, 2, 7)
    _upload_photo(page, lab)
    page.screenshot(path=str(jb.SCREENSHOTS / "lab_photo_page.png"), full_page=True)


def test_voila_draw_and_recognize(page, voila):
    page.goto(voila.page_url("/"), timeout=RENDER_TIMEOUT_MS)
    canvas = _wait_for_pad(page, voila, "voila_not_rendered")
    _draw_one_and_read(page, voila, canvas, "voila")
    page.screenshot(path=str(jb.SCREENSHOTS / "voila_page.png"), full_page=True)
    _select_save_and_undo_save(page, voila, 1, 7)
