"""What the command-line tests share: the installed console scripts, a free port, and waiting
until a ``serve`` child answers its health check (or fails the test if it exits first)."""

from __future__ import annotations

import contextlib
import shutil
import ssl
import subprocess
import time
from typing import Any

import httpx


def script(name: str = "qbd-connector") -> str:
    """The path of an installed console script (the tests run the commands as a user does)."""
    found = shutil.which(name)
    assert found, f"the {name} console script is installed with the package"
    return found


def wait_healthy(
    proc: subprocess.Popen[Any],
    base: str,
    *,
    timeout: float = 120,
    verify: bool | ssl.SSLContext = True,
) -> None:
    """Until ``base``/api/v1/health answers 200; fails when ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited early"
        try:
            if httpx.get(f"{base}/api/v1/health", verify=verify, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.2)  # a pause that ends at once if serve exits
    raise AssertionError("serve did not become healthy")
