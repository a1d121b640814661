"""bench-start: how long a fresh process takes to read one digit, and how much memory it holds,
the new way (the model's ONNX copy, no TensorFlow) next to the way before it in the same run.

Each command runs as a fresh process, ``--repeats`` times (median wall time and peak RSS, from
the kernel's account of each child), on ``common.SERVING_CORES`` cores:

- ``python -m digitlib predict one.png`` (the new way);
- the way before the ONNX copies: ``Predictor.load(onnx_copy=False)`` (Keras loads the model
  and tf2onnx converts it in memory) reading the same picture;
- ``python -c "import tensorflow"``, what the new way no longer pays;
- the Tk app, from launch to its first reading shown, under Xvfb (``--open one.png
  --exit-after-reading``); left out, with the reason, without Xvfb or Tk.

Targets (issue #31): the CLI reads one digit in <= 0.8 s wall and <= 250 MB peak RSS; the Tk app
is up and reading in <= 1.5 s.

    python -m benchmarks.start [--model NAME_OR_PATH] [--repeats N] [--no-app]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common

TARGET_CLI_SECONDS = 0.8
TARGET_CLI_MEGABYTES = 250
TARGET_APP_SECONDS = 1.5
REPEATS = 5  # each a cold process: the median of five steadies a shared machine's figures
CHILD_SECONDS = 300  # the old way takes about 4 s; a child this slow is stuck
DIGIT = 1  # the picture: one drawn digit, as the issue measured it

# The way before the ONNX copies, as ``python -m digitlib predict`` did it, in one process.
OLD_WAY = """import sys
from digitlib.reading.predict import Predictor
model, picture = sys.argv[1] or None, sys.argv[2]
predictor = Predictor.load(model, threads=1, onnx_copy=False)
print("".join(str(found.digit) for found in predictor.predict_digits(picture)))
"""


def child(command, environment=None) -> tuple[float, float, str]:
    """Run ``command`` as a fresh process: ``(wall seconds, peak RSS in MB, its output)``.
    The peak is the kernel's for that child alone (``os.wait4``)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=environment)
        try:
            _, status, usage = _wait(process)
        finally:
            if process.returncode is None:  # stuck: not reaped by _wait
                process.kill()
                process.wait()
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-start: {' '.join(map(str, command))} failed:\n{text[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, text  # ru_maxrss is in KB on Linux


def _wait(process):
    deadline = time.monotonic() + CHILD_SECONDS
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            return pid, status, usage
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.args} ran over {CHILD_SECONDS} s")
        time.sleep(0.002)


def median_of(command, repeats: int, environment=None) -> dict:
    """The median wall time and peak RSS of ``repeats`` fresh runs, and the last output."""
    import numpy as np

    runs = [child(command, environment) for _ in range(repeats)]
    return {"seconds": float(np.median([run[0] for run in runs])),
            "megabytes": float(np.median([run[1] for run in runs])), "output": runs[-1][2]}


def app_unavailable() -> str:
    """Why the Tk app cannot be timed here ("" when it can)."""
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (sudo apt-get install xvfb)"
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return "this Python has no Tk"
    return ""


def bench_start(model=None, repeats: int = REPEATS, app: bool = True) -> None:
    from digitlib.datasets.synthetic import draw_digits, row_of_places

    if hasattr(os, "sched_setaffinity") and common.cores() > common.SERVING_CORES:
        # every child inherits it: timed on the cores the targets were set on
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:common.SERVING_CORES])
    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    picture = folder / "one.png"
    draw_digits([DIGIT], row_of_places(1, gap=20), (140, 140)).save(picture)
    python = sys.executable
    chosen = ["--model", model] if model else []
    figures = {
        "cli": median_of([python, "-m", "digitlib", "predict", str(picture), *chosen], repeats),
        "old": median_of([python, "-c", OLD_WAY, model or "", str(picture)], repeats),
        "tensorflow": median_of([python, "-c", "import tensorflow"], repeats),
    }
    unavailable = app_unavailable() if app else "left out (--no-app)"
    if not unavailable:
        from tests.xdisplay import virtual_display

        with virtual_display() as display:
            figures["app"] = median_of(
                [python, "-m", "digitlib", "app", "--open", str(picture),
                 "--exit-after-reading", *chosen], repeats, {**os.environ, "DISPLAY": display})
    shutil.rmtree(folder, ignore_errors=True)

    print(f"\nbench-start on {common.cores()} CPU cores: each a fresh process, median of "
          f"{repeats} (wall time, peak RSS); a drawn {DIGIT}")
    load = common.load_average()
    print(f"  load average {load:.1f}" + (" (other work shares the cores: figures run high)"
                                         if load > 0.5 else ""))

    def line(name, key, target=""):
        figure = figures[key]
        print(f"  {name + ':':44}{figure['seconds']:6.2f} s {figure['megabytes']:6.0f} MB"
              f"{'   ' + target if target else ''}")

    line("python -m digitlib predict one.png", "cli",
         f"target <= {TARGET_CLI_SECONDS} s, <= {TARGET_CLI_MEGABYTES} MB")
    line("the way before (Keras load + tf2onnx)", "old")
    line('python -c "import tensorflow"', "tensorflow")
    if "app" in figures:
        line("Tk app, launch to first reading (Xvfb)", "app", f"target <= {TARGET_APP_SECONDS} s")
    else:
        print(f"  Tk app: not timed: {unavailable}")
    cli, old = figures["cli"], figures["old"]
    print(f"  the new way: {old['seconds'] / cli['seconds']:.1f}x faster, "
          f"{old['megabytes'] / cli['megabytes']:.1f}x less memory")
    read_new = cli["output"].split(":")[1].split()[0] if ":" in cli["output"] else "?"
    read_old = old["output"].strip().splitlines()[-1] if old["output"].strip() else "?"
    print(f"  read: new {read_new}, before {read_old} (drawn {DIGIT})"
          + (f", app: {figures['app']['output'].strip().splitlines()[-1]}"
             if "app" in figures else ""))


def main(argv=None) -> int:
    arguments = common.parser("start", __doc__)
    common.add_model(arguments)
    arguments.add_argument("--repeats", type=common.positive, default=REPEATS,
                           help=f"fresh processes per command (default {REPEATS})")
    arguments.add_argument("--no-app", action="store_true", help="leave the Tk app out")
    options = arguments.parse_args(argv)
    bench_start(options.model, options.repeats, app=not options.no_app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
