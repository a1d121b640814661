"""Exercises that check themselves: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

Each notebook ends with a few exercises. Load them, write your answer, then check it:

    from digitlib.teaching import exercises
    q1, q2 = exercises.notebook(2)

    my_normalize = ...      # your answer
    q2.check()              # one sentence: correct, or what is wrong

    q2.hint()               # a nudge
    q2.solution()           # the code of one solution

How a check finds your answer: every exercise names the variable that holds it (``q2.variable``
is ``"my_normalize"``), and ``check()`` reads that name from the namespace it is called from,
the notebook's own variables. That is the learntools habit (``q1.check()`` with nothing to
pass), but without its ``binder.bind(globals())`` set-up cell, which learners forget to run; and
it can tell "not defined yet" (you skipped the answer cell) from "not answered yet" (the cell
still holds ``...`` or ``None``), which an explicit argument cannot: Python would raise a
``NameError`` before the check even started. ``check(value)`` checks a value passed explicitly
instead: scripts and the tests use that.

Checks test the property that matters (the counts are MNIST's, the values are pixel / 255 in
float32 with a channel axis, the model is read as a 7), so any correct answer passes, and they
recognise the usual mistakes and name them. Long experiments use fast-mode sizes when
``DIGITS_FAST=1`` (``digitlib.config.fast_mode``).

Every exercise passed is written down in ``data/exercises_completed.json``; ``progress()`` and
``python -m digitlib progress`` list them, so a teacher can ask a class to show how far they got.

Where things are: ``core`` (``Exercise`` and what a check shows), one module per notebook
(``load_data`` for 01_load_data.ipynb, ... ``fool_the_model`` for 09), each holding its checks
with their hints and solutions, ``catalogue`` (the notebooks in order) and ``progress``.
"""

from digitlib.teaching.exercises.catalogue import BY_KEY, EXERCISES, NOTEBOOK_TITLES, notebook
from digitlib.teaching.exercises.core import Code, Exercise, Feedback, Incorrect, NotAnswered, Text
from digitlib.teaching.exercises.progress import (
    PROGRESS_FILE,
    completed,
    progress,
    progress_path,
    record_completed,
)

__all__ = [
    "BY_KEY", "EXERCISES", "NOTEBOOK_TITLES", "PROGRESS_FILE", "Code", "Exercise", "Feedback",
    "Incorrect", "NotAnswered", "Text", "completed", "notebook", "progress", "progress_path",
    "record_completed",
]

for _exercise in EXERCISES:  # a check that passes is written down
    _exercise.on_pass = record_completed
del _exercise
