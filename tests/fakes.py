"""Stand-ins for the Predictor, shared by the session, widget and Tk app tests: fast and exact."""

import threading
import time
from types import SimpleNamespace

import numpy as np


def detection(digit, confidence, box=(0, 0, 10, 10), unsure=None, reason=""):
    """A stand-in for ``digitlib.reading.predict.Detection`` with the fields the front ends read."""
    probabilities = np.full(10, (1 - confidence) / 9, dtype=np.float32)
    probabilities[digit] = confidence
    unsure = confidence < 0.7 if unsure is None else unsure
    return SimpleNamespace(
        digit=digit, confidence=confidence, probabilities=probabilities,
        top3=[(digit, confidence), ((digit + 1) % 10, (1 - confidence) / 9)], unsure=unsure,
        image28=np.eye(28, dtype=np.float32), box=box, source="drawing",  # ink, so it can be saved
        reason=reason or (f"low confidence ({confidence:.0%})" if unsure else ""),
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


class FakePredictor:
    """Finds runs of inked columns (one per digit) and answers ``digits`` in order, with
    ``confidences``; unsure below 0.7 or when its number is in ``unsure``. Records every
    image and the thread that read it; ``error`` is raised instead, after ``delay`` seconds."""

    def __init__(self, digits=(1, 7, 0), confidences=None, unsure=(), error=None, delay=0.0,
                 gap=10):
        self.digits, self.error, self.delay, self.gap = list(digits), error, delay, gap
        self.confidences = list(confidences or [0.97] * len(self.digits))
        self.unsure = set(unsure)
        self.images, self.threads = [], []

    def predict_digits(self, image):
        self.threads.append(threading.current_thread().name)
        self.images.append(image)
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return [detection(self.digits[number % len(self.digits)],
                          self.confidences[number % len(self.confidences)], box,
                          unsure=True if number in self.unsure else None)
                for number, box in enumerate(ink_boxes(image, gap=self.gap))]


def stroke(pad, points):
    """Pen down at the first point, through the others, up at the last (a ``PadSession``)."""
    pad.pen_down(*points[0])
    for point in points[1:]:
        pad.pen_move(*point)
    pad.pen_up()
