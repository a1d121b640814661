"""Read a piece of ink that holds several touching digits: segmentation by recognition.

People write numbers fast, and neighbouring digits touch: then ``segment.find_digits`` returns
one piece of ink for two or more digits. No rule on the ink alone says where one digit ends,
so we over-segment and let the model choose:

1. Candidate cuts (``candidate_cuts``): paths from the top of the ink to its bottom that cross
   as little ink as possible. Each is a seam found by dynamic programming over the rows (it may
   step sideways, so it can be slanted or wind through the gap between two digits, like a
   drop-fall path), ending in a valley of the ink's lower contour or starting in one of its
   upper contour, plus straight columns where the fewest ink pixels are. A cut is a path, not a
   column: each side's ink is the ink on its side of the path.
2. Candidate digits (``candidate_pieces``): the ink between any two cuts that are at most
   ``MAX_SPAN`` apart, if it is tall and narrow enough to be one digit. All of them go to the
   model in one batched call.
3. The search (``best_reading``): the sequence of pieces from the left of the ink to its right
   whose readings are jointly most likely, by dynamic programming over the cut graph. Each
   piece scores the log-probability of its reading, plus a prior on its size relative to the
   writing's height: a digit is about as tall as the writing and at most a little wider than
   tall (a candidate wider than ``MAX_ASPECT`` is none), and the companion model of
   ``digitlib.reading.whole_digit`` says how likely it is to be one whole digit rather than a
   fragment or two touching digits (the digit model names a digit even for a fragment); with it
   each digit also earns a bonus, so that the sum does not favour fewer digits. The companion,
   trained on candidates cut this way, also reads which digit each one is; its reading and the
   digit model's are blended (``blend``). The whole piece is one of the candidates, so a wide 0
   stays whole when it reads better whole, and a 1 is too narrow to be searched at all.

Only ink that looks like more than one digit is searched (``may_hold_several``): wider than a
typical single digit and not read with near certainty, or narrower and doubted by the companion
model. Separated digits rarely are, so a canvas of separated digits reads as before
and no slower.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from digitlib.reading import whole_digit
from digitlib.reading.preprocess import stroke_width, to_mnist
from digitlib.reading.segment import INK_LEVEL, Segment

# Which pieces are searched: ink at least SEVERAL_ASPECT times as wide as tall that the model
# reads less surely than SURE, and any ink at least SURELY_SEVERAL times as wide as tall. On
# strings of MNIST training digits a lower SEVERAL_ASPECT reads a few more numbers right but
# searches many more single digits (a 3 or a 5 is often as wide as tall), which costs time.
SEVERAL_ASPECT = 1.1
SURE = 0.9999
SURELY_SEVERAL = 1.2
# ... and ink that the companion model (``digitlib.reading.whole_digit``) thinks is one whole digit
# with
# a probability under NOT_WHOLE, if it is at least NOT_WHOLE_ASPECT times as wide as tall, or
# at least DOUBTED_ASPECT times and read less surely than SURE (two touching 1s, or a 1 and a 7,
# are hardly wider than one digit; a 6 with an open loop is a sure 6 that looks like "10").
# Tuned on numbers of MNIST validation digits for the fewest touching pieces left unsearched
# while few more single digits are searched than by the width rules alone (a search costs as
# much as reading a few digits) and none of 1,500 single validation digits is cut.
NOT_WHOLE = 0.1
NOT_WHOLE_ASPECT = 0.8
DOUBTED_ASPECT = 0.6
# Cuts are found on a copy max-pooled to WORK_HEIGHT-(2 * WORK_HEIGHT - 1) rows. A seam pays 1
# for each ink pixel it crosses and SIDESTEP (each value gives its own seams) per sideways
# pixel; a cut crossing more ink than MAX_CUT_INK of the height is no cut between digits.
WORK_HEIGHT = 32
SIDESTEPS = (0.15, 0.6)
MAX_CUT_INK = 0.8
DISTINCT = 2.0  # cuts whose paths lie less than this many working pixels apart are one cut
CUTS_PER_DIGIT = 5  # at most this many cuts per digit-height of width, crossing the least ink
# A candidate digit lies between two cuts at most MAX_SPAN apart, holds at least MIN_INK of the
# ink and is at most MAX_ASPECT times as wide as the writing is tall.
MAX_SPAN = 8
MIN_INK = 0.04
MAX_ASPECT = 1.3
MIN_TALL = 0.45  # ... and is at least this share of the writing's height tall
# The search's score of a reading: the sum over its digits of log(probability) - SHORT_PENALTY
# * (how much shorter than TALL of the writing's height the digit is).
TALL = 0.6
SHORT_PENALTY = 13.0
# ... plus, when there is a companion model (``digitlib.reading.whole_digit``), for each digit
# WHOLE_WEIGHT * the log-odds of its being one whole digit + DIGIT_BONUS + MARGIN_WEIGHT *
# (log-probability of its reading - that of the runner-up) - WIDE_PENALTY * (how much wider
# than WIDE times the writing's height it is). Fragments and touching pairs score low; the
# bonus makes up for what every digit pays, whole or not (without it the sum favours fewer
# digits: two touching digits read as one); the margin still tells a sure reading from a surer
# one when both probabilities round to 1; the width cost keeps a long piece from reading as one
# wide digit. All tuned together for exact strings on numbers of MNIST validation digits (the
# last 5,000 training images, which neither model trained on), upright and slanted, with no
# single validation digit cut. Without the companion the bonus cuts whole digits into fragments
# that the digit model reads surely, and the width cost did worse too, so the score is then the
# first line's alone.
WHOLE_WEIGHT = 0.3
DIGIT_BONUS = 1.05
MARGIN_WEIGHT = 0.05
WIDE = MAX_ASPECT  # only the whole piece can be wider: a candidate is at most MAX_ASPECT wide
WIDE_PENALTY = 1.3
# A candidate's reading blends the digit model's probabilities with the companion's (``blend``),
# this share of the way (in log-probability) towards the companion's: on numbers of validation
# digits 0.5 read more right than 0.4 or 0.6, and either model alone read fewer.
COMPANION_SHARE = 0.5


@dataclass(eq=False)
class Cut:
    """A cut through a piece of ink: ``boundary[y]`` is the first column (of the piece's ink
    array) on the right side in row y."""

    boundary: np.ndarray  # (H,) float, one per row of the piece's ink array
    ink: float  # share of the height in ink pixels the cut crosses
    path: np.ndarray  # (H,) the column the cut passes in each row (for plots)


@dataclass(eq=False)
class Candidates:
    """The cut graph of a piece of ink: its cuts, left to right, and the candidate digits."""

    found: Segment
    cuts: list[Cut]
    spans: list[tuple[int, int]]  # (i, j): the piece between boundary i and j (0 = left edge)
    pieces: list[Segment]
    shapes: np.ndarray  # (N, 2) each piece's height and width over the writing's height


def may_hold_several(found: Segment, confidence: float, whole: float | None = None) -> bool:
    """Whether ``found`` (read as one digit ``confidence`` surely, and one whole digit with
    probability ``whole`` by the companion model, if known) may be touching digits."""
    aspect = _aspect(found)
    return (aspect >= SURELY_SEVERAL or (confidence < SURE and aspect >= SEVERAL_ASPECT)
            or (whole is not None and whole < NOT_WHOLE
                and aspect >= (NOT_WHOLE_ASPECT if confidence >= SURE else DOUBTED_ASPECT)))


def read_pieces(found: list[Segment], readings, classify, reading):
    """Read each piece of ``found`` as one digit or, where it may hold several, as the likeliest
    sequence of digits; every candidate of every piece goes to the model in one call.

    ``readings``: each piece's reading as one digit (with ``.confidence``, ``.probabilities``,
    ``.image28``); ``classify``: images (N, 28, 28) -> probabilities (N, 10);
    ``reading(probabilities, image28, segment)`` makes a reading of a new piece. Returns the
    readings, in order.
    """
    # The companion model's opinion of the pieces wide enough to be two digits (one call).
    wide = [k for k, piece in enumerate(found) if _aspect(piece) >= DOUBTED_ASPECT]
    wholes = [None] * len(found)
    first = (whole_digit.probabilities(np.stack([readings[k].image28 for k in wide]))
             if wide else None)
    for k, opinion in zip(wide, [] if first is None else first, strict=False):
        wholes[k] = float(opinion)
    searched = [candidate_pieces(piece) if may_hold_several(piece, whole.confidence, opinion)
                else None for piece, whole, opinion in zip(found, readings, wholes, strict=True)]
    new = [piece for graph in searched if graph for piece in graph.pieces]
    if not new:
        return list(readings)
    batch = np.stack([candidate_image(piece) for piece in new])
    # The companion's reading of every candidate, and of the searched pieces it has not judged
    # yet (narrower than DOUBTED_ASPECT: only when the thresholds search every piece).
    unknown = [k for k, graph in enumerate(searched) if graph and wholes[k] is None]
    opinions = whole_digit.opinions(
        np.concatenate([batch] + [readings[k].image28[np.newaxis] for k in unknown]))
    if opinions is not None:
        for k, opinion in zip(unknown, whole_digit.whole(opinions[len(batch) :]), strict=True):
            wholes[k] = float(opinion)
        opinions = opinions[: len(batch)]
    probabilities = iter(zip(blend(classify(batch), opinions), batch, strict=True))
    of_piece = iter([] if opinions is None else whole_digit.whole(opinions))
    result = []
    for whole, graph, opinion in zip(readings, searched, wholes, strict=True):
        if graph is None:
            result.append(whole)
            continue
        read = [next(probabilities) for _ in graph.pieces]
        sure = (None if opinions is None else
                [opinion] + [next(of_piece) for _ in graph.pieces])
        chosen = best_reading(graph, [whole.probabilities] + [p for p, _ in read], sure)
        result += [whole if k == 0 else reading(read[k - 1][0], read[k - 1][1],
                                                graph.pieces[k - 1])
                   for k in chosen]
    return result


def blend(probabilities, opinions) -> np.ndarray:
    """The reading of candidate digits: the digit model's ``probabilities`` (N, 10) and the
    companion's ``opinions`` (N, 11; None: none) of which whole digit each is, as a normalised
    geometric mean weighted ``COMPANION_SHARE``. The digit model knows digits from 60,000
    examples; the companion knows how a digit looks once cut from its neighbours."""
    if opinions is None:
        return probabilities
    digits = opinions[:, :-1] / np.maximum(opinions[:, :-1].sum(axis=1, keepdims=True), 1e-12)
    mixed = np.exp((1 - COMPANION_SHARE) * np.log(np.maximum(probabilities, 1e-12))
                   + COMPANION_SHARE * np.log(np.maximum(digits, 1e-12)))
    return (mixed / mixed.sum(axis=1, keepdims=True)).astype(np.float32)


def search(found: Segment, classify):
    """The search on one piece of ink, for a lesson: ``(graph, chosen, probabilities)`` where
    ``graph`` is its cut graph (``Candidates``; None when it offers no cut), ``chosen`` the
    indices into ``graph.spans`` of the digits read and ``probabilities`` (N, 10) the model's
    reading of every span. ``classify``: e.g. ``Predictor.classify``."""
    graph = candidate_pieces(found)
    if graph is None:
        return None, [0], classify(to_mnist(found.ink)[np.newaxis])
    batch = np.stack([to_mnist(found.ink)] + [candidate_image(piece) for piece in graph.pieces])
    opinions = whole_digit.opinions(batch)
    probabilities = classify(batch)
    if opinions is not None:  # the whole piece keeps the digit model's reading, as in read_pieces
        probabilities[1:] = blend(probabilities[1:], opinions[1:])
    return graph, best_reading(graph, probabilities, whole_digit.whole(opinions)), probabilities


def candidate_image(piece: Segment) -> np.ndarray:
    """The 28x28 image of a candidate digit. Not stood up (``to_mnist(stand_up=False)``): as
    many candidates are fragments or pairs as digits, the search and the companion model were
    tuned on them as they are, and on numbers of validation digits standing them up read no
    more right while it took a third of the time ``to_mnist`` spends on them."""
    return to_mnist(piece.ink, stand_up=False)


def candidate_cuts(found: Segment) -> list[Cut]:
    """Ways to cut the ink of ``found`` from top to bottom, left to right; [] for none."""
    mask = found.ink > INK_LEVEL
    factor = max(1, (found.box[3] - found.box[1]) // WORK_HEIGHT)
    small = _max_pool(mask, factor)
    height = found.box[3] - found.box[1]
    columns = np.flatnonzero(small.any(axis=0))
    if len(columns) < 3:
        return []
    # Cuts end well inside the ink: a digit is at least a stroke wide.
    stroke = max(1.0, stroke_width(small))
    first, last = columns[0] + stroke, columns[-1] - stroke
    cost = small.astype(np.float32)
    paths = []
    # Every sidestep's seams ending at the bottom, then at the top, found together.
    kinds = [(sidestep, flip) for sidestep in SIDESTEPS for flip in (False, True)]
    totals, moves = _seams(np.stack([cost[::-1] if flip else cost for _, flip in kinds]),
                           np.array([sidestep for sidestep, _ in kinds], dtype=np.float32))
    for (_, flip), total, move in zip(kinds, totals, moves, strict=True):
        found_paths = _backtrack(move, _valleys(total, first, last))
        paths += list(found_paths[:, ::-1] if flip else found_paths)
    profile = small.sum(axis=0).astype(np.float32)
    rows = np.arange(small.shape[0])
    paths += [np.full(small.shape[0], x) for x in _valleys(profile, first, last)]
    if not paths:
        return []
    stacked = np.array(paths)
    crossed = small[rows, stacked].sum(axis=1) * factor / height
    apart = np.abs(stacked[:, np.newaxis] - stacked[np.newaxis]).mean(axis=2) >= DISTINCT
    most = CUTS_PER_DIGIT * (found.box[2] - found.box[0]) / height
    kept = []
    for k in np.argsort(crossed, kind="stable"):
        if crossed[k] > MAX_CUT_INK or len(kept) >= most:
            break
        if apart[k, kept].all():
            kept.append(k)
    cuts = [Cut(boundary=np.empty(0), ink=float(crossed[k]), path=paths[k]) for k in kept]
    full_rows = np.arange(mask.shape[0]) // factor
    for cut in cuts:
        cut.boundary = (cut.path[np.minimum(full_rows, len(cut.path) - 1)] + 0.5) * factor
        cut.path = cut.boundary - 0.5 * factor  # in the ink array's columns, for plots
    return sorted(cuts, key=lambda cut: cut.boundary.mean())


def candidate_pieces(found: Segment) -> Candidates | None:
    """The cut graph of ``found``; None when there is no way to cut it."""
    cuts = candidate_cuts(found)
    if not cuts:
        return None
    mask = found.ink > INK_LEVEL
    total = np.count_nonzero(mask)
    height = found.box[3] - found.box[1]
    columns = np.arange(mask.shape[1])
    bounds = ([np.full(mask.shape[0], -np.inf)] + [cut.boundary for cut in cuts]
              + [np.full(mask.shape[0], np.inf)])
    right_of = [columns >= bound[:, np.newaxis] for bound in bounds]
    # The columns between a boundary's leftmost and the next's rightmost: the rest is outside.
    lowest = [int(np.clip(np.floor(bound.min()), 0, mask.shape[1])) for bound in bounds]
    highest = [int(np.clip(np.ceil(bound.max()), 0, mask.shape[1])) for bound in bounds]
    spans, pieces, shapes = [], [], []
    for i in range(len(bounds) - 1):
        for j in range(i + 1, min(i + MAX_SPAN, len(bounds) - 1) + 1):
            if (i, j) == (0, len(bounds) - 1):
                continue  # the whole piece: already read
            left, right = lowest[i], highest[j]
            region = right_of[i][:, left:right] & ~right_of[j][:, left:right]
            inked = mask[:, left:right] & region
            area = np.count_nonzero(inked)
            if area < MIN_INK * total:
                continue
            rows, used = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
            tall, wide = (rows[-1] + 1 - rows[0]) / height, (used[-1] + 1 - used[0]) / height
            if wide > MAX_ASPECT or tall < MIN_TALL:
                continue
            spans.append((i, j))
            pieces.append(_piece(found, region, rows, used + left, left))
            shapes.append((tall, wide))
    left, top, right, bottom = found.box
    return Candidates(found=found, cuts=cuts, spans=[(0, len(bounds) - 1)] + spans,
                      pieces=pieces, shapes=np.array([(1.0, (right - left) / height)] + shapes))


def best_reading(graph: Candidates, probabilities, whole=None) -> list[int]:
    """Indices into ``graph.spans`` of the likeliest sequence of digits from the left edge to
    the right edge. ``probabilities``: the model's reading of each span, in order; ``whole``:
    each span's P(one whole digit) from the companion model, if there is one."""
    priors = -SHORT_PENALTY * np.maximum(0.0, TALL - graph.shapes[:, 0])
    runner_up, best = np.log(np.maximum(np.sort(probabilities, axis=1)[:, -2:], 1e-12)).T
    scores = best + priors
    if whole is not None:
        whole = np.asarray(whole, dtype=float)
        odds = np.log(np.maximum(whole, 1e-6)) - np.log(np.maximum(1 - whole, 1e-6))
        scores += (WHOLE_WEIGHT * odds + DIGIT_BONUS + MARGIN_WEIGHT * (best - runner_up)
                   - WIDE_PENALTY * np.maximum(0.0, graph.shapes[:, 1] - WIDE))
    ends = len(graph.cuts) + 1
    best = np.full(ends + 1, -np.inf)
    best[0] = 0.0
    came = [None] * (ends + 1)
    for k in sorted(range(len(graph.spans)), key=lambda k: graph.spans[k]):
        i, j = graph.spans[k]
        score = best[i] + scores[k]
        if score > best[j]:
            best[j], came[j] = score, k
    chosen, at = [], ends
    while at:
        chosen.append(came[at])
        at = graph.spans[came[at]][0]
    return chosen[::-1]


