"""Pen strokes that are not digits, drawn on the pad's own canvas (``strokes.Drawing``).

A digit reader always names a digit, often surely, even for a scribble. To measure how often
the predictor admits that a drawing is no digit (``Prediction.unsure``), this module draws
what people put on a pad when they are not writing a digit: scribbles, zigzags, chevrons,
loops of loops (a coil), letters (a, e, k, m, w, x, z), s-curves, random walks and a few
random strokes scattered over the pad.

Each drawing is made with seeded jitter under a ``Settings``: ``TUNING`` is what rules may be
tuned on; ``REPORT`` draws with other sizes, pen widths, wobble, slant and seeds, so that a
rule fitted to one generator's quirks shows it when it is scored on the other. ``TRAINING`` is
what the no-digit model (``digitlib.training.any_digit``) learns from: other settings again, and
other kinds (``TRAINING_KINDS``): no letters and no scattered strokes, which the benchmark's
``letter`` and ``strokes`` then score as shapes the model never saw, and shapes of its own
(``SHAPES``: other letters, symbols, doodles).

    from digitlib.datasets import nondigits
    for kind, picture in nondigits.generate(per_kind=5, settings=nondigits.REPORT): ...
"""

from dataclasses import dataclass

import numpy as np

from digitlib.datasets.synthetic import arc
from digitlib.reading.strokes import Drawing

PAD = 280  # the notebook pad's height; drawings are made on a square pad this size


@dataclass(frozen=True)
class Settings:
    """How the drawings vary: ranges are (low, high), drawn uniformly for each drawing."""

    name: str
    seed: int
    height: tuple[float, float]  # the drawing's height in pad pixels
    aspect: tuple[float, float]  # its width over its height (a letter or a coil is wider)
    brush: tuple[float, float]  # pen width in pixels
    wobble: float  # shake of every point, as a share of the drawing's size
    slant: float  # shear either way: x += slant * (0.5 - y)


TUNING = Settings("tuning", seed=100, height=(130, 210), aspect=(0.7, 1.3), brush=(12, 22),
                  wobble=0.02, slant=0.15)
REPORT = Settings("report", seed=200, height=(90, 240), aspect=(0.55, 1.6), brush=(7, 30),
                  wobble=0.035, slant=0.3)
TRAINING = Settings("training", seed=300, height=(100, 230), aspect=(0.6, 1.5), brush=(8, 28),
                    wobble=0.03, slant=0.25)


def _scribble(rng):
    """One stroke through many random points of the box, back and forth: scratching out."""
    count = int(rng.integers(8, 20))
    points = rng.uniform(0, 1, (count, 2))
    return [_smooth(points, 6)]


def _zigzag(rng):
    """Teeth across the box (or down it): 3 to 7 sharp turns."""
    teeth = int(rng.integers(3, 8))
    along = np.linspace(0, 1, teeth + 1)
    across = np.where(np.arange(teeth + 1) % 2 == 0, 0.0, 1.0)
    points = np.stack([along, across], axis=1)
    if rng.random() < 0.4:
        points = points[:, ::-1]  # teeth down the box
    return [points]


def _chevron(rng):
    """Two straight lines meeting at a sharp corner: <, >, ^ or v, or a tick."""
    corner = rng.uniform(0.3, 0.7)
    shape = rng.integers(5)
    if shape == 0:  # <
        points = [(1, 0), (0, corner), (1, 1)]
    elif shape == 1:  # >
        points = [(0, 0), (1, corner), (0, 1)]
    elif shape == 2:  # ^
        points = [(0, 1), (corner, 0), (1, 1)]
    elif shape == 3:  # v
        points = [(0, 0), (corner, 1), (1, 0)]
    else:  # a tick: a short arm and a long one
        points = [(0, 0.6), (0.3, 1), (1, 0)]
    return [np.array(points, float)]


def _loops(rng):
    """Loops of loops: a coil of 3 to 6 loops, like a line of cursive e's, or a spiral."""
    if rng.random() < 0.3:  # a spiral from the centre out
        turns = rng.uniform(2, 3.5)
        t = np.linspace(0, turns * 2 * np.pi, int(40 * turns))
        radius = t / t[-1]
        return [np.stack([0.5 + 0.5 * radius * np.cos(t), 0.5 + 0.5 * radius * np.sin(t)], 1)]
    loops = int(rng.integers(3, 7))
    t = np.linspace(0, loops * 2 * np.pi, 30 * loops)
    reach = rng.uniform(0.6, 1.2)  # how far each loop reaches back
    x = t + reach * 2.0 * np.sin(-t)
    y = np.cos(t) if rng.random() < 0.5 else -np.cos(t)  # loops open below, or above (e's)
    return [np.stack([(x - x.min()) / np.ptp(x), (y - y.min()) / np.ptp(y)], 1)], 0.5 * loops


