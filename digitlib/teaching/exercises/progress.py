"""Which exercises were passed: written down in ``data/exercises_completed.json`` when a check
passes for the first time, listed by ``progress()`` and ``python -m digitlib progress``.

(The bars and live lines a notebook shows while it trains are ``teaching.notebook_output``.)
"""

import json
import warnings
from datetime import UTC, datetime

from digitlib import config, files
from digitlib.teaching.exercises.catalogue import BY_KEY, EXERCISES, NOTEBOOK_TITLES, notebook
from digitlib.teaching.exercises.core import Text

PROGRESS_FILE = "exercises_completed.json"


def progress_path():
    """The small file that lists the exercises passed (under ``data/``, never committed)."""
    return config.DATA_DIR / PROGRESS_FILE


def completed() -> dict[str, str]:
    """``{"02.q1": "2026-11-27T06:40:00+00:00", ...}``: each exercise passed, and when first."""
    path = progress_path()
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        warnings.warn(f"{path} is unreadable; progress starts again from here", stacklevel=2)
        return {}
    done = stored.get("completed", {}) if isinstance(stored, dict) else {}
    return {key: str(when) for key, when in done.items() if key in BY_KEY} if isinstance(
        done, dict) else {}


def record_completed(key: str) -> None:
    """Write down that exercise ``key`` was passed (kept at its first time), atomically."""
    if key not in BY_KEY:
        raise ValueError(f"no exercise {key!r}; known: {', '.join(BY_KEY)}")
    done = completed()
    if key in done:
        return
    done[key] = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps({"completed": dict(sorted(done.items()))}, indent=2) + "\n"
    try:
        files.write_text_atomic(progress_path(), text)
    except OSError as error:  # a read-only folder must not spoil a correct answer
        warnings.warn(f"could not save your progress to {progress_path()}: {error}",
                      stacklevel=2)


def progress() -> Text:
    """One line per notebook: which exercises are done (✓) and which are still open (·)."""
    done = completed()
    lines = [f"Exercises completed: {len(done)} of {len(EXERCISES)}"]
    for number, title in NOTEBOOK_TITLES.items():
        marks = "  ".join(f"{exercise.short_name} {'✓' if exercise.key in done else '·'}"
                          for exercise in notebook(number))
        lines.append(f"  {number:02d} {title:<17} {marks}")
    return Text("\n".join(lines))
