"""The teaching notebooks: seven lessons, committed with full-mode outputs, checked by nbval.

``make test`` runs every notebook with nbval in fast mode; these tests check what nbval does
not: that the committed files have the lesson structure and carry clean outputs, so plots show
on GitHub and in JupyterLab before anything runs.
"""

import ast
import re

import nbformat
import pytest

from digitlib import config
from digitlib.teaching import exercises

NOTEBOOKS_DIR = config.ROOT / "notebooks"
EXPECTED = [
    "01_load_data.ipynb",
    "02_preprocess.ipynb",
    "03_build_the_model.ipynb",
    "04_train.ipynb",
    "05_evaluate.ipynb",
    "06_draw_and_predict.ipynb",
    "07_your_handwriting.ipynb",
    "08_photos_of_paper.ipynb",
    "09_fool_the_model.ipynb",
]
NAME_PATTERN = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")
CHECK_MARKER = re.compile(r"^\s*#\s*NBVAL_CHECK_OUTPUT\s*$", re.MULTILINE)
MAX_BYTES = 3_000_000  # a notebook above this almost surely saved thousands of redraws
SILENT_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign,
                     ast.FunctionDef, ast.ClassDef)


def committed_notebooks():
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]


def is_silent(source: str) -> bool:
    """True for a cell that only imports, assigns or defines: it rightly has no output."""
    python = "\n".join(line for line in source.splitlines()
                       if not line.lstrip().startswith(("%", "!")))
    try:
        statements = ast.parse(python).body
    except SyntaxError:
        return False
    return all(isinstance(statement, SILENT_STATEMENTS) for statement in statements)


def output_texts(cell):
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            yield output.text
        elif "data" in output:
            yield output.data.get("text/plain", "")


notebook_paths = pytest.mark.parametrize("path", committed_notebooks(), ids=lambda path: path.name)


def test_the_seven_lessons_exist():
    names = [path.name for path in committed_notebooks()]
    assert [name for name in names if not NAME_PATTERN.match(name)] == [], "name them NN_topic"
    missing = [name for name in EXPECTED if name not in names]
    assert missing == [], f"missing notebooks: {missing}"


@notebook_paths
def test_notebook_runs_the_project_kernel(path):
    assert read(path).metadata.get("kernelspec", {}).get("name") == "python3"


@notebook_paths
def test_committed_with_outputs_from_one_clean_run(path):
    cells = code_cells(read(path))
    counts = [cell.execution_count for cell in cells]
    assert None not in counts, "every code cell must have been run: `make notebooks`"
    assert counts == list(range(1, len(cells) + 1)), "run top to bottom in a fresh kernel"
    for index, cell in enumerate(cells):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert errors == [], f"code cell {index} holds an error: {errors[0].get('evalue')}"
        if not is_silent(cell.source):
            assert cell.outputs, f"code cell {index} has no output:\n{cell.source}"


@notebook_paths
def test_committed_outputs_come_from_full_mode(path):
    for cell in code_cells(read(path)):
        for text in output_texts(cell):
            assert "fast mode: True" not in text and '"fast_mode": true' not in text, (
                "commit outputs from a full-mode run (`make notebooks`, without DIGITS_FAST)")
            assert "digits-fast-" not in text, "this output comes from a fast-mode run"


