"""How robust is the model? Transforms, the two ways to make 28x28, and adversarial examples.

Notebook 09 ("fool the model") runs these experiments; every figure it shows is made here.

    from digitlib.insight import robustness
    moved = robustness.transform(image28, right=3, degrees=20, factor=0.8, stroke=1)
    robustness.sweep(images, labels, predictor, "degrees", range(-60, 61, 10))   # accuracy
    attack = robustness.pgd(model, image28, epsilon=0.1)                          # adversarial

The transforms (shift, rotate, scale, slant, thicken, thin) are ``digitlib.datasets.transforms``,
which training uses too; they are named here as well, as the notebook knows them.

The adversarial examples use the model's gradient (the Keras model; ``Predictor.model``):
FGSM (the fast gradient sign method) moves every pixel by ``epsilon`` in the direction that
raises the loss of the current answer; PGD (projected gradient descent, also called the basic
iterative method) takes several smaller such steps, each time keeping the change within
``epsilon`` of the original and the pixels within [0, 1].
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from digitlib.datasets.transforms import (  # noqa: F401 (notebook 09 and the exercises use them)
    MAX_STROKE,
    RESTROKES,
    SLANT_SEED,
    SLANTS,
    TRANSFORMS,
    rotate,
    scale,
    shift,
    slant,
    slant_sets,
    thicken,
    thin,
    transform,
)
from digitlib.insight.explain import logits_function
from digitlib.reading.images import image_of, to_ink
from digitlib.reading.preprocess import MNIST_SIZE, to_mnist

PGD_STEPS = 10  # iterative steps; a few are enough against an undefended network


def sweep(images, labels, predictor, name: str, values) -> np.ndarray:
    """Accuracy of ``predictor`` on ``images`` (N, 28, 28) when one transform (``name``, a
    key of ``TRANSFORMS``) takes each of ``values``: one accuracy per value."""
    if name not in TRANSFORMS:
        raise ValueError(f"name must be one of {', '.join(TRANSFORMS)}; got {name!r}")
    images = np.asarray(images, np.float32)
    images = images / 255.0 if images.max() > 1.5 else images
    labels = np.asarray(labels)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"expected images (N, 28, 28) and N labels, got {images.shape} and "
                         f"{labels.shape}")
    accuracy = []
    for value in values:
        moved = np.stack([transform(image, **{name: value}) for image in images])
        accuracy.append(float(np.mean(predictor.classify(moved).argmax(axis=1) == labels)))
    return np.array(accuracy)


# ------------------------------------------------------------------- naive vs MNIST-style

def on_pad(image, box=(10, 10, 100, 100), size=(280, 280)):
    """A 28x28 digit drawn on a pad of ``size`` (black ink on white, a Pillow image), scaled
    into ``box`` (left, top, right, bottom): how a learner might draw it, small and off-centre."""
    from PIL import Image

    left, top, right, bottom = box
    if not (0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]):
        raise ValueError(f"the box {box} must lie inside the pad {size}")
    ink = Image.fromarray(np.round(255 * (1 - image_of(image))).astype(np.uint8))
    pad = Image.new("L", tuple(size), 255)
    pad.paste(ink.resize((right - left, bottom - top), Image.Resampling.BICUBIC), (left, top))
    return pad


def naive_28(picture) -> np.ndarray:
    """The whole picture squeezed to 28x28 as it is (white ink on black): no cropping, no
    centring, no stroke correction. What a first attempt at reading a pad usually does."""
    from PIL import Image

    ink = to_ink(picture)
    small = Image.fromarray(ink.astype(np.float32)).resize((MNIST_SIZE, MNIST_SIZE),
                                                           Image.Resampling.LANCZOS)
    return np.clip(np.asarray(small, np.float32), 0.0, 1.0)


def mnist_style_28(picture) -> np.ndarray:
    """The picture made 28x28 the MNIST way (``preprocess.to_mnist``), as the predictor does."""
    ink = to_ink(picture)
    if ink.max() < 0.1:
        raise ValueError("the picture is blank: draw a digit first")
    return to_mnist(ink)


# ------------------------------------------------------------------ adversarial examples

@dataclass(eq=False)
class Attack:
    """An adversarial example and what the model made of it."""

    method: str  # "FGSM" or "PGD, 10 steps"
    epsilon: float  # the most any pixel was changed
    original: np.ndarray  # (28, 28)
    adversarial: np.ndarray  # (28, 28)
    before: np.ndarray  # (10,) probabilities of the original
    after: np.ndarray  # (10,) probabilities of the adversarial example

    @property
    def perturbation(self) -> np.ndarray:
        return self.adversarial - self.original

    @property
    def flipped(self) -> bool:
        return int(self.after.argmax()) != int(self.before.argmax())


_LOSS_GRADIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def loss_gradients(model, batch, labels) -> np.ndarray:
    """The gradient (N, 28, 28) of the cross-entropy of ``labels`` with respect to each pixel."""
    if model not in _LOSS_GRADIENTS:
        import tensorflow as tf

        logits = logits_function(model)

        @tf.function(input_signature=(tf.TensorSpec((None, MNIST_SIZE, MNIST_SIZE), tf.float32),
                                      tf.TensorSpec((None,), tf.int32)))
        def gradients(batch, labels):
            with tf.GradientTape() as tape:
                tape.watch(batch)
                loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels, logits(batch[..., tf.newaxis]))
            return tape.gradient(loss, batch)

        _LOSS_GRADIENTS[model] = gradients
    return _LOSS_GRADIENTS[model](np.asarray(batch, np.float32),
                                  np.asarray(labels, np.int32)).numpy()


def fgsm(model, images, epsilon: float, labels=None) -> np.ndarray:
    """FGSM: one step of size ``epsilon`` along the sign of the loss gradient of ``labels``
    (default: the model's own answers). ``images``: (28, 28) or (N, 28, 28) in [0, 1]."""
    return pgd(model, images, epsilon, steps=1, step_size=epsilon, labels=labels)


def pgd(model, images, epsilon: float, steps: int = PGD_STEPS, step_size: float | None = None,
        labels=None) -> np.ndarray:
    """PGD / the basic iterative method: ``steps`` signed-gradient steps of ``step_size``
    (default ``2.5 * epsilon / steps``), each time clipped back to within ``epsilon`` of the
    original and to [0, 1]. Returns the adversarial images, shaped like ``images``."""
    model = getattr(model, "model", model)  # a Predictor works too
    if not isinstance(epsilon, (int, float)) or not 0 < epsilon <= 1:
        raise ValueError(f"epsilon must be in (0, 1], got {epsilon!r}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    single = np.ndim(images) == 2
    originals = np.stack([image_of(image) for image in np.reshape(
        np.asarray(images, np.float32), (-1, MNIST_SIZE, MNIST_SIZE))])
    if labels is None:
        labels = np.asarray(model(originals[..., np.newaxis], training=False)).argmax(axis=1)
    labels = np.broadcast_to(np.asarray(labels), (len(originals),))
    step_size = 2.5 * epsilon / steps if step_size is None else step_size
    adversarial = originals.copy()
    for _ in range(steps):
        adversarial += step_size * np.sign(loss_gradients(model, adversarial, labels))
        adversarial = np.clip(adversarial, originals - epsilon, originals + epsilon)
        adversarial = np.clip(adversarial, 0.0, 1.0)
    return adversarial[0] if single else adversarial


def attack(predictor, image, epsilon: float, steps: int = PGD_STEPS) -> Attack:
    """FGSM (``steps=1``) or PGD on one digit, with the probabilities before and after."""
    original = image_of(image)
    model = getattr(predictor, "model", predictor)
    adversarial = (fgsm(model, original, epsilon) if steps == 1
                   else pgd(model, original, epsilon, steps))
    classify = getattr(predictor, "classify", None) or (
        lambda batch: np.asarray(model(batch[..., np.newaxis], training=False)))
    before, after = classify(np.stack([original, adversarial]))
    method = "FGSM" if steps == 1 else f"PGD, {steps} steps"
    return Attack(method, float(epsilon), original, adversarial, before, after)


def smallest_attack(predictor, image, epsilons=(0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3),
                    steps: int = PGD_STEPS) -> Attack:
    """The attack with the smallest of ``epsilons`` that changes the answer (the last one tried
    when none does)."""
    for epsilon in epsilons:
        found = attack(predictor, image, epsilon, steps)
        if found.flipped:
            break
    return found


def flip_rate(predictor, images, labels, epsilon: float, steps: int = 1) -> float:
    """Share of the correctly read ``images`` whose answer an attack of ``epsilon`` changes
    (FGSM when ``steps`` is 1, else PGD)."""
    images = np.stack([image_of(image) for image in images])
    answers = predictor.classify(images).argmax(axis=1)
    right = images[answers == np.asarray(labels)]
    if not len(right):
        raise ValueError("the model reads none of these images correctly")
    model = predictor.model
    adversarial = (fgsm(model, right, epsilon) if steps == 1
                   else pgd(model, right, epsilon, steps))
    after = predictor.classify(adversarial).argmax(axis=1)
    return float(np.mean(after != answers[answers == np.asarray(labels)]))


# -------------------------------------------------------------------------------- figures

def probability_bars(axis, probabilities, title: str = "", unsure_below: float | None = None):
    """Ten bars on ``axis``: the answer's bar in green (orange when below ``unsure_below``)."""
    probabilities = np.asarray(probabilities)
    answer = int(probabilities.argmax())
    sure = unsure_below is None or probabilities[answer] >= unsure_below
    colours = ["tab:gray"] * 10
    colours[answer] = "tab:green" if sure else "tab:orange"
    axis.bar(range(10), probabilities, color=colours)
    axis.set(xticks=range(10), ylim=(0, 1), yticks=(0, 0.5, 1))
    if unsure_below is not None:
        axis.axhline(unsure_below, color="tab:orange", linestyle=":", linewidth=1)
    axis.set_title(title or f"read {answer} ({probabilities[answer]:.0%})"
                   + ("" if sure else ", unsure"), fontsize=10)


def reading_figure(image, predictor, title: str = ""):
    """A digit and the model's ten probabilities next to it (the notebook's live view)."""
    from matplotlib.figure import Figure

    image = image_of(image)
    probabilities = predictor.classify(image[np.newaxis])[0]
    figure = Figure(figsize=(7, 2.6), layout="constrained")
    picture, bars = figure.subplots(1, 2, width_ratios=[1, 2.2])
    picture.imshow(image, cmap="gray", vmin=0, vmax=1)
    picture.set_title(title or "what the model sees", fontsize=10)
    picture.axis("off")
    probability_bars(bars, probabilities, unsure_below=getattr(predictor, "unsure_below", None))
    return figure


def transforms_figure(image, predictor, changes: dict | None = None):
    """One row per kind of change (shift, rotate, scale, thicken, thin), growing to the right,
    each digit titled with the model's reading."""
    from matplotlib.figure import Figure

    changes = changes or {
        "shifted right": ("right", [0, 2, 4, 6, 8]),
        "rotated": ("degrees", [0, 15, 30, 45, 60]),
        "scaled": ("factor", [1.0, 0.8, 0.6, 1.2, 1.4]),
        "thickened": ("stroke", [0, 1, 2, 3, 4]),
        "thinned": ("stroke", [0, -1, -2, -3, -4]),
    }
    image = image_of(image)
    columns = max(len(values) for _, values in changes.values())
    figure = Figure(figsize=(1.5 * columns + 1.2, 1.7 * len(changes)), layout="constrained")
    axes = figure.subplots(len(changes), columns, squeeze=False)
    unsure_below = getattr(predictor, "unsure_below", 0.0)
    for row, (label, (name, values)) in enumerate(changes.items()):
        moved = np.stack([transform(image, **{name: value}) for value in values])
        for axis, picture, value, probabilities in zip(
                axes[row], moved, values, predictor.classify(moved), strict=False):
            answer = int(probabilities.argmax())
            axis.imshow(picture, cmap="gray", vmin=0, vmax=1)
            colour = "tab:green" if probabilities[answer] >= unsure_below else "tab:orange"
            axis.set_title(f"{name} {value:g}: {answer} ({probabilities[answer]:.0%})",
                           fontsize=8, color=colour)
        for axis in axes[row]:
            axis.set_xticks([])
            axis.set_yticks([])
        axes[row, 0].set_ylabel(label)
    return figure


def sweep_figure(results: dict, trained_range: dict | None = None):
    """Accuracy curves, one panel per transform: ``results`` maps a title to
    ``(values, accuracies)``; ``trained_range`` maps a title to the (low, high) the training
    augmentation covered, shaded."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.2 * len(results), 2.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(results)))
    for axis, (title, (values, accuracy)) in zip(axes, results.items(), strict=True):
        if trained_range and title in trained_range:
            axis.axvspan(*trained_range[title], color="tab:green", alpha=0.15,
                         label="seen in training")
            axis.legend(fontsize=8, loc="lower center")
        axis.plot(list(values), accuracy, marker="o")
        axis.set(title=title, ylim=(0, 1.02), ylabel="accuracy")
    return figure


def resize_figure(picture, predictor):
    """The same drawing made 28x28 two ways, naive and MNIST-style, each with its reading."""
    from matplotlib.figure import Figure

    ways = {"naive: squeeze the whole pad to 28×28": naive_28(picture),
            "MNIST-style: crop, 20 px, centre of mass": mnist_style_28(picture)}
    figure = Figure(figsize=(10, 4.6), layout="constrained")
    axes = figure.subplots(2, 3, height_ratios=[2, 1], width_ratios=[1.6, 1, 1])
    shown = np.asarray(picture.convert("L")) if hasattr(picture, "convert") else picture
    grid = axes[0, 0].get_gridspec()
    for axis in axes[:, 0]:
        axis.remove()
    pad = figure.add_subplot(grid[:, 0])
    pad.imshow(shown, cmap="gray", vmin=0, vmax=255 if np.max(shown) > 1.5 else 1)
    pad.set_title("the drawing", fontsize=10)
    pad.axis("off")
    probabilities = predictor.classify(np.stack(list(ways.values())))
    for column, ((title, image), p) in enumerate(zip(ways.items(), probabilities, strict=True),
                                                 start=1):
        axes[0, column].imshow(image, cmap="gray", vmin=0, vmax=1)
        axes[0, column].set_title(title, fontsize=9)
        axes[0, column].axis("off")
        probability_bars(axes[1, column], p,
                         unsure_below=getattr(predictor, "unsure_below", None))
    return figure


def attack_figure(found: Attack, magnify: float | None = None):
    """Original, the perturbation magnified (red darker, blue brighter), the adversarial
    example, and the probabilities before and after."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.4), layout="constrained")
    axes = figure.subplots(2, 3, height_ratios=[2, 1])
    perturbation = found.perturbation
    largest = float(np.abs(perturbation).max()) or 1.0
    magnify = magnify or 1.0 / largest
    axes[0, 0].imshow(found.original, cmap="gray", vmin=0, vmax=1)
    axes[0, 0].set_title("original", fontsize=10)
    axes[0, 1].imshow(perturbation * magnify, cmap="RdBu", vmin=-1, vmax=1)
    axes[0, 1].set_title(f"the change, magnified {magnify:.0f}×\n(every pixel moved at most "
                         f"{found.epsilon:g} = {found.epsilon * 255:.0f}/255)", fontsize=10)
    axes[0, 2].imshow(found.adversarial, cmap="gray", vmin=0, vmax=1)
    axes[0, 2].set_title(f"original + change ({found.method})", fontsize=10)
    for axis in axes[0]:
        axis.axis("off")
    probability_bars(axes[1, 0], found.before)
    axes[1, 1].axis("off")
    probability_bars(axes[1, 2], found.after)
    return figure
