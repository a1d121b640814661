"""Project-wide settings: paths, the random seed and the fast-mode switch.

Where the writable things go (MNIST, your drawings, the models you train, your exercise
progress) is decided once, when digitlib is imported, by ``choose_home``: the folder named by
``DIGITS_HOME`` when it is set (a read-only checkout, a shared class server); else the project
folder when digitlib runs from a clone of it, as it always has; else, for an installed package
(``pip install`` of the wheel), the platform's per-user data folder (``~/.local/share/digits``
on Linux). ``data/`` and ``models/`` go inside it.

The committed models (the digit model, its card, the companion model and their ONNX copies)
are read from ``models/`` in a clone, and from the copy inside the package when installed,
until the home holds a default model of its own.

Fast mode is the single switch that shrinks training for CI and nbval. It is read here and
nowhere else: set the environment variable ``DIGITS_FAST=1`` to turn it on.
"""

import functools
import os
import subprocess
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # a clone: the repository; installed: site-packages
HOME_VARIABLE = "DIGITS_HOME"  # a folder for data/ and models/ instead of the default one
APP_NAME = "digits"  # the name of the per-user data folder of an installed package
# What a clone of the project holds beside digitlib/; an installed package has none of them.
CHECKOUT_MARKERS = ("pyproject.toml", "notebooks", "models")


def in_checkout(root=ROOT) -> bool:
    """Whether digitlib runs from a clone of the project (an editable install, ``make``), not
    from an installed wheel: the folder above the package holds ``CHECKOUT_MARKERS``."""
    root = Path(root)
    return all((root / marker).exists() for marker in CHECKOUT_MARKERS)


def choose_home(environment=None, root=ROOT) -> tuple[Path, str]:
    """Where data/ and models/ go, and why, in words for ``digits --help``.

    ``$DIGITS_HOME`` when set (made absolute; it may not exist yet), else ``root`` when it is a
    clone of the project, else the platform's per-user data folder. ``environment`` defaults to
    ``os.environ``. Nothing is created.
    """
    environment = os.environ if environment is None else environment
    if not hasattr(environment, "get"):
        raise TypeError(f"environment must be a mapping of variable names to values such as "
                        f"os.environ, got {type(environment).__name__}")
    chosen = environment.get(HOME_VARIABLE, "").strip()
    if chosen:
        home = Path(chosen).expanduser().resolve()
        if home.exists() and not home.is_dir():
            raise ValueError(f"{HOME_VARIABLE}={chosen} is a file: point it to a folder, which "
                             f"will hold data/ and models/ (it may be empty or not exist yet)")
        return home, f"set by {HOME_VARIABLE}"
    if in_checkout(root):
        return Path(root), "the project folder"
    import platformdirs  # only an installed package needs it

    return (Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            f"your per-user data folder; set {HOME_VARIABLE} to choose another")


def _committed_models_dir() -> Path:
    """The committed models: ``models/`` of a clone, else the copy shipped inside the package
    (``digitlib/models/``, package data of the wheel)."""
    if in_checkout():
        return ROOT / "models"
    return Path(str(resources.files("digitlib").joinpath("models")))


HOME, HOME_REASON = choose_home()  # where data/ and models/ live, and why there
DATA_DIR = HOME / "data"
MODELS_DIR = HOME / "models"
COMMITTED_MODELS_DIR = _committed_models_dir()  # tracked in git or shipped: never written
COMMITTED_MODEL_PATH = COMMITTED_MODELS_DIR / "mnist_cnn.keras"
# Where `make model` writes the default model: models/ in the chosen home (the repository by
# default). digitlib.training.train should write "committed" here, not to DEFAULT_MODEL_PATH.
DEFAULT_MODEL_OUTPUT = MODELS_DIR / COMMITTED_MODEL_PATH.name
# The default model to read: the home's own when it has one, else the committed model, so an
# empty $DIGITS_HOME still has a model to draw with.
DEFAULT_MODEL_PATH = (DEFAULT_MODEL_OUTPUT if DEFAULT_MODEL_OUTPUT.is_file()
                      else COMMITTED_MODEL_PATH)
LEARNER_MODEL_PATH = MODELS_DIR / "mnist_cnn_mine.keras"  # trained in notebook 04 (untracked)
PERSONAL_MODEL_PATH = MODELS_DIR / "mnist_cnn_personal.keras"  # written by `digitlib finetune`
PERSONAL_DATA_DIR = DATA_DIR / "my_digits"  # the learner's own digits (digitlib.datasets.personal)

