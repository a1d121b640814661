"""The self-checking exercises: every solution passes, typical mistakes get their own sentence.

Solutions are the code that ``qN.solution()`` shows, run in a namespace holding what the
notebook defines by then; mistakes are what learners really write.
"""

import dataclasses
import json
import math
import types

import keras
import matplotlib
import numpy as np
import pytest
from PIL import Image

from digitlib import __main__ as cli
from digitlib import config
from digitlib.datasets import mnist, synthetic_photos
from digitlib.insight import robustness
from digitlib.reading import paper, preprocess
from digitlib.reading.predict import Predictor
from digitlib.reading.strokes import Drawing
from digitlib.teaching import exercises
from digitlib.teaching.exercises import core, fool_the_model, photos_of_paper
from digitlib.teaching.exercises import train as train_exercises
from digitlib.training import evaluate, finetune, model, train

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def progress_in_a_temporary_folder(tmp_path, monkeypatch):
    """Passing checks write progress: keep it out of the learner's data/."""
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def mnist_arrays():
    return mnist.load_mnist()


def stroke(drawing, *points):
    """Pen down at the first point, move through the others, pen up (as in notebook 06)."""
    drawing.start(*points[0])
    for x, y in points[1:]:
        drawing.extend(x, y)
    drawing.end()


def draw(strokes, size=280, brush=16):
    drawing = Drawing(size, size, brush=brush)
    for points in strokes:
        stroke(drawing, *points)
    return drawing


@pytest.fixture(scope="module")
def notebook_names(mnist_arrays):
    """What the notebooks define before their exercises (the parts the solutions use)."""
    import matplotlib.pyplot as plt

    from digitlib.teaching import notebook_output

    (x_train, y_train), (x_test, y_test) = mnist_arrays
    network = keras.saving.load_model(config.DEFAULT_MODEL_PATH)
    scores = evaluate.evaluate(network, preprocess.normalize(x_test), y_test)
    return {
        "np": np, "plt": plt, "mnist": mnist, "model": model, "train": train,
        "notebook_output": notebook_output, "Drawing": Drawing,
        "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
        "network": model.build_model(), "scores": scores, "predictor": Predictor.load(),
        "seven": draw([[(86, 50), (194, 50), (131, 230)]]),
        "stroke": stroke, "robustness": robustness,
        "digit": x_test[fool_the_model.FOOLED_DIGIT].astype(np.float32) / 255,
        "paper": paper, "synthetic_photos": synthetic_photos, "photo": ruled_photo(mnist_arrays),
    }


def ruled_photo(mnist_arrays):
    """A photo of ruled paper, as notebook 08 makes them."""
    _, (x_test, y_test) = mnist_arrays
    rng = np.random.default_rng(9)
    chosen = rng.choice(len(x_test), 4, replace=False)
    return synthetic_photos.photo_of(x_test[chosen], y_test[chosen], rng, ruling="ruled")


def run_solution(exercise, names):
    namespace = dict(names)
    exec(exercise.solution().code, namespace)  # noqa: S102 - our own solution code
    return namespace


@pytest.mark.parametrize("exercise", [e for e in exercises.EXERCISES if e.key != "04.q2"],
                         ids=lambda exercise: exercise.key)
def test_every_solution_passes_its_check(exercise, notebook_names):
    namespace = run_solution(exercise, notebook_names)
    feedback = exercise.check(namespace=namespace)
    assert feedback.passed, feedback.message
    assert str(feedback).startswith("Correct: ")
    assert ". " not in feedback.message, "one sentence"
    assert exercise.key in exercises.completed()


def test_training_without_augmentation_passes_in_fast_mode(notebook_names, monkeypatch):
    """The one long experiment: run for real, at fast-mode size (seconds)."""
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    q1, q2 = exercises.notebook(4)
    namespace = run_solution(q1, notebook_names)
    namespace = run_solution(q2, namespace)
    feedback = q2.check(namespace=namespace)
    assert feedback.passed, feedback.message
    network, history, info = namespace["no_augmentation_run"]

    augmented = dict(info, recipe=dict(info["recipe"], rotation_degrees=8.0))
    assert "still used augmentation" in q2.check((network, history, augmented)).message
    undertrained = dict(info, validation_accuracy=0.4)
    assert "lower than expected" in q2.check((network, history, undertrained)).message
    assert "give what train.train returns" in q2.check(network).message


