"""One agent per user: an exclusive lock on ``agent.lock`` held for the agent's life.

Owns: taking and releasing the lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows).
The operating system drops the lock when the process dies, so a ``kill -9`` leaves no stale
lock behind; the pid written in the file only names the holder in the error message.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from connector.agent.errors import AlreadyRunning

PID_WIDTH = 20


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        handle = open(self.path, "r+", encoding="utf-8")  # noqa: SIM115 - held while running
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            text = handle.read(PID_WIDTH).strip()
            handle.close()
            raise AlreadyRunning(int(text) if text.isdigit() else None) from None
        _write_pid(handle, str(os.getpid()))
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        _write_pid(handle, "")
        _unlock(handle)
        handle.close()


def _write_pid(handle: IO[str], text: str) -> None:
    """The pid at the start of the file, padded (no truncation under a Windows lock)."""
    handle.seek(0)
    handle.write(text.ljust(PID_WIDTH))
    handle.flush()


def is_locked(path: Path) -> bool:
    """Whether an agent holds the lock now (probes by taking and dropping it)."""
    if not path.exists():
        return False
    try:
        with open(path, "r+", encoding="utf-8") as handle:
            _lock(handle)
            _unlock(handle)
    except OSError:
        return True
    return False


if sys.platform == "win32":  # pragma: no cover - exercised on the Windows runner
    import msvcrt

    # A byte far past the pid text is locked: Windows locks are mandatory, and the commands
    # read the pid at the start of the file while the agent holds the lock.
    _LOCK_OFFSET = 1 << 20

    def _lock(handle: IO[str]) -> None:
        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
