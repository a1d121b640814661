"""digitlib.teaching.plots: every notebook figure, drawn with matplotlib's Agg backend (no
display)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from digitlib.datasets import synthetic  # noqa: E402
from digitlib.teaching import plots
from digitlib.training import evaluate
from digitlib.training.evaluate import measure  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def scores_for(labels, predicted, sure=0.9):
    """``evaluate.Scores`` for given readings, each read ``sure`` surely."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    probabilities = np.full((len(labels), 10), (1 - sure) / 9, np.float32)
    probabilities[np.arange(len(labels)), predicted] = sure
    confusion = evaluate.confusion_matrix(labels, predicted)
    return evaluate.Scores(float((labels == predicted).mean()), [], confusion, predicted,
                           probabilities)


@pytest.fixture(scope="module")
def written():
    return synthetic.write(digits=(1, 7, 9), per_digit=2, seed=2)[:2]


class Reads:
    """A stand-in model that reads what it is told."""

    def __init__(self, predicted):
        self.predicted = np.asarray(predicted)

    def predict(self, images, batch_size=None, verbose=0):
        return np.eye(10, dtype=np.float32)[self.predicted] * 0.91 + 0.001


def image_axes(figure):
    return [axis for axis in figure.axes if axis.get_images()]


def test_confusion_figure_shows_every_count_of_the_digits_present():
    labels = [1, 1, 7, 7, 7, 2]
    scores = scores_for(labels, [1, 7, 7, 7, 1, 3])
    figure = plots.confusion_figure(scores.confusion, "mine")
    matrix, colorbar = figure.axes
    assert matrix.get_title() == "mine" and colorbar.get_ylabel() == "images"
    assert [label.get_text() for label in matrix.get_yticklabels()] == ["1", "2", "7"]
    assert matrix.get_images()[0].get_array().shape == (3, 10)  # rows: the digits present
    counts = sorted(int(text.get_text()) for text in matrix.texts)
    assert counts == [1, 1, 1, 1, 2]  # every non-zero count, nothing else


def test_confusion_figure_on_a_log_scale_for_mnist_sized_counts():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 5000)
    predicted = np.where(rng.random(5000) < 0.99, labels, (labels + 1) % 10)
    figure = plots.confusion_figure(evaluate.confusion_matrix(labels, predicted),
                                    log_scale=True)
    matrix, colorbar = figure.axes
    assert matrix.get_images()[0].get_array().shape == (10, 10)
    assert "log" in colorbar.get_ylabel()
    diagonal = [text for text in matrix.texts if text.get_position()[0] == text.get_position()[1]]
    assert len(diagonal) == 10 and {text.get_color() for text in diagonal} == {"white"}


def test_accuracy_figure_has_a_bar_per_digit_present_and_the_overall_line():
    scores = scores_for([1, 1, 7, 7, 2], [1, 7, 7, 7, 3])
    figure = plots.accuracy_figure(scores.confusion)
    (axis,) = figure.axes
    heights = [bar.get_height() for bar in axis.patches]
    assert heights == pytest.approx([50.0, 0.0, 100.0])  # digits 1, 2 and 7
    assert [label.get_text() for label in axis.get_xticklabels()] == ["1", "2", "7"]
    assert axis.lines[0].get_ydata()[0] == pytest.approx(60.0)  # overall: 3 of 5
    assert "60.00 %" in axis.get_title()
    zoomed = plots.accuracy_figure(scores_for([0] * 99 + [1], [0] * 99 + [1]).confusion,
                                   "t", zoom=True)
    assert zoomed.axes[0].get_ylim()[0] == pytest.approx(99.0)


def test_misread_figure_titles_each_mistake(written):
    images, labels = written
    result = measure(Reads([1, 7, 7, 7, 9, 4]), images, labels)  # labels 1 1 7 7 9 9
    figure = plots.misread_figure(images, labels, result, columns=4)
    titles = [axis.get_title() for axis in figure.axes if axis.get_title()]
    assert sorted(titles) == ["1 → 7 (91%)", "9 → 4 (91%)"]
    assert len(figure.axes) == 4 and len(image_axes(figure)) == 2


