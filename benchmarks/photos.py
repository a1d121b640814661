"""bench-photos: read generated photos of MNIST *test* digits on paper with the photo path and with
today's pad path (``photo=False``), and time a 12-megapixel photo, on 2 CPU cores.

Targets: single digits >= 97 % exact; numbers of 2-6 digits >= 90 % exactly right (every
digit, in order); a 12-MP photo read in <= 0.5 s (p50, decoding included).

    python -m benchmarks.photos [--singles N] [--numbers N] [--seed N]
"""

import sys
import time

from benchmarks import common

TARGET_SINGLES, TARGET_NUMBERS = 0.97, 0.90  # shares exactly right
LARGE_PHOTO = (4000, 3000)  # a 12-megapixel phone photo


def bench_photos(singles: int = 300, numbers: int = 200, seed: int = 13) -> None:
    """Print both paths' accuracy on ``singles`` photos of one digit and ``numbers`` photos of
    numbers, then the 12-MP photo's time."""
    import warnings
    from collections import Counter

    import numpy as np

    from digitlib.datasets import mnist, synthetic_photos
    from digitlib.reading import images

    predictor, _ = common.serving_predictor(None, "bench-photos")
    one = synthetic_photos.photo_set("test", singles, (1, 1), seed=seed)
    many = synthetic_photos.photo_set("test", numbers, (2, 6), seed=seed + 1)

    def single(photo, path):
        with warnings.catch_warnings():  # predict_digit warns of marks cut by the edge
            warnings.simplefilter("ignore", images.ImageWarning)
            found = predictor.predict_digit(photo.image, photo=path)
        return (str(found.digit) if found else ""), (found.source if found else None)

    def number(photo, path):
        found = predictor.predict_digits(photo.image, photo=path)
        return "".join(str(d.digit) for d in found), (found[0].source if found else None)

    print(f"\nbench-photos on {common.cores()} CPU cores: generated photos of "
          f"MNIST test digits (seed {seed}; plain, ruled and squared paper, blue, black and "
          "red ink, uneven light and a shadow, tilt, blur, grain, JPEG)")
    for name, photos, read, target in (("single digits", one, single, TARGET_SINGLES),
                                       ("numbers of 2-6 digits", many, number, TARGET_NUMBERS)):
        results = {}
        for path, label in ((None, "photo path (auto)"), (False, "today's pad path")):
            started = time.perf_counter()
            readings = [read(photo, path) for photo in photos]
            seconds = time.perf_counter() - started
            right = [text == photo.label for (text, _), photo in zip(readings, photos,
                                                                      strict=True)]
            results[label] = (float(np.mean(right)), seconds, readings, right)
        accuracy, seconds, readings, right = results["photo path (auto)"]
        old_accuracy, old_seconds, _, _ = results["today's pad path"]
        detected = Counter(source for _, source in readings)
        by_ruling = {ruling: np.mean([ok for ok, photo in zip(right, photos, strict=True)
                                      if photo.conditions["ruling"] == ruling])
                     for ruling in synthetic_photos.RULINGS}
        print(f"  {name} ({len(photos)} photos): photo path {accuracy:.1%} exact   target >= "
              f"{target:.0%}; today's path {old_accuracy:.1%}\n"
              f"    by paper: " + ", ".join(f"{r} {a:.1%}" for r, a in by_ruling.items())
              + f"; auto-detected as photos: {detected['photo']} of {len(photos)}; "
              f"{1000 * seconds / len(photos):.0f} ms a photo "
              f"(today's path {1000 * old_seconds / len(photos):.0f} ms)")

    # A 12-megapixel phone photo (4000 x 3000 JPEG) of a number, read from its file's bytes.
    rng = np.random.default_rng(seed)
    (_, _), (x_test, y_test) = mnist.load_mnist()
    chosen = rng.choice(len(x_test), 5, replace=False)
    small = synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, size=(1000, 750),
                                      digit_height=110, ruling="ruled")
    jpeg = synthetic_photos.large_photo(small, LARGE_PHOTO)

    def p50(function, repeats=7):  # seconds
        return common.p50_ms(lambda _: function(), repeats, warmup=1) / 1000

    def today(jpeg):  # as before this path existed: decoded in full, then the pad's ink
        return predictor.predict_digits(images.open_image(jpeg), photo=False)

    photo_s = p50(lambda: predictor.predict_digits(jpeg))
    today_s = p50(lambda: today(jpeg))
    decode_s = p50(lambda: images.open_image(jpeg))
    read = "".join(str(d.digit) for d in predictor.predict_digits(jpeg))
    old_read = "".join(str(d.digit) for d in today(jpeg))
    print(f"  12-MP photo ({LARGE_PHOTO[0]}x{LARGE_PHOTO[1]} JPEG, {len(jpeg) / 1e6:.1f} MB, from "
          f"its bytes): photo "
          f"path {photo_s:.2f} s p50   target <= 0.5 s; today's path {today_s:.2f} s "
          f"(of which decoding in full {decode_s:.2f} s)\n"
          f"    read {read or '(nothing)'} (written {small.label}); today's path read "
          f"{old_read[:20] or '(nothing)'}{'...' if len(old_read) > 20 else ''}")


def main(argv=None) -> int:
    arguments = common.parser("photos", __doc__)
    arguments.add_argument("--singles", type=common.positive, default=300,
                           help="photos of one digit (default 300)")
    arguments.add_argument("--numbers", type=common.positive, default=200,
                           help="photos of numbers of 2-6 digits (default 200)")
    arguments.add_argument("--seed", type=int, default=13, help="the photos' seed (default 13)")
    options = arguments.parse_args(argv)
    bench_photos(options.singles, options.numbers, options.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
