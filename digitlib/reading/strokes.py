"""Strokes recorded from mouse or touch events, rasterised with Pillow.

Both front ends (the notebook pad and the Tk app) record what the pointer did and rebuild the
picture from it, so neither depends on reading pixels back from a screen or a browser canvas.
"""

import math
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

BACKGROUND = 255  # white pad
INK = 0  # black ink


@dataclass
class Stroke:
    width: float
    points: list[tuple[float, float]] = field(default_factory=list)


class Drawing:
    """The strokes on a ``width`` x ``height`` pad, in drawing order."""

    def __init__(self, width: int = 280, height: int = 280, brush: float = 16.0):
        if not (isinstance(width, int) and isinstance(height, int)) or width < 1 or height < 1:
            raise ValueError(f"pad size must be positive integers, got {width}x{height}")
        self.width, self.height = width, height
        self.brush = brush
        self.strokes: list[Stroke] = []
        self._in_stroke = False

    @property
    def brush(self) -> float:
        return self._brush

    @brush.setter
    def brush(self, value: float) -> None:
        if not isinstance(value, (int, float)) or not 1 <= value <= 200:
            raise ValueError(f"brush size must be a number from 1 to 200, got {value!r}")
        self._brush = float(value)

    @property
    def is_empty(self) -> bool:
        return not self.strokes

    @property
    def in_stroke(self) -> bool:
        """True between ``start`` and ``end``: the pen is down, drawing a stroke."""
        return self._in_stroke

    def start(self, x: float, y: float) -> None:
        """Pen down: begin a new stroke at (x, y); ``ValueError`` for NaN or infinity."""
        point = _point(x, y)
        self.strokes.append(Stroke(self.brush, [point]))
        self._in_stroke = True

    def extend(self, x: float, y: float) -> bool:
        """Pen moved to (x, y); returns False (and records nothing) when the pen is up.
        ``ValueError`` for NaN or infinity."""
        if not self._in_stroke:
            return False
        self.strokes[-1].points.append(_point(x, y))
        return True

    def end(self) -> bool:
        """Pen up (or left the pad); returns True when a stroke was finished."""
        finished, self._in_stroke = self._in_stroke, False
        return finished

    def add_stroke(self, points) -> None:
        """Draw a whole stroke through ``points`` (x, y pairs): pen down at the first, through
        the others, pen up; exactly what the pointer events of the same path record."""
        if self._in_stroke:
            raise ValueError("a stroke is in progress: end() it before adding another")
        try:
            path = [(float(x), float(y)) for x, y in points]
        except (TypeError, ValueError):
            raise TypeError("points must be (x, y) pairs of numbers, for example "
                            "[(10, 20), (30, 40)]") from None
        if not path:
            raise ValueError("a stroke needs at least one point")
        if not all(math.isfinite(x) and math.isfinite(y) for x, y in path):
            raise ValueError("stroke points must be finite numbers (no NaN or infinity)")
        self.start(*path[0])
        for x, y in path[1:]:
            self.extend(x, y)
        self.end()

    def undo(self) -> bool:
        """Remove the last stroke; returns False when there was none."""
        self._in_stroke = False
        if not self.strokes:
            return False
        self.strokes.pop()
        return True

    def clear(self) -> None:
        self.strokes.clear()
        self._in_stroke = False

    def to_image(self) -> Image.Image:
        """The drawing as a greyscale Pillow image: black ink on a white pad."""
        image = Image.new("L", (self.width, self.height), BACKGROUND)
        pen = ImageDraw.Draw(image)
        for stroke in self.strokes:
            radius = stroke.width / 2
            if len(stroke.points) > 1:
                pen.line(stroke.points, fill=INK, width=round(stroke.width), joint="curve")
            for x, y in stroke.points:  # round caps and joints
                pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=INK)
        return image


def _point(x, y) -> tuple[float, float]:
    """(x, y) as floats, or ``TypeError``/``ValueError``: NaN or infinity cannot be drawn."""
    try:
        point = (float(x), float(y))
    except (TypeError, ValueError):
        raise TypeError(f"a point must be two numbers, got ({x!r}, {y!r})") from None
    if not (math.isfinite(point[0]) and math.isfinite(point[1])):
        raise ValueError("stroke points must be finite numbers (no NaN or infinity)")
    return point
