"""bench-crops: tight crops of MNIST digits (``synthetic_crops``: ink to the picture's edge, either
polarity, grey or bitmap, blur, JPEG, small margins, numbers of 2-5 digits) read by
``predict_digit`` / ``predict_digits`` and, on the same model in the same run, by a naive
resize-to-28x28 peer and an ink-box peer (``peer_naive``, ``peer_ink_box``).

Targets (test digits, ``synthetic_crops.REPORT``): single digits >= 99.5 % right and none read
as nothing; no kind below 98 %; numbers >= 97 % exactly right. ``--train`` measures on crops of
training digits with the ``TUNING`` settings (what rules are tuned on).

    python -m benchmarks.crops [--train] [--singles N] [--numbers N] [--seed N]
"""

import sys
import time

from benchmarks import common


def _peer_grey(image):
    """A crop as white-on-black float grey in [0, 1], as a careful peer pipeline makes it:
    greyscale, stretched to its own range, inverted when its border is the lighter side."""
    import numpy as np

    grey = np.asarray(image.convert("L"), np.float32)
    grey = (grey - grey.min()) / max(float(np.ptp(grey)), 1.0)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 1.0 - grey if np.median(border) > 0.5 else grey


def _peer_pieces(grey):
    """The digits of a crop for the peers: Otsu's threshold, 8-connected marks (specks under 5 %
    of the largest dropped), marks sharing most of a column merged, left to right; each as the
    (top, bottom, left, right) of its ink."""
    import numpy as np
    from scipy import ndimage
    from skimage.filters import threshold_otsu

    mask = grey > threshold_otsu(grey) if np.ptp(grey) > 0 else np.zeros(grey.shape, bool)
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if count == 0:
        return []
    areas = np.bincount(labels.ravel())[1:]
    boxes = sorted([s[0].start, s[0].stop, s[1].start, s[1].stop]
                   for s, area in zip(ndimage.find_objects(labels), areas, strict=True)
                   if area >= 0.05 * areas.max())
    boxes.sort(key=lambda box: box[2])
    merged = [boxes[0]]
    for box in boxes[1:]:
        last = merged[-1]
        overlap = min(last[3], box[3]) - max(last[2], box[2])
        if overlap >= 0.5 * min(last[3] - last[2], box[3] - box[2]):
            merged[-1] = [min(last[0], box[0]), max(last[1], box[1]), min(last[2], box[2]),
                          max(last[3], box[3])]
        else:
            merged.append(box)
    return merged


def peer_naive(predictor, image) -> str:
    """The naive peer: each digit's columns, the crop's full height, resized to 28 x 28."""
    import numpy as np
    from PIL import Image

    grey = _peer_grey(image)
    tiles = [np.asarray(Image.fromarray(grey[:, left:right]).resize((28, 28),
                                                                      Image.Resampling.BILINEAR))
             for _, _, left, right in _peer_pieces(grey)]
    return "".join(str(int(p.argmax())) for p in predictor.classify(np.stack(tiles))) if (
        tiles) else ""


def peer_ink_box(predictor, image) -> str:
    """The careful peer: each digit's ink box, its longer side fitted to 20 px, placed in 28 x 28
    with its centre of mass at the centre (MNIST's own recipe, in about twenty lines)."""
    import numpy as np
    from PIL import Image
    from scipy import ndimage

    grey = _peer_grey(image)
    tiles = []
    for top, bottom, left, right in _peer_pieces(grey):
        digit = grey[top:bottom, left:right]
        scale = 20 / max(digit.shape)
        size = (max(1, round(digit.shape[1] * scale)), max(1, round(digit.shape[0] * scale)))
        small = np.clip(np.asarray(Image.fromarray(digit).resize(size, Image.Resampling.LANCZOS)),
                        0, 1)
        tile = np.zeros((28, 28), np.float32)
        row, column = ndimage.center_of_mass(small) if small.sum() > 0 else (0, 0)
        y = int(np.clip(round(14 - row), 0, 28 - size[1]))
        x = int(np.clip(round(14 - column), 0, 28 - size[0]))
        tile[y : y + size[1], x : x + size[0]] = small
        tiles.append(tile)
    return "".join(str(int(p.argmax())) for p in predictor.classify(np.stack(tiles))) if (
        tiles) else ""


