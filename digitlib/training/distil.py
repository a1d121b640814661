"""Knowledge distillation: train the digit network to agree with an ensemble of teachers.

An ensemble of several trained networks reads MNIST better than any one of them, but it costs
several networks at every prediction. Distillation (Hinton, Vinyals and Dean, 2015, "Distilling
the Knowledge in a Neural Network"; keras-io's "Knowledge Distillation" example) trains one
network of about the usual size on the teachers' *soft* readings as well as the labels: for each
augmented training image, the teachers say how much it looks like each digit (a 4 that is a bit
like a 9), which carries more than the label alone. The student is ``model.build_model``'s
network with wider convolutions (``STUDENT``): the same layers and names, so Grad-CAM, the pad
and the notebooks work on it unchanged, and a prediction costs about the same (``make
bench-predict``).

The recipe is ``train.Recipe`` (the same augmentation, one-cycle schedule and validation split,
so the checkpoint is still chosen on validation), plus the teachers, a temperature and the share
of the loss that comes from the labels. The teachers are the models in ``models/teachers/``:
eight ``build_teacher`` networks, larger than the student, trained as ``TEACHER_SETTINGS`` say;
their ``.json`` files say how each was trained. ``make model`` runs ``python -m digitlib train
--output committed --distil`` (about 45 minutes on 2 CPU cores, most of it the teachers reading
each augmented image); ``digitlib/training/gpu.py`` runs the same recipe on a GPU, which is how
the teachers and the committed model were made.
"""

import os
import time
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops

from digitlib import config, files
from digitlib.datasets import mnist
from digitlib.reading import preprocess
from digitlib.training import export, train
from digitlib.training import model as model_module

TEACHERS_DIR = config.ROOT / "models" / "teachers"  # tracked, like the committed model
# The committed model's 25 (the GPU run's time box; the validation loss still fell). With the
# earlier teachers, 60 instead of 30 read no more of the validation split (models/README).
EPOCHS = 25
TEMPERATURE = 4.0  # softens the teachers' readings so that their second choices count
LABEL_SHARE = 0.2  # the rest of the loss is agreement with the teachers
# 1.5 times notebook 03's filters: room to take in more of what the teachers know, at about the
# same predict_digit cost (the network call is under a fifth of it: ``make bench-predict``)
STUDENT = {"conv1_filters": 48, "conv2_filters": 96}

# The eight teachers: even ones with the augmentation of the Kaggle ensembles that
# ``build_teacher`` follows, odd ones with the recipe's plus slant and stroke width, for variety.
TEACHER_SETTINGS = [
    dict(seed=100 + i, rotation_degrees=10.0, shift_fraction=0.1, zoom_fraction=0.1,
         shear=0.0, stroke=0.0) if i % 2 == 0 else
    dict(seed=100 + i, rotation_degrees=8.0, shift_fraction=0.08, zoom_fraction=0.08,
         shear=0.3, stroke=0.3)
    for i in range(8)
]


def build_teacher(logits: bool = False) -> keras.Model:
    """A full-resolution CNN after the Kaggle MNIST ensembles (C. Deotte, "How to choose CNN
    architecture MNIST"): 32C3-32C3-32C5S2, 64C3-64C3-64C5S2, 128C4, each with batch
    normalisation, dropout 0.4; 327,000 weights."""
    stack = [keras.Input(shape=model_module.INPUT_SHAPE, name="image")]
    for filters in (32, 64):
        for size, stride in ((3, 1), (3, 1), (5, 2)):
            stack += [layers.Conv2D(filters, size, strides=stride,
                                    padding="same" if stride == 2 else "valid", use_bias=False),
                      layers.BatchNormalization(), layers.ReLU()]
        stack.append(layers.Dropout(0.4))
    stack += [layers.Conv2D(128, 4, use_bias=False), layers.BatchNormalization(), layers.ReLU(),
              layers.Flatten(), layers.Dropout(0.4),
              layers.Dense(model_module.NUM_CLASSES, activation=None if logits else "softmax",
                           name="probabilities")]
    return keras.Sequential(stack, name="deotte_cnn")


def default_recipe() -> train.Recipe:
    """The distillation recipe: ``train.Recipe`` for ``EPOCHS`` (tiny in fast mode)."""
    if config.fast_mode():
        return train.Recipe.default()
    return train.Recipe(epochs=EPOCHS, label_smoothing=0.0)  # the teachers soften the labels


def teacher_paths(folder=None) -> list[Path]:
    """The teacher models (``*.keras``) in ``folder`` (default ``models/teachers``), sorted."""
    folder = Path(folder) if folder is not None else TEACHERS_DIR
    paths = sorted(folder.glob("*.keras"))
    if not paths:
        raise ValueError(f"no teacher models (*.keras) in {folder}")
    return paths


class Ensemble(keras.Model):
    """The teachers' joint reading: the mean of their log-probabilities (N, 10)."""

    def __init__(self, members, **kwargs):
        super().__init__(**kwargs)
        self.members = list(members)

    def call(self, images):
        readings = [ops.log(member(images, training=False) + 1e-7) for member in self.members]
        return ops.mean(ops.stack(readings), axis=0)


