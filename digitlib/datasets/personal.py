"""Your own handwriting as a small dataset: collect it, keep it safe on disk, load it.

    from digitlib.datasets.personal import PersonalDigits
    mine = PersonalDigits()                      # data/my_digits/ (created on the first save)
    mine.save(prediction.image28, 7)             # the 28x28 image the model saw, and its label
    mine.save_detection(detection, 7, canvas)    # the same from a reading, with the raw crop
    mine.delete_last()                           # undo the last save
    images, labels = mine.load()                 # (N, 28, 28) float32, (N,) int64

A model is measured on them by ``digitlib.training.evaluate.measure`` (notebook 07).

On disk: one ``<id>.npz`` per example (``image28`` float32 28x28 in [0, 1], ``crop`` uint8 ink
0-255 as drawn, possibly 0x0, and ``label``) plus ``index.json``. Both are written atomically,
the example file first: **the index is the source of truth**. A crash between the two leaves an
extra file that nothing reads (``orphans()`` lists them); nothing is ever half written, and no
user file is ever deleted except by ``delete_last``/``delete``, which the user asked for. The
hidden temporary files of a save killed halfway are removed when the folder is next opened,
once they are an hour old: only files named exactly as the store names its own temporary
files (``.index.digits-partial-k3j_x9qz.json``, ``.<id>.digits-partial-k3j_x9qz.npz``), never
any other file, hidden or not.

Problems on disk are errors, never silent: a corrupt ``index.json`` stops both loading and
saving (saving would otherwise write a new index and drop the old entries), and a corrupt or
modified example file makes ``load()`` raise ``PersonalDataError`` naming the file. Pass
``load(skip_bad=True)`` to skip such files with a warning instead; they stay on disk. Files in
the folder that the index does not list (a stray ``junk.npz``, notes, editor backups) are
ignored.
"""

import collections
import contextlib
import errno
import io
import json
import re
import secrets
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from digitlib import config, files
from digitlib.reading.preprocess import MNIST_SIZE

INDEX_NAME = "index.json"
INDEX_FORMAT = "digits-personal-1"
MIN_INK_PIXELS = 5  # an image with fewer pixels above half ink is an empty drawing
MAX_CROP_SIDE = 4096  # a raw crop larger than this on either side is refused
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}  # a delete then removes the example's file first
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
# The names of the files the store writes (its index, and example files named by ``_new_id``):
# only temporary files of these are ever cleaned up.
_OWN_FILES = re.compile(re.escape(INDEX_NAME) + r"|[0-9]{8}T[0-9]{6}-[0-9a-f]{6}\.npz")


class PersonalDataError(ValueError):
    """Something in the dataset folder cannot be read; the message names the file."""


class PersonalSaveError(PersonalDataError):
    """A save (or delete) failed on disk: "could not save: the disk is full (...)". The
    dataset is as it was before the call."""


@dataclass
class Example:
    """One saved example."""

    id: str
    label: int
    image28: np.ndarray  # (28, 28) float32 in [0, 1]
    crop: np.ndarray  # (H, W) uint8 ink 0-255 as drawn; (0, 0) when none was saved
    saved: str  # ISO time of the save


