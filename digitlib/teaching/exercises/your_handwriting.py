"""The exercises of notebook 07_your_handwriting: fine-tune without replay, accuracy per digit."""

import warnings

import numpy as np

from digitlib import config
from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    answer_array,
    call_answer,
    recipe_differences,
    with_article,
)

NOTEBOOK = 7
TITLE = "Your handwriting"


def _check_no_replay(answer, namespace):
    from digitlib.training import finetune, train

    if isinstance(answer, train.Recipe):
        raise Incorrect("that is train.Recipe, for training from scratch; fine-tuning has its "
                        "own recipe, finetune.FinetuneRecipe.")
    if not isinstance(answer, finetune.FinetuneRecipe):
        raise Incorrect(f"give a finetune.FinetuneRecipe, not "
                        f"{with_article(type(answer).__name__)}.")
    if answer.replay_images != 0:
        raise Incorrect(f"replay_images is still {answer.replay_images}: set it to 0 to "
                        f"fine-tune on your digits alone.")
    others = recipe_differences(answer, finetune.FinetuneRecipe, ("replay_images",))
    if others:
        name, value, reference = others[0]
        raise Incorrect(f"only the replay should change, but {name} is {value} instead of "
                        f"{reference}: change one thing at a time.")
    return "no MNIST replay, everything else as usual."


q1 = Exercise(
    "07.q1", "no_replay", "fine-tune without replay", _check_no_replay,
    ["Start from FinetuneRecipe.default() and change replay_images only "
     "(dataclasses.replace)."],
    """
    import dataclasses

    from digitlib.training.finetune import FinetuneRecipe

    no_replay = dataclasses.replace(FinetuneRecipe.default(), replay_images=0)
    """,
)


def _per_digit_case():
    """Labels with no 7 at all, and readings with a few mistakes."""
    rng = np.random.default_rng(config.SEED)
    labels = np.repeat([0, 1, 2, 3, 4, 5, 6, 8, 9], 6)
    predicted = labels.copy()
    wrong = rng.choice(len(labels), 12, replace=False)
    predicted[wrong] = rng.integers(0, 10, 12)
    return labels, predicted


def _check_accuracy_per_digit(answer, namespace):
    labels, predicted = _per_digit_case()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 / 0 for the missing digit
        result = answer_array(call_answer(answer, "accuracy_per_digit", labels.copy(),
                                          predicted.copy()),
                              "what your function returns").astype(np.float64)
    if result.ndim == 0:
        raise Incorrect("that is one number, the overall accuracy: give one accuracy per digit "
                        "(10 values).")
    if result.shape != (10,):
        raise Incorrect(f"wrong shape {result.shape}: give 10 values, one per digit 0 to 9.")
    expected = np.array([np.mean(predicted[labels == d] == d) if np.any(labels == d) else np.nan
                         for d in range(10)])
    present = ~np.isnan(expected)
    if np.allclose(result[present], 100 * expected[present]):
        raise Incorrect("these look like percentages: give fractions from 0 to 1.")
    by_reading = np.array([np.mean(labels[predicted == d] == d) if np.any(predicted == d)
                           else np.nan for d in range(10)])
    if np.allclose(result[present], by_reading[present], equal_nan=True) and not np.allclose(
            result[present], expected[present]):
        raise Incorrect("you divided by how often each digit was *read*; divide by how often it "
                        "was *written* (labels == digit).")
    if not np.allclose(result[present], expected[present]):
        digit = int(np.flatnonzero(present & ~np.isclose(result, expected))[0])
        raise Incorrect(f"digit {digit}: {expected[digit]:.3f} of its examples are read "
                        f"right, your function says {result[digit]:.3f}.")
    if not np.isnan(result[7]):
        raise Incorrect(f"digit 7 has no examples here, so it has no accuracy: give NaN "
                        f"(np.nan), not {result[7]:g}; a 0 would blame the model for a digit "
                        f"you never wrote.")
    return "one accuracy per written digit, and NaN for a digit with no examples."


q2 = Exercise(
    "07.q2", "accuracy_per_digit", "accuracy per digit, honestly", _check_accuracy_per_digit,
    ["For each digit d, look only at the examples labelled d (labels == d) and count how "
     "many are read as d.",
     "A digit without examples has no accuracy: give np.nan for it."],
    """
    def accuracy_per_digit(labels, predicted):
        return [float(np.mean(predicted[labels == digit] == digit))
                if np.any(labels == digit) else np.nan
                for digit in range(10)]
    """,
)


EXERCISES = [q1, q2]
