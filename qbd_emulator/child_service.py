"""``qbd-connector serve`` as a child process on loopback: started, waited for, killed, restarted.

Owns: the command line and environment of the child (a SQLite store by URL, an admin API key,
pages applied in a thread), waiting until ``/api/v1/health`` answers, stopping it (terminate,
then kill) and killing it outright (SIGKILL: what the service-killed scenario does). Used by
the pytest plugin's ``qbd_service`` and the scenario matrix. Must not: know the Web Connector.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ChildService", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ChildService:
    database_url: str
    api_key: str
    log: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    """More environment for the child (``QBD_*`` settings), over everything else."""
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        import httpx

        env = {
            "QBD_APPLY_WORKERS": "0",  # pages applied in a thread: no worker processes to spawn
            "QBD_LOCKOUT_BASE_DELAY_SECONDS": "0",
            **os.environ,
            "QBD_DATABASE_URL": self.database_url,
            "QBD_API_KEY": self.api_key,
            "QBD_PUBLIC_URL": self.url,
            **self.env,
        }
        command = [sys.executable, "-m", "connector", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"qbd-connector serve did not start: {self.log.read_text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM killer would: no shutdown, leases left behind."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
