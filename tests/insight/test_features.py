"""digitlib.insight.features: feature maps and dense units of a digit, and their live view under a
pad."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from digitlib.datasets import mnist
from digitlib.insight import features
from digitlib.pads.widget import DrawingPad


@pytest.fixture(scope="module")
def seven():
    _, (x_test, _) = mnist.load_mnist()
    return x_test[0].astype(np.float32) / 255.0


def test_maps_of_both_blocks_and_the_dense_units(predictor, seven):
    model = predictor.model
    assert features.block_outputs(model) == ["relu1", "relu2"]
    first, second = features.feature_maps(model, seven)
    filters = [model.get_layer(name).filters for name in ("conv1", "conv2")]
    assert first.shape == (12, 12, filters[0]) and second.shape == (4, 4, filters[1])
    assert first.min() >= 0 and first.max() > 0  # after a ReLU
    units = features.strongest_units(model, seven, count=5)
    assert len(units.indices) == 5 and np.all(np.diff(units.activations) <= 0)
    (dense,) = features.layer_outputs(model, seven, [features.dense_output(model)])
    assert units.activations[0] == dense.max()
    assert set(units.votes_for) <= set(range(10))
    # Together the strongest units raise the answer's score.
    assert units.towards_answer.sum() > 0


def test_the_same_digit_in_0_255_gives_the_same_maps(predictor, seven):
    np.testing.assert_allclose(features.feature_maps(predictor.model, seven * 255)[1],
                               features.feature_maps(predictor.model, seven)[1], atol=1e-4)


def test_mosaic_tiles_the_channels(seven, predictor):
    first, _ = features.feature_maps(predictor.model, seven)
    picture = features.mosaic(first, columns=16)
    rows = -(-first.shape[-1] // 16)
    assert picture.shape == (rows * 13 - 1, 16 * 13 - 1)
    assert np.nanmax(picture) == pytest.approx(1.0)
    assert np.isnan(picture[12]).all()  # the gap between the first two rows of maps


def test_figures(predictor, seven):
    assert len(features.inside_figure(predictor.model, seven).axes) == 4
    first, _ = features.feature_maps(predictor.model, seven)
    assert len(features.maps_figure(first, "block 1").axes) == first.shape[-1]


def test_errors_are_in_words(predictor, seven):
    with pytest.raises(ValueError, match="28x28"):
        features.feature_maps(predictor.model, np.zeros((20, 20)))
    with pytest.raises(ValueError, match="no layer named"):
        features.feature_maps(predictor.model, seven, ["conv9"])
    with pytest.raises(ValueError, match="positive integer"):
        features.strongest_units(predictor.model, seven, count=0)
    with pytest.raises(ValueError, match="height, width, channels"):
        features.maps_figure(np.zeros((4, 4)), "flat")


def test_live_view_redraws_after_each_stroke(predictor, monkeypatch):
    shown = []
    monkeypatch.setattr(features, "inside_figure",
                        lambda model, image: shown.append(image) or Figure(figsize=(1, 1)))
    pad = DrawingPad(predictor, width=280, height=280)
    features.live_inside(pad)
    layer = pad.canvas._canvases[-1]  # the layer the browser sends pointer events to

    def event(name, x, y):
        layer._handle_frontend_event(None, {"event": name, "x": x, "y": y}, [])

    event("mouse_down", 140, 40)  # a 1, in one stroke
    event("mouse_move", 140, 150)
    assert shown == []  # not while drawing
    event("mouse_up", 140, 250)
    assert len(shown) == 1 and shown[0].shape == (28, 28)
    event("mouse_out", 0, 0)  # nothing new: no redraw
    assert len(shown) == 1
    event("mouse_down", 100, 60)
    event("mouse_up", 140, 40)
    assert len(shown) == 2
    pad.undo_button.click()
    assert len(shown) == 3
    pad.clear_button.click()
    assert len(shown) == 3  # a blank pad shows a hint instead
