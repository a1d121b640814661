"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Also the checks made before a program writes anything (``check_output``), so that a long run
does not fail at its very end, and ``describe_os_error`` for messages a learner understands.
"""

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path

# What ``describe_os_error`` says for the write errors a learner meets.
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "permission denied (the folder is read-only for you)",
    errno.EPERM: "permission denied (the folder is read-only for you)",
    errno.EISDIR: "a folder of that name is in the way",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.ENOENT: "the folder does not exist",
}
# Every temporary file atomic_path makes is named "." + the target's stem + TEMPORARY_MARK + 8
# random characters (tempfile's) + the target's suffix: the mark tells them from a user's files.
TEMPORARY_MARK = ".digits-partial-"
TEMPORARY_NAME = re.compile(
    r"^\.(?P<stem>.+)" + re.escape(TEMPORARY_MARK) + r"[a-z0-9_]{8}(?P<suffix>\.[A-Za-z0-9]+)?$")
STALE_SECONDS = 3600  # a temporary file this old belongs to no writer still running


class OutputPathError(ValueError):
    """A program was asked to write where it must not (or cannot); the message says why."""


class OutputExistsError(OutputPathError, FileExistsError):
    """The output file exists and may not be replaced."""


@contextlib.contextmanager
def atomic_path(path, suffix=""):
    """Yield a temporary path beside ``path``; on success move it into place in one step.

    The temporary file lives in the same directory so ``os.replace`` is atomic. On any error
    it is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}{TEMPORARY_MARK}", suffix=suffix or path.suffix, dir=path.parent
    )
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def write_bytes_atomic(path, data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def write_text_atomic(path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def sha256_of(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_os_error(error: OSError) -> str:
    """Why a file operation failed, in words: "the disk is full", "the folder is read-only"..."""
    reason = _REASONS.get(error.errno)
    if reason is None:
        reason = error.strerror or str(error) or type(error).__name__
    return reason


def check_output(path, inputs=(), overwrite: bool = False, make_folder: bool = False,
                 replace_tracked: bool = False) -> Path:
    """Check, before any work is done, that ``path`` may be written; return it as a ``Path``.

    Refused with ``OutputPathError``: a file of the repository (``config.is_tracked``: the
    committed model, its card, any file git tracks, through a symlink or ``..`` too) unless
    ``replace_tracked`` (``make model`` only), one of ``inputs`` (never, whatever ``overwrite``
    says), an existing file unless ``overwrite``, a folder, a missing folder unless
    ``make_folder`` (which creates it), and a folder where a file cannot be created
    (read-only, disk full).
    """
    from digitlib import config

    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a folder")
    if not replace_tracked and config.is_tracked(path):
        raise OutputPathError(f"refusing to write {path}: it is a file of the repository "
                              f"({path.resolve()}); choose another output (only `make model` "
                              f"replaces the committed model)")
    for source in map(Path, inputs):
        if source.resolve() == path.resolve() or (
                source.exists() and path.exists() and os.path.samefile(source, path)):
            raise OutputPathError(f"refusing to write {path}: it is one of the inputs")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"refusing to write over {path}: the file exists")
    folder = path.parent
    if not folder.is_dir():
        if not make_folder or folder.exists():
            raise OutputPathError(f"cannot write {path}: the folder {folder} does not exist")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputPathError(f"cannot create the folder {folder}: "
                                  f"{describe_os_error(error)}") from None
    try:  # the only sure test: create a file there (root ignores permission bits)
        with tempfile.TemporaryFile(dir=folder, prefix=f".{path.stem}-"):
            pass
    except OSError as error:
        raise OutputPathError(f"cannot write in {folder}: {describe_os_error(error)}") from None
    return path


def temporary_target(name: str) -> str | None:
    """The name of the file that ``atomic_path``'s temporary file ``name`` was to become
    (``.index.digits-partial-k3j_x9qz.json`` -> ``index.json``); None for any other name."""
    match = TEMPORARY_NAME.match(name)
    return None if match is None else match["stem"] + (match["suffix"] or "")


def remove_stale_temporaries(folder, targets: re.Pattern,
                             older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files ``atomic_path`` left in ``folder`` when its process was
    killed, if they are older than ``older_than`` seconds (a running writer's are new).

    Only regular files whose name is exactly that of a temporary file for a target named as
    ``targets`` matches in full (the files the caller itself writes) are removed; anything else
    is left alone. Returns the paths removed."""
    removed = []
    deadline = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            target = temporary_target(entry.name)
            if target is None or not targets.fullmatch(target):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat(
                        follow_symlinks=False).st_mtime < deadline:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed
