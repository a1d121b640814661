"""Shared test helpers."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; in CI (CI=true) fail instead, so CI
    never silently skips an end-to-end test."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must run this test, but: {reason}")
        pytest.skip(reason)