# Models known by name: ``model_path("personal")``, ``Predictor.load("committed")``.
MODEL_NAMES = {
    "committed": DEFAULT_MODEL_PATH,
    "default": DEFAULT_MODEL_PATH,  # older spelling of "committed"
    "mine": LEARNER_MODEL_PATH,
    "personal": PERSONAL_MODEL_PATH,
}
MODEL_VARIABLE = "DIGITS_MODEL"  # a model name or file that every front end uses by default

SEED = 42
GIT_SECONDS = 30  # listing a checkout's files takes milliseconds: a hung git is not waited on
FAST_MODE_VARIABLE = "DIGITS_FAST"


def fast_mode() -> bool:
    """True when ``DIGITS_FAST`` is set to 1/true/yes/on (CI and nbval set it)."""
    return os.environ.get(FAST_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def model_path(name_or_path=None) -> Path:
    """The model file for a name in ``MODEL_NAMES`` ("committed", "mine", "personal") or a path.

    ``None`` means the active model: ``$DIGITS_MODEL`` when set, else the learner's own model
    from notebook 04 when it exists, else the committed one. A name wins over a file of the
    same name in the current directory; write ``./personal`` to mean such a file.
    """
    if name_or_path is None:
        chosen = os.environ.get(MODEL_VARIABLE, "").strip()
        if chosen:
            return model_path(chosen)
        return LEARNER_MODEL_PATH if LEARNER_MODEL_PATH.is_file() else DEFAULT_MODEL_PATH
    if isinstance(name_or_path, str) and name_or_path in MODEL_NAMES:
        return MODEL_NAMES[name_or_path]
    return Path(name_or_path)


def describe_home() -> str:
    """One line that says where data/ and models/ are, for ``digits --help``."""
    return f"data and models: {HOME} ({HOME_REASON})"


def describe_model(path) -> str:
    """One line that says which model a path is, for the pad, the app and the notebooks."""
    path = Path(path)
    folders = {MODELS_DIR.resolve(), COMMITTED_MODEL_PATH.parent.resolve()}
    where = path.name if path.parent.resolve() in folders else str(path)
    known = {
        DEFAULT_MODEL_PATH.resolve(): "the committed model",
        COMMITTED_MODEL_PATH.resolve(): "the committed model",
    }
    if DEFAULT_MODEL_OUTPUT != COMMITTED_MODEL_PATH:  # trained with `make model` in $DIGITS_HOME
        known[DEFAULT_MODEL_OUTPUT.resolve()] = "the default model"
    known[LEARNER_MODEL_PATH.resolve()] = "your model from notebook 04"
    known[PERSONAL_MODEL_PATH.resolve()] = "your fine-tuned model"
    what = known.get(path.resolve(), "the model")
    return f"{what} ({where})"


def is_tracked(path) -> bool:
    """Whether writing ``path`` would replace a file of the repository (one git tracks, or the
    committed model and its card), however it is reached: through a symlink, ``..`` or
    ``$DIGITS_HOME``. Only ``make model`` may write the committed model; nothing writes the
    others. Outside a git checkout every file in ``ROOT`` counts, but the learner's models."""
    path = Path(path).resolve()
    root = ROOT.resolve()
    if not path.is_relative_to(root):
        return False
    committed = COMMITTED_MODEL_PATH.resolve()
    if path in {committed, committed.with_suffix(".json")}:
        return True
    tracked = _tracked_files(root)
    if tracked is not None:
        return path in tracked
    learners = {LEARNER_MODEL_PATH.resolve(), PERSONAL_MODEL_PATH.resolve()}
    return path.exists() and path not in learners | {p.with_suffix(".json") for p in learners}


@functools.cache
def _tracked_files(root: Path) -> frozenset[Path] | None:
    """The files git tracks in ``root`` (resolved), or None when it is not a git checkout."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True,
                                timeout=GIT_SECONDS, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = [name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]
    return frozenset((root / name).resolve() for name in names)


def set_seed(seed: int = SEED) -> None:
    """Seed Python, NumPy and the Keras backend once, so runs are repeatable."""
    import keras

    keras.utils.set_random_seed(seed)
