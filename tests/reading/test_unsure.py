"""Honest confidence on the pad (issue #30): non-digits come back unsure, with a reason, and
digits drawn cleanly stay sure. ``digitlib.datasets.nondigits`` draws the non-digits."""

import numpy as np
import pytest

from digitlib import config
from digitlib.datasets import nondigits
from digitlib.datasets.synthetic import draw_digits
from digitlib.reading import any_digit, predict, runtime, whole_digit
from digitlib.reading.predict import Predictor
from digitlib.reading.strokes import Drawing
from tests.conftest import require
from tests.helpers import tiny_model, touching_numbers

NO_DIGIT = "does not look like any digit"


@pytest.fixture(scope="module")
def rules():
    """The committed model read with the new rule and with today's (the new rule also needs the
    companion model and the no-digit model)."""
    require(config.DEFAULT_MODEL_PATH.exists(), "needs models/mnist_cnn.keras: run `make model`")
    require(whole_digit.MODEL_PATH.is_file(), "needs models/whole_digit.keras")
    require(any_digit.MODEL_PATH.is_file(), "needs models/any_digit.keras")
    new = Predictor.load("committed")
    return new, Predictor(new.model, unsure_rule="today")


def pad(*strokes, brush=16.0):
    drawing = Drawing(280, 280, brush=brush)
    for stroke in strokes:
        drawing.add_stroke(stroke)
    return drawing.to_image()


CHEVRONS = {"^": [(50, 230), (140, 50), (230, 230)], "v": [(50, 50), (140, 230), (230, 50)]}


@pytest.mark.parametrize("shape", sorted(CHEVRONS))
def test_a_chevron_comes_back_unsure_with_a_reason(rules, shape):
    new, today = rules
    picture = pad(CHEVRONS[shape])
    found = new.predict_digits(picture)
    assert found and all(d.unsure for d in found), [(d.digit, d.confidence) for d in found]
    assert all(NO_DIGIT in d.reason for d in found), [d.reason for d in found]
    # Today's rule called it sure digits (two sure 1s): the new rule is what changed it.
    assert not any(d.unsure for d in today.predict_digits(picture))
    # The digits read stay the same; only the flag and the reason change.
    assert [d.digit for d in found] == [d.digit for d in today.predict_digits(picture)]


def test_scribbles_come_back_unsure_with_a_reason(rules):
    new, today = rules
    rng = np.random.default_rng(7)
    scribbles = [nondigits.draw("scribble", rng, nondigits.REPORT) for _ in range(12)]
    read = [new.predict_digits(picture) for picture in scribbles]
    marked = [all(d.unsure and d.reason for d in found) for found in read]
    # "in most cases": 9 of these 12 when written
    assert sum(marked) >= 8, [[(d.digit, d.reason) for d in found] for found in read]
    before = [all(d.unsure for d in today.predict_digits(picture)) for picture in scribbles]
    assert sum(marked) > sum(before)
    assert any(NO_DIGIT in d.reason for found in read for d in found)


@pytest.mark.parametrize("brush", [6, 16, 30])
def test_cleanly_drawn_digits_stay_sure(rules, brush):
    new, _ = rules
    for digit in range(10):
        picture = draw_digits([digit], [(90, 40, 100, 200)], brush=brush)
        found = new.predict_digits(picture)
        assert [d.digit for d in found] == [digit]
        assert not found[0].unsure, (digit, found[0].reason)
        single = new.predict_digit(picture)
        assert not single.unsure and not single.reason, (digit, single.reason)


def test_a_row_of_drawn_digits_stays_sure(rules):
    new, _ = rules
    digits = [3, 1, 4, 1, 5, 9, 2, 6]
    places = [(20 + 70 * k, 30, 50, 90) for k in range(len(digits))]
    found = new.predict_digits(draw_digits(digits, places, (600, 150), brush=10))
    assert [d.digit for d in found] == digits
    assert not any(d.unsure for d in found), [d.reason for d in found]


def test_touching_numbers_read_the_same_digits_under_both_rules(rules):
    """The unsure flag never changes what is read: same digits, same boxes."""
    new, today = rules
    for canvas, _, _ in touching_numbers(20, 3, seed=11):
        ours, before = new.predict_digits(canvas), today.predict_digits(canvas)
        assert [(d.digit, d.box) for d in ours] == [(d.digit, d.box) for d in before]
        assert all(d.unsure for d, old in zip(ours, before, strict=True) if old.unsure)


