"""End to end: the real Tk app and model on Xvfb, digits drawn with the mouse by xdotool.

It starts a virtual display, launches ``python -m digitlib.tk_app`` on it, draws digits by
pressing, dragging and releasing the mouse, clicks Recognize and reads the results line from
the state file the app writes. A screenshot goes to build/screenshots/tk_app.png.
"""

import json
import math
import os
import subprocess
import sys
import time

import pytest
from PIL import ImageGrab

from digitlib import config, tk_app
from tests.conftest import require
from tests.e2e import xdisplay

pytestmark = pytest.mark.e2e

SCREENSHOT = config.ROOT / "build" / "screenshots" / "tk_app.png"


def ellipse(centre_x, centre_y, radius_x, radius_y, start=-90.0, end=270.0, count=28):
    """Points on an ellipse from angle ``start`` to ``end`` (degrees, clockwise from 3 o'clock)."""
    angles = [math.radians(start + (end - start) * i / count) for i in range(count + 1)]
    return [(centre_x + radius_x * math.cos(a), centre_y + radius_y * math.sin(a))
            for a in angles]


# Each digit as strokes drawn in a 100 x 200 box, shrunk to CELL_SIZE and placed side by side.
DIGITS = {
    1: [[(55, 0), (48, 200)]],
    7: [[(0, 8), (95, 0), (35, 200)]],
    4: [[(20, 0), (5, 125), (100, 125)], [(75, 30), (75, 200)]],
    0: [ellipse(50, 100, 42, 95)],
    2: [ellipse(50, 55, 45, 50, start=-170, end=30, count=16) + [(0, 200), (100, 195)]],
}
CELL_LEFT, CELL_STEP, CELL_TOP, CELL_SIZE = 35, 105, 55, (70, 170)


@pytest.fixture
def display():
    require(tk_app.tk is not None, "this Python has no tkinter (see python -m digitlib.tk_app)")
    require(xdisplay.have_tools(), xdisplay.MISSING_TOOLS)
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"{config.DEFAULT_MODEL_PATH} is missing: train it with `make model`")
    with xdisplay.virtual_display() as name:
        yield name


@pytest.fixture
def app(display, tmp_path):
    """The app running on ``display``; yields (state file, log file)."""
    state_file, log_file = tmp_path / "state.json", tmp_path / "app.log"
    environment = {**os.environ, "DISPLAY": display}
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "digitlib.tk_app", "--state-file", str(state_file)],
            cwd=config.ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )
        try:
            yield process, state_file, log_file
        finally:
            xdisplay.stop(process)


def read_state(process, state_file, log_file, condition, timeout=180.0, what="the app"):
    """Poll the app's state file until ``condition(state)`` holds."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}:\n{log_file.read_text()}")
        if state_file.exists():
            state = json.loads(state_file.read_text())
            if condition(state):
                return state
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; last state {state}\n{log_file.read_text()}")


def test_draw_digits_with_the_mouse_and_recognize(display, app):
    process, state_file, log_file = app
    mouse = xdisplay.Mouse(display)
    window = mouse.find_window(f"^{tk_app.TITLE}$")
    state = read_state(process, state_file, log_file,
                       lambda s: s["status"] == "ready" and "canvas" in s, what="the model")
    canvas_x, canvas_y = state["canvas"]

    expected_strokes = 0
    for index, digit_strokes in enumerate(DIGITS.values()):
        left, top = canvas_x + CELL_LEFT + index * CELL_STEP, canvas_y + CELL_TOP
        scale_x, scale_y = CELL_SIZE[0] / 100, CELL_SIZE[1] / 200
        for points in digit_strokes:
            mouse.stroke([(left + x * scale_x, top + y * scale_y) for x, y in points])
            expected_strokes += 1
    state = read_state(process, state_file, log_file,
                       lambda s: s["strokes"] == expected_strokes, timeout=30, what="the strokes")

    mouse.click(*state["buttons"]["recognize"])
    state = read_state(process, state_file, log_file,
                       lambda s: s["read_version"] == s["version"], what="the reading")
    time.sleep(0.5)  # let Tk paint the boxes before the screenshot

    x, y, width, height = mouse.window_geometry(window)
    screen = ImageGrab.grab(xdisplay=display)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    screen.crop((x, y, x + width, y + height)).save(SCREENSHOT)

    print(state["results_line"])
    assert state["digits"] == list(DIGITS), state["results_line"]
    assert state["results_line"].startswith("Read: " + " ".join(map(str, DIGITS)))
    assert len(state["boxes"]) == len(DIGITS)
    lefts = [box[0] for box in state["boxes"]]
    assert lefts == sorted(lefts)  # reading order, left to right
