"""The set-up: one lock for Python 3.11-3.13, make, the README's plain commands, environment.yml.

These files are what a learner runs before any digitlib code, so they are checked against each
other: a version added in one place and forgotten in another fails here, not on a new machine.
"""

import re
import sys
import tomllib
from importlib import metadata

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from digitlib import config

ROOT = config.ROOT
LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()
CANDIDATE_PYTHONS = [f"3.{minor}" for minor in range(8, 16)]
# What the lock's markers see on each platform it serves (the Mac is an Apple Silicon one).
PLATFORMS = {
    "Linux x86_64": {"sys_platform": "linux", "os_name": "posix", "platform_system": "Linux",
                     "platform_machine": "x86_64"},
    "macOS arm64": {"sys_platform": "darwin", "os_name": "posix", "platform_system": "Darwin",
                    "platform_machine": "arm64"},
    "Windows amd64": {"sys_platform": "win32", "os_name": "nt", "platform_system": "Windows",
                      "platform_machine": "AMD64"},
}
# The pins each platform installs beyond the unmarked ones: Linux exactly tensorflow_cpu, as
# before the lock served Macs.
PLATFORM_ONLY_PINS = {
    "Linux x86_64": {"tensorflow-cpu"},
    "macOS arm64": {"tensorflow", "appnope"},
    "Windows amd64": {"tensorflow-cpu", "colorama", "pywinpty"},
}


def lock_requirements():
    lines = [line.strip() for line in LOCK.read_text().splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith("#")]


def supported_pythons():
    allowed = SpecifierSet(PYPROJECT["project"]["requires-python"])
    return [version for version in CANDIDATE_PYTHONS if Version(version) in allowed]


def readme_block(name):
    match = re.search(rf"<!-- {name}:begin -->\n```\w+\n(.*?)```\n<!-- {name}:end -->",
                      README, re.DOTALL)
    assert match, f"README.md has no {name} block"
    return [line.split("  #")[0].strip() for line in match.group(1).splitlines()]


def test_supported_pythons_are_3_11_to_3_13_everywhere():
    assert supported_pythons() == ["3.11", "3.12", "3.13"]
    classifiers = [c.rsplit(" ", 1)[-1] for c in PYPROJECT["project"]["classifiers"]
                   if c.startswith("Programming Language :: Python :: 3.")]
    assert classifiers == supported_pythons()
    listed = re.search(r"^SUPPORTED_PYTHONS := (.+)$", MAKEFILE, re.MULTILINE).group(1).split()
    assert listed == sorted(supported_pythons(), key=Version, reverse=True), "newest first"
    lowest, highest = (tuple(map(int, v.split("."))) for v in (listed[-1], listed[0]))
    assert f"{lowest} <= v <= {highest}" in MAKEFILE, "the Makefile's version check"


def test_lock_pins_every_package_exactly_once_in_order():
    requirements = lock_requirements()
    names = [canonicalize_name(r.name) for r in requirements]
    assert len(names) == len(set(names)), "a package is pinned twice"
    assert names == sorted(names), "keep the lock sorted, so merges stay easy"
    for requirement in requirements:
        [specifier] = list(requirement.specifier)
        assert specifier.operator == "==", f"{requirement} is not pinned to one version"


