"""Putting a report folder in place all at once: never half-written, never mixed with another run, never stale.

Every file of a report is written into a new folder beside the target (``.NAME.partial-XXXX``). Only when all of
them are written and flushed to disk does that folder take the target's place, in one atomic exchange of the
two folders (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with recovery on the next run). So
after a crash, a kill or a full disk the target holds either the previous complete report or the new one, and
nothing an earlier run wrote survives a new run. A lock file beside the target (``.NAME.lock``) makes runs that
write into the same folder take turns.

Because a run replaces the whole folder, a target that holds files neurohlh does not write is refused rather
than emptied.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from neurohlh.errors import InputError

#: What a report folder holds; a folder holding anything else is not replaced.
REPORT_ENTRIES = frozenset({"report.html", "tables.docx", "tables.xlsx", "results.json", "results", "tables",
                            "figures"})
#: How long a run waits for another run writing into the same folder.
LOCK_WAIT_SECONDS = 300.0

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_folder(folder: str | Path, entries: frozenset[str] = REPORT_ENTRIES) -> Path:
    """The target folder, after checking it can hold a report: not a file, and holding nothing but a report.
    Its parent folders are created. Raises :class:`InputError` saying why not."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"output folder {str(folder)!r} is an existing file, not a folder; choose another --out")
    if folder.is_dir():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in entries)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise InputError(
                f"output folder {str(folder)!r} holds files that are not part of a neurohlh report ({shown}); a "
                "new report replaces the whole folder, so choose an empty or new folder, or move those files")
    try:
        folder.absolute().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {str(folder)!r}: {exc.strerror or exc}") from None
    return folder


@contextlib.contextmanager
def staged_folder(folder: str | Path, entries: frozenset[str] = REPORT_ENTRIES,
                  wait: float = LOCK_WAIT_SECONDS) -> Iterator[Path]:
    """Yield an empty folder to write into; on normal exit it replaces ``folder`` at once, on an error (or a
    kill) ``folder`` is left as it was.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "report"
    >>> with staged_folder(target) as staging:
    ...     _ = (staging / "report.html").write_text("<p>new</p>")
    >>> sorted(p.name for p in target.iterdir())
    ['report.html']
    """
    folder = Path(os.path.realpath(check_output_folder(folder, entries)))  # a link to a folder: replace its target
    with _locked(folder, wait):
        _recover(folder)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.absolute().parent))
        try:
            os.chmod(staging, 0o777 & ~_umask())
            yield staging
            _sync_tree(staging)
            _replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the failed attempt, or the previous report


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _locked(folder: Path, wait: float) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not a POSIX system: no lock
        yield
        return
    lock = folder.absolute().parent / f".{folder.name}.lock"
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise InputError(f"another neurohlh run has been writing into {str(folder)!r} for more than "
                                     f"{wait:.0f} s; wait until it has finished, or choose another --out") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(handle)  # releases the lock


def _leftovers(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.absolute().parent.glob(f".{folder.name}.{kind}-*"), key=lambda p: p.stat().st_mtime)


def _recover(folder: Path) -> None:
    """Undo what a killed run left: a previous report moved aside but not replaced comes back; unfinished folders
    go."""
    old = _leftovers(folder, "old")
    if old and not folder.exists():
        os.rename(old.pop(), folder)
    for path in old + _leftovers(folder, "partial"):
        shutil.rmtree(path, ignore_errors=True)


def _sync_tree(root: Path) -> None:
    """Flush every written file and folder to disk, so that the exchange never publishes data still in memory."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(dirpath))


def _sync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot (then nothing happened)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace(staging: Path, folder: Path) -> None:
    """Put ``staging`` at ``folder``; the previous content of ``folder`` ends up at ``staging`` (or is removed)."""
    if not folder.exists():
        os.rename(staging, folder)
    elif not _exchange(staging, folder):
        # no atomic exchange here: move the previous report aside first (_recover restores it after a crash)
        aside = folder.absolute().parent / f".{folder.name}.old-{os.getpid()}-{time.time_ns()}"
        os.rename(folder, aside)
        os.rename(staging, folder)
        shutil.rmtree(aside, ignore_errors=True)
    _sync_dir(folder.absolute().parent)
