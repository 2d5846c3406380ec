"""Housekeeping around an on-disk store directory: the writer lock, leftovers, the swap.

:func:`writer_lock`
    one writer at a time: ``build`` and ``ingest`` hold an exclusive POSIX lock
    (``lockf``) on ``.<name>.lock`` beside the store for as long as they write (re-entrant in
    one process). The kernel releases it when the process dies, ``kill -9`` included, and a
    forked child (the validation worker) does not inherit it, so a child left running by a
    killed build never keeps the next one out.
:func:`clean_leftovers`
    removes what a killed build leaves beside the store (``.<name>.new-*`` half-written
    stores, ``.<name>.old-*`` replaced ones). Run under the lock, so it never touches the
    temporary directory of a build still running. Should the store itself be missing and a
    complete replaced store be there (a crash between the two renames of the fallback swap),
    that store is put back first.
:func:`exchange`
    swaps two directories in one step (Linux ``renameat2(RENAME_EXCHANGE)``), so there is no
    moment at which the store path is missing; ``False`` where the system cannot.
:func:`os_error_message`
    turns an ``OSError`` from writing files into a sentence that says what to do (disk full,
    read-only file system, permission denied).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from fazhi_graph.errors import StoreError, StoreLockedError

__all__ = ["clean_leftovers", "exchange", "leftovers", "os_error_message", "writer_lock"]

_HELD: dict[Path, tuple[int, int]] = {}  # lock file -> (fd, depth), for re-entrancy
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def lock_path(store: Path) -> Path:
    """The lock file of the store at ``store``: ``.<name>.lock`` beside it.

    >>> lock_path(Path("/p/var/store"))
    PosixPath('/p/var/.store.lock')
    """
    return store.with_name(f".{store.name}.lock")


@contextlib.contextmanager
def writer_lock(store: Path) -> Iterator[None]:
    """Hold the store's writer lock; :class:`StoreLockedError` if another process holds it."""
    path = lock_path(Path(store).absolute())
    held = _HELD.get(path)
    if held is not None:
        _HELD[path] = (held[0], held[1] + 1)
        try:
            yield
        finally:
            fd, depth = _HELD[path]
            _HELD[path] = (fd, depth - 1)
        return
    fd = _acquire(path, store)
    _HELD[path] = (fd, 1)
    try:
        yield
    finally:
        fd, depth = _HELD[path]
        if depth <= 1:
            del _HELD[path]
            with contextlib.suppress(OSError):
                path.unlink()  # while still locked: the next writer makes a fresh file
            os.close(fd)  # releases the lock
        else:
            _HELD[path] = (fd, depth - 1)


def _acquire(path: Path, store: Path) -> int:
    """Open and lock ``path``; retry if it was unlinked between the open and the lock."""
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"cannot write beside the store at {store}: {os_error_message(exc)}"
            ) from exc
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise StoreError(
                    f"cannot lock {path}: {os_error_message(exc)}"
                ) from exc
            raise StoreLockedError(
                f"another build or ingest is writing the store at {store}; wait for it to "
                "finish and run the command again"
            ) from exc
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the holder before us removed this file: lock the new one


def leftovers(store: Path) -> list[Path]:
    """Temporary directories a build left beside ``store`` (``.<name>.new-*``, ``.old-*``)."""
    parent, name = store.parent, store.name
    if not parent.is_dir():
        return []
    return sorted(
        [*parent.glob(f".{name}.new-*"), *parent.glob(f".{name}.old-*")],
    )


def clean_leftovers(store: Path) -> list[Path]:
    """Remove :func:`leftovers`; call with :func:`writer_lock` held. Returns what was removed.

    If ``store`` is missing but a replaced store (``.old-*``) is complete, it is moved back
    first: the store path then holds the last store that was complete.
    """
    from fazhi_graph.store import is_store_dir

    found = leftovers(store)
    if not store.exists():
        for old in (p for p in found if ".old-" in p.name and is_store_dir(p)):
            os.rename(old, store)
            found.remove(old)
            break
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return found


def exchange(a: Path, b: Path) -> bool:
    """Swap the directories ``a`` and ``b`` atomically; ``False`` if the system cannot.

    Uses ``renameat2(..., RENAME_EXCHANGE)`` (Linux 3.15, glibc 2.28); other systems and file
    systems without it get ``False`` and the caller falls back to two renames.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = int(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                           _RENAME_EXCHANGE))
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def os_error_message(exc: OSError) -> str:
    """What went wrong writing files, and what to do about it.

    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device"))
    'the disk is full (No space left on device); free some space or write somewhere else'
    >>> os_error_message(OSError("IO error: While open a file: Read-only file system"))[:29]
    'the file system is read-only '
    """
    text = str(exc)
    code = exc.errno
    if code is None:  # RocksDB's errors arrive as plain text
        lowered = text.lower()
        if "no space left" in lowered:
            code = errno.ENOSPC
        elif "read-only file system" in lowered:
            code = errno.EROFS
        elif "permission denied" in lowered:
            code = errno.EACCES
    detail = text
    if exc.strerror:
        detail = f"{exc.strerror}: {exc.filename!r}" if exc.filename else exc.strerror
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full ({detail}); free some space or write somewhere else"
    if code == errno.EFBIG:
        return (f"a file grew past the size limit ({detail}); raise the limit (ulimit -f) "
                "or write somewhere else")
    if code == errno.EROFS:
        return (f"the file system is read-only ({detail}); "
                "remount it writable or write somewhere else")
    if code in (errno.EACCES, errno.EPERM):
        return (f"permission denied ({detail}); "
                "make the directory writable for this user or write somewhere else")
    return detail
