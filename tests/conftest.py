"""Shared test helpers."""

import os

import pytest

from digitlib import config

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Tests read digits with the committed model, not with whatever a learner trained in notebook 04
# (models/mnist_cnn_mine.keras), unless DIGITS_MODEL says otherwise; `make test` sets the same.
os.environ.setdefault(config.MODEL_VARIABLE, "committed")


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; in CI (CI=true) fail instead, so CI
    never silently skips an end-to-end test."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must run this test, but: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def predictor():
    """The committed model, loaded (and converted to ONNX) once for the whole test run; a test
    module that needs another stand-in defines its own ``predictor``."""
    from digitlib.reading.predict import Predictor

    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    return Predictor.load("committed")


@pytest.fixture
def keep_tensorflow_threads(monkeypatch):
    """The CLI limits TensorFlow to one thread for the whole process: not in the test run."""
    from digitlib.reading import predict

    monkeypatch.setattr(predict, "limit_threads", lambda count=1: False)


@pytest.fixture(scope="session")
def x_display():
    """A virtual X display (Xvfb) for the Tk app's tests; yields its name, e.g. ``":3"``."""
    from digitlib.pads import tk_app
    from tests import xdisplay

    require(tk_app.tk is not None,
            "this Python has no tkinter (see python -m digitlib app)")
    require(xdisplay.have_tools(), xdisplay.MISSING_TOOLS)
    with xdisplay.virtual_display() as name:
        yield name
