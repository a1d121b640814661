"""Save a trained model with what reads it: the ``.keras`` file, its ONNX copy and its card.

    from digitlib.training import export
    export.save_model(network, "models/mnist_cnn_mine.keras", card)

writes ``mnist_cnn_mine.keras``, ``mnist_cnn_mine.onnx`` (the same network for ONNX Runtime,
which reads digits without TensorFlow: ``digitlib.reading.runtime``) and ``mnist_cnn_mine.json``
(the card), each atomically. Training, fine-tuning, distillation, the companion model's training
and the GPU trainer all save through ``save_model``.

How a copy is known to be up to date: it records in its own metadata the SHA-256 of the
``.keras`` file it was made from (``runtime.MADE_FROM``), which ``Predictor.load`` compares with
the file there now. The card's ``onnx`` entry repeats it (``keras_sha256``), with the copy's own
SHA-256 and how far it was seen to agree with Keras: every new copy on ``CHECK_IMAGES`` random
images; the committed ones on all 10,000 MNIST test digits (``python -m
digitlib.training.export MODEL.keras --test-set``; ``tests/training/test_committed_model.py``
checks it again).
"""

import argparse
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

from digitlib import files
from digitlib.reading import runtime

CARD_SUFFIX = ".json"
CHECK_IMAGES = 64  # random images every new copy must read as Keras does (within AGREEMENT)
CHECK_SEED = 0
BATCH = 1000  # test digits per model call when comparing on the whole test set
CONVERSION_SECONDS = 600  # converting in a TensorFlow subprocess (GPU trainer) takes ~20 s


class CopyError(ValueError):
    """The ONNX conversion does not read as the Keras model does."""


