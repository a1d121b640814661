"""Why did the model say that? Heat maps of the evidence in a 28x28 reading.

    from digitlib.insight import explain
    why = explain.explain(reading, predictor)   # a Prediction / Detection, or a 28x28 array
    why.evidence                                # (28, 28): > 0 answer, < 0 runner-up
    why.overlay_image()                         # RGBA, for the 84x84 preview
    why.ink_bounds()                            # the rows and columns holding ink
    explain.prepare(predictor)                  # optional: trace the gradient graph ahead

The map answers "which pixels made the model prefer its answer to the runner-up?". It explains
the *difference* of the two classes' scores (logits; for a softmax that is
``log p(answer) - log p(runner-up)``): a pixel is warm (orange-red) where its ink argues for
the answer, cool (blue) where it argues for the runner-up.

Three methods are here, all measured on this network on 2 CPU cores by
``python -m benchmarks.explain`` (cost per digit and a deletion test of faithfulness; the
figures are in the report of issue 16):

- ``occlusion``: black out a 4x4 patch at every position (stride 2, 169 images through
  ``Predictor.classify``, ONNX Runtime, in one batch) and record how much the score difference
  falls; each pixel gets the mean fall of the patches that cover it.
- ``gradient_x_input``: the gradient of the score difference times the pixel (one backward
  pass through the Keras model).
- ``integrated_gradients``: the gradient averaged along the straight path from a black image to
  the digit, times the pixel (``IG_STEPS`` images in one batch). Its attributions add up to
  how much the score difference grows from a black image to the digit (``logit_gap``).

**The default is integrated gradients.** In the deletion test (blank the 20 pixels a map marks
most important and see how far the answer's probability falls, against blanking 20 random ink
pixels, on 200 MNIST test digits) the two gradient maps are the most faithful: blanking what
they mark hurts the answer more than the random pixels in 98.5-99.5 % of the digits, and about
12 times as much on average. Occlusion is honest by construction, but its 4x4 patches blur the
map to blobs, so its top pixels hit less (95 %). Integrated gradients is as faithful as
gradient x input, and its map adds up to the logit difference between the digit and a black
image (within about 1 %, median), so its colours mean the same from one digit to the next;
gradient x input reads the slope at one point only, where the ReLUs and the softmax may be
saturated. It costs one batch of ``IG_STEPS`` (16) through a traced TensorFlow graph, under the
50 ms budget per digit even on a busy machine; the graph is traced once per model (about a
second: ``prepare`` does it ahead).
All three only see ink: a stroke that is *missing* (the open top of a 4 that would make it a 9)
gets no colour, since blank pixels have nothing to take away.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitlib.reading.images import image_of
from digitlib.reading.preprocess import MNIST_SIZE

OCCLUSION, GRADIENT_X_INPUT, INTEGRATED_GRADIENTS = (
    "occlusion", "gradient_x_input", "integrated_gradients")
METHODS = (OCCLUSION, GRADIENT_X_INPUT, INTEGRATED_GRADIENTS)
DEFAULT_METHOD = INTEGRATED_GRADIENTS
OCCLUSION_PATCH, OCCLUSION_STRIDE = 4, 2  # a stroke is 2-4 px wide: a patch hides one piece
IG_STEPS = 16  # path points: as faithful as 32 or 64 in the deletion test, at half the cost of 32
TINY = 1e-30  # floor for probabilities before a log, when no logits can be had

# Overlay colours (RGB): the answer warm, the runner-up cool, as in the notebooks' figures.
ANSWER_COLOUR = (230, 85, 13)
RUNNER_UP_COLOUR = (33, 113, 181)
OVERLAY_OPACITY = 0.85  # alpha of the strongest pixel on the 28x28 preview
# (over a digit's box on the pad, black ink on white, the map is drawn in lighter colours:
# ``digitlib.pads.display.why_box``)
DIMMED_INK = 0.3  # figures show the ink light grey on white under the map: colours stay clear
INK_LEVEL = 0.1  # 28x28 pixels above this are the digit's ink (its box on the canvas)


@dataclass(eq=False)
class Explanation:
    """The evidence for one reading."""

    image28: np.ndarray  # (28, 28) float32, the image the model saw
    probabilities: np.ndarray  # (10,)
    digit: int  # the answer
    runner_up: int  # the second likeliest digit
    evidence: np.ndarray  # (28, 28) float32: > 0 for ``digit``, < 0 for ``runner_up``
    method: str

    @property
    def towards_answer(self) -> np.ndarray:
        """(28, 28), >= 0: how much each pixel pushed towards the answer."""
        return np.maximum(self.evidence, 0.0)

    @property
    def towards_runner_up(self) -> np.ndarray:
        """(28, 28), >= 0: how much each pixel pushed towards the runner-up."""
        return np.maximum(-self.evidence, 0.0)

    def overlay(self, opacity: float = OVERLAY_OPACITY) -> np.ndarray:
        """(28, 28, 4) uint8 RGBA: warm for the answer, cool for the runner-up, transparent
        where a pixel did not matter; the strongest pixel has alpha ``opacity``."""
        return heat_rgba(self.evidence, opacity)

    def overlay_image(self, size: int = 84, opacity: float = OVERLAY_OPACITY) -> Image.Image:
        """The overlay as a ``size`` x ``size`` RGBA image (sharp pixels), to lay over the
        preview of the 28x28 image (``widget.PREVIEW_SIZE`` is 84)."""
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be a positive integer, got {size!r}")
        return Image.fromarray(self.overlay(opacity), "RGBA").resize(
            (size, size), Image.Resampling.NEAREST)

    def ink_bounds(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) of the 28x28 rows and columns holding ink (bottom and
        right exclusive): the part of the map that a digit's box on the pad shows; the whole
        image when there is no ink."""
        inked = np.asarray(self.image28) > INK_LEVEL
        rows, columns = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
        if len(rows) == 0:
            return 0, MNIST_SIZE, 0, MNIST_SIZE
        return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1

    def overlay_png(self, size: int = 84, opacity: float = OVERLAY_OPACITY) -> bytes:
        """``overlay_image`` as PNG bytes (for an ``ipywidgets.Image`` over the preview)."""
        import io

        buffer = io.BytesIO()
        self.overlay_image(size, opacity).save(buffer, "PNG")
        return buffer.getvalue()

    def preview_image(self, size: int = 84) -> Image.Image:
        """The 28x28 image (white ink on black, as the model saw it) with the overlay on it."""
        grey = Image.fromarray(np.round(255 * np.clip(self.image28, 0, 1)).astype(np.uint8))
        base = grey.convert("RGBA").resize((size, size), Image.Resampling.NEAREST)
        return Image.alpha_composite(base, self.overlay_image(size))