def bench_crops(split: str = "test", singles: int = 600, numbers: int = 200, seed: int = 31):
    """Print each reader's share right on ``singles`` crops of one digit and ``numbers`` crops of
    numbers, then by kind. ``split``: "test" (the report) or "train" (the tuning settings)."""
    import warnings

    import numpy as np

    from digitlib import config
    from digitlib.datasets import synthetic_crops
    from digitlib.reading import images

    if split not in ("test", "train"):
        raise ValueError(f"split must be \"test\" or \"train\", got {split!r}")
    fast = config.fast_mode()
    if fast:
        singles, numbers = 20, 6
    predictor, _ = common.serving_predictor(None, "bench-crops")
    one = synthetic_crops.crop_set(split, singles, (1, 1), seed=seed)
    many = synthetic_crops.crop_set(split, numbers, (2, 5), seed=seed + 1)

    def ours(crop):
        if len(crop.label) == 1:
            with warnings.catch_warnings():  # predict_digit warns of marks cut by the edge
                warnings.simplefilter("ignore", images.ImageWarning)
                found = predictor.predict_digit(crop.image)
            return str(found.digit) if found else ""
        return "".join(str(d.digit) for d in predictor.predict_digits(crop.image))

    readers = {"digitlib": ours, "ink-box peer": lambda crop: peer_ink_box(predictor, crop.image),
               "naive peer": lambda crop: peer_naive(predictor, crop.image)}
    results = {}
    for name, read in readers.items():
        started = time.perf_counter()
        texts = [read(crop) for crop in one + many]
        seconds = time.perf_counter() - started
        results[name] = (texts, 1000 * seconds / len(texts))
    settings = "REPORT" if split == "test" else "TUNING"
    print(f"\nbench-crops on {common.cores()} CPU cores: tight crops of MNIST "
          f"{split} digits (synthetic_crops.{settings}, seed {seed}): {len(one)} single digits, "
          f"{len(many)} numbers of 2-5 digits; load average {common.load_average():.1f}"
          + ("; FAST MODE: tiny sets, the figures say nothing" if fast else ""))
    print(f"  {'reader':14}{'digits right':>13}{'nothing':>9}{'numbers exact':>15}{'nothing':>9}"
          f"{'ms a crop':>11}")
    for name, (texts, ms) in results.items():
        digit_texts, number_texts = texts[: len(one)], texts[len(one):]
        right = np.mean([t == c.label for t, c in zip(digit_texts, one, strict=True)])
        exact = np.mean([t == c.label for t, c in zip(number_texts, many, strict=True)])
        print(f"  {name:14}{right:13.2%}{digit_texts.count(''):9}{exact:15.1%}"
              f"{number_texts.count(''):9}{ms:11.1f}")
    print("  by kind (share exactly right; digitlib / ink-box peer / naive peer):")
    crops = one + many
    for kind in synthetic_crops.KINDS:
        members = [k for k, crop in enumerate(crops) if kind in crop.kinds]
        shares = [np.mean([results[name][0][k] == crops[k].label for k in members])
                  for name in readers]
        print(f"    {kind:14} {len(members):4} crops  " + " / ".join(f"{v:6.1%}" for v in shares))
    print("  targets: single digits >= 99.5 % and none read as nothing; no kind below 98 %; "
          "numbers >= 97 % exact")


def main(argv=None) -> int:
    arguments = common.parser("crops", __doc__)
    arguments.add_argument("--train", dest="split", action="store_const", const="train",
                           default="test", help="crops of training digits, tuning settings")
    arguments.add_argument("--singles", type=common.positive, default=600,
                           help="crops of one digit (default 600)")
    arguments.add_argument("--numbers", type=common.positive, default=200,
                           help="crops of numbers of 2-5 digits (default 200)")
    arguments.add_argument("--seed", type=int, default=31, help="the crops' seed (default 31)")
    options = arguments.parse_args(argv)
    bench_crops(options.split, options.singles, options.numbers, options.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
