"""digitlib.datasets.personal: collect your digits, keep them safe on disk, load them. (Measuring
a model on them: tests/training/test_evaluate.py; fine-tuning: tests/training/test_finetune.py.)"""

import errno
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from digitlib import files
from digitlib.datasets.personal import PersonalDataError, PersonalDigits, PersonalSaveError
from digitlib.datasets.synthetic import draw, example, write
from tests.disks import fill, make_read_only, tiny_disk


@pytest.fixture(scope="module")
def written():
    """A few of the synthetic writer's digits: (images28, labels, crops)."""
    return write(per_digit=3, seed=7)


@pytest.fixture
def mine(tmp_path):
    return PersonalDigits(tmp_path / "my_digits")


def snapshot(folder: Path) -> dict:
    """Every file in ``folder`` with its bytes (hidden lock file aside)."""
    if not folder.exists():
        return {}
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.name != ".lock"}


def saved_three(mine, written):
    images, labels, crops = written
    return [mine.save(images[k], int(labels[k]), crops[k]) for k in (0, 3, 6)]


# --- collecting --------------------------------------------------------------------------------


def test_save_and_load_round_trip(mine, written):
    images, labels, crops = written
    assert len(mine) == 0 and not mine.folder.exists()  # nothing is created before a save
    empty_images, empty_labels = mine.load()
    assert empty_images.shape == (0, 28, 28) and empty_labels.shape == (0,)

    ids = saved_three(mine, written)

    assert len(mine) == 3 and mine.ids == ids and len(set(ids)) == 3
    loaded, loaded_labels = PersonalDigits(mine.folder).load()  # a fresh reader of the folder
    assert loaded.dtype == np.float32 and loaded.shape == (3, 28, 28)
    np.testing.assert_array_equal(loaded, images[[0, 3, 6]])
    assert loaded_labels.dtype == np.int64 and loaded_labels.tolist() == labels[[0, 3, 6]].tolist()
    example = mine.example(ids[1])
    assert example.label == labels[3] and example.saved
    np.testing.assert_array_equal(example.crop, crops[3])
    assert mine.counts()[labels[0]] == 1 and mine.counts().sum() == 3
    assert sorted(p.name for p in mine.folder.glob("*.npz")) == sorted(f"{i}.npz" for i in ids)


def test_crop_is_optional_and_float_crops_become_uint8(mine, written):
    images, labels, _ = written
    plain = mine.save(images[0], 1)
    floats = mine.save(images[0], 1, crop=np.full((5, 4), 0.5))
    assert mine.example(plain).crop.shape == (0, 0)
    crop = mine.example(floats).crop
    assert crop.dtype == np.uint8 and crop.shape == (5, 4) and crop.max() == 128


def test_duplicates_are_allowed(mine, written):
    images, _, _ = written
    first, second = mine.save(images[0], 1), mine.save(images[0], 1)
    assert first != second and len(mine) == 2
    loaded, labels = mine.load()
    np.testing.assert_array_equal(loaded[0], loaded[1])
    assert labels.tolist() == [1, 1]


def test_label_may_be_a_numpy_integer(mine, written):
    images, labels, _ = written
    mine.save(images[0], labels[0])  # np.int64, as from argmax
    assert mine.labels.tolist() == [int(labels[0])]


def test_delete_last_undoes_the_last_save(mine, written):
    ids = saved_three(mine, written)
    assert mine.delete_last() == ids[2]
    assert mine.ids == ids[:2] and not (mine.folder / f"{ids[2]}.npz").exists()
    assert len(mine.load()[0]) == 2
    assert mine.delete_last() == ids[1] and mine.delete_last() == ids[0]
    assert mine.delete_last() is None and len(mine) == 0


def test_delete_by_id(mine, written):
    ids = saved_three(mine, written)
    mine.delete(ids[1])
    assert mine.ids == [ids[0], ids[2]]
    with pytest.raises(KeyError, match=ids[1]):
        mine.delete(ids[1])


