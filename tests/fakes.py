"""Stand-ins for the Predictor, shared by the widget and Tk app tests: fast and exact."""

from types import SimpleNamespace

import numpy as np


def detection(digit, confidence, box=(0, 0, 10, 10), unsure=None):
    """A stand-in for ``digitlib.predict.Detection`` with the fields the front ends read."""
    probabilities = np.full(10, (1 - confidence) / 9, dtype=np.float32)
    probabilities[digit] = confidence
    return SimpleNamespace(
        digit=digit, confidence=confidence, probabilities=probabilities,
        top3=[(digit, confidence)], unsure=confidence < 0.7 if unsure is None else unsure,
        image28=np.eye(28, dtype=np.float32), box=box,  # some ink, so it can be saved
    )


def ink_boxes(image, gap: int = 1) -> list[tuple[int, int, int, int]]:
    """Boxes around runs of inked columns (dark ink), split where more than ``gap`` are empty."""
    ink = np.asarray(image.convert("L")) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    if columns.size == 0:
        return []
    boxes = []
    for run in np.split(columns, np.flatnonzero(np.diff(columns) > gap) + 1):
        rows = np.flatnonzero(ink[:, run[0] : run[-1] + 1].any(axis=1))
        boxes.append((int(run[0]), int(rows[0]), int(run[-1]) + 1, int(rows[-1]) + 1))
    return boxes