# Lower-case letters and an s-curve as pen strokes in a unit box (x right, y down).
LETTERS = {
    "a": [arc(0.45, 0.55, 0.4, 0.42, -30, 330) + [(0.85, 0.2), (0.85, 0.9), (0.98, 1.0)]],
    "e": [[(0.1, 0.5), (0.9, 0.5)] + arc(0.5, 0.5, 0.4, 0.45, 0, -300)],
    "k": [[(0.15, 0.0), (0.15, 1.0)], [(0.85, 0.35), (0.17, 0.7), (0.85, 1.0)]],
    "m": [[(0.05, 1.0), (0.05, 0.2)] + arc(0.28, 0.4, 0.22, 0.25, 180, 360) + [(0.5, 1.0)]
          + arc(0.73, 0.4, 0.22, 0.25, 180, 360)[1:] + [(0.95, 1.0)]],
    "w": [[(0.0, 0.0), (0.25, 1.0), (0.5, 0.35), (0.75, 1.0), (1.0, 0.0)]],
    "x": [[(0.05, 0.0), (0.95, 1.0)], [(0.95, 0.0), (0.05, 1.0)]],
    "z": [[(0.05, 0.0), (0.95, 0.0), (0.05, 1.0), (0.95, 1.0)]],
}


def _letter(rng):
    return [np.array(stroke, float) for stroke in LETTERS[rng.choice(sorted(LETTERS))]]


def _s_curve(rng):
    """An s standing up, or a wave lying down (~) of 1.5 to 3 half-turns."""
    if rng.random() < 0.5:
        return [np.array(arc(0.5, 0.25, 0.4, 0.25, 330, 90) + arc(0.5, 0.75, 0.4, 0.25, 270, 510))]
    half_turns = rng.uniform(1.5, 3.0)
    t = np.linspace(0, 1, 60)
    return [np.stack([t, 0.5 + 0.5 * np.sin(np.pi * half_turns * t)], axis=1)], half_turns / 2


def _random_walk(rng):
    """A walk of 20 to 60 steps that keeps some of its heading: a wandering line."""
    steps = int(rng.integers(20, 60))
    heading = np.cumsum(rng.normal(0, 0.6, steps))
    points = np.cumsum(np.stack([np.cos(heading), np.sin(heading)], 1), axis=0)
    points -= points.min(axis=0)
    return [points / max(np.ptp(points, axis=0).max(), 1e-9)]


def _strokes(rng):
    """Two to four short strokes, straight or bent, scattered over the box."""
    made = []
    for _ in range(int(rng.integers(2, 5))):
        start = rng.uniform(0, 1, 2)
        end = np.clip(start + rng.normal(0, 0.35, 2), 0, 1)
        middle = (start + end) / 2 + rng.normal(0, 0.1, 2)
        made.append(np.array([start, middle, end]))
    return made


