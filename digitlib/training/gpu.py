"""Train the teachers and distil the committed model on a GPU: Keras on the torch backend.

``make model`` distils on the CPU with TensorFlow (``digitlib/distil.py``). The teachers in
``models/teachers/`` are larger networks (``distil.build_teacher``: six convolutions before the
image shrinks, about four times the multiply-adds per digit of notebook 03's network and seven
times its training time per epoch on 2 CPU cores), and they and the committed model were made
with this module on one NVIDIA H200, where eight teachers train at once in about four minutes
and a distillation takes three. The recipes are ``digitlib``'s: the
teachers are ``train.Recipe`` without label smoothing (smoothed teachers teach worse:
``models/README.md``), and the distillation is ``distil.distil``'s (``distil.STUDENT``,
``TEMPERATURE``, ``LABEL_SHARE``, ``train.Recipe``'s augmentation and ``train.one_cycle``, the
epoch with the lowest validation loss). Only the augmentation is written again, in torch
(``augment``: the same warp and stroke blend as ``train.augment``), and the distillation reads
each epoch's augmented images with the teachers (``distil.Ensemble``) in large batches instead
of batch by batch.

It needs PyTorch (not in the project's lock: install it where the GPU is) and reads only the
60,000 training images; the last 5,000 are the validation split, as everywhere in digitlib::

    KERAS_BACKEND=torch python -m digitlib.training.gpu teachers OUT --minutes 4.5
    KERAS_BACKEND=torch python -m digitlib.training.gpu distil OUT --teachers OUT --epochs 25

``--minutes``: each teacher trains for as many epochs as fit (timed on a throwaway network
first); ``--epochs`` fixes them instead. The figures of the committed model's run are in
``models/README.md`` and in each card.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from digitlib.datasets import mnist
from digitlib.training import distil, export, train  # noqa: E402
from digitlib.training import model as model_module  # noqa: E402

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
RECIPE = train.Recipe(label_smoothing=0.0)  # the distillation's (distil.default_recipe)
MAX_TEACHER_EPOCHS = 40
READ_BATCH = 2500  # images per teacher call when reading a whole set


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def load_training_split(mnist_train=None):
    """(x_fit, y_fit), (x_val, y_val) on the device, images NCHW in [0, 1]. ``mnist_train``: an
    ``.npz`` with ``x_train`` and ``y_train`` (a machine without internet), else
    ``mnist.load_mnist``."""
    if mnist_train:
        arrays = np.load(mnist_train)
        x, y = arrays["x_train"], arrays["y_train"]
    else:
        (x, y), _ = mnist.load_mnist()
    x = torch.tensor(x.astype(np.float32) / 255.0)[:, None].to(DEVICE)
    y = torch.tensor(y.astype(np.int64)).to(DEVICE)
    size = train.VALIDATION_SIZE
    return (x[:-size], y[:-size]), (x[-size:], y[-size:])


def channels_last(images):
    return images.permute(0, 2, 3, 1).contiguous()


def augment(images, recipe: dict, generator):
    """``train.augment`` in torch, on NCHW images: one random affine warp (rotation, zoom, shift,
    slant) and a random blend towards a 3x3 dilation or erosion."""
    count = images.shape[0]

    def uniform(*shape):
        return torch.rand(*shape, device=images.device, generator=generator) * 2 - 1

    angle = uniform(count) * (recipe["rotation_degrees"] * math.pi / 180)
    scale = 1.0 + uniform(count) * recipe["zoom_fraction"]
    shift = uniform(count, 2) * (recipe["shift_fraction"] * 28)
    slant = uniform(count) * recipe["shear"]
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    centre = 13.5
    # output pixel (x, y) samples the input at (a0 x + a1 y + a2, b0 x + b1 y + b2), as there
    a = [cos, sin + slant, centre - (cos + sin + slant) * centre - shift[:, 0]]
    b = [-sin, cos, centre - (cos - sin) * centre - shift[:, 1]]
    pixels = torch.arange(28, device=images.device, dtype=torch.float32)
    ys, xs = torch.meshgrid(pixels, pixels, indexing="ij")
    x_in = a[0][:, None, None] * xs + a[1][:, None, None] * ys + a[2][:, None, None]
    y_in = b[0][:, None, None] * xs + b[1][:, None, None] * ys + b[2][:, None, None]
    grid = torch.stack([x_in, y_in], dim=-1) / 27.0 * 2 - 1  # align_corners: pixel centres
    warped = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros",
                           align_corners=True)
    if not recipe["stroke"]:
        return warped
    amount = uniform(count, 1, 1, 1) * recipe["stroke"]
    bolder = F.max_pool2d(warped, 3, 1, 1)
    thinner = -F.max_pool2d(-warped, 3, 1, 1)
    return warped + F.relu(amount) * (bolder - warped) + F.relu(-amount) * (thinner - warped)


def trainable(network):
    return [variable.value for variable in network.trainable_variables]


def read(network, images):
    """The network's outputs for NCHW ``images``, in inference mode."""
    with torch.no_grad():
        return torch.cat([network(channels_last(images[i:i + READ_BATCH]), training=False)
                          for i in range(0, len(images), READ_BATCH)])


