"""Running a benchmark as ``make bench-*`` does, for the tests of each one: every figure must
print (speed is not judged here: ``make bench-predict`` on a quiet machine is where the targets
are measured)."""

import os
import subprocess
import sys

import pytest

from digitlib import config
from tests.conftest import require

PERCENT = r"\d+\.\d\d%"
SLANT_LINE = rf"upright {PERCENT}, slanted {PERCENT} \([+-]\d+\.\d\d points\)"


def run_bench(module: str, *arguments, fast: bool = False) -> str:
    """``python -m benchmarks.<module> arguments``: its output, after checking that it ended
    well. ``fast``: in fast mode (tiny sets and trainings: every figure prints, none means
    much)."""
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    environment = {**os.environ, config.FAST_MODE_VARIABLE: "1"} if fast else None
    result = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *arguments],
                            capture_output=True, text=True, timeout=600, cwd=config.ROOT,
                            env=environment)
    assert result.returncode == 0, result.stderr[-2000:]
    if fast:
        assert "FAST MODE" in result.stdout
    return result.stdout


def refused(main, arguments, capsys) -> str:
    """What ``main(arguments)`` says on stderr when it refuses them (exit status 2), with its
    line breaks and runs of spaces as single spaces (argparse wraps the usage line to the
    terminal's width, which differs between Pythons and machines)."""
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 2
    return " ".join(capsys.readouterr().err.split())