# Shapes drawn only for training (``TRAINING_KINDS``), in a unit box (x right, y down): letters
# other than ``LETTERS`` and none that a digit is often written like (b, g, l, o, q, s), symbols
# and doodles.
SHAPES = {
    "c": [arc(0.55, 0.5, 0.45, 0.5, 45, 315)],
    "f": [arc(0.75, 0.25, 0.25, 0.25, 0, -180)[::-1][:-1] + [(0.5, 0.25), (0.5, 1.0)],
          [(0.2, 0.45), (0.85, 0.45)]],
    "h": [[(0.15, 0.0), (0.15, 1.0)],
          [(0.15, 1.0), (0.15, 0.6)] + arc(0.5, 0.6, 0.35, 0.3, 180, 360) + [(0.85, 1.0)]],
    "n": [[(0.1, 1.0), (0.1, 0.3)] + arc(0.5, 0.45, 0.4, 0.35, 180, 360) + [(0.9, 1.0)]],
    "r": [[(0.2, 1.0), (0.2, 0.2)], [(0.2, 0.55)] + arc(0.6, 0.45, 0.4, 0.3, 180, 300)],
    "u": [[(0.1, 0.0)] + arc(0.5, 0.6, 0.4, 0.4, 180, 0) + [(0.9, 0.0), (0.9, 1.0)]],
    "v": [[(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)]],
    "t": [[(0.45, 0.0), (0.45, 0.85), (0.6, 1.0), (0.85, 0.95)], [(0.1, 0.3), (0.85, 0.3)]],
    "plus": [[(0.5, 0.0), (0.5, 1.0)], [(0.0, 0.5), (1.0, 0.5)]],
    "hash": [[(0.35, 0.0), (0.3, 1.0)], [(0.7, 0.0), (0.65, 1.0)], [(0.0, 0.35), (1.0, 0.35)],
             [(0.0, 0.7), (1.0, 0.7)]],
    "star": [[(0.5, 0.0), (0.2, 1.0), (1.0, 0.35), (0.0, 0.35), (0.8, 1.0), (0.5, 0.0)]],
    "asterisk": [[(0.5, 0.0), (0.5, 1.0)], [(0.05, 0.25), (0.95, 0.75)],
                 [(0.95, 0.25), (0.05, 0.75)]],
    "heart": [arc(0.28, 0.28, 0.24, 0.24, 180, 360) + arc(0.72, 0.28, 0.24, 0.24, 180, 360)
              + [(0.5, 1.0), (0.04, 0.3)]],
    "square": [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
    "triangle": [[(0.5, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.0)]],
    "arrow": [[(0.0, 0.5), (1.0, 0.5)], [(0.6, 0.15), (1.0, 0.5), (0.6, 0.85)]],
    "smiley": [arc(0.5, 0.5, 0.5, 0.5, 0, 360), [(0.35, 0.3), (0.35, 0.38)],
               [(0.65, 0.3), (0.65, 0.38)], arc(0.5, 0.55, 0.25, 0.2, 20, 160)],
    "crossed box": [[(0, 0), (1, 1)], [(0, 1), (1, 0)], [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
}


def _shape(rng):
    return [np.array(stroke, float) for stroke in SHAPES[rng.choice(sorted(SHAPES))]]


KINDS = {
    "scribble": _scribble,
    "zigzag": _zigzag,
    "chevron": _chevron,
    "loops": _loops,
    "letter": _letter,
    "s-curve": _s_curve,
    "random walk": _random_walk,
    "strokes": _strokes,
}
# What the no-digit model trains on: the benchmark's kinds but letters and scattered strokes
# (each of those marks alone may well be a 1), and shapes of its own.
TRAINING_KINDS = {**{kind: KINDS[kind] for kind in KINDS if kind not in ("letter", "strokes")},
                  "shape": _shape}


def _smooth(points, per_segment):
    """A Catmull-Rom curve through ``points`` (N, 2), ``per_segment`` points between each."""
    padded = np.concatenate([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, np.newaxis]
    curve = []
    for k in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[k - 1 : k + 3]
        curve.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                            + (3 * p1 - p0 - 3 * p2 + p3) * t ** 3))
    return np.concatenate(curve + [points[-1:]])


def draw(kind: str, rng: np.random.Generator, settings: Settings = TUNING):
    """One non-digit drawing of ``kind`` (a key of ``KINDS`` or ``TRAINING_KINDS``): a white
    PAD x PAD PIL image, black ink, drawn stroke by stroke as on the pad."""
    drawers = KINDS | TRAINING_KINDS
    if kind not in drawers:
        raise ValueError(f"kind must be one of {sorted(drawers)}, got {kind!r}")
    made = drawers[kind](rng)
    strokes, wider = made if isinstance(made, tuple) else (made, 1.0)  # some kinds are wide
    height = rng.uniform(*settings.height)
    width = height * rng.uniform(*settings.aspect) * wider
    slant = rng.uniform(-settings.slant, settings.slant)
    brush = float(rng.uniform(*settings.brush))
    room = PAD - 20 - 2 * brush
    shrink = min(1.0, room / (width * (1 + abs(slant))), room / height)  # keep it on the pad
    width, height = width * shrink, height * shrink
    reach = width * (1 + abs(slant))  # how wide it is once sheared
    left = rng.uniform(10 + brush, max(10 + brush, PAD - 10 - brush - reach))
    top = rng.uniform(10 + brush, max(10 + brush, PAD - 10 - brush - height))
    warp = _warp(rng, settings.wobble)
    pad = Drawing(PAD, PAD, brush=brush)
    for stroke in strokes:
        stroke = warp(np.asarray(stroke, float))
        x = left + (stroke[:, 0] + slant * (0.5 - stroke[:, 1]) + abs(slant) / 2) * width
        y = top + stroke[:, 1] * height
        pad.add_stroke(zip(np.clip(x, 2, PAD - 2), np.clip(y, 2, PAD - 2), strict=True))
    return pad.to_image()


def _warp(rng, wobble):
    """A smooth random bend of the unit box (a shaky hand), moving points by about ``wobble``:
    a sum of three random waves in each direction."""
    frequencies = rng.uniform(1, 4, (2, 3, 2))
    phases = rng.uniform(0, 2 * np.pi, (2, 3))
    amplitude = wobble / np.sqrt(1.5)

    def bend(points):  # (N, 2) -> (N, 2)
        angles = np.einsum("pn,dkn->dkp", points, np.pi * frequencies) + phases[..., np.newaxis]
        return points + amplitude * np.sin(angles).sum(axis=1).T

    return bend


def generate(per_kind: int = 20, settings: Settings = TUNING, kinds=tuple(KINDS)):
    """``[(kind, image), ...]``: ``per_kind`` drawings of each kind, kind by kind; the same
    settings give the same drawings."""
    if isinstance(per_kind, bool) or not isinstance(per_kind, int) or per_kind < 1:
        raise ValueError(f"per_kind must be a whole number of at least 1, got {per_kind!r}")
    rng = np.random.default_rng(settings.seed)
    return [(kind, draw(kind, rng, settings)) for kind in kinds for _ in range(per_kind)]
