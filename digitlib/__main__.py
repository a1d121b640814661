"""Command line: ``python -m digitlib data | train | predict ...`` (also as ``digits``)."""

import argparse
import sys


def _data(arguments) -> int:
    from digitlib import data

    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    print(f"MNIST ready in {data.CACHE_PATH}: {len(x_train):,} training and {len(x_test):,} test "
          f"images, verified (sha256 {data.EXPECTED_SHA256[:12]}...)")
    return 0


def _train(arguments) -> int:
    from digitlib import config, train

    recipe = train.Recipe.default()
    if arguments.epochs is not None:
        recipe.epochs = arguments.epochs
    if config.fast_mode():
        print(f"Fast mode ({config.FAST_MODE_VARIABLE}=1): a tiny run that never touches models/")
    path, _, card = train.train_and_save(arguments.output, recipe, verbose=1)
    print(f"Saved {path} (card {path.with_suffix('.json').name}): test accuracy "
          f"{card['test_accuracy']:.2%}, validation {card['validation_accuracy']:.2%}, "
          f"{card['train_seconds']:.0f} s")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("data", help="download (or load) and verify MNIST").set_defaults(run=_data)

    train_parser = commands.add_parser("train", help="train the default model and its card")
    train_parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train_parser.add_argument("--output", help="model path (default models/mnist_cnn.keras)")
    train_parser.set_defaults(run=_train)

    arguments = parser.parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