def test_save_detection_keeps_the_reading_and_the_raw_crop(mine):
    from digitlib.reading.predict import Detection, Prediction

    rng = np.random.default_rng(0)
    canvas = draw(7, rng)
    image28, _ = example(7, rng)
    probabilities = np.eye(10, dtype=np.float32)[3]
    fields = dict(digit=3, confidence=1.0, probabilities=probabilities, top3=[(3, 1.0)],
                  unsure=False, image28=image28)

    confirmed = mine.save_detection(Prediction(**fields))  # label: the model's reading
    corrected = mine.save_detection(Detection(**fields, box=(10, 20, 60, 90)), 7, canvas)

    assert mine.labels.tolist() == [3, 7]
    assert mine.example(confirmed).crop.shape == (0, 0)
    assert mine.example(corrected).crop.shape == (70, 50)  # the box: 50 wide, 70 tall
    np.testing.assert_array_equal(mine.example(corrected).image28, image28)


# --- bad input: a clear error, and nothing written -----------------------------------------


@pytest.mark.parametrize("label", [10, -1, True, np.bool_(False), 7.0, "7", None])
def test_bad_labels_are_refused(mine, written, label):
    images, _, _ = written
    mine.save(images[0], 1)
    before = snapshot(mine.folder)
    with pytest.raises(ValueError, match="label"):
        mine.save(images[1], label)
    assert snapshot(mine.folder) == before


def bad_images():
    ink = write(digits=(4,), per_digit=1, seed=1)[0][0]
    nan = ink.copy()
    nan[3, 3] = np.nan
    return {
        "empty drawing": (np.zeros((28, 28), np.float32), "empty"),
        "a faint speck": (np.pad(np.ones((2, 2), np.float32), ((0, 26), (0, 26))), "empty"),
        "NaN": (nan, "NaN"),
        "infinity": (np.where(ink > 0.5, np.inf, 0).astype(np.float32), "infinite"),
        "0-255 pixels": ((ink * 255).astype(np.uint8), "float"),
        "out of range": (ink * 2, r"\[0, 1\]"),
        "wrong shape": (np.ones((20, 20), np.float32), "28x28"),
    }


@pytest.mark.parametrize("case", list(bad_images()))
def test_bad_images_are_refused(mine, written, case):
    image, message = bad_images()[case]
    mine.save(written[0][0], 1)
    before = snapshot(mine.folder)
    with pytest.raises(ValueError, match=message):
        mine.save(image, 4)
    assert snapshot(mine.folder) == before


def test_bad_crops_are_refused(mine, written):
    cases = [(np.ones((3, 3, 3), np.uint8), "2-D"), (np.zeros((0, 5)), "2-D"),
             (np.full((3, 3), 2.0), r"\[0, 1\]"), (np.ones((3, 3), np.int32), "uint8")]
    for crop, message in cases:
        with pytest.raises(ValueError, match=message):
            mine.save(written[0][0], 1, crop)
    assert not mine.folder.exists()


def test_a_corrupt_example_file_is_named_and_nothing_is_lost(mine, written):
    ids = saved_three(mine, written)
    damaged = mine.folder / f"{ids[1]}.npz"
    damaged.write_bytes(damaged.read_bytes()[:100])  # truncated, as by a full disk
    before = snapshot(mine.folder)

    with pytest.raises(PersonalDataError, match=ids[1]) as error:
        mine.load()
    assert "corrupt" in str(error.value)
    with pytest.warns(UserWarning, match=ids[1]):
        images, labels = mine.load(skip_bad=True)
    assert len(images) == 2 and labels.tolist() == written[1][[0, 6]].tolist()
    assert snapshot(mine.folder) == before  # reading deleted nothing

    mine.save(written[0][1], int(written[1][1]))  # saving still works ...
    assert len(mine) == 4 and damaged.exists()  # ... and keeps the damaged file


