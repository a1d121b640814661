"""Look inside the network: feature maps of the convolution blocks and the dense layer's units.

    from digitlib.insight import features
    maps = features.feature_maps(model, image28)         # after block 1 and after block 2
    units = features.strongest_units(model, image28)     # the dense layer's most active units
    features.inside_figure(model, image28)               # all of it in one figure

Notebook 03 shows them for an MNIST digit, and for your own drawing with ``live_inside`` (the
figure redrawn after each stroke on a ``digitlib.pads.widget.DrawingPad``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from digitlib.reading.preprocess import MNIST_SIZE

STRONGEST_UNITS = 12  # dense units shown: enough to see a pattern, few enough to read
LIVE_DPI = 80  # the live figure is redrawn after every stroke: small enough to send quickly


def block_outputs(model) -> list[str]:
    """Names of the ReLU layers that end each convolution block (their output is 4-D)."""
    import keras

    return [layer.name for layer in model.layers
            if isinstance(layer, keras.layers.ReLU) and len(layer.output.shape) == 4]


def dense_output(model) -> str:
    """Name of the layer whose output is the dense layer's units (the last 2-D ReLU)."""
    import keras

    names = [layer.name for layer in model.layers
             if isinstance(layer, keras.layers.ReLU) and len(layer.output.shape) == 2]
    if not names:
        raise ValueError(f"the model {model.name} has no dense layer followed by a ReLU")
    return names[-1]


_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layer_outputs(model, image, layer_names) -> list[np.ndarray]:
    """The outputs of the named layers of ``model`` for one image (28x28, or 28x28x1)."""
    import keras

    image = _image28(image)
    layer_names = tuple(layer_names)
    probes = _PROBES.setdefault(model, {})
    if layer_names not in probes:
        known = {layer.name for layer in model.layers}
        missing = [name for name in layer_names if name not in known]
        if missing:
            raise ValueError(f"the model has no layer named {', '.join(missing)}")
        probes[layer_names] = keras.Model(
            model.inputs[0], [model.get_layer(name).output for name in layer_names])
    outputs = probes[layer_names](image[np.newaxis, :, :, np.newaxis], training=False)
    if not isinstance(outputs, (list, tuple)):  # Keras unpacks a list of one output
        outputs = [outputs]
    return [keras.ops.convert_to_numpy(output)[0] for output in outputs]


def feature_maps(model, image, layer_names=None) -> list[np.ndarray]:
    """The feature maps (height, width, channels) after each convolution block for one image;
    ``layer_names`` picks other layers."""
    return layer_outputs(model, image, layer_names or block_outputs(model))


@dataclass
class Units:
    """The dense layer's most active units for one image."""

    indices: np.ndarray  # unit numbers, most active first
    activations: np.ndarray  # their values after the ReLU
    votes_for: np.ndarray  # the digit each unit's outgoing weights favour most
    towards_answer: np.ndarray  # what each adds to the answer's score (activation x weight)


