"""The exercises of notebook 03_build_the_model: count conv2's parameters, the dense layer without
pooling, which layer shrinks the most.
"""

import functools

from digitlib.teaching.exercises.core import Exercise, Incorrect, whole_number

NOTEBOOK = 3
TITLE = "Build the model"


@functools.cache
def _network():
    """The network notebook 03 builds (untrained), to count its parameters."""
    from digitlib.training import model

    return model.build_model()


def _layer_shapes():
    conv1, conv2, dense = (_network().get_layer(name) for name in ("conv1", "conv2", "dense"))
    return conv1.kernel_size[0], conv1.filters, conv2.filters, dense.units


def _check_conv2_parameters(answer, namespace):
    kernel, channels, filters, _ = _layer_shapes()
    count = whole_number(answer, "`conv2_parameters`")
    expected = _network().get_layer("conv2").count_params()
    if count == expected:
        return (f"{kernel} × {kernel} × {channels} × {filters} = {expected:,} weights, and no "
                f"bias.")
    if count == expected + filters:
        raise Incorrect("that counts a bias per filter, but conv2 has none (use_bias=False: the "
                        "batch normalisation after it adds its own shift).")
    if count in {kernel * kernel * filters, kernel * kernel * filters + filters}:
        raise Incorrect(f"each of the {filters} filters has a {kernel}×{kernel} kernel for every "
                        f"one of the {channels} channels coming from conv1: multiply by "
                        f"{channels} too.")
    raise Incorrect(f"{count:,} is not it: multiply kernel height × width × channels in × "
                    f"filters.")


q1 = Exercise(
    "03.q1", "conv2_parameters", "count conv2's parameters by hand",
    _check_conv2_parameters,
    ["Every filter of conv2 has a 5×5 kernel for each channel of its input. How many "
     "channels does conv1 produce? And does conv2 have a bias (look for use_bias)?"],
    """
    conv2_parameters = 5 * 5 * 32 * 64  # kernel, channels in, filters; no bias
    network.get_layer("conv2").count_params()  # the same number
    """,
)


def _check_dense_without_pooling(answer, namespace):
    kernel, _, filters, units = _layer_shapes()
    count = whole_number(answer, "`dense_without_pooling`")
    trim = kernel - 1  # a 'valid' convolution loses kernel - 1 rows and columns

    def weights(side):
        return side * side * filters * units

    side = 28 - 2 * trim
    expected = weights(side)
    if count == expected:
        return (f"{side} × {side} × {filters} = {side * side * filters:,} inputs × {units} units "
                f"= {expected:,} weights, "
                f"{expected // _network().get_layer('dense').count_params()} times as many as "
                f"with pooling.")
    after_conv1 = 28 - trim
    mistakes = {
        expected + units: "the dense layer has no bias (use_bias=False); count its weights only.",
        weights(28): f"without padding each {kernel}×{kernel} convolution trims {trim // 2} "
                     f"pixels on every side: 28 → {after_conv1} → {after_conv1 - trim}.",
        weights(after_conv1): f"conv2 trims the image too: {after_conv1} → "
                              f"{after_conv1 - trim}.",
        weights((after_conv1 // 2 - trim) // 2): "that is today's dense layer, with both "
                                                 "pooling layers; remove them both.",
        weights((after_conv1 - trim) // 2): "that still has pool2; remove both pooling layers.",
        weights(after_conv1 // 2 - trim): "that still has pool1; remove both pooling layers.",
    }
    if count in mistakes:
        raise Incorrect(mistakes[count])
    raise Incorrect(f"{count:,} is not it: follow the image size through both convolutions, "
                    f"then multiply its area by {filters} channels and {units} units.")


q2 = Exercise(
    "03.q2", "dense_without_pooling", "the dense layer without pooling",
    _check_dense_without_pooling,
    ["Without pooling, follow the image size: a 5×5 convolution without padding makes "
     "28×28 into 24×24. Then multiply the flattened size by the dense layer's units."],
    """
    side = 28 - 4 - 4  # each 5x5 convolution trims 4 rows and 4 columns
    dense_without_pooling = side * side * 64 * 256  # no bias in dense
    """,
)


SMALL_MODEL = {"conv1_filters": 8, "dense_units": 64}  # the smaller model of exercise 3


@functools.cache
def _parameter_changes() -> dict[str, int]:
    """How many parameters each layer loses in the smaller model."""
    from digitlib.training import model

    small = model.build_model(**SMALL_MODEL)
    return {layer.name: layer.count_params() - small.get_layer(layer.name).count_params()
            for layer in _network().layers}


def _check_changes_most(answer, namespace):
    name = getattr(answer, "name", answer)  # a layer object works as well as its name
    if not isinstance(name, str):
        raise Incorrect(f"give the layer's name (a string such as \"conv1\"), not a "
                        f"{type(answer).__name__}.")
    changes = _parameter_changes()
    if name not in changes:
        raise Incorrect(f"there is no layer called {name!r}; the names are "
                        f"{', '.join(changes)}.")
    most = max(changes, key=changes.get)
    if name == "conv1" and name != most:
        raise Incorrect(f"conv1's filters changed, but it only loses {changes[name]:,} "
                        f"parameters: a change ripples into the layers after it.")
    if name != most:
        raise Incorrect(f"{name} loses {changes[name]:,} parameters, but another layer loses "
                        f"more: compare count_params() of each layer in both models.")
    return (f"{name} loses {changes[name]:,} parameters: it had the most to lose, since it "
            f"connects every flattened feature to every unit.")


q3 = Exercise(
    "03.q3", "changes_most", "which layer shrinks the most", _check_changes_most,
    ["Build the smaller model and compare layer.count_params() of every layer with the "
     "same layer of `network`."],
    """
    small = model.build_model(conv1_filters=8, dense_units=64)
    lost = {layer.name: layer.count_params() - small.get_layer(layer.name).count_params()
            for layer in network.layers}
    changes_most = max(lost, key=lost.get)
    """,
)


EXERCISES = [q1, q2, q3]