def heat_rgba(evidence, opacity: float = OVERLAY_OPACITY) -> np.ndarray:
    """(H, W, 4) uint8 RGBA of a signed map: ``ANSWER_COLOUR`` where > 0, ``RUNNER_UP_COLOUR``
    where < 0, alpha growing with the size of the value (the largest gets ``opacity``)."""
    evidence = np.asarray(evidence, dtype=np.float32)
    if evidence.ndim != 2:
        raise ValueError(f"expected a 2-D map, got shape {evidence.shape}")
    if not 0 <= opacity <= 1:
        raise ValueError(f"opacity must be in [0, 1], got {opacity!r}")
    largest = float(np.abs(evidence).max())
    strength = np.abs(evidence) / largest if largest > 0 else np.zeros_like(evidence)
    rgba = np.zeros((*evidence.shape, 4), np.uint8)
    rgba[evidence > 0, :3] = ANSWER_COLOUR
    rgba[evidence < 0, :3] = RUNNER_UP_COLOUR
    rgba[..., 3] = np.round(255 * opacity * np.sqrt(strength))  # sqrt: weak evidence still shows
    return rgba


def explain(reading, predictor, method: str = DEFAULT_METHOD, against: int | None = None
            ) -> Explanation:
    """The heat map of the evidence for one reading.

    ``reading``: a ``predict.Prediction`` / ``Detection`` (its ``image28`` is explained), or a
    28x28 array in [0, 1] (white ink on black, or 0-255). ``predictor``: a
    ``predict.Predictor`` or a Keras model. ``against``: the digit to contrast with (default:
    the runner-up). ``method``: one of ``METHODS``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    image28 = image_of(reading)
    model, classify = _model_and_classify(predictor)
    probabilities = classify(image28[np.newaxis])[0]
    order = np.argsort(probabilities)[::-1]
    digit = int(order[0])
    if against is None:
        against = int(order[1])
    elif not isinstance(against, (int, np.integer)) or not 0 <= against <= 9 or against == digit:
        raise ValueError(f"against must be a digit 0-9 other than the answer {digit}, "
                         f"got {against!r}")
    if method == OCCLUSION:
        evidence = occlusion(image28, classify, digit, int(against))
    else:
        gradients = _gradients_for(model)
        if method == GRADIENT_X_INPUT:
            evidence = gradients(image28[np.newaxis], digit, int(against))[0] * image28
        else:
            evidence = integrated_gradients(image28, gradients, digit, int(against))
    return Explanation(image28, probabilities, digit, int(against),
                       np.asarray(evidence, np.float32), method)


def prepare(predictor) -> None:
    """Trace the gradient graph now (about a second, once per model), so that the first
    **Why?** is as quick as the others; a view may call it when its model is loaded."""
    model, _ = _model_and_classify(predictor)
    gradients = _gradients_for(model)
    gradients(np.zeros((IG_STEPS, MNIST_SIZE, MNIST_SIZE), np.float32), 0, 1)


def score_difference(probabilities, digit: int, against: int) -> np.ndarray:
    """``log p(digit) - log p(against)`` for each row of (N, 10) probabilities."""
    probabilities = np.maximum(np.asarray(probabilities, np.float64), TINY)
    return np.log(probabilities[:, digit]) - np.log(probabilities[:, against])


def occlusion(image28, classify, digit: int, against: int, patch: int = OCCLUSION_PATCH,
              stride: int = OCCLUSION_STRIDE) -> np.ndarray:
    """Occlusion sensitivity: for each pixel, the mean fall of the score difference when a
    ``patch`` x ``patch`` square over it is blacked out (all squares in one ``classify`` call)."""
    starts = range(0, MNIST_SIZE - patch + 1, stride)
    corners = [(top, left) for top in starts for left in starts]
    batch = np.repeat(image28[np.newaxis], len(corners) + 1, axis=0)
    for index, (top, left) in enumerate(corners, start=1):
        batch[index, top:top + patch, left:left + patch] = 0.0
    scores = score_difference(classify(batch), digit, against)
    total = np.zeros((MNIST_SIZE, MNIST_SIZE))
    covered = np.zeros((MNIST_SIZE, MNIST_SIZE))
    for fall, (top, left) in zip(scores[0] - scores[1:], corners, strict=True):
        total[top:top + patch, left:left + patch] += fall
        covered[top:top + patch, left:left + patch] += 1
    return (total / np.maximum(covered, 1)).astype(np.float32)


def integrated_gradients(image28, gradients, digit: int, against: int, steps: int = IG_STEPS
                         ) -> np.ndarray:
    """Integrated gradients from a black image: the mean gradient at ``steps`` points along
    the path (midpoints, in one batch) times the pixel."""
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps
    path = alphas[:, np.newaxis, np.newaxis] * image28[np.newaxis]
    return gradients(path, digit, against).mean(axis=0) * image28


def _model_and_classify(predictor):
    import keras

    if isinstance(predictor, keras.Model):
        model = predictor
        return model, lambda batch: np.asarray(model(batch[..., np.newaxis], training=False))
    model, classify = getattr(predictor, "model", None), getattr(predictor, "classify", None)
    if not isinstance(model, keras.Model) or not callable(classify):
        raise TypeError(f"expected a digitlib Predictor or a Keras model, got "
                        f"{type(predictor).__name__}")
    return model, classify


_GRADIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _gradients_for(model):
    """``gradients(batch (N, 28, 28), digit, against) -> (N, 28, 28)`` of the logit difference,
    a compiled TensorFlow graph made once per model."""
    if model not in _GRADIENTS:
        _GRADIENTS[model] = _compile_gradients(model)
    return _GRADIENTS[model]


def logits_function(model):
    """``logits(batch (N, 28, 28, 1)) -> (N, 10)`` scores before the softmax: the last Dense
    layer without its activation when it is one, else ``log p``."""
    import keras

    last = model.layers[-1]
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax:
        features = keras.Model(model.inputs[0], last.input)
        kernel, bias = last.kernel, last.bias

        def logits(batch):
            scores = keras.ops.matmul(features(batch, training=False), kernel)
            return scores if bias is None else scores + bias

        return logits
    return lambda batch: keras.ops.log(keras.ops.maximum(model(batch, training=False), TINY))


def _compile_gradients(model):
    import tensorflow as tf

    logits = logits_function(model)

    @tf.function(input_signature=(tf.TensorSpec((None, MNIST_SIZE, MNIST_SIZE), tf.float32),
                                  tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.int32)))
    def gradients(batch, digit, against):
        with tf.GradientTape() as tape:
            tape.watch(batch)
            scores = logits(batch[..., tf.newaxis])
            difference = tf.gather(scores, digit, axis=1) - tf.gather(scores, against, axis=1)
        return tape.gradient(difference, batch)

    return lambda batch, digit, against: gradients(
        tf.constant(batch, tf.float32), tf.constant(digit, tf.int32),
        tf.constant(against, tf.int32)).numpy()


# ----------------------------------------------------------------------- faithfulness

DELETED_PIXELS = 20  # about a fifth of a typical MNIST digit's ink (~100-150 pixels)


@dataclass
class DeletionTest:
    """How far the answer's probability falls when pixels are blanked, per digit."""

    method: str
    pixels: int  # how many pixels were blanked in each digit
    marked_drop: np.ndarray  # (N,) fall when the map's most important pixels are blanked
    random_drop: np.ndarray  # (N,) fall when as many random ink pixels are blanked

    @property
    def wins(self) -> float:
        """Share of digits where blanking the marked pixels hurt the answer more."""
        return float(np.mean(self.marked_drop > self.random_drop))


