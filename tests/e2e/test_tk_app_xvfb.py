"""End to end: the real Tk app and model on Xvfb, digits drawn with the mouse by xdotool.

It starts a virtual display, launches ``python -m digitlib app`` on it, draws digits by
pressing, dragging and releasing the mouse, clicks Recognize and reads the results line from
the state file the app writes; then it clicks a preview to select a digit, Save and Undo save
(into a throwaway dataset folder whose long name makes the messages wrap), and presses Why? to
see the selected digit's heat map. All along, the canvas must stay where it was while the model
was loading, and the window keep its size. Screenshots go to build/screenshots/tk_app.png and
tk_app_why.png.
"""

import json
import math
import os
import shutil
import subprocess
import sys
import time

import pytest
from PIL import ImageGrab

from digitlib import config
from digitlib.pads import tk_app
from tests import xdisplay
from tests.conftest import require

pytestmark = pytest.mark.e2e

SCREENSHOT = config.ROOT / "build" / "screenshots" / "tk_app.png"
WHY_SCREENSHOT = SCREENSHOT.with_name("tk_app_why.png")


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
def display(x_display):
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"{config.DEFAULT_MODEL_PATH} is missing: train it with `make model`")
    return x_display


# Save's folder: its name is long enough that "Saved as 4 (1 example in …)" wraps.
LONG_FOLDER = "a-folder-with-a-long-name-so-that-the-messages-about-it-wrap-over-lines/my_digits"


@pytest.fixture
def app(display, tmp_path):
    """The app running on ``display`` with a copy of the committed model that has no ONNX copy
    yet, so that it loads the slow way (Keras, then a conversion) and the window is seen while
    it loads (with its ONNX copy the model is ready before the first state is written); yields
    (process, state file, log file). Save writes to ``tmp_path / LONG_FOLDER``."""
    state_file, log_file = tmp_path / "state.json", tmp_path / "app.log"
    model = tmp_path / "model" / config.COMMITTED_MODEL_PATH.name
    model.parent.mkdir()
    shutil.copyfile(config.COMMITTED_MODEL_PATH, model)
    environment = {**os.environ, "DISPLAY": display}
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "digitlib", "app", "--state-file", str(state_file),
             "--model", str(model), "--personal-folder", str(tmp_path / LONG_FOLDER)],
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


def test_draw_digits_with_the_mouse_recognize_select_and_save(display, app, tmp_path):
    process, state_file, log_file = app
    mouse = xdisplay.Mouse(display)
    window = mouse.find_window(f"^{tk_app.TITLE}$")
    state = read_state(process, state_file, log_file, lambda s: "canvas" in s,
                       what="the window")
    assert state["status"] == "loading", "the model loaded before the window showed"
    still = state["canvas"], state["window"]  # where the canvas is while the model loads

    def holds_still(state):
        assert (state["canvas"], state["window"]) == still, state["message"]
        return state

    state = holds_still(read_state(process, state_file, log_file,
                                   lambda s: s["status"] == "ready", what="the model"))
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
    state = holds_still(read_state(process, state_file, log_file,
                                   lambda s: s["read_version"] == s["version"],
                                   what="the reading"))
    print(state["message"])
    assert state["digits"] == list(DIGITS), state["message"]
    assert state["message"].startswith("Read: " + " ".join(map(str, DIGITS)))
    assert len(state["boxes"]) == len(DIGITS)
    lefts = [box[0] for box in state["boxes"]]
    assert lefts == sorted(lefts)  # reading order, left to right

    # Select the third digit (a 4) by clicking its preview, save it, then undo the save.
    state = read_state(process, state_file, log_file,
                       lambda s: len(s.get("previews", [])) == len(DIGITS), timeout=30,
                       what="the previews")
    mouse.click(*state["previews"][2])
    state = holds_still(read_state(process, state_file, log_file, lambda s: s["selected"] == 2,
                                   timeout=30, what="the selection"))
    assert state["label"] == 4
    time.sleep(0.5)  # let Tk paint the selection before the screenshot
    x, y, width, height = mouse.window_geometry(window)
    screen = ImageGrab.grab(xdisplay=display)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    screen.crop((x, y, x + width, y + height)).save(SCREENSHOT)

    folder = tmp_path / LONG_FOLDER
    mouse.click(*state["buttons"]["save"])
    state = holds_still(read_state(process, state_file, log_file,
                                   lambda s: s["message"].startswith("Saved as"), timeout=30,
                                   what="Save"))
    assert state["message"] == f"Saved as 4 (1 example in {folder})"
    assert len(state["message"]) > 150  # wider than the window: it wraps
    from digitlib.datasets.personal import PersonalDigits

    assert PersonalDigits(folder).labels.tolist() == [4]
    mouse.click(*state["buttons"]["undo_save"])
    state = holds_still(read_state(process, state_file, log_file,
                       lambda s: s["message"].startswith("Removed"), timeout=30,
                       what="Undo save"))
    assert state["message"] == f"Removed the last saved example (0 left in {folder})."
    assert len(PersonalDigits(folder)) == 0

    # Why? for the selected 4: worked out in the app's worker, shown on its preview and box.
    mouse.click(*state["buttons"]["why"])
    state = holds_still(read_state(process, state_file, log_file, lambda s: s["explained"],
                                   timeout=60, what="Why?"))
    assert state["why"] and state["selected"] == 2
    assert state["message"].startswith("Why 4? Orange pixels pushed the model towards 4")
    time.sleep(0.5)  # let Tk paint the heat map before the screenshot
    x, y, width, height = mouse.window_geometry(window)
    screen = ImageGrab.grab(xdisplay=display).crop((x, y, x + width, y + height))
    screen.save(WHY_SCREENSHOT)
    canvas_left, canvas_top = state["canvas"][0] - x, state["canvas"][1] - y
    left, top, right, bottom = state["boxes"][2]
    inside = screen.convert("RGB").crop((canvas_left + left + 3, canvas_top + top + 3,
                                        canvas_left + right - 3, canvas_top + bottom - 3))
    warm = [pixel for pixel in inside.getdata() if pixel[0] > pixel[2] + 60]  # orange-ish
    assert len(warm) > 20, "no heat map over the selected digit's box"