def save_model(network, path, card: dict) -> Path:
    """Write ``network`` to ``path`` (a ``.keras`` file), its ONNX copy beside it and ``card``
    (beside it as ``.json``, with ``model_sha256`` and the copy's ``onnx`` entry added); returns
    ``path``. Where it may write is checked before training (``train.check_model_output``).

    When the copy cannot be made (a layer ONNX cannot express, or TensorFlow is missing beside
    another Keras backend) the card says ``"onnx": null`` and a warning says why; the model
    still reads digits, converted each time it is loaded."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model path must end in .keras, got {path}")
    if not isinstance(card, dict):
        raise TypeError(f"card must be a dict of what the model was made with, got "
                        f"{type(card).__name__}")
    with files.atomic_path(path) as temporary:
        network.save(temporary)
    card = {**card, "model_sha256": files.sha256_of(path), "onnx": None}
    write_card(path, card)
    try:
        card["onnx"] = write_copy(path, network)
    except Exception as error:  # tf2onnx fails in many ways on unusual models
        warnings.warn(f"no ONNX copy of {path.name}: {error}; it will be converted each time "
                      f"it is loaded", stacklevel=2)
    else:
        write_card(path, card)
    return path


def write_card(path, card: dict) -> None:
    files.write_text_atomic(Path(path).with_suffix(CARD_SUFFIX), json.dumps(card, indent=2) + "\n")


def write_copy(path, network=None, test_set: bool = False) -> dict:
    """Convert the model saved at ``path`` (``network``: the same model in memory, when at
    hand) and write its ONNX copy beside it; returns the card's ``onnx`` entry. The copy must
    agree with Keras on ``CHECK_IMAGES`` random images, and with ``test_set`` on all of MNIST's
    test digits (then every reading's argmax too), else ``CopyError``.

    The conversion needs Keras on TensorFlow: on another backend (the GPU trainer's torch) it
    runs in a subprocess that loads the saved file with TensorFlow."""
    import keras

    path = Path(path)
    if keras.backend.backend() != "tensorflow":
        return _write_copy_with_tensorflow(path, test_set)
    if network is None:
        network = keras.models.load_model(path, compile=False)
    copy = runtime.OnnxModel(runtime.to_onnx(network))
    shape = tuple(network.input_shape[1:])
    images = np.random.default_rng(CHECK_SEED).random((CHECK_IMAGES, *shape), dtype=np.float32)
    checked = f"{CHECK_IMAGES} random images"
    difference = _largest_difference(network, copy, images)
    entry = {}
    if test_set:
        entry["test_set"] = agreement_on_test_set(network, copy)
        difference = max(difference, entry["test_set"]["largest_difference"])
        checked = f"{checked} and the {entry['test_set']['digits']:,} MNIST test digits"
        # An argmax may differ only at a tie: where Keras's two likeliest classes are closer
        # than the rounding that tells the two runtimes apart.
        untied = [other for other in entry["test_set"]["other_argmax"]
                  if other["keras_top_two_gap"] > runtime.AGREEMENT]
        if untied:
            raise CopyError(f"the ONNX copy reads {len(untied)} test digits differently from "
                            f"Keras: {untied[:3]}")
    if difference > runtime.AGREEMENT:
        raise CopyError(f"the ONNX conversion differs from Keras by up to {difference:.2g} on "
                        f"{checked} (at most {runtime.AGREEMENT:g} is allowed)")
    keras_sha256 = files.sha256_of(path)
    written = copy.save(runtime.copy_path(path), made_from=keras_sha256)
    return {"file": written.name, "sha256": files.sha256_of(written),
            "keras_sha256": keras_sha256, "opset": runtime.ONNX_OPSET,
            "agrees_on": checked, "largest_difference": float(f"{difference:.3g}"), **entry}


def agreement_on_test_set(network, copy) -> dict:
    """How the ONNX ``copy`` and the Keras ``network`` compare on MNIST's 10,000 test digits:
    the largest difference in any probability, and whether every argmax is the same."""
    from digitlib.datasets import mnist
    from digitlib.reading import preprocess

    _, (x_test, _) = mnist.load_mnist()
    images = preprocess.normalize(x_test)
    expected = network.predict(images, batch_size=BATCH, verbose=0)
    got = np.concatenate([copy(images[start:start + BATCH])
                          for start in range(0, len(images), BATCH)])
    other = np.flatnonzero(expected.argmax(axis=1) != got.argmax(axis=1))
    top_two = np.sort(expected[other], axis=1)[:, -2:]
    return {"digits": int(len(images)),
            "largest_difference": float(f"{np.abs(expected - got).max():.3g}"),
            "same_argmax": len(other) == 0,
            # where the argmax differs, how far apart Keras's own two likeliest classes are
            "other_argmax": [{"test_digit": int(index), "keras_top_two_gap": float(f"{gap:.2g}")}
                             for index, gap in zip(other, top_two[:, 1] - top_two[:, 0],
                                                   strict=True)]}


def _largest_difference(network, copy, images) -> float:
    return float(np.abs(np.asarray(network(images, training=False)) - copy(images)).max())


def _write_copy_with_tensorflow(path: Path, test_set: bool) -> dict:
    """``write_copy`` in a fresh process on the TensorFlow backend; its ``onnx`` entry."""
    command = [sys.executable, "-m", "digitlib.training.export", str(path), "--print-entry",
               "--no-card"] + (["--test-set"] if test_set else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=CONVERSION_SECONDS,
                              env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the conversion took over {CONVERSION_SECONDS} s") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no message"]
        raise RuntimeError(f"converting with TensorFlow failed: {lines[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m digitlib.training.export",
        description="Write the ONNX copy of a saved model beside it and record it in its card "
                    "(made when the card is missing). Only --replace-tracked writes over files "
                    "of the repository (the committed models' copies and cards).")
    parser.add_argument("model", type=Path, help="a .keras file")
    parser.add_argument("--test-set", action="store_true",
                        help="also check the copy on all 10,000 MNIST test digits")
    parser.add_argument("--replace-tracked", action="store_true",
                        help="allow writing the copy and card of a committed model")
    parser.add_argument("--no-card", action="store_true", help="leave the card as it is")
    parser.add_argument("--print-entry", action="store_true",
                        help="print the card's onnx entry as one line of JSON")
    arguments = parser.parse_args(argv)
    path = arguments.model
    if path.suffix != ".keras" or not path.is_file():
        parser.error(f"{path} is not a .keras file")
    card_path = path.with_suffix(CARD_SUFFIX)
    card = json.loads(card_path.read_text()) if card_path.is_file() else {
        "model": path.stem, "model_sha256": files.sha256_of(path)}
    if not arguments.no_card and card.get("model_sha256") != files.sha256_of(path):
        print(f"error: the card {card_path} describes another file than {path} (its "
              f"model_sha256 differs)", file=sys.stderr)
        return 1
    try:
        for written in [runtime.copy_path(path)] + ([] if arguments.no_card else [card_path]):
            files.check_output(written, overwrite=True, replace_tracked=arguments.replace_tracked)
        entry = write_copy(path, test_set=arguments.test_set)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not arguments.no_card:
        write_card(path, {**card, "onnx": entry})
    if arguments.print_entry:
        print(json.dumps(entry))
    else:
        print(f"wrote {runtime.copy_path(path)}: agrees with Keras on {entry['agrees_on']} "
              f"(largest difference {entry['largest_difference']:.2g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
