"""The exercises of notebook 04_train: a recipe without augmentation, and training with it."""

import json

from digitlib import config
from digitlib.teaching.exercises.core import Exercise, Incorrect, recipe_differences

NOTEBOOK = 4
TITLE = "Train"

AUGMENTATION_FIELDS = ("rotation_degrees", "shift_fraction", "zoom_fraction")
# Without augmentation the model may lose up to this much validation accuracy against the
# committed (augmented) model and still count as trained properly (full mode).
NO_AUGMENTATION_MARGIN = 0.01
# In fast mode (1 epoch on 2,000 images) only a model that learnt something passes.
FAST_NO_AUGMENTATION_FLOOR = 0.80


def _check_no_augmentation(answer, namespace):
    from digitlib.training import train

    if not isinstance(answer, train.Recipe):
        raise Incorrect(f"give a train.Recipe (train.Recipe(rotation_degrees=0, ...)), not a "
                        f"{type(answer).__name__}.")
    still_on = [f"{name}={getattr(answer, name)}" for name in AUGMENTATION_FIELDS
                if getattr(answer, name) != 0]
    if still_on:
        raise Incorrect(f"augmentation is still on ({', '.join(still_on)}): set "
                        f"rotation_degrees, shift_fraction and zoom_fraction to 0.")
    others = recipe_differences(answer, train.Recipe, AUGMENTATION_FIELDS)
    if others:
        name, value, reference = others[0]
        raise Incorrect(f"only the augmentation should change, but {name} is {value} instead "
                        f"of {reference}: a fair comparison changes one thing at a time.")
    return "the same recipe, without rotations, shifts or zooms."


q1 = Exercise(
    "04.q1", "no_augmentation", "a recipe without augmentation", _check_no_augmentation,
    ["Start from train.Recipe.default() (it is small in fast mode) and change only the "
     "three augmentation settings, for example with dataclasses.replace."],
    """
    import dataclasses

    no_augmentation = dataclasses.replace(
        train.Recipe.default(), rotation_degrees=0, shift_fraction=0, zoom_fraction=0
    )
    """,
)


def _check_no_augmentation_run(answer, namespace):
    if isinstance(answer, tuple) and len(answer) == 3 and isinstance(answer[2], dict):
        network, history, info = answer
    elif isinstance(answer, dict) and "recipe" in answer:
        history, info = None, answer
    else:
        raise Incorrect("give what train.train returns: `no_augmentation_run = "
                        "train.train(no_augmentation)`, the tuple (network, history, info).")
    recipe = info.get("recipe", {})
    still_on = [f"{name}={recipe.get(name)}" for name in AUGMENTATION_FIELDS
                if recipe.get(name) != 0]
    if still_on:
        raise Incorrect(f"this run still used augmentation ({', '.join(still_on)}): train with "
                        f"the `no_augmentation` recipe of the exercise above.")
    accuracy = float(info["validation_accuracy"])
    if config.fast_mode():
        floor = FAST_NO_AUGMENTATION_FLOOR
        expectation = f"at least {floor:.0%} in fast mode"
    else:
        committed = json.loads(config.DEFAULT_MODEL_PATH.with_suffix(".json").read_text())
        augmented = committed["validation_accuracy"]
        floor = augmented - NO_AUGMENTATION_MARGIN
        expectation = f"within a point of the augmented model's {augmented:.2%}"
    if accuracy < floor:
        raise Incorrect(f"validation accuracy {accuracy:.2%} is lower than expected "
                        f"({expectation}): did it train for all of the recipe's epochs on all "
                        f"its images?")
    fit = (f", while it fits its training images at {history.history['accuracy'][-1]:.2%}"
           if history is not None and "accuracy" in getattr(history, "history", {}) else "")
    return f"without augmentation the model reaches {accuracy:.2%} on validation{fit}."


q2 = Exercise(
    "04.q2", "no_augmentation_run", "train without augmentation", _check_no_augmentation_run,
    ["Call train.train with your recipe from the exercise above and keep all three "
     "results; plot history.history like the curves above to compare."],
    """
    with notebook_output.live_output():
        no_augmentation_run = train.train(no_augmentation)
    network_plain, history_plain, info_plain = no_augmentation_run
    """,
)


EXERCISES = [q1, q2]
