"""Benchmarks: each prints figures next to a baseline run in the same process (make bench-*)."""