def test_lock_holds_every_direct_dependency_with_the_same_marker():
    locked = {canonicalize_name(r.name): r.marker for r in lock_requirements()}
    for dependency in map(Requirement, PYPROJECT["project"]["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in locked, dependency
        assert str(locked[name]) == str(dependency.marker), f"{dependency}; lock: {locked[name]}"


def test_the_environment_is_the_lock():
    """The venv that runs these tests holds exactly the locked versions (``make`` rebuilds it
    when the lock changes)."""
    wrong = []
    for requirement in lock_requirements():
        if requirement.marker and not requirement.marker.evaluate():
            continue
        pinned = next(iter(requirement.specifier)).version
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if canonicalize_name(installed) != canonicalize_name(pinned):
            wrong.append(f"{requirement.name}: {installed}, locked {pinned}")
    assert wrong == [], f"rebuild the venv from requirements.lock: {wrong}"


def test_platform_only_pins_carry_a_marker_that_parses():
    expected = set().union(*PLATFORM_ONLY_PINS.values())
    marked = set()
    for requirement in lock_requirements():
        if requirement.marker:
            Marker(str(requirement.marker))  # raises when it is malformed
            marked.add(canonicalize_name(requirement.name))
    assert marked == expected


@pytest.mark.parametrize("python", supported_pythons())
@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_installs_one_tensorflow_and_its_own_pins(platform, python):
    environment = {**PLATFORMS[platform], "python_version": python,
                   "python_full_version": f"{python}.0"}
    requirements = lock_requirements()
    unmarked = {canonicalize_name(r.name) for r in requirements if not r.marker}
    installed = {canonicalize_name(r.name) for r in requirements
                 if not r.marker or r.marker.evaluate(environment)}
    assert installed - unmarked == PLATFORM_ONLY_PINS[platform]
    assert len(installed & {"tensorflow", "tensorflow-cpu"}) == 1


def test_environment_yml_is_in_step_with_the_lock():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    [python] = [d for d in conda if d.startswith("python")]
    assert SpecifierSet(python.removeprefix("python")) == SpecifierSet(
        PYPROJECT["project"]["requires-python"])
    [pip] = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    if pip[0] == f"-r {LOCK.name}":
        assert pip == [f"-r {LOCK.name}", "-e ."]
    else:  # spelled out: the same pins, in the same order
        assert [Requirement(p) for p in pip[:-1]] == lock_requirements() and pip[-1] == "-e ."
    locked = {canonicalize_name(r.name) for r in lock_requirements()}
    conda_names = {canonicalize_name(re.split(r"[=<>! ]", d)[0]) for d in conda}
    assert conda_names - {"python", "pip", "tk"} == set(), "conda packages beside the lock"
    assert not (conda_names - {"pip"}) & locked, "a package both from conda and the lock"


def test_readme_keeps_its_two_command_set_up():
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL).group(1)
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == [
        "make lab", "make test"]


def test_plain_commands_are_the_makefiles_steps():
    linux = readme_block("plain-commands")
    assert linux[0] == "python3 -m venv .venv"
    assert linux[1:3] == [
        ".venv/bin/python -m pip install --no-deps -r requirements.lock",
        ".venv/bin/python -m pip install --no-deps --no-build-isolation -e .",
    ]
    assert "pip install --disable-pip-version-check --no-deps -r requirements.lock" in MAKEFILE
    assert ("pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e ."
            in MAKEFILE)
    assert linux[3] == ".venv/bin/python -m digitlib data"
    assert linux[4].startswith(".venv/bin/jupyter lab --notebook-dir=notebooks")
    command = ".venv/bin/python -m pytest tests notebooks --nbval-lax"
    assert linux[5].endswith(" " + command) and len(linux) == 6
    make_test = re.search(r"^test:.*\n\t((?:\w+=\S+ )*)\$\(BIN\)/python -m pytest tests notebooks "
                          r"--nbval-lax", MAKEFILE, re.MULTILINE)
    assert make_test, "make test runs pytest over tests and notebooks with --nbval-lax"
    readme_variables = set(linux[5].removesuffix(command).split())
    assert "DIGITS_FAST=1" in readme_variables
    assert set(make_test.group(1).split()) <= readme_variables, "the same settings as make test"


def test_windows_commands_mirror_the_linux_ones():
    linux, windows = readme_block("plain-commands"), readme_block("windows-commands")
    assert re.fullmatch(r"py -3\.1[1-3] -m venv \.venv", windows[0])
    for line_linux, line_windows in zip(linux[1:5], windows[1:5], strict=True):
        assert line_windows == line_linux.replace(".venv/bin/", ".venv\\Scripts\\")
    variables, command = linux[5].split(" .venv/bin/")
    settings = "; ".join(f'$env:{name} = "{value}"'
                         for name, value in (item.split("=") for item in variables.split()))
    assert windows[5:] == [settings, ".venv\\Scripts\\" + command]


def test_ci_runs_the_readme_commands_on_two_pythons():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'make test PYTHON="$FULL_PYTHON"' in ci
    assert "<!-- plain-commands:begin -->" in ci and "plain-commands:end" in ci
    versions = re.findall(r"^(FULL|PLAIN)_VERSION=\$\{\w+:-(3\.\d+)\}$", ci, re.MULTILINE)
    assert len(versions) == 2 and versions[0][1] != versions[1][1]
    assert {version for _, version in versions} <= set(supported_pythons())


def test_ci_checks_the_lock_where_it_does_not_run():
    """.ci/platforms resolves the lock with a pinned uv for every supported Python on macOS 14
    arm64 and Windows amd64, evaluating the markers for each; .ci/run runs it; the README says
    so."""
    script = (ROOT / ".ci" / "platforms").read_text()
    pythons = re.search(r"^PYTHONS=\((.*?)\)", script, re.MULTILINE).group(1).split()
    assert pythons == supported_pythons()
    assert re.search(r"^UV_VERSION=\d+\.\d+\.\d+ ", script, re.MULTILINE), "pin uv"
    targets = dict(re.findall(r'"([^"=]+)=([\w-]+)"', re.search(
        r"^PLATFORMS=\((.*?)\)$", script, re.MULTILINE).group(1)))
    assert targets == {"macOS 14 arm64": "aarch64-apple-darwin",
                       "Windows amd64": "x86_64-pc-windows-msvc"}
    assert "export MACOSX_DEPLOYMENT_TARGET=14.0" in script
    for option in ("--python-platform", "--python-version", "--only-binary :all:", "--no-deps"):
        assert option in script
    assert ".ci/platforms" in (ROOT / ".ci" / "run").read_text()
    platforms = re.search(r"\*\*Platforms\.\*\*(.*?)\n\n", README, re.DOTALL).group(1)
    said = " ".join(platforms.split())
    for words in ("Linux x86_64", "Python 3.11", "3.13", "Apple Silicon Macs (macOS 14 or newer)",
                  "Windows amd64", "Python 3.11, 3.12 and 3.13", ".ci/platforms"):
        assert words in said, words


def test_this_python_is_supported():
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in supported_pythons()


def test_the_first_set_up_says_what_it_downloads_and_shows_progress():
    recipe = re.search(r"^\$\(STAMP\):.*?\n\n", MAKEFILE, re.DOTALL | re.MULTILINE).group(0)
    said = [line for line in recipe.splitlines() if line.strip().startswith("@echo")]
    first = said[-1]  # after the version checks, before anything is downloaded
    assert recipe.index(first) < recipe.index("pip install")
    assert "downloading" in first and "GB" in first and "network" in first
    assert "--quiet" not in recipe.split("-r requirements.lock")[0].rsplit("\n", 1)[-1], (
        "pip must show the packages it downloads")
    assert "needs the network" in README
    assert "2.4 GB" in README


def test_make_lab_and_web_print_a_tokened_address():
    for target in ("lab", "web"):
        recipe = re.search(rf"^{target}: .*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE).group(1)
        assert f"-m digitlib.serve {target}" in recipe
        assert "--no-browser" not in recipe and "echo" not in recipe
    assert "/lab?token=" in README