class PersonalDigits:
    """The learner's own labelled digits in ``folder`` (default ``data/my_digits/``)."""

    def __init__(self, folder=None):
        self.folder = Path(config.PERSONAL_DATA_DIR if folder is None else folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise PersonalDataError(f"{self.folder} is a file, not a dataset folder")
        if self.folder.is_dir():  # temporary files of a save that was killed halfway
            files.remove_stale_temporaries(self.folder, _OWN_FILES)

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    def __len__(self) -> int:
        return len(self._read_index())

    def __repr__(self) -> str:
        return f"PersonalDigits({str(self.folder)!r}: {len(self)} examples)"

    # --- writing -------------------------------------------------------------------------

    def save(self, image28, label, crop=None) -> str:
        """Add one example; returns its id. Duplicates are fine (more of your hand).

        ``image28``: the (28, 28) float image the model saw (``Prediction.image28``), values
        in [0, 1] with some ink. ``label``: the true digit, an int 0-9. ``crop``: optional raw
        ink as drawn (uint8 0-255 or floats in [0, 1], 2-D). Bad input raises ``ValueError``
        and writes nothing; a full or read-only disk raises ``PersonalSaveError`` ("could not
        save: the disk is full (...)") and leaves the dataset as it was.
        """
        label = check_label(label)
        image28 = check_image28(image28)
        crop = check_crop(crop)
        with self._disk_errors("save"), self._locked():
            entries = self._read_index()  # a corrupt index stops us here, before any write
            example_id = self._new_id(entries)
            buffer = io.BytesIO()
            np.savez(buffer, image28=image28, crop=crop, label=np.int64(label))
            data = buffer.getvalue()
            files.write_bytes_atomic(self._file(example_id), data)
            entries.append({
                "id": example_id,
                "label": label,
                "saved": datetime.now(UTC).isoformat(timespec="seconds"),
                "sha256": _sha256(data),
            })
            try:
                self._write_index(entries)
            except OSError:  # a full disk, say: the index is unchanged, take the file back
                with contextlib.suppress(OSError):
                    self._file(example_id).unlink()
                raise
        return example_id

    def save_detection(self, reading, label=None, canvas=None) -> str:
        """Save a ``Prediction`` or ``Detection`` from the predictor, with its true ``label``.

        ``label`` defaults to the model's reading (the user confirmed it). With ``canvas`` (the
        drawing the reading came from) the raw crop is kept too: the ``Detection``'s box, or
        the whole canvas for a ``Prediction``.
        """
        label = reading.digit if label is None else label
        crop = None
        if canvas is not None:
            from digitlib.reading import images

            ink = images.to_ink(canvas)
            box = getattr(reading, "box", None)
            if box is not None:
                left, top, right, bottom = box
                ink = ink[top:bottom, left:right]
            crop = ink
        return self.save(reading.image28, label, crop)

    def delete_last(self) -> str | None:
        """Undo the last save: remove it from the index, then its file. Returns its id, or
        None when the dataset is empty. Works on a full disk too (see ``delete``)."""
        if not self.folder.exists():
            return None
        with self._disk_errors("delete"), self._locked():
            entries = self._read_index()
            if not entries:
                return None
            last = entries.pop()
            self._write_index_then_remove(entries, last["id"])
        return last["id"]

    def delete(self, example_id: str) -> None:
        """Remove one example by id (for a mislabelled or corrupt one).

        On a full disk the example's file is removed first, to make room for the new index
        (it is put back if the index still cannot be written); a crash between the two leaves
        an index entry whose file is missing, which ``load`` names and deleting again removes.
        """
        with self._disk_errors("delete"), self._locked():
            entries = self._read_index()
            kept = [entry for entry in entries if entry["id"] != example_id]
            if len(kept) == len(entries):
                raise KeyError(f"no example {example_id!r} in {self.index_path}")
            self._write_index_then_remove(kept, example_id)

    # --- reading -------------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        """Example ids, oldest first."""
        return [entry["id"] for entry in self._read_index()]

    @property
    def labels(self) -> np.ndarray:
        """The labels as recorded in the index (reads no example file)."""
        return np.array([entry["label"] for entry in self._read_index()], dtype=np.int64)

    def counts(self) -> np.ndarray:
        """How many examples of each digit 0-9: (10,) ints."""
        return np.bincount(self.labels, minlength=10)

    def example(self, example_id: str) -> Example:
        """One example, with its raw crop."""
        for entry in self._read_index():
            if entry["id"] == example_id:
                return self._read_example(entry)
        raise KeyError(f"no example {example_id!r} in {self.index_path}")

    def load(self, skip_bad: bool = False):
        """``(images (N, 28, 28) float32, labels (N,) int64)`` in the order saved.

        A corrupt or modified example file raises ``PersonalDataError`` naming it; with
        ``skip_bad=True`` it is skipped with a warning (and left on disk) instead.
        """
        images, labels = [], []
        for entry in self._read_index():
            try:
                example = self._read_example(entry)
            except PersonalDataError as error:
                if not skip_bad:
                    raise
                warnings.warn(f"skipped: {error}", stacklevel=2)
                continue
            images.append(example.image28)
            labels.append(example.label)
        if not images:
            return np.zeros((0, MNIST_SIZE, MNIST_SIZE), np.float32), np.zeros(0, np.int64)
        return np.stack(images), np.array(labels, dtype=np.int64)

    def orphans(self) -> list[Path]:
        """Example files the index does not list (left by a crash mid-save). Never deleted."""
        if not self.folder.is_dir():
            return []
        listed = {self._file(example_id) for example_id in self.ids}
        return sorted(path for path in self.folder.glob("*.npz")
                      if not path.name.startswith(".") and path not in listed)

    # --- internals -----------------------------------------------------------------------

    def _file(self, example_id: str) -> Path:
        return self.folder / f"{example_id}.npz"

    def _new_id(self, entries) -> str:
        taken = {entry["id"] for entry in entries}
        while True:
            example_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
            if example_id not in taken and not self._file(example_id).exists():
                return example_id

    def _read_index(self) -> list[dict]:
        path = self.index_path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise PersonalDataError(f"cannot read {path}: {error}") from None
        try:
            try:
                index = json.loads(text)
            except RecursionError:  # "[[[[...]]]]" nested deeper than Python's stack
                raise ValueError("it is nested too deeply to be an index") from None
            if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
                raise ValueError(f"not a {INDEX_FORMAT} index")
            entries = index["examples"]
            if not isinstance(entries, list):
                raise ValueError("'examples' is not a list")
            unique = {}
            for entry in entries:
                if not (isinstance(entry, dict) and isinstance(entry.get("id"), str)
                        and _ID.match(entry["id"]) and isinstance(entry.get("sha256"), str)):
                    raise ValueError(f"bad entry {entry!r}")
                check_label(entry.get("label"))
                first = unique.setdefault(entry["id"], entry)
                if first is not entry and (first["label"], first["sha256"]) != (
                        entry["label"], entry["sha256"]):
                    raise ValueError(f"example {entry['id']} is listed twice, differently")
        except (ValueError, KeyError) as error:
            raise PersonalDataError(
                f"the index {path} is corrupt ({error}); your example files are untouched. "
                f"Restore the index from a backup, or move the folder aside to start afresh"
            ) from None
        if len(unique) < len(entries):  # the same example listed twice: count it once
            counts = collections.Counter(entry["id"] for entry in entries)
            twice = sorted(example_id for example_id, count in counts.items() if count > 1)
            warnings.warn(f"the index {path} lists {', '.join(twice)} more than once: each "
                          f"example is used once (the next save writes the index right)",
                          stacklevel=3)
            entries = list(unique.values())
        return entries

    def _write_index_then_remove(self, entries, example_id: str) -> None:
        """Write ``entries`` as the index, then remove the example file ``example_id``: first
        the index, so a crash in between leaves a harmless orphan. When the disk is too full
        for the new index, the example's file goes first to make room (see ``delete``)."""
        path = self._file(example_id)
        try:
            self._write_index(entries)
        except OSError as error:
            if error.errno not in _DISK_FULL or not path.is_file():
                raise
            data = path.read_bytes()
            path.unlink()
            try:
                self._write_index(entries)
            except OSError:
                files.write_bytes_atomic(path, data)  # the room it left is free again
                raise
            return
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def _write_index(self, entries) -> None:
        index = {"format": INDEX_FORMAT, "examples": entries}
        files.write_text_atomic(self.index_path, json.dumps(index, indent=1) + "\n")

    def _read_example(self, entry) -> Example:
        path = self._file(entry["id"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PersonalDataError(f"example file {path} cannot be read: {error}") from None
        if _sha256(data) != entry["sha256"]:
            raise PersonalDataError(f"example file {path} is corrupt or was modified "
                                    f"(its SHA-256 differs from the index's)")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                image28, crop, label = npz["image28"], npz["crop"], int(npz["label"])
            image28 = check_image28(image28)
            if label != entry["label"]:
                raise ValueError(f"label {label} differs from the index's {entry['label']}")
            if crop.dtype != np.uint8 or crop.ndim != 2:
                raise ValueError(f"crop must be 2-D uint8, got {crop.dtype} {crop.shape}")
        except Exception as error:  # numpy raises many kinds for a damaged archive
            raise PersonalDataError(f"example file {path} is corrupt: {error}") from None
        return Example(entry["id"], label, image28, crop, entry.get("saved", ""))

    @contextlib.contextmanager
    def _disk_errors(self, action: str):
        """Turn a failed write into ``PersonalSaveError``: "could not save: the disk is full"."""
        try:
            yield
        except OSError as error:
            raise PersonalSaveError(f"could not {action}: {files.describe_os_error(error)} "
                                    f"({self.folder}); your examples are as they were") from None

    @contextlib.contextmanager
    def _locked(self):
        """Hold a lock on the folder, so the pad and the app can save at the same time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # Windows: no lock; one front end at a time
            yield
            return
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def check_label(label) -> int:
    """The label as an int 0-9, or ``ValueError``. Booleans and floats are refused."""
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
        raise ValueError(f"a label must be an integer digit 0-9, got {label!r}")
    if not 0 <= label <= 9:
        raise ValueError(f"a label must be a digit 0-9, got {label}")
    return int(label)


def check_image28(image) -> np.ndarray:
    """The image as float32 (28, 28) in [0, 1] with some ink, or ``ValueError``."""
    image = np.asarray(image)
    if image.shape == (MNIST_SIZE, MNIST_SIZE, 1):
        image = image[..., 0]
    if image.shape != (MNIST_SIZE, MNIST_SIZE):
        raise ValueError(f"expected a 28x28 image (Prediction.image28), got shape {image.shape}")
    if not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f"expected float pixels in [0, 1], got dtype {image.dtype} "
                         f"(divide 0-255 pixels by 255)")
    if not np.isfinite(image).all():
        raise ValueError("the image holds NaN or infinite values")
    if image.min() < 0 or image.max() > 1:
        raise ValueError(f"pixels must lie in [0, 1], got {image.min():g} to {image.max():g}")
    if np.count_nonzero(image > 0.5) < MIN_INK_PIXELS:
        raise ValueError("the image is empty: draw a digit first")
    return image.astype(np.float32)


def check_crop(crop) -> np.ndarray:
    """The raw crop as 2-D uint8 ink 0-255 ((0, 0) for None), or ``ValueError``."""
    if crop is None:
        return np.zeros((0, 0), np.uint8)
    crop = np.asarray(crop)
    if crop.ndim != 2 or not (1 <= min(crop.shape) and max(crop.shape) <= MAX_CROP_SIDE):
        raise ValueError(f"a crop must be a 2-D image of 1 to {MAX_CROP_SIDE} pixels a side, "
                         f"got shape {crop.shape}")
    if crop.dtype == np.uint8:
        return crop.copy()
    if np.issubdtype(crop.dtype, np.floating):
        if not np.isfinite(crop).all() or crop.min() < 0 or crop.max() > 1:
            raise ValueError("a float crop must hold finite values in [0, 1]")
        return np.round(crop * 255).astype(np.uint8)
    raise ValueError(f"a crop must be uint8 (0-255) or float in [0, 1], got {crop.dtype}")