def test_the_rule_is_chosen_by_an_argument():
    assert Predictor(tiny_model()).unsure_rule == "no-digit"
    assert Predictor(tiny_model(), unsure_rule="today").unsure_rule == "today"
    with pytest.raises(ValueError, match="unsure_rule must be one of"):
        Predictor(tiny_model(), unsure_rule="never")


def test_ink_length_tells_a_scribble_from_a_digit():
    from digitlib.reading import images, segment

    def length(picture):
        return predict.ink_length(segment.whole_drawing(images.to_ink(picture)))

    zigzag = pad([(30, 60), (60, 220), (90, 60), (120, 220), (150, 60), (180, 220), (210, 60),
                  (240, 220)], brush=10)
    assert length(zigzag) > predict.LONGEST_DIGIT
    for digit in (1, 7, 8):
        assert length(draw_digits([digit], [(90, 40, 100, 200)], brush=16)) < 3


def test_no_digit_judges_the_companion_and_the_digit_model_together():
    from digitlib.reading import segment

    ink = np.zeros((100, 120), np.float32)
    ink[10:90, 10:14] = ink[10:90, 106:110] = ink[86:90, 10:110] = 1.0  # a wide U: searched
    piece = segment.Segment(box=(10, 10, 110, 90), ink=ink)
    unsure = predict.Prediction(digit=4, confidence=0.9, probabilities=np.zeros(10), top3=[],
                                unsure=False, image28=np.zeros((28, 28), np.float32))
    sure = predict.Prediction(digit=4, confidence=0.999, probabilities=np.zeros(10), top3=[],
                              unsure=False, image28=np.zeros((28, 28), np.float32))
    assert predict.no_digit(piece, [unsure], [0.9]).startswith(NO_DIGIT)
    assert predict.no_digit(piece, [sure], [0.9]) == ""  # the digit model is sure
    assert predict.no_digit(piece, [unsure], [0.1]) == ""  # the companion thinks it whole
    assert predict.no_digit(piece, [unsure], [None]) == ""  # no companion model: no opinion
    # Read as several digits: doubted when any of them is not a whole digit.
    assert predict.no_digit(piece, [sure, sure], [0.2, 0.7]).startswith(NO_DIGIT)
    assert predict.no_digit(piece, [sure, sure], [0.2, 0.3]) == ""


def test_the_no_digit_model_doubts_what_it_is_all_but_sure_of(rules, monkeypatch, tmp_path):
    """A reading the other checks leave sure is marked when the no-digit model's P(no digit) is
    above ``NO_DIGIT_SURE``, whatever the digit model says; without that model nothing is."""
    new, today = rules
    picture = draw_digits([7], [(90, 40, 100, 200)], brush=16)
    [sure] = [(d.digit, d.unsure, d.reason) for d in today.predict_digits(picture)]
    assert not sure[1]

    def read():
        return [(d.digit, d.unsure, d.reason) for d in new.predict_digits(picture)]

    assert read() == [sure]
    above = predict.NO_DIGIT_SURE + 0.005
    for doubt, expected in ((0.98, sure), (above, (sure[0], True, predict.NO_DIGIT_MODEL))):
        monkeypatch.setattr(any_digit, "no_digit",
                            lambda images28, p=doubt: np.full(len(images28), p))
        assert read() == [expected]
    assert predict.NO_DIGIT_MODEL.startswith(NO_DIGIT)
    monkeypatch.undo()
    monkeypatch.setattr(any_digit, "MODEL", runtime.SmallModel(tmp_path / "none.keras"))
    assert read() == [sure]


def test_the_generator_draws_every_kind_the_same_way_twice():
    made = nondigits.generate(2, nondigits.TUNING)
    assert [kind for kind, _ in made] == [kind for kind in nondigits.KINDS for _ in range(2)]
    again = nondigits.generate(2, nondigits.TUNING)
    assert all(np.array_equal(np.asarray(a), np.asarray(b))
               for (_, a), (_, b) in zip(made, again, strict=True))
    other = nondigits.generate(2, nondigits.REPORT)
    assert not np.array_equal(np.asarray(made[0][1]), np.asarray(other[0][1]))
    for _, picture in made + other:
        ink = np.asarray(picture) < 128
        assert picture.size == (nondigits.PAD, nondigits.PAD) and ink.mean() > 0.002
    with pytest.raises(ValueError, match="kind must be one of"):
        nondigits.draw("circle", np.random.default_rng(0))
    with pytest.raises(ValueError, match="per_kind"):
        nondigits.generate(0)
