"""The committed model is real: it loads, and its card's claims hold on the real test set."""

import json

import keras
import pytest

from digitlib import config, files
from digitlib.datasets import mnist
from digitlib.reading import preprocess
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
