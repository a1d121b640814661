"""The notebooks and their exercises, in order: one lesson module per notebook."""

from digitlib.teaching.exercises import (
    build_the_model,
    draw_and_predict,
    evaluate,
    fool_the_model,
    load_data,
    photos_of_paper,
    preprocess,
    train,
    your_handwriting,
)
from digitlib.teaching.exercises.core import Exercise

LESSONS = (load_data, preprocess, build_the_model, train, evaluate, draw_and_predict,
           your_handwriting, photos_of_paper, fool_the_model)

NOTEBOOK_TITLES = {lesson.NOTEBOOK: lesson.TITLE for lesson in LESSONS}
EXERCISES = [exercise for lesson in LESSONS for exercise in lesson.EXERCISES]
BY_KEY = {exercise.key: exercise for exercise in EXERCISES}


def notebook(number: int) -> list[Exercise]:
    """The exercises of notebook ``number`` (``NOTEBOOK_TITLES``), in order:
    ``q1, q2 = notebook(2)``."""
    if number not in NOTEBOOK_TITLES:
        raise ValueError(f"notebook must be one of {sorted(NOTEBOOK_TITLES)}, got {number!r}")
    return [exercise for exercise in EXERCISES if exercise.key.startswith(f"{number:02d}.")]