def faint(images):
    images = images.copy()
    images[1] //= 2
    return images


def least_sure_mistakes():
    def most_sure(probabilities, labels, count=12):
        correct = np.flatnonzero(probabilities.argmax(axis=1) == labels)
        return correct[np.argsort(probabilities[correct].max(axis=1))][-count:]

    def any_readings(probabilities, labels, count=12):
        return np.argsort(probabilities.max(axis=1))[:count]

    def probabilities_returned(probabilities, labels, count=12):
        return np.sort(probabilities.max(axis=1))[:count]

    def most_sure_first(probabilities, labels, count=12):
        correct = np.flatnonzero(probabilities.argmax(axis=1) == labels)
        return correct[np.argsort(probabilities[correct].max(axis=1))][:count][::-1]

    def no_return(probabilities, labels, count=12):
        np.argsort(probabilities.max(axis=1))

    return [
        (most_sure, "*most* sure"),
        (any_readings, "keep only the correctly read"),
        (probabilities_returned, "not their probabilities"),
        (most_sure_first, "wrong order"),
        (no_return, "forget the `return`"),
        (42, "should be a function"),
    ]


def per_digit_mistakes():
    def zero_for_missing(labels, predicted):
        return [float(np.mean(predicted[labels == d] == d)) if np.any(labels == d) else 0.0
                for d in range(10)]

    def overall(labels, predicted):
        return float(np.mean(labels == predicted))

    def by_reading(labels, predicted):
        return [float(np.mean(labels[predicted == d] == d)) if np.any(predicted == d)
                else math.nan for d in range(10)]

    def percentages(labels, predicted):
        return [100 * float(np.mean(predicted[labels == d] == d)) if np.any(labels == d)
                else math.nan for d in range(10)]

    def divides_by_zero(labels, predicted):
        return [int(np.sum(predicted[labels == d] == d)) / int(np.sum(labels == d))
                for d in range(10)]

    return [
        (zero_for_missing, "give NaN"),
        (overall, "one number, the overall accuracy"),
        (by_reading, "how often each digit was *read*"),
        (percentages, "percentages"),
        (divides_by_zero, "raised ZeroDivisionError"),
    ]


