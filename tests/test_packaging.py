"""The wheel: every subpackage of digitlib, and the committed models as package data.

The models stay in ``models/`` of a clone and install as ``digitlib/models/`` (pyproject's
``package-dir``), so an installed package reads digits with no clone. The teachers and a
learner's models stay out. The last test builds the real wheel and reads its file list.
"""

import re
import subprocess
import sys
import tomllib
import zipfile

import pytest

from digitlib import config

SETUPTOOLS = tomllib.loads((config.ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
SHIPPED = "digitlib.models"  # the committed models, as a package of data files
# What a clone's models/ holds that never ships: provenance notes, the distillation teachers.
NOT_SHIPPED = {"README.md", "teachers"}


def tracked_models() -> set[str]:
    """The files of models/ that git tracks (committed models), or all of models/ without git."""
    listed = subprocess.run(["git", "-C", str(config.ROOT), "ls-files", "models"],
                            capture_output=True, text=True, timeout=config.GIT_SECONDS)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return {line.removeprefix("models/") for line in listed.stdout.splitlines()}


def test_every_subpackage_of_digitlib_is_in_the_wheel():
    folders = sorted(".".join(init.parent.relative_to(config.ROOT).parts)
                     for init in (config.ROOT / "digitlib").rglob("__init__.py"))
    assert sorted(SETUPTOOLS["packages"]) == sorted([*folders, SHIPPED])


def test_the_committed_models_are_package_data_and_nothing_else_of_models():
    assert SETUPTOOLS["package-dir"] == {SHIPPED: "models"}
    assert SETUPTOOLS["include-package-data"] is False, "package-data alone decides"
    listed = set(SETUPTOOLS["package-data"][SHIPPED])
    assert all("*" not in name and "/" not in name for name in listed), "exact names only"
    committed = {name for name in tracked_models() if name.split("/")[0] not in NOT_SHIPPED}
    assert committed <= listed, "a committed model that the wheel would leave out"
    assert {"mnist_cnn.keras", "mnist_cnn.json", "whole_digit.keras", "any_digit.keras",
            "any_digit.onnx", "any_digit.json"} <= committed
    # Named for the ONNX copies and the companion's card before they are committed.
    assert listed - committed <= {"mnist_cnn.onnx", "whole_digit.onnx", "whole_digit.json"}
    assert not any(name.startswith(("mnist_cnn_mine", "mnist_cnn_personal")) for name in listed)


def test_the_built_wheel_holds_the_models_and_no_teachers(tmp_path):
    """Built as CI builds it: from a copy of the tracked files (a few seconds)."""
    source = tmp_path / "source"
    files = subprocess.run(["git", "-C", str(config.ROOT), "ls-files", "-z"], capture_output=True,
                           timeout=config.GIT_SECONDS)
    if files.returncode != 0:
        pytest.skip("not a git checkout")
    for name in filter(None, files.stdout.decode().split("\0")):
        if (config.ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).symlink_to(config.ROOT / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "--disable-pip-version-check", "--quiet",
                            str(source), "-w", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("digitlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    models = {name.removeprefix("digitlib/models/") for name in names
              if name.startswith("digitlib/models/")}
    assert models == {name for name in tracked_models()
                      if name.split("/")[0] not in NOT_SHIPPED}
    assert "digitlib/__main__.py" in names and "digitlib/reading/predict.py" in names
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"digitlib", wheel.name.split("-py3")[0] + ".dist-info"}, top_level


def test_ci_installs_the_wheel_with_the_lock_outside_the_checkout():
    ci = (config.ROOT / ".ci" / "run").read_text()
    part = ci[ci.index("real_install() {"):ci.index("\n}\n", ci.index("real_install() {"))]
    default_parts = re.search(r'PARTS=\$\{PARTS:-"([^"]*)"\}', ci).group(1).split()
    assert "install" in default_parts
    assert "--no-deps -r requirements.lock" in " ".join(part.replace("\\\n", " ").split())
    assert "pip wheel" in part and "digitlib-*.whl" in part and "mktemp -d" in part
    for check in ["digits predict", "tensorflow", '"app"', "Xvfb", "DIGITS_HOME"]:
        assert check in part, check
