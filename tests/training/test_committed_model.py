"""The committed model is real: it loads, and its card's claims hold on the real test set."""

import json

import keras
import numpy as np
import pytest

from digitlib import config, files
from digitlib.datasets import mnist
from digitlib.reading import preprocess, runtime
from digitlib.training import evaluate
from tests.helpers import REQUIRED_CARD_FIELDS

CARD_PATH = config.DEFAULT_MODEL_PATH.with_suffix(".json")


@pytest.fixture(scope="module")
def card():
    return json.loads(CARD_PATH.read_text())


@pytest.fixture(scope="module")
def scores():
    network = keras.models.load_model(config.DEFAULT_MODEL_PATH)
    _, (x_test, y_test) = mnist.load_mnist()
    return evaluate.evaluate(network, preprocess.normalize(x_test), y_test)


def test_card_has_every_field(card):
    assert REQUIRED_CARD_FIELDS <= set(card)
    assert card["fast_mode"] is False
    assert card["data_sha256"] == mnist.EXPECTED_SHA256
    assert card["test_images"] == 10000
    assert len(card["per_class_accuracy"]) == 10


def test_card_describes_the_committed_file(card):
    assert files.sha256_of(config.DEFAULT_MODEL_PATH) == card["model_sha256"]


def test_committed_model_scores_at_least_99_5_percent(scores):
    assert scores.accuracy >= 0.995


def test_committed_model_matches_its_card(scores, card):
    assert scores.accuracy == pytest.approx(card["test_accuracy"], abs=0.0005)
    assert scores.per_class_accuracy == pytest.approx(card["per_class_accuracy"], abs=0.002)


def test_committed_model_slant_figures_match_its_card(card):
    # the card's slant line is re-measured the same way: re-stroked test digits, upright and
    # leaning, through today's to_mnist (which stands italics back up)
    from digitlib.datasets import transforms

    network = keras.models.load_model(config.DEFAULT_MODEL_PATH)
    _, (x_test, y_test) = mnist.load_mnist()
    slant = card["slant"]
    count = slant["digits"]
    assert tuple(slant["shears"]) == transforms.SLANTS
    upright, slanted = transforms.slant_sets(x_test[:count], seed=transforms.SLANT_SEED)
    straight, leaning = evaluate.slant_accuracy(network, upright, slanted, y_test[:count])
    assert straight == pytest.approx(slant["upright_accuracy"], abs=0.001)
    assert leaning == pytest.approx(slant["slanted_accuracy"], abs=0.001)
    assert straight - leaning < 0.01, "slanted digits within a point of upright ones"


# The ONNX copies that read digits without TensorFlow (issue #31) ------------------------------

COMMITTED = {"mnist_cnn": config.COMMITTED_MODEL_PATH,
             "whole_digit": config.COMMITTED_MODEL_PATH.with_name("whole_digit.keras"),
             "any_digit": config.COMMITTED_MODEL_PATH.with_name("any_digit.keras")}


@pytest.mark.parametrize("name", list(COMMITTED))
def test_the_copys_card_names_both_files(name):
    path = COMMITTED[name]
    card = json.loads(path.with_suffix(".json").read_text())
    copy = runtime.copy_path(path)
    assert card["model_sha256"] == files.sha256_of(path)
    assert card["onnx"]["file"] == copy.name
    assert card["onnx"]["sha256"] == files.sha256_of(copy)
    assert card["onnx"]["keras_sha256"] == card["model_sha256"]
    assert runtime.OnnxModel(copy).metadata[runtime.MADE_FROM] == card["model_sha256"]


@pytest.mark.parametrize("name", list(COMMITTED))
def test_the_copy_agrees_with_keras_on_every_test_digit(name):
    """Every probability within ``runtime.AGREEMENT`` (1e-4) and every argmax the same, as the
    card says; the companion's one exception is a tie (its two likeliest classes 2.5e-6 apart
    in Keras), which the card lists."""
    path = COMMITTED[name]
    card = json.loads(path.with_suffix(".json").read_text())["onnx"]["test_set"]
    _, (x_test, _) = mnist.load_mnist()
    images = preprocess.normalize(x_test)
    expected = keras.models.load_model(path, compile=False).predict(images, batch_size=1000,
                                                                    verbose=0)
    copy = runtime.OnnxModel(runtime.copy_path(path))
    got = np.concatenate([copy(images[start:start + 1000]) for start in range(0, 10000, 1000)])
    difference = float(np.abs(expected - got).max())
    assert difference <= runtime.AGREEMENT
    assert difference == pytest.approx(card["largest_difference"], rel=0.5)
    assert card["digits"] == len(images) == 10000
    other = np.flatnonzero(expected.argmax(axis=1) != got.argmax(axis=1))
    assert [entry["test_digit"] for entry in card["other_argmax"]] == other.tolist()
    assert card["same_argmax"] == (len(other) == 0)
    if name == "mnist_cnn":
        assert card["same_argmax"]
    top_two = np.sort(expected[other], axis=1)[:, -2:]
    assert (top_two[:, 1] - top_two[:, 0] <= runtime.AGREEMENT).all(), "only ties may differ"