def _piece(found: Segment, region, rows, columns, offset: int) -> Segment:
    """The ink of ``found`` inside ``region`` (its columns from ``offset`` on), with a margin of
    2 px for anti-aliasing; ``rows`` and ``columns`` (of the ink array) hold the piece's ink."""
    height, width = found.ink.shape
    top, left = max(rows[0] - 2, 0), max(columns[0] - 2, 0)
    bottom, right = min(rows[-1] + 3, height), min(columns[-1] + 3, width)
    ink = np.zeros((bottom - top, right - left), dtype=np.float32)
    start, stop = max(left, offset), min(right, offset + region.shape[1])
    ink[:, start - left : stop - left] = (found.ink[top:bottom, start:stop]
                                          * region[top:bottom, start - offset : stop - offset])
    x, y = found.origin
    box = (x + int(columns[0]), y + int(rows[0]), x + int(columns[-1]) + 1, y + int(rows[-1]) + 1)
    return Segment(box=box, ink=ink.astype(np.float32), origin=(x + int(left), y + int(top)),
                   clutter=found.clutter)  # a cut piece lies among the same specks


def _aspect(found: Segment) -> float:
    left, top, right, bottom = found.box
    return (right - left) / (bottom - top)


def _max_pool(mask: np.ndarray, factor: int) -> np.ndarray:
    if factor == 1:
        return mask
    height, width = (-(-side // factor) * factor for side in mask.shape)
    padded = np.zeros((height, width), dtype=bool)
    padded[: mask.shape[0], : mask.shape[1]] = mask
    return padded.reshape(height // factor, factor, width // factor, factor).any(axis=(1, 3))


def _seams(cost: np.ndarray, sidestep: np.ndarray):
    """Cheapest top-to-bottom paths (one sideways pixel per row at most) ending in each column,
    for K cost arrays (K, H, W) at once, each with its own ``sidestep`` (K,): their costs (K, W)
    and the moves (K, H, W) to backtrack them (-1, 0, 1: came from the left, straight above,
    the right; on a tie the leftmost)."""
    count, height, width = cost.shape
    padded = np.full((count, width + 2), np.inf, dtype=np.float32)  # inf: no column outside
    padded[:, 1:-1] = cost[:, 0]
    moves = np.zeros(cost.shape, dtype=np.int8)
    step = sidestep[:, np.newaxis].astype(np.float32)
    for row in range(1, height):
        left, above, right = padded[:, :-2] + step, padded[:, 1:-1], padded[:, 2:] + step
        straight = above <= right
        nearer = np.where(straight, above, right)
        from_left = left <= nearer
        moves[:, row] = np.where(from_left, -1, np.where(straight, 0, 1))
        padded[:, 1:-1] = cost[:, row] + np.where(from_left, left, nearer)
    return padded[:, 1:-1], moves


def _backtrack(moves: np.ndarray, ends) -> np.ndarray:
    """The paths (len(ends), H) of the seams of ``moves`` (H, W) ending in columns ``ends``."""
    paths = np.empty((len(ends), moves.shape[0]), dtype=np.int64)
    paths[:, -1] = ends
    for row in range(moves.shape[0] - 1, 0, -1):
        paths[:, row - 1] = paths[:, row] + moves[row, paths[:, row]]
    return paths


def _valleys(values: np.ndarray, first: float, last: float) -> list[int]:
    """The middle column of each run of local minima of ``values`` between first and last."""
    lowest = ndimage.minimum_filter1d(values, size=5, mode="nearest") == values
    lowest[: max(0, int(np.ceil(first)))] = False
    lowest[int(last) + 1 :] = False
    labels, count = ndimage.label(lowest)
    if count == 0:
        return []
    centres = ndimage.center_of_mass(lowest, labels, range(1, count + 1))
    return [int(round(centre[0])) for centre in centres]
