"""digitlib.reading.strokes: a whole stroke added in code is what the pointer events record."""

import numpy as np
import pytest

from digitlib.reading.strokes import Drawing


def by_events(points, brush=12.0):
    pad = Drawing(120, 80, brush=brush)
    pad.start(*points[0])
    for x, y in points[1:]:
        pad.extend(x, y)
    pad.end()
    return pad


def test_add_stroke_records_and_draws_what_the_pointer_would():
    points = [(10, 10), (60, 70), (110, 15)]
    pad = Drawing(120, 80, brush=12.0)
    pad.add_stroke(points)
    expected = by_events(points)
    assert [(s.width, s.points) for s in pad.strokes] == [(12.0, [(10.0, 10.0), (60.0, 70.0),
                                                                  (110.0, 15.0)])]
    assert not pad.in_stroke
    np.testing.assert_array_equal(np.asarray(pad.to_image()), np.asarray(expected.to_image()))
    assert (np.asarray(pad.to_image()) == 0).sum() > 500  # real ink along the path


def test_add_stroke_takes_arrays_and_single_points_and_undo_removes_it():
    pad = Drawing(120, 80)
    pad.add_stroke(np.array([[20.0, 20.0], [40.0, 60.0]]))
    pad.add_stroke([(90, 40)])  # a dot
    assert [len(stroke.points) for stroke in pad.strokes] == [2, 1]
    assert all(isinstance(v, float) for v in pad.strokes[0].points[0])
    assert pad.undo() and len(pad.strokes) == 1


@pytest.mark.parametrize("points, error, words", [
    ([], ValueError, "at least one point"),
    ([(1, 2, 3)], TypeError, r"\(x, y\) pairs"),
    ([5, 6], TypeError, r"\(x, y\) pairs"),
    (None, TypeError, r"\(x, y\) pairs"),
    ([(1, float("nan"))], ValueError, "finite"),
    ([(0, 0), (float("inf"), 3)], ValueError, "finite"),
])
def test_add_stroke_refuses_bad_points_and_records_nothing(points, error, words):
    pad = Drawing(120, 80)
    with pytest.raises(error, match=words):
        pad.add_stroke(points)
    assert pad.is_empty and not pad.in_stroke


def test_add_stroke_while_the_pen_is_down_is_refused():
    pad = Drawing(120, 80)
    pad.start(10, 10)
    with pytest.raises(ValueError, match="in progress"):
        pad.add_stroke([(50, 50), (60, 60)])
    assert len(pad.strokes) == 1 and pad.in_stroke
