"""digitlib.files: atomic writes, and the checks made before anything is written."""

import errno
import os
import re
import time

import pytest

from digitlib import files


def test_check_output_refuses_inputs_existing_files_folders_and_missing_folders(tmp_path):
    image = tmp_path / "in.png"
    image.write_bytes(b"a learner's file")
    with pytest.raises(files.OutputPathError, match="one of the inputs"):
        files.check_output(image, inputs=[image], overwrite=True)
    link = tmp_path / "link.png"
    link.symlink_to(image)
    with pytest.raises(files.OutputPathError, match="one of the inputs"):
        files.check_output(link, inputs=[image], overwrite=True)  # the same file, another name
    with pytest.raises(files.OutputExistsError, match="the file exists"):
        files.check_output(image)
    with pytest.raises(files.OutputPathError, match="it is a folder"):
        files.check_output(tmp_path)
    with pytest.raises(files.OutputPathError, match="folder .*missing does not exist"):
        files.check_output(tmp_path / "missing" / "out.png")
    assert files.check_output(tmp_path / "made" / "out.png", make_folder=True).parent.is_dir()
    assert files.check_output(image, overwrite=True) == image
    assert image.read_bytes() == b"a learner's file"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.png", "link.png", "made"]


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "the disk is full"),
                                         (errno.EROFS, "the folder is read-only"),
                                         (errno.EIO, "Input/output error")])
def test_check_output_tries_a_write_and_says_why_it_failed(tmp_path, monkeypatch, code, words):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files.tempfile, "TemporaryFile", refuse)
    with pytest.raises(files.OutputPathError, match=f"cannot write in {tmp_path}: {words}"):
        files.check_output(tmp_path / "out.png")


def test_only_stale_temporary_files_of_the_callers_own_files_are_removed(tmp_path):
    with files.atomic_path(tmp_path / "model.keras") as temporary:
        name = temporary.name  # what a killed writer leaves behind
    assert files.temporary_target(name) == "model.keras"
    stale = tmp_path / name
    fresh = tmp_path / ".model.digits-partial-abcd1234.keras"  # a running writer's, just made
    others = [tmp_path / ".lock", tmp_path / "model.keras", tmp_path / ".bashrc",
              tmp_path / ".my_notes-20240101.txt",  # the shape of atomic_path's old names
              tmp_path / ".notes.digits-partial-abcd1234.txt"]  # not a file the caller writes
    for path in [stale, fresh, *others]:
        path.write_bytes(b"x")
    long_ago = time.time() - files.STALE_SECONDS - 60
    for path in [stale, *others]:
        os.utime(path, (long_ago, long_ago))
    assert files.remove_stale_temporaries(tmp_path, re.compile(r"model\.keras")) == [stale]
    assert fresh.exists() and all(path.exists() for path in others)


def test_check_output_refuses_the_repositorys_files_however_they_are_reached(tmp_path):
    from digitlib import config

    readme = config.ROOT / "README.md"
    before = readme.read_bytes()
    (tmp_path / "link.md").symlink_to(readme)
    (tmp_path / "root").symlink_to(config.ROOT, target_is_directory=True)
    for path in [readme, tmp_path / "link.md", tmp_path / "root" / "README.md",
                 config.ROOT / "digitlib" / ".." / "README.md",
                 config.COMMITTED_MODEL_PATH.with_suffix(".json")]:
        with pytest.raises(files.OutputPathError, match="it is a file of the repository"):
            files.check_output(path, overwrite=True)
    assert files.check_output(readme, overwrite=True, replace_tracked=True) == readme
    assert not config.is_tracked(tmp_path / "mine.keras")
    assert not config.is_tracked(config.LEARNER_MODEL_PATH)  # git-ignored: the learner's
    assert readme.read_bytes() == before
