"""Project-wide settings: paths, the random seed and the fast-mode switch.

Fast mode is the single switch that shrinks training for CI and nbval. It is read here and
nowhere else: set the environment variable ``DIGITS_FAST=1`` to turn it on.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MODELS_DIR = ROOT / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "mnist_cnn.keras"

SEED = 42
FAST_MODE_VARIABLE = "DIGITS_FAST"


def fast_mode() -> bool:
    """True when ``DIGITS_FAST`` is set to 1/true/yes/on (CI and nbval set it)."""
    return os.environ.get(FAST_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def set_seed(seed: int = SEED) -> None:
    """Seed Python, NumPy and the Keras backend once, so runs are repeatable."""
    import keras

    keras.utils.set_random_seed(seed)
