"""Start JupyterLab (``make lab``) or the standalone pad page (``make web``) and print the
address to open once the server answers.

    python -m digitlib.serve lab [--host 127.0.0.1] [--port 8888] [--no-browser]
    python -m digitlib.serve web [--host 127.0.0.1] [--port 8866] [--no-browser]

The server keeps a token: the address printed carries it, so it opens the page itself rather
than a login page, and nobody else who can reach the port gets in without it. A browser is
opened where there is a desktop to show it on (``--no-browser`` to stop that). Stop the server
with Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser

from digitlib import config

NOTEBOOKS = config.ROOT / "notebooks"
PAD_NOTEBOOK = config.ROOT / "web" / "pad.ipynb"  # the standalone page: the pad, no lesson
DEFAULT_PORTS = {"lab": 8888, "web": 8866}
READY_TIMEOUT = 600  # seconds: the first start on a slow machine compiles and caches a lot
POLL_SECONDS = 0.5  # how often the server is asked whether it answers yet
TOKEN_VARIABLE = "JUPYTER_TOKEN"  # JupyterLab reads it, so its token stays off the command line
ANY_ADDRESS = {"0.0.0.0", "::", ""}  # listening everywhere: open it as this machine

READY = """
  {what} is ready. Open this address in your browser (it carries the token that lets you in):

      {url}
{elsewhere}
  Stop it with Ctrl-C.
"""
ELSEWHERE = ("  From another device, use this machine's address instead of {host}, with the "
             "same path and token.\n")
PORT_TAKEN = ("{what} could not start: port {port} is taken (another JupyterLab?). Choose "
              "another: make {target} PORT={other}")


def command(target: str, host: str, port: int, token: str) -> list[str]:
    """The server's command line. JupyterLab takes the token from the environment; Voilà
    only from its command line (without one it would serve the page to anyone)."""
    if target == "lab":
        return [sys.executable, "-m", "jupyterlab", f"--notebook-dir={NOTEBOOKS}",
                f"--ServerApp.ip={host}", f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--allow-root"]
    if target == "web":
        # A preheated kernel runs the page's notebook before anyone asks, so the page opens
        # at once; the template is Voilà's plain one, with no notebook chrome.
        return [sys.executable, "-m", "voila", str(PAD_NOTEBOOK), f"--Voila.ip={host}",
                f"--port={port}", "--Voila.port_retries=0", "--no-browser",
                "--preheat_kernel=True", "--pool_size=1", "--theme=light",
                f"--token={token}", "--VoilaConfiguration.file_allowlist=[]"]
    raise ValueError(f"target must be 'lab' or 'web', got {target!r}")


def address(target: str, host: str, port: int, token: str) -> str:
    """The address to open: the page itself, with the token."""
    shown = "127.0.0.1" if host in ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    path = "lab" if target == "lab" else ""
    return f"http://{shown}:{port}/{path}?token={token}"


def answers(url: str) -> bool:
    """True when ``url`` answers 200 (with our token: another server would refuse it)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:  # not up yet (HTTPError is an OSError too)
        return False


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``port``."""
    with contextlib.suppress(OSError), socket.create_connection(
            ("127.0.0.1" if host in ANY_ADDRESS else host, port), timeout=2):
        return True
    return False


def wait_until_ready(process: subprocess.Popen, is_ready, timeout: float = READY_TIMEOUT
                     ) -> bool:
    """Wait until ``is_ready()``; False when the server exits first (it said why)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if is_ready():
            return True
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"the server did not answer within {timeout} s")


def has_desktop() -> bool:
    """Whether a browser opened here would show on a screen (never a text browser in the
    terminal that runs the server)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serve(target: str, host: str, port: int, open_browser: bool = True) -> int:
    """Run the server until Ctrl-C; print the address once it answers. The exit status."""
    token = os.environ.get(TOKEN_VARIABLE) or secrets.token_urlsafe(24)
    what = "JupyterLab" if target == "lab" else "The digit pad page"
    url = address(target, host, port, token)
    if port_taken(host, port):
        print(PORT_TAKEN.format(what=what, port=port, target=target, other=port + 1),
              file=sys.stderr)
        return 1
    # JupyterLab answers its status with our token. Voilà's page would use up the kernel
    # it preheats, so it is ready once it listens (the port was free before it started).
    status = url.replace("/lab?", "/api/status?")
    is_ready = ((lambda: answers(status)) if target == "lab" else
                (lambda: port_taken(host, port)))
    print(f"Starting {what} on port {port}…", flush=True)
    process = subprocess.Popen(command(target, host, port, token), cwd=config.ROOT,
                               env={**os.environ, TOKEN_VARIABLE: token})
    try:
        if not wait_until_ready(process, is_ready):
            return process.returncode or 1  # the server said why
        elsewhere = ELSEWHERE.format(host="127.0.0.1") if host in ANY_ADDRESS else ""
        print(READY.format(what=what, url=url, elsewhere=elsewhere), flush=True)
        if open_browser and has_desktop():
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)
        if process.poll() is None:
            process.kill()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlib.serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=("lab", "web"),
                        help="lab: JupyterLab on notebooks/; web: the standalone pad page")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (0.0.0.0: every network)")
    parser.add_argument("--port", type=int, help="default 8888 for lab, 8866 for web")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open a browser, only print the address")
    arguments = parser.parse_args(argv)
    port = arguments.port or DEFAULT_PORTS[arguments.target]
    if not 0 < port < 65536:
        parser.error(f"--port must be from 1 to 65535, got {port}")
    return serve(arguments.target, arguments.host, port, not arguments.no_browser)


if __name__ == "__main__":
    sys.exit(main())


