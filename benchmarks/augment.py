"""bench-augment: does slant and stroke augmentation help? Train the quick recipe twice, without
and with ``SLANT_AUGMENTATION``, and score both on the validation split only (never the test
set): as it is, and re-stroked upright vs slanted (``transforms.slant_sets`` of validation
digits).

    python -m benchmarks.augment [--epochs N]
"""

import sys
import time

from benchmarks import common

SLANT_AUGMENTATION = {"shear": 0.6, "stroke": 0.5}  # what it tries on top of the recipe


def bench_augment(epochs: int | None = None) -> None:
    """Print both runs' validation figures; ``epochs`` replaces the recipe's (None keeps it)."""
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int)
                               or epochs < 1):
        raise ValueError(f"epochs must be a whole number of at least 1 (or None), got {epochs!r}")
    from dataclasses import replace

    from digitlib import config
    from digitlib.datasets import mnist, transforms
    from digitlib.reading import preprocess
    from digitlib.training import evaluate, train

    fast = config.fast_mode()
    base = train.Recipe.default() if fast else train.Recipe.quick()
    base = replace(base, shear=0.0, stroke=0.0, epochs=epochs or base.epochs)
    (x_train, y_train), _ = mnist.load_mnist()
    _, (x_val, y_val) = train.split_validation(x_train, y_train)
    count = 500 if fast else len(x_val)
    upright, slanted = transforms.slant_sets(x_val[:count], seed=transforms.SLANT_SEED)
    print(f"bench-augment on {common.cores()} CPU cores, load average "
          f"{common.load_average():.1f}" + ("; FAST MODE: tiny runs, the figures say nothing"
                                            if fast else ""))
    print(f"  quick recipe ({base.epochs} epochs) without and with {SLANT_AUGMENTATION}; "
          f"scored on the {len(x_val)} validation digits, and on {count} of them re-stroked, "
          f"upright vs sheared ±{transforms.SLANTS[0]}-{transforms.SLANTS[1]}")
    for name, recipe in (("without", base), ("with", replace(base, **SLANT_AUGMENTATION))):
        started = time.perf_counter()
        network, _, info = train.train(recipe, verbose=2)
        wall = time.perf_counter() - started
        plain = float((network.predict(preprocess.normalize(x_val), batch_size=1000, verbose=0)
                       .argmax(axis=1) == y_val).mean())
        straight, leaning = evaluate.slant_accuracy(network, upright, slanted, y_val[:count])
        print(f"    {name + ':':9}validation {plain:.2%} (epoch {info['chosen_epoch']}); "
              f"re-stroked upright {straight:.2%}, slanted {leaning:.2%} "
              f"({100 * (straight - leaning):+.2f} points); wall {wall:.0f} s")


def main(argv=None) -> int:
    arguments = common.parser("augment", __doc__)
    arguments.add_argument("--epochs", type=common.positive, default=None,
                           help="epochs of each run (default: the quick recipe's)")
    options = arguments.parse_args(argv)
    bench_augment(options.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
