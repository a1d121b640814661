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


def _predict(arguments) -> int:
    import json
    from pathlib import Path

    from digitlib import predict

    try:
        predictor = predict.Predictor.load(arguments.model, threads=1)  # it only reads digits
    except predict.ModelError as error:  # also a missing model
        print(f"error: {error}", file=sys.stderr)
        return 2
    status, report = 0, []
    for image in arguments.images:
        try:
            photo = True if arguments.photo else None  # None: photo or drawing, decided
            detections = predictor.predict_digits(image, photo=photo)
            if arguments.annotate:
                output = Path(arguments.annotate)
                if len(arguments.images) > 1:  # one picture per image: OUT_<image name>.png
                    output = output.with_name(f"{output.stem}_{Path(image).stem}{output.suffix}")
                predict.annotate(image, detections, photo=photo).save(output)
        except (ValueError, TypeError, OSError) as error:
            print(f"error: {image}: {error}", file=sys.stderr)
            report.append({"image": image, "error": str(error)})
            status = 1
            continue
        report.append({
            "image": image,
            "digits": "".join(str(d.digit) for d in detections),
            "source": detections[0].source if detections else None,  # "drawing" or "photo"
            "detections": [
                {"digit": d.digit, "confidence": round(d.confidence, 4), "box": list(d.box),
                 "unsure": d.unsure, "reason": d.reason,
                 "top3": [[digit, round(p, 4)] for digit, p in d.top3]}
                for d in detections
            ],
        })
        if not arguments.json:
            _print_reading(report[-1])
    if arguments.json:
        print(json.dumps(report, indent=2))
    return status


def _finetune(arguments) -> int:
    from digitlib import config, finetune

    if config.fast_mode():
        print(f"Fast mode ({config.FAST_MODE_VARIABLE}=1): a short run written to a temporary "
              f"directory unless --output is given")
    try:
        result = finetune.finetune(base=arguments.base, data_source=arguments.data,
                                   output=arguments.output, holdout_fraction=arguments.holdout,
                                   verbose=0)
    except (ValueError, FileNotFoundError) as error:  # PersonalDataError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 2
    card = result.card
    print(f"Fine-tuned on {card['user_examples_trained_on']} of your examples "
          f"({card['user_examples_held_out']} held out) in {card['train_seconds']:.0f} s")
    if result.before is not None:
        print(f"Your held-out examples: {card['heldout_accuracy_before']:.1%} before, "
              f"{card['heldout_accuracy_after']:.1%} after")
    else:
        print("Too few examples to hold any out: no honest before/after figure")
    print(f"MNIST test set: {card['mnist_test_accuracy_before']:.2%} before, "
          f"{card['mnist_test_accuracy_after']:.2%} after")
    print(f"Saved {result.path} (card {result.path.with_suffix('.json').name}); read digits "
          f"with it: python -m digitlib predict --model {result.path} IMAGE")
    return 0


def _print_reading(reading) -> None:
    if not reading["detections"]:
        print(f"{reading['image']}: no digits found")
        return
    photo = "  (read as a photo of paper)" if reading.get("source") == "photo" else ""
    print(f"{reading['image']}: {reading['digits']}{photo}")
    for d in reading["detections"]:
        note = f"  unsure: {d['reason']}" if d["unsure"] else ""
        print(f"  {d['digit']}  box {tuple(d['box'])}  {d['confidence']:.1%}{note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("data", help="download (or load) and verify MNIST").set_defaults(run=_data)

    train_parser = commands.add_parser("train", help="train the default model and its card")
    train_parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train_parser.add_argument("--output", help="model path (default models/mnist_cnn.keras)")
    train_parser.set_defaults(run=_train)

    predict_parser = commands.add_parser(
        "predict", help="read the digits in image files (boxes and confidences)"
    )
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE", help="image file(s)")
    predict_parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    predict_parser.add_argument(
        "--annotate", metavar="OUT.png",
        help="write the image with boxes and labels (several images: OUT_<name>.png each)",
    )
    predict_parser.add_argument("--model", help="model path (default models/mnist_cnn.keras)")
    predict_parser.add_argument(
        "--photo", action="store_true",
        help="read the images as photos or scans of paper (default: decided per image)",
    )
    predict_parser.set_defaults(run=_predict)

    finetune_parser = commands.add_parser(
        "finetune", help="adapt the model to your own digits (data/my_digits)"
    )
    finetune_parser.add_argument("--data", help="your dataset folder (default data/my_digits)")
    finetune_parser.add_argument(
        "--output", help="model path (default models/mnist_cnn_personal.keras)"
    )
    finetune_parser.add_argument("--base", help="model to start from (default: the default model)")
    finetune_parser.add_argument("--holdout", type=float, default=0.3,
                                 help="share of your examples kept aside to score (default 0.3)")
    finetune_parser.set_defaults(run=_finetune)

    arguments = parser.parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
