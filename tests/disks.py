"""Real full and read-only disks for the tests that need one: a tiny tmpfs mounted for the test.

Mounting needs root on Linux (and a container that allows it); elsewhere the test is skipped,
and its twin with a monkeypatched ``OSError`` still runs.
"""

import contextlib
import os
import subprocess

import pytest


def _mount(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *arguments], capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def tiny_disk(folder, size_kib: int = 1024):
    """Mount an empty tmpfs of ``size_kib`` KiB at ``folder`` (created); unmount afterwards."""
    os.makedirs(folder, exist_ok=True)
    try:
        mounted = os.geteuid() == 0 and _mount(
            "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder)).returncode == 0
    except (OSError, subprocess.SubprocessError, AttributeError):
        mounted = False
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (needs root on Linux)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def make_read_only(folder) -> None:
    """Remount the ``tiny_disk`` at ``folder`` read-only (root ignores chmod)."""
    result = _mount("-o", "remount,ro", str(folder))
    assert result.returncode == 0, result.stderr


def fill(folder) -> None:
    """Fill the ``tiny_disk`` at ``folder`` to the last byte."""
    with open(os.path.join(folder, "filler"), "wb", buffering=0) as filler:
        with contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 1024)