def test_a_modified_example_file_is_caught(mine, written):
    import io

    ids = saved_three(mine, written)
    buffer = io.BytesIO()  # a valid archive, but not what was saved
    np.savez(buffer, image28=written[0][1], crop=np.zeros((0, 0), np.uint8), label=np.int64(9))
    (mine.folder / f"{ids[0]}.npz").write_bytes(buffer.getvalue())
    with pytest.raises(PersonalDataError, match=f"{ids[0]}.npz.*modified"):
        mine.load()


def test_files_the_index_does_not_list_are_ignored(mine, written):
    saved_three(mine, written)
    (mine.folder / "junk.npz").write_bytes(b"not an archive")
    (mine.folder / "notes.txt").write_text("my sevens")
    assert len(mine.load()[0]) == 3
    assert mine.orphans() == [mine.folder / "junk.npz"]  # reported, never deleted


def test_a_corrupt_index_stops_loading_and_saving_and_loses_nothing(mine, written):
    saved_three(mine, written)
    mine.index_path.write_text('{"format": "digits-personal-1", "examples": [{"id": ')
    before = snapshot(mine.folder)
    for attempt in (mine.load, lambda: len(mine), lambda: mine.save(written[0][0], 1),
                    mine.delete_last):
        with pytest.raises(PersonalDataError, match="index.json.*corrupt"):
            attempt()
    assert snapshot(mine.folder) == before


def test_a_file_in_place_of_the_folder_is_refused(tmp_path):
    (tmp_path / "my_digits").write_text("oops")
    with pytest.raises(PersonalDataError, match="not a dataset folder"):
        PersonalDigits(tmp_path / "my_digits")


# --- atomicity: an interrupted save leaves the dataset as it was ------------------------------


class Crash(Exception):
    """Stands in for a power cut or a kill in the middle of a save."""


def test_a_save_interrupted_while_writing_the_example_leaves_the_dataset_intact(
        mine, written, monkeypatch):
    ids = saved_three(mine, written)
    before = snapshot(mine.folder)
    real_write_bytes = Path.write_bytes

    def half_then_crash(self, data):
        real_write_bytes(self, data[: len(data) // 2])
        raise Crash

    monkeypatch.setattr(Path, "write_bytes", half_then_crash)
    with pytest.raises(Crash):
        mine.save(written[0][1], int(written[1][1]))
    monkeypatch.undo()

    assert snapshot(mine.folder) == before  # no half file, not even a temporary one
    assert mine.ids == ids and len(mine.load()[0]) == 3


def test_a_save_interrupted_before_the_index_is_replaced_leaves_the_dataset_intact(
        mine, written, monkeypatch):
    ids = saved_three(mine, written)
    index_before = mine.index_path.read_bytes()
    real_replace = os.replace

    def crash_on_the_index(source, destination):
        if Path(destination).name == "index.json":
            raise Crash
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", crash_on_the_index)
    with pytest.raises(Crash):
        mine.save(written[0][1], int(written[1][1]))
    monkeypatch.undo()

    assert mine.index_path.read_bytes() == index_before
    assert mine.ids == ids
    images, labels = mine.load()
    np.testing.assert_array_equal(images, written[0][[0, 3, 6]])
    assert len(mine.orphans()) == 1  # the new example's file: kept, reported, not loaded
    assert not [p for p in mine.folder.iterdir() if p.name.startswith(".index")]
    mine.save(written[0][1], int(written[1][1]))  # the next save works as usual
    assert len(mine) == 4


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EROFS, "the folder is read-only")])
@pytest.mark.parametrize("failing", ["example", "index"])
def test_a_full_or_read_only_disk_says_could_not_save_and_changes_nothing(
        mine, written, monkeypatch, code, words, failing):
    ids = saved_three(mine, written)
    before = snapshot(mine.folder)
    real_replace = os.replace

    def no_room(source, destination):
        if failing == "example" or Path(destination).name == "index.json":
            raise OSError(code, os.strerror(code))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", no_room)
    with pytest.raises(PersonalSaveError) as error:
        mine.save(written[0][1], int(written[1][1]))
    monkeypatch.undo()

    assert isinstance(error.value, ValueError)
    assert str(error.value).startswith("could not save: ") and words in str(error.value)
    assert snapshot(mine.folder) == before and mine.ids == ids and not mine.orphans()