def fit(network, count, loss, validation, epochs, deadline, generator):
    """Adam (Keras' epsilon) over the one-cycle schedule; keeps the weights of the epoch with the
    lowest validation loss, as ``train.KeepBestWeights``. Stops early, keeping the best epoch so
    far, if the next epoch would end after ``deadline``."""
    batch = RECIPE.batch_size
    steps_per_epoch = math.ceil(count / batch)
    schedule = train.one_cycle(RECIPE, epochs * steps_per_epoch)
    optimizer = torch.optim.Adam(trainable(network), lr=float(schedule(0)), eps=1e-7)
    best, history, step, started = dict(loss=math.inf), [], 0, time.time()
    for epoch in range(epochs):
        order = torch.randperm(count, device=DEVICE, generator=generator)
        epoch_started = time.time()
        for i in range(steps_per_epoch):
            for group in optimizer.param_groups:
                group["lr"] = float(schedule(step))
            value = loss(network, order[i * batch:(i + 1) * batch], epoch)
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
            step += 1
        validation_loss, accuracy = validation()
        history.append(dict(epoch=epoch + 1, val_loss=validation_loss, val_accuracy=accuracy,
                            train_loss=value.item(), seconds=round(time.time() - epoch_started, 1)))
        if validation_loss < best["loss"]:
            best = dict(loss=validation_loss, epoch=epoch + 1, accuracy=accuracy,
                        weights=[w.copy() for w in network.get_weights()])
        log(f"epoch {epoch + 1}/{epochs} val_loss {validation_loss:.5f} val_acc {accuracy:.4f}")
        if epoch + 1 < epochs and time.time() + (time.time() - started) / (epoch + 1) > deadline:
            log("stopping early: deadline")
            best["cut_short_at"] = epoch + 1
            break
    return best, history, round(time.time() - started, 1)


def epochs_that_fit(build, loss, count, deadline, cap, extra_per_epoch=0.0):
    """Time 40 steps of a throwaway ``build()`` network (after 10 to warm up) on
    ``loss(network, rows, epoch=-1)`` and return how many epochs of ``count`` images fit before
    ``deadline``, with a 15 % margin."""
    batch = RECIPE.batch_size
    scratch = build()
    optimizer = torch.optim.Adam(trainable(scratch), lr=1e-4)
    for i in range(50):
        if i == 10:
            if DEVICE == "cuda":
                torch.cuda.synchronize()
            started = time.time()
        value = loss(scratch, slice(i * batch, (i + 1) * batch), -1)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
    if DEVICE == "cuda":
        torch.cuda.synchronize()
    per_step = (time.time() - started) / 40
    epoch_seconds = per_step * math.ceil(count / batch) * 1.05 + 1.0 + extra_per_epoch
    epochs = int(0.85 * (deadline - time.time()) / epoch_seconds)
    log(f"{per_step * 1000:.1f} ms a step, {epoch_seconds:.1f} s an epoch: {epochs} epochs fit")
    return max(1, min(cap, epochs))


