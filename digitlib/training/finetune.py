"""Adapt the model to your handwriting, without letting it forget MNIST.

    from digitlib.training.finetune import finetune
    result = finetune()                 # data/my_digits -> models/mnist_cnn_personal.keras
    print(result.card["heldout_accuracy_before"], result.card["heldout_accuracy_after"])

The recipe:

1. Split your examples, digit by digit, into a training part and a held-out part
   (``holdout_fraction``, 30 % by default). The held-out examples are never trained on and
   never used to choose anything: they only report accuracy before and after, honestly.
2. Every epoch mixes your training examples, repeated so they make up ``user_share`` of it,
   with a fresh random sample of MNIST training images ("replay"), so the model keeps what it
   knew. Every image is randomly rotated, zoomed and shifted (``train.random_affine``), so the
   repeated examples never look exactly the same twice.
3. Start from the trained model and take a few epochs of small steps (Adam, a low learning
   rate decaying to a tenth). Batch normalisation keeps MNIST's statistics (it is frozen).
4. Score the held-out examples and the MNIST test set before and after, and save the result
   with a model card beside it. Neither the committed model nor your model from notebook 04
   (nor the base) is ever overwritten.
"""

import json
import math
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from digitlib import config, files
from digitlib.datasets import mnist, personal
from digitlib.reading import predict, preprocess
from digitlib.training import evaluate, export, train


@dataclass
class FinetuneRecipe:
    """Hyper-parameters of fine-tuning."""

    epochs: int = 4
    replay_images: int = 3000  # MNIST training images per epoch, a fresh sample each time
    user_share: float = 0.25  # share of each epoch made of (repeated) user examples
    batch_size: int = 64
    learning_rate: float = 3e-4
    rotation_degrees: float = 8.0  # augmentation, as in training
    shift_fraction: float = 0.08
    zoom_fraction: float = 0.08
    freeze_batch_norm: bool = True  # keep MNIST's normalisation statistics

    @classmethod
    def default(cls) -> "FinetuneRecipe":
        """The full recipe, or a smaller one in fast mode (CI, nbval)."""
        return cls(epochs=2, replay_images=1500) if config.fast_mode() else cls()


@dataclass
class FinetuneResult:
    path: Path  # the fine-tuned model
    card: dict  # its model card (also written beside it as .json)
    model: object  # the fine-tuned keras.Model
    train_indices: np.ndarray  # which user examples were trained on ...
    holdout_indices: np.ndarray  # ... and which were held out
    before: evaluate.Measurement | None  # the base model on the held-out examples
    after: evaluate.Measurement | None  # the fine-tuned model on the held-out examples


