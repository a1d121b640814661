"""A quiet TensorFlow start: its C++ start-up notes never reach a notebook or a terminal.

TensorFlow 2.21 writes a few lines straight to file descriptor 2 while it is imported: an absl
note ("All log messages before absl::InitializeLog() is called ..."), "oneDNN custom operations
are on ..." and the CPU feature notes. ``TF_CPP_MIN_LOG_LEVEL`` hides the last ones only, and a
notebook kernel shows anything on descriptor 2 in a red box. So the first import of TensorFlow
after ``import digitlib`` runs with descriptor 2 sent to a temporary file; afterwards every line
that is not one of these known notes is written back to stderr, so real warnings and errors
still show. Nothing changes what TensorFlow computes (oneDNN stays on).

``digitlib/__init__.py`` calls :func:`install`; a program that imports TensorFlow (or Keras)
*before* digitlib gets TensorFlow's usual start-up lines.
"""

import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile

# The lines TensorFlow writes at every start, whatever it is asked to do (matched anywhere in a
# line, which starts with a timestamp and a thread id).
START_UP_NOTES = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|oneDNN custom operations are on"
    r"|cpu_feature_guard\.cc"
    r"|^To enable the following instructions: .*rebuild TensorFlow"
)
TENSORFLOW = "tensorflow"


def without_start_up_notes(text: str) -> str:
    """``text`` less the lines that are TensorFlow's start-up notes."""
    kept = [line for line in text.splitlines(keepends=True) if not START_UP_NOTES.search(line)]
    return "".join(kept)


@contextlib.contextmanager
def start_up_notes_filtered(descriptor: int = 2):
    """Send ``descriptor`` to a temporary file, then write back all but the start-up notes."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()
    try:
        saved = os.dup(descriptor)
    except OSError:  # no stderr at all (pythonw on Windows): nothing to keep quiet
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), descriptor)
        try:
            yield
        finally:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, descriptor)
            os.close(saved)
            captured.seek(0)
            rest = without_start_up_notes(captured.read().decode("utf-8", errors="replace"))
            if rest and sys.stderr is not None:
                sys.stderr.write(rest)
                sys.stderr.flush()


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, through the other finders, and wraps its import."""

    def find_spec(self, name, path=None, target=None):
        if name != TENSORFLOW:
            return None
        uninstall()
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def quiet_exec_module(module):
            with start_up_notes_filtered():
                exec_module(module)

        spec.loader.exec_module = quiet_exec_module
        return spec


def install() -> None:
    """Make the next first import of TensorFlow quiet (no-op once TensorFlow is imported)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # INFO notes off; warnings stay
    installed = any(isinstance(finder, _QuietTensorFlowFinder) for finder in sys.meta_path)
    if TENSORFLOW in sys.modules or installed:
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())


def uninstall() -> None:
    """Take the finder out again (it also takes itself out once it has found TensorFlow)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietTensorFlowFinder)]
