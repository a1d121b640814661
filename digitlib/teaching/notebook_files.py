"""Committed notebooks as JupyterLab saves them, so opening and saving one leaves ``git diff``
empty, and with a readable placeholder where a widget appears once the cell runs.

    python -m digitlib.teaching.notebook_files notebooks/0*.ipynb     (``make notebooks`` runs it)

What JupyterLab writes differently from a kernel run through nbconvert: the kernel's display name
as installed ("Python 3 (ipykernel)"), and numbers in the widget state that JavaScript holds as
plain numbers (a slider's ``2.0`` is saved as ``2``). A widget's output keeps its view, and its
``repr`` (``DrawingPad(children=(HBox(…``), which a notebook shows before it runs, becomes a line
saying what to do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

KERNEL_DISPLAY_NAME = "Python 3 (ipykernel)"  # ipykernel's kernelspec, as JupyterLab saves it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER = "Run this cell to show {what} here."
# What a widget's repr starts with -> what the placeholder calls it.
WIDGET_NAMES = {"DrawingPad(": "the drawing pad", "interactive(": "the sliders and their figure",
                "Output(": "its output"}


def placeholder(plain: str) -> str:
    """The words shown instead of a widget's ``repr`` ``plain`` before its cell runs (kept
    when ``plain`` is already a placeholder)."""
    if plain.startswith(PLACEHOLDER.split("{")[0]):
        return plain
    what = next((name for start, name in WIDGET_NAMES.items() if plain.startswith(start)),
                "an interactive widget")
    return PLACEHOLDER.format(what=what)


def _whole_numbers(value):
    """``value`` with every float that is a whole number as an int, all the way down."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def as_saved(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` (changed in place, and returned) as JupyterLab would save it, with
    placeholders for widgets."""
    if not isinstance(notebook, nbformat.NotebookNode):
        raise TypeError(f"expected an nbformat notebook, got {type(notebook).__name__}")
    kernelspec = notebook.metadata.get("kernelspec")
    if kernelspec is not None and kernelspec.get("name") == "python3":
        kernelspec["display_name"] = KERNEL_DISPLAY_NAME
    widgets = notebook.metadata.get("widgets", {})
    if WIDGET_STATE in widgets:
        widgets[WIDGET_STATE] = nbformat.from_dict(_whole_numbers(widgets[WIDGET_STATE]))
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                words = placeholder(data.get("text/plain", ""))
                data["text/plain"] = words
                data["text/html"] = f'<p style="color:#555555"><i>{words}</i></p>'
    return notebook


def normalise(path) -> bool:
    """Write the notebook at ``path`` as JupyterLab saves it; True when that changed it."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    after = nbformat.writes(as_saved(nbformat.reads(before, as_version=4))) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True


def main(argv=None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m digitlib.teaching.notebook_files NOTEBOOK.ipynb...",
        file=sys.stderr)
        return 2
    for path in paths:
        if normalise(path):
            print(f"{path}: written as JupyterLab saves it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