def machine():
    name = torch.cuda.get_device_name() if DEVICE == "cuda" else "CPU"
    return dict(device=name, versions=dict(torch=torch.__version__, keras=keras.__version__))


def train_teacher(index: int, out: Path, deadline: float, epochs=None, mnist_train=None):
    """Train teacher ``index`` of ``distil.TEACHER_SETTINGS``; writes ``deotte_INDEX.keras``
    and its card (``.json``)."""
    settings = distil.TEACHER_SETTINGS[index]
    recipe = {**vars(RECIPE), **settings}
    keras.utils.set_random_seed(settings["seed"])
    generator = torch.Generator(device=DEVICE).manual_seed(settings["seed"])
    (x_fit, y_fit), (x_val, y_val) = load_training_split(mnist_train)

    def loss(network, rows, epoch):
        images = augment(x_fit[rows], recipe, generator)
        return F.cross_entropy(network(channels_last(images), training=True), y_fit[rows])

    if epochs is None:
        epochs = epochs_that_fit(lambda: distil.build_teacher(logits=True), loss, len(x_fit),
                                 deadline, MAX_TEACHER_EPOCHS)
        keras.utils.set_random_seed(settings["seed"])
    network = distil.build_teacher(logits=True)

    def validation():
        logits = read(network, x_val)
        return (float(F.cross_entropy(logits, y_val)),
                float((logits.argmax(1) == y_val).float().mean()))

    best, history, seconds = fit(network, len(x_fit), loss, validation, epochs, deadline,
                                 generator)
    teacher = distil.build_teacher()  # the same weights, ending in a softmax like every digit model
    teacher.set_weights(best.pop("weights"))
    name = f"deotte_{index}"
    teacher.save(out / f"{name}.keras")
    card = dict(teacher=name, architecture="distil.build_teacher()", seed=settings["seed"],
                augmentation={key: recipe[key] for key in ("rotation_degrees", "shift_fraction",
                                                            "zoom_fraction", "shear", "stroke")},
                batch_size=RECIPE.batch_size, peak_learning_rate=RECIPE.peak_learning_rate,
                warmup_fraction=RECIPE.warmup_fraction, label_smoothing=0.0, epochs=epochs,
                chosen_epoch=best["epoch"], validation_accuracy=round(best["accuracy"], 5),
                validation_loss=round(best["loss"], 5), cut_short_at=best.get("cut_short_at"),
                train_seconds=seconds, parameters=teacher.count_params(), **machine(),
                history=history)
    (out / f"{name}.json").write_text(json.dumps(card, indent=1))
    log(f"{name}: kept epoch {best['epoch']} of {epochs}, validation {best['accuracy']:.4f}")