def split_holdout(labels, fraction: float = 0.3, seed: int = config.SEED):
    """``(train_indices, holdout_indices)``: ``fraction`` of each digit's examples held out.

    Per digit, round(fraction * count) examples are held out, but at least one when there
    are two or more and always at least one left to train on (a digit seen once is trained
    on). Deterministic for a given seed.
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"holdout_fraction must be in [0, 1), got {fraction!r}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train_parts, holdout_parts = [], []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        held = min(round(fraction * len(members)), len(members) - 1)
        if fraction > 0 and len(members) >= 2:
            held = max(held, 1)
        holdout_parts.append(members[:held])
        train_parts.append(members[held:])
    return (np.sort(np.concatenate(train_parts)).astype(np.int64),
            np.sort(np.concatenate(holdout_parts)).astype(np.int64))


def _user_data(source):
    """``(images, labels, description)`` from a folder, a ``PersonalDigits`` or arrays."""
    if isinstance(source, tuple):
        images, labels = source
        images = np.stack([personal.check_image28(image) for image in images])
        labels = np.array([personal.check_label(label) for label in labels], np.int64)
        if len(images) != len(labels):
            raise ValueError(f"got {len(images)} images but {len(labels)} labels")
        return images, labels, "arrays"
    digits = source if isinstance(source, personal.PersonalDigits) else personal.PersonalDigits(
        source)
    images, labels = digits.load()
    return images, labels, str(digits.folder)


def _check_output(output, base: Path) -> Path:
    """Refuse the models fine-tuning must never replace, and check now that ``output`` can be
    written (not after the whole run)."""
    output = Path(output)
    protected = {config.DEFAULT_MODEL_PATH.resolve(), config.LEARNER_MODEL_PATH.resolve(),
                 base.resolve()}
    if output.resolve() in protected:
        raise ValueError(f"refusing to overwrite {output}: fine-tuning never replaces the "
                         f"committed model, your model from notebook 04 or the base model; "
                         f"choose another --output")
    if output.suffix != ".keras":
        raise ValueError(f"model path must end in .keras, got {output}")
    # A fine-tuned model replaces the previous one of the same name: that is its purpose.
    return train.check_model_output(output, inputs=[base])


def finetune(base=None, data_source=None, output=None, holdout_fraction: float = 0.3,
             seed: int = config.SEED, recipe: FinetuneRecipe | None = None,
             verbose: int | str = 0) -> FinetuneResult:
    """Fine-tune ``base`` on your digits mixed with MNIST replay; save it with a card.

    ``base``: a model name or path (default: the active model, ``config.model_path()``).
    ``data_source``: a dataset folder (default ``data/my_digits``), a ``PersonalDigits`` or
    ``(images, labels)``. ``output``: default ``models/mnist_cnn_personal.keras``, or a
    temporary directory in fast mode; the committed model, your model from notebook 04 and the
    base are refused.
    """
    import keras
    import tensorflow as tf

    recipe = recipe or FinetuneRecipe.default()
    if recipe.epochs < 1 or recipe.batch_size < 1 or recipe.replay_images < 0:
        raise ValueError("epochs and batch_size must be at least 1, replay_images at least 0")
    if not 0.0 < recipe.user_share < 1.0:
        raise ValueError(f"user_share must be in (0, 1), got {recipe.user_share!r}")
    base = config.model_path(base)
    if output is None:
        output = (Path(tempfile.mkdtemp(prefix="digits-fast-")) / "mnist_cnn_personal.keras"
                  if config.fast_mode() else config.PERSONAL_MODEL_PATH)
    if not base.is_file():
        raise FileNotFoundError(f"no base model at {base}: train one with "
                                f"`python -m digitlib train` (or `make model`)")
    output = _check_output(output, base)
    network = predict.load_model(base)  # a damaged file or the wrong shapes: said in one line
    images, labels, source = _user_data(config.PERSONAL_DATA_DIR if data_source is None
                                         else data_source)
    if len(images) == 0:
        raise ValueError(f"no examples of your handwriting in {source}: save some first")
    train_indices, holdout_indices = split_holdout(labels, holdout_fraction, seed)

    started = time.perf_counter()
    config.set_seed(seed)
    rng = np.random.default_rng(seed)
    (x_mnist, y_mnist), (x_test, y_test) = mnist.load_mnist()
    (x_replay, y_replay), _ = train.split_validation(x_mnist, y_mnist)  # never the test set
    x_test = preprocess.normalize(x_test)

    held_images, held_labels = images[holdout_indices], labels[holdout_indices]
    before = (evaluate.measure(network, held_images, held_labels)
              if len(holdout_indices) else None)
    mnist_before = evaluate.evaluate(network, x_test, y_test).accuracy

    # Each epoch: a fresh MNIST sample plus the user's examples repeated to ``user_share``.
    x_user, y_user = images[train_indices][..., np.newaxis], labels[train_indices]
    share = recipe.user_share / (1.0 - recipe.user_share)
    user_per_epoch = max(len(x_user), math.ceil(recipe.replay_images * share))
    epoch_size = recipe.replay_images + user_per_epoch
    steps_per_epoch = math.ceil(epoch_size / recipe.batch_size)
    augment = train.Recipe(rotation_degrees=recipe.rotation_degrees,
                           shift_fraction=recipe.shift_fraction, zoom_fraction=recipe.zoom_fraction)

    for layer in network.layers:  # keep MNIST's normalisation statistics
        if recipe.freeze_batch_norm and isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    schedule = keras.optimizers.schedules.CosineDecay(
        recipe.learning_rate, decay_steps=recipe.epochs * steps_per_epoch, alpha=0.1)
    network.compile(optimizer=keras.optimizers.Adam(schedule),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = []
    for _ in range(recipe.epochs):
        replay = rng.choice(len(x_replay), recipe.replay_images, replace=False)
        repeats = np.resize(rng.permutation(len(x_user)), user_per_epoch)
        x_epoch = np.concatenate([preprocess.normalize(x_replay[replay]), x_user[repeats]])
        y_epoch = np.concatenate([y_replay[replay], y_user[repeats]])
        order = rng.permutation(len(x_epoch))
        dataset = (
            tf.data.Dataset.from_tensor_slices((x_epoch[order], y_epoch[order]))
            .batch(recipe.batch_size)
            .map(lambda x, y: (train.random_affine(x, augment), y),
                 num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )
        fitted = network.fit(dataset, epochs=1, shuffle=False, verbose=verbose)
        history.append({key: round(float(values[-1]), 5)
                        for key, values in fitted.history.items()})
    for layer in network.layers:
        layer.trainable = True

    after = (evaluate.measure(network, held_images, held_labels)
             if len(holdout_indices) else None)
    seconds = round(time.perf_counter() - started, 1)
    info = {
        "recipe": {**asdict(recipe)},
        "train_seconds": seconds,
        "data_sha256": mnist.EXPECTED_SHA256,
        "base_model": str(base),
        "base_model_sha256": files.sha256_of(base),
        "user_data": source,
        "user_examples": int(len(labels)),
        "user_examples_trained_on": int(len(train_indices)),
        "user_examples_held_out": int(len(holdout_indices)),
        "user_counts_per_digit": np.bincount(labels, minlength=10).tolist(),
        "holdout_fraction": holdout_fraction,
        "heldout_accuracy_before": None if before is None else round(before.accuracy, 5),
        "heldout_accuracy_after": None if after is None else round(after.accuracy, 5),
        "mnist_test_accuracy_before": round(mnist_before, 5),
        "history": history,
    }
    card = train.model_card(network, info, x_test, y_test)
    card.update(model="mnist_cnn_personal", seed=seed,
                mnist_test_accuracy_after=card["test_accuracy"])
    path = export.save_model(network, output, card)
    card = json.loads(path.with_suffix(".json").read_text())  # as written, with the model's sha
    return FinetuneResult(path, card, network, train_indices, holdout_indices, before, after)
