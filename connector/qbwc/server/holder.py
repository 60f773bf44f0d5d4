"""Which process serves a session, and whether a process that served one is certainly gone.

Owns: the text a service process writes into a session row whose call it serves
(``this_process``: the lease holder, then the last server) and ``certainly_gone``, which
tells a dead holder from a live one so that a restarted service need not wait out the
lease or the idle window of a session nobody can continue (issue 18 item 9).
Must not: guess. On Linux a holder on this machine (same boot) and in this PID namespace is
looked up in ``/proc``: gone when its PID is absent or belongs to a process started at
another time (a reused PID). Anything else (another machine or container, another system,
a text of an older format) is *not known to be gone*: the caller then falls back on the
lease's expiry and the idle windows, so two service instances on one PostgreSQL never take
over each other's live sessions.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["HOLDER_MAX", "certainly_gone", "identity_of", "this_process"]

HOLDER_MAX = 160
"""Longest holder text (the store's column); a Linux identity is about 80 characters."""

_PROC = Path("/proc")
_LINUX = "linux"


@dataclass(frozen=True)
class _Place:
    """Where PIDs mean the same process: one boot of one machine, one PID namespace."""

    boot_id: str
    pid_namespace: str


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


@cache
def _here() -> _Place | None:
    boot = _read(_PROC / "sys/kernel/random/boot_id")
    try:
        namespace = os.readlink(_PROC / "self/ns/pid")
    except OSError:
        return None
    if boot is None or not namespace:
        return None
    return _Place(boot, namespace.removeprefix("pid:").strip("[]"))


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/<pid>/stat`` field 22)."""
    stat = _read(_PROC / str(pid) / "stat")
    if stat is None:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def identity_of(pid: int) -> str | None:
    """The holder text of a live process on this machine (``None`` if it is not running or
    this system has no ``/proc``)."""
    place = _here()
    start = _start_ticks(pid) if place is not None else None
    if place is None or start is None:
        return None
    return f"{_LINUX}:{place.boot_id}:{place.pid_namespace}:{pid}:{start}"


def this_process() -> str:
    """This process's holder text (read once per process, after a fork too)."""
    return _this(os.getpid())


@cache
def _this(pid: int) -> str:
    text = identity_of(pid) or f"other:{socket.gethostname()}:{pid}"
    return text[:HOLDER_MAX]


def certainly_gone(holder: str | None) -> bool:
    """True only when ``holder`` names a process of this machine and PID namespace that no
    longer runs. ``None`` (never served, or served before holders were recorded) is not
    known to be gone."""
    if holder is None:
        return False
    parts = holder.split(":")
    place = _here()
    if len(parts) != 5 or parts[0] != _LINUX or place is None:
        return False
    boot_id, namespace, pid_text, start = parts[1:]
    if (boot_id, namespace) != (place.boot_id, place.pid_namespace) or not pid_text.isdigit():
        return False
    return _start_ticks(int(pid_text)) != start