def test_undo_save_works_on_a_full_disk(mine, written, monkeypatch):
    """The index needs room to be rewritten; on a full disk the example's file makes it."""
    ids = saved_three(mine, written)
    real_replace = os.replace
    free = {"room": False}

    def full_until_a_file_is_removed(source, destination):
        if not free["room"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, destination)

    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        if self.suffix == ".npz":
            free["room"] = True
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", full_until_a_file_is_removed)
    monkeypatch.setattr(Path, "unlink", unlink)
    assert mine.delete_last() == ids[-1]
    free["room"] = False
    mine.delete(ids[0])
    monkeypatch.undo()
    assert mine.ids == [ids[1]] and len(mine.load()[0]) == 1 and not mine.orphans()


def test_a_delete_that_still_finds_no_room_puts_the_example_back(mine, written, monkeypatch):
    ids = saved_three(mine, written)
    before = snapshot(mine.folder)
    real_replace = os.replace

    def full_for_the_index(source, destination):
        if Path(destination).name == "index.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", full_for_the_index)
    with pytest.raises(PersonalSaveError, match="^could not delete: the disk is full"):
        mine.delete_last()
    monkeypatch.undo()
    assert snapshot(mine.folder) == before and mine.ids == ids and len(mine.load()[0]) == 3


def test_undo_save_on_a_real_full_disk(tmp_path, written):
    with tiny_disk(tmp_path / "disk") as disk:
        mine = PersonalDigits(disk / "my_digits")
        ids = saved_three(mine, written)
        fill(disk)
        with pytest.raises(PersonalSaveError, match="^could not save: the disk is full"):
            mine.save(written[0][1], int(written[1][1]))
        assert mine.delete_last() == ids[-1]
        mine.delete(ids[0])
        assert mine.ids == [ids[1]] and len(mine.load()[0]) == 1 and not mine.orphans()


def test_a_deeply_nested_index_is_a_damaged_index(mine, written):
    saved_three(mine, written)
    depth = 200_000  # far deeper than Python's recursion limit
    mine.index_path.write_text("[" * depth + "]" * depth)
    actions = {"load": mine.load, "len": lambda: len(mine), "delete_last": mine.delete_last,
               "save": lambda: mine.save(written[0][1], int(written[1][1]))}
    for name, action in actions.items():
        with pytest.raises(PersonalDataError, match="is corrupt .*nested too deeply"):
            action()
        assert mine.index_path.read_text() == "[" * depth + "]" * depth, name


def test_saving_on_a_real_full_and_read_only_disk(tmp_path, written):
    with tiny_disk(tmp_path / "disk") as disk:
        mine = PersonalDigits(disk / "my_digits")
        ids = saved_three(mine, written)
        before = snapshot(mine.folder)
        fill(disk)
        with pytest.raises(PersonalSaveError, match="^could not save: the disk is full"):
            mine.save(written[0][1], int(written[1][1]))
        assert snapshot(mine.folder) == before and mine.ids == ids
        (disk / "filler").unlink()
        make_read_only(disk)
        with pytest.raises(PersonalSaveError, match="^could not save: the folder is read-only"):
            mine.save(written[0][1], int(written[1][1]))
        assert snapshot(mine.folder) == before and len(mine.load()[0]) == 3


