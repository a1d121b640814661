"""Train the CNN on MNIST, choosing the checkpoint on a validation split (never on the test set).

The recipe: 5,000 training images are held out for validation; the other 55,000 are augmented
with small random rotations, shifts and zooms; the labels are smoothed (the network learns to
give the right digit 91 %, not 100 %); Adam follows a one-cycle learning rate (linear warm-up,
then cosine decay); the weights of the epoch with the lowest validation loss are kept, and
their confidence is calibrated on the validation split (temperature scaling), so that 91 % reads
as sure again. Slanted writing is handled by ``preprocess.to_mnist``, which stands italics back
up, so no recipe slants its training digits by default (``Recipe.shear`` and ``Recipe.stroke``
can: see ``python -m benchmarks.augment``).
"""

import math
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from digitlib import config, files
from digitlib.datasets import mnist, transforms
from digitlib.reading import preprocess, runtime
from digitlib.training import evaluate, export
from digitlib.training import model as model_module

VALIDATION_SIZE = 5000


@dataclass
class Recipe:
    """Hyper-parameters, chosen on the validation split."""

    epochs: int = 15
    batch_size: int = 128
    peak_learning_rate: float = 3e-3
    warmup_fraction: float = 0.2
    rotation_degrees: float = 8.0
    shift_fraction: float = 0.08
    zoom_fraction: float = 0.08
    # Label smoothing (Szegedy et al. 2016): the target is 1 - 0.1 for the label and 0.1 / 10 for
    # every digit, so the network is not pushed to ever larger logits on easy digits.
    label_smoothing: float = 0.1
    # Slant and stroke-width augmentation (``bench augment``). Off: at full length they cost
    # about 0.1 point of validation accuracy, and to_mnist's slant correction closes the slant gap
    # without it (``bench deslant``).
    shear: float = 0.0  # slant each digit by up to this shear either way (0.6: strong italics)
    stroke: float = 0.0  # blend up to this share of a 3x3 dilation (bolder) or erosion (thinner)
    train_images: int | None = None  # None: all 55,000 (fast mode uses fewer)

    def check(self) -> None:
        """Raise ``ValueError`` before any training if a setting cannot work."""
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")

    @classmethod
    def default(cls) -> "Recipe":
        """The full recipe, or a tiny one in fast mode (CI, nbval)."""
        return cls(epochs=1, train_images=2000) if config.fast_mode() else cls()

    @classmethod
    def quick(cls) -> "Recipe":
        """The recipe cut to 5 epochs, which ``make bench-train`` times against the keras-io
        example's 15, at twice the peak learning rate: a short cycle can afford a hotter one.
        Both were chosen on the validation split, where 5 epochs read as well as 6."""
        return cls(epochs=5, peak_learning_rate=6e-3)


def random_affine(images, recipe: Recipe):
    """Rotate, zoom and shift each image of a batch at random, in one resampling.

    One affine warp per image costs half as much as three separate Keras layers.
    """
    import tensorflow as tf

    count = tf.shape(images)[0]
    angle = tf.random.uniform([count], -1.0, 1.0) * (recipe.rotation_degrees * math.pi / 180)
    scale = 1.0 + tf.random.uniform([count], -1.0, 1.0) * recipe.zoom_fraction
    shift = tf.random.uniform([count, 2], -1.0, 1.0) * (recipe.shift_fraction * 28)
    slant = tf.random.uniform([count], -1.0, 1.0) * recipe.shear
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    centre = 13.5
    # Each output pixel (x, y) samples the input at (a0 x + a1 y + a2, b0 x + b1 y + b2); the
    # slant adds slant * (y - centre) to the input's x.
    transforms = tf.stack(
        [cos, sin + slant, centre - (cos + sin + slant) * centre - shift[:, 0],
         -sin, cos, centre - (cos - sin) * centre - shift[:, 1],
         tf.zeros([count]), tf.zeros([count])],
        axis=1,
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.shape(images)[1:3],
        interpolation="BILINEAR", fill_mode="CONSTANT", fill_value=0.0,
    )


def random_stroke(images, recipe: Recipe):
    """Make each digit's strokes bolder or thinner at random: blend the image with its 3x3 grey
    dilation or erosion (max pooling), up to ``recipe.stroke`` of the way."""
    import tensorflow as tf

    amount = tf.random.uniform([tf.shape(images)[0], 1, 1, 1], -1.0, 1.0) * recipe.stroke
    bolder = tf.nn.max_pool2d(images, 3, 1, "SAME")
    thinner = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    return (images + tf.nn.relu(amount) * (bolder - images)
            + tf.nn.relu(-amount) * (thinner - images))


