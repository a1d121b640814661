"""digitlib.reading.touching: candidate cuts through touching digits and the search over them."""

import numpy as np

from digitlib.datasets.synthetic import arc, draw_digits
from digitlib.reading import images, segment, touching
from digitlib.reading.strokes import Drawing
from tests.helpers import touching_numbers


def rings(bridge=True, slanted=False):
    """Two drawn 0s side by side, joined by a short stroke when ``bridge``; ``slanted`` leans
    them right so that no straight column runs between them."""
    pad = Drawing(240, 140, brush=10.0)
    lean = 0.35 if slanted else 0.0
    for centre in (60, 150):
        pad.add_stroke([(x + lean * (70 - y), y) for x, y in arc(centre, 70, 30, 50, 0, 360)])
    if bridge:
        pad.add_stroke([(90, 70), (120, 70)])
    return pad.to_image()


def one_piece(picture):
    (found,) = segment.find_digits(images.to_ink(picture))
    return found


def test_a_cut_path_separates_slanted_touching_digits():
    alone = segment.find_digits(images.to_ink(rings(bridge=False, slanted=True)))
    graph = touching.candidate_pieces(one_piece(rings(slanted=True)))
    assert graph is not None and len(graph.cuts) >= 2
    # Some pair of neighbouring pieces is exactly the two rings, each with its own ink only.
    boxes = {graph.spans[k]: piece.box for k, piece in enumerate(graph.pieces, 1)}
    last = len(graph.cuts) + 1
    assert any(segment.iou(boxes[(0, i)], alone[0].box) > 0.9
               and segment.iou(boxes[(i, last)], alone[1].box) > 0.9
               for i in range(1, last) if (0, i) in boxes and (i, last) in boxes)
    for cut in graph.cuts:  # paths run top to bottom, inside the ink array
        assert cut.path.shape == (graph.found.ink.shape[0],)
        assert 0 <= cut.path.min() and cut.path.max() < graph.found.ink.shape[1]


def test_pieces_either_side_of_a_cut_share_all_the_ink():
    (canvas, _, _), = touching_numbers(1, 2, seed=0)
    found = one_piece(canvas)
    graph = touching.candidate_pieces(found)
    last = len(graph.cuts) + 1
    pieces = {graph.spans[k]: piece for k, piece in enumerate(graph.pieces, 1)}
    splits = [i for i in range(1, last) if (0, i) in pieces and (i, last) in pieces]
    assert splits
    total = np.count_nonzero(found.ink > segment.INK_LEVEL)
    for i in splits:
        assert sum(np.count_nonzero(pieces[span].ink > segment.INK_LEVEL)
                   for span in ((0, i), (i, last))) == total


def two_rings_graph():
    """The cut graph of two touching rings, readings that say 0 surely for every span, and the
    two spans that split the ink into a left and a right piece."""
    graph = touching.candidate_pieces(one_piece(rings()))
    spans = graph.spans
    last = len(graph.cuts) + 1
    sure = np.full((len(spans), 10), 0.001)
    sure[:, 0] = 0.991
    pair = next(k for k, (i, j) in enumerate(spans) if i == 0 and (j, last) in spans)
    return graph, sure, pair, spans.index((spans[pair][1], last))


def test_search_keeps_a_sure_whole_and_takes_sure_pieces():
    graph, sure, pair, second = two_rings_graph()
    # The whole reads surely: it stays one digit.
    assert touching.best_reading(graph, sure) == [0]
    # The whole is doubtful and two pieces read surely: those two.
    doubtful = sure.copy()
    doubtful[:] = 0.1
    doubtful[[pair, second]] = sure[0]
    assert touching.best_reading(graph, doubtful) == [pair, second]


def test_the_companion_decides_between_equally_sure_readings():
    graph, sure, pair, second = two_rings_graph()
    # Every span reads surely: the companion's opinion of which are whole digits decides.
    two = np.full(len(graph.spans), 0.01)
    two[[pair, second]] = 0.9
    assert touching.best_reading(graph, sure, two) == [pair, second]
    one = np.full(len(graph.spans), 0.01)
    one[0] = 0.9
    assert touching.best_reading(graph, sure, one) == [0]
    # Two whole digits judged as sure as one whole piece: two digits (the bonus per digit).
    both = one.copy()
    both[[pair, second]] = 0.9
    assert touching.best_reading(graph, sure, both) == [pair, second]


def test_only_wide_doubtful_ink_is_searched():
    narrow = one_piece(draw_digits([1], [(20, 20, 40, 100)], (100, 140)))
    wide = one_piece(rings())
    assert not touching.may_hold_several(narrow, 0.5)
    assert touching.may_hold_several(wide, 0.5)
    assert touching.may_hold_several(wide, 1.0)  # over SURELY_SEVERAL: searched however sure
    square = one_piece(draw_digits([0], [(20, 20, 100, 100)], (140, 140)))
    assert not touching.may_hold_several(square, 1.0)
    # ... unless the companion model doubts that it is one whole digit.
    assert touching.may_hold_several(square, 1.0, whole=0.05)
    assert not touching.may_hold_several(square, 1.0, whole=0.9)
    assert not touching.may_hold_several(narrow, 1.0, whole=0.05)


def test_search_explains_one_piece():
    class Model:  # reads everything as a sure 3
        def __call__(self, batch):
            probabilities = np.full((len(batch), 10), 0.001)
            probabilities[:, 3] = 0.991
            return probabilities

    graph, chosen, probabilities = touching.search(one_piece(rings()), Model())
    assert len(probabilities) == len(graph.spans) and chosen
    covered = [graph.spans[k] for k in chosen]
    assert covered[0][0] == 0 and covered[-1][1] == len(graph.cuts) + 1
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:], strict=False))


def test_a_candidate_reading_blends_both_models():
    digit_model = np.array([[0.6, 0.4] + [0.0] * 8], np.float32)
    companion = np.array([[0.1, 0.5] + [0.0] * 8 + [0.4]], np.float32)  # 40 %: not whole
    assert touching.blend(digit_model, None) is digit_model
    blended = touching.blend(digit_model, companion)
    np.testing.assert_allclose(blended.sum(axis=1), 1.0, rtol=1e-5)
    # sqrt(0.6 * 0.1 / 0.6) against sqrt(0.4 * 0.5 / 0.6): the companion tips it to a 1
    assert blended[0].argmax() == 1 and blended[0, 1] > 0.6
    assert touching.blend(digit_model, np.roll(companion, 1, axis=1))[0].argmax() == 0
