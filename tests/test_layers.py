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


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the digitlib modules it imports (anywhere in it), for the modules in ``root``."""
    modules = {module_name(path, root): path
               for path in sorted(root.rglob("*.py")) if "__pycache__" not in path.parts}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported, _, _ in imports(path, root):
            # "digitlib.reading.predict.Predictor" -> the longest prefix that is a module
            parts = imported.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        graph[name] = targets
    return graph


def circles(graph) -> list[list[str]]:
    """The import circles: strongly connected groups of two or more modules (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def floors(graph) -> int:
    """How many floors the modules stand on: the longest chain of imports, a circle counted as
    one floor."""
    group_of = {member: tuple(group) for group in circles(graph) for member in group}
    height = {}

    def floor(node, seen=()):
        key = group_of.get(node, node)
        if key not in height:
            members = group_of.get(node, (node,))
            below = {target for member in members for target in graph[member]} - set(members)
            height[key] = 1 + max((floor(target) for target in below), default=0)
        return height[key]

    return max(floor(node) for node in graph)


def rooms(graph) -> dict[str, set[str]]:
    """The graph of rooms: a top-level module, or a whole subpackage (``digitlib.reading``)."""
    def room(name):
        return ".".join(name.split(".")[:2])
    joined = {}
    for name, targets in graph.items():
        joined.setdefault(room(name), set()).update(room(target) for target in targets)
    return {name: targets - {name} for name, targets in joined.items()}


def test_the_package_has_no_import_circle():
    graph = import_graph()
    assert circles(graph) == []
    assert circles(rooms(graph)) == []


if __name__ == "__main__":  # python -m tests.test_layers [PACKAGE_FOLDER]: floors and circles
    import sys

    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PACKAGE
    for what, graph in (("modules", import_graph(root)),
                        ("rooms (top-level modules and subpackages)", rooms(import_graph(root)))):
        print(f"{len(graph)} {what}: {floors(graph)} floors, {len(circles(graph))} circles "
              f"{circles(graph) or ''}")
