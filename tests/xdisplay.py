"""Helpers for the Tk app's tests: a virtual X display (Xvfb) and a mouse driven by xdotool.

The `x_display` fixture in conftest.py starts the display; the end-to-end test moves the mouse."""

import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time

MISSING_TOOLS = ("Xvfb and xdotool are needed for the Tk app's display tests: "
                 "sudo apt-get install xvfb xdotool (.ci/run installs them in CI)")


def have_tools() -> bool:
    return shutil.which("Xvfb") is not None and shutil.which("xdotool") is not None


@contextlib.contextmanager
def virtual_display(width: int = 1024, height: int = 768, timeout: float = 20.0):
    """Start Xvfb on a free display number and yield its name, e.g. ``":3"``.

    ``-displayfd`` makes Xvfb pick a free number itself and write it to a pipe once it is
    ready to accept clients, so there is neither a race for the number nor a sleep.
    """
    read_end, write_end = os.pipe()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"],
        pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + timeout
        while not number.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                raise RuntimeError(f"Xvfb did not start within {timeout:.0f} s{_tail(log)}")
            chunk = os.read(read_end, 16)
            if not chunk:
                raise RuntimeError(f"Xvfb exited with {process.wait()}{_tail(log)}")
            number += chunk
        yield f":{int(number)}"
    finally:
        os.close(read_end)
        stop(process)
        log.close()


def stop(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate a child process, and kill it if it does not stop in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def _tail(log) -> str:
    log.seek(0)
    text = log.read().decode(errors="replace").strip()
    return f":\n{text[-2000:]}" if text else ""


class Mouse:
    """Moves, presses and clicks on one X display with xdotool."""

    def __init__(self, display: str):
        self.environment = {**os.environ, "DISPLAY": display}

    def xdotool(self, *arguments, timeout: float = 60.0) -> str:
        result = subprocess.run(["xdotool", *map(str, arguments)], env=self.environment,
                                capture_output=True, text=True, timeout=timeout, check=True)
        return result.stdout

    def find_window(self, name: str, timeout: float = 60.0) -> int:
        """The id of the first visible window whose title matches ``name`` (a regex)."""
        return int(self.xdotool("search", "--sync", "--onlyvisible", "--name", name,
                                timeout=timeout).split()[0])

    def window_geometry(self, window: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of a window on the screen."""
        values = dict(line.split("=") for line in
                      self.xdotool("getwindowgeometry", "--shell", window).split())
        return tuple(int(values[key]) for key in ("X", "Y", "WIDTH", "HEIGHT"))

    def stroke(self, points, step: float = 6.0, pause: float = 0.004) -> None:
        """Press at the first point, drag through the others, release at the last.

        Points are filled in every ``step`` pixels and each move waits ``pause`` seconds, so
        the app sees a smooth stroke even though Tk merges motion events that queue up.
        """
        arguments = ["mousemove", *_rounded(points[0]), "sleep", 0.05, "mousedown", 1]
        for point in fill_in(points, step)[1:]:
            arguments += ["mousemove", *_rounded(point), "sleep", pause]
        arguments += ["sleep", 0.05, "mouseup", 1, "sleep", 0.05]
        self.xdotool(*arguments)

    def click(self, x, y) -> None:
        self.xdotool("mousemove", round(x), round(y), "sleep", 0.05, "click", 1)


def _rounded(point):
    return round(point[0]), round(point[1])


def fill_in(points, step):
    """``points`` with extra points on each segment, at most ``step`` pixels apart."""
    filled = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        count = max(1, round(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / step))
        filled += [(x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count)
                   for i in range(1, count + 1)]
    return filled
