"""digitlib: the shared code behind the digits notebooks, drawing pad, desktop app and CLI."""

from digitlib import quiet_start

# Before anything imports TensorFlow: its C++ start-up notes stay out of notebooks, the CLI
# and the app's terminal, whatever the environment (see digitlib.quiet_start).
quiet_start.install()

__version__ = "0.1.0"
