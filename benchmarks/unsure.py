"""bench-unsure: honest confidence on the pad (issue #30), today's unsure rule and the new one in
the same run (``Predictor(unsure_rule=...)``): the share of generated non-digit drawings
(``digitlib.datasets.nondigits``) that come back with no sure digit, by kind, and the share of
MNIST digits placed on a pad canvas that come back with an unsure reading, with the time per
digit. The tuning set is what the rule was chosen on (``nondigits.TUNING``, validation digits);
the report set is other generator settings (``nondigits.REPORT``) and MNIST *test* digits. The
no-digit model (``digitlib.reading.any_digit``) trained on neither: on ``nondigits.TRAINING``,
and never on letters or scattered strokes, which both sets score as shapes it has not seen.

Targets (report set): >= 80 % of non-digit drawings marked unsure; at most 0.5 points more MNIST
test digits marked unsure than today's rule.

    python -m benchmarks.unsure [--per-kind N] [--digits N] [--tuning-digits N]
"""

import sys
import time

from benchmarks import common


def mnist_on_pad(image):
    """An MNIST digit (uint8 28x28, ink bright) as dark ink on a white 280x280 pad canvas."""
    from PIL import Image

    return Image.fromarray(255 - image).resize((280, 280), Image.Resampling.BICUBIC)


def bench_unsure(per_kind: int = 50, digits: int = 10000, tuning_digits: int = 2000) -> None:
    """Print both rules' shares on the tuning set (``per_kind`` drawings of each kind,
    ``tuning_digits`` validation digits) and on the report set (``digits`` test digits)."""
    import re

    import numpy as np

    from digitlib import config
    from digitlib.datasets import mnist, nondigits
    from digitlib.reading import predict
    from digitlib.training.train import split_validation

    fast = config.fast_mode()
    if fast:
        per_kind, digits, tuning_digits = 2, 40, 40
    new, _ = common.serving_predictor("committed", "bench-unsure")
    rules = {"today": predict.Predictor(new.model, path=new.path, unsure_rule="today"),
             "new": new}
    (x_train, y_train), (x_test, _) = mnist.load_mnist()
    _, (x_val, _) = split_validation(x_train, y_train)
    print(f"\nbench-unsure on {common.cores()} CPU cores, load average "
          f"{common.load_average():.1f}; model {new.path}; rules: today = "
          f"Predictor(unsure_rule=\"today\"), new = \"{new.unsure_rule}\""
          + ("; FAST MODE: tiny sets, the figures say nothing" if fast else ""))
    print("  a drawing is marked unsure when every digit read on it is unsure (none shows as a sure"
          " green digit);\n  (any: at least one reading unsure, so the pad says it is unsure)")
    unseen = [kind for kind in nondigits.KINDS if kind not in nondigits.TRAINING_KINDS]
    print(f"  the no-digit model trained on nondigits.TRAINING (seed {nondigits.TRAINING.seed}), "
          f"never on: {', '.join(unseen)}")
    for part, settings, x, count in (("tuning", nondigits.TUNING, x_val, tuning_digits),
                                     ("report", nondigits.REPORT, x_test, digits)):
        drawings = nondigits.generate(per_kind, settings)
        kinds = list(dict.fromkeys(kind for kind, _ in drawings))
        print(f"  {part} set: {len(drawings)} non-digit drawings (nondigits.{settings.name.upper()}"
              f", seed {settings.seed}), {count} MNIST "
              f"{'validation' if part == 'tuning' else 'test'} digits on a 280x280 pad")
        print(f"    {'':7}{'all':>6}{'(any)':>7}  " + "".join(f"{kind[:11]:>12}" for kind in kinds))
        shares = {}
        for name, predictor in rules.items():
            read = [predictor.predict_digits(picture) for _, picture in drawings]
            every = [all(d.unsure for d in found) for found in read]
            some = [any(d.unsure for d in found) or not found for found in read]
            by_kind = [np.mean([ok for ok, (kind, _) in zip(every, drawings, strict=True)
                                if kind == wanted]) for wanted in kinds]
            flagged, seconds = 0, 0.0
            for image in x[:count]:
                canvas = mnist_on_pad(image)
                started = time.perf_counter()
                found = predictor.predict_digits(canvas)
                seconds += time.perf_counter() - started
                flagged += any(d.unsure for d in found)
            shares[name] = flagged / count
            print(f"    {name:7}{np.mean(every):6.1%}{np.mean(some):7.1%}  "
                  + "".join(f"{share:12.0%}" for share in by_kind)
                  + f"\n    {'':7}MNIST digits marked unsure {flagged / count:6.2%} "
                  f"({flagged} of {count}); {1000 * seconds / count:.2f} ms a digit")
        target = ("   targets: non-digits >= 80 %, MNIST test <= +0.50 points"
                  if part == "report" else "")
        print(f"    new - today on MNIST digits: {100 * (shares['new'] - shares['today']):+.2f} "
              f"points{target}")
    reasons = {}
    for _, picture in nondigits.generate(per_kind, nondigits.REPORT):
        for found in new.predict_digits(picture):
            reason = re.sub(r" \(\d+%\)", "", found.reason) or "(sure)"
            reasons[reason] = reasons.get(reason, 0) + 1
    print("  reasons given (new rule, report set's non-digit readings): " + "; ".join(
        f"{reason} {count}" for reason, count in sorted(reasons.items(), key=lambda r: -r[1])))


def main(argv=None) -> int:
    arguments = common.parser("unsure", __doc__)
    arguments.add_argument("--per-kind", type=common.positive, default=50,
                           help="non-digit drawings of each kind (default 50)")
    arguments.add_argument("--digits", type=common.positive, default=10000,
                           help="MNIST test digits in the report set (default 10000)")
    arguments.add_argument("--tuning-digits", type=common.positive, default=2000,
                           help="MNIST validation digits in the tuning set (default 2000)")
    options = arguments.parse_args(argv)
    bench_unsure(options.per_kind, options.digits, options.tuning_digits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
