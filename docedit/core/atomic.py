"""Outputs appear whole or not at all: write to a temporary name, rename at the end.

The temporary name carries the writer's process id (`.NAME.<pid>.<random>.partial.SUFFIX`)
so that a later write to the same output can tell the leftovers of a killed process
(SIGKILL, a power cut: no `finally` ran) from the work of a live one, and remove them.
`output_lock` keeps two jobs from writing the same output (and its sidecars) at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from docedit.core.errors import OutputError


def umask() -> int:
    """The process's file-creation mask (reading it means setting it, then back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def partials(out: Path) -> list[Path]:
    """The temporary files of writes to `out` that are still there (live or dead)."""
    pattern = os.path.join(glob.escape(str(out.parent)), f".{glob.escape(out.stem)}.*.partial*")
    return [Path(name) for name in glob.glob(pattern)]


def sweep_stale(out: Path) -> list[Path]:
    """Remove the temporary files a dead process left while writing `out`; a file whose
    writer is alive, or whose name has no process id (an older docedit), is kept."""
    removed = []
    prefix = f".{out.stem}."
    for path in partials(out):
        pid = path.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def sweep_stale_folders(out: Path) -> list[Path]:
    """Remove the temporary folders (`.NAME.<pid>.<random>`) a dead process left while
    building the folder `out` (a review page); a live writer's are kept."""
    removed = []
    prefix = f".{out.name}."
    pattern = os.path.join(glob.escape(str(out.parent)), f"{glob.escape(prefix)}*")
    for name in glob.glob(pattern):
        path = Path(name)
        pid = path.name[len(prefix) :].split(".", 1)[0]
        if path.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextmanager
def atomic_output(out: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `out` (same file system), renamed to `out` only if the
    block succeeds; on any error or Ctrl-C it is removed and `out` is untouched."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(out)
    prefix = f".{out.stem}.{os.getpid()}."
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=prefix, suffix=f".partial{suffix}")
    os.close(fd)
    try:
        yield Path(temp)
        os.chmod(temp, 0o666 & ~umask())  # mkstemp makes files private; outputs are not
        os.replace(temp, out)
    finally:
        Path(temp).unlink(missing_ok=True)


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `out` for one job: a second job writing the same output refuses at once
    (OutputError) instead of interleaving its files with ours. Taking the lock also
    proves the folder writable, so a read-only folder fails before any work."""
    out = Path(os.path.abspath(out))
    path = lock_path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = _locked(path)
    except BlockingIOError:
        raise OutputError(
            f"{out}: another docedit is writing it now; wait for it or choose another output"
        ) from None
    except OSError as err:
        reason = err.strerror or str(err)
        if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            reason = f"{reason}: the folder cannot be written"
        raise OutputError(f"{out.parent}: {reason}; nothing was rendered") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still ours: _locked checks the name against the file it holds
        handle.close()


def _locked(path: Path) -> BinaryIO:
    """An open, exclusively locked lock file that is still the one named `path` (a job
    finishing unlinks its lock; one that locked the unlinked file must try again)."""
    while True:
        handle = open(path, "a+b")  # noqa: SIM115 (held for the job's whole length)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.path.exists(path) and os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
                return handle
        except BaseException:
            handle.close()
            raise
        handle.close()
