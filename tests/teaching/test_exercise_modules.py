"""How the exercises package is laid out: one short module per notebook, each check beside its
hint and solution (reads the source only, so it runs in a second)."""

import ast
import inspect
from pathlib import Path

import pytest

from digitlib.teaching import exercises
from digitlib.teaching.exercises import catalogue

PACKAGE = Path(exercises.__file__).parent
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MAX_MODULE_LINES = 400  # a module a maintainer reads in one sitting
ONE_SCREEN = 60  # lines from a check's `def` to the end of its Exercise(...), hint and solution
RIGHT_AFTER = 3  # the Exercise(...) starts within this many lines of the end of its check


def exercise_calls(lesson) -> dict[str, ast.Call]:
    """``{key: the Exercise(...) call}`` of a lesson module, read from its source."""
    tree = ast.parse(inspect.getsource(lesson))
    return {node.args[0].value: node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Exercise"}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"


@pytest.mark.parametrize("lesson", catalogue.LESSONS, ids=lambda lesson: lesson.__name__)
def test_each_lesson_is_named_for_its_notebook(lesson):
    name = lesson.__name__.rsplit(".", 1)[1]
    assert (NOTEBOOKS / f"{lesson.NOTEBOOK:02d}_{name}.ipynb").exists()
    assert exercises.NOTEBOOK_TITLES[lesson.NOTEBOOK] == lesson.TITLE
    assert exercises.notebook(lesson.NOTEBOOK) == lesson.EXERCISES
    assert all(exercise.key.startswith(f"{lesson.NOTEBOOK:02d}.")
               for exercise in lesson.EXERCISES)


@pytest.mark.parametrize("lesson", catalogue.LESSONS, ids=lambda lesson: lesson.__name__)
def test_each_check_sits_right_before_its_hint_and_solution(lesson):
    calls = exercise_calls(lesson)
    assert set(calls) == {exercise.key for exercise in lesson.EXERCISES}
    for exercise in lesson.EXERCISES:
        assert exercise.checker.__module__ == lesson.__name__, exercise.key
        source, first = inspect.getsourcelines(exercise.checker)
        last = first + len(source) - 1
        call = calls[exercise.key]
        assert 0 < call.lineno - last <= RIGHT_AFTER, (exercise.key, last, call.lineno)
        assert call.end_lineno - first + 1 <= ONE_SCREEN, (exercise.key, first, call.end_lineno)


def test_a_passed_check_is_written_down_for_every_exercise():
    assert all(exercise.on_pass is exercises.record_completed
               for exercise in exercises.EXERCISES)
