"""bench-deslant: how far may a digit lean before ``to_mnist`` stands it back up? For each limit
(``to_mnist(upright_enough=...)``), the model's accuracy on the **validation** digits (never the
test set) as the pad sees them (through ``to_mnist``), how many of them the correction changes,
and re-stroked upright vs slanted (shear ±0.35-0.6) validation digits.

    python -m benchmarks.deslant [--model NAME_OR_PATH]
"""

import math
import sys

from benchmarks import common

LIMITS = (None, 0.2, 0.35, 0.5)  # how far a digit may lean; None: no correction at all
CHANGED = 0.02  # mean pixel change above which to_mnist changed a validation digit


def bench_deslant(model_path=None) -> None:
    """Print one line per limit of ``LIMITS``, the one ``to_mnist`` uses marked."""
    import keras
    import numpy as np

    from digitlib import config
    from digitlib.datasets import mnist, transforms
    from digitlib.reading import preprocess
    from digitlib.training import evaluate, train

    path = config.model_path(model_path)
    network = keras.saving.load_model(path)
    (x_train, y_train), _ = mnist.load_mnist()
    _, (x_val, y_val) = train.split_validation(x_train, y_train)
    count = 500 if config.fast_mode() else len(x_val)
    x_val, y_val = x_val[:count], y_val[:count]
    print(f"bench-deslant: {config.describe_model(path)}; {count} validation digits; "
          f"load average {common.load_average():.1f}"
          + ("; FAST MODE: few digits" if config.fast_mode() else ""))
    originals = x_val.astype(np.float32) / 255
    for limit in LIMITS:
        upright_enough = math.inf if limit is None else limit
        # padded, so to_mnist crops, scales and centres as it does for a drawing
        seen = np.stack([preprocess.to_mnist(np.pad(image, 4), upright_enough=upright_enough)
                         for image in originals])
        upright, slanted = transforms.slant_sets(x_val, seed=transforms.SLANT_SEED,
                                                 upright_enough=upright_enough)
        changed = np.mean(np.abs(seen - originals).mean(axis=(1, 2)) > CHANGED)
        plain = float(np.mean(network.predict(seen[..., np.newaxis], batch_size=1000,
                                              verbose=0).argmax(axis=1) == y_val))
        straight, leaning = evaluate.slant_accuracy(network, upright, slanted, y_val)
        name = "no correction" if limit is None else f"stand up beyond ±{limit}"
        mark = "   <- preprocess.UPRIGHT_ENOUGH" if limit == preprocess.UPRIGHT_ENOUGH else ""
        print(f"  {name:24} through to_mnist {plain:.2%} ({changed:4.0%} changed); re-stroked "
              f"upright {straight:.2%}, slanted {leaning:.2%} ({100 * (straight - leaning):+.2f} "
              f"points){mark}")


def main(argv=None) -> int:
    arguments = common.parser("deslant", __doc__)
    common.add_model(arguments)
    options = arguments.parse_args(argv)
    bench_deslant(options.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
