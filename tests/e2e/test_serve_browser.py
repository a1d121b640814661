"""``make lab`` and ``make web`` as a learner meets them: ``python -m digitlib.serve`` (what the
two targets run) starts the server and prints an address; headless Chromium opens exactly that
address. JupyterLab must open (not its login page); the standalone pad page must show the pad
above the fold on a desktop, and on a 390-px phone fit the screen and read a digit drawn with
a finger.

Screenshots: build/screenshots/serve_lab.png, serve_web_desktop.png, serve_web_phone.png and
serve_web_phone_read.png.
"""

import re
import sys
import time

import pytest

from digitlib import config
from digitlib.pads import display
from tests.e2e import jupyter_browser as jb
from tests.xdisplay import fill_in

pytestmark = pytest.mark.e2e

# The address serve prints once the server answers (Jupyter's own log shows "token=..." only).
ADDRESS = re.compile(r"Open this address.*\n\s*\n\s*(http://\S+\?token=\S+)")
START_TIMEOUT = 300  # seconds for a server to print its address on a busy 2-core machine
PAGE_TIMEOUT_MS = 240_000  # the first page: the kernel starts and loads the model
RESULT_TIMEOUT_MS = 90_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FINGER_STEP = 6.0  # pad pixels between the touch points of a smooth finger


@pytest.fixture(scope="module")
def browser():
    with jb.chromium_browser() as chromium:
        yield chromium


def served(target, tmp_path_factory):
    """Run ``python -m digitlib.serve target`` on a free port; yields (server, address)."""
    workdir = tmp_path_factory.mktemp(target)
    port = jb.free_port()
    command = [sys.executable, "-m", "digitlib.serve", target, "--no-browser",
               "--port", str(port)]
    with jb.running_server(f"serve-{target}", command, port, "", workdir, probe="tcp",
                           timeout=START_TIMEOUT) as server:
        deadline = time.monotonic() + START_TIMEOUT
        while not (found := ADDRESS.search(server.log_tail(100_000))):
            assert server.process.poll() is None, f"it stopped:\n{server.log_tail()}"
            assert time.monotonic() < deadline, f"no address printed:\n{server.log_tail()}"
            time.sleep(0.5)
        yield server, found.group(1)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    yield from served("lab", tmp_path_factory)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    yield from served("web", tmp_path_factory)


def screenshot(page, name):
    jb.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = jb.SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_the_address_make_lab_prints_opens_jupyterlab(browser, lab):
    server, address = lab
    assert address.startswith(f"{server.url}/lab?token=")
    assert "Token authentication is enabled" not in server.log_tail()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(address, timeout=PAGE_TIMEOUT_MS)
        try:
            page.locator("#jp-main-dock-panel").wait_for(timeout=PAGE_TIMEOUT_MS)
            page.get_by_text("01_load_data.ipynb").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        finally:
            shot = screenshot(page, "serve_lab")
        text = page.inner_text("body")
        assert "09_fool_the_model.ipynb" in text, f"not the notebooks folder: {shot}"
        assert "token" not in text.lower(), f"a login page? {shot}"
    finally:
        context.close()


def test_jupyterlab_keeps_a_token(lab):
    import urllib.error
    import urllib.request

    server, _ = lab
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/contents", timeout=10)
    assert refused.value.code == 403  # no open server: without the token, nothing


def open_page(browser, address, viewport, touch=False):
    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(address, timeout=PAGE_TIMEOUT_MS)
    page.locator("canvas.digits-canvas").wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    page.locator(".digits-recognize").wait_for(state="visible")
    return context, page


def test_the_web_page_is_the_pad_above_the_fold(browser, web):
    server, address = web
    assert address.startswith(f"{server.url}/?token=")
    context, page = open_page(browser, address, DESKTOP)
    try:
        shot = screenshot(page, "serve_web_desktop")
        box = page.locator("canvas.digits-canvas").bounding_box()
        assert box["y"] + box["height"] <= DESKTOP["height"], f"the pad is below the fold: {shot}"
        assert box["width"] == pytest.approx(560, abs=1)
        text = page.inner_text("body")
        assert "press Recognize" in text
        for lesson in ("Run the cell", "Exercise", "q1.check", "exercises passed", "progress"):
            assert lesson not in text, f"tutorial text on the page ({lesson!r}): {shot}"
        assert page.locator(".jp-InputArea").count() == 0  # no code cells shown
    finally:
        context.close()


