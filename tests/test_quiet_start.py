"""A quiet start: no TensorFlow start-up notes in the CLI, a notebook kernel or any notebook.

The subprocesses and kernels here run in a clean environment (no ``TF_CPP_MIN_LOG_LEVEL``, no
``TF_ENABLE_ONEDNN_OPTS``), as a learner's plain ``jupyter lab`` or terminal would.
"""

import ast
import os
import re
import subprocess
import sys

import nbformat
import pytest
from PIL import Image, ImageDraw

from digitlib import config, quiet_start

# What TensorFlow 2.21 writes to stderr when it starts (taken from a real run), and what a test
# must never see: absl's pre-initialisation note, oneDNN's note, the CPU feature notes.
REAL_START_UP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795759268.988877    7434 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.\n"
    "I0000 00:00:1795759269.067266    7434 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other "
    "operations, rebuild TensorFlow with the appropriate compiler flags.\n"
)
FORBIDDEN = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cpu_feature_guard|rebuild TensorFlow"
    r"|^I\d{4} \d\d:\d\d:\d\d",  # any C++ INFO line
    re.MULTILINE,
)
NOTEBOOKS_DIR = config.ROOT / "notebooks"
# Notebook, and how many of its first code cells to run: the pad's cell; keras after digitlib.
FIRST_CELLS = [("06_draw_and_predict.ipynb", 1), ("03_build_the_model.ipynb", 1)]


def clean_environment(**extra):
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("TF_")}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(config.ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    environment.update(extra)
    return environment


def test_filter_drops_the_start_up_notes_and_keeps_everything_else():
    real = "W0000 00:00:1.0 1 some_op.cc:12] a real warning\nTraceback (most recent call last):\n"
    kept = quiet_start.without_start_up_notes(REAL_START_UP[:200] + REAL_START_UP[200:] + real)
    assert kept == real
    assert quiet_start.without_start_up_notes("") == ""


def test_descriptor_level_writes_are_filtered_and_the_rest_written_back():
    """What C++ writes to fd 2 inside the filter: the notes go, a real error comes back."""
    program = (
        "import os, sys\n"
        "from digitlib import quiet_start\n"
        "with quiet_start.start_up_notes_filtered():\n"
        f"    os.write(2, {REAL_START_UP.encode()!r})\n"
        "    os.write(2, b'E0000 00:00:1.0 1 op.cc:1] a real error\\n')\n"
        "    print('python warning', file=sys.stderr)\n"
        "print('after', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env=clean_environment(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("E0000 00:00:1.0 1 op.cc:1] a real error\npython warning\n"
                             "after\n")


def test_warnings_stay_on_and_a_chosen_level_is_kept():
    program = "import os, digitlib; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    for chosen, expected in [(None, "1"), ("0", "0"), ("2", "2")]:
        extra = {} if chosen is None else {"TF_CPP_MIN_LOG_LEVEL": chosen}
        result = subprocess.run([sys.executable, "-c", program], capture_output=True,
                                text=True, env=clean_environment(**extra), timeout=60)
        assert result.stdout.strip() == expected, result.stderr


@pytest.fixture(scope="module")
def vertical_stroke(tmp_path_factory):
    """A thick vertical bar: a 1 for any MNIST model."""
    image = Image.new("L", (140, 140), 255)
    ImageDraw.Draw(image).line([(70, 20), (70, 120)], fill=0, width=12)
    path = tmp_path_factory.mktemp("quiet") / "one.png"
    image.save(path)
    return path


def test_cli_starts_quietly(vertical_stroke):
    result = subprocess.run(
        [sys.executable, "-m", "digitlib", "predict", str(vertical_stroke)],
        capture_output=True, text=True, env=clean_environment(), timeout=300, cwd=config.ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{vertical_stroke}: 1"), result.stdout
    assert not FORBIDDEN.search(result.stderr), f"start-up notes on stderr:\n{result.stderr}"


@pytest.mark.parametrize(("name", "count"), FIRST_CELLS)
def test_notebook_first_cells_start_quietly(name, count, monkeypatch):
    from nbclient import NotebookClient

    for variable in [v for v in os.environ if v.startswith("TF_")]:
        monkeypatch.delenv(variable)
    # ipykernel shows what C++ writes to fd 2 in the cell, as in JupyterLab, except under pytest.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv("PYTHONPATH", clean_environment()["PYTHONPATH"])
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    notebook.cells = [cell for cell in notebook.cells if cell.cell_type == "code"][:count]
    for cell in notebook.cells:
        cell.outputs = []
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()
    streams = "".join(output.get("text", "") for cell in notebook.cells
                      for output in cell.outputs if output.output_type == "stream")
    assert not FORBIDDEN.search(streams), f"start-up notes in {name}:\n{streams}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_import_digitlib_before_tensorflow(path):
    """A notebook that imports keras or TensorFlow first would start loudly."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                top = module.split(".")[0]
                if top == "digitlib":
                    return
                assert top not in {"keras", "tensorflow", "tf2onnx"}, (
                    f"{path.name} imports {module} before digitlib")


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_outputs_hold_no_start_up_notes(path):
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.output_type == "stream" else ""
            assert not FORBIDDEN.search(text), f"{path.name}: TensorFlow start-up notes:\n{text}"
