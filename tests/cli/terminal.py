"""Run a command with its stderr on a pseudo-terminal (as a user's terminal), stdout piped.

The terminal is read while the command runs: a progress bar redrawing ten times a second
fills a pseudo-terminal's small buffer, and an unread one would block the command.
"""

from __future__ import annotations

import os
import pty
import subprocess
import threading
from collections.abc import Sequence


def run_on_terminal(
    argv: Sequence[str], env: dict[str, str], timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], str]:
    """The finished command (stdout captured) and everything it wrote on the terminal."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed its end and all was read
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        with subprocess.Popen(
            list(argv), env=env, stdout=subprocess.PIPE, stderr=slave, text=True
        ) as proc:
            os.close(slave)
            slave = -1
            out, _ = proc.communicate(timeout=timeout)
        reader.join(timeout=60)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    done = subprocess.CompletedProcess(list(argv), proc.returncode, out, "")
    return done, b"".join(chunks).decode("utf-8", "replace")