def distil_student(out: Path, teachers: Path, deadline: float, epochs=None, seed=42,
                   mnist_train=None):
    """``distil.distil`` on the GPU; writes ``student.keras``, its ONNX copy and ``student.json``
    (``export.save_model``)."""
    keras.utils.set_random_seed(seed)
    generator = torch.Generator(device=DEVICE).manual_seed(seed)
    (x_fit, y_fit), (x_val, y_val) = load_training_split(mnist_train)
    paths = distil.teacher_paths(teachers)
    ensemble = distil.load_teachers(paths)
    validation_readings = read(ensemble, x_val)
    teachers_accuracy = float((validation_readings.argmax(1) == y_val).float().mean())
    log(f"{len(paths)} teachers read {teachers_accuracy:.4f} of the validation split")
    distillation_loss = distil.distillation_loss()

    def loss_of(logits, labels, readings):
        targets = torch.cat([F.one_hot(labels, 10).float(), readings], dim=1)
        return distillation_loss(targets, logits).mean()

    def student_network():
        network = model_module.build_model(**distil.STUDENT)
        network.get_layer("probabilities").activation = keras.activations.linear  # logits
        return network

    prepared = {}

    def prepare(epoch):
        """The epoch's augmented images and the teachers' readings of them, read in large
        batches (the same readings as batch by batch, much faster)."""
        if epoch not in prepared:
            prepared.clear()
            images = torch.cat([augment(x_fit[i:i + 5000], vars(RECIPE), generator)
                                for i in range(0, len(x_fit), 5000)])
            prepared[epoch] = images, read(ensemble, images)
        return prepared[epoch]

    def loss(network, rows, epoch):
        images, readings = prepare(epoch)
        return loss_of(network(channels_last(images[rows]), training=True), y_fit[rows],
                       readings[rows])

    if epochs is None:
        started = time.time()
        prepare(-1)
        epochs = epochs_that_fit(student_network, loss, len(x_fit), deadline, distil.EPOCHS,
                                 extra_per_epoch=time.time() - started)
        keras.utils.set_random_seed(seed)
    student = student_network()

    def validation():
        logits = read(student, x_val)
        return (float(loss_of(logits, y_val, validation_readings)),
                float((logits.argmax(1) == y_val).float().mean()))

    best, history, seconds = fit(student, len(x_fit), loss, validation, epochs, deadline,
                                 generator)
    network = model_module.build_model(**distil.STUDENT)
    network.set_weights(best.pop("weights"))
    info = dict(teachers=[path.name for path in paths],
                teachers_validation_accuracy=round(teachers_accuracy, 5), seed=seed,
                epochs=epochs, chosen_epoch=best["epoch"],
                validation_accuracy=round(best["accuracy"], 5),
                validation_loss=round(best["loss"], 5), cut_short_at=best.get("cut_short_at"),
                train_seconds=seconds, **machine(), history=history)
    # the ONNX copy is made by TensorFlow in a subprocess (export.write_copy): torch runs here
    export.save_model(network, out / "student.keras", info)
    log(f"student: kept epoch {best['epoch']} of {epochs}, validation {best['accuracy']:.4f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlib.training.gpu",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["teachers", "teacher", "distil"])
    parser.add_argument("out", type=Path, help="folder for the models and their cards")
    parser.add_argument("--index", type=int, help="teacher: which of distil.TEACHER_SETTINGS")
    parser.add_argument("--teachers", type=Path, help="distil: folder of teacher models")
    parser.add_argument("--minutes", type=float, default=4.5, help="time box")
    parser.add_argument("--epochs", type=int, help="fix the epochs instead of the time box")
    parser.add_argument("--seed", type=int, default=42, help="distil: the student's seed")
    parser.add_argument("--mnist-train", help=".npz with x_train, y_train (no internet)")
    arguments = parser.parse_args(argv)
    torch.backends.cudnn.benchmark = True
    arguments.out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + 60 * arguments.minutes
    if arguments.what == "teachers":  # all of them at once, one process each
        command = [sys.executable, "-m", "digitlib.training.gpu", "teacher", str(arguments.out),
                   "--minutes", str(arguments.minutes)]
        if arguments.mnist_train:
            command += ["--mnist-train", arguments.mnist_train]
        if arguments.epochs:
            command += ["--epochs", str(arguments.epochs)]
        runs = [subprocess.Popen(command + ["--index", str(index)])
                for index in range(len(distil.TEACHER_SETTINGS))]
        return max(run.wait() for run in runs)
    if arguments.what == "teacher":
        if arguments.index is None or not 0 <= arguments.index < len(distil.TEACHER_SETTINGS):
            parser.error(f"teacher needs --index 0 to {len(distil.TEACHER_SETTINGS) - 1}")
        train_teacher(arguments.index, arguments.out, deadline, arguments.epochs,
                      arguments.mnist_train)
        return 0
    if arguments.teachers is None:
        parser.error("distil needs --teachers FOLDER")
    distil_student(arguments.out, arguments.teachers, deadline, arguments.epochs,
                   arguments.seed, arguments.mnist_train)
    return 0


if __name__ == "__main__":
    sys.exit(main())
