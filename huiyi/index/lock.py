"""One process per local data directory: an exclusive `flock` on `<data_dir>/huiyi.lock`.

Chroma's local persist directory is not safe for several processes, and a second process opening it
would also garbage-collect the chunks of a document the first one is still writing. The kernel drops
the lock when the process dies (kill -9 included), so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from huiyi.errors import StoreUnavailable

LOCK_NAME = "huiyi.lock"
_held: dict[Path, list] = {}  # resolved data dir → [fd, users]; reopening in one process shares the lock
_guard = threading.Lock()


class StoreLocked(StoreUnavailable):
    code = "store_locked"
    http_status = 503


def acquire(data_dir: Path) -> Path:
    """Take (or share, within this process) the data directory's lock; raise StoreLocked if another process has it."""
    key = Path(data_dir).resolve()
    with _guard:
        if key in _held:
            _held[key][1] += 1
            return key
        key.mkdir(parents=True, exist_ok=True)
        fd = os.open(key / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreLocked(
                f"数据目录正被另一个 huiyi 进程使用 / the data directory {key} is in use by another huiyi process "
                f"(pid {holder}). Stop it, talk to it over HTTP, or set HUIYI_DATA_DIR to another directory; "
                "several workers need a Chroma server (HUIYI_CHROMA_URL)."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _held[key] = [fd, 1]
        return key


def release(key: Path) -> None:
    with _guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _held[key]
            fcntl.flock(entry[0], fcntl.LOCK_UN)
            os.close(entry[0])
