"""The set-up: one lock for Python 3.11-3.13, make, the README's plain commands, environment.yml.

These files are what a learner runs before any digitlib code, so they are checked against each
other: a version added in one place and forgotten in another fails here, not on a new machine.
"""

import re
import sys
import tomllib
from importlib import metadata

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


def test_lock_holds_every_direct_dependency():
    locked = {canonicalize_name(r.name) for r in lock_requirements()}
    for dependency in PYPROJECT["project"]["dependencies"]:
        assert canonicalize_name(Requirement(dependency).name) in locked, dependency


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
    for requirement in lock_requirements():
        if requirement.marker:
            Marker(str(requirement.marker))  # raises when it is malformed
            assert canonicalize_name(requirement.name) in {"colorama", "pywinpty"}


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