def blank_most_important(image28, evidence, pixels: int) -> np.ndarray:
    """The image with its ``pixels`` most positive-evidence pixels set to black."""
    blanked = np.array(image28, dtype=np.float32)
    strongest = np.argsort(np.asarray(evidence).ravel())[::-1][:pixels]
    blanked.ravel()[strongest] = 0.0
    return blanked


def blank_random_ink(image28, pixels: int, rng) -> np.ndarray:
    """The image with ``pixels`` of its ink pixels, chosen at random, set to black."""
    blanked = np.array(image28, dtype=np.float32)
    ink = np.flatnonzero(blanked.ravel() > INK_LEVEL)
    blanked.ravel()[rng.choice(ink, size=min(pixels, len(ink)), replace=False)] = 0.0
    return blanked


def deletion_test(images28, predictor, method: str = DEFAULT_METHOD,
                  pixels: int = DELETED_PIXELS, seed: int = 0) -> DeletionTest:
    """Blank each digit's ``pixels`` most important pixels (by ``method``'s map) and, in a
    copy, as many random ink pixels; measure the fall of the answer's probability in both."""
    _, classify = _model_and_classify(predictor)
    rng = np.random.default_rng(seed)
    marked, random, answers, before = [], [], [], []
    for image in images28:
        why = explain(image, predictor, method)
        marked.append(blank_most_important(why.image28, why.evidence, pixels))
        random.append(blank_random_ink(why.image28, pixels, rng))
        answers.append(why.digit)
        before.append(why.probabilities[why.digit])
    rows = np.arange(len(answers))
    after_marked = classify(np.stack(marked))[rows, answers]
    after_random = classify(np.stack(random))[rows, answers]
    before = np.asarray(before)
    return DeletionTest(method, pixels, before - after_marked, before - after_random)


