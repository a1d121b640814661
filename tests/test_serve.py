"""digitlib.serve: what ``make lab`` and ``make web`` run. The browser test
(tests/e2e/test_serve_browser.py) opens the address it prints; these check the pieces."""

import socket

import pytest

from digitlib import serve


def test_jupyterlab_keeps_its_token_off_the_command_line():
    command = serve.command("lab", "127.0.0.1", 8888, "secret-token")
    assert "secret-token" not in " ".join(command)  # it travels in JUPYTER_TOKEN
    assert "--ServerApp.port_retries=0" in command  # never silently another port
    assert f"--notebook-dir={serve.NOTEBOOKS}" in command


def test_the_web_page_is_the_pad_notebook_with_a_token_and_a_warm_kernel():
    command = serve.command("web", "0.0.0.0", 8866, "secret-token")
    assert str(serve.PAD_NOTEBOOK) in command and serve.PAD_NOTEBOOK.exists()
    assert "--token=secret-token" in command
    assert "--preheat_kernel=True" in command


def test_an_unknown_target_is_refused():
    with pytest.raises(ValueError, match="'lab' or 'web'"):
        serve.command("notebook", "127.0.0.1", 8888, "t")


def test_the_address_opens_the_page_itself_with_the_token():
    assert serve.address("lab", "127.0.0.1", 8888, "abc") == "http://127.0.0.1:8888/lab?token=abc"
    assert serve.address("web", "0.0.0.0", 9000, "abc") == "http://127.0.0.1:9000/?token=abc"
    assert serve.address("lab", "::1", 8888, "abc") == "http://[::1]:8888/lab?token=abc"


def test_a_taken_port_is_said_in_one_line(capsys):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert serve.serve("lab", "127.0.0.1", port, open_browser=False) == 1
    error = capsys.readouterr().err
    assert f"port {port} is taken" in error and f"PORT={port + 1}" in error


def test_a_browser_opens_only_where_there_is_a_desktop(monkeypatch):
    monkeypatch.setattr(serve.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not serve.has_desktop()
    monkeypatch.setenv("DISPLAY", ":0")
    assert serve.has_desktop()


def test_a_bad_port_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        serve.main(["lab", "--port", "70000"])
    assert "--port must be from 1 to 65535" in capsys.readouterr().err