def load_teachers(paths) -> Ensemble:
    """Load the teacher models into one ``Ensemble``."""
    return Ensemble([keras.models.load_model(path, compile=False) for path in paths])


def distillation_loss(temperature: float = TEMPERATURE, label_share: float = LABEL_SHARE,
                      label_smoothing: float = 0.0):
    """Loss on the student's logits; ``y_true`` is ``[one-hot label (10) | teachers (10)]``.

    The teachers' part is the cross-entropy between both readings softened by ``temperature``,
    scaled by its square so that its gradients keep their size (Hinton et al.). The labels' part
    is smoothed as ``train.Recipe.label_smoothing`` says.
    """

    def loss(y_true, logits):
        labels, teachers = y_true[:, :10], y_true[:, 10:]
        hard = keras.losses.categorical_crossentropy(labels, logits, from_logits=True,
                                                     label_smoothing=label_smoothing)
        soft = keras.losses.categorical_crossentropy(
            ops.softmax(teachers / temperature), logits / temperature, from_logits=True)
        return label_share * hard + (1 - label_share) * temperature**2 * soft

    return loss


def accuracy(y_true, logits):
    """Share of images whose label is the student's first choice (``val_accuracy`` for the
    checkpoint)."""
    return ops.cast(ops.argmax(y_true[:, :10], axis=-1) == ops.argmax(logits, axis=-1), "float32")


def distil(teachers=None, recipe: train.Recipe | None = None, verbose: int | str = "auto"):
    """Train ``build_model(**STUDENT)`` on the labels and the teachers' readings of each augmented
    image.

    ``teachers``: model paths (default: ``teacher_paths()``). Returns ``(model, history, info)``
    like ``train.train``; ``info`` also names the teachers and their sha256.
    """
    if isinstance(teachers, (str, os.PathLike)):
        raise TypeError("teachers must be a list of model paths, not one path")
    paths = [Path(path) for path in (teachers or teacher_paths())]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ValueError(f"teacher model(s) not found: {', '.join(missing)}")
    recipe = recipe or default_recipe()
    recipe.check()
    config.set_seed()
    started = time.perf_counter()

    (x_train, y_train), _ = arrays = mnist.load_mnist()
    (x_fit, y_fit), (x_val, y_val) = train.split_validation(preprocess.normalize(x_train), y_train)
    if recipe.train_images is not None:
        x_fit, y_fit = x_fit[: recipe.train_images], y_fit[: recipe.train_images]
    ensemble = load_teachers(paths)

    import tensorflow as tf

    def with_teachers(images, labels):
        images = train.augment(images, recipe)
        return images, tf.concat([tf.one_hot(labels, 10), ensemble(images)], axis=1)

    dataset = (
        tf.data.Dataset.from_tensor_slices((x_fit, y_fit))
        .shuffle(len(x_fit), seed=config.SEED)
        .batch(recipe.batch_size)
        .map(with_teachers)  # the teachers use both cores already
        .prefetch(2)
    )
    validation_targets = np.concatenate(
        [np.eye(10, dtype="float32")[y_val], ensemble.predict(x_val, batch_size=500, verbose=0)],
        axis=1)

    student = model_module.build_model(**STUDENT)
    student.get_layer("probabilities").activation = keras.activations.linear  # logits
    steps = recipe.epochs * int(np.ceil(len(x_fit) / recipe.batch_size))
    student.compile(optimizer=keras.optimizers.Adam(train.one_cycle(recipe, steps)),
                    loss=distillation_loss(label_smoothing=recipe.label_smoothing),
                    metrics=[accuracy])
    keep_best = train.KeepBestWeights()
    history = student.fit(dataset, epochs=recipe.epochs,
                          validation_data=(x_val, validation_targets),
                          callbacks=[keep_best], verbose=verbose)
    network = model_module.build_model(**STUDENT)  # the same weights with softmax, as usual
    network.set_weights(student.get_weights())
    network.compile(optimizer=keras.optimizers.Adam(train.one_cycle(recipe, steps)),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    network.optimizer.build(network.trainable_variables)  # saved whole: loads without a warning
    info = {
        "recipe": asdict(recipe),
        "network": {**STUDENT, "parameters": network.count_params()},
        "distillation": {
            "teachers": [{"file": path.name, "sha256": files.sha256_of(path)} for path in paths],
            "teachers_validation_accuracy": round(float(np.mean(
                validation_targets[:, 10:].argmax(1) == y_val)), 5),
            "temperature": TEMPERATURE,
            "label_share": LABEL_SHARE,
        },
        "chosen_epoch": keep_best.best_epoch,
        "validation_accuracy": round(float(keep_best.best_accuracy), 5),
        "train_seconds": round(time.perf_counter() - started, 1),
        "data_sha256": mnist.dataset_sha256(*arrays[0], *arrays[1]),
    }
    return network, history, info


def distil_and_save(path=None, teachers=None, recipe=None, verbose: int | str = "auto"):
    """Distil, score on the test set once, and save with a model card (see ``train.destination``
    for where ``path`` writes)."""
    path = train.destination(path)
    network, history, info = distil(teachers, recipe, verbose=verbose)
    _, (x_test, y_test) = mnist.load_mnist()
    card = train.model_card(network, info, preprocess.normalize(x_test), y_test)
    return export.save_model(network, path, card), history, card
