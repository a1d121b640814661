"""``digitlib.config``: where data and models live (``DIGITS_HOME``), and the fast-mode switch.

``DIGITS_HOME`` is read once, when digitlib is imported, so each case runs in a fresh process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

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


# Which folder ``choose_home`` picks: a clone, an installed package, and DIGITS_HOME over both.


@pytest.fixture
def clone(tmp_path):
    """A folder laid out as a clone of the project: digitlib/ beside CHECKOUT_MARKERS."""
    root = tmp_path / "clone"
    for marker in config.CHECKOUT_MARKERS:
        (root / marker).mkdir(parents=True)
    (root / "pyproject.toml").rmdir()
    (root / "pyproject.toml").write_text("[project]\n")
    return root


def test_a_clone_keeps_data_and_models_in_the_project_folder(clone):
    assert config.in_checkout(clone) and config.in_checkout(config.ROOT)
    assert config.choose_home({}, clone) == (clone, "the project folder")
    assert config.COMMITTED_MODELS_DIR == config.ROOT / "models"


def test_an_installed_package_writes_to_the_per_user_data_folder(tmp_path, monkeypatch):
    import platformdirs

    site_packages = tmp_path / "site-packages"  # digitlib/ alone, as pip installs it
    (site_packages / "digitlib").mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user data"))
    home, reason = config.choose_home({}, site_packages)
    assert not config.in_checkout(site_packages)
    assert home == Path(platformdirs.user_data_dir(config.APP_NAME, appauthor=False))
    assert home == tmp_path / "user data" / "digits"
    assert config.HOME_VARIABLE in reason
    assert not home.exists(), "choosing the folder must not create it"


def test_digits_home_wins_in_a_clone_and_installed(clone, tmp_path):
    chosen = {config.HOME_VARIABLE: str(tmp_path / "work")}
    for root in (clone, tmp_path / "site-packages"):
        assert config.choose_home(chosen, root) == (tmp_path / "work",
                                                    f"set by {config.HOME_VARIABLE}")
    assert config.choose_home({config.HOME_VARIABLE: "  "}, clone)[0] == clone  # blank: unset
    with pytest.raises(TypeError, match="environment must be a mapping"):
        config.choose_home(["DIGITS_HOME=x"], clone)


def test_an_installed_copy_reads_its_shipped_models_and_writes_to_the_user_folder(tmp_path):
    """digitlib laid out as a wheel installs it (the models inside the package), in a fresh
    process: the committed model is the shipped one, everything written goes to the user's
    folder, and ``digits --help`` says which."""
    import shutil

    site_packages = tmp_path / "site-packages"
    shutil.copytree(config.ROOT / "digitlib", site_packages / "digitlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (site_packages / "digitlib" / "models").mkdir()
    for name in ["mnist_cnn.keras", "mnist_cnn.json"]:
        (site_packages / "digitlib" / "models" / name).symlink_to(config.ROOT / "models" / name)
    chosen = {name: value for name, value in environment().items() if name != "PYTHONPATH"}
    chosen.update(PYTHONPATH=str(site_packages), XDG_DATA_HOME=str(tmp_path / "user data"))
    result = subprocess.run([sys.executable, "-c", SHOW_PATHS], capture_output=True, text=True,
                            env=chosen, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    user_folder = tmp_path / "user data" / "digits"
    assert shown["home"] == str(user_folder)
    for key in ["data", "models", "output", "mine", "personal", "my_digits"]:
        assert shown[key].startswith(str(user_folder) + os.sep), key
    assert shown["committed"] == str(site_packages / "digitlib" / "models" / "mnist_cnn.keras")
    assert shown["described"] == "the committed model (mnist_cnn.keras)"
    helped = subprocess.run([sys.executable, "-m", "digitlib", "--help"], capture_output=True,
                            text=True, env=chosen, cwd=tmp_path, timeout=60)
    assert f"data and models: {user_folder} (your per-user data folder" in helped.stdout
