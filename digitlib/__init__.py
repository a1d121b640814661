"""digitlib: the shared code behind the digits notebooks, drawing pad, desktop app and CLI."""

__version__ = "0.1.0"