def test_an_example_listed_twice_in_the_index_is_loaded_once(mine, written):
    ids = saved_three(mine, written)
    index = json.loads(mine.index_path.read_text())
    index["examples"].append(dict(index["examples"][1]))  # e.g. two copies of a folder merged
    mine.index_path.write_text(json.dumps(index))

    with pytest.warns(UserWarning, match=f"lists {ids[1]} more than once"):
        images, labels = mine.load()
    assert len(images) == 3 and labels.tolist() == written[1][[0, 3, 6]].tolist()
    with pytest.warns(UserWarning):
        assert mine.ids == ids and len(mine) == 3

    index["examples"][-1]["label"] = (index["examples"][-1]["label"] + 1) % 10
    mine.index_path.write_text(json.dumps(index))  # listed twice, differently: corrupt
    with pytest.raises(PersonalDataError, match="listed twice"):
        mine.load()


def test_stale_temporary_files_of_a_killed_save_are_removed_on_the_next_open(mine, written):
    saved_three(mine, written)
    stale = [mine.folder / ".20261127T061500-0a1b2c.digits-partial-k3j_x9qz.npz",
             mine.folder / ".index.digits-partial-p0o9i8u7.json"]
    fresh = mine.folder / ".index.digits-partial-a1b2c3d4.json"  # a concurrent writer's
    kept = [mine.folder / ".lock", mine.folder / ".hidden-notes.txt", mine.folder / "notes.txt"]
    for path in stale + [fresh] + kept:
        path.write_bytes(b"x")
    an_hour_ago = time.time() - 2 * files.STALE_SECONDS
    for path in stale + kept:
        os.utime(path, (an_hour_ago, an_hour_ago))

    reopened = PersonalDigits(mine.folder)

    assert not any(path.exists() for path in stale)
    assert fresh.exists() and all(path.exists() for path in kept)
    assert len(reopened.load()[0]) == 3


def unrelated_files(folder: Path) -> dict:
    """A learner's own files in the dataset folder, hidden and visible, of every age, some
    named like temporary files: {path: bytes}. Nothing the store does may touch them."""
    names = [
        ".my_notes-20240101.txt", ".index-backup01.json", ".index-p0o9i8u7.json",
        ".20261127T061500-0a1b2c-k3j_x9qz.npz",  # the shapes of the old temporary names
        ".notes.digits-partial-abcd1234.txt",  # marked, but not a file the store writes
        ".index.digits-partial-abcd1234.json.bak", "index.json~", ".index.json.swp",
        ".bashrc", "notes.txt", "junk.npz", "20240101T000000-abcdef.npz.orig",
        ".git/config", "backup/.index.digits-partial-abcd1234.json",
    ]
    now = time.time()
    ages = [0, 30, 2 * files.STALE_SECONDS, 400 * 24 * 3600, -3600]  # -3600: a clock ahead
    contents = {}
    for number, name in enumerate(names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"the learner's {name}\n".encode() * (number + 1))
        when = now - ages[number % len(ages)]
        os.utime(path, (when, when))
        contents[path] = path.read_bytes()
    link = folder / ".index.digits-partial-k3j_x9qz.json"  # a stale-looking name, a link
    link.symlink_to(folder / "notes.txt")
    os.utime(link, (now - 2 * files.STALE_SECONDS,) * 2, follow_symlinks=False)
    contents[link] = link.read_bytes()
    return contents


def test_unrelated_files_in_the_dataset_folder_survive_open_save_undo_and_reopen(
        tmp_path, written):
    folder = tmp_path / "my_digits"
    folder.mkdir()
    theirs = unrelated_files(folder)
    images, labels, crops = written

    store = PersonalDigits(folder)
    store.save(images[0], int(labels[0]), crops[0])
    store.save(images[1], int(labels[1]))
    assert store.delete_last() is not None
    reopened = PersonalDigits(folder)
    assert len(reopened) == 1 and len(reopened.load()[0]) == 1
    reopened.delete_last()
    PersonalDigits(folder)

    for path, data in theirs.items():
        assert path.exists() or path.is_symlink(), f"{path.name} was removed"
        assert path.read_bytes() == data, f"{path.name} was changed"
    assert (folder / ".index.digits-partial-k3j_x9qz.json").is_symlink()
