"""digitlib: the shared code behind the digits notebooks, drawing pad, desktop app and CLI."""

import os

# Keep TensorFlow's C++ start-up chatter (CPU feature notes) out of notebooks and the CLI.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"