def test_misread_figure_for_evaluate_scores_needs_the_indices():
    images = np.zeros((5, 28, 28), np.uint8)
    labels = np.array([3, 3, 5, 8, 8])
    scores = scores_for(labels, [3, 5, 5, 3, 8])
    with pytest.raises(TypeError, match="indices"):
        plots.misread_figure(images, labels, scores)
    mistakes = evaluate.most_confident_mistakes(scores, labels)
    figure = plots.misread_figure(images, labels, scores, mistakes, columns=6, title="worst")
    assert len(figure.axes) == 6 and len(image_axes(figure)) == 2
    assert figure._suptitle.get_text() == "worst"
    none = plots.misread_figure(images, labels, scores, indices=[], columns=3)
    assert [axis.get_title() for axis in none.axes][0] == "no mistakes"
    with pytest.raises(ValueError, match="columns"):
        plots.misread_figure(images, labels, scores, mistakes, columns=0)


def test_examples_figure_has_a_row_per_digit(written):
    images, labels = written
    figure = plots.examples_figure(images, labels, per_digit=3, title="hand")
    assert len(figure.axes) == 9 and len(image_axes(figure)) == 6  # 3 rows of 3, 2 drawn each
    assert [axis.get_ylabel() for axis in figure.axes[::3]] == ["1", "7", "9"]
    with pytest.raises(ValueError, match="as many images as labels"):
        plots.examples_figure(images, labels[:2])


def test_reading_figure(written):
    from digitlib.reading.predict import Prediction

    probabilities = np.full(10, 0.01, np.float32)
    probabilities[7] = 0.91
    reading = Prediction(digit=7, confidence=0.91, probabilities=probabilities,
                         top3=[(7, 0.91)], unsure=False, image28=written[0][2])
    drawing = synthetic.draw_digits([7], [(40, 40, 100, 200)])
    drawn, seen, bars = plots.reading_figure(reading, drawing).axes
    assert drawn.get_title() == "drawn, 280×280" and seen.get_images()
    assert len(bars.patches) == 10 and bars.patches[7].get_height() == pytest.approx(0.91)
    assert bars.patches[7].get_facecolor() != bars.patches[0].get_facecolor()
    assert "read as 7, 91.0% sure" == bars.get_title()
    assert len(plots.reading_figure(reading).axes) == 2  # without the drawing


def test_bad_confusion_matrices_are_refused():
    with pytest.raises(ValueError, match="10x10"):
        plots.confusion_figure(np.ones((3, 3), np.int64))
    with pytest.raises(ValueError, match="10x10"):
        plots.accuracy_figure(np.ones((10, 10)))  # floats are not counts
    with pytest.raises(ValueError, match="empty"):
        plots.confusion_figure(np.zeros((10, 10), np.int64))


def test_cuts_figure_marks_the_chosen_cuts():
    from digitlib.reading import images, segment, touching

    picture = synthetic.draw_digits([0, 0], [(20, 20, 60, 100), (75, 20, 60, 100)], (160, 140))
    ink = images.to_ink(picture)
    ink[60:64, 70:90] = 1.0  # a bridge: the two 0s touch
    (found,) = segment.find_digits(ink)

    def classify(batch):  # a stand-in model: everything is a sure 0
        probabilities = np.full((len(batch), 10), 0.001)
        probabilities[:, 0] = 0.991
        return probabilities

    graph, chosen, probabilities = touching.search(found, classify)
    figure = plots.cuts_figure(graph, chosen, probabilities)
    axis = figure.axes[0]
    assert len(axis.lines) == len(graph.cuts)
    assert sum(line.get_linewidth() == 3 for line in axis.lines) == len(chosen) - 1
    # each chosen digit's reading (the stand-in's, blended with the companion's if there is one)
    assert [text.get_text() for text in axis.texts] == [
        f"{probabilities[k].argmax()} {probabilities[k].max():.0%}" for k in chosen]
    assert all(probabilities[k].argmax() == 0 for k in chosen)
