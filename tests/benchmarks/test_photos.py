"""benchmarks.photos: generated photos read by the photo path and by the pad's path."""

from benchmarks import photos
from tests.benchmarks.running import refused


def test_bench_photos_takes_its_set_sizes_and_seed(capsys):
    assert "expected 1 or more" in refused(photos.main, ["--singles", "0"], capsys)
    assert "unrecognized arguments: --train" in refused(photos.main, ["--train"], capsys)