def logit_gap(explanation: Explanation, predictor) -> float:
    """How much the logit difference (answer minus runner-up) grows from a black image to the
    digit: what integrated gradients' attributions add up to."""
    import keras

    model, _ = _model_and_classify(predictor)
    logits = logits_function(model)
    batch = np.stack([explanation.image28, np.zeros_like(explanation.image28)])[..., np.newaxis]
    scores = keras.ops.convert_to_numpy(logits(batch))
    difference = scores[:, explanation.digit] - scores[:, explanation.runner_up]
    return float(difference[0] - difference[1])


# ---------------------------------------------------------------------------------- figures

def evidence_colormap():
    """A matplotlib colour map from ``RUNNER_UP_COLOUR`` through white to ``ANSWER_COLOUR``."""
    from matplotlib.colors import LinearSegmentedColormap

    colours = [tuple(value / 255 for value in colour)
               for colour in (RUNNER_UP_COLOUR, (255, 255, 255), ANSWER_COLOUR)]
    return LinearSegmentedColormap.from_list("evidence", colours)


def show_evidence(axis, why: Explanation, title: str | None = None) -> None:
    """The 28x28 image (light grey ink on white) with the evidence map over it, on a
    matplotlib ``axis``."""
    axis.imshow(why.image28, cmap="gray_r", vmin=0, vmax=1 / DIMMED_INK)  # light grey ink
    axis.imshow(why.overlay())
    axis.set_title(title if title is not None else
                   f"{why.method.replace('_', ' ')}\norange: {why.digit}, blue: {why.runner_up}",
                   fontsize=9)
    axis.axis("off")


