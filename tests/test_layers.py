"""The package's layers (``DESIGN.md``): each folder of ``digitlib`` imports only from folders
below it, and reading a digit never needs Keras or TensorFlow at import time.

The imports are read from the source (every ``import`` statement, at module level or inside a
function), so a new module is checked the moment it exists.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "digitlib"

# From the ground up. A module may import from its own layer and the layers below it.
LAYERS = ["base", "reading", "datasets", "training", "insight", "pads", "teaching", "entry"]
BASE = {"__init__", "config", "files", "quiet_start"}  # below everything: nothing reads digits
ENTRY = {"__main__", "serve"}  # the commands a user runs: they may use every layer
DEEP_LEARNING = {"keras", "tensorflow", "tf2onnx", "torch", "jax"}
UI = {"ipywidgets", "ipycanvas", "tkinter", "IPython", "voila"}


def layer_of(module: str) -> str:
    """``digitlib.reading.predict`` -> "reading"; ``digitlib.config`` -> "base"."""
    parts = module.split(".")
    assert parts[0] == "digitlib", module
    if len(parts) == 1 or parts[1] in BASE:
        return "base"
    if parts[1] in ENTRY:
        return "entry"
    return parts[1]


def module_name(path: Path, package: Path = PACKAGE) -> str:
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path = PACKAGE):
    """(imported module, line, at module level) for every import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top_level = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
            found += [(name, node.lineno, id(node) in top_level) for name in names]
    return found


def own_modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def digitlib_target(name: str) -> str | None:
    """The digitlib module (or package) an imported name belongs to."""
    return name if name.split(".")[0] == "digitlib" else None


def broken_rules(paths, root: Path = PACKAGE):
    """Every import that goes against the layers, as readable lines."""
    problems = []
    for path in paths:
        here = layer_of(module_name(path, root))
        for name, line, top in imports(path, root):
            where = f"{path.relative_to(root.parent)}:{line}"
            top_name = name.split(".")[0]
            target = digitlib_target(name)
            if target:
                there = layer_of(target)
                if LAYERS.index(there) > LAYERS.index(here):
                    problems.append(f"{where}: {here} imports {name} from {there}, above it")
            elif here in ("reading", "base") and top and top_name in DEEP_LEARNING:
                problems.append(f"{where}: {here} imports {top_name} at module level")
            elif here in ("reading", "datasets", "training") and top_name in UI:
                problems.append(f"{where}: {here} imports the UI toolkit {top_name}")
    return problems


def test_every_folder_is_a_known_layer():
    folders = {path.name for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"base", "entry"}
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top == BASE | ENTRY, "a new top-level module: put it in the folder of its layer"


def test_each_layer_imports_only_from_layers_below_it():
    problems = broken_rules(own_modules())
    assert not problems, "\n".join(problems)


def test_the_rule_catches_a_reading_module_that_imports_training(tmp_path):
    """The test is not vacuous: a reading module that imports training breaks it."""
    copy = tmp_path / "digitlib" / "reading" / "predict.py"
    copy.parent.mkdir(parents=True)
    copy.write_text((PACKAGE / "reading" / "predict.py").read_text()
                    + "\nfrom digitlib.training import train\n")
    problems = broken_rules([copy], root=tmp_path / "digitlib")
    assert any("reading imports digitlib.training.train from training" in p for p in problems)


@pytest.mark.parametrize("layer", ["reading", "base"])
def test_reading_a_digit_imports_no_keras_at_module_level(layer):
    paths = [path for path in own_modules() if layer_of(module_name(path)) == layer]
    assert paths
    late = [f"{path.name}:{line} {name}" for path in paths for name, line, top in imports(path)
            if top and name.split(".")[0] in DEEP_LEARNING]
    assert not late, late
