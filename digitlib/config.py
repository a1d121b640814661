"""Project-wide settings: paths, the random seed and the fast-mode switch.

Fast mode is the single switch that shrinks training for CI and nbval. It is read here and
nowhere else: set the environment variable ``DIGITS_FAST=1`` to turn it on.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MODELS_DIR = ROOT / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "mnist_cnn.keras"  # the committed model; `make model` only
LEARNER_MODEL_PATH = MODELS_DIR / "mnist_cnn_mine.keras"  # trained in notebook 04 (untracked)
PERSONAL_MODEL_PATH = MODELS_DIR / "mnist_cnn_personal.keras"  # written by `digitlib finetune`
PERSONAL_DATA_DIR = DATA_DIR / "my_digits"  # the learner's own digits (digitlib.personal)

# Models known by name: ``model_path("personal")``, ``Predictor.load("committed")``.
MODEL_NAMES = {
    "committed": DEFAULT_MODEL_PATH,
    "default": DEFAULT_MODEL_PATH,  # older spelling of "committed"
    "mine": LEARNER_MODEL_PATH,
    "personal": PERSONAL_MODEL_PATH,
}
MODEL_VARIABLE = "DIGITS_MODEL"  # a model name or file that every front end uses by default

SEED = 42
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


def describe_model(path) -> str:
    """One line that says which model a path is, for the pad, the app and the notebooks."""
    path = Path(path)
    where = path.name if path.parent.resolve() == MODELS_DIR.resolve() else str(path)
    known = {
        DEFAULT_MODEL_PATH.resolve(): "the committed model",
        LEARNER_MODEL_PATH.resolve(): "your model from notebook 04",
        PERSONAL_MODEL_PATH.resolve(): "your fine-tuned model",
    }
    what = known.get(path.resolve(), "the model")
    return f"{what} ({where})"


def set_seed(seed: int = SEED) -> None:
    """Seed Python, NumPy and the Keras backend once, so runs are repeatable."""
    import keras

    keras.utils.set_random_seed(seed)
