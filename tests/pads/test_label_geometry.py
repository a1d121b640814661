"""digitlib.pads.label_geometry: labels of neighbouring boxes never cover each other."""

import itertools

import pytest

from digitlib.pads import label_geometry


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_all(boxes, size, image_size):
    placed = []
    for box in boxes:
        placed.append(label_geometry.place(box, size, image_size, placed))
    return placed


def test_above_the_box_when_there_is_room():
    assert label_geometry.place((50, 40, 90, 120), (30, 12), (200, 200), []) == (50, 28, 80, 40)


def test_below_beside_or_inside_when_the_box_touches_the_top():
    assert label_geometry.place((50, 5, 90, 120), (30, 12), (200, 200), []) == (50, 120, 80, 132)
    # No room above or below: beside it.
    assert label_geometry.place((50, 5, 90, 195), (30, 12), (200, 200), []) == (20, 5, 50, 17)
    # No room anywhere outside: inside the top of the box.
    assert label_geometry.place((5, 5, 195, 195), (30, 12), (200, 200), []) == (5, 5, 35, 17)


def test_never_past_the_right_edge():
    spot = label_geometry.place((190, 40, 199, 120), (30, 12), (200, 200), [])
    assert spot[2] <= 200 and spot[0] == 170


@pytest.mark.parametrize("gap", [0, 4, 10])
def test_close_neighbours_labels_do_not_overlap(gap):
    # Three narrow digits (a 1, a 1, a 7) closer together than their labels are wide.
    boxes = [(20 + k * (15 + gap), 50, 35 + k * (15 + gap), 150) for k in range(3)]
    placed = place_all(boxes, (40, 14), (300, 200))
    assert not any(overlap(a, b) for a, b in itertools.combinations(placed, 2))
    assert all(0 <= s[0] and s[2] <= 300 and 0 <= s[1] and s[3] <= 200 for s in placed)