# (exercise, a wrong answer made from the notebook's names, words the message must hold)
MISTAKES = [
    ("01.q1", lambda n: int(np.argmin(n["x_train"].sum(axis=(1, 2)))), "*least* ink"),
    ("01.q1", lambda n: n["x_train"][int(np.argmax(n["x_train"].sum(axis=(1, 2))))],
     "that is an image"),
    ("01.q1", lambda n: 60_000, "not an index"),
    ("01.q2", lambda n: n["x_train"][:20], "several digits"),
    ("01.q2", lambda n: n["y_train"][n["y_train"] == 4][:20], "look like labels"),
    ("01.q2", lambda n: n["x_test"][n["y_test"] == 4][:20], "not a training image"),
    ("01.q2", lambda n: n["x_train"][n["y_train"] == 4][:12], "wrong shape"),
    ("01.q2", lambda n: n["x_train"][n["y_train"] == 4][:20] / 255, "wrong dtype"),
    ("01.q3", lambda n: n["x_train"].copy(), "not a single pixel"),
    ("01.q3", lambda n: n["x_train"][:100].copy(), "wrong shape"),
    ("01.q3", lambda n: n["x_train"] // 2, "pixels differ"),
    ("02.q1", lambda n: n["x_train"] / 255, "scaled to [0, 1]"),
    ("02.q1", lambda n: n["x_train"] - n["x_train"].mean(), "divide by"),
    ("02.q1", lambda n: (n["x_train"] - n["x_train"].mean(axis=(1, 2), keepdims=True))
     / n["x_train"].std(axis=(1, 2), keepdims=True), "each image with its own"),
    ("02.q1", lambda n: n["x_train"][:1000] / 255, "wrong shape"),
    ("02.q2", lambda n: lambda images: images.astype(np.float32)[..., np.newaxis],
     "factor of 255"),
    ("02.q2", lambda n: lambda images: images.astype(np.float32) / 255, "channel axis"),
    ("02.q2", lambda n: lambda images: (images / 255)[..., np.newaxis], "float64"),
    ("02.q2", lambda n: lambda images: (images // 255)[..., np.newaxis], "wrong dtype"),
    ("02.q2", lambda n: lambda images: (images / images.max(axis=(1, 2), keepdims=True))
     .astype(np.float32)[..., np.newaxis], "its own brightest pixel"),
    ("02.q2", lambda n: preprocess.normalize(n["x_train"][:8]), "should be a function"),
    ("03.q1", lambda n: 5 * 5 * 32 * 64 + 64, "bias"),
    ("03.q1", lambda n: 5 * 5 * 64, "32 channels"),
    ("03.q1", lambda n: "51200", "whole number"),
    ("03.q2", lambda n: 28 * 28 * 64 * 256, "trims"),
    ("03.q2", lambda n: 4 * 4 * 64 * 256, "both pooling layers"),
    ("03.q2", lambda n: 10 * 10 * 64 * 256, "still has pool2"),
    ("03.q2", lambda n: 20 * 20 * 64 * 256 + 256, "no bias"),
    ("03.q3", lambda n: "conv1", "ripples"),
    ("03.q3", lambda n: "conv2", "another layer loses more"),
    ("03.q3", lambda n: "dense_1", "no layer called"),
    ("04.q1", lambda n: train.Recipe(), "augmentation is still on"),
    ("04.q1", lambda n: train.Recipe(rotation_degrees=0, shift_fraction=0), "zoom_fraction=0.08"),
    ("04.q1", lambda n: train.Recipe(epochs=3, rotation_degrees=0, shift_fraction=0,
                                     zoom_fraction=0), "one thing at a time"),
    ("04.q1", lambda n: {"rotation_degrees": 0}, "give a train.Recipe"),
    ("05.q1", lambda n: n["scores"].confusion.T, "swapped"),
    ("05.q1", lambda n: evaluate.confusion_matrix(n["y_test"], n["y_test"]), "themselves"),
    ("05.q1", lambda n: n["scores"].confusion / 10_000, "fractions"),
    ("05.q1", lambda n: evaluate.confusion_matrix(n["y_test"][:5000],
                                                  n["scores"].predicted[:5000]), "10,000"),
    ("05.q1", lambda n: n["scores"].confusion[:9], "wrong shape"),
    ("05.q1", lambda n: n["scores"].confusion[:, [1, 0, 2, 3, 4, 5, 6, 7, 8, 9]], "cells differ"),
    *[("05.q2", lambda n, wrong=wrong: wrong, words)
      for wrong, words in least_sure_mistakes()],
    ("06.q1", lambda n: n["seven"], "separate stroke"),
    ("06.q1", lambda n: Drawing(), "empty"),
    ("06.q1", lambda n: draw([[(140, 40), (140, 240)], [(120, 60), (140, 40)]]), "not a 7"),
    ("06.q1", lambda n: n["seven"].to_image(), "strokes.Drawing"),
    ("06.q2", lambda n: n["seven"].to_image(), "still dark ink"),
    ("06.q2", lambda n: np.zeros((280, 280), np.uint8), "all background"),
    ("07.q1", lambda n: finetune.FinetuneRecipe(), "replay_images is still"),
    ("07.q1", lambda n: train.Recipe(), "own recipe"),
    ("07.q1", lambda n: finetune.FinetuneRecipe(replay_images=0, epochs=20), "one thing"),
    *[("07.q2", lambda n, wrong=wrong: wrong, words)
      for wrong, words in per_digit_mistakes()],
    ("08.q1", lambda n: lambda dark: dark, "shadow is still there"),
    ("08.q1", lambda n: lambda dark: np.clip(dark / np.median(dark), 0, 1),
     "shadow is still there"),
    ("08.q1", lambda n: lambda dark: paper.background(dark), "ink is gone"),
    ("08.q1", lambda n: lambda dark: dark - paper.background(dark), "instead of subtracting"),
    ("08.q1", lambda n: lambda dark: 255 * np.clip(dark / paper.background(dark), 0, 1),
     "keep the photo's scale"),
    ("08.q1", lambda n: lambda dark: dark[:10], "wrong shape"),
    ("08.q1", lambda n: lambda dark: None, "forget the `return`"),
    ("08.q2", lambda n: shares_read_right(n, 1), "counts"),
    ("08.q2", lambda n: shares_read_right(n, 100 / photos_of_paper.READ_PHOTOS["count"]),
     "percentages"),
    ("08.q2", lambda n: dict(zip(("photo", "drawing"), shares_read_right(n).values(),
                                 strict=True)), "swapped"),
    ("08.q2", lambda n: dict(shares_read_right(n), drawing=first_piece_share(n)),
     "joined, equal photo.label"),
    ("08.q2", lambda n: tuple(shares_read_right(n).values()), "give a dict"),
    ("08.q2", lambda n: {"pad": 0.1, "photo": 1.0}, "exactly the keys"),
    ("08.q3", lambda n: "lines", "*finds* the printed lines"),
    ("08.q3", lambda n: "threshold", "as dark as ink"),
    ("08.q3", lambda n: "flattened", "not lines"),
    ("08.q3", lambda n: "remove lines", "not a stage"),
    ("09.q1", lambda n: -30, "anticlockwise"),
    ("09.q1", lambda n: 20, "still reads a 7"),
    ("09.q1", lambda n: 120, "smaller turn"),
    ("09.q2", lambda n: n["digit"], "should be a function"),
    ("09.q2", lambda n: lambda image, epsilon: image + epsilon * gradient_sign(n, image),
     "leave [0, 1]"),
    ("09.q2", lambda n: lambda image, epsilon: np.clip(
        image - epsilon * gradient_sign(n, image), 0, 1), "stepped *down*"),
    ("09.q2", lambda n: lambda image, epsilon: np.clip(image + 3 * epsilon, 0, 1),
     "more than epsilon"),
    ("09.q3", lambda n: {"degrees": 10}, "still reads a 7"),
    ("09.q3", lambda n: unsure_change(), "unsure"),
    ("09.q3", lambda n: {"blur": 2}, "no argument blur"),
    ("09.q3", lambda n: [("degrees", 90)], "give a dict"),
]


def unsure_change():
    """A change of 09.q3's 7 that the model reads as another digit, but unsure of it (which
    change does that depends on the model, so it is looked for)."""
    for change in ([{"degrees": angle} for angle in range(-180, 181, 15)]
                   + [{"factor": factor} for factor in (0.3, 0.4, 0.5)]
                   + [{"shear": shear} for shear in (-1.5, 1.5)]):
        reading = fool_the_model.probabilities_of(
            robustness.transform(fool_the_model.fooled_digit(), **change))
        if reading.argmax() != 7 and reading.max() < core.active_predictor().unsure_below:
            return change
    raise AssertionError("no change in the list leaves the model unsure")


def read_photos(names, as_photo):
    """What each path reads on exercise 08.q2's photos: the digits joined, per photo."""
    photos = synthetic_photos.photo_set(**photos_of_paper.READ_PHOTOS)
    found = [names["predictor"].predict_digits(photo.image, photo=as_photo) for photo in photos]
    return photos, found


def shares_read_right(names, per_photo=None):
    """08.q2's answer, worked out here; ``per_photo`` counts each photo read right as that."""
    shares = {}
    for source, as_photo in (("drawing", False), ("photo", True)):
        photos, found = read_photos(names, as_photo)
        right = [("".join(str(reading.digit) for reading in readings) == photo.label)
                 for photo, readings in zip(photos, found, strict=True)]
        shares[source] = float(np.sum(right) * per_photo if per_photo else np.mean(right))
    return shares


def first_piece_share(names):
    """The mistake of counting a photo read right when its first piece is the first digit."""
    photos, found = read_photos(names, False)
    return float(np.mean([bool(readings) and str(readings[0].digit) == photo.label[0]
                          for photo, readings in zip(photos, found, strict=True)]))


def gradient_sign(names, image):
    """The sign of the loss gradient of the model's own answer: what FGSM steps along."""
    predictor = names["predictor"]
    answer = predictor.classify(image[np.newaxis]).argmax(axis=1)
    return np.sign(robustness.loss_gradients(predictor.model, image[np.newaxis], answer)[0])


@pytest.mark.parametrize(("key", "wrong", "words"), MISTAKES,
                         ids=[f"{key}-{words}" for key, _, words in MISTAKES])
def test_typical_mistakes_are_named(key, wrong, words, notebook_names):
    exercise = exercises.BY_KEY[key]
    feedback = exercise.check(wrong(notebook_names))
    assert not feedback.passed
    assert feedback.status == "incorrect"
    assert feedback.message.startswith("Not quite: ")
    assert words in feedback.message, feedback.message
    assert feedback.message.count(". ") == 0, "one sentence"
    assert exercises.completed() == {}


ODD_ANSWERS = ["hello", 3.5, -1, [1, 2], {"a": 1}, object(), np.zeros((2, 3)), True]


@pytest.mark.parametrize("exercise", exercises.EXERCISES, ids=lambda exercise: exercise.key)
def test_odd_answers_get_a_sentence_not_a_traceback(exercise):
    for odd in ODD_ANSWERS:
        feedback = exercise.check(odd, namespace={})
        assert feedback.status == "incorrect", (odd, feedback.message)
        assert feedback.message.startswith("Not quite: ")


def test_an_answer_no_check_foresaw_still_gets_a_sentence():
    class Strange:
        @property
        def name(self):
            raise RuntimeError("no name here")

    feedback = exercises.BY_KEY["03.q3"].check(Strange(), namespace={})
    assert feedback.status == "incorrect"
    assert "could not be checked (RuntimeError: no name here)" in feedback.message


def test_changing_x_train_itself_is_recognised(mnist_arrays):
    (x_train, _), _ = mnist_arrays
    mine = x_train.copy()
    changed = mine
    changed[0, 14, 14] += 1
    q3 = exercises.BY_KEY["01.q3"]
    feedback = q3.check(namespace={"x_train": mine, "changed": changed})
    assert "you changed `x_train` too" in feedback.message


def test_every_mistake_test_names_a_real_exercise_and_every_exercise_has_one():
    assert {key for key, _, _ in MISTAKES} | {"04.q2"} == set(exercises.BY_KEY)


def test_unanswered_and_undefined_answers():
    q1, q2 = exercises.notebook(2)
    for blank in (..., None):
        feedback = q1.check(blank)
        assert feedback.status == "unanswered"
        assert feedback.message.startswith("Not answered yet")

    def my_normalize(images):
        return ...  # the blank answer cell of a function exercise

    assert q2.check(my_normalize).status == "unanswered"
    feedback = q1.check(namespace={})
    assert feedback.status == "unanswered" and "Not defined yet" in feedback.message
    assert "`standardized`" in feedback.message


def test_check_reads_the_answer_from_the_callers_variables():
    q1 = exercises.notebook(3)[0]
    conv2_parameters = ...  # noqa: F841 - read by check() through the caller's globals
    assert q1.check().status == "unanswered"  # reads globals, not this function's locals
    globals()["conv2_parameters"] = 5 * 5 * 32 * 64
    try:
        assert q1.check().passed
    finally:
        del globals()["conv2_parameters"]


def test_hints_and_solutions_show_as_text():
    for exercise in exercises.EXERCISES:
        assert repr(exercise.hint()).startswith("Hint: ")
        solution = exercise.solution()
        assert exercise.variable in solution.code
        assert repr(solution).startswith("Solution:\n")
        assert "```python" in solution._repr_markdown_()
        compile(solution.code, exercise.key, "exec")
    with pytest.raises(ValueError, match="hint number"):
        exercises.EXERCISES[0].hint(9)


def test_every_notebook_has_at_least_two_exercises():
    for number in exercises.NOTEBOOK_TITLES:
        assert len(exercises.notebook(number)) >= 2
    with pytest.raises(ValueError, match="notebook must be one of"):
        exercises.notebook(10)


def line_of(text, start):
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def test_progress_round_trip(progress_in_a_temporary_folder):
    assert exercises.completed() == {}
    exercises.record_completed("02.q1")
    exercises.record_completed("05.q2")
    first = exercises.completed()
    exercises.record_completed("02.q1")  # again: the first time is kept
    assert exercises.completed() == first
    assert set(first) == {"02.q1", "05.q2"}
    path = progress_in_a_temporary_folder / exercises.PROGRESS_FILE
    assert json.loads(path.read_text())["completed"] == first
    assert [p.name for p in progress_in_a_temporary_folder.iterdir()] == [path.name]  # no temp
    shown = str(exercises.progress())
    assert f"2 of {len(exercises.EXERCISES)}" in shown
    assert line_of(shown, "02 Preprocess").endswith("q1 ✓  q2 ·")
    with pytest.raises(ValueError, match="no exercise"):
        exercises.record_completed("99.q1")


def test_a_damaged_progress_file_starts_again(progress_in_a_temporary_folder):
    path = progress_in_a_temporary_folder / exercises.PROGRESS_FILE
    path.write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable"):
        assert exercises.completed() == {}
    with pytest.warns(UserWarning):
        exercises.record_completed("01.q1")
    assert set(exercises.completed()) == {"01.q1"}


def test_cli_progress_prints_the_completed_exercises(capsys):
    exercises.record_completed("03.q2")
    assert cli.main(["progress"]) == 0
    printed = capsys.readouterr().out
    assert f"Exercises completed: 1 of {len(exercises.EXERCISES)}" in printed
    assert line_of(printed, "03 Build the model").endswith("q1 ·  q2 ✓  q3 ·")


def test_recipe_exercises_accept_the_full_and_the_fast_recipe(monkeypatch):
    q1 = exercises.BY_KEY["04.q1"]
    no_augmentation = {name: 0 for name in train_exercises.AUGMENTATION_FIELDS}
    assert q1.check(train.Recipe(**no_augmentation)).passed
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "1")
    assert q1.check(dataclasses.replace(train.Recipe.default(), **no_augmentation)).passed
    assert exercises.BY_KEY["07.q1"].check(
        dataclasses.replace(finetune.FinetuneRecipe.default(), replay_images=0)).passed


def test_different_correct_answers_pass(notebook_names, tmp_path):
    x_train, y_train = notebook_names["x_train"], notebook_names["y_train"]
    assert exercises.BY_KEY["01.q2"].check(x_train[y_train == 7][-20:]).passed
    assert exercises.BY_KEY["02.q1"].check(
        ((x_train - x_train.mean()) / x_train.std())[..., np.newaxis].astype(np.float32)).passed
    assert exercises.BY_KEY["02.q2"].check(
        lambda images: np.expand_dims(images / np.float32(255), -1)).passed
    network = notebook_names["network"]
    assert exercises.BY_KEY["03.q3"].check(network.get_layer("dense")).passed
    assert exercises.BY_KEY["09.q3"].check({"stroke": -3}).passed
    assert exercises.BY_KEY["08.q1"].check(
        lambda dark: np.clip(dark / paper.background(dark), 0, 1)).passed
    assert exercises.BY_KEY["08.q3"].check(paper.remove_lines).passed
    assert exercises.BY_KEY["09.q1"].check(float(fool_the_model.smallest_turn())).passed
    assert exercises.BY_KEY["06.q1"].check(
        draw([[(70, 60), (210, 60)], [(210, 60), (120, 230)], [(110, 145), (200, 145)]])).passed
    white = 255 - np.asarray(notebook_names["seven"].to_image())
    assert exercises.BY_KEY["06.q2"].check(white).passed
    assert exercises.BY_KEY["06.q2"].check(np.stack([white] * 3, axis=-1)).passed
    picture = tmp_path / "white.png"
    Image.fromarray(white).save(picture)
    assert exercises.BY_KEY["06.q2"].check(str(picture)).passed
    assert "cannot open" in exercises.BY_KEY["06.q2"].check(str(tmp_path / "none.png")).message
    confusion = types.SimpleNamespace(confusion=notebook_names["scores"].confusion)
    q1 = exercises.BY_KEY["05.q1"]
    assert q1.check(namespace={"my_confusion": confusion.confusion.tolist(),
                               "scores": confusion}).passed
    assert q1.check(confusion.confusion).passed  # no `scores`: the committed model's reading


def test_a_wrong_type_is_named_with_its_article():
    assert core.with_article("Image") == "an Image"
    assert core.with_article("list") == "a list"
