"""``digitlib.config``: where data and models live (``DIGITS_HOME``), and the fast-mode switch.

``DIGITS_HOME`` is read once, when digitlib is imported, so each case runs in a fresh process.
"""

import json
import os
import subprocess
import sys

import pytest

from digitlib import config

COMMITTED = config.ROOT / "models" / "mnist_cnn.keras"
SHOW_PATHS = """
import json
from digitlib import config
print(json.dumps({
    "home": str(config.HOME), "data": str(config.DATA_DIR), "models": str(config.MODELS_DIR),
    "default": str(config.DEFAULT_MODEL_PATH), "output": str(config.DEFAULT_MODEL_OUTPUT),
    "active": str(config.model_path()), "committed": str(config.model_path("committed")),
    "mine": str(config.LEARNER_MODEL_PATH), "personal": str(config.PERSONAL_MODEL_PATH),
    "my_digits": str(config.PERSONAL_DATA_DIR),
    "described": config.describe_model(config.model_path()),
}))
"""


def environment(home=None):
    chosen = {name: value for name, value in os.environ.items()
              if name not in {config.HOME_VARIABLE, config.MODEL_VARIABLE}}
    chosen["PYTHONPATH"] = os.pathsep.join(
        [str(config.ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    if home is not None:
        chosen[config.HOME_VARIABLE] = str(home)
    return chosen


def paths(home=None, cwd=None):
    result = subprocess.run([sys.executable, "-c", SHOW_PATHS], capture_output=True, text=True,
                            env=environment(home), cwd=cwd or config.ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_home_is_the_repository():
    shown = paths()
    assert shown["home"] == str(config.ROOT)
    assert shown["data"] == str(config.ROOT / "data")
    assert shown["models"] == str(config.ROOT / "models")
    assert shown["output"] == shown["committed"] == str(COMMITTED)


def test_an_empty_home_holds_everything_written_and_still_finds_the_committed_model(tmp_path):
    home = tmp_path / "class server"  # need not exist yet
    shown = paths(home)
    assert shown["home"] == str(home)
    for key in ["data", "models", "output", "mine", "personal", "my_digits"]:
        assert shown[key].startswith(str(home) + os.sep), key
    assert shown["default"] == shown["committed"] == shown["active"] == str(COMMITTED)
    assert shown["described"] == "the committed model (mnist_cnn.keras)"
    assert not home.exists(), "reading the paths must not create anything"


def test_a_home_with_its_own_default_model_uses_it(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mnist_cnn.keras").write_bytes(b"trained here with make model")
    shown = paths(tmp_path)
    assert shown["default"] == shown["active"] == str(tmp_path / "models" / "mnist_cnn.keras")
    assert shown["described"] == "the default model (mnist_cnn.keras)"


def test_the_learners_model_in_the_home_is_the_active_one(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mnist_cnn_mine.keras").write_bytes(b"from notebook 04")
    assert paths(tmp_path)["active"] == str(tmp_path / "models" / "mnist_cnn_mine.keras")


def test_a_relative_or_tilde_home_is_made_absolute(tmp_path):
    assert paths("work", cwd=tmp_path)["home"] == str(tmp_path / "work")
    assert paths("~/digits-home")["home"] == str(os.path.expanduser("~/digits-home"))


def test_a_home_that_is_a_file_is_refused_in_plain_words(tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x")
    result = subprocess.run([sys.executable, "-c", "import digitlib.config"],
                            capture_output=True, text=True, env=environment(not_a_folder),
                            timeout=60)
    assert result.returncode != 0
    assert f"ValueError: DIGITS_HOME={not_a_folder} is a file: point it to a folder" in (
        result.stderr)


@pytest.mark.parametrize(("value", "expected"),
                         [("1", True), ("yes", True), (" On ", True), ("0", False), ("", False)])
def test_fast_mode_switch(value, expected, monkeypatch):
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, value)
    assert config.fast_mode() is expected


def test_cli_predicts_from_an_empty_home_without_writing_to_the_repository(tmp_path):
    """A read-only checkout: the CLI reads with the committed model, writes only to the home."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (140, 140), 255)
    ImageDraw.Draw(image).line([(70, 20), (70, 120)], fill=0, width=12)
    image.save(tmp_path / "one.png")
    home = tmp_path / "home"
    models = config.ROOT / "models"
    before = sorted((path.name, path.stat().st_mtime_ns) for path in models.iterdir())
    result = subprocess.run(
        [sys.executable, "-m", "digitlib", "predict", str(tmp_path / "one.png"), "--json"],
        capture_output=True, text=True, env=environment(home), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["digits"] == "1"
    assert sorted((path.name, path.stat().st_mtime_ns) for path in models.iterdir()) == before