def explanation_figure(reading, predictor, picture=None, methods=METHODS):
    """The reading, its probabilities and the evidence maps of ``methods`` side by side;
    ``picture`` (the drawing as it was given, optional) is shown first."""
    from matplotlib.figure import Figure

    explanations = [explain(reading, predictor, method) for method in methods]
    first = explanations[0]
    panels = len(methods) + 2 + (picture is not None)
    figure = Figure(figsize=(2.3 * panels, 2.9), layout="constrained")
    axes = list(figure.subplots(1, panels))
    if picture is not None:
        shown = np.asarray(picture.convert("L")) if hasattr(picture, "convert") else picture
        axes[0].imshow(shown, cmap="gray", vmin=0, vmax=255 if np.max(shown) > 1.5 else 1)
        axes.pop(0).set_title("the drawing", fontsize=9)
    axes[0].imshow(first.image28, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title("what the model sees", fontsize=9)
    for axis in figure.axes[:2]:
        axis.axis("off")
    bars = axes[1]
    colours = ["tab:gray"] * 10
    colours[first.digit] = tuple(value / 255 for value in ANSWER_COLOUR)
    colours[first.runner_up] = tuple(value / 255 for value in RUNNER_UP_COLOUR)
    bars.bar(range(10), first.probabilities, color=colours)
    bars.set(xticks=range(10), ylim=(0, 1), box_aspect=1)
    bars.set_title(f"read {first.digit} ({first.probabilities[first.digit]:.0%}),\n"
                   f"runner-up {first.runner_up} ({first.probabilities[first.runner_up]:.0%})",
                   fontsize=9)
    for axis, why in zip(axes[2:], explanations, strict=True):
        show_evidence(axis, why)
    return figure
