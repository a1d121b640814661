"""bench-strings: numbers whose digits touch (gaps -2..+1 px at MNIST's scale) and numbers of
separated digits, read by ``predict_digits`` with the string reader (``touching="search"``,
``digitlib.reading.touching``) and with the reader before it (``touching="columns"``) in the
same run; and the time of both on an 8-digit canvas of separated digits and a 5-digit touching
number.

Targets: exact strings >= 85 %; no loss on separated digits; 8 separated digits <= 5 ms p50; a
5-digit touching string <= 30 ms p50. ``--train`` measures on numbers of MNIST training digits
instead (the ones thresholds are tuned on).

    python -m benchmarks.strings [--train] [--count N | --quick]
"""

import sys
import time

from benchmarks import common

# The numbers read: 2-6 digits at 2-4 times MNIST's size, every pen width in turn.
DIGITS, SCALES = (2, 6), (2.0, 4.0)
TOUCHING_GAPS, SEPARATED_GAPS = (-2, 1), (3, 8)  # px between digits at MNIST's 28-px scale
QUICK_COUNT = 100  # --quick: fewer touching numbers, for a first look while tuning
READERS = {"search": "string reader (digitlib.reading.touching)",
           "columns": "reader before it (Predictor(touching=\"columns\"))"}


def write_numbers(x, y, count: int, seed: int, gaps=TOUCHING_GAPS) -> list:
    """``count`` numbers written with the MNIST digits ``x``, ``y`` (``synthetic.numbers``): a
    list of ``(canvas, labels)``."""
    from digitlib.datasets import synthetic

    return [(canvas, labels) for canvas, labels, _ in synthetic.numbers(
        x, y, count, digits=DIGITS, gaps=gaps, scales=SCALES, pens_in_turn=True, seed=seed)]


def string_scores(read, numbers) -> dict:
    """Exact-string, digit-count and per-digit accuracy of ``read`` (canvas -> list of digits)
    on ``numbers`` (``(canvas, labels)`` pairs). Per digit: the truth's digits less the edits
    (digits misread, missed or extra) that turn what was read into the truth."""
    if not numbers:
        raise ValueError("numbers is empty: there is nothing to score")
    exact = count = matched = total = 0
    for canvas, labels in numbers:
        digits = read(canvas)
        exact += digits == labels
        count += len(digits) == len(labels)
        matched += max(0, len(labels) - edit_distance(digits, labels))
        total += len(labels)
    return {"exact": exact / len(numbers), "count": count / len(numbers),
            "digits": matched / total}


def edit_distance(a, b) -> int:
    """The fewest insertions, deletions and substitutions that turn ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for k, first in enumerate(a, 1):
        previous, row[0] = row[0], k
        for m, second in enumerate(b, 1):
            previous, row[m] = row[m], min(row[m] + 1, row[m - 1] + 1,
                                           previous + (first != second))
    return row[-1]


def bench_strings(split: str = "test", count: int = 300) -> None:
    """Print both readers' scores on ``count`` touching numbers (and a third as many separated
    ones) of MNIST ``split`` digits, and their p50 times."""
    from digitlib import config
    from digitlib.datasets import mnist, synthetic
    from digitlib.reading.predict import Predictor

    if split not in ("test", "train"):
        raise ValueError(f"split must be \"test\" or \"train\", got {split!r}")
    fast = config.fast_mode()
    if fast:
        count = 12
    searching, _ = common.serving_predictor("committed", "bench-strings")
    readers = {"search": searching,
               "columns": Predictor(searching.model, path=searching.path, touching="columns")}
    train, test = mnist.load_mnist()
    x, y = train if split == "train" else test
    touching = write_numbers(x, y, count, seed=15)
    separated = write_numbers(x, y, count // 3, seed=16, gaps=SEPARATED_GAPS)

    eight, _ = common.eight_digit_canvas(*test)  # bench-predict's canvas
    five, five_labels, _ = next(synthetic.numbers(*test, 1, digits=5, gaps=(-2, -1), scales=3.0,
                                                  pens=0, seed=17))
    figures = {}
    for name, predictor in readers.items():
        def read(canvas, predictor=predictor):
            return [d.digit for d in predictor.predict_digits(canvas)]

        def p50_ms(canvas, predictor=predictor, repeats=40):
            return common.p50_ms(lambda _: predictor.predict_digits(canvas), repeats)

        started = time.perf_counter()
        figures[name] = (string_scores(read, touching), string_scores(read, separated),
                         p50_ms(eight), p50_ms(five), time.perf_counter() - started)
    print(f"\nbench-strings: numbers of {DIGITS[0]}-{DIGITS[1]} MNIST {split} digits, scale "
          f"{SCALES[0]:g}-{SCALES[1]:g}, pen widths {synthetic.PEN_WIDTHS}"
          + ("; FAST MODE: tiny sets, the figures say nothing" if fast else ""))
    print(f"  {count} numbers with gaps {TOUCHING_GAPS[0]}..{TOUCHING_GAPS[1]:+d} px at 28-px "
          f"scale; {len(separated)} with gaps {SEPARATED_GAPS[0]}..{SEPARATED_GAPS[1]} px "
          "(separated)")
    for name, title in READERS.items():
        near, apart, eight_ms, five_ms, _ = figures[name]
        print(f"  {title}:\n"
              f"    touching:  exact {near['exact']:6.1%}  digit count {near['count']:6.1%}  "
              f"per digit {near['digits']:6.1%}   target exact >= 85 %\n"
              f"    separated: exact {apart['exact']:6.1%}  digit count {apart['count']:6.1%}  "
              f"per digit {apart['digits']:6.1%}   target: no loss\n"
              f"    p50: 8 separated digits {eight_ms:5.1f} ms (target <= 5), 5-digit touching "
              f"number {five_ms:5.1f} ms (target <= 30)")
    print(f"  (the timed 5-digit number is {''.join(map(str, five_labels))}; "
          f"load average {common.load_average():.1f})")


def main(argv=None) -> int:
    arguments = common.parser("strings", __doc__)
    arguments.add_argument("--train", dest="split", action="store_const", const="train",
                           default="test", help="numbers of training digits (for tuning)")
    how_many = arguments.add_mutually_exclusive_group()
    how_many.add_argument("--count", type=common.positive, default=300,
                          help="touching numbers (default 300; a third as many separated)")
    how_many.add_argument("--quick", dest="count", action="store_const", const=QUICK_COUNT,
                          help=f"the same as --count {QUICK_COUNT}")
    options = arguments.parse_args(argv)
    bench_strings(options.split, options.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