def strongest_units(model, image, count: int = STRONGEST_UNITS, answer: int | None = None
                    ) -> Units:
    """The ``count`` most active units of the dense layer, the digit each one votes for (the
    largest of its weights into the output layer) and what each adds to the score of
    ``answer`` (default: the model's answer)."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")

    (activations,) = layer_outputs(model, image, [dense_output(model)])
    order = np.argsort(activations)[::-1][:count]
    weights = model.layers[-1].get_weights()[0]  # (units, 10)
    if answer is None:
        answer = int(np.asarray(model(_image28(image)[np.newaxis, :, :, np.newaxis],
                                      training=False))[0].argmax())
    return Units(order, activations[order], weights[order].argmax(axis=1),
                 activations[order] * weights[order, answer])


def maps_figure(maps, title: str, columns: int = 8, signed: bool = False):
    """A figure with each channel of ``maps`` (height, width, channels) as a small picture;
    ``signed`` shows red for negative and blue for positive (for filters)."""
    from matplotlib.figure import Figure

    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"expected maps of shape (height, width, channels), got {maps.shape}")
    count = maps.shape[-1]
    rows = -(-count // columns)
    figure = Figure(figsize=(columns * 1.2, rows * 1.25 + 0.4))
    axes = figure.subplots(rows, columns, squeeze=False)
    for channel, axis in enumerate(axes.flat):
        axis.axis("off")
        if channel < count:
            _show_map(axis, maps[..., channel], signed)
    figure.suptitle(f"{title}: {count} maps of {maps.shape[0]}×{maps.shape[1]}")
    return figure


def mosaic(maps, columns: int = 16) -> np.ndarray:
    """The channels of ``maps`` (height, width, channels) tiled into one 2-D picture, each
    scaled to its own maximum, with a one-pixel NaN gap between them (drawn blank)."""
    maps = np.asarray(maps, dtype=np.float32)
    height, width, count = maps.shape
    rows = -(-count // columns)
    picture = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan, np.float32)
    largest = np.abs(maps).reshape(-1, count).max(axis=0)
    for channel in range(count):
        row, column = divmod(channel, columns)
        scale = largest[channel] if largest[channel] > 0 else 1.0
        picture[row * (height + 1):row * (height + 1) + height,
                column * (width + 1):column * (width + 1) + width] = maps[..., channel] / scale
    return picture


def inside_figure(model, image, columns: int = 16):
    """One figure of what the network sees in ``image``: the 28x28 input and its reading, the
    maps after each convolution block (each map scaled to its own maximum), and the dense
    layer's strongest units with what they add to the answer's score."""
    from matplotlib.figure import Figure

    image = _image28(image)
    blocks = feature_maps(model, image)
    probabilities = np.asarray(model(image[np.newaxis, :, :, np.newaxis], training=False))[0]
    answer = int(probabilities.argmax())
    units = strongest_units(model, image, answer=answer)
    figure = Figure(figsize=(12, 5.2), layout="constrained")
    grid = figure.add_gridspec(len(blocks), 3, width_ratios=[1, 1.1, 4])
    picture = figure.add_subplot(grid[0, 0])
    picture.imshow(image, cmap="gray", vmin=0, vmax=1)
    picture.set_title(f"the model sees this:\nread {answer} ({probabilities.max():.0%})",
                      fontsize=10)
    picture.axis("off")
    bars = figure.add_subplot(grid[:, 1])
    labels = [f"#{index} (→{digit})" for index, digit in
              zip(units.indices, units.votes_for, strict=True)]
    colours = ["tab:green" if share > 0 else "tab:gray" for share in units.towards_answer]
    bars.barh(labels[::-1], units.activations[::-1], color=colours[::-1])
    bars.set_title(f"strongest dense units\n(green: they raise {answer}'s score;\n"
                   "→ the digit each favours most)", fontsize=9)
    bars.tick_params(labelsize=8)
    for block, maps in enumerate(blocks, start=1):
        axis = figure.add_subplot(grid[block - 1, 2])
        axis.imshow(mosaic(maps, columns), cmap="viridis", vmin=0, vmax=1)
        axis.set_title(f"after block {block}: {maps.shape[-1]} feature maps of "
                       f"{maps.shape[0]}×{maps.shape[1]}", fontsize=10)
        axis.axis("off")
    return figure


def live_inside(pad, model=None):
    """An ``Output`` widget that shows ``inside_figure`` for the digit on ``pad`` (a
    ``digitlib.pads.widget.DrawingPad``), redrawn after each stroke; display it under the pad.
    ``model``: the Keras model to look into (default: the pad's)."""
    import io

    import ipywidgets as widgets
    from IPython.display import Image, display

    output = widgets.Output()
    shown = [None]  # the strokes last drawn, so that moving the mouse out redraws nothing

    def redraw(*_):
        strokes = [len(stroke.points) for stroke in pad.drawing.strokes]
        if pad.drawing.in_stroke or strokes == shown[0]:  # mid-stroke, or nothing new
            return
        shown[0] = strokes
        output.clear_output(wait=True)
        with output:
            reading = None if pad.drawing.is_empty else pad.predictor.predict_digit(
                pad.drawing.to_image())
            if reading is None:
                print("Draw a digit on the pad above: its feature maps appear here.")
            else:
                # As a PNG: shows whatever matplotlib backend the kernel has (Voila has none).
                figure = inside_figure(model or pad.predictor.model, reading.image28)
                picture = io.BytesIO()
                figure.savefig(picture, format="png", dpi=LIVE_DPI)
                display(Image(picture.getvalue()))

    for register in (pad.canvas.on_mouse_up, pad.canvas.on_mouse_out, pad.canvas.on_touch_end):
        register(redraw)
    for button in (pad.undo_button, pad.clear_button):
        button.on_click(redraw)
    redraw()
    return output


def _show_map(axis, picture, signed):
    if signed:  # red negative, blue positive, white zero
        limit = float(np.abs(picture).max()) or 1.0
        axis.imshow(picture, cmap="RdBu", vmin=-limit, vmax=limit)
    else:
        axis.imshow(picture, cmap="viridis")


def _image28(image) -> np.ndarray:
    image = getattr(image, "image28", image)
    try:
        image = np.asarray(image, dtype=np.float32).squeeze()
    except (TypeError, ValueError):
        raise TypeError(f"expected a 28x28 image, got {type(image).__name__}") from None
    if image.shape != (MNIST_SIZE, MNIST_SIZE):
        raise ValueError(f"expected a 28x28 image, got shape {image.shape}")
    if not np.isfinite(image).all():
        raise ValueError("pixel values must be finite")
    return image / 255.0 if image.max() > 1.5 else image
