"""The exercises of notebook 09_fool_the_model: the smallest turn that changes the answer, FGSM by
hand, a confident mistake.
"""

import functools

import numpy as np

from digitlib.teaching.exercises.core import (
    Exercise,
    Incorrect,
    active_predictor,
    answer_array,
    call_answer,
    mnist_arrays,
    whole_number,
)

NOTEBOOK = 9
TITLE = "Fool the model"

FOOLED_DIGIT = 0  # the test image the notebook plays with: a 7


def fooled_digit() -> np.ndarray:
    """Test image ``FOOLED_DIGIT`` in [0, 1], as the notebook's ``digit``."""
    _, (x_test, _) = mnist_arrays()
    return x_test[FOOLED_DIGIT].astype(np.float32) / 255


def probabilities_of(image) -> np.ndarray:
    """The active model's ten probabilities for one 28x28 image."""
    return active_predictor().classify(np.asarray(image, np.float32)[np.newaxis])[0]


@functools.cache
def smallest_turn() -> int:
    """The smallest whole turn, in degrees, after which the model reads the 7 otherwise."""
    from digitlib.insight import robustness

    original = int(probabilities_of(fooled_digit()).argmax())
    return next(degrees for degrees in range(181) if int(probabilities_of(
        robustness.transform(fooled_digit(), degrees=degrees)).argmax()) != original)


def _check_smallest_turn(answer, namespace):
    from digitlib.insight import robustness

    turn = whole_number(answer, "`smallest_turn`")
    smallest = smallest_turn()
    if turn < 0:
        raise Incorrect("anticlockwise turns are positive degrees in robustness.transform: look "
                        "for the smallest positive angle.")
    if abs(turn - smallest) <= 1:
        turned = robustness.transform(fooled_digit(), degrees=smallest)
        read = int(probabilities_of(turned).argmax())
        return (f"from {smallest}° on, the 7 is read as a {read}: training only turned digits "
                f"by up to 8°.")
    if turn < smallest:
        raise Incorrect(f"turned by {turn}° the model still reads a 7: try larger angles.")
    raise Incorrect(f"the answer already changes at a smaller turn than {turn}°: try every "
                    f"whole degree from 0 up and stop at the first change.")


q1 = Exercise(
    "09.q1", "smallest_turn", "the smallest turn that changes the answer",
    _check_smallest_turn,
    ["Try every whole degree from 0 up: robustness.transform(digit, degrees=d) turns the "
     "digit, predictor.classify(image[np.newaxis]).argmax() reads it; stop at the first "
     "answer that is not 7."],
    """
    smallest_turn = next(
        degrees for degrees in range(181)
        if predictor.classify(robustness.transform(digit, degrees=degrees)[np.newaxis])
        .argmax() != 7)
    """,
)


def _check_my_fgsm(answer, namespace):
    from digitlib.insight import robustness

    _, (x_test, _) = mnist_arrays()
    predictor = active_predictor()
    epsilon = 0.1
    images = x_test[:3].astype(np.float32) / 255
    for image in images:
        result = answer_array(call_answer(answer, "my_fgsm", image.copy(), epsilon),
                              "what `my_fgsm` returns")
        if result.shape != image.shape:
            raise Incorrect(f"wrong shape {result.shape}: return one 28x28 image, like the one "
                            f"given.")
        label = predictor.classify(image[np.newaxis]).argmax(axis=1)
        sign = np.sign(robustness.loss_gradients(predictor.model, image[np.newaxis], label)[0])
        if np.allclose(result, np.clip(image + epsilon * sign, 0, 1), atol=1e-5):
            continue
        if result.min() < 0 or result.max() > 1:
            raise Incorrect("some pixels leave [0, 1]: clip the result with np.clip(..., 0, 1).")
        if np.allclose(result, np.clip(image - epsilon * sign, 0, 1), atol=1e-5):
            raise Incorrect("you stepped *down* the loss, which makes the answer surer: add "
                            "epsilon times the sign of the gradient.")
        if np.abs(result - image).max() > epsilon + 1e-5:
            raise Incorrect(f"some pixels moved more than epsilon = {epsilon}: every pixel "
                            f"moves by epsilon times the *sign* of its gradient.")
        raise Incorrect("the pixels moved, but not as FGSM moves them: epsilon times "
                        "np.sign of the loss gradient of the model's own answer.")
    return "your FGSM moves every pixel exactly as robustness.fgsm does."


q2 = Exercise(
    "09.q2", "my_fgsm", "FGSM by hand", _check_my_fgsm,
    ["robustness.loss_gradients(predictor.model, batch, labels) gives the gradient of the "
     "loss for a batch (N, 28, 28) and the labels to attack (the model's own answers).",
     "FGSM: image + epsilon * np.sign(gradient), then np.clip to [0, 1]."],
    """
    def my_fgsm(image, epsilon):
        answer = predictor.classify(image[np.newaxis]).argmax(axis=1)
        gradient = robustness.loss_gradients(predictor.model, image[np.newaxis], answer)[0]
        return np.clip(image + epsilon * np.sign(gradient), 0, 1)
    """,
)


def _check_confident_mistake(answer, namespace):
    from digitlib.insight import robustness

    if not isinstance(answer, dict):
        raise Incorrect(f"give a dict of transform arguments such as {{\"degrees\": 30}}, not a "
                        f"{type(answer).__name__}.")
    unknown = sorted(set(answer) - set(robustness.TRANSFORMS))
    if unknown:
        raise Incorrect(f"robustness.transform has no argument {', '.join(map(str, unknown))}: "
                        f"use {', '.join(robustness.TRANSFORMS)}.")
    try:
        image = robustness.transform(fooled_digit(), **answer)
    except (TypeError, ValueError) as error:
        raise Incorrect(f"robustness.transform refused it: {error}") from None
    probabilities = probabilities_of(image)
    read, sure = int(probabilities.argmax()), float(probabilities.max())
    if read == 7:
        raise Incorrect(f"the model still reads a 7 ({sure:.0%}): change the digit more.")
    if sure < active_predictor().unsure_below:
        raise Incorrect(f"read as a {read}, but only {sure:.0%} sure, so the pad would mark it "
                        f"unsure: find a change it is sure about.")
    return (f"read as a {read}, {sure:.0%} sure: wrong, and above the unsure line, so nothing "
            f"would warn you.")


q3 = Exercise(
    "09.q3", "confident_mistake", "a confident mistake", _check_confident_mistake,
    ["Large turns (try negative angles too) or much thinner strokes change the 7 into "
     "something else; print the probabilities to see how sure the model is."],
    """
    confident_mistake = {"degrees": -90}
    robustness.reading_figure(robustness.transform(digit, **confident_mistake), predictor)
    """,
)


EXERCISES = [q1, q2, q3]