@notebook_paths
def test_outputs_hold_no_progress_bar_redraws(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    for cell in code_cells(read(path)):
        for text in output_texts(cell):
            assert "\x08" not in text and not re.search(r"\r(?!\n)", text), (
                "an output keeps every redraw of a progress bar: wrap it in "
                "digitlib.teaching.notebook_output.live_output()")


@notebook_paths
def test_nbval_checks_at_least_one_cell(path):
    checked = [cell for cell in code_cells(read(path)) if CHECK_MARKER.search(cell.source)]
    assert checked, "mark a deterministic cell (shapes, counts, a prediction) # NBVAL_CHECK_OUTPUT"
    for cell in checked:
        assert cell.outputs, f"a checked cell needs a committed output:\n{cell.source}"


@notebook_paths
def test_opens_with_what_you_will_learn(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    assert re.search(r"^#+\s*What you will learn", first.source, re.MULTILINE | re.IGNORECASE)


@notebook_paths
def test_ends_with_a_summary_and_exercises_that_check_themselves(path):
    """Summary, then ## Exercises: per exercise an answer cell left blank and its qN.check()."""
    cells = read(path).cells
    summary = max(index for index, cell in enumerate(cells)
                  if cell.cell_type == "markdown" and re.search(r"^#+\s*Summary", cell.source,
                                                                re.MULTILINE))
    closing = cells[summary + 1:]
    assert closing and re.match(r"#+\s*Exercises", closing[0].source), (
        "after the ## Summary comes the ## Exercises section")
    number = int(path.name[:2])
    assert f"exercises.notebook({number})" in "".join(cell.source for cell in closing)
    checks = [index for index, cell in enumerate(closing)
              if cell.cell_type == "code" and re.match(r"q\d+\.check\(\)", cell.source)]
    assert len(checks) >= 2, f"at least two checked exercises, found {len(checks)}"
    assert len(checks) == len(exercises.notebook(number)), "one check per exercise"
    for index in checks:
        answer, check = closing[index - 1], closing[index]
        assert answer.cell_type == "code" and re.search(r"(=|return) \.\.\.", answer.source), (
            f"leave the answer cell before {check.source.splitlines()[0]} blank (`... `)")
        shown = "".join(output_texts(check))
        assert "Not answered yet" in shown, f"store the unanswered output of {check.source}"
    assert closing[-1].source.strip() == "exercises.progress()", "end by showing the progress"


@notebook_paths
def test_the_stored_progress_lists_todays_exercises_none_done(path, tmp_path, monkeypatch):
    """The progress a notebook ends with comes from a run of today's exercises (none passed):
    a notebook not run again since exercises were added still shows the old count."""
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)  # no progress file: nothing done
    closing = code_cells(read(path))[-1]
    assert "".join(output_texts(closing)) == str(exercises.progress()), (
        f"run {path.name} again (`make notebooks`): its progress shows another list of exercises")


def test_nbval_runs_in_fast_mode(request):
    """Under nbval (``make test``) the notebooks' kernels inherit DIGITS_FAST=1."""
    options = request.config.option
    if not (getattr(options, "nbval", False) or getattr(options, "nbval_lax", False)):
        pytest.skip("only meaningful when pytest runs the notebooks (--nbval or --nbval-lax)")
    assert config.fast_mode(), (
        f"nbval must run in fast mode: set {config.FAST_MODE_VARIABLE}=1 as `make test` does")


@notebook_paths
def test_notebooks_import_only_the_package_never_the_tests(path):
    for cell in code_cells(read(path)):
        assert not re.search(r"^\s*(from|import)\s+tests\b", cell.source, re.MULTILINE), (
            "notebooks import from digitlib, never from tests/")
        assert "sys.path" not in cell.source, "a notebook must run without changing sys.path"


def test_make_notebooks_runs_full_mode_with_the_committed_model(monkeypatch):
    """So the saved outputs of 05-07 agree with the committed model and its card, whatever a
    learner trained in notebook 04 (which writes only the git-ignored models/mnist_cnn_mine)."""
    makefile = (config.ROOT / "Makefile").read_text()
    recipe = makefile.split("\nnotebooks:", 1)[1].split("\n\n", 1)[0]
    assert "DIGITS_MODEL=committed" in recipe and "DIGITS_FAST=0" in recipe
    monkeypatch.setenv(config.MODEL_VARIABLE, "committed")
    monkeypatch.setenv(config.FAST_MODE_VARIABLE, "0")
    assert config.model_path() == config.DEFAULT_MODEL_PATH and not config.fast_mode()


@notebook_paths
def test_committed_as_jupyterlab_saves_it(path, tmp_path):
    from digitlib.teaching import notebook_files

    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    assert not notebook_files.normalise(copy), (
        "opening and saving it in JupyterLab would change it: "
        f"python -m digitlib.teaching.notebook_files {path.relative_to(config.ROOT)}")
    notebook = read(path)
    assert notebook.metadata.kernelspec.display_name == notebook_files.KERNEL_DISPLAY_NAME
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            if notebook_files.WIDGET_VIEW in output.get("data", {}):
                assert output.data["text/plain"].startswith("Run this cell to show")
                assert "Run this cell" in output.data["text/html"]


def test_placeholders_name_the_widget():
    from digitlib.teaching import notebook_files

    assert notebook_files.placeholder("DrawingPad(children=(HBox(") == (
        "Run this cell to show the drawing pad here.")
    assert "sliders" in notebook_files.placeholder("interactive(children=(FloatSlider(")
    with pytest.raises(TypeError, match="nbformat notebook"):
        notebook_files.as_saved({"cells": []})
