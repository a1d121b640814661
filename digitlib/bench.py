"""Benchmarks that print figures: ``python -m digitlib.bench train`` or ``... predict``.

Targets are checked here, by measurement, not by timed unit tests.
"""

import sys
import time


def bench_train() -> None:
    """Train from scratch with the default recipe; print wall time and test accuracy."""
    import os
    import tempfile

    from digitlib import config, train

    if config.fast_mode():
        sys.exit("bench-train measures the full recipe: unset DIGITS_FAST first")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        _, _, card = train.train_and_save(os.path.join(directory, "bench.keras"), verbose=2)
    wall = time.perf_counter() - started
    print(f"\nbench-train on {os.cpu_count()} CPU cores")
    print(f"  wall time (data load + training + test scoring): {wall:6.1f} s   target <= 300 s")
    print(f"  test accuracy (full 10,000 images):              {card['test_accuracy']:.2%}"
          "   target >= 99.50 %")
    print(f"  validation accuracy (chosen epoch {card['chosen_epoch']}/{card['epochs']}):        "
          f"{card['validation_accuracy']:.2%}")


def bench_predict() -> None:
    raise NotImplementedError("filled in by the predictor work")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    benches = {"train": bench_train, "predict": bench_predict}
    if len(argv) != 1 or argv[0] not in benches:
        print(f"usage: python -m digitlib.bench {{{'|'.join(benches)}}}", file=sys.stderr)
        return 2
    benches[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
