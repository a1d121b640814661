"""What several benchmarks share: timing, the serving predictor, the machine's line, the options.

Every benchmark configures the code through its public arguments (``Predictor(touching=...)``,
``Predictor(model_call=...)``, ``to_mnist(upright_enough=...)``), never by patching it.
"""

import argparse
import os
import sys
import time

# bench-predict, bench-explain and the readers are timed as the CLI and the Tk app serve: on two
# cores (the machine the targets were set on).
SERVING_CORES = 2


def p50_ms(function, repeats: int, warmup: int = 3) -> float:
    """Median wall time in ms of ``function(k)`` for k = 0 .. repeats - 1, after ``warmup`` calls
    (k = 0 .. warmup - 1) that are not timed."""
    import numpy as np

    for k in range(warmup):
        function(k)
    times = []
    for k in range(repeats):
        started = time.perf_counter()
        function(k)
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def cores() -> int:
    """How many CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def load_average() -> float:
    """The load average over the last minute (0.0 where the system does not say)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def serving_predictor(model_path, bench: str, **options):
    """``(predictor, one_thread)`` as the CLI and the Tk app serve: the process pinned to
    ``SERVING_CORES`` cores and TensorFlow to one thread per op (both before TensorFlow starts),
    the model loaded once (``options`` go to ``Predictor``); a model that cannot be loaded ends
    the bench with its one-line reason."""
    from digitlib.reading import predict

    if hasattr(os, "sched_setaffinity") and cores() > SERVING_CORES:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:SERVING_CORES])
    one_thread = predict.limit_threads(1)
    try:
        return predict.Predictor.load(model_path, **options), one_thread
    except predict.ModelError as error:
        sys.exit(f"{bench}: {error}")


def eight_digit_canvas(x_test, y_test):
    """``(canvas, "31415926")``: the first MNIST test 3, 1, 4, 1, 5, 9, 2 and 6, 84 px tall and
    16 px apart, on a white PIL canvas (bench-predict's and bench-strings' canvas)."""
    import numpy as np
    from PIL import Image

    digits = [int(np.flatnonzero(y_test == digit)[0]) for digit in (3, 1, 4, 1, 5, 9, 2, 6)]
    canvas = Image.new("L", (8 * 100 + 20, 124), 255)  # black ink on white, like the pads
    for slot, index in enumerate(digits):
        tile = Image.fromarray(255 - x_test[index]).resize((84, 84), Image.Resampling.BICUBIC)
        canvas.paste(tile, (10 + slot * 100, 20))
    return canvas, "".join(str(y_test[index]) for index in digits)


def parser(module: str, doc: str) -> argparse.ArgumentParser:
    """The argument parser of ``python -m benchmarks.<module>``, described by its docstring's
    first paragraph."""
    return argparse.ArgumentParser(prog=f"python -m benchmarks.{module}",
                                   description=doc.strip().split("\n\n")[0])


def add_model(arguments: argparse.ArgumentParser) -> None:
    """The ``--model`` option: a name of ``config.MODEL_NAMES`` or a file (default: active)."""
    arguments.add_argument("--model", default=None, metavar="NAME_OR_PATH",
                           help="committed, mine, personal or a .keras file (default: the "
                                "active model)")


def positive(text: str) -> int:
    """A whole number of at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value
