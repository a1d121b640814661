"""What every exercise is made of: ``Exercise`` and its ``check()``, ``hint()`` and
``solution()``, what they show, and the helpers the lessons' checks share.

A check is a function ``check(answer, namespace)`` that returns the sentence a correct answer
earns, or raises ``Incorrect`` with the sentence that says what is wrong (``NotAnswered`` for
the blank answer cell). ``Exercise.check`` turns either into one ``Feedback`` sentence.
"""

import dataclasses
import functools
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NOT_GIVEN = object()  # check() called without a value: read the answer from the caller


# --- what check(), hint() and solution() show --------------------------------------------------


class Incorrect(Exception):
    """Raised by a check with the one sentence that says what is wrong."""


class NotAnswered(Exception):
    """Raised by a check when the answer is still the blank: a function that returns ``...``."""


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``status`` is "correct", "incorrect" or "unanswered"."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


@dataclass(frozen=True)
class Text:
    """Plain text that shows as itself in a notebook (a hint, the progress list)."""

    text: str

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


@dataclass(frozen=True)
class Code:
    """Solution code: highlighted in JupyterLab, plain in a terminal."""

    code: str

    def __repr__(self) -> str:
        return "Solution:\n" + self.code

    __str__ = __repr__

    def _repr_markdown_(self) -> str:
        return f"Solution:\n\n```python\n{self.code}\n```"


# --- one exercise ------------------------------------------------------------------------------


@dataclass
class Exercise:
    """One checked exercise of a notebook."""

    key: str  # "02.q1": notebook 02, question 1
    variable: str  # the name the learner's answer is stored under
    title: str
    checker: Callable  # checker(answer, namespace) -> success sentence, or raises Incorrect
    hints: list[str]
    solution_code: str
    # Called with ``key`` when a check passes. The package sets it to progress.record_completed
    # (progress lists every exercise, so this module cannot import it without a circle).
    on_pass: Callable[[str], None] | None = dataclasses.field(default=None, compare=False)

    def check(self, answer=NOT_GIVEN, namespace=None) -> Feedback:
        """Check the answer (read from the caller's variables unless given) in one sentence.

        ``namespace``: where to read the answer and the variables a check compares with, such
        as ``scores`` in notebook 05 (default: the caller's globals, the notebook's variables).
        """
        if namespace is None:
            namespace = sys._getframe(1).f_globals
        if answer is NOT_GIVEN:
            if self.variable not in namespace:
                return Feedback("unanswered", f"Not defined yet: `{self.variable}` does not exist; "
                                              f"run the answer cell above, then check again.")
            answer = namespace[self.variable]
        try:
            if answer is None or answer is Ellipsis:
                raise NotAnswered
            message = self.checker(answer, namespace)
        except NotAnswered:
            return Feedback("unanswered", f"Not answered yet: replace the `...` in the cell "
                                          f"that makes `{self.variable}` with your answer, run "
                                          f"it, then run this check again.")
        except Incorrect as wrong:
            return Feedback("incorrect", f"Not quite: {wrong}")
        except Exception as error:  # an answer no check foresaw: a sentence, not a traceback
            return Feedback("incorrect", f"Not quite: your answer, a {type(answer).__name__}, "
                                         f"could not be checked ({type(error).__name__}: "
                                         f"{error}); compare its type and shape with the task.")
        if self.on_pass is not None:
            self.on_pass(self.key)
        return Feedback("correct", f"Correct: {message}")

    def hint(self, number: int = 1) -> Text:
        """The first hint, or hint ``number`` when there are several."""
        if not 1 <= number <= len(self.hints):
            raise ValueError(f"hint number must be 1 to {len(self.hints)}, got {number!r}")
        more = (f" (more: {self.short_name}.hint({number + 1}))"
                if number < len(self.hints) else "")
        return Text(f"Hint: {self.hints[number - 1]}{more}")

    def solution(self) -> Code:
        return Code(textwrap.dedent(self.solution_code).strip())

    @property
    def short_name(self) -> str:
        return self.key.split(".")[1]

    def __repr__(self) -> str:
        return (f"{self.short_name} ({self.title}): write `{self.variable} = ...`, then "
                f"{self.short_name}.check()")


# --- reference data, loaded once and only when a check needs it --------------------------------


@functools.cache
def mnist_arrays():
    """MNIST as ``mnist.load_mnist()`` gives it, loaded (and its checksum verified) once."""
    from digitlib.datasets import mnist

    return mnist.load_mnist()


@functools.cache
def active_predictor():
    """The active model's ``Predictor``, as notebook 06 loads it."""
    from digitlib.reading.predict import Predictor

    return Predictor.load()


# --- helpers for the checks --------------------------------------------------------------------


def with_article(name: str) -> str:
    """``name`` with its article: "a list", "an Image"."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def whole_number(value, what: str) -> int:
    """``value`` as an int, or ``Incorrect`` naming ``what`` when it is not a whole number."""
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"{what} should be a whole number, not {value!r}.")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise Incorrect(f"{what} should be a whole number, not {with_article(type(value).__name__)}.")


def answer_array(value, what: str) -> np.ndarray:
    """``value`` as a NumPy array of numbers, or ``Incorrect`` naming ``what``."""
    try:
        array = np.asarray(value)
    except Exception:
        kind = with_article(type(value).__name__)
        raise Incorrect(f"{what} should be a NumPy array, not {kind}.") from None
    if array.dtype == object:
        raise Incorrect(f"{what} should be an array of numbers, not "
                        f"{with_article(type(value).__name__)} of mixed things.")
    return array


def call_answer(function, name: str, *arguments):
    """Call the learner's function ``name``; what goes wrong becomes one sentence."""
    if not callable(function):
        raise Incorrect(f"`{name}` should be a function (def {name}(...): ...), not a "
                        f"{type(function).__name__}.")
    try:
        result = function(*arguments)
    except Exception as error:
        raise Incorrect(f"calling your function raised {type(error).__name__}: {error}") from None
    if result is Ellipsis:  # the blank answer cell: `return ...`
        raise NotAnswered
    if result is None:
        raise Incorrect("your function returns None: did you forget the `return` line?")
    return result


def recipe_differences(recipe, reference_class, changed: tuple[str, ...]):
    """The fields other than ``changed`` that differ from both the full and the fast recipe."""
    references = [reference_class(), reference_class.default()]
    differences = []
    for reference in references:
        differences.append([(f.name, getattr(recipe, f.name), getattr(reference, f.name))
                            for f in dataclasses.fields(reference)
                            if f.name not in changed
                            and getattr(recipe, f.name) != getattr(reference, f.name)])
    return min(differences, key=len)
