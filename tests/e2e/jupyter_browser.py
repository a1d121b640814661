"""Helpers for the browser end-to-end tests: servers from the project's venv, headless
Chromium through Playwright, drawing with a real mouse, and reading the drawn overlay back.

Servers are started in their own process group with a marker in their environment; on the
way out they are asked to shut down, then their group is killed, then any process that still
carries the marker (a kernel in its own session) is killed by its id.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "06_draw_and_predict.ipynb"
SCREENSHOTS = ROOT / "build" / "screenshots"
VENV_BIN = Path(sys.executable).parent  # the venv running the tests: the project's
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
MARKER = "DIGITS_E2E_SESSION"


def chromium_path() -> str | None:
    """Debian's chromium (``apt-get install chromium``), or None."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@contextlib.contextmanager
def chromium_browser():
    """Headless Chromium (Debian's, driven by playwright) for a module's tests; skips, or fails
    in CI, without Chromium or the committed model."""
    from digitlib import config
    from tests.conftest import require

    executable = chromium_path()
    require(executable is not None,
            "Chromium is not installed (apt-get install chromium; .ci/run does it)")
    require(config.DEFAULT_MODEL_PATH.exists(),
            f"no model at {config.DEFAULT_MODEL_PATH} (make model)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jupyter_environment(home: Path, marker: str) -> dict[str, str]:
    """The caller's environment (DIGITS_FAST included) with Jupyter's per-user folders moved
    into ``home``, JupyterLab's news, update checks and notifications off, and every cell of a
    notebook attached to the page (no windowing), so tests see what a learner sees."""
    folders = {
        "JUPYTER_CONFIG_DIR": home / "config", "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime", "IPYTHONDIR": home / "ipython",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False,
                                            "doNotDisturbMode": True},
        "notebook-extension/tracker": {"windowingMode": "none", "autoStartDefaultKernel": True},
    }
    for name, values in settings.items():
        path = folders["JUPYTERLAB_SETTINGS_DIR"] / f"@jupyterlab/{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in folders.items()})
    environment.update({MARKER: marker, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                        "PATH": f"{VENV_BIN}{os.pathsep}{environment.get('PATH', '')}"})
    environment.pop("JUPYTER_PATH", None)
    return environment


@dataclass
class Server:
    name: str
    url: str  # base URL, no trailing slash
    token: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, characters: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def page_url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.url}{path}{separator}token={self.token}"


def _marked_processes(marker: str) -> list[int]:
    """Ids of live processes whose environment carries ``MARKER=marker`` (ours, by design)."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def _wait_ready(server: Server, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n"
                               f"{server.log_tail()}")
        with contextlib.suppress(OSError):
            if probe == "tcp":
                with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])),
                                              timeout=2):
                    return
            else:
                with urllib.request.urlopen(server.page_url(probe), timeout=5) as response:
                    if response.status == 200:
                        return
        time.sleep(0.5)
    raise TimeoutError(f"{server.name} not ready after {timeout:.0f} s:\n{server.log_tail()}")


@contextlib.contextmanager
def running_server(name: str, command: list[str], port: int, token: str, workdir: Path,
                   probe: str, timeout: float = 120, shutdown_path: str | None = None):
    """Start ``command`` (a Jupyter server), wait until it answers, yield a ``Server``, and
    shut it and its kernels down afterwards, whatever happened."""
    marker = f"{name}-{secrets.token_hex(6)}"
    environment = jupyter_environment(workdir / "home", marker)
    log = workdir / f"{name}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = Server(name, f"http://127.0.0.1:{port}", token, process, log)
    try:
        _wait_ready(server, probe, timeout)
        yield server
    finally:
        _stop(server, marker, shutdown_path)


def _stop(server: Server, marker: str, shutdown_path: str | None) -> None:
    process = server.process
    if shutdown_path and process.poll() is None:  # the polite way: kernels go down with it
        with contextlib.suppress(OSError):
            request = urllib.request.Request(server.page_url(shutdown_path), method="POST",
                                             headers={"Authorization": f"token {server.token}"})
            urllib.request.urlopen(request, timeout=10).close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    with contextlib.suppress(ProcessLookupError):  # the rest of its process group
        os.killpg(process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while (left := _marked_processes(marker)) and time.monotonic() < deadline:
        for pid in left:  # kernels run in their own session: end them by id
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL if time.monotonic() > deadline - 5 else signal.SIGTERM)
        time.sleep(0.5)


def jupyter_lab_command(port: int, token: str, root_dir: Path) -> list[str]:
    return [
        str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None", "--ServerApp.open_browser=False",
    ]


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    return [
        str(VENV_BIN / "voila"), str(notebook), "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--token={token}",
        "--show_tracebacks=True",
    ]


# ------------------------------------------------------------------------------- drawing

Stroke = list[tuple[float, float]]


def digit_strokes(digit: int, centre_x: float, centre_y: float = 140,
                  height: float = 170) -> list[Stroke]:
    """Simple, thick-stroke shapes that an MNIST model reads reliably, in canvas pixels."""
    half = height / 2
    top, bottom = centre_y - half, centre_y + half
    if digit == 1:
        return [[(centre_x + 6, top), (centre_x, bottom)]]
    if digit == 7:
        left, right = centre_x - 0.32 * height, centre_x + 0.32 * height
        return [[(left, top + 4), (right, top), (centre_x - 0.08 * height, bottom)]]
    if digit == 0:
        radius_x, radius_y = 0.3 * height, half
        return [[(centre_x + radius_x * math.sin(2 * math.pi * i / 40),
                  centre_y - radius_y * math.cos(2 * math.pi * i / 40)) for i in range(42)]]
    raise ValueError(f"no shape for digit {digit}")


def draw(page, canvas, strokes: list[Stroke], steps: int = 6) -> None:
    """Draw ``strokes`` (canvas pixel coordinates) on the ``canvas`` locator with the mouse."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    size = canvas.evaluate("element => [element.width, element.height]")
    scale_x, scale_y = box["width"] / size[0], box["height"] / size[1]

    def to_page(point):
        return box["x"] + point[0] * scale_x, box["y"] + point[1] * scale_y

    for stroke in strokes:
        page.mouse.move(*to_page(stroke[0]))
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*to_page(point), steps=steps)
        page.mouse.up()
        page.wait_for_timeout(100)


# ------------------------------------------------------------------- reading the overlay

def _hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def overlay_boxes(png: bytes, colours: list[str], min_pixels: int = 150) -> list[tuple]:
    """The coloured boxes (with their labels) in a screenshot of the canvas, left to right,
    as (left, top, right, bottom) in screenshot pixels."""
    import io

    from PIL import Image
    from scipy import ndimage

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    mask = np.zeros(pixels.shape[:2], dtype=bool)
    for colour in colours:
        mask |= np.linalg.norm(pixels - _hex_rgb(colour), axis=2) < 60
    mask = ndimage.binary_dilation(mask, iterations=3)  # join a dashed (unsure) box
    labels, count = ndimage.label(mask)
    boxes = []
    for region in ndimage.find_objects(labels):
        rows, columns = region
        if mask[region].sum() >= min_pixels:
            boxes.append((columns.start, rows.start, columns.stop, rows.stop))
    return sorted(boxes)