def touch_stroke(cdp, points):
    """One stroke drawn with a finger (CSS pixels on the page), as real touch events."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [
        {"x": points[0][0], "y": points[0][1]}]})
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                              "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_the_web_page_fits_a_phone_and_reads_a_finger_drawn_digit(browser, web):
    _, address = web
    context, page = open_page(browser, address, PHONE, touch=True)
    try:
        shot = screenshot(page, "serve_web_phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width} px): {shot}"
        canvas = page.locator("canvas.digits-canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"cut off: {shot}"
        scale = box["width"] / 560
        assert box["height"] == pytest.approx(280 * scale, abs=2)  # scaled evenly
        cdp = context.new_cdp_session(page)
        # A 7 drawn by finger in the middle of the scaled canvas (pad pixels -> page pixels).
        for stroke in jb.digit_strokes(7, centre_x=280):
            points = [(box["x"] + x * scale, box["y"] + y * scale)
                      for x, y in fill_in(stroke, FINGER_STEP)]
            touch_stroke(cdp, points)
        page.locator(".digits-recognize").tap()
        result = page.locator(".digits-result")
        result.filter(has_text="Read:").wait_for(timeout=RESULT_TIMEOUT_MS)
        page.wait_for_timeout(1000)  # the boxes reach the canvas a moment after the text
        shot = screenshot(page, "serve_web_phone_read")
        assert result.inner_text().startswith("Read: 7"), f"{result.inner_text()!r}: {shot}"
        boxes = jb.overlay_boxes(canvas.screenshot(), [display.SURE_COLOUR,
                                                        display.UNSURE_COLOUR])
        assert len(boxes) == 1, f"one box expected on the phone's canvas: {boxes}, {shot}"
        left, _, right, _ = boxes[0]
        assert left < 280 * scale < right, f"the box is not where the finger drew: {boxes}"
    finally:
        context.close()


# Notebooks that behave in Git: JupyterLab's own save writes them back byte for byte.
SAVED_NOTEBOOKS = ["03_build_the_model.ipynb", "05_evaluate.ipynb", "06_draw_and_predict.ipynb",
                   "08_photos_of_paper.ipynb", "09_fool_the_model.ipynb"]  # widgets, or changed


def test_opening_and_saving_notebooks_in_jupyterlab_changes_nothing(browser, tmp_path):
    import secrets
    import shutil

    root = tmp_path / "notebooks"
    root.mkdir()
    for name in SAVED_NOTEBOOKS:
        shutil.copy(config.ROOT / "notebooks" / name, root / name)
    port, token = jb.free_port(), secrets.token_hex(16)
    with jb.running_server("lab-save", jb.jupyter_lab_command(port, token, root), port, token,
                           tmp_path, probe="/api/status", shutdown_path="/api/shutdown") as server:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        try:
            for name in SAVED_NOTEBOOKS:
                before = (root / name).stat().st_mtime_ns
                page.goto(server.page_url(f"/lab/tree/{name}"), timeout=PAGE_TIMEOUT_MS)
                page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="attached",
                                                                      timeout=PAGE_TIMEOUT_MS)
                deadline = time.monotonic() + 180
                while (root / name).stat().st_mtime_ns == before:  # File > Save until it saves
                    assert time.monotonic() < deadline, f"JupyterLab did not save {name}"
                    page.keyboard.press("Escape")  # a menu or dialog left open
                    page.wait_for_timeout(2000)  # the widget manager restores the saved state
                    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text="File").first.click()
                    save = page.locator(".lm-Menu-item[data-command='docmanager:save']")
                    if "lm-mod-disabled" in (save.get_attribute("class") or ""):
                        continue  # the document is still loading: Save is greyed out
                    save.click()
                    page.wait_for_timeout(3000)
                saved = (root / name).read_text()
                committed = (config.ROOT / "notebooks" / name).read_text()
                assert saved == committed, f"JupyterLab's save changes {name}"
        finally:
            context.close()