def augment(images, recipe: Recipe):
    """The recipe's augmentation of one batch (N, 28, 28, 1)."""
    images = random_affine(images, recipe)
    return random_stroke(images, recipe) if recipe.stroke else images


def split_validation(x, y, size: int = VALIDATION_SIZE):
    """Hold out the last ``size`` training images for validation."""
    return (x[:-size], y[:-size]), (x[-size:], y[-size:])


class KeepBestWeights(keras.callbacks.Callback):
    """Keep the weights of the epoch with the lowest validation loss, and its accuracy.

    Not the highest validation accuracy: on 5,000 images accuracy moves in steps of 0.02 points
    and can peak by chance while the learning rate is still high, whereas the loss, which weighs
    every probability, falls smoothly. Chosen on one half of the validation split, the loss picked
    epochs that read the other half better, in every run tried of both recipes.
    """

    def __init__(self):
        super().__init__()
        self.best_loss, self.best_epoch, self.best_weights = math.inf, None, None
        self.best_accuracy = float("nan")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        loss = logs.get("val_loss", math.inf)
        if self.best_epoch is None or loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, epoch + 1
            self.best_accuracy = logs.get("val_accuracy", float("nan"))
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def one_cycle(recipe: Recipe, steps: int):
    """The learning rate over ``steps`` batches: a linear warm-up from a tenth of the peak, then
    a cosine decay to a hundredth of it."""
    warmup_steps = int(recipe.warmup_fraction * steps)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe.peak_learning_rate / 10,
        warmup_target=recipe.peak_learning_rate,
        warmup_steps=warmup_steps,
        decay_steps=steps - warmup_steps,
        alpha=0.01,
    )


