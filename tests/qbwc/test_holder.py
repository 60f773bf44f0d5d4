"""Telling a gone service process from a live one (``connector.qbwc.server.holder``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from connector.qbwc.server import holder

pytestmark = pytest.mark.skipif(
    holder.identity_of(os.getpid()) is None,
    reason="no /proc: holders are never known to be gone here (leases run out instead)",
)


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_this_process_is_not_gone() -> None:
    me = holder.this_process()
    assert me == holder.identity_of(os.getpid())
    assert len(me) <= holder.HOLDER_MAX
    assert not holder.certainly_gone(me)


def test_a_process_is_gone_once_it_exited() -> None:
    proc = _sleeper()
    try:
        text = holder.identity_of(proc.pid)
        assert text is not None and not holder.certainly_gone(text)
    finally:
        proc.kill()
        proc.wait()
    assert holder.certainly_gone(text)
    assert holder.identity_of(proc.pid) is None


def test_a_reused_pid_is_another_process() -> None:
    kind, boot, namespace, pid, start = holder.this_process().split(":")
    earlier = ":".join((kind, boot, namespace, pid, str(int(start) - 1)))
    assert holder.certainly_gone(earlier)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "other:somehost:123",  # a system without /proc: never known to be gone
        "linux:not-our-boot:4026531836:1:1",  # another machine, or this one before a reboot
        "linux:{boot}:999:1:1",  # another PID namespace (another container)
        "linux:{boot}:{ns}:not-a-pid:1",
        "garbage",
    ],
)
def test_what_cannot_be_checked_is_not_gone(text: str | None) -> None:
    _, boot, namespace, _, _ = holder.this_process().split(":")
    filled = None if text is None else text.format(boot=boot, ns=namespace)
    assert not holder.certainly_gone(filled)
