"""Benchmarks, one module per ``make bench-*`` target (``python -m benchmarks.predict`` and so on):
each prints figures next to a baseline run in the same process, configuring the code through its
arguments. What several share (timing, the serving predictor) is in ``benchmarks.common``."""