def calibrate(network, images, labels) -> float:
    """Temperature scaling (Guo et al. 2017): divide the last layer's logits by the one temperature
    that gives the lowest cross-entropy on ``images`` (the validation split). Accuracy does not
    change; the confidences become honest. Returns the temperature (below 1: sharper)."""
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    last = network.layers[-1]
    if not (isinstance(last, keras.layers.Dense)
            and last.activation is keras.activations.softmax):
        raise ValueError("calibrate needs a network that ends in a softmax Dense layer, as "
                         "model.build_model() does")
    features = keras.Model(network.inputs, last.input).predict(images, batch_size=1000,
                                                                verbose=0)
    kernel, bias = last.get_weights()
    logits = features @ kernel + bias
    rows = np.arange(len(labels))

    def loss(temperature):
        return -log_softmax(logits / temperature, axis=1)[rows, labels].mean()

    temperature = float(minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded").x)
    last.set_weights([kernel / temperature, bias / temperature])
    return temperature


def train(recipe: Recipe | None = None, verbose: int | str = "auto"):
    """Train a fresh model. Returns ``(model, history, info)``; ``info`` feeds the model card."""
    recipe = recipe or Recipe.default()
    recipe.check()
    config.set_seed()
    started = time.perf_counter()

    (x_train, y_train), _ = arrays = mnist.load_mnist()
    (x_fit, y_fit), (x_val, y_val) = split_validation(preprocess.normalize(x_train), y_train)
    if recipe.train_images is not None:
        x_fit, y_fit = x_fit[: recipe.train_images], y_fit[: recipe.train_images]

    import tensorflow as tf

    dataset = (
        tf.data.Dataset.from_tensor_slices((x_fit, y_fit))
        .shuffle(len(x_fit), seed=config.SEED)
        .batch(recipe.batch_size)
        .map(lambda x, y: (augment(x, recipe), tf.one_hot(y, 10)),
             num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    steps = recipe.epochs * int(np.ceil(len(x_fit) / recipe.batch_size))
    network = model_module.build_model()
    network.compile(
        optimizer=keras.optimizers.Adam(one_cycle(recipe, steps)),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
        metrics=["accuracy"],
    )
    keep_best = KeepBestWeights()
    history = network.fit(
        dataset,
        epochs=recipe.epochs,
        validation_data=(x_val, keras.utils.to_categorical(y_val, 10)),
        callbacks=[keep_best],
        shuffle=False,  # the dataset above is already shuffled
        verbose=verbose,
    )
    temperature = calibrate(network, x_val, y_val)
    # saved with the plain loss on digit labels, as notebook 03 compiles it
    network.compile(optimizer=network.optimizer, loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    info = {
        "recipe": asdict(recipe),
        "chosen_epoch": keep_best.best_epoch,
        "validation_accuracy": round(float(keep_best.best_accuracy), 5),
        "temperature": round(temperature, 4),
        "train_seconds": round(time.perf_counter() - started, 1),
        "data_sha256": mnist.dataset_sha256(*arrays[0], *arrays[1]),
    }
    return network, history, info


def model_card(network, info, test_images, test_labels) -> dict:
    """Everything a reader needs to trust (and re-check) a model's claims."""
    import tensorflow as tf

    scores = evaluate.evaluate(network, test_images, test_labels)
    count = 1000 if config.fast_mode() else len(test_labels)  # two to_mnist calls per digit
    upright, slanted = transforms.slant_sets(test_images[:count, ..., 0],
                                             seed=transforms.SLANT_SEED)
    straight, leaning = evaluate.slant_accuracy(network, upright, slanted, test_labels[:count])
    return {
        "model": network.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "fast_mode": config.fast_mode(),
        "seed": config.SEED,
        "epochs": info["recipe"]["epochs"],
        **info,
        "test_accuracy": round(scores.accuracy, 5),
        "per_class_accuracy": [round(value, 5) for value in scores.per_class_accuracy],
        "slant": {  # the test digits re-stroked, upright vs leaning, through to_mnist
            "shears": list(transforms.SLANTS),
            "digits": count,
            "upright_accuracy": round(straight, 5),
            "slanted_accuracy": round(leaning, 5),
        },
        "test_images": int(len(test_labels)),
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
    }


def destination(path=None) -> Path:
    """Where ``train_and_save(path)`` writes, checked before any training starts.

    ``None``: the learner's own model, ``models/mnist_cnn_mine.keras`` (untracked; the
    notebooks, the pad and the app pick it up), or a new temporary directory in fast mode. A
    model name (``"committed"``, ``"mine"``) or a ``.keras`` path is taken as given: only an
    explicit ``"committed"`` (``make model``) replaces the committed model and its card (no
    path to them does, nor to any other file of the repository), and a fast-mode run replaces
    neither it nor the learner's model (the ones used by default). A folder that cannot be
    written is refused here too (``files.OutputPathError``).
    """
    if path is None:
        if config.fast_mode():
            # the learner model's name, in a throwaway folder: notebook 04 prints the same name
            return Path(tempfile.mkdtemp(prefix="digits-fast-")) / config.LEARNER_MODEL_PATH.name
        return check_model_output(config.LEARNER_MODEL_PATH)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a model name or a file path, got {type(path).__name__}")
    # "committed" is written where `make model` writes: models/ in $DIGITS_HOME (the repository
    # by default), never into a read-only checkout the home points away from.
    committed = path == "committed"  # `make model`: the only way to replace the committed model
    path = config.DEFAULT_MODEL_OUTPUT if committed else config.model_path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model path must end in .keras, got {path}")
    used_by_default = {config.DEFAULT_MODEL_PATH.resolve(): "the committed model",
                       config.DEFAULT_MODEL_OUTPUT.resolve(): "the committed model",
                       config.LEARNER_MODEL_PATH.resolve(): "your model"}
    if config.fast_mode() and path.resolve() in used_by_default:
        raise ValueError(f"refusing to overwrite {used_by_default[path.resolve()]} {path} with "
                         f"a tiny fast-mode run: unset {config.FAST_MODE_VARIABLE} to train it")
    return check_model_output(path, replace_tracked=committed)


def check_model_output(path, inputs=(), replace_tracked: bool = False) -> Path:
    """Check now, not after the whole run, that a model, its card and its ONNX copy may be
    written at ``path`` (``files.check_output``: never a file of the repository unless
    ``replace_tracked``, never one of ``inputs``, into a folder that can be written)."""
    path = Path(path)
    for written in (path, path.with_suffix(export.CARD_SUFFIX), runtime.copy_path(path)):
        files.check_output(written, inputs=inputs, overwrite=True, make_folder=True,
                           replace_tracked=replace_tracked)
    return path


def train_and_save(path=None, recipe: Recipe | None = None, verbose: int | str = "auto"):
    """Train, score on the test set once, and save with a model card.

    ``path``: where to save, see ``destination``. By default the learner's own model in full
    mode (what notebook 04 writes) and a temporary directory in fast mode, so neither a
    notebook nor a tiny run ever replaces the committed ``models/mnist_cnn.keras``.
    """
    path = destination(path)
    network, history, info = train(recipe, verbose=verbose)
    _, (x_test, y_test) = mnist.load_mnist()
    card = model_card(network, info, preprocess.normalize(x_test), y_test)
    return export.save_model(network, path, card), history, card
